package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/foyer-events/foyer/internal/store"
)

// TestAdminOverview: organisers land on the overview after signing in and
// see live figures; staff are refused; strangers are sent to sign in.
func TestAdminOverview(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", intp(1), nil, true))
	for i := range 3 {
		ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(i, nil), nil)
	}
	ctx := context.Background()
	for _, u := range []struct{ email, role string }{{"org@example.org", store.RoleOrganiser}, {"door@example.org", store.RoleStaff}} {
		if _, err := ta.app.Store.CreateUser(ctx, u.email, u.role, u.role, "a long password"); err != nil {
			t.Fatal(err)
		}
	}

	stranger := browserish(t)
	stranger.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if res, _ := get(t, stranger, ta.srv.URL+"/admin"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("anonymous /admin: %d %s", res.StatusCode, res.Header.Get("Location"))
	}

	login := func(email string) *http.Client {
		c := browserish(t)
		res, _ := submitForm(t, c, ta.srv.URL, "/login?lang=en", "/login", url.Values{"email": {email}, "password": {"a long password"}})
		if res.StatusCode != 200 {
			t.Fatalf("login %s: %d", email, res.StatusCode)
		}
		return c
	}
	org := login("org@example.org")
	res, page := get(t, org, ta.srv.URL+"/admin?lang=en")
	if res.StatusCode != 200 {
		t.Fatalf("organiser /admin: %d", res.StatusCode)
	}
	// One place: one confirmed, two on the waiting list.
	for _, want := range []string{"German-Chinese Intelligent Production Forum 2027", `<td class="num">1</td>`, `<td class="num">2</td>`} {
		if !strings.Contains(page, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	if res, _ := get(t, login("door@example.org"), ta.srv.URL+"/admin"); res.StatusCode != http.StatusForbidden {
		t.Errorf("staff /admin: %d, want 403", res.StatusCode)
	}

	// Wrong password: 401 with the message, and the email kept.
	res, page = submitForm(t, browserish(t), ta.srv.URL, "/login?lang=de", "/login", url.Values{"email": {"org@example.org"}, "password": {"wrong"}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "E-Mail oder Passwort ist falsch") || !strings.Contains(page, `value="org@example.org"`) {
		t.Errorf("failed login: %d", res.StatusCode)
	}
}
