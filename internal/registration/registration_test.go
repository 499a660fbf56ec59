package registration

import (
	"strings"
	"testing"
	"time"

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
			case tc.field != "" && errs[tc.field] == "":
				t.Errorf("no message for %s: %v", tc.field, errs)
			case tc.field != "" && len(errs) != 1:
				t.Errorf("messages for other fields too: %v", errs)
			}
			if tc.field == "" && out.Country != "DE" {
				t.Errorf("country %q, want DE", out.Country)
			}
		})
	}
	// Messages are in the language asked for.
	in := valid()
	in.Consent = false
	if _, errs := Validate(in, e, "zh"); !strings.Contains(errs["consent"], "隐私") {
		t.Errorf("Chinese consent message = %q", errs["consent"])
	}
}
