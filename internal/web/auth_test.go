package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
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
