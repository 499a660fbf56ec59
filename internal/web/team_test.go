package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var secretShown = regexp.MustCompile(`id="secret">([^<]+)</code>`)

// teamPost submits a form of the team pages as the signed-in client c and
// returns the answer without following a redirect.
func teamPost(t *testing.T, ta *testApp, c *http.Client, path string, values url.Values) (*http.Response, string) {
	t.Helper()
	_, page := get(t, c, ta.srv.URL+"/admin/team")
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the team page has no _csrf field: %.300s", page)
	}
	values.Set("_csrf", m[1])
	follow := c.CheckRedirect
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	defer func() { c.CheckRedirect = follow }()
	res, err := c.PostForm(ta.srv.URL+path, values)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	return res, body
}

// signInWith signs a new client in with an email and password and reports
// whether that worked.
func signInWith(t *testing.T, ta *testApp, email, password string) (*http.Client, bool) {
	t.Helper()
	c := browserish(t)
	res, page := submitForm(t, c, ta.srv.URL, "/login", "/login", url.Values{"email": {email}, "password": {password}})
	return c, res.StatusCode == http.StatusOK && !strings.Contains(page, `action="/login"`)
}

// TestTeamPages: an admin adds an account (its first password shown once),
// gives it an API token that works and shows its last use, revokes it,
// changes the account's role, sets a new password, disables it, and
// cannot lock themselves out; bad input is answered per field in the
// admin's language; every change is in the audit log under the admin's name.
func TestTeamPages(t *testing.T) {
	ta := startApp(t, false)
	admin := browserish(t)
	adminEmail := signIn(t, ta, admin, "admin")

	// Bad input, in German, with what was typed kept.
	res, page := teamPost(t, ta, admin, "/admin/team?lang=de", url.Values{"email": {"not an address"}, "name": {""}, "role": {"boss"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad account: %d", res.StatusCode)
	}
	for _, want := range []string{"Wählen Sie Einlass-Team, Veranstalter oder Admin.", `value="not an address"`, "field-invalid"} {
		if !strings.Contains(html.UnescapeString(page), want) && !strings.Contains(page, want) {
			t.Errorf("bad account: the page lacks %q", want)
		}
	}

	get(t, admin, ta.srv.URL+"/admin/team?lang=en") // and back to English

	// A new organiser with a first password, shown once.
	res, page = teamPost(t, ta, admin, "/admin/team", url.Values{"email": {"wang.fang@example.org"}, "name": {"王芳"}, "role": {"organiser"}})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("add account: %d %.500s", res.StatusCode, page)
	}
	m := secretShown.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no password shown: %.1000s", page)
	}
	password := m[1]
	var id int64
	queryDB(t, ta, "SELECT id FROM users WHERE email = 'wang.fang@example.org'", nil, &id)
	memberPath := fmt.Sprintf("/admin/team/%d", id)
	if _, again := get(t, admin, ta.srv.URL+memberPath); strings.Contains(again, password) {
		t.Error("the first password is shown again")
	}
	if ta.logs.String() != "" && strings.Contains(ta.logs.String(), password) {
		t.Error("the password is in the log")
	}
	organiser, ok := signInWith(t, ta, "wang.fang@example.org", password)
	if !ok {
		t.Fatal("the new account cannot sign in with its first password")
	}
	if r, _ := get(t, organiser, ta.srv.URL+"/admin"); r.StatusCode != http.StatusOK {
		t.Errorf("the new organiser gets %d on /admin", r.StatusCode)
	}
	if r, _ := get(t, organiser, ta.srv.URL+"/admin/team"); r.StatusCode != http.StatusForbidden {
		t.Errorf("an organiser gets %d on the team page, want 403", r.StatusCode)
	}
	if res, _ := teamPost(t, ta, admin, "/admin/team", url.Values{"email": {"wang.fang@example.org"}, "name": {"Again"}, "role": {"staff"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("a taken address: %d, want 409", res.StatusCode)
	}
	_, list := get(t, admin, ta.srv.URL+"/admin/team")
	if !strings.Contains(list, "王芳") || !strings.Contains(list, "wang.fang@example.org") {
		t.Error("the team list lacks the new account")
	}

	// An API token: shown once, works, shows its last use, revoked.
	res, page = teamPost(t, ta, admin, memberPath+"/tokens", url.Values{})
	m = secretShown.FindStringSubmatch(page)
	if res.StatusCode != http.StatusCreated || m == nil || !strings.HasPrefix(m[1], "fy_") {
		t.Fatalf("new token: %d, shown %v", res.StatusCode, m)
	}
	token := m[1]
	_, page = get(t, admin, ta.srv.URL+memberPath)
	if strings.Contains(page, token) || !strings.Contains(page, "never used") {
		t.Error("the member page shows the token again, or not that it was never used")
	}
	if code := ta.call(t, "GET", "/api/v1/audit", token, nil, nil); code != http.StatusOK {
		t.Fatalf("the new token: %d", code)
	}
	if _, page = get(t, admin, ta.srv.URL+memberPath); !strings.Contains(page, "last used") {
		t.Error("the member page does not show the token's last use")
	}
	var tokenID int64
	queryDB(t, ta, "SELECT id FROM api_tokens WHERE user_id = ?", []any{id}, &tokenID)
	if res, _ := teamPost(t, ta, admin, fmt.Sprintf("%s/tokens/%d/revoke", memberPath, tokenID), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if code := ta.call(t, "GET", "/api/v1/audit", token, nil, nil); code != http.StatusUnauthorized {
		t.Errorf("a revoked token: %d, want 401", code)
	}
	if res, _ := teamPost(t, ta, admin, fmt.Sprintf("%s/tokens/%d/revoke", memberPath, tokenID), url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Errorf("revoking again: %d, want 404", res.StatusCode)
	}

	// A new role: the organiser is staff now, and the organiser pages say no.
	if res, _ := teamPost(t, ta, admin, memberPath, url.Values{"name": {"王芳"}, "role": {"staff"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change role: %d", res.StatusCode)
	}
	if r, _ := get(t, organiser, ta.srv.URL+"/admin"); r.StatusCode != http.StatusForbidden {
		t.Errorf("after the change to staff, /admin answers %d", r.StatusCode)
	}

	// A new password: the old one and the browser session end.
	res, page = teamPost(t, ta, admin, memberPath+"/password", url.Values{})
	m = secretShown.FindStringSubmatch(page)
	if res.StatusCode != http.StatusOK || m == nil || m[1] == password {
		t.Fatalf("new password: %d, shown %v", res.StatusCode, m)
	}
	if _, ok := signInWith(t, ta, "wang.fang@example.org", password); ok {
		t.Error("the old password still works")
	}
	staff, ok := signInWith(t, ta, "wang.fang@example.org", m[1])
	if !ok {
		t.Fatal("the new password does not work")
	}
	if r, _ := get(t, staff, ta.srv.URL+"/checkin/none"); r.StatusCode == http.StatusSeeOther || r.Request.URL.Path == "/login" {
		t.Error("the account is not signed in with its new password")
	}

	// Disabled: signed out, and cannot sign in.
	if res, _ := teamPost(t, ta, admin, memberPath, url.Values{"name": {"Wang Fang"}, "role": {"staff"}, "disabled": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", res.StatusCode)
	}
	if r, _ := get(t, staff, ta.srv.URL+"/checkin/none"); r.Request.URL.Path != "/login" {
		t.Errorf("a disabled account's browser is still signed in (%s)", r.Request.URL)
	}
	if _, ok := signInWith(t, ta, "wang.fang@example.org", m[1]); ok {
		t.Error("a disabled account can sign in")
	}
	if _, page = get(t, admin, ta.srv.URL+"/admin/team"); !strings.Contains(page, "disabled") || !strings.Contains(page, "Wang Fang") {
		t.Error("the team list does not show the account disabled under its new name")
	}

	// Admins cannot lock themselves out.
	var self int64
	queryDB(t, ta, "SELECT id FROM users WHERE email = ?", []any{adminEmail}, &self)
	for _, form := range []url.Values{{"name": {"Admin"}, "role": {"admin"}, "disabled": {"yes"}}, {"name": {"Admin"}, "role": {"organiser"}}} {
		if res, page := teamPost(t, ta, admin, fmt.Sprintf("/admin/team/%d", self), form); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(html.UnescapeString(page), "You cannot disable your own account") {
			t.Errorf("locking oneself out (%v): %d", form, res.StatusCode)
		}
	}
	if r, _ := get(t, admin, ta.srv.URL+"/admin/team/999999"); r.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown account: %d", r.StatusCode)
	}

	// The audit log has every change, by the admin, and no secret.
	log := ta.audit(t, ta.token(t, "admin"), "limit=100")
	counts := map[string]int{}
	for _, e := range log.Entries {
		if e.Actor == adminEmail {
			counts[e.Action]++
		}
		raw := fmt.Sprint(e.Changes)
		if strings.Contains(raw, password) || strings.Contains(raw, token) {
			t.Errorf("a secret is in the audit log: %s %v", e.Action, e.Changes)
		}
	}
	for action, want := range map[string]int{"user.create": 1, "user.update": 2, "user.password": 1, "token.create": 1, "token.revoke": 1} {
		if counts[action] != want {
			t.Errorf("audit: %d %s by the admin, want %d (%v)", counts[action], action, want, counts)
		}
	}
}

// TestTeamRoleMatrix: the team pages, invitations included, and the
// installation's brand are for admins alone; organisers and staff get 403
// and anonymous browsers the login page. An invitation's page is public.
func TestTeamRoleMatrix(t *testing.T) {
	ta := startApp(t, false)
	var target int64
	signIn(t, ta, browserish(t), "staff")
	queryDB(t, ta, "SELECT max(id) FROM users", nil, &target)
	member := fmt.Sprintf("/admin/team/%d", target)
	// An account that never signs in, for new invitations.
	never, err := ta.app.Store.CreateUser(context.Background(), "never@example.org", "Never", "staff", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	routes := []struct {
		method, path string
		form         url.Values
		ok           int
	}{
		{"GET", "/admin/team", nil, 200},
		{"POST", "/admin/team", url.Values{"email": {"new@example.org"}, "name": {"New"}, "role": {"staff"}}, 201},
		{"GET", member, nil, 200},
		{"POST", member, url.Values{"name": {"Door"}, "role": {"staff"}}, 303},
		{"POST", "/admin/team", url.Values{"email": {"invited@example.org"}, "name": {"Invited"}, "role": {"staff"},
			"delivery": {"invite"}, "language": {"zh"}}, 201},
		{"POST", fmt.Sprintf("/admin/team/%d/invite", never.ID), url.Values{"language": {"de"}}, 303},
		{"POST", member + "/password", url.Values{}, 200},
		{"POST", member + "/tokens", url.Values{}, 201},
		{"POST", member + "/tokens/1/revoke", url.Values{}, 303},
		{"GET", "/admin/brand", nil, 200},
		{"POST", "/admin/brand", url.Values{"name": {"Messe"}, "colour": {"#c8102e"}}, 303},
	}
	for _, role := range []string{"", "staff", "organiser", "admin"} {
		c := browserish(t)
		if role != "" {
			signIn(t, ta, c, role)
		}
		_, page := get(t, c, ta.srv.URL+"/login")
		if role != "" {
			_, page = get(t, c, ta.srv.URL+"/")
		}
		csrf := ""
		if m := csrfField.FindStringSubmatch(page); m != nil {
			csrf = m[1]
		}
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		for _, r := range routes {
			res := sendForm(t, c, ta.srv.URL+r.path, r.method, csrf, r.form)
			checkRole(t, role, []string{"staff", "organiser"}, r.method, r.path, res, r.ok)
		}
		// An invitation's page is public: everyone gets the page itself
		// (here: an unknown invitation), never the sign-in.
		for _, method := range []string{"GET", "POST"} {
			var res *http.Response
			var err error
			if method == "GET" {
				res, err = c.Get(ta.srv.URL + "/invite/unknown-token")
			} else {
				res, err = c.PostForm(ta.srv.URL+"/invite/unknown-token", url.Values{"_csrf": {csrf}, "password": {"a long password"}})
			}
			if err != nil {
				t.Fatal(err)
			}
			if body := readAll(t, res); res.StatusCode != http.StatusNotFound || !strings.Contains(body, `data-state="unknown"`) {
				t.Errorf("%q %s /invite/{token}: %d, want 404 with the invitation page", role, method, res.StatusCode)
			}
		}
	}
}

// TestInstallationBrand: an admin sets the installation's brand with a
// logo on /admin/brand; the start page and sign-in carry it, an event with
// no brand of its own too, and a bad colour is refused beside its field.
func TestInstallationBrand(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, nil, true))
	c := browserish(t)
	signIn(t, ta, c, "admin")
	_, page := get(t, c, ta.srv.URL+"/admin/brand?lang=en")
	csrf := csrfField.FindStringSubmatch(page)
	if csrf == nil || !strings.Contains(page, "Brand of this installation") {
		t.Fatalf("the installation's brand page: %.300s", page)
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res := sendPage(t, c, ta.srv.URL, "POST", "/admin/brand", csrf[1], func(string) url.Values {
		return url.Values{"name": {"Hannover Messe"}, "colour": {"#c8102e"}, "imprint.en": {"Deutsche Messe AG"}}
	}, "admin", "logo")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	defaults, _, err := ta.app.Store.OrganiserDefaults(context.Background())
	if err != nil || defaults.Name != "Hannover Messe" || !strings.HasPrefix(defaults.Logo, "/media/") || defaults.Colour != "#c8102e" {
		t.Fatalf("defaults: %+v %v", defaults, err)
	}
	for _, path := range []string{"/", "/login", "/events/forum"} {
		if _, body := get(t, browserish(t), ta.srv.URL+path); !strings.Contains(body, "Hannover Messe") || !strings.Contains(body, defaults.Logo) {
			t.Errorf("%s does not carry the installation's brand", path)
		}
	}
	res = sendPage(t, c, ta.srv.URL, "POST", "/admin/brand?lang=de", csrf[1], func(string) url.Values {
		return url.Values{"name": {"Hannover Messe"}, "colour": {"red"}}
	}, "admin", "")
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a bad colour: %d", res.StatusCode)
	}
	if d, _, _ := ta.app.Store.OrganiserDefaults(context.Background()); d.Colour != "#c8102e" {
		t.Errorf("a refused form changed the colour to %q", d.Colour)
	}
	var n int
	queryDB(t, ta, "SELECT count(*) FROM audit_log WHERE action = 'settings.update'", nil, &n)
	if n != 1 {
		t.Errorf("%d settings changes in the audit log, want 1", n)
	}
}
