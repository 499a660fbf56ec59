package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
)

func person(n int, extra map[string]any) map[string]any {
	p := map[string]any{
		"first_name": "Guest", "last_name": fmt.Sprintf("Number %d", n), "email": fmt.Sprintf("guest%d@example.org", n),
		"organisation": "Example GmbH", "country": "DE", "language": "en", "consent": true,
		"answers": map[string]any{"industry": "research"},
	}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

func TestRegistrationAPI(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, intp(40), true))
	const path = "/api/v1/events/forum/registrations"

	var first apiRegistration
	if code := ta.call(t, "POST", path, "", person(1, map[string]any{"email": "Zhang.Wei@Example.CN", "sessions": []string{"ws-maintenance"}}), &first); code != http.StatusCreated {
		t.Fatalf("register: %d", code)
	}
	if first.Status != "confirmed" || first.ID == 0 || first.Event != "forum" || first.CheckedInAt != nil {
		t.Errorf("registration = %+v", first)
	}
	if first.TicketCode != nil || first.ManageToken != nil {
		t.Errorf("public answer carries a ticket code or manage token: %+v", first)
	}
	if len(first.Sessions) != 1 || first.Sessions[0]["id"] != "ws-maintenance" || first.Sessions[0]["status"] != "confirmed" {
		t.Errorf("sessions = %v", first.Sessions)
	}

	var again map[string]any
	if code := ta.call(t, "POST", path, "", person(2, map[string]any{"email": "zhang.wei@example.cn"}), &again); code != http.StatusOK {
		t.Fatalf("repeat: %d, want 200", code)
	}
	if again["result"] != "already_registered" || len(again) != 2 {
		t.Errorf("repeat answered %v", again)
	}

	big := `{"first_name":"` + strings.Repeat("x", 3<<20) + `"}`
	cases := []struct {
		name      string
		body      any
		status    int
		code      string
		wantField string
	}{
		{"broken JSON", `{"first_name": "Anna",`, 400, "bad_json", ""},
		{"not UTF-8", []byte("{\"first_name\": \"\xff\xfe\"}"), 400, "bad_utf8", ""},
		{"unknown field", `{"first_name": "Anna", "is_admin": true}`, 400, "bad_json", ""},
		{"oversized", big, 413, "too_large", ""},
		{"unknown session", person(3, map[string]any{"sessions": []string{"no-such-session"}}), 422, "invalid", "sessions"},
		{"session without sign-up", person(3, map[string]any{"sessions": []string{"opening"}}), 422, "invalid", "sessions"},
		{"no consent", person(3, map[string]any{"consent": false}), 422, "invalid", "consent"},
		{"bad email", person(3, map[string]any{"email": "not-an-email"}), 422, "invalid", "email"},
		{"script in name", person(3, map[string]any{"first_name": "<script>alert(1)</script>"}), 422, "invalid", "first_name"},
		{"newline in organisation", person(3, map[string]any{"organisation": "Line one\nLine two"}), 422, "invalid", "organisation"},
		{"required answer missing", person(3, map[string]any{"answers": map[string]any{}}), 422, "invalid", "answers.industry"},
		{"answer not an option", person(3, map[string]any{"answers": map[string]any{"industry": "mining"}}), 422, "invalid", "answers.industry"},
		{"unknown country", person(3, map[string]any{"country": "XX"}), 422, "invalid", "country"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var e apiError
			if code := ta.call(t, "POST", path, "", tc.body, &e); code != tc.status {
				t.Fatalf("status %d, want %d (%+v)", code, tc.status, e)
			}
			if e.Error.Code != tc.code || e.Error.Message == "" {
				t.Errorf("error = %+v, want code %s", e.Error, tc.code)
			}
			if tc.wantField != "" && e.Error.Fields[tc.wantField] == "" {
				t.Errorf("no message for field %s: %v", tc.wantField, e.Error.Fields)
			}
		})
	}

	// The field messages speak the attendee's language.
	var de apiError
	ta.call(t, "POST", path, "", person(4, map[string]any{"language": "de", "consent": false}), &de)
	if !strings.Contains(de.Error.Fields["consent"], "Datenschutz") {
		t.Errorf("German consent message = %q", de.Error.Fields["consent"])
	}

	// Nothing but the first registration was written.
	org := ta.token(t, store.RoleOrganiser)
	if regs := ta.registrations(t, "forum", org, ""); len(regs) != 1 {
		t.Errorf("%d registrations stored, want 1", len(regs))
	}
}

