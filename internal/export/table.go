package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// table is what the CSV and XLSX writers write: a header row, and rows
// that come one at a time; times are written in loc.
type table struct {
	sheet   string // the XLSX sheet's name
	title   string // the workbook's title
	headers []string
	widths  []float64
	loc     *time.Location
	rows    func(emit func(cells []cell) error) error
}

// cell is one cell of a row: text, a whole number or a time (the zero time
// is an empty cell). A row's cells are one slice filled anew for each row,
// so that writing a list allocates nothing per cell.
type cell struct {
	kind   kind
	text   string
	number int64
	time   time.Time
}

// format is the cell as text, as CSV and print views show it: a time in
// loc to the minute, the zero time empty.
func (c cell) format(loc *time.Location) string {
	switch c.kind {
	case numberCell:
		return strconv.FormatInt(c.number, 10)
	case timeCell:
		if c.time.IsZero() {
			return ""
		}
		return c.time.In(loc).Format("2006-01-02 15:04")
	}
	return c.text
}

// textCells is a row of text cells.
func textCells(texts ...string) []cell {
	cells := make([]cell, len(texts))
	for i, s := range texts {
		cells[i] = cell{text: s}
	}
	return cells
}

// bom is the UTF-8 byte order mark. Excel reads a CSV file as UTF-8 only
// when it starts with one; without it, 王小明 and Müller come out garbled.
const bom = "\uFEFF"

// writeCSV writes t as CSV for Excel: UTF-8 with a byte order mark, RFC
// 4180 (comma, double quotes, CRLF line ends), and every text cell
// neutralised against formula injection.
func writeCSV(w io.Writer, t table) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(bom); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	header := make([]string, len(t.headers))
	for i, h := range t.headers {
		header[i] = Neutralise(h)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	record := make([]string, len(t.headers))
	err := t.rows(func(cells []cell) error {
		for i, c := range cells {
			record[i] = c.format(t.loc)
			if c.kind == textCell {
				record[i] = Neutralise(record[i])
			}
		}
		return cw.Write(record)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// Neutralise makes a cell that a spreadsheet would read as a formula read
// as text: one that starts with = + - @, a tab or a carriage return gets an
// apostrophe in front (OWASP's advice for CSV injection). Such a cell is
// never run; "=HYPERLINK(…)" typed as an organisation shows as typed.
func Neutralise(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// writeXLSX writes t as an Excel workbook with one sheet: a bold header row
// that stays in view when scrolling, column widths that fit, times as real
// dates, numbers as numbers, and text as text cells, which a spreadsheet
// shows as they are and never runs as formulas.
//
// The rows go through excelize's stream writer, which keeps at most 16 MB
// of the sheet in memory and the rest in a temporary file in tmpDir ("" is
// the system's), removed when the workbook has been written.
func writeXLSX(w io.Writer, t table, tmpDir string) error {
	f := excelize.NewFile(excelize.Options{TmpDir: tmpDir})
	defer f.Close()
	sheet := sheetName(t.sheet)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	header, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7F0F9"}},
		Border:    []excelize.Border{{Type: "bottom", Color: "0B4F8A", Style: 2}},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
	})
	if err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	dateFormat := "yyyy-mm-dd hh:mm"
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFormat})
	if err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	for i, width := range t.widths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return fmt.Errorf("export: xlsx: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	row := make([]any, len(t.headers))
	for i, h := range t.headers {
		row[i] = excelize.Cell{StyleID: header, Value: h}
	}
	if err := sw.SetRow("A1", row, excelize.RowOpts{Height: 30}); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	n := 1
	err = t.rows(func(cells []cell) error {
		n++
		for i, c := range cells {
			switch c.kind {
			case numberCell:
				row[i] = c.number
			case timeCell:
				row[i] = nil
				if !c.time.IsZero() {
					// Whole seconds: a spreadsheet rounds a fraction of a
					// second up, so 10:06:59.7 would show as 10:07 while
					// the CSV and the pages say 10:06.
					row[i] = excelize.Cell{StyleID: date, Value: c.time.In(t.loc).Truncate(time.Second)}
				}
			default:
				row[i] = c.text
			}
		}
		ref, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		return sw.SetRow(ref, row)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	err = f.SetDocProps(&excelize.DocProperties{Title: t.title, Creator: "foyer", Created: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	return nil
}
