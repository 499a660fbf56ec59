package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// The export scenario: the attendee list of an event with exportRows
// registrations, as CSV and as XLSX through the organiser API, timed to the
// last byte, with foyer's peak resident memory. It runs the same downloads
// on an event of exportSmall rows first, so that the table shows whether
// memory grows with the rows.
const (
	exportSmall = 10000
	exportRows  = 100000
)

var exportEvent = eventSpec{slug: "bench-export", capacity: exportRows + 1000, sessionCapacity: exportRows}

// exportRun is one download.
type exportRun struct {
	took  time.Duration
	bytes int64
	rows  int   // data rows in the file, the header not counted
	peak  int64 // foyer's highest RSS while it was sent
}

// runExport registers one guest through the API on each of two events,
// copies that registration in the database to exportSmall and exportRows
// guests (registering a hundred thousand through the API would take
// minutes and queue as many emails, which are not what is measured), and
// downloads both formats of each.
func runExport(ctx context.Context, b *bench) (outcome, error) {
	f, a, err := b.organiserAPI(ctx)
	if err != nil {
		return outcome{}, err
	}
	token, err := b.organiserToken(ctx)
	if err != nil {
		return outcome{}, err
	}
	client := newLoadClient(1)
	defer client.CloseIdleConnections()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(f.Data, "foyer.db")+"?_busy_timeout=10000&_txlock=immediate&_foreign_keys=on")
	if err != nil {
		return outcome{}, err
	}
	defer db.Close()
	// An event for each size, so that each format goes small then large,
	// and what one format leaves in foyer's memory does not count as the
	// other's growth.
	slugs := map[int]string{}
	for _, rows := range []int{exportSmall, exportRows} {
		spec := exportEvent
		spec.slug = fmt.Sprintf("%s-%d", exportEvent.slug, rows)
		ev, err := createEvent(ctx, a, spec)
		if err != nil {
			return outcome{}, err
		}
		reg := registrant{client: client, url: f.URL + "/api/v1/events/" + ev.slug + "/registrations", tag: "export", event: ev}
		if out, ok := reg.register(ctx, 0); !ok {
			return outcome{}, fmt.Errorf("registering the model guest: %s", out)
		}
		started := time.Now()
		if err := seedRegistrations(ctx, db, ev.slug, rows); err != nil {
			return outcome{}, err
		}
		fmt.Fprintf(b.out, "export: %s registrations in the database (%s, not measured)\n", thousands(rows), time.Since(started).Round(time.Millisecond))
		slugs[rows] = ev.slug
	}
	runs := map[string]exportRun{}
	for _, format := range []string{"csv", "xlsx"} {
		for _, rows := range []int{exportSmall, exportRows} {
			r, err := downloadExport(ctx, client, f, token, slugs[rows], format)
			if err != nil {
				return outcome{}, err
			}
			if r.rows != rows {
				return outcome{}, fmt.Errorf("attendees.%s at %d registrations holds %d rows", format, rows, r.rows)
			}
			runs[fmt.Sprint(format, rows)] = r
		}
	}
	csvBig, xlsxBig := runs[fmt.Sprint("csv", exportRows)], runs[fmt.Sprint("xlsx", exportRows)]
	csvSmall, xlsxSmall := runs[fmt.Sprint("csv", exportSmall)], runs[fmt.Sprint("xlsx", exportSmall)]
	peakBig := max(csvBig.peak, xlsxBig.peak)
	peakSmall := max(csvSmall.peak, xlsxSmall.peak)
	n := thousands(exportRows)
	results := []Result{
		measured("export", "CSV, "+n+" rows", csvBig.took.Seconds(), "s", ms(csvBig.took), atMost(2, "≤ 2 s")),
		measured("export", "XLSX, "+n+" rows", xlsxBig.took.Seconds(), "s", ms(xlsxBig.took), atMost(10, "≤ 10 s")),
		measured("export", "foyer peak RSS, "+n+" rows", float64(peakBig)/(1<<20), "MB", mb(peakBig), atMost(150, "≤ 150 MB")),
		info("export", "foyer peak RSS, "+thousands(exportSmall)+" rows", float64(peakSmall)/(1<<20), "MB", mb(peakSmall)),
	}
	results[0].Detail = fmt.Sprintf("%s; %s rows: %s", mb(csvBig.bytes), thousands(exportSmall), ms(csvSmall.took))
	results[1].Detail = fmt.Sprintf("%s; %s rows: %s", mb(xlsxBig.bytes), thousands(exportSmall), ms(xlsxSmall.took))
	results[2].Detail = fmt.Sprintf("CSV %s, XLSX %s", mb(csvBig.peak), mb(xlsxBig.peak))
	results[3].Detail = fmt.Sprintf("CSV %s, XLSX %s: the same downloads at a tenth of the rows", mb(csvSmall.peak), mb(xlsxSmall.peak))
	line := fmt.Sprintf("%s rows: CSV %s, XLSX %s, foyer's peak RSS %s (%s rows: %s)",
		n, ms(csvBig.took), ms(xlsxBig.took), mb(peakBig), thousands(exportSmall), mb(peakSmall))
	return outcome{line: line, results: results}, nil
}