func TestOrganiserAPIAuth(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, nil, true))
	staff := ta.token(t, store.RoleStaff)
	for _, path := range []string{"/api/v1/events/forum/registrations", "/api/v1/registrations/1"} {
		var e apiError
		if code := ta.call(t, "GET", path, "", nil, &e); code != 401 || e.Error.Code != "unauthorized" {
			t.Errorf("%s without token: %d %+v", path, code, e)
		}
		if code := ta.call(t, "GET", path, staff, nil, &e); code != 403 || e.Error.Code != "forbidden" {
			t.Errorf("%s as staff: %d %+v", path, code, e)
		}
	}
}

// TestCapacityUnderConcurrency sends 300 registrations at once for 30 places:
// exactly 30 are confirmed, 270 waitlisted, none fails.
func TestCapacityUnderConcurrency(t *testing.T) {
	ta := startApp(t, false,
		smallForum("event-cap", intp(30), nil, true),
		smallForum("session-cap", nil, intp(30), true))
	org := ta.token(t, store.RoleOrganiser)

	register := func(slug string, extra map[string]any) {
		ta.registerAtOnce(t, slug, 300, extra, func(i, code int, _ apiError) {
			if code != http.StatusCreated {
				t.Errorf("registration %d: status %d", i, code)
			}
		})
	}

	register("event-cap", nil)
	regs := ta.registrations(t, "event-cap", org, "")
	if got := countStatus(regs, "confirmed"); got != 30 {
		t.Errorf("event: %d confirmed, want 30", got)
	}
	if got := countStatus(regs, "waitlisted"); got != 270 {
		t.Errorf("event: %d waitlisted, want 270", got)
	}

	register("session-cap", map[string]any{"sessions": []string{"ws-maintenance"}})
	regs = ta.registrations(t, "session-cap", org, "")
	seats := map[string]int{}
	for _, r := range regs {
		if r.Status != "confirmed" {
			t.Errorf("registration %d is %s; only the session is limited", r.ID, r.Status)
		}
		for _, s := range r.Sessions {
			seats[s["status"].(string)]++
		}
	}
	if seats["confirmed"] != 30 || seats["waitlisted"] != 270 {
		t.Errorf("session seats = %v, want 30 confirmed and 270 waitlisted", seats)
	}

	// Cancellations promote the oldest waiting registrations, in order.
	waiting := ta.registrations(t, "event-cap", org, "status=waitlisted")
	confirmed := ta.registrations(t, "event-cap", org, "status=confirmed")
	for _, r := range confirmed[:3] {
		if code := ta.call(t, "POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", r.ID), org, nil, nil); code != 200 {
			t.Fatalf("cancel %d: %d", r.ID, code)
		}
	}
	for i, r := range waiting[:4] {
		var now apiRegistration
		ta.call(t, "GET", fmt.Sprintf("/api/v1/registrations/%d", r.ID), org, nil, &now)
		want := "confirmed"
		if i == 3 {
			want = "waitlisted"
		}
		if now.Status != want {
			t.Errorf("waiting #%d (id %d) is %s after 3 cancellations, want %s", i+1, r.ID, now.Status, want)
		}
	}
	if got := countStatus(ta.registrations(t, "event-cap", org, ""), "confirmed"); got != 30 {
		t.Errorf("%d confirmed after cancellations, want 30", got)
	}

	// The same for a session seat: cancelling a seat holder seats the
	// oldest waiting one.
	var holder, next apiRegistration
	for _, r := range regs {
		if r.Sessions[0]["status"] == "confirmed" && holder.ID == 0 {
			holder = r
		}
		if r.Sessions[0]["status"] == "waitlisted" && (next.ID == 0 || r.CreatedAt < next.CreatedAt) {
			next = r
		}
	}
	ta.call(t, "POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", holder.ID), org, nil, nil)
	var after apiRegistration
	ta.call(t, "GET", fmt.Sprintf("/api/v1/registrations/%d", next.ID), org, nil, &after)
	if after.Sessions[0]["status"] != "confirmed" {
		t.Errorf("oldest waiting seat %d not promoted: %v", next.ID, after.Sessions)
	}

	// The counters that capacity checks read agree with the rows.
	var drift int
	if err := ta.readOnly(t).QueryRow(`SELECT
		(SELECT count(*) FROM events e WHERE confirmed <> (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed')) +
		(SELECT count(*) FROM sessions s WHERE confirmed <> (SELECT count(*) FROM registration_sessions rs WHERE rs.session_id = s.id AND rs.status = 'confirmed'))`).Scan(&drift); err != nil {
		t.Fatal(err)
	}
	if drift != 0 {
		t.Errorf("%d confirmed counters disagree with the registrations", drift)
	}
}

