package e2e

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// adminViewports are the widths the organiser pages are looked at: a phone
// and a laptop.
var adminViewports = []struct {
	name          string
	width, height int64
	mobile        bool
}{{"390", 390, 844, true}, {"1366", 1366, 900, false}}

// viewport sets the tab's size.
func viewport(t testing.TB, ctx context.Context, width, height int64, mobile bool) {
	t.Helper()
	if mobile {
		browse(t, ctx, chromedp.EmulateViewport(width, height, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	} else {
		browse(t, ctx, chromedp.EmulateViewport(width, height))
	}
}

// catalogueKey is a key of the catalogue shown where its words belong.
var catalogueKey = regexp.MustCompile(`\b(admin|export|kind|status|error|seat|reg|name|salutation)\.[a-z_]+(\.[a-z_]+)*\b`)

// checkPage fails on what users would notice at a glance: errors in the
// page, a page wider than the window, and text of the catalogue's keys
// where words belong.
func checkPage(t testing.TB, ctx context.Context, name string, width int64) {
	t.Helper()
	if errs := pageErrors(t, ctx); len(errs) > 0 {
		t.Errorf("%s: the page had errors:\n%s", name, strings.Join(errs, "\n"))
	}
	if sw := evaluate[int64](t, ctx, `document.documentElement.scrollWidth`); sw > width+1 {
		t.Errorf("%s: the page is %dpx wide in a %dpx window", name, sw, width)
	}
	text := evaluate[string](t, ctx, `document.body.innerText`)
	if m := catalogueKey.FindString(text); m != "" {
		t.Errorf("%s: a catalogue key instead of words: %q", name, m)
	}
}

// TestAdminScreens opens every page of the organiser interface in English,
// German and Chinese on a phone and a laptop, checks what a user would
// notice first, and keeps screenshots (FOYER_SCREENSHOTS).
func TestAdminScreens(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	in := startFoyer(t, Options{Demo: true})
	registerGuests(t, in, 60)
	email, password := in.user(t, "organiser")
	base := "/admin/events/" + demoSlug
	signIn(t, ctx, in, base+"/registrations", email, password)

	// One registration with a history: edited, cancelled and back is not
	// possible, so edited and resent.
	token := in.token(t, "organiser")
	var list struct {
		Registrations []struct {
			ID int64 `json:"id"`
		} `json:"registrations"`
	}
	in.api(t, "GET", "/api/v1/events/"+demoSlug+"/registrations?q=sch%C3%A4fer&limit=1", token, nil).Want(t, 200).Decode(t, &list)
	if len(list.Registrations) == 0 {
		t.Fatal("no guest named Schäfer")
	}
	id := list.Registrations[0].ID
	in.api(t, "POST", fmt.Sprintf("/api/v1/registrations/%d/resend", id), token, nil).Want(t, 200)

	pages := []struct{ name, path string }{
		{"overview", "/admin"},
		{"registrations", base + "/registrations?sort=name"},
		{"registrations-filtered", base + "/registrations?status=confirmed&session=ws-maintenance&a.industry=machinery"},
		{"registration", fmt.Sprintf("%s/registrations/%d", base, id)},
		{"edit", fmt.Sprintf("%s/registrations/%d/edit", base, id)},
		{"new", base + "/registrations/new"},
		{"outbox", base + "/outbox"},
		{"exports", base + "/exports"},
	}
	for _, vp := range adminViewports {
		viewport(t, ctx, vp.width, vp.height, vp.mobile)
		for _, lang := range []string{"en", "de", "zh"} {
			for _, p := range pages {
				sep := "?"
				if strings.Contains(p.path, "?") {
					sep = "&"
				}
				navigate(t, ctx, in.URL+p.path+sep+"lang="+lang, http.StatusOK)
				name := fmt.Sprintf("admin-%s-%s-%s", p.name, lang, vp.name)
				checkPage(t, ctx, name, vp.width)
				screenshot(t, ctx, name)
			}
		}
	}
}
