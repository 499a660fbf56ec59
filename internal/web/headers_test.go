package web

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/foyer-events/foyer/internal/store"
)

// inlineCode finds what a Content-Security-Policy without 'unsafe-inline'
// would block: script elements with a body, style elements and attributes,
// event handler attributes and javascript: URLs.
var inlineCode = regexp.MustCompile(`(?i)<script[^>]*>\s*[^<\s]|<style|\sstyle=|\son[a-z]+=|javascript:`)

// TestContentSecurityPolicy: every page and answer carries the policy, and
// no page relies on anything inline that the policy blocks.
func TestContentSecurityPolicy(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, intp(40), true))
	c := browserish(t)
	signIn(t, ta, c, store.RoleAdmin)
	paths := []string{
		"/", "/events/forum", "/events/forum/speakers", "/events/forum/register", "/events/forum/registered",
		"/login", "/admin", "/events/no-such-event", "/healthz", "/api/v1/events/forum",
		"/admin/events/forum/registrations", "/admin/events/forum/registrations/new", "/admin/events/forum/outbox",
		"/admin/events/forum/exports", "/admin/events/forum/print", "/admin/events/forum/badges",
	}
	for _, p := range paths {
		res, body := get(t, c, ta.srv.URL+p)
		csp := res.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'",
			"img-src 'self' data:", "frame-ancestors 'none'", "form-action 'self'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: Content-Security-Policy %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: policy allows inline code: %q", p, csp)
		}
		if m := inlineCode.FindString(body); m != "" {
			t.Errorf("%s: inline code the policy blocks: %q", p, m)
		}
		if res.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", p)
		}
	}
}

// TestAgendaGridStyle: the agenda's grid placement comes from a stylesheet
// of its own, with a rule for every session on the page, cached under the
// programme's version.
func TestAgendaGridStyle(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, intp(40), true))
	_, page := get(t, http.DefaultClient, ta.srv.URL+"/events/forum")
	link := regexp.MustCompile(`<link rel="stylesheet" href="(/events/forum/agenda-grid\.css\?v=[^"]+)">`).FindStringSubmatch(page)
	if link == nil {
		t.Fatal("the event page links no agenda stylesheet")
	}
	res, css := get(t, http.DefaultClient, ta.srv.URL+strings.ReplaceAll(link[1], "&amp;", "&"))
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("current stylesheet Cache-Control %q, want immutable", cc)
	}
	// Every class the page gives a session, room or time mark has its rule.
	classes := regexp.MustCompile(`class="agenda-day (day-\d+)"|class="agenda-(?:room|mark) ([rm]\d+)"|class="session [^"]*?(s\d+)"`).FindAllStringSubmatch(page, -1)
	day, n := "", 0
	for _, m := range classes {
		switch {
		case m[1] != "":
			day = m[1]
			if !strings.Contains(css, "."+day+" .agenda-grid{--rooms:") {
				t.Errorf("no room count for %s", day)
			}
		case m[2] != "" || m[3] != "":
			sel := "." + day + " ." + m[2] + m[3] + "{grid-"
			if !strings.Contains(css, sel) {
				t.Errorf("stylesheet lacks %q", sel)
			}
			n++
		}
	}
	if n < 10 {
		t.Errorf("only %d placed elements found on the agenda", n)
	}
	res, _ = get(t, http.DefaultClient, ta.srv.URL+"/events/forum/agenda-grid.css?v=old")
	if cc := res.Header.Get("Cache-Control"); res.StatusCode != 200 || cc != "no-cache" {
		t.Errorf("old version: %d, Cache-Control %q", res.StatusCode, cc)
	}
	if res, _ := get(t, http.DefaultClient, ta.srv.URL+"/events/no-such-event/agenda-grid.css"); res.StatusCode != 404 {
		t.Errorf("unknown event: %d", res.StatusCode)
	}
}

