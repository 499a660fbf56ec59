package export

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/foyer-events/foyer/internal/exporttest"
	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
)

// guests are registrations with what makes lists go wrong: names in CJK
// script and with umlauts, quotes and commas, line breaks, and text a
// spreadsheet would run as a formula.
func guests() []*registration.Registration {
	at := time.Date(2027, 3, 1, 9, 30, 0, 0, time.UTC)
	// Checked in during the last second of a minute, which a spreadsheet
	// must not round up to the next.
	in := at.Add(40*24*time.Hour + 59*time.Second + 700*time.Millisecond)
	return []*registration.Registration{
		{ID: 1, Status: "confirmed", Kind: "attendee", FirstName: "小明", LastName: "王", Email: "wang@example.cn",
			Organisation: "华为技术有限公司", Country: "CN", Language: "zh", CreatedAt: at, CheckedInAt: &in, TicketCode: "FY1-AAAA",
			Sessions: []registration.Seat{{ID: "ws-maintenance", Status: "confirmed"}},
			Answers:  map[string]any{"industry": "electronics", "interpretation": []any{"de-zh", "en-zh"}, "dietary": "清真"}},
		{ID: 2, Status: "waitlisted", Kind: "speaker", FirstName: "Jürgen", LastName: "Müller-Lüdenscheidt", Salutation: "mr", Title: "dr", Email: "j@example.de",
			Organisation: `Müller & Söhne "Maschinenbau", GmbH`, Country: "DE", Language: "de", CreatedAt: at.Add(time.Hour),
			Sessions: []registration.Seat{{ID: "ws-investment", Status: "waitlisted"}},
			Answers:  map[string]any{"industry": "machinery", "b2b": true, "dietary": "vegetarisch,\nkeine Nüsse"}},
		{ID: 3, Status: "confirmed", Kind: "press", FirstName: "Eve", LastName: "Formula", Email: "eve@example.org",
			Organisation: "=HYPERLINK(\"http://evil.example\",\"click\")", JobTitle: "+49 511 123", Country: "GB", Language: "en",
			CreatedAt: at.Add(2 * time.Hour), Answers: map[string]any{"industry": "research", "dietary": "-no nuts", "b2b": false}},
		{ID: 4, Status: "pending", Kind: "staff", FirstName: "Tab", LastName: "Carriage", Email: "tc@example.org",
			Organisation: "@cmd", JobTitle: "\tindented", Country: "", Language: "en", CreatedAt: at.Add(3 * time.Hour),
			Answers: map[string]any{"dietary": "\r=1+2"}},
	}
}

