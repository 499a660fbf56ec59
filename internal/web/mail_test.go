package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/mailtest"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/ticket"
)

var manageLink = regexp.MustCompile(`http://foyer\.test(/m/[A-Za-z0-9_-]+)`)

// TestConfirmationEmail registers over the API and takes the email that
// reaches a real SMTP server apart: parts, language, the QR code and its
// signature, the calendar invite and the manage link.
func TestConfirmationEmail(t *testing.T) {
	ta := startApp(t, true, smallForum("forum", nil, intp(40), true))
	var reg apiRegistration
	body := person(1, map[string]any{"first_name": "芳", "last_name": "王", "language": "zh", "sessions": []string{"ws-maintenance"}})
	if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", body, &reg); code != 201 {
		t.Fatalf("register: %d", code)
	}
	msgs := ta.smtp.WaitFor(t, 1, 20*time.Second)
	m, err := msgs[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].To[0] != "guest1@example.org" {
		t.Errorf("sent to %v", msgs[0].To)
	}
	if !strings.Contains(m.Subject, "您的入场券") || !strings.Contains(m.Subject, "中德智能制造论坛") {
		t.Errorf("subject = %q, want Chinese", m.Subject)
	}
	if m.From == nil || m.From.Name != "2027 中德智能制造论坛" || m.From.Address != "foyer@localhost" {
		t.Errorf("From = %+v, want the event's Chinese title as the name", m.From)
	}
	if m.Header.Get("Content-Language") != "zh" {
		t.Errorf("Content-Language = %q", m.Header.Get("Content-Language"))
	}
	for _, body := range []string{m.Text, m.HTML} {
		for _, want := range []string{"王", "专题研讨：基于工业人工智能的预测性维护", "http://foyer.test/m/"} {
			if !strings.Contains(body, want) {
				t.Errorf("body lacks %q", want)
			}
		}
	}
	if !strings.Contains(m.HTML, `src="cid:ticket"`) {
		t.Error("HTML does not show the inline QR")
	}
	inline := m.ByContentID("ticket")
	if inline == nil || inline.ContentType != "image/png" {
		t.Fatalf("no inline PNG with Content-ID ticket; structure %s", m.Structure)
	}
	var attachedPNG, ics bool
	for _, p := range m.Attachments() {
		attachedPNG = attachedPNG || (p.ContentType == "image/png" && p.Disposition == "attachment")
		if p.ContentType == "text/calendar" {
			ics = strings.Contains(string(p.Data), "BEGIN:VEVENT") && strings.Contains(string(p.Data), "TZID=Europe/Berlin")
		}
	}
	if !attachedPNG || !ics {
		t.Errorf("PNG attachment %v, ics invite %v; structure %s", attachedPNG, ics, m.Structure)
	}

	// The QR holds the ticket code and nothing else, and it verifies with the
	// event's public key alone.
	code, err := mailtest.DecodeQR(inline.Data)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := ta.app.Store.GetEvent(context.Background(), "forum")
	if err != nil {
		t.Fatal(err)
	}
	claims, err := ticket.Verify(ev.TicketPublicKey, code)
	if err != nil {
		t.Fatalf("QR code %q does not verify: %v", code, err)
	}
	if claims.RegistrationID != reg.ID || claims.EventID != ev.ID {
		t.Errorf("claims %+v, want registration %d of event %d", claims, reg.ID, ev.ID)
	}
	for _, personal := range []string{"guest1", "王", "Example"} {
		if strings.Contains(code, personal) {
			t.Errorf("ticket code contains personal data %q", personal)
		}
	}
	link := manageLink.FindStringSubmatch(m.Text)
	if link == nil {
		t.Fatal("no manage link in the text")
	}
	if strings.Contains(link[1], code) {
		t.Error("the manage link contains the ticket code")
	}
}

