package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/foyer-events/foyer/internal/store"
)

var userSeq atomic.Int64

// signIn creates a user with the role and signs client c in as them; it
// returns the user's email.
func signIn(t *testing.T, ta *testApp, c *http.Client, role string) string {
	t.Helper()
	email := fmt.Sprintf("%s%d@example.org", role, userSeq.Add(1))
	if _, err := ta.app.Store.CreateUser(context.Background(), email, role, role, "a long password"); err != nil {
		t.Fatal(err)
	}
	res, _ := submitForm(t, c, ta.srv.URL, "/login", "/login", url.Values{"email": {email}, "password": {"a long password"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign in as %s: %d", role, res.StatusCode)
	}
	return email
}

// TestLoginRedirect: after signing in, next= leads only to a path on this
// site; every form that a browser would read as another host, or as a
// script, goes to the default page instead.
func TestLoginRedirect(t *testing.T) {
	ta := startApp(t, false)
	ctx := context.Background()
	if _, err := ta.app.Store.CreateUser(ctx, "door@example.org", "Door", "staff", "a long password"); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ next, want string }{
		{"", "/"},
		{"/events/forum", "/events/forum"},
		{"/events/forum?lang=de#agenda", "/events/forum?lang=de#agenda"},
		{"/admin/events/x/registrations?status=confirmed&q=a%2Fb", "/admin/events/x/registrations?status=confirmed&q=a%2Fb"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\/evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/\\/evil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%2F/evil.example", "/"},
		{"/%2f%2fevil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"https://evil.example", "/"},
		{"http:evil.example", "/"},
		{"https:/evil.example", "/"},
		{"//evil.example/%2F..", "/"},
		{"/@evil.example", "/@evil.example"}, // a path on this site, harmless
		{"evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"data:text/html,<script>alert(1)</script>", "/"},
		{" //evil.example", "/"},
		{"/\x00evil", "/"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%q", tc.next), func(t *testing.T) {
			if got := safeNext(tc.next); got != tc.want {
				t.Errorf("safeNext(%q) = %q, want %q", tc.next, got, tc.want)
			}
			// The real sign-in: the login page carries next= along, and
			// the answer's Location is what the browser follows.
			c := browserish(t)
			c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			res, _ := submitForm(t, c, ta.srv.URL, "/login?next="+url.QueryEscape(tc.next), "/login",
				url.Values{"email": {"door@example.org"}, "password": {"a long password"}, "next": {tc.next}})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != tc.want {
				t.Errorf("POST /login next=%q: %d Location %q, want %q", tc.next, res.StatusCode, res.Header.Get("Location"), tc.want)
			}
		})
	}
	// A page that needs a signed-in user sends strangers to the login page
	// with the way back, encoded.
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(ta.srv.URL + "/admin?x=1&y=2")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); loc != "/login?next=%2Fadmin%3Fx%3D1%26y%3D2" {
		t.Errorf("Location %q", loc)
	}
}

// TestLoginThrottle: ten failed sign-ins for one account within the window
// lock it for every address, with 429 and Retry-After, even for the right
// password; the lock is logged and shown to admins. A name that is no
// account is answered the same way.
func TestLoginThrottle(t *testing.T) {
	// Every attempt comes from another address, through a trusted proxy:
	// the per-address limit alone would never stop this.
	ta := startAppWith(t, map[string]string{"FOYER_RATE_LIMIT": "on", "FOYER_TRUSTED_PROXIES": "127.0.0.0/8,::1/128"}, false)
	ctx := context.Background()
	victim, err := ta.app.Store.CreateUser(ctx, "org@example.org", "Olga Organiser", "organiser", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	attempt := func(n int, email, password string) (*http.Response, string) {
		t.Helper()
		c := browserish(t)
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		c.Transport = forwardedFor(fmt.Sprintf("203.0.113.%d", n))
		return submitForm(t, c, ta.srv.URL, "/login?lang=en", "/login", url.Values{"email": {email}, "password": {password}})
	}
	for _, email := range []string{"Org@Example.org ", "nobody@example.org"} {
		for i := 1; i < store.LoginFailureLimit; i++ {
			if res, _ := attempt(i, email, "wrong password"); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("%s: failure %d: %d, want 401", email, i, res.StatusCode)
			}
		}
		res, page := attempt(100, email, "wrong password")
		if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(page, "Too many failed sign-ins") {
			t.Fatalf("%s: failure %d: %d, want 429 with the reason", email, store.LoginFailureLimit, res.StatusCode)
		}
		for _, password := range []string{"wrong password", "a long password"} {
			res, _ := attempt(200, email, password)
			retry, _ := strconv.Atoi(res.Header.Get("Retry-After"))
			if res.StatusCode != http.StatusTooManyRequests || retry < 14*60 || retry > 15*60 {
				t.Errorf("%s locked, password %q: %d Retry-After %q", email, password, res.StatusCode, res.Header.Get("Retry-After"))
			}
		}
	}
	// Other accounts are not affected.
	signIn(t, ta, browserish(t), store.RoleOrganiser)

	if logs := ta.logs.String(); !strings.Contains(logs, `msg="sign-in locked after repeated failures" user=`+strconv.FormatInt(victim.ID, 10)) ||
		!strings.Contains(logs, `msg="sign-in locked after repeated failures" user=none`) {
		t.Errorf("the locks are not logged:\n%s", logs)
	} else if strings.Contains(logs, "org@example.org") || strings.Contains(logs, "nobody@example.org") {
		t.Error("the log names the account")
	}

	admin := browserish(t)
	signIn(t, ta, admin, store.RoleAdmin)
	_, page := get(t, admin, ta.srv.URL+"/admin?lang=en")
	for _, want := range []string{"Locked sign-ins", "Olga Organiser", "org@example.org", "Names that are no account: 1"} {
		if !strings.Contains(page, want) {
			t.Errorf("admin overview lacks %q", want)
		}
	}
	if strings.Contains(page, "nobody@example.org") {
		t.Error("admin overview shows a name that is no account")
	}
	organiser := browserish(t)
	signIn(t, ta, organiser, store.RoleOrganiser)
	if _, page := get(t, organiser, ta.srv.URL+"/admin?lang=en"); strings.Contains(page, "Locked sign-ins") {
		t.Error("organisers see the sign-in locks")
	}
}

// forwardedFor is a transport that says the request comes from addr, as a
// reverse proxy would.
type forwardedFor string

func (f forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", string(f))
	return http.DefaultTransport.RoundTrip(r)
}
