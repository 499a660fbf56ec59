package registration

import (
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/programme"
)

func TestEmailKey(t *testing.T) {
	same := [][2]string{
		{"ZHANG.Wei@Example.CN", "zhang.wei@example.cn"},
		{"zoe@example.se", " zoe@example.se "},
		{"zo\u00eb@example.se", "zoe\u0308@example.se"}, // composed and decomposed ë
		{"STRASSE@example.de", "strasse@example.de"},
	}
	for _, p := range same {
		if EmailKey(p[0]) != EmailKey(p[1]) {
			t.Errorf("EmailKey(%q) = %q, EmailKey(%q) = %q: want equal", p[0], EmailKey(p[0]), p[1], EmailKey(p[1]))
		}
	}
	if EmailKey("anna@example.org") == EmailKey("anne@example.org") {
		t.Error("different addresses compare equal")
	}
}

func valid() Input {
	return Input{FirstName: "Anna", LastName: "Schmidt", Email: "anna@example.de", Country: "de", Language: "de",
		Consent: true, Answers: map[string]any{"industry": "research"}}
}

func TestValidate(t *testing.T) {
	e := programme.Demo(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	cases := []struct {
		name   string
		change func(*Input)
		field  string // "" when the input is valid
	}{
		{"valid", func(*Input) {}, ""},
		{"Chinese name", func(in *Input) { in.FirstName, in.LastName = "芳", "王" }, ""},
		{"apostrophe and comma", func(in *Input) { in.LastName = "O'Brien, Jr." }, ""},
		{"missing first name", func(in *Input) { in.FirstName = "  " }, "first_name"},
		{"tag in name", func(in *Input) { in.LastName = "<b>x</b>" }, "last_name"},
		{"too long", func(in *Input) { in.Organisation = strings.Repeat("L", 201) }, "organisation"},
		{"line break", func(in *Input) { in.JobTitle = "Head of\nThings" }, "job_title"},
		{"tab", func(in *Input) { in.JobTitle = "\tTabbed" }, "job_title"},
		{"line separator", func(in *Input) { in.Organisation = "Werk\u2028Halle" }, "organisation"},
		{"C1 control", func(in *Input) { in.FirstName = "An\u0085na" }, "first_name"},
		{"no at", func(in *Input) { in.Email = "anna.example.de" }, "email"},
		{"display name", func(in *Input) { in.Email = "Anna <anna@example.de>" }, "email"},
		{"no dot in domain", func(in *Input) { in.Email = "anna@localhost" }, "email"},
		{"country", func(in *Input) { in.Country = "XX" }, "country"},
		{"language", func(in *Input) { in.Language = "fr" }, "language"},
		{"consent", func(in *Input) { in.Consent = false }, "consent"},
		{"unknown session", func(in *Input) { in.Sessions = []string{"nope"} }, "sessions"},
		{"session without sign-up", func(in *Input) { in.Sessions = []string{"lunch"} }, "sessions"},
		{"overlapping sessions", func(in *Input) { in.Sessions = []string{"ws-maintenance", "ws-investment"} }, "sessions"},
		{"required choice", func(in *Input) { in.Answers = map[string]any{} }, "answers.industry"},
		{"unknown option", func(in *Input) { in.Answers["industry"] = "mining" }, "answers.industry"},
		{"multichoice list", func(in *Input) { in.Answers["interpretation"] = []any{"de-zh", "en-zh"} }, ""},
		{"multichoice bad option", func(in *Input) { in.Answers["interpretation"] = []any{"fr-zh"} }, "answers.interpretation"},
		{"yes/no as text", func(in *Input) { in.Answers["b2b"] = "yes" }, ""},
		{"yes/no as number", func(in *Input) { in.Answers["b2b"] = 3.0 }, "answers.b2b"},
		{"unknown question", func(in *Input) { in.Answers["shoe_size"] = "42" }, "answers.shoe_size"},
		{"long text answer", func(in *Input) { in.Answers["dietary"] = strings.Repeat("v", 2001) }, "answers.dietary"},
		{"multi-line text answer", func(in *Input) { in.Answers["dietary"] = "vegetarian\nno nuts" }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := valid()
			in.Answers = map[string]any{"industry": "research"}
			tc.change(&in)
			out, errs := Validate(in, e, "en")
			switch {
			case tc.field == "" && errs != nil:
				t.Errorf("refused: %v", errs)
			case tc.field != "" && errs[tc.field].Key == "":
				t.Errorf("no message for %s: %v", tc.field, errs)
			case tc.field != "" && len(errs) != 1:
				t.Errorf("messages for other fields too: %v", errs)
			}
			if tc.field == "" && out.Country != "DE" {
				t.Errorf("country %q, want DE", out.Country)
			}
		})
	}
	// Every message is a catalogue key that all three languages have, with
	// the arguments its text expects.
	in := valid()
	in.Consent, in.Organisation, in.Sessions = false, strings.Repeat("L", 201), []string{"ws-maintenance", "ws-investment"}
	_, errs := Validate(in, e, "de")
	if len(errs) != 3 {
		t.Fatalf("want three messages: %v", errs)
	}
	for field, m := range errs {
		for _, lang := range languages.All {
			if !i18n.Has(lang, m.Key) {
				t.Errorf("%s: %s has no %q", field, lang, m.Key)
			}
			if text := i18n.T(lang, m.Key, m.Args...); strings.Contains(text, "%!") {
				t.Errorf("%s: %s text %q does not take the arguments %v", field, lang, text, m.Args)
			}
		}
	}
	if got := errs["sessions"].Args; len(got) != 2 || got[0] != "Workshop: Investieren in chinesischen Industrieparks" {
		t.Errorf("overlap names the sessions in the form's language: %v", got)
	}
}

func TestOpen(t *testing.T) {
	e := programme.Demo(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	opens, closes := e.Registration.OpensAt.Time, e.Registration.ClosesAt.Time
	cases := []struct {
		name   string
		change func(*programme.Event)
		at     time.Time
		want   bool
	}{
		{"inside the window", nil, opens.Add(time.Hour), true},
		{"at the opening", nil, opens, true},
		{"before the opening", nil, opens.Add(-time.Second), false},
		{"at the closing", nil, closes, false},
		{"draft", func(e *programme.Event) { e.Status = "draft" }, opens.Add(time.Hour), false},
		{"no window, before the end", func(e *programme.Event) {
			e.Registration.OpensAt, e.Registration.ClosesAt = programme.Time{}, programme.Time{}
		}, e.EndsAt.Add(-time.Minute), true},
		{"no window, after the end", func(e *programme.Event) {
			e.Registration.OpensAt, e.Registration.ClosesAt = programme.Time{}, programme.Time{}
		}, e.EndsAt.Time, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := *e
			if tc.change != nil {
				tc.change(&c)
			}
			if got := Open(&c, tc.at); got != tc.want {
				t.Errorf("Open at %v = %v, want %v", tc.at, got, tc.want)
			}
		})
	}
}
