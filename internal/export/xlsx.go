package export

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/foyer-events/foyer/internal/registration"
)

// TempPrefix starts the names of the temporary files an XLSX export keeps
// while it writes; they hold personal data, so a folder they may be left in
// after a crash is cleared with RemoveTemp.
const TempPrefix = "excelize-"

// WriteXLSX writes the list as an Excel workbook with one sheet: a bold
// header row that stays in view when scrolling, column widths that fit,
// times as real dates in the event's time zone, numbers as numbers, and
// text as text cells, which a spreadsheet shows as they are and never runs
// as formulas.
//
// The rows go through excelize's stream writer, which keeps at most 16 MB
// of the sheet in memory and the rest in a temporary file in tmpDir ("" is
// the system's), removed when the workbook has been written.
func (l *List) WriteXLSX(w io.Writer, rows Rows, tmpDir string) error {
	f := excelize.NewFile(excelize.Options{TmpDir: tmpDir})
	defer f.Close()
	sheet := sheetName(l.t("export.sheet"))
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
	for i, c := range l.Columns {
		if err := sw.SetColWidth(i+1, i+1, c.Width); err != nil {
			return fmt.Errorf("export: xlsx: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	cells := make([]any, len(l.Columns))
	for i, h := range l.Headers() {
		cells[i] = excelize.Cell{StyleID: header, Value: h}
	}
	if err := sw.SetRow("A1", cells, excelize.RowOpts{Height: 30}); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	row := 1
	err = rows(func(r *registration.Registration) error {
		row++
		for i, c := range l.Columns {
			switch c.kind {
			case numberCell:
				cells[i] = c.number(r)
			case timeCell:
				t := c.time(r)
				if t.IsZero() {
					cells[i] = nil
				} else {
					cells[i] = excelize.Cell{StyleID: date, Value: t.In(l.loc)}
				}
			default:
				cells[i] = c.text(r)
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, cells)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	err = f.SetDocProps(&excelize.DocProperties{
		Title:   l.Event.Title.In(l.Lang, l.Event.DefaultLanguage),
		Creator: "foyer",
		Created: time.Now().UTC().Format(time.RFC3339),
	})
	if err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	return nil
}

// sheetName makes a name Excel accepts for a sheet: at most 31 characters,
// none of : \ / ? * [ ].
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if strings.TrimSpace(s) == "" {
		return "Sheet1"
	}
	return s
}

// RemoveTemp removes temporary files that an export interrupted by a crash
// left in dir.
func RemoveTemp(dir string) error {
	names, err := filepath.Glob(filepath.Join(dir, TempPrefix+"*"))
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := os.Remove(name); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