// seedRegistrations copies the event's first registration until the event
// has total registrations: names in Chinese and German (and one that a
// spreadsheet would run as a formula), a unique address, ticket code and
// manage token each, every third one with the model's session seat.
//
// It writes seedBatch rows a transaction: foyer's own writers (the mail
// worker) wait for the database at most their busy timeout, and a longer
// write would make them fail.
func seedRegistrations(ctx context.Context, db *sql.DB, slug string, total int) error {
	for {
		done, err := seedBatch(ctx, db, slug, total)
		if err != nil || done {
			return err
		}
	}
}

// seedBatchRows is how many registrations one seeding transaction adds.
const seedBatchRows = 2000

// seedBatch adds up to seedBatchRows registrations; done when the event has
// total.
func seedBatch(ctx context.Context, db *sql.DB, slug string, total int) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("seed: %w", err)
	}
	defer tx.Rollback()
	var model, event, have, last int64
	err = tx.QueryRowContext(ctx, `SELECT min(r.id), e.id, count(*), max(r.id) FROM registrations r JOIN events e ON e.id = r.event_id
		WHERE e.slug = ?`, slug).Scan(&model, &event, &have, &last)
	if err != nil {
		return false, fmt.Errorf("seed: the model registration: %w", err)
	}
	if int(have) >= total {
		return true, nil
	}
	upto := min(total, int(have)+seedBatchRows)
	_, err = tx.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO registrations (event_id, status, first_name, last_name, email, email_key, organisation, job_title, country,
			language, answers, consent_at, consent_version, ticket_code, manage_token, queued_at, created_at, updated_at, kind, search)
		SELECT t.event_id, 'confirmed',
			CASE i % 4 WHEN 0 THEN '小明' WHEN 1 THEN 'Jürgen' WHEN 2 THEN 'Anna' ELSE 'Wei' END,
			CASE i % 4 WHEN 0 THEN '王' WHEN 1 THEN 'Müller-Lüdenscheidt' WHEN 2 THEN 'Groß' ELSE 'Li' END || ' ' || i,
			printf('export-%07d@example.org', i), printf('export-%07d@example.org', i),
			CASE i % 3 WHEN 0 THEN '华为技术有限公司' WHEN 1 THEN 'Müller & Söhne "Anlagenbau", GmbH' ELSE '=HYPERLINK("x")' END,
			t.job_title, CASE i % 3 WHEN 0 THEN 'CN' WHEN 1 THEN 'DE' ELSE 'AT' END, CASE i % 3 WHEN 0 THEN 'zh' WHEN 1 THEN 'de' ELSE 'en' END,
			t.answers, t.consent_at, t.consent_version, t.ticket_code || '.' || i, t.manage_token || '.' || i,
			t.queued_at, t.created_at, t.updated_at, t.kind, t.search || ' ' || i
		FROM n, registrations t WHERE t.id = ?`, have, upto-1, model)
	if err != nil {
		return false, fmt.Errorf("seed: registrations: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO registration_sessions (registration_id, session_id, status, queued_at)
		SELECT r.id, s.session_id, 'confirmed', r.queued_at FROM registrations r, registration_sessions s
		WHERE s.registration_id = ? AND r.event_id = ? AND r.id > ? AND r.id % 3 = 0`, model, event, last)
	if err != nil {
		return false, fmt.Errorf("seed: seats: %w", err)
	}
	return false, tx.Commit()
}

