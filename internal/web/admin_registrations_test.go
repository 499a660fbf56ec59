package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/store"
)

// adminClient is a signed-in organiser's browser with the session's CSRF
// token, which every form of the organiser interface carries.
type adminClient struct {
	t    *testing.T
	ta   *testApp
	c    *http.Client
	csrf string
}

func newAdminClient(t *testing.T, ta *testApp, role string) *adminClient {
	t.Helper()
	c := browserish(t)
	signIn(t, ta, c, role)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	_, page := get(t, c, ta.srv.URL+"/admin")
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token on /admin")
	}
	return &adminClient{t: t, ta: ta, c: c, csrf: m[1]}
}

func (a *adminClient) get(path string) (*http.Response, string) {
	a.t.Helper()
	return get(a.t, a.c, a.ta.srv.URL+path)
}

func (a *adminClient) post(path string, form url.Values) (*http.Response, string) {
	a.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", a.csrf)
	res, err := a.c.PostForm(a.ta.srv.URL+path, form)
	if err != nil {
		a.t.Fatal(err)
	}
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	res.Body.Close()
	return res, b.String()
}

// TestAdminTableFilters: the table shows what the filters in its address
// select, says how many, and names a wrong filter instead of failing.
func TestAdminTableFilters(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, intp(40), true))
	exportGuests(t, ta, "forum")
	a := newAdminClient(t, ta, "organiser")
	base := "/admin/events/forum/registrations"

	res, body := a.get(base + "?q=m%C3%BCller")
	if res.StatusCode != 200 || !strings.Contains(body, "Müller-Lüdenscheidt") || strings.Contains(body, "Formula") {
		t.Errorf("search for müller: %d, finds Müller %v, finds Formula %v", res.StatusCode,
			strings.Contains(body, "Müller-Lüdenscheidt"), strings.Contains(body, "Formula"))
	}
	if !strings.Contains(body, "1–1") {
		t.Errorf("the count does not say 1–1 of 1")
	}
	_, body = a.get(base + "?q=%E7%8E%8B%E5%B0%8F%E6%98%8E&lang=zh") // 王小明, in Chinese
	if !strings.Contains(body, "王小明") || !strings.Contains(body, "第 1–1 条，共 1 条") {
		t.Errorf("search for 王小明 in Chinese finds nothing")
	}
	// Pages: 40 guests, 50 a page; sorted by name, newest first.
	_, body = a.get(base + "?sort=-name")
	if i, j := strings.Index(body, "王小明"), strings.Index(body, "Formula"); i < 0 || j < 0 {
		t.Errorf("sorted list lacks guests")
	}
	res, body = a.get(base + "?status=maybe&a.industry=mining&checked_in=soon&lang=en")
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad filters: %d, want 400", res.StatusCode)
	}
	for _, want := range []string{"must be pending, confirmed", "is not one of the question", "must be true or false"} {
		if !strings.Contains(body, want) {
			t.Errorf("bad filters: the page does not say %q:\n%.3000s", want, body[strings.Index(body, "<main"):])
		}
	}
	res, _ = a.get(base + "?page=99")
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "page=1") {
		t.Errorf("a page past the end: %d %q, want the last page", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestAdminEditRegistration: an organiser's edit goes through the form's
// rules (a wrong field comes back with its message and what was typed),
// the capacity rules (a full session waitlists the seat), the one-address
// rule, and into the history with the organiser's name.
func TestAdminEditRegistration(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, intp(1), true))
	token := ta.token(t, "organiser")
	for i := range 3 {
		g := person(i, nil)
		if i == 0 {
			g["sessions"] = []string{"ws-maintenance"} // takes the only seat
		}
		if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", g, nil); code != 201 {
			t.Fatalf("register: %d", code)
		}
	}
	regs := ta.registrations(t, "forum", token, "")
	target := regs[1]
	a := newAdminClient(t, ta, "organiser")
	edit := fmt.Sprintf("/admin/events/forum/registrations/%d/edit", target.ID)
	form := url.Values{"first_name": {"Jürgen"}, "last_name": {""}, "email": {target.Email}, "language": {"de"},
		"organisation": {"Müller & Söhne"}, "q.industry": {"machinery"}, "q.dietary": {"vegetarisch"}, "sessions": {"ws-maintenance"},
		"kind": {"speaker"}, "salutation": {"mr"}, "title": {"dr"}}
	res, body := a.post(edit, form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Müller &amp; Söhne") {
		t.Fatalf("empty last name: %d; the form keeps what was typed: %v", res.StatusCode, strings.Contains(body, "Müller &amp; Söhne"))
	}
	if !strings.Contains(body, "field-error") {
		t.Error("no message next to the field")
	}
	form.Set("last_name", "Müller")
	res, _ = a.post(edit, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	got, err := ta.app.Store.GetRegistration(context.Background(), target.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastName != "Müller" || got.Kind != "speaker" || got.Title != "dr" || got.Answers["dietary"] != "vegetarisch" {
		t.Errorf("after the edit: %+v", got)
	}
	if got.SeatStatus("ws-maintenance") != "waitlisted" {
		t.Errorf("the full workshop gave a seat: %q", got.SeatStatus("ws-maintenance"))
	}
	ev, _ := ta.app.Store.GetEvent(context.Background(), "forum")
	history, err := ta.app.Store.Timeline(context.Background(), ev, target.ID)
	if err != nil {
		t.Fatal(err)
	}
	var edited, sessions bool
	for _, h := range history {
		edited = edited || (h.Action == store.HistoryEdit && strings.Contains(strings.Join(h.Fields, ","), "last_name") && strings.HasPrefix(h.By, "organiser"))
		sessions = sessions || (h.Action == store.HistorySessions && len(h.Added) == 1)
	}
	if !edited || !sessions {
		t.Errorf("history without the edit (%v) or the session (%v): %+v", edited, sessions, history)
	}
	_, page := a.get(fmt.Sprintf("/admin/events/forum/registrations/%d", target.ID))
	for _, want := range []string{"Dr Jürgen Müller", "vegetarisch", "Changed: given name, family name", "signed up for"} {
		if !strings.Contains(page, want) {
			t.Errorf("the registration's page does not show %q", want)
		}
	}

	// Another live registration's address is refused, with a message.
	form.Set("email", regs[2].Email)
	res, body = a.post(edit, form)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "already has this address") {
		t.Errorf("taken address: %d", res.StatusCode)
	}

	// Cancelling asks first; then frees the seat, which the next in line gets.
	cancel := fmt.Sprintf("/admin/events/forum/registrations/%d/cancel", regs[0].ID)
	res, body = a.post(cancel, nil)
	if res.StatusCode != 200 || !strings.Contains(body, `name="confirm" value="yes"`) {
		t.Fatalf("cancel without confirming: %d", res.StatusCode)
	}
	if r, _ := ta.app.Store.GetRegistration(context.Background(), regs[0].ID); r.Status != "confirmed" {
		t.Fatal("cancelled before confirming")
	}
	res, _ = a.post(cancel, url.Values{"confirm": {"yes"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.StatusCode)
	}
	got, _ = ta.app.Store.GetRegistration(context.Background(), target.ID)
	if got.SeatStatus("ws-maintenance") != "confirmed" {
		t.Errorf("the freed seat did not go to the waiting guest: %q", got.SeatStatus("ws-maintenance"))
	}
}

// TestAdminAddAndBulk: a guest added by hand without an address gets no
// email; an address that is registered already is not registered twice;
// bulk actions do what they say, cancelling only after a confirmation.
func TestAdminAddAndBulk(t *testing.T) {
	e := smallForum("forum", nil, intp(40), true)
	e.Registration.Mode = "approval"
	ta := startApp(t, false, e)
	token := ta.token(t, "organiser")
	for i := range 4 {
		if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(i, nil), nil); code != 201 {
			t.Fatalf("register: %d", code)
		}
	}
	a := newAdminClient(t, ta, "organiser")
	add := "/admin/events/forum/registrations/new"
	res, _ := a.post(add, url.Values{"first_name": {"小明"}, "last_name": {"王"}, "language": {"zh"}, "kind": {"press"},
		"q.industry": {"research"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add without an address: %d", res.StatusCode)
	}
	added := ta.registrations(t, "forum", token, "kind=press")
	if len(added) != 1 || added[0].Email != "" || added[0].Status != "pending" {
		t.Fatalf("added: %+v", added)
	}
	var mails int
	queryDB(t, ta, "SELECT count(*) FROM outbox WHERE registration_id = ?", []any{added[0].ID}, &mails)
	if mails != 0 {
		t.Errorf("%d emails queued for a guest without an address", mails)
	}
	res, body := a.post(add, url.Values{"first_name": {"Again"}, "last_name": {"Guest"}, "email": {"GUEST1@example.org"},
		"language": {"en"}, "q.industry": {"research"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "already registered") {
		t.Errorf("an address registered already: %d", res.StatusCode)
	}

	pending := ta.registrations(t, "forum", token, "status=pending")
	ids := url.Values{"action": {"approve"}, "back": {"/admin/events/forum/registrations?status=pending"}}
	for _, r := range pending[:3] {
		ids.Add("id", fmt.Sprint(r.ID))
	}
	res, _ = a.post("/admin/events/forum/registrations/bulk", ids)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "status=pending") ||
		!strings.Contains(loc, "done=approved") || !strings.Contains(loc, "n=3") {
		t.Fatalf("bulk approve: %d %q", res.StatusCode, loc)
	}
	if n := len(ta.registrations(t, "forum", token, "status=confirmed")); n != 3 {
		t.Errorf("%d confirmed after approving 3", n)
	}
	_, page := a.get(res.Header.Get("Location"))
	if !strings.Contains(page, "3 registrations approved") {
		t.Error("the list does not say what was done")
	}
	ids.Set("action", "cancel")
	res, page = a.post("/admin/events/forum/registrations/bulk", ids)
	if res.StatusCode != 200 || !strings.Contains(page, "Cancel these 3 registrations?") {
		t.Fatalf("bulk cancel asks first: %d", res.StatusCode)
	}
	ids.Set("confirm", "yes")
	res, _ = a.post("/admin/events/forum/registrations/bulk", ids)
	if res.StatusCode != http.StatusSeeOther || len(ta.registrations(t, "forum", token, "status=cancelled")) != 3 {
		t.Errorf("bulk cancel: %d", res.StatusCode)
	}
	ids.Set("action", "export_csv")
	res, _ = a.post("/admin/events/forum/registrations/bulk", ids)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/admin/events/forum/attendees.csv?ids=") {
		t.Errorf("bulk export goes to %q", loc)
	}
	// Ids of another event's registrations are not touched.
	res, _ = a.post("/admin/events/forum/registrations/bulk", url.Values{"action": {"approve"}, "id": {"999999"}})
	if loc := res.Header.Get("Location"); !strings.Contains(loc, "n=0") {
		t.Errorf("an unknown id: %q", loc)
	}
}

// TestAdminOutbox: emails the mail server refused show as failed with its
// answer; sending them again delivers them.
func TestAdminOutbox(t *testing.T) {
	ta := startApp(t, true, smallForum("forum", nil, intp(40), true))
	ta.smtp.SetReject(550, "5.1.1 mailbox unavailable")
	for i := range 3 {
		if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(i, nil), nil); code != 201 {
			t.Fatalf("register: %d", code)
		}
	}
	ev, _ := ta.app.Store.GetEvent(context.Background(), "forum")
	waitUntil(t, 30*time.Second, func() bool { n, _ := ta.app.Store.FailedMail(context.Background(), ev); return n == 3 })
	a := newAdminClient(t, ta, "organiser")
	_, page := a.get("/admin/events/forum/outbox?status=failed")
	for _, want := range []string{"mailbox unavailable", "Send all 3 failed again", "3 emails could not be delivered"} {
		if !strings.Contains(page, want) {
			t.Errorf("the outbox does not show %q", want)
		}
	}
	ta.smtp.SetReject(0, "")
	entries, _, err := ta.app.Store.ListMail(context.Background(), ev, store.MailFilter{Status: "failed"})
	if err != nil || len(entries) != 3 {
		t.Fatal(err, len(entries))
	}
	res, _ := a.post(fmt.Sprintf("/admin/events/forum/outbox/%d/retry", entries[0].ID), nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("retry one: %d", res.StatusCode)
	}
	ta.smtp.WaitFor(t, 1, 30*time.Second)
	res, _ = a.post("/admin/events/forum/outbox/retry-failed", url.Values{"back": {"/admin/events/forum/outbox"}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "n=2") {
		t.Fatalf("retry all: %d %q", res.StatusCode, loc)
	}
	ta.smtp.WaitFor(t, 3, 30*time.Second)
	waitUntil(t, 30*time.Second, func() bool { n, _ := ta.app.Store.FailedMail(context.Background(), ev); return n == 0 })
}
