package programme

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestValidateOneLineAndDates: one-line fields refuse line breaks in every
// language; long texts keep theirs; sessions lie within the event's dates.
func TestValidateOneLineAndDates(t *testing.T) {
	demo := func() *Event { return Demo(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) }
	if err := demo().Validate(); err != nil {
		t.Fatalf("the demo is not valid: %v", err)
	}
	cases := []struct {
		name   string
		change func(e *Event)
		where  string // "" when valid
	}{
		{"session title with a line break", func(e *Event) { e.Sessions[1].Title["de"] = "Digitale\nZwillinge" }, `.title.de`},
		{"session title with CR LF", func(e *Event) { e.Sessions[1].Title["en"] = "Digital\r\ntwins" }, `.title.en`},
		{"session title with a line separator", func(e *Event) { e.Sessions[1].Title["zh"] = "数字\u2028孪生" }, `.title.zh`},
		{"event title", func(e *Event) { e.Title["en"] = "Forum\n2027" }, `title.en`},
		{"subtitle", func(e *Event) { e.Subtitle["en"] = "a\u0085b" }, `subtitle.en`},
		{"venue name", func(e *Event) { e.Venue.Name = Text{"en": "Hall\n1"} }, `venue.name.en`},
		{"room name", func(e *Event) { e.Rooms[0].Name["de"] = "Saal\t1" }, `.name.de`},
		{"speaker organisation", func(e *Event) { e.Speakers[0].Organisation = Text{"en": "Fraunhofer\nIFF"} }, `.organisation.en`},
		{"speaker name", func(e *Event) { e.Speakers[0].Name = "Anna\nBeispiel" }, `.name`},
		{"track", func(e *Event) { e.Sessions[1].Track = Text{"en": "plen\nary"} }, `.track.en`},
		{"question label", func(e *Event) { e.Questions[0].Label["en"] = "Your\nindustry" }, `.label.en`},
		{"abstract keeps its paragraphs", func(e *Event) { e.Sessions[1].Abstract["en"] = "First.\n\nSecond." }, ""},
		{"description keeps its paragraphs", func(e *Event) { e.Description["de"] = "Eins.\nZwei." }, ""},
		{"session before the event", func(e *Event) {
			e.Sessions[0].StartsAt = Time{Time: e.StartsAt.Add(-time.Hour)}
		}, `.starts_at`},
		{"session after the event", func(e *Event) {
			last := len(e.Sessions) - 1
			e.Sessions[last].EndsAt = Time{Time: e.EndsAt.Add(time.Minute)}
		}, `.ends_at`},
		{"session on another day", func(e *Event) {
			e.Sessions[2].StartsAt = Time{Time: e.Sessions[2].StartsAt.AddDate(0, 0, 1)}
			e.Sessions[2].EndsAt = Time{Time: e.Sessions[2].EndsAt.AddDate(0, 0, 1)}
		}, `.ends_at`},
		{"session exactly at the edges", func(e *Event) {
			e.Sessions[0].StartsAt = e.StartsAt
			e.Sessions[len(e.Sessions)-1].EndsAt = e.EndsAt
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := demo()
			tc.change(e)
			err := e.Validate()
			if tc.where == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("accepted; want a problem at …%s", tc.where)
			}
			found := false
			for _, p := range pe.Problems {
				found = found || strings.HasSuffix(p.Where, tc.where)
			}
			if !found {
				t.Errorf("problems %v, want one at …%s", pe.Problems, tc.where)
			}
		})
	}
}
