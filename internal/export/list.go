// Package export writes an event's attendee lists for the people organisers
// hand them to: CSV and XLSX files that open right in Excel, with a column
// per custom question, the rows of print views and badge sheets, and the
// speaker list.
//
// A list reads its registrations from a Rows iterator one at a time (the
// store's read transaction), so a list of any length is written in the same
// memory. The package translates nothing itself: the caller gives it a
// Translator for the list's language, and a column's header and a cell's
// text come from it.
package export

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
)

// Translator returns the catalogue entry key in the list's language,
// formatted with args.
type Translator func(key string, args ...any) string

// Rows calls fn with each registration of a list, in the list's order, and
// stops at fn's first error.
type Rows func(fn func(*registration.Registration) error) error

// Column presets: which columns a list has.
const (
	PresetFull         = "full"         // everything foyer knows about each registration
	PresetCatering     = "catering"     // names, sessions and the dietary questions
	PresetSecurity     = "security"     // names, organisation, country, kind
	PresetInterpreters = "interpreters" // names, language, sessions and the interpretation questions
)

// Presets lists the column presets in the order pages offer them.
var Presets = []string{PresetFull, PresetCatering, PresetSecurity, PresetInterpreters}

// ErrPreset means the preset asked for is not one of Presets.
var ErrPreset = errors.New("export: unknown preset")

// ErrQuestion means a question asked for by id does not exist.
var ErrQuestion = errors.New("export: unknown question")

// kind says how a cell is written: as text, a whole number or a date.
type kind int

const (
	textCell kind = iota
	numberCell
	timeCell
)

// Column is one column of a list.
type Column struct {
	Key    string  // stable name: "last_name", "q.dietary", "s.ws-maintenance"
	Header string  // in the list's language
	Width  float64 // in characters, for XLSX
	kind   kind
	text   func(*registration.Registration) string
	number func(*registration.Registration) int64
	time   func(*registration.Registration) time.Time // zero: empty cell
}

// List is an attendee list of one event: its columns in one language.
type List struct {
	Event   *programme.Event
	Lang    string
	Preset  string
	Columns []Column
	t       Translator
	loc     *time.Location
}

// NewList returns the list of e with the columns of preset, in lang. When
// questions is not empty it names the custom questions to include (by id),
// in place of the preset's choice.
func NewList(e *programme.Event, preset, lang string, questions []string, t Translator) (*List, error) {
	if preset == "" {
		preset = PresetFull
	}
	if !slices.Contains(Presets, preset) {
		return nil, fmt.Errorf("%w %q", ErrPreset, preset)
	}
	l := &List{Event: e, Lang: lang, Preset: preset, t: t, loc: e.Location()}
	var qs []*programme.Question
	if len(questions) > 0 {
		for _, id := range questions {
			q := e.Question(id)
			if q == nil {
				return nil, fmt.Errorf("%w %q", ErrQuestion, id)
			}
			qs = append(qs, q)
		}
	} else {
		qs = presetQuestions(e, preset)
	}
	c := columnMaker{l}
	switch preset {
	case PresetFull:
		l.Columns = append(l.Columns, c.id(), c.status(), c.kind())
		l.Columns = append(l.Columns, c.names()...)
		l.Columns = append(l.Columns, c.address()...)
		l.Columns = append(l.Columns, c.email(), c.organisation(), c.jobTitle(), c.country(), c.countryCode(), c.language())
		l.Columns = append(l.Columns, c.sessions()...)
		l.Columns = append(l.Columns, c.questions(qs)...)
		l.Columns = append(l.Columns, c.registeredAt(), c.checkedInAt(), c.ticketCode())
	case PresetCatering:
		l.Columns = append(l.Columns, c.names()...)
		l.Columns = append(l.Columns, c.organisation(), c.kind())
		l.Columns = append(l.Columns, c.questions(qs)...)
		l.Columns = append(l.Columns, c.sessions()...)
	case PresetSecurity:
		l.Columns = append(l.Columns, c.names()...)
		l.Columns = append(l.Columns, c.organisation(), c.country(), c.kind(), c.status())
		l.Columns = append(l.Columns, c.questions(qs)...)
	case PresetInterpreters:
		l.Columns = append(l.Columns, c.names()...)
		l.Columns = append(l.Columns, c.language(), c.country())
		l.Columns = append(l.Columns, c.sessions()...)
		l.Columns = append(l.Columns, c.questions(qs)...)
	}
	return l, nil
}

