package export

import (
	"strings"
	"time"

	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
)

// columnMaker builds the columns a list can have, headers in its language.
type columnMaker struct{ l *List }

func (c columnMaker) t(key string, args ...any) string { return c.l.t(key, args...) }

func (c columnMaker) textColumn(key string, width float64, value func(*registration.Registration) string) Column {
	return Column{Key: key, Header: c.t("export.col." + key), Width: width, kind: textCell, text: value}
}

func (c columnMaker) id() Column {
	return Column{Key: "id", Header: c.t("export.col.id"), Width: 8, kind: numberCell,
		number: func(r *registration.Registration) int64 { return r.ID }}
}

func (c columnMaker) status() Column {
	return c.textColumn("status", 16, func(r *registration.Registration) string { return c.t("status." + r.Status) })
}

func (c columnMaker) kind() Column {
	return c.textColumn("kind", 12, func(r *registration.Registration) string { return c.t("kind." + r.Kind) })
}

// names are the name as it is printed (in its culture's order), then the
// family and given names apart, which is how Excel users sort and merge.
func (c columnMaker) names() []Column {
	return []Column{
		c.textColumn("name", 26, func(r *registration.Registration) string { return r.FullName() }),
		c.textColumn("last_name", 18, func(r *registration.Registration) string { return r.LastName }),
		c.textColumn("first_name", 18, func(r *registration.Registration) string { return r.FirstName }),
	}
}

// address is the form of address and the academic title, as German
// letters and badges use them.
func (c columnMaker) address() []Column {
	return []Column{
		c.textColumn("salutation", 10, func(r *registration.Registration) string {
			if r.Salutation == "" {
				return ""
			}
			return c.t("salutation." + r.Salutation)
		}),
		c.textColumn("title", 10, func(r *registration.Registration) string {
			if r.Title == "" {
				return ""
			}
			return c.t("name.title." + r.Title)
		}),
	}
}

func (c columnMaker) email() Column {
	return c.textColumn("email", 30, func(r *registration.Registration) string { return r.Email })
}

func (c columnMaker) organisation() Column {
	return c.textColumn("organisation", 30, func(r *registration.Registration) string { return r.Organisation })
}

func (c columnMaker) jobTitle() Column {
	return c.textColumn("job_title", 22, func(r *registration.Registration) string { return r.JobTitle })
}

func (c columnMaker) country() Column {
	lang := c.l.Lang
	return c.textColumn("country", 18, func(r *registration.Registration) string {
		if r.Country == "" {
			return ""
		}
		return registration.CountryName(lang, r.Country)
	})
}

func (c columnMaker) countryCode() Column {
	return c.textColumn("country_code", 8, func(r *registration.Registration) string { return r.Country })
}

func (c columnMaker) language() Column {
	return c.textColumn("language", 12, func(r *registration.Registration) string { return c.t("export.language." + r.Language) })
}

func (c columnMaker) ticketCode() Column {
	return c.textColumn("ticket_code", 40, func(r *registration.Registration) string { return r.TicketCode })
}

func (c columnMaker) registeredAt() Column {
	return Column{Key: "registered_at", Header: c.t("export.col.registered_at"), Width: 17, kind: timeCell,
		time: func(r *registration.Registration) time.Time { return r.CreatedAt }}
}

func (c columnMaker) checkedInAt() Column {
	return Column{Key: "checked_in_at", Header: c.t("export.col.checked_in_at"), Width: 17, kind: timeCell,
		time: func(r *registration.Registration) time.Time {
			if r.CheckedInAt == nil {
				return time.Time{}
			}
			return *r.CheckedInAt
		}}
}

// sessions is a column per session that takes sign-ups, saying whether the
// registration has a seat there or waits for one.
func (c columnMaker) sessions() []Column {
	e := c.l.Event
	var out []Column
	for i := range e.Sessions {
		se := &e.Sessions[i]
		if se.Capacity == nil {
			continue
		}
		id := se.ID
		header := se.Title.In(c.l.Lang, e.DefaultLanguage)
		out = append(out, Column{Key: "s." + id, Header: header, Width: width(header, 14, 30), kind: textCell,
			text: func(r *registration.Registration) string {
				if seat := r.SeatStatus(id); seat != "" {
					return c.t("seat." + seat)
				}
				return ""
			}})
	}
	return out
}

// questions is a column per custom question: choices by their label in the
// list's language, not their internal value.
func (c columnMaker) questions(qs []*programme.Question) []Column {
	out := make([]Column, 0, len(qs))
	for _, q := range qs {
		header := q.Label.In(c.l.Lang, c.l.Event.DefaultLanguage)
		out = append(out, Column{Key: "q." + q.ID, Header: header, Width: width(header, 14, 40), kind: textCell,
			text: func(r *registration.Registration) string { return c.answer(q, r.Answers[q.ID]) }})
	}
	return out
}

// answer is the text of an answer to q in the list's language.
func (c columnMaker) answer(q *programme.Question, v any) string {
	return AnswerText(q, v, c.l.Lang, c.l.Event.DefaultLanguage, c.l.t)
}

// AnswerText is an answer to q as people read it, in lang: a choice by its
// label (fallback: the event's default language), several joined by "; ",
// yes or no in words, text as typed. Lists, print views and the organisers'
// pages show answers this way.
func AnswerText(q *programme.Question, v any, lang, fallback string, t Translator) string {
	label := func(value string) string {
		if o := q.Option(value); o != nil {
			return o.Label.In(lang, fallback)
		}
		return value // an option removed since: its value is all there is
	}
	if v == nil && q.Type == "yesno" {
		v = false // an unticked box leaves no answer
	}
	switch v := v.(type) {
	case nil:
		return ""
	case bool:
		if v {
			return t("export.yes")
		}
		return t("export.no")
	case string:
		if q.Type == "choice" || q.Type == "multichoice" {
			return label(v)
		}
		return v
	case []any:
		parts := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				parts = append(parts, label(s))
			}
		}
		return strings.Join(parts, "; ")
	case []string:
		parts := make([]string, 0, len(v))
		for _, s := range v {
			parts = append(parts, label(s))
		}
		return strings.Join(parts, "; ")
	}
	return ""
}

// width is a column width for a header: its length, within bounds. A CJK
// character is about two Latin ones wide.
func width(header string, least, most float64) float64 {
	w := 0.0
	for _, r := range header {
		if r >= 0x2E80 {
			w += 2
		} else {
			w++
		}
	}
	return min(max(w+2, least), most)
}