// downloadExport fetches …/attendees.FORMAT to the last byte while watching
// foyer's memory (the kernel's peak where it may be reset, else samples
// every 5 ms), and counts the file's rows.
func downloadExport(ctx context.Context, client *http.Client, f *Foyer, token, slug, format string) (exportRun, error) {
	file, err := os.CreateTemp("", "foyer-bench-export-*."+format)
	if err != nil {
		return exportRun{}, err
	}
	defer os.Remove(file.Name())
	defer file.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL+"/api/v1/events/"+slug+"/attendees."+format, nil)
	if err != nil {
		return exportRun{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	exportClient := *client
	exportClient.Timeout = 5 * time.Minute
	exact := resetPeakRSS(f.PID())
	watch := watchRSS(f.PID(), 5*time.Millisecond)
	started := time.Now()
	resp, err := exportClient.Do(req)
	var r exportRun
	if err == nil {
		r.bytes, err = io.Copy(file, resp.Body)
		resp.Body.Close()
	}
	r.took = time.Since(started)
	peak, werr := watch.stop()
	if err != nil {
		return r, fmt.Errorf("attendees.%s: %w", format, err)
	}
	if resp.StatusCode != http.StatusOK {
		return r, fmt.Errorf("attendees.%s: %d", format, resp.StatusCode)
	}
	if werr != nil {
		return r, fmt.Errorf("foyer's memory: %w", werr)
	}
	r.peak = peak
	if exact {
		if hwm, err := procStatus(f.PID(), "VmHWM"); err == nil {
			r.peak = max(peak, hwm)
		}
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return r, err
	}
	if format == "csv" {
		r.rows, err = csvRows(file)
	} else {
		r.rows, err = xlsxRows(file, r.bytes)
	}
	return r, err
}

// csvRows counts the records after the header, as Excel reads them.
func csvRows(file io.Reader) (int, error) {
	br := bufio.NewReader(file)
	if bom, err := br.Peek(3); err != nil || !bytes.Equal(bom, []byte("\xEF\xBB\xBF")) {
		return 0, errors.New("attendees.csv: no byte order mark")
	}
	br.Discard(3)
	rd := csv.NewReader(br)
	rd.ReuseRecord = true
	n := -1
	for {
		_, err := rd.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("attendees.csv: %w", err)
		}
		n++
	}
}

// xlsxRows counts the rows after the header of the workbook's first sheet,
// reading its XML as a stream.
func xlsxRows(file io.ReaderAt, size int64) (int, error) {
	zr, err := zip.NewReader(file, size)
	if err != nil {
		return 0, fmt.Errorf("attendees.xlsx: %w", err)
	}
	sheet, err := zr.Open("xl/worksheets/sheet1.xml")
	if err != nil {
		return 0, fmt.Errorf("attendees.xlsx: %w", err)
	}
	defer sheet.Close()
	br := bufio.NewReaderSize(sheet, 1<<16)
	tag := []byte("<row ")
	n, matched := 0, 0
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			return n - 1, nil
		}
		if err != nil {
			return 0, fmt.Errorf("attendees.xlsx: %w", err)
		}
		switch {
		case c == tag[matched]:
			matched++
			if matched == len(tag) {
				n++
				matched = 0
			}
		case c == tag[0]:
			matched = 1
		default:
			matched = 0
		}
	}
}
