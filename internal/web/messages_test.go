package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/mailtest"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
)

// workshopMessage is a message to the maintenance workshop's attendees,
// written in English and German only.
var workshopMessage = map[string]any{
	"subject": map[string]string{"en": "Workshop moves to room B", "de": "Workshop zieht in Raum B um"},
	"body":    map[string]string{"en": "Dear guests,\n\nthe workshop moves to room B.", "de": "Liebe Gäste,\n\nder Workshop zieht in Raum B um."},
	"to":      map[string]any{"session": "ws-maintenance"},
}

func TestMessageToASessionsAttendees(t *testing.T) {
	ta := startApp(t, true, smallForum("forum", nil, intp(40), true))
	organiser := ta.token(t, "organiser")
	ws := []string{"ws-maintenance"}
	for i, p := range []map[string]any{
		person(1, map[string]any{"language": "en", "sessions": ws}),
		person(2, map[string]any{"language": "de", "sessions": ws}),
		person(3, map[string]any{"language": "zh", "sessions": ws}),
		person(4, map[string]any{"language": "de"}), // not in the workshop
	} {
		if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", p, nil); code != http.StatusCreated {
			t.Fatalf("register %d: %d", i, code)
		}
	}
	ta.smtp.WaitFor(t, 4, 20*time.Second)

	// The preview: who and how many, each language's email, nothing sent.
	var preview struct {
		Recipients int                       `json:"recipients"`
		ByLanguage map[string]int            `json:"by_language"`
		Missing    []string                  `json:"missing"`
		Previews   map[string]messagePreview `json:"previews"`
	}
	if code := ta.call(t, "POST", "/api/v1/events/forum/messages/preview", organiser, workshopMessage, &preview); code != http.StatusOK {
		t.Fatalf("preview: %d", code)
	}
	if preview.Recipients != 3 || preview.ByLanguage["de"] != 1 || strings.Join(preview.Missing, ",") != "zh" {
		t.Errorf("preview counts %+v", preview)
	}
	ev, _ := ta.app.Store.GetEvent(context.Background(), "forum")
	zh := preview.Previews["zh"]
	if zh.Language != ev.DefaultLanguage || preview.Previews["de"].Subject != "Workshop zieht in Raum B um" ||
		!strings.Contains(preview.Previews["en"].HTML, "the workshop moves to room B.") || strings.Contains(preview.Previews["en"].HTML, "/m/") &&
		!strings.Contains(preview.Previews["en"].HTML, "/m/preview") {
		t.Errorf("previews %+v", preview.Previews)
	}
	if got := len(ta.smtp.Messages()); got != 4 {
		t.Fatalf("the preview sent email: %d messages", got)
	}

	// Bad messages name the field, in the caller's language.
	var e apiError
	bad := map[string]any{"subject": map[string]string{}, "body": map[string]string{"en": "x"}, "to": map[string]any{"status": "cancelled"}}
	if code := ta.call(t, "POST", "/api/v1/events/forum/messages?lang=de", organiser, bad, &e); code != http.StatusUnprocessableEntity ||
		!strings.Contains(e.Error.Fields["subject"], "Sprache") || e.Error.Fields["to.status"] == "" {
		t.Errorf("bad message: %d %v", code, e.Error.Fields)
	}

	// Sent while the mail server is down, foyer restarted in between: each
	// attendee gets it once, in their language or the event's.
	ta.smtp.Stop()
	var sent struct{ ID, Recipients int64 }
	if code := ta.call(t, "POST", "/api/v1/events/forum/messages", organiser, workshopMessage, &sent); code != http.StatusAccepted || sent.Recipients != 3 {
		t.Fatalf("send: %d %+v", code, sent)
	}
	ta.restart(t)
	ta.smtp.Restart()
	msgs := ta.smtp.WaitFor(t, 7, 60*time.Second)
	subjects := map[string]string{}
	for _, m := range msgs[4:] {
		p, err := mailtest.Parse(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		subjects[p.To[0].Address] = p.Subject
		if strings.Contains(p.Structure, "image/png") {
			t.Errorf("a message carries the ticket: %s", p.Structure)
		}
	}
	want := map[string]string{
		"guest1@example.org": "Workshop moves to room B",
		"guest2@example.org": "Workshop zieht in Raum B um",
		"guest3@example.org": workshopMessage["subject"].(map[string]string)[ev.DefaultLanguage],
	}
	for to, subject := range want {
		if subjects[to] != subject {
			t.Errorf("%s got %q, want %q (all: %v)", to, subjects[to], subject, subjects)
		}
	}
	var list struct {
		Messages []store.SentMessage `json:"messages"`
	}
	waitUntil(t, 20*time.Second, func() bool {
		ta.call(t, "GET", "/api/v1/events/forum/messages", organiser, nil, &list)
		return len(list.Messages) == 1 && list.Messages[0].Sent == 3
	})
	if got := len(ta.smtp.Messages()); got != 7 {
		t.Errorf("%d emails, want 7", got)
	}
}

func TestReminderGoesOutOnceAcrossRestarts(t *testing.T) {
	e := smallForum("forum", nil, nil, true)
	// The reminder (two days before) falls due a few seconds from now.
	start := time.Now().Add(48*time.Hour + 3*time.Second)
	d := start.Sub(e.StartsAt.Time)
	e.Move(func(t time.Time) time.Time { return t.Add(d) })
	e.Registration.OpensAt = programme.Time{Time: time.Now().Add(-time.Hour)}
	ta := startApp(t, true, e)
	organiser := ta.token(t, "organiser")
	var cancelled struct{ ID int64 }
	ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(1, map[string]any{"language": "de"}), nil)
	ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(2, nil), &cancelled)
	ta.call(t, "POST", "/api/v1/registrations/"+itoa(cancelled.ID)+"/cancel", organiser, nil, nil)
	ta.smtp.WaitFor(t, 3, 20*time.Second)

	time.Sleep(time.Until(start.Add(-48 * time.Hour)))
	ta.restart(t) // the worker looks for due reminders as it starts
	msgs := ta.smtp.WaitFor(t, 4, 20*time.Second)
	p, err := mailtest.Parse(msgs[3].Data)
	if err != nil {
		t.Fatal(err)
	}
	if p.To[0].Address != "guest1@example.org" || !strings.HasPrefix(p.Subject, "Erinnerung:") || p.ByContentID("ticket") == nil {
		t.Errorf("reminder to %s: %q %s", p.To[0].Address, p.Subject, p.Structure)
	}
	ta.restart(t)
	if n, err := ta.app.Store.QueueReminders(context.Background(), time.Now()); err != nil || n != 0 {
		t.Errorf("reminders queued again: %d %v", n, err)
	}
	if got := len(ta.smtp.Messages()); got != 4 {
		t.Errorf("%d emails after another restart, want 4", got)
	}
}
