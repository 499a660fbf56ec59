package message

import (
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/programme"
)

func TestLanguageFor(t *testing.T) {
	m := &Message{Subject: programme.Text{"de": "Hallo", "en": "Hello"}, Body: programme.Text{"de": "Text", "en": "Text", "zh": "正文"}}
	for _, tc := range []struct{ lang, def, want string }{
		{"de", "en", "de"},
		{"zh", "de", "de"}, // no Chinese subject: the event's language
		{"zh", "zh", "en"}, // nor the event's: the first that has both
	} {
		if got := m.LanguageFor(tc.lang, tc.def); got != tc.want {
			t.Errorf("LanguageFor(%s, %s) = %s, want %s", tc.lang, tc.def, got, tc.want)
		}
	}
	if got := strings.Join(m.Missing(), ","); got != "zh" {
		t.Errorf("missing %s", got)
	}
}

func TestValidate(t *testing.T) {
	e := programme.Demo(time.Now())
	ok := &Message{Subject: programme.Text{"en": "Doors open at 8"}, Body: programme.Text{"en": "Line one\n\nLine two"}}
	if errs := ok.Validate(e); errs != nil {
		t.Fatalf("a good message: %v", errs)
	}
	bad := &Message{Subject: programme.Text{"en": "Two\nlines", "fr": "Bonjour"}, Body: programme.Text{"de": strings.Repeat("x", MaxBody+1)},
		To: Audience{Status: "cancelled", Session: "nope"}}
	errs := bad.Validate(e)
	for _, field := range []string{"subject", "subject.en", "body.de", "to.status", "to.session"} {
		if _, ok := errs[field]; !ok && !(field == "subject" && errs["subject.en"].Key != "") {
			t.Errorf("no problem at %s: %v", field, errs)
		}
	}
	empty := &Message{}
	if errs := empty.Validate(e); errs["subject"].Key != "message.error.required" || errs["body"].Key != "message.error.required" {
		t.Errorf("empty message: %v", errs)
	}
}