func countStatus(regs []apiRegistration, status string) int {
	n := 0
	for _, r := range regs {
		if r.Status == status {
			n++
		}
	}
	return n
}

func TestFullEventWithoutWaitlist(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", intp(1), nil, false))
	if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(1, nil), nil); code != 201 {
		t.Fatalf("first: %d", code)
	}
	var e apiError
	if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(2, nil), &e); code != http.StatusConflict || e.Error.Code != "event_full" {
		t.Errorf("second: %d %+v, want 409 event_full", code, e)
	}
	if _, page := get(t, browserish(t), ta.srv.URL+"/events/forum/register?lang=en"); !strings.Contains(page, "fully booked") || strings.Contains(page, `name="first_name"`) {
		t.Error("the form of a full event without waiting list is still offered")
	}
}

func TestFullEventWithWaitlistSaysSo(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", intp(1), nil, true))
	ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(1, nil), nil)
	_, page := get(t, browserish(t), ta.srv.URL+"/events/forum/register?lang=de")
	if !strings.Contains(page, "Neue Anmeldungen kommen auf die Warteliste") || !strings.Contains(page, `name="first_name"`) {
		t.Error("a full event with a waiting list should say so and still show the form")
	}
}

// TestFullEventRefusesUnderConcurrency: without a waiting list, guests who
// arrive together with the last ones get a clear 409, and exactly the
// capacity is confirmed.
func TestFullEventRefusesUnderConcurrency(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", intp(10), nil, false))
	var created, refused atomic.Int32
	ta.registerAtOnce(t, "forum", 50, nil, func(i, code int, e apiError) {
		switch {
		case code == http.StatusCreated:
			created.Add(1)
		case code == http.StatusConflict && e.Error.Code == "event_full":
			refused.Add(1)
		default:
			t.Errorf("registration %d: %d %+v", i, code, e)
		}
	})
	if created.Load() != 10 || refused.Load() != 40 {
		t.Errorf("%d created, %d refused; want 10 and 40", created.Load(), refused.Load())
	}
	org := ta.token(t, store.RoleOrganiser)
	if regs := ta.registrations(t, "forum", org, ""); len(regs) != 10 || countStatus(regs, "confirmed") != 10 {
		t.Errorf("%d registrations stored, want 10 confirmed", len(regs))
	}
}

