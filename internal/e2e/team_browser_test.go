package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestAdminManagesTeamInBrowser: an admin adds an organiser on the team
// page and reads the first password, shown once; gives
// the account an API token that the API accepts, revokes it, and finds
// both in the audit log. The pages fit a phone and a desktop in en, de
// and zh.
func TestAdminManagesTeamInBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	in := startFoyer(t, Options{Demo: true})
	signInAs(t, ctx, in, "admin", "/admin/team?lang=en")

	setValues(t, ctx, map[string]string{"#email": "li.na@example.org", "#name": "Li Na", "#role": "organiser"})
	submit(t, ctx, `.editor-form button[type=submit]`)
	first := evaluate[string](t, ctx, `document.querySelector('#secret')?.innerText || ''`)
	if len(first) < 10 {
		t.Fatalf("no first password shown: %q", first)
	}
	member := evaluate[string](t, ctx, `document.querySelector('form[action$="/tokens"]').getAttribute('action').replace('/tokens', '')`)

	submit(t, ctx, `form[action$="/tokens"] button`)
	token := evaluate[string](t, ctx, `document.querySelector('#secret')?.innerText || ''`)
	if !strings.HasPrefix(token, "fy_") {
		t.Fatalf("no token shown: %q", token)
	}
	in.api(t, "GET", "/api/v1/audit", token, nil).Want(t, http.StatusOK)
	navigate(t, ctx, in.URL+member+"?lang=en", http.StatusOK)
	waitForText(t, ctx, "last used")
	screenshotIfAsked(t, ctx, "team-member-en-1366")
	submit(t, ctx, `form[action$="/revoke"] button`)
	waitForText(t, ctx, "The token is revoked")
	in.api(t, "GET", "/api/v1/audit", token, nil).Want(t, http.StatusUnauthorized)

	navigate(t, ctx, in.URL+"/admin/audit?lang=en", http.StatusOK)
	text := evaluate[string](t, ctx, `document.querySelector('.audit-list')?.innerText || ''`)
	for _, want := range []string{"user.create", "token.create", "token.revoke", "li.na@example.org"} {
		if !strings.Contains(text, want) {
			t.Errorf("the audit log does not show %s", want)
		}
	}
	if strings.Contains(text, token) || strings.Contains(text, first) {
		t.Error("the audit log shows a secret")
	}

	for _, width := range []int{390, 1366} {
		if width < 500 {
			setViewport(t, ctx, width, 844, true)
		} else {
			setViewport(t, ctx, width, 900, false)
		}
		for _, lang := range []string{"en", "de", "zh"} {
			for name, path := range map[string]string{"team": "/admin/team", "member": member, "brand": "/admin/brand"} {
				navigate(t, ctx, in.URL+path+"?lang="+lang, http.StatusOK)
				if sw := evaluate[int](t, ctx, `document.documentElement.scrollWidth`); sw > width+1 {
					t.Errorf("%s in %s is %dpx wide in a %dpx window", name, lang, sw, width)
				}
				screenshotIfAsked(t, ctx, fmt.Sprintf("team-%s-%s-%d", name, lang, width))
			}
		}
	}
	if errs := pageErrors(t, ctx); len(errs) > 0 {
		t.Errorf("page errors:\n%s", strings.Join(errs, "\n"))
	}
}
