package outbox

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/mailtest"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/ticket"
)

var manageLink = regexp.MustCompile(`http://foyer\.test(/m/[A-Za-z0-9_-]+)`)

// TestConfirmationEmail registers and takes the email that reaches a real
// SMTP server apart: parts, language, the QR code and its signature, the
// calendar invite and the manage link.
func TestConfirmationEmail(t *testing.T) {
	to := startOutbox(t, forum(nil))
	in := guest(1, "zh")
	in.FirstName, in.LastName, in.Sessions = "芳", "王", []string{"ws-maintenance"}
	reg := to.register(t, "forum", in)
	msgs := to.smtp.WaitFor(t, 1, 20*time.Second)
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
	ev := to.event(t, "forum")
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

// TestEveryMailKind walks a registration through each status and checks the
// email each change sends: its subject in the attendee's language, and the
// QR ticket only where the place is confirmed.
func TestEveryMailKind(t *testing.T) {
	e := forum(intp(1))
	e.Registration.Mode = "approval"
	to := startOutbox(t, e)
	ctx := context.Background()
	ev := to.event(t, "forum")
	ids := map[int]int64{}
	register := func(n int) { ids[n] = to.register(t, "forum", guest(n, "de")).ID }
	act := func(n int, change func(context.Context, int64) error) func() {
		return func() {
			if err := change(ctx, ids[n]); err != nil {
				t.Fatalf("guest %d: %v", n, err)
			}
		}
	}
	withEvent := func(change func(context.Context, *store.Event, int64) error) func(context.Context, int64) error {
		return func(ctx context.Context, id int64) error { return change(ctx, ev, id) }
	}
	st := to.store
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
		{act(1, withEvent(st.Approve)), []email{{1, "Anmeldung freigegeben – Ihr Ticket", true}}},
		{func() { register(2) }, []email{{2, "Anmeldung eingegangen", false}}},
		{act(2, withEvent(st.Approve)), []email{{2, "Auf der Warteliste", false}}}, // the one place is taken
		{func() { register(3) }, []email{{3, "Anmeldung eingegangen", false}}},
		{act(3, withEvent(st.Reject)), []email{{3, "Ihre Anmeldung", false}}},
		// Cancelling frees the place for the guest waiting.
		{act(1, withEvent(st.Cancel)), []email{{1, "Anmeldung storniert", false}, {2, "Ein Platz für Sie", true}}},
		{act(2, st.Resend), []email{{2, "Ihr Ticket", true}}},
	}
	sent := 0
	for i, s := range steps {
		s.do()
		msgs := to.smtp.WaitFor(t, sent+len(s.emails), 20*time.Second)[sent:]
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
			if !strings.Contains(p.Text, "\n-- \n") {
				t.Errorf("step %d (%s): the text part has no signature separator \"-- \"", i+1, want.subject)
			}
		}
	}
}