func TestApprovalMode(t *testing.T) {
	e := smallForum("forum", intp(1), nil, true)
	e.Registration.Mode = "approval"
	ta := startApp(t, false, e)
	org := ta.token(t, store.RoleOrganiser)
	var a, b apiRegistration
	ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(1, nil), &a)
	ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(2, nil), &b)
	if a.Status != "pending" || b.Status != "pending" {
		t.Fatalf("statuses %s, %s; want pending", a.Status, b.Status)
	}
	steps := []struct {
		action string
		id     int64
		status int
		want   string
	}{
		{"approve", a.ID, 200, "confirmed"},
		{"approve", b.ID, 200, "waitlisted"}, // the one place is taken
		{"approve", a.ID, 409, "confirmed"},  // not pending any more
		{"reject", b.ID, 409, "waitlisted"},
		{"cancel", a.ID, 200, "cancelled"},
		{"cancel", a.ID, 409, "cancelled"},
		{"resend", a.ID, 200, "cancelled"},
	}
	for _, s := range steps {
		var r apiRegistration
		code := ta.call(t, "POST", fmt.Sprintf("/api/v1/registrations/%d/%s", s.id, s.action), org, nil, &r)
		if code != s.status {
			t.Errorf("%s %d: status %d, want %d", s.action, s.id, code, s.status)
		}
		ta.call(t, "GET", fmt.Sprintf("/api/v1/registrations/%d", s.id), org, nil, &r)
		if r.Status != s.want {
			t.Errorf("after %s %d: %s, want %s", s.action, s.id, r.Status, s.want)
		}
	}
	// Cancelling a's place promoted b.
	var r apiRegistration
	ta.call(t, "GET", fmt.Sprintf("/api/v1/registrations/%d", b.ID), org, nil, &r)
	if r.Status != "confirmed" {
		t.Errorf("b is %s after a cancelled, want confirmed", r.Status)
	}
	if r.TicketCode == nil || *r.TicketCode == "" {
		t.Error("organiser view has no ticket code")
	}
}

func TestRegistrationWindow(t *testing.T) {
	e := smallForum("forum", nil, nil, true)
	e.Registration.ClosesAt = programme.At(time.Now().Add(-time.Hour))
	e.Registration.OpensAt = programme.At(time.Now().Add(-48 * time.Hour))
	ta := startApp(t, false, e)
	var er apiError
	if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(1, nil), &er); code != 409 || er.Error.Code != "registration_closed" {
		t.Errorf("closed registration: %d %+v", code, er)
	}
}

// TestRaisedCapacityPromotes: an organiser who raises the capacity moves the
// oldest waiting guests up, and they are emailed.
func TestRaisedCapacityPromotes(t *testing.T) {
	e := smallForum("forum", intp(2), nil, true)
	ta := startApp(t, true, e)
	org := ta.token(t, store.RoleOrganiser)
	for i := range 5 {
		ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(i, nil), nil)
	}
	ta.smtp.WaitFor(t, 5, 20*time.Second)
	e.Capacity = intp(4)
	if code := ta.call(t, "PUT", "/api/v1/events/forum", org, e, nil); code != 200 {
		t.Fatalf("PUT: %d", code)
	}
	regs := ta.registrations(t, "forum", org, "")
	for i, want := range []string{"confirmed", "confirmed", "confirmed", "confirmed", "waitlisted"} {
		if regs[i].Status != want {
			t.Errorf("registration %d is %s, want %s", i+1, regs[i].Status, want)
		}
	}
	msgs := ta.smtp.WaitFor(t, 7, 20*time.Second)
	for _, m := range msgs[5:] {
		p, _ := m.Parse()
		if !strings.Contains(p.Subject, "A place for you") {
			t.Errorf("email to %v: %q, want the promotion", m.To, p.Subject)
		}
	}
}

// TestRateLimits: registration and login are limited per client; the
// answer is 429 in the error shape, or an error page for browsers.
func TestRateLimits(t *testing.T) {
	ta := startAppWith(t, map[string]string{"FOYER_RATE_LIMIT": "on"}, false, smallForum("forum", nil, nil, true))
	var limited atomic.Int32
	ta.registerAtOnce(t, "forum", 40, nil, func(i, code int, e apiError) {
		if code == http.StatusTooManyRequests {
			limited.Add(1)
			if e.Error.Code != "rate_limited" || e.Error.Message == "" {
				t.Errorf("429 answer = %+v", e)
			}
		} else if code != http.StatusCreated {
			t.Errorf("registration %d: %d", i, code)
		}
	})
	if n := limited.Load(); n == 0 || n == 40 {
		t.Errorf("%d of 40 rapid registrations limited: want some, not all", n)
	}
	// Logins at once: the limit applies before the (slow) password check,
	// so this holds however fast the machine is.
	c := browserish(t)
	res, page := get(t, c, ta.srv.URL+"/login")
	if res.StatusCode != 200 {
		t.Fatalf("login page: %d", res.StatusCode)
	}
	token := csrfField.FindStringSubmatch(page)[1]
	statuses := statusesAtOnce(t, 15, func(int) (*http.Response, error) {
		return c.PostForm(ta.srv.URL+"/login", url.Values{"_csrf": {token}, "email": {"x@example.org"}, "password": {"wrong"}})
	})
	if statuses[http.StatusTooManyRequests] == 0 || statuses[http.StatusUnauthorized] == 0 {
		t.Errorf("login statuses %v: want 401s, then 429s", statuses)
	}
}