// Words in a question's id or label that mark it as one a preset needs: the
// catering list takes questions about food, the interpreters' list those
// about interpretation. Organisers who name theirs otherwise pick the
// questions by id.
var presetWords = map[string][]string{
	PresetCatering:     {"diet", "food", "meal", "allerg", "vegan", "vegetar", "catering", "essen", "ernähr", "speise", "饮食", "餐", "过敏"},
	PresetInterpreters: {"interpret", "translat", "dolmetsch", "übersetz", "同传", "翻译", "口译"},
}

// presetQuestions returns the questions a preset shows by default: all of
// them in the full list, the matching ones in the others.
func presetQuestions(e *programme.Event, preset string) []*programme.Question {
	var out []*programme.Question
	for i := range e.Questions {
		q := &e.Questions[i]
		if preset == PresetFull {
			out = append(out, q)
			continue
		}
		text := strings.ToLower(q.ID)
		for _, label := range q.Label {
			text += " " + strings.ToLower(label)
		}
		for _, w := range presetWords[preset] {
			if strings.Contains(text, w) {
				out = append(out, q)
				break
			}
		}
	}
	return out
}

// Headers returns the columns' headers.
func (l *List) Headers() []string {
	out := make([]string, len(l.Columns))
	for i, c := range l.Columns {
		out[i] = c.Header
	}
	return out
}

// Texts returns a registration's cells as text, as CSV and print views show
// them; times in the event's time zone.
func (l *List) Texts(r *registration.Registration) []string {
	out := make([]string, len(l.Columns))
	for i, c := range l.Columns {
		out[i] = l.text(c, r)
	}
	return out
}

// text is one cell as text.
func (l *List) text(c Column, r *registration.Registration) string {
	return l.cell(c, r).format(l.loc)
}

// cell is column c's cell of r.
func (l *List) cell(c Column, r *registration.Registration) cell {
	switch c.kind {
	case numberCell:
		return cell{kind: numberCell, number: c.number(r)}
	case timeCell:
		return cell{kind: timeCell, time: c.time(r)}
	}
	return cell{text: c.text(r)}
}

// FileName is the name a downloaded list gets: the event, the preset and
// the date, ASCII only, e.g. "dcip-forum-2027-catering-2027-04-13.csv".
func (l *List) FileName(ext string, now time.Time) string {
	name := l.Event.Slug + "-attendees"
	if l.Preset != PresetFull {
		name = l.Event.Slug + "-" + l.Preset
	}
	return name + "-" + now.In(l.loc).Format("2006-01-02") + "." + ext
}

// table is the list as the writers take it.
func (l *List) table(rows Rows) table {
	t := table{sheet: l.t("export.sheet"), title: l.Event.Title.In(l.Lang, l.Event.DefaultLanguage), headers: l.Headers(), loc: l.loc}
	for _, c := range l.Columns {
		t.widths = append(t.widths, c.Width)
	}
	t.rows = func(emit func([]cell) error) error {
		cells := make([]cell, len(l.Columns))
		return rows(func(r *registration.Registration) error {
			for i, c := range l.Columns {
				cells[i] = l.cell(c, r)
			}
			return emit(cells)
		})
	}
	return t
}

// WriteCSV writes the list as CSV for Excel: UTF-8 with a byte order mark,
// RFC 4180 (comma, double quotes, CRLF line ends), a header row, and every
// text cell neutralised against formula injection (Neutralise).
func (l *List) WriteCSV(w io.Writer, rows Rows) error { return writeCSV(w, l.table(rows)) }

// WriteXLSX writes the list as an Excel workbook: a frozen bold header,
// column widths, times as dates in the event's time zone, text as text
// cells. The rows stream through excelize's stream writer, which keeps
// what exceeds 16 MB in a temporary file in tmpDir ("" is the system's).
func (l *List) WriteXLSX(w io.Writer, rows Rows, tmpDir string) error {
	return writeXLSX(w, l.table(rows), tmpDir)
}