// TestHSTS: sent when the request came over TLS, or from a trusted proxy
// that says https; a header from anyone else is not believed.
func TestHSTS(t *testing.T) {
	ta := startAppWith(t, map[string]string{"FOYER_TRUSTED_PROXIES": "192.0.2.0/24"}, false)
	h := ta.srv.Config.Handler
	cases := []struct {
		name   string
		remote string
		tls    bool
		proto  string
		want   bool
	}{
		{"plain", "198.51.100.7:4000", false, "", false},
		{"TLS", "198.51.100.7:4000", true, "", true},
		{"trusted proxy says https", "192.0.2.10:4000", false, "https", true},
		{"trusted proxy says http", "192.0.2.10:4000", false, "http", false},
		{"stranger says https", "198.51.100.7:4000", false, "https", false},
	}
	for _, tc := range cases {
		req := httptest.NewRequest("GET", "/login", nil)
		req.RemoteAddr = tc.remote
		if tc.tls {
			req.TLS = &tls.ConnectionState{}
		}
		if tc.proto != "" {
			req.Header.Set("X-Forwarded-Proto", tc.proto)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := rec.Header().Get("Strict-Transport-Security")
		if (got != "") != tc.want {
			t.Errorf("%s: Strict-Transport-Security %q, want it %v", tc.name, got, tc.want)
		}
		if tc.want && !strings.Contains(got, "max-age=31536000") {
			t.Errorf("%s: %q", tc.name, got)
		}
		// The language cookie is Secure exactly when HSTS is sent.
		req = req.Clone(req.Context())
		req.URL.RawQuery = "lang=de"
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if secure := strings.Contains(rec.Header().Get("Set-Cookie"), "Secure"); secure != tc.want {
			t.Errorf("%s: cookie %q", tc.name, rec.Header().Get("Set-Cookie"))
		}
	}
}

// TestAuthorizationSchemes: a Basic-auth proxy's header does not lock
// anyone out of the pages; the API says what it accepts.
func TestAuthorizationSchemes(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, nil, true))
	c := browserish(t)
	signIn(t, ta, c, store.RoleOrganiser)
	basic := "Basic dXNlcjpwYXNz"
	for _, p := range []string{"/events/forum", "/login", "/admin"} {
		req, _ := http.NewRequest("GET", ta.srv.URL+p, nil)
		req.Header.Set("Authorization", basic)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || res.Request.URL.Path != p {
			t.Errorf("%s with Basic auth: %d at %s", p, res.StatusCode, res.Request.URL)
		}
	}
	// A wrong bearer token on a page is ignored as well: no sign-in loop.
	req, _ := http.NewRequest("GET", ta.srv.URL+"/events/forum", nil)
	req.Header.Set("Authorization", "Bearer not-a-token")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Errorf("page with a wrong bearer token: %v %v", res, err)
	}

	org := ta.token(t, store.RoleOrganiser)
	for _, tc := range []struct {
		header string
		status int
		code   string
	}{
		{basic, 401, "auth_scheme"},
		{"Token " + org, 401, "auth_scheme"},
		{"Bearer wrong", 401, "unauthorized"},
		{"bearer " + org, 200, ""},
		{"Bearer " + org, 200, ""},
	} {
		req, _ := http.NewRequest("GET", ta.srv.URL+"/api/v1/events/forum/registrations", nil)
		req.Header.Set("Authorization", tc.header)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || !strings.Contains(string(body), tc.code) {
			t.Errorf("API with %q: %d %s", strings.Fields(tc.header)[0], res.StatusCode, body)
		}
		if tc.code == "auth_scheme" && !strings.Contains(string(body), "Bearer") {
			t.Errorf("the 401 does not say what to send: %s", body)
		}
	}
}

// TestPagesHaveLength: rendered pages, cached or not, go out with their
// length rather than in chunks.
func TestPagesHaveLength(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, intp(40), true))
	for _, p := range []string{"/events/forum", "/events/forum", "/events/forum/speakers", "/login", "/events/no-such-event"} {
		res, body := get(t, http.DefaultClient, ta.srv.URL+p)
		if res.ContentLength != int64(len(body)) || len(res.TransferEncoding) > 0 {
			t.Errorf("%s: Content-Length %d, Transfer-Encoding %v, body %d bytes", p, res.ContentLength, res.TransferEncoding, len(body))
		}
	}
}