func TestRegistrationListFilters(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", intp(3), intp(1), true))
	org := ta.token(t, store.RoleOrganiser)
	for i := range 5 {
		extra := map[string]any{"organisation": fmt.Sprintf("Firma %d", i)}
		if i < 2 {
			extra["sessions"] = []string{"ws-maintenance"}
		}
		if i == 4 {
			extra["first_name"], extra["last_name"] = "Zoë", "Ångström"
		}
		ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(i, extra), nil)
	}
	cases := []struct {
		query string
		want  int
	}{
		{"", 5},
		{"status=confirmed", 3},
		{"status=waitlisted", 2},
		{"session=ws-maintenance", 2},
		{"q=Firma+3", 1},
		{"q=%C3%85ngstr", 1}, // Ångstr
		{"q=guest1%40example", 1},
		{"q=100%25", 0}, // a LIKE wildcard is taken literally
		{"checked_in=false", 5},
		{"checked_in=true", 0},
	}
	for _, c := range cases {
		if got := len(ta.registrations(t, "forum", org, c.query)); got != c.want {
			t.Errorf("%q: %d registrations, want %d", c.query, got, c.want)
		}
	}
	var page struct {
		Registrations []apiRegistration `json:"registrations"`
		Total         int               `json:"total"`
	}
	ta.call(t, "GET", "/api/v1/events/forum/registrations?limit=2&offset=2", org, nil, &page)
	if page.Total != 5 || len(page.Registrations) != 2 || page.Registrations[0].LastName != "Number 2" {
		t.Errorf("page 2 of 2 = total %d, %d rows", page.Total, len(page.Registrations))
	}
	for _, bad := range []string{"status=maybe", "session=nope", "checked_in=perhaps", "limit=0", "limit=5000", "offset=-1"} {
		var e apiError
		if code := ta.call(t, "GET", "/api/v1/events/forum/registrations?"+bad, org, nil, &e); code != 400 || len(e.Error.Fields) != 1 {
			t.Errorf("%s: %d %+v, want 400 naming the filter", bad, code, e)
		}
	}
	if code := ta.call(t, "GET", "/api/v1/events/nope/registrations", org, nil, nil); code != 404 {
		t.Errorf("unknown event: %d", code)
	}
}

// TestMailStateForOrganisers: the organiser's view of a registration shows
// its last email and what became of it, and /resend sends it again.
func TestMailStateForOrganisers(t *testing.T) {
	ta := startApp(t, true, smallForum("forum", nil, nil, true))
	org := ta.token(t, store.RoleOrganiser)
	ta.smtp.SetReject(550, "mailbox unavailable")
	var reg apiRegistration
	if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(1, nil), &reg); code != 201 {
		t.Fatalf("register: %d", code)
	}
	path := fmt.Sprintf("/api/v1/registrations/%d", reg.ID)
	var got struct {
		Mail struct{ Kind, Status, Error string } `json:"mail"`
	}
	waitUntil(t, 20*time.Second, func() bool {
		ta.call(t, "GET", path, org, nil, &got)
		return got.Mail.Status == "failed"
	})
	if got.Mail.Kind != "confirmed" || !strings.Contains(got.Mail.Error, "550") {
		t.Errorf("mail %+v, want the failed confirmation with the server's answer", got.Mail)
	}
	ta.smtp.SetReject(0, "")
	if code := ta.call(t, "POST", path+"/resend", org, nil, nil); code != 200 {
		t.Fatalf("resend: %d", code)
	}
	ta.smtp.WaitFor(t, 1, 20*time.Second)
	waitUntil(t, 10*time.Second, func() bool {
		got.Mail.Error = "" // left out of the JSON when there is none
		ta.call(t, "GET", path, org, nil, &got)
		return got.Mail.Status == "sent" && got.Mail.Error == ""
	})
}
