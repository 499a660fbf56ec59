package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/apitest"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
)

// sessionToken returns the CSRF token of c's session, as its pages carry it.
func sessionToken(t *testing.T, ta *testApp, c *http.Client) string {
	t.Helper()
	_, page := get(t, c, ta.srv.URL+"/events/forum")
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("a signed-in page has no CSRF token")
	}
	return m[1]
}

// send makes a request with c (and so its cookies), returning the status
// and the error code of the answer.
func send(t *testing.T, c *http.Client, method, u, contentType string, body []byte, header map[string]string) (int, string) {
	t.Helper()
	var pairs []string
	if contentType != "" {
		pairs = append(pairs, "Content-Type", contentType)
	}
	for k, v := range header {
		pairs = append(pairs, k, v)
	}
	r := apitest.Client{HTTP: c}.Do(t, method, u, bytes.NewReader(body), pairs...)
	var e apiError
	json.Unmarshal(r.Body, &e)
	return r.Status, e.Error.Code
}

// TestCookieAPINeedsCSRFToken: with only an organiser's session cookie,
// another site's POST (text/plain or JSON) changes nothing; the session's
// own token in X-CSRF-Token is required, and no other token stands in for
// it. A bearer token needs none.
func TestCookieAPINeedsCSRFToken(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, nil, true))
	var reg apiRegistration
	if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(1, nil), &reg); code != 201 {
		t.Fatalf("register: %d", code)
	}
	org := browserish(t)
	signIn(t, ta, org, store.RoleOrganiser)
	token := sessionToken(t, ta, org)
	other := browserish(t)
	signIn(t, ta, other, store.RoleOrganiser)
	otherToken := sessionToken(t, ta, other)

	newEvent := func(slug string) []byte {
		e := programme.Demo(time.Now())
		e.Slug = slug
		data, _ := json.Marshal(e)
		return data
	}
	cancel := ta.srv.URL + "/api/v1/registrations/" + strconv.FormatInt(reg.ID, 10) + "/cancel"
	forged := []struct {
		name        string
		contentType string
		header      map[string]string
	}{
		{"text/plain, no token", "text/plain", nil},
		{"JSON, no token", "application/json", nil},
		{"another session's token", "application/json", map[string]string{"X-CSRF-Token": otherToken}},
		{"a token of the attacker's choosing, cookie and header", "application/json", map[string]string{"X-CSRF-Token": "chosen", "Cookie": "foyer_csrf=chosen"}},
	}
	for _, f := range forged {
		if code, ecode := send(t, org, "POST", ta.srv.URL+"/api/v1/events", f.contentType, newEvent("forged"), f.header); code != 403 || ecode != "csrf" {
			t.Errorf("create event, %s: %d %s, want 403 csrf", f.name, code, ecode)
		}
		if code, ecode := send(t, org, "POST", cancel, f.contentType, nil, f.header); code != 403 || ecode != "csrf" {
			t.Errorf("cancel, %s: %d %s, want 403 csrf", f.name, code, ecode)
		}
	}
	if code := ta.call(t, "GET", "/api/v1/events/forged", ta.token(t, store.RoleOrganiser), nil, nil); code != 404 {
		t.Errorf("a forged request created the event: %d", code)
	}
	if got := ta.registrations(t, "forum", ta.token(t, store.RoleOrganiser), ""); got[0].Status != "confirmed" {
		t.Errorf("a forged request cancelled the registration: %s", got[0].Status)
	}

	// The session's own token works; reading needs none.
	if code, ecode := send(t, org, "POST", ta.srv.URL+"/api/v1/events", "application/json", newEvent("real"), map[string]string{"X-CSRF-Token": token}); code != 201 {
		t.Errorf("create event with the session's token: %d %s", code, ecode)
	}
	if code, _ := send(t, org, "GET", ta.srv.URL+"/api/v1/events/forum/registrations", "", nil, nil); code != 200 {
		t.Errorf("GET with the cookie: %d", code)
	}
	// A bearer token needs no CSRF token.
	bearer := map[string]string{"Authorization": "Bearer " + ta.token(t, store.RoleOrganiser)}
	if code, ecode := send(t, http.DefaultClient, "POST", cancel, "", nil, bearer); code != 200 {
		t.Errorf("cancel with a bearer token: %d %s", code, ecode)
	}
}