// TestMailSurvivesOutageAndRestart registers while SMTP is down, restarts
// foyer, brings SMTP back: every email arrives, once.
func TestMailSurvivesOutageAndRestart(t *testing.T) {
	ta := startApp(t, true, smallForum("forum", nil, nil, true))
	ta.smtp.Stop()
	const n = 12
	for i := range n {
		if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(i, nil), nil); code != 201 {
			t.Fatalf("register %d: %d", i, code)
		}
	}
	// Wait until the worker has tried and failed at least once for each.
	waitUntil(t, 20*time.Second, func() bool {
		var n int
		ta.app.Store.QueryRowForTest("SELECT count(*) FROM outbox WHERE attempts > 0 AND status = 'queued'", &n)
		return n == 12
	})
	ta.restart(t)
	ta.smtp.Restart()
	msgs := ta.smtp.WaitFor(t, n, 60*time.Second)
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.To[0]]++
	}
	for i := range n {
		if addr := fmt.Sprintf("guest%d@example.org", i); seen[addr] != 1 {
			t.Errorf("%s received %d emails, want 1", addr, seen[addr])
		}
	}
	// Nothing more arrives: the worker has nothing left.
	waitUntil(t, 10*time.Second, func() bool {
		var sent int
		ta.app.Store.QueryRowForTest("SELECT count(*) FROM outbox WHERE status = 'sent'", &sent)
		return sent == n
	})
	if got := len(ta.smtp.Messages()); got != n {
		t.Errorf("%d messages in all, want %d", got, n)
	}
}

// TestMailSurvivesDroppedConnections: an SMTP server that resets the
// connection in the middle of DATA costs attempts, not the server (go-mail
// used to panic there, taking foyer down at every retry); once the fault
// clears every email arrives, once.
func TestMailSurvivesDroppedConnections(t *testing.T) {
	ta := startApp(t, true, smallForum("forum", nil, nil, true))
	ta.smtp.DropData(1024)
	const n = 5
	for i := range n {
		if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(i, nil), nil); code != 201 {
			t.Fatalf("register %d: %d", i, code)
		}
	}
	waitUntil(t, 20*time.Second, func() bool { return ta.smtp.Dropped() >= 2*n })
	if code := ta.call(t, "GET", "/healthz", "", nil, nil); code != 200 {
		t.Fatalf("healthz during the fault: %d", code)
	}
	ta.smtp.DropData(0)
	msgs := ta.smtp.WaitFor(t, n, 60*time.Second)
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.To[0]]++
	}
	for i := range n {
		if addr := fmt.Sprintf("guest%d@example.org", i); seen[addr] != 1 {
			t.Errorf("%s received %d emails, want 1", addr, seen[addr])
		}
	}
}

// TestPermanentFailureIsShown marks a 5xx-rejected email failed, shows it to
// organisers, and sends it on resend once the server accepts.
func TestPermanentFailureIsShown(t *testing.T) {
	ta := startApp(t, true, smallForum("forum", nil, nil, true))
	org := ta.token(t, store.RoleOrganiser)
	ta.smtp.SetReject(550, "mailbox unavailable")
	var reg apiRegistration
	ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(1, nil), &reg)
	var got struct {
		Mail struct{ Status, Error string } `json:"mail"`
	}
	waitUntil(t, 20*time.Second, func() bool {
		ta.call(t, "GET", fmt.Sprintf("/api/v1/registrations/%d", reg.ID), org, nil, &got)
		return got.Mail.Status == "failed"
	})
	if !strings.Contains(got.Mail.Error, "550") {
		t.Errorf("mail error = %q", got.Mail.Error)
	}
	ta.smtp.SetReject(0, "")
	ta.call(t, "POST", fmt.Sprintf("/api/v1/registrations/%d/resend", reg.ID), org, nil, nil)
	ta.smtp.WaitFor(t, 1, 20*time.Second)
}

func waitUntil(t *testing.T, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", timeout)
		}
		<-tick.C
	}
}

