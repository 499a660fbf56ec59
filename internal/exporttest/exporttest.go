// Package exporttest reads foyer's exports in tests as spreadsheet programs
// read them: a CSV as Excel reads a UTF-8 file, an XLSX workbook's first
// sheet as rows of text.
//
// It lives in an ordinary .go file so that tests of every package can
// import it; foyer itself never does.
package exporttest

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// ReadCSV reads a CSV file the way Excel does with a UTF-8 file and fails
// the test where Excel would go wrong: the byte order mark says UTF-8
// (Excel needs it), RFC 4180 quoting, CRLF lines, every record as long as
// the header.
func ReadCSV(t testing.TB, data []byte) [][]string {
	t.Helper()
	rest, ok := bytes.CutPrefix(data, []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatal("the CSV does not start with a UTF-8 byte order mark: Excel would read it as ANSI and garble 王 and ü")
	}
	if !bytes.HasSuffix(rest, []byte("\r\n")) {
		t.Error("the last record does not end with CRLF")
	}
	for _, line := range bytes.SplitAfter(rest, []byte("\n")) {
		if len(line) > 0 && !bytes.HasSuffix(line, []byte("\r\n")) && bytes.HasSuffix(line, []byte("\n")) {
			t.Errorf("a bare LF: %q", line)
		}
	}
	r := csv.NewReader(bytes.NewReader(rest))
	r.FieldsPerRecord = 0 // every record as long as the header
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("not RFC 4180: %v", err)
	}
	return records
}

// ReadXLSX returns the cells of the workbook's first sheet as text, row by
// row.
func ReadXLSX(t testing.TB, data []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
