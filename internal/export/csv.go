package export

import (
	"bufio"
	"encoding/csv"
	"io"
	"strings"

	"github.com/foyer-events/foyer/internal/registration"
)

// bom is the UTF-8 byte order mark. Excel reads a CSV file as UTF-8 only
// when it starts with one; without it, 王小明 and Müller come out garbled.
const bom = "\uFEFF"

// WriteCSV writes the list as CSV for Excel: UTF-8 with a byte order mark,
// RFC 4180 (comma, double quotes, CRLF line ends), a header row, and every
// text cell neutralised against formula injection.
func (l *List) WriteCSV(w io.Writer, rows Rows) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(bom); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	header := l.Headers()
	for i := range header {
		header[i] = Neutralise(header[i])
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	record := make([]string, len(l.Columns))
	err := rows(func(r *registration.Registration) error {
		for i, c := range l.Columns {
			record[i] = l.text(c, r)
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