// browserish is an HTTP client with cookies, as a browser has.
func browserish(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// submitForm GETs a page, then POSTs form values to action with its CSRF token.
func submitForm(t *testing.T, c *http.Client, base, page, action string, values url.Values) (*http.Response, string) {
	t.Helper()
	res, err := c.Get(base + page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		t.Fatalf("%s has no _csrf field", page)
	}
	values.Set("_csrf", string(m[1]))
	res, err = c.PostForm(base+action, values)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(data)
}

// TestTrickyAttendees registers every row of the shared tricky CSV through
// the form: each one either registers and comes back unchanged (escaped) on
// the manage page and in the email, or is refused with a message next to a
// field. Never a 500.
func TestTrickyAttendees(t *testing.T) {
	f, err := os.Open("../../../shared/fixtures/attendees-tricky.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	ta := startApp(t, true, smallForum("forum", nil, nil, true))
	header := rows[0]
	registered := map[string][]string{} // email -> row
	var refused int
	for _, row := range rows[1:] {
		values := url.Values{"consent": {"yes"}, "q.industry": {"research"}}
		for i, col := range header {
			values.Set(col, row[i])
		}
		c := browserish(t)
		res, body := submitForm(t, c, ta.srv.URL, "/events/forum/register", "/events/forum/register", values)
		switch res.StatusCode {
		case http.StatusOK: // followed the redirect to the confirmation page
			if !strings.HasSuffix(res.Request.URL.Path, "/registered") {
				t.Errorf("%s: ended on %s", row[2], res.Request.URL)
			}
			registered[strings.ToLower(row[2])] = row
		case http.StatusUnprocessableEntity:
			refused++
			if !strings.Contains(body, `class="field-error"`) {
				t.Errorf("%s refused without a field message", row[2])
			}
			// The input is kept in the form, escaped.
			if v := html.EscapeString(row[2]); !strings.Contains(body, `value="`+v+`"`) && row[2] != "" {
				t.Errorf("%s: email not kept in the form", row[2])
			}
		default:
			t.Errorf("%s: status %d", row[2], res.StatusCode)
		}
	}
	if len(registered) < 8 || refused < 3 {
		t.Errorf("%d registered, %d refused: the fixture should produce both", len(registered), refused)
	}
	// The same email in other case registered once.
	msgs := ta.smtp.WaitFor(t, len(registered)+1, 30*time.Second) // +1: the repeat resends
	for _, m := range msgs {
		p, err := m.Parse()
		if err != nil {
			t.Fatal(err)
		}
		row := registered[strings.ToLower(m.To[0])]
		if row == nil {
			t.Errorf("email to %s, who did not register", m.To[0])
			continue
		}
		if strings.EqualFold(row[2], "zhang.wei@example.cn") {
			continue // the first spelling's data is the one kept
		}
		for _, v := range row[:2] {
			if !strings.Contains(p.Text, v) {
				t.Errorf("text email to %s lacks %q", m.To[0], v)
			}
			if !strings.Contains(html.UnescapeString(p.HTML), v) || strings.Contains(p.HTML, "<script>") {
				t.Errorf("HTML email to %s lacks %q escaped", m.To[0], v)
			}
		}
		link := manageLink.FindStringSubmatch(p.Text)
		if link == nil {
			t.Fatalf("no manage link to %s", m.To[0])
		}
		res, err := http.Get(ta.srv.URL + link[1])
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		// html/template escapes more than html.EscapeString (+ as &#43;),
		// so compare the text as a browser shows it.
		for _, v := range row[:5] {
			if v != "" && !strings.Contains(html.UnescapeString(string(page)), v) {
				t.Errorf("manage page of %s lacks %q", m.To[0], v)
			}
		}
		if strings.Contains(string(page), "<script>") {
			t.Errorf("manage page of %s contains a raw script tag", m.To[0])
		}
	}
}

// TestManagePage changes sessions and cancels through the private link, and
// checks that the ticket stops working.
func TestManagePage(t *testing.T) {
	ta := startApp(t, true, smallForum("forum", nil, intp(1), true))
	c := browserish(t)
	values := url.Values{"first_name": {"Anna"}, "last_name": {"Schmidt"}, "email": {"anna@example.de"}, "language": {"de"},
		"consent": {"yes"}, "q.industry": {"research"}, "sessions": {"ws-maintenance"}, "country": {"DE"}}
	res, _ := submitForm(t, c, ta.srv.URL, "/events/forum/register?lang=de", "/events/forum/register", values)
	if res.StatusCode != 200 {
		t.Fatalf("register: %d", res.StatusCode)
	}
	p, err := ta.smtp.WaitFor(t, 1, 20*time.Second)[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	link := manageLink.FindStringSubmatch(p.Text)[1]
	res, page := get(t, c, ta.srv.URL+link)
	for _, want := range []string{"Bestätigt", "Anna", "ticket.png", "Vorausschauende Wartung", "Deutschland"} {
		if !strings.Contains(page, want) {
			t.Errorf("manage page lacks %q", want)
		}
	}
	if res.Header.Get("Referrer-Policy") != "no-referrer" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("manage page headers: %v", res.Header)
	}
	if res, _ := get(t, c, ta.srv.URL+link+"/ticket.png"); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		t.Errorf("ticket.png: %d", res.StatusCode)
	}
	if _, ics := get(t, c, ta.srv.URL+link+"/event.ics"); !strings.Contains(ics, "BEGIN:VCALENDAR") {
		t.Error("event.ics is not a calendar")
	}

	// Give up the workshop seat, then cancel (after confirming).
	res, page = submitForm(t, c, ta.srv.URL, link, link+"/sessions", url.Values{})
	if res.StatusCode != 200 || !strings.Contains(page, "Auswahl wurde gespeichert") {
		t.Errorf("session change: %d", res.StatusCode)
	}
	res, page = submitForm(t, c, ta.srv.URL, link, link+"/cancel", url.Values{})
	if !strings.Contains(page, "wirklich stornieren") {
		t.Error("cancel did not ask for confirmation")
	}
	res, page = submitForm(t, c, ta.srv.URL, link, link+"/cancel", url.Values{"confirm": {"yes"}})
	if res.StatusCode != 200 || !strings.Contains(page, "Storniert") {
		t.Errorf("cancel: %d", res.StatusCode)
	}
	if res, _ := get(t, c, ta.srv.URL+link+"/ticket.png"); res.StatusCode != 404 {
		t.Errorf("ticket.png after cancelling: %d, want 404", res.StatusCode)
	}
	msgs := ta.smtp.WaitFor(t, 2, 20*time.Second)
	if p, _ := msgs[1].Parse(); !strings.Contains(p.Subject, "storniert") {
		t.Errorf("second email: %q", p.Subject)
	}

	// A POST without the CSRF token is refused.
	values.Del("_csrf")
	res, err = c.PostForm(ta.srv.URL+"/events/forum/register", values)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "Das Formular ist abgelaufen") {
		t.Errorf("form without CSRF token: %d, want 403 with the German explanation", res.StatusCode)
	}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(data)
}

