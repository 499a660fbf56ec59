package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
)

// TestAdminRoleMatrix: every page and download of the organiser interface
// and the API routes of the lists, asked by someone anonymous, staff, an
// organiser and an admin. Anonymous browsers go to the login page (and the
// API answers 401), staff get 403, organisers and admins what the route
// does. Forms are sent with the session's CSRF token, so that the answer is
// the role check's and not the CSRF check's.
func TestAdminRoleMatrix(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, intp(40), true))
	exportGuests(t, ta, "forum")
	token := ta.token(t, "organiser")
	regs := ta.registrations(t, "forum", token, "sort=created")
	id := regs[0].ID
	var mailID int64
	queryDB(t, ta, "SELECT id FROM outbox WHERE registration_id = ? LIMIT 1", []any{id}, &mailID)

	base := "/admin/events/forum"
	reg := fmt.Sprintf("%s/registrations/%d", base, id)
	type route struct {
		method, path string
		form         url.Values
		ok           int // the answer to an organiser and an admin
	}
	routes := []route{
		{"GET", "/admin", nil, 200},
		{"GET", base, nil, 200},
		{"GET", base + "?question=interpretation", nil, 200},
		{"GET", base + "/checkin-progress", nil, 200},
		{"GET", base + "/registrations", nil, 200},
		{"GET", base + "/registrations?status=confirmed&q=m%C3%BCller&sort=-name", nil, 200},
		{"GET", base + "/registrations/new", nil, 200},
		{"GET", reg, nil, 200},
		{"GET", reg + "/edit", nil, 200},
		{"GET", reg + "/qr.png", nil, 200},
		{"GET", base + "/outbox", nil, 200},
		{"GET", base + "/outbox?status=failed", nil, 200},
		{"GET", base + "/exports", nil, 200},
		{"GET", base + "/attendees.csv", nil, 200},
		{"GET", base + "/attendees.xlsx?preset=catering", nil, 200},
		{"GET", base + "/speakers.csv", nil, 200},
		{"GET", base + "/speakers.xlsx", nil, 200},
		{"GET", base + "/print?status=confirmed", nil, 200},
		{"GET", base + "/badges?ids=1,2,3", nil, 200},
		{"POST", base + "/registrations/new", url.Values{"first_name": {"Hand"}, "last_name": {"Added"}, "language": {"de"},
			"q.industry": {"research"}}, 303},
		{"POST", base + "/registrations/bulk", url.Values{"action": {"resend"}, "id": {fmt.Sprint(id)}}, 303},
		{"POST", reg + "/edit", url.Values{"first_name": {"Gast"}, "last_name": {"Bearbeitet"}, "email": {regs[0].Email},
			"language": {"de"}, "q.industry": {"research"}}, 303},
		{"POST", reg + "/resend", nil, 303},
		{"POST", reg + "/approve", nil, 409}, // confirmed already: allowed, but nothing to approve
		{"POST", reg + "/reject", nil, 200},  // asks first
		{"POST", reg + "/cancel", nil, 200},  // asks first
		{"POST", base + "/outbox/retry-failed", nil, 303},
		{"POST", fmt.Sprintf("%s/outbox/%d/retry", base, mailID), nil, 409}, // sent, not failed
	}
	api := []route{
		{"GET", "/api/v1/events/forum/attendees.csv", nil, 200},
		{"GET", "/api/v1/events/forum/attendees.xlsx?status=confirmed", nil, 200},
		{"GET", "/api/v1/events/forum/speakers.csv", nil, 200},
		{"GET", "/api/v1/events/forum/speakers.xlsx", nil, 200},
		{"GET", "/api/v1/events/forum/registrations?kind=attendee&a.industry=research", nil, 200},
	}

	noRedirect := func(c *http.Client) *http.Client {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return c
	}
	for _, role := range []string{"", "staff", "organiser", "admin"} {
		c := browserish(t)
		who := role
		if role == "" {
			who = "anonymous"
		} else {
			signIn(t, ta, c, role)
		}
		noRedirect(c)
		// The session's CSRF token (anonymous: the login form's).
		_, page := get(t, c, ta.srv.URL+"/login")
		if role != "" {
			_, page = get(t, c, ta.srv.URL+"/events/forum") // the sign-out form
		}
		m := csrfField.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("%s: no CSRF token", who)
		}
		csrf := m[1]
		for _, r := range routes {
			res := sendForm(t, c, ta.srv.URL+r.path, r.method, csrf, r.form)
			checkRole(t, role, []string{"staff"}, r.method, r.path, res, r.ok)
		}
		// The API with the browser's session: GETs need no CSRF header.
		for _, r := range api {
			res, err := c.Get(ta.srv.URL + r.path)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			want := map[string]int{"": 401, "staff": 403}[role]
			if want == 0 {
				want = r.ok
			}
			if res.StatusCode != want {
				t.Errorf("%s (session) %s %s: %d, want %d", who, r.method, r.path, res.StatusCode, want)
			}
		}
	}
	// The API with bearer tokens.
	for _, role := range []string{"", "staff", "organiser", "admin"} {
		tok := ""
		if role != "" {
			tok = ta.token(t, role)
		}
		for _, r := range api {
			download(t, ta, r.path, tok, map[string]int{"": 401, "staff": 403, "organiser": r.ok, "admin": r.ok}[role])
		}
	}
}
