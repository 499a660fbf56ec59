package export

import (
	"io"
	"strings"

	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
)

// Speakers is the speaker list of an event, for the people who book
// hotels, print name cards and brief interpreters: each speaker with their
// native-script name, organisation, job title, country, email and the
// sessions they appear in, with their role, in the programme's order.
type Speakers struct {
	Event *programme.Event
	Lang  string
	t     Translator
	// Role names a speaker role in the list's language.
	role func(role string) string
}

// NewSpeakers returns e's speaker list in lang; role names the roles.
func NewSpeakers(e *programme.Event, lang string, t Translator, role func(string) string) *Speakers {
	return &Speakers{Event: e, Lang: lang, t: t, role: role}
}

// FileName is the name a downloaded speaker list gets.
func (s *Speakers) FileName(ext string) string { return s.Event.Slug + "-speakers." + ext }

func (s *Speakers) table() table {
	e, l := s.Event, s.Lang
	t := table{sheet: s.t("export.speakers_sheet"), title: e.Title.In(l, e.DefaultLanguage), loc: e.Location()}
	for _, c := range []struct {
		key   string
		width float64
	}{{"speaker_id", 14}, {"name", 26}, {"native_name", 14}, {"organisation", 30}, {"job_title", 26}, {"country", 16},
		{"email", 30}, {"sessions", 60}} {
		t.headers = append(t.headers, s.t("export.col."+c.key))
		t.widths = append(t.widths, c.width)
	}
	t.rows = func(emit func([]cell) error) error {
		for _, sp := range e.Speakers {
			var sessions []string
			for _, se := range e.Sessions {
				for _, ss := range se.Speakers {
					if ss.Speaker != sp.ID {
						continue
					}
					start := se.StartsAt.In(t.loc).Format("2006-01-02 15:04")
					sessions = append(sessions, start+" "+se.Title.In(l, e.DefaultLanguage)+" ("+s.role(ss.Role)+")")
				}
			}
			country := ""
			if sp.Country != "" {
				country = registration.CountryName(l, sp.Country)
			}
			err := emit(textCells(sp.ID, sp.Name, sp.NativeName, sp.Organisation.In(l, e.DefaultLanguage), sp.JobTitle.In(l, e.DefaultLanguage),
				country, sp.Email, strings.Join(sessions, "; ")))
			if err != nil {
				return err
			}
		}
		return nil
	}
	return t
}

// WriteCSV writes the speaker list as CSV for Excel, as List.WriteCSV does.
func (s *Speakers) WriteCSV(w io.Writer) error { return writeCSV(w, s.table()) }

// WriteXLSX writes the speaker list as an Excel workbook, as List.WriteXLSX
// does.
func (s *Speakers) WriteXLSX(w io.Writer, tmpDir string) error {
	return writeXLSX(w, s.table(), tmpDir)
}