// TestEveryMailKind walks a registration through each status and checks the
// email each change sends: its subject in the attendee's language, and the
// QR ticket only where the place is confirmed.
func TestEveryMailKind(t *testing.T) {
	e := smallForum("forum", intp(1), nil, true)
	e.Registration.Mode = "approval"
	ta := startApp(t, true, e)
	org := ta.token(t, store.RoleOrganiser)
	register := func(n int) int64 {
		var r apiRegistration
		if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(n, map[string]any{"language": "de"}), &r); code != 201 {
			t.Fatalf("register %d: %d", n, code)
		}
		return r.ID
	}
	act := func(id int64, action string) {
		if code := ta.call(t, "POST", fmt.Sprintf("/api/v1/registrations/%d/%s", id, action), org, nil, nil); code != 200 {
			t.Fatalf("%s %d: %d", action, id, code)
		}
	}
	type email struct {
		to      int // guest number
		subject string
		ticket  bool
	}
	steps := []struct {
		do     func()
		emails []email // in any order: the worker sends in parallel
	}{
		{func() { register(1) }, []email{{1, "Anmeldung eingegangen", false}}},
		{func() { act(1, "approve") }, []email{{1, "Anmeldung bestätigt – Ihr Ticket", true}}},
		{func() { register(2) }, []email{{2, "Anmeldung eingegangen", false}}},
		{func() { act(2, "approve") }, []email{{2, "Auf der Warteliste", false}}}, // the one place is taken
		{func() { register(3) }, []email{{3, "Anmeldung eingegangen", false}}},
		{func() { act(3, "reject") }, []email{{3, "Ihre Anmeldung", false}}},
		// Cancelling frees the place for the guest waiting.
		{func() { act(1, "cancel") }, []email{{1, "Anmeldung storniert", false}, {2, "Ein Platz für Sie", true}}},
		{func() { act(2, "resend") }, []email{{2, "Ihr Ticket", true}}},
	}
	sent := 0
	for i, s := range steps {
		s.do()
		msgs := ta.smtp.WaitFor(t, sent+len(s.emails), 20*time.Second)[sent:]
		sent += len(s.emails)
		byTo := map[string]*mailtest.Parsed{}
		for _, m := range msgs {
			p, err := m.Parse()
			if err != nil {
				t.Fatal(err)
			}
			byTo[m.To[0]] = p
		}
		for _, want := range s.emails {
			p := byTo[fmt.Sprintf("guest%d@example.org", want.to)]
			if p == nil {
				t.Errorf("step %d: no email to guest %d", i+1, want.to)
				continue
			}
			if !strings.HasPrefix(p.Subject, want.subject) {
				t.Errorf("step %d: subject %q, want %q…", i+1, p.Subject, want.subject)
			}
			if got := p.ByContentID("ticket") != nil; got != want.ticket {
				t.Errorf("step %d (%s): QR ticket attached %v, want %v", i+1, want.subject, got, want.ticket)
			}
			if p.Text == "" || p.HTML == "" {
				t.Errorf("step %d: text or HTML part missing (%s)", i+1, p.Structure)
			}
		}
	}
}