// TestFormsCSRF: a signed-in browser's forms carry its session's token; a
// token the attacker planted in the anonymous CSRF cookie does not pass.
// Anonymous forms keep working with their own cookie.
func TestFormsCSRF(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, nil, true))
	c := browserish(t)
	signIn(t, ta, c, store.RoleOrganiser)
	token := sessionToken(t, ta, c)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	logout := ta.srv.URL + "/logout"
	u, _ := url.Parse(ta.srv.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "foyer_csrf", Value: "planted"}})
	for name, v := range map[string]url.Values{
		"no token":      {},
		"planted token": {"_csrf": {"planted"}},
	} {
		res, err := c.PostForm(logout, v)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("logout with %s: %d, want 403", name, res.StatusCode)
		}
	}
	if res, _ := get(t, c, ta.srv.URL+"/admin"); res.StatusCode != 200 {
		t.Fatalf("signed out by a forged form: %d", res.StatusCode)
	}
	res, err := c.PostForm(logout, url.Values{"_csrf": {token}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res, _ := get(t, c, ta.srv.URL+"/admin"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("still signed in after logout: %d", res.StatusCode)
	}

	// Anonymous: the registration form with its own cookie's token works,
	// without it it does not.
	anon := browserish(t)
	anon.CheckRedirect = c.CheckRedirect
	values := url.Values{"first_name": {"Anna"}, "last_name": {"Schmidt"}, "email": {"anna@example.org"}, "country": {"DE"},
		"language": {"de"}, "consent": {"yes"}, "q.industry": {"research"}}
	res, _ = submitForm(t, anon, ta.srv.URL, "/events/forum/register", "/events/forum/register", values)
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous registration form: %d", res.StatusCode)
	}
	jar, _ := cookiejar.New(nil)
	res, err = (&http.Client{Jar: jar}).PostForm(ta.srv.URL+"/events/forum/register", values)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("registration form without a token: %d", res.StatusCode)
	}
}

// TestAPIBodies: the API takes application/json only (415 otherwise), and
// nothing but white space after the JSON value (400).
func TestAPIBodies(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, nil, true))
	path := ta.srv.URL + "/api/v1/events/forum/registrations"
	body := func(n int) []byte { data, _ := json.Marshal(person(n, nil)); return data }
	cases := []struct {
		name        string
		contentType string
		body        []byte
		status      int
		code        string
	}{
		{"text/plain", "text/plain", body(1), 415, "unsupported_media_type"},
		{"form", "application/x-www-form-urlencoded", []byte("first_name=x"), 415, "unsupported_media_type"},
		{"no type", "", body(1), 415, "unsupported_media_type"},
		{"other charset", "application/json; charset=iso-8859-1", body(1), 415, "unsupported_media_type"},
		{"JSON lookalike", "application/jsonp", body(1), 415, "unsupported_media_type"},
		{"garbage after the value", "application/json", append(body(1), " x"...), 400, "bad_json"},
		{"a second value", "application/json", append(body(1), body(2)...), 400, "bad_json"},
		{"a stray bracket", "application/json", append(body(1), '}'), 400, "bad_json"},
		{"a stray comma", "application/json", append(body(1), ',', ' '), 400, "bad_json"},
		{"UTF-8 named", "application/json; charset=UTF-8", body(3), 201, ""},
		{"white space after", "application/json", append(body(4), " \r\n\t"...), 201, ""},
	}
	for _, tc := range cases {
		if code, ecode := send(t, http.DefaultClient, "POST", path, tc.contentType, tc.body, nil); code != tc.status || ecode != tc.code {
			t.Errorf("%s: %d %q, want %d %q", tc.name, code, ecode, tc.status, tc.code)
		}
	}
	// The programme import too.
	org := map[string]string{"Authorization": "Bearer " + ta.token(t, store.RoleOrganiser)}
	e := programme.Demo(time.Now())
	e.Slug = "forum"
	data, _ := json.Marshal(e)
	for _, tail := range []string{"]", "}", " {}", "x"} {
		if code, ecode := send(t, http.DefaultClient, "PUT", ta.srv.URL+"/api/v1/events/forum", "application/json", append(data, tail...), org); code != 400 || ecode != "bad_json" {
			t.Errorf("programme with %q after it: %d %s", tail, code, ecode)
		}
	}
	if code, ecode := send(t, http.DefaultClient, "PUT", ta.srv.URL+"/api/v1/events/forum", "text/plain", data, org); code != 415 {
		t.Errorf("programme as text/plain: %d %s", code, ecode)
	}
	// Actions without a body need no type.
	if code, _ := send(t, http.DefaultClient, "POST", ta.srv.URL+"/api/v1/registrations/1/resend", "", nil, org); code != 200 {
		t.Errorf("resend without a body: %d", code)
	}
	if !strings.Contains(string(data), `"slug":"forum"`) {
		t.Fatal("test programme has the wrong slug")
	}
}