func rowsOf(regs []*registration.Registration) Rows {
	return func(fn func(*registration.Registration) error) error {
		for _, r := range regs {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
}

func demo(t *testing.T) *programme.Event {
	t.Helper()
	return programme.Demo(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
}

// demoList is the demo's guest list with preset's columns, in lang.
func demoList(t *testing.T, e *programme.Event, preset, lang string) *List {
	t.Helper()
	l, err := NewList(e, preset, lang, nil, i18n.In(lang))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestCSV(t *testing.T) {
	e := demo(t)
	l := demoList(t, e, PresetFull, "de")
	var buf bytes.Buffer
	if err := l.WriteCSV(&buf, rowsOf(guests())); err != nil {
		t.Fatal(err)
	}
	records := exporttest.ReadCSV(t, buf.Bytes())
	if len(records) != 5 {
		t.Fatalf("%d records, want a header and 4 rows", len(records))
	}
	col := func(key string) int {
		for i, c := range l.Columns {
			if c.Key == key {
				return i
			}
		}
		t.Fatalf("no column %s", key)
		return -1
	}
	header := records[0]
	for key, want := range map[string]string{"last_name": "Nachname", "q.industry": "Branche", "q.dietary": "Ernährungswünsche",
		"s.ws-maintenance": e.Session("ws-maintenance").Title["de"], "registered_at": "Angemeldet am"} {
		if got := header[col(key)]; got != want {
			t.Errorf("header of %s: %q, want %q", key, got, want)
		}
	}
	wang, jürgen, eve, tab := records[1], records[2], records[3], records[4]
	checks := []struct {
		row       []string
		key, want string
	}{
		{wang, "name", "王小明"}, // registration.FullName: family name first
		{jürgen, "name", "Jürgen Müller-Lüdenscheidt"},
		{jürgen, "salutation", "Herr"},
		{jürgen, "title", "Dr."},
		{wang, "last_name", "王"},
		{wang, "organisation", "华为技术有限公司"},
		{wang, "country", "China"},
		{wang, "status", "Bestätigt"},
		{wang, "q.industry", "Elektronik und Automatisierung"},
		{wang, "q.interpretation", "Deutsch ↔ Chinesisch; Englisch ↔ Chinesisch"},
		{wang, "s.ws-maintenance", "Platz bestätigt"},
		{wang, "registered_at", "2027-03-01 10:30"}, // Europe/Berlin
		{wang, "checked_in_at", "2027-04-10 11:30"}, // summer time
		{wang, "language", "Chinesisch"},
		{jürgen, "last_name", "Müller-Lüdenscheidt"},
		{jürgen, "organisation", `Müller & Söhne "Maschinenbau", GmbH`},
		{jürgen, "q.dietary", "vegetarisch,\nkeine Nüsse"}, // a line break within the cell
		{jürgen, "q.b2b", "Ja"},
		{jürgen, "s.ws-investment", "Warteliste"},
		{jürgen, "kind", "Referent/in"},
		{jürgen, "checked_in_at", ""},
		{eve, "organisation", `'=HYPERLINK("http://evil.example","click")`},
		{eve, "job_title", "'+49 511 123"},
		{eve, "q.dietary", "'-no nuts"},
		{eve, "q.b2b", "Nein"},
		{tab, "organisation", "'@cmd"},
		{tab, "job_title", "'\tindented"},
		// A lone CR is not a line end in RFC 4180 with CRLF lines;
		// encoding/csv leaves it out. The apostrophe still leads.
		{tab, "q.dietary", "'=1+2"},
		{tab, "country", ""},
		{tab, "id", "4"},
	}
	for _, c := range checks {
		if got := c.row[col(c.key)]; got != c.want {
			t.Errorf("row %s, %s: %q, want %q", c.row[0], c.key, got, c.want)
		}
	}
	for _, row := range records[1:] {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("row %s column %s starts with %q: a spreadsheet would run it", row[0], header[i], cell[:1])
			}
		}
	}
}

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{
		"=1+2": "'=1+2", "+49": "'+49", "-5": "'-5", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"": "", "Müller": "Müller", " =1": " =1", "a=b": "a=b", "王": "王", "'quoted": "'quoted",
	} {
		if got := Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestXLSX(t *testing.T) {
	e := demo(t)
	l := demoList(t, e, PresetFull, "zh")
	var buf bytes.Buffer
	if err := l.WriteXLSX(&buf, rowsOf(guests()), t.TempDir()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	if sheet != "参会者名单" {
		t.Errorf("sheet %q", sheet)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || !slices.Equal(rows[0], l.Headers()) {
		t.Fatalf("%d rows, header %q", len(rows), rows[0])
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("header row not frozen: %+v %v", panes, err)
	}
	for i, c := range l.Columns {
		name, _ := excelize.ColumnNumberToName(i + 1)
		if w, err := f.GetColWidth(sheet, name); err != nil || w != c.Width {
			t.Errorf("column %s width %v, want %v (%v)", c.Key, w, c.Width, err)
		}
	}
	cell := func(key string, row int) string {
		for i, c := range l.Columns {
			if c.Key == key {
				name, _ := excelize.CoordinatesToCellName(i+1, row)
				return name
			}
		}
		t.Fatalf("no column %s", key)
		return ""
	}
	// Dates are numbers with a date format, in the event's time zone.
	for row, want := range map[int]time.Time{2: time.Date(2027, 3, 1, 10, 30, 0, 0, time.UTC), 5: time.Date(2027, 3, 1, 13, 30, 0, 0, time.UTC)} {
		ref := cell("registered_at", row)
		raw, _ := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		typ, _ := f.GetCellType(sheet, ref)
		if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("%s is of type %v, want a number", ref, typ)
		}
		var serial float64
		if _, err := fmt.Sscan(raw, &serial); err != nil {
			t.Fatalf("%s: %q is not a number", ref, raw)
		}
		got, err := excelize.ExcelDateToTime(serial, false)
		if err != nil || !got.Round(time.Second).Equal(want) {
			t.Errorf("%s = %v, want %v", ref, got, want)
		}
		shown, _ := f.GetCellValue(sheet, ref)
		if shown != want.Format("2006-01-02 15:04") {
			t.Errorf("%s shows %q", ref, shown)
		}
	}
	if v, _ := f.GetCellValue(sheet, cell("checked_in_at", 2)); v != "2027-04-10 11:30" {
		t.Errorf("checked in at 11:30:59.7, but the sheet shows %q", v)
	}
	if v, _ := f.GetCellValue(sheet, cell("checked_in_at", 3)); v != "" {
		t.Errorf("no check-in, but %q", v)
	}
	// Numbers are numbers; text is text, kept exactly and never a formula.
	if typ, _ := f.GetCellType(sheet, cell("id", 3)); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("id is of type %v", typ)
	}
	for _, c := range []struct {
		key  string
		row  int
		want string
	}{
		{"name", 2, "王小明"},
		{"q.industry", 2, "电子与自动化"},
		{"q.interpretation", 2, "德语 ↔ 中文; 英语 ↔ 中文"},
		{"last_name", 3, "Müller-Lüdenscheidt"},
		{"q.dietary", 3, "vegetarisch,\nkeine Nüsse"},
		{"organisation", 4, `=HYPERLINK("http://evil.example","click")`},
		{"job_title", 4, "+49 511 123"},
		{"q.dietary", 4, "-no nuts"},
		{"organisation", 5, "@cmd"},
		{"job_title", 5, "\tindented"},
		{"q.dietary", 5, "\r=1+2"},
		{"status", 5, "待审核"},
	} {
		ref := cell(c.key, c.row)
		if got, _ := f.GetCellValue(sheet, ref); got != c.want {
			t.Errorf("%s (%s): %q, want %q", ref, c.key, got, c.want)
		}
		if formula, _ := f.GetCellFormula(sheet, ref); formula != "" {
			t.Errorf("%s is a formula: %q", ref, formula)
		}
		if typ, _ := f.GetCellType(sheet, ref); typ != excelize.CellTypeInlineString {
			t.Errorf("%s is of type %v, want an inline string", ref, typ)
		}
	}
}

func TestPresets(t *testing.T) {
	e := demo(t)
	keys := func(preset string) []string {
		var out []string
		for _, c := range demoList(t, e, preset, "en").Columns {
			out = append(out, c.Key)
		}
		return out
	}
	want := map[string][]string{
		PresetCatering:     {"name", "last_name", "first_name", "organisation", "kind", "q.dietary", "s.ws-maintenance", "s.ws-investment"},
		PresetSecurity:     {"name", "last_name", "first_name", "organisation", "country", "kind", "status"},
		PresetInterpreters: {"name", "last_name", "first_name", "language", "country", "s.ws-maintenance", "s.ws-investment", "q.interpretation"},
	}
	for preset, w := range want {
		if got := keys(preset); !slices.Equal(got, w) {
			t.Errorf("%s: %v, want %v", preset, got, w)
		}
	}
	full := keys(PresetFull)
	for _, q := range e.Questions {
		if !slices.Contains(full, "q."+q.ID) {
			t.Errorf("the full list lacks question %s", q.ID)
		}
	}
	l, err := NewList(e, PresetSecurity, "en", []string{"b2b"}, i18n.In("en"))
	if err != nil || l.Columns[len(l.Columns)-1].Key != "q.b2b" {
		t.Errorf("questions by id: %v", err)
	}
	if _, err := NewList(e, "everything", "en", nil, i18n.In("en")); !errors.Is(err, ErrPreset) {
		t.Errorf("unknown preset: %v", err)
	}
	if _, err := NewList(e, PresetFull, "en", []string{"nope"}, i18n.In("en")); !errors.Is(err, ErrQuestion) {
		t.Errorf("unknown question: %v", err)
	}
}

// An error while reading rows stops the file and comes back.
func TestRowsError(t *testing.T) {
	l := demoList(t, demo(t), PresetFull, "en")
	boom := errors.New("database gone")
	failing := func(fn func(*registration.Registration) error) error {
		fn(guests()[0])
		return boom
	}
	if err := l.WriteCSV(&bytes.Buffer{}, failing); !errors.Is(err, boom) {
		t.Errorf("CSV: %v", err)
	}
	var buf bytes.Buffer
	if err := l.WriteXLSX(&buf, failing, t.TempDir()); !errors.Is(err, boom) || buf.Len() != 0 {
		t.Errorf("XLSX: %v, %d bytes written", err, buf.Len())
	}
}
