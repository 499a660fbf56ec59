package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestPercentile(t *testing.T) {
	r := &loadResult{}
	for i := 1; i <= 100; i++ {
		r.latency = append(r.latency, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.50, 50 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := r.Percentile(tc.q); got != tc.want {
			t.Errorf("Percentile(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if got := (&loadResult{}).Percentile(0.99); got != 0 {
		t.Errorf("Percentile of nothing = %v, want 0", got)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -20000: "-20,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestOpenLoad: an open loop sends at its rate whatever the answers. Here
// no answer comes before every request has been sent, which a closed loop
// would wait for in vain; and the first request's latency includes that
// whole wait.
func TestOpenLoad(t *testing.T) {
	const count, rate = 20, 1000.0
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var started atomic.Int64
	all := make(chan struct{})
	res := openLoad{rate: rate, count: count, do: func(ctx context.Context, _ int) (string, bool) {
		if started.Add(1) == count {
			close(all)
		}
		select {
		case <-all:
			return "ok", true
		case <-ctx.Done():
			return "not every request was sent", false
		}
	}}.run(ctx)
	if res.Requests != count || res.OK != count {
		t.Fatalf("requests %d, ok %d (%v); want %d each", res.Requests, res.OK, res.Failures, count)
	}
	// The last request was due (count-1)/rate after the first, which
	// waited for it.
	if due := time.Duration((count - 1) / rate * float64(time.Second)); res.Percentile(1) < due {
		t.Errorf("longest latency %s, want at least %s", res.Percentile(1), due)
	}
}

func TestLoadStopsAtMax(t *testing.T) {
	res := load{clients: 8, max: 1000, do: func(context.Context, int) (string, bool) { return "ok", true }}.run(context.Background())
	if res.Requests != 1000 || res.OK != 1000 || res.Outcomes["ok"] != 1000 {
		t.Errorf("requests %d, ok %d, outcomes %v; want 1000 each", res.Requests, res.OK, res.Outcomes)
	}
}

func TestCheckCounts(t *testing.T) {
	spec := eventSpec{capacity: 100, sessionCapacity: 10}
	res := &loadResult{OK: 2000, Outcomes: map[string]int{
		"confirmed": 67, "confirmed seat confirmed": 10, "confirmed seat waitlisted": 23,
		"waitlisted": 1300, "waitlisted seat waitlisted": 600,
	}}
	if got := checkCounts(res, seatCount{Confirmed: 100, Waitlisted: 1900, SessionConfirmed: 10}, spec); got != "" {
		t.Errorf("consistent counts: %s", got)
	}
	if got := checkCounts(res, seatCount{Confirmed: 101, Waitlisted: 1899, SessionConfirmed: 10}, spec); !strings.Contains(got, "101 confirmed, want 100") {
		t.Errorf("oversold event not reported: %q", got)
	}
}

func TestSinkCountsByTag(t *testing.T) {
	s, err := startSink()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	msg := "Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: image/png\r\n\r\nx\r\n--b\r\nContent-Type: text/calendar\r\n\r\nx\r\n--b--\r\n"
	for _, to := range []string{"mail-1@example.org", "mail-2@example.org", "reg-1@example.org"} {
		if err := smtp.SendMail(s.addr, nil, "foyer@localhost", []string{to}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	got := s.Wait(context.Background(), "mail", 2, 5*time.Second)
	if got.Messages != 2 || got.WithQR != 2 || got.WithICS != 2 {
		t.Errorf("mail tally %+v, want 2 messages with QR and .ics", got)
	}
	if n := s.Tally("reg").Messages; n != 1 {
		t.Errorf("reg tally %d, want 1", n)
	}
}

func TestScanMix(t *testing.T) {
	codes := make([]string, checkinGuests)
	for i := range codes {
		codes[i] = fmt.Sprintf("FY1-CODE%05dAAAAAAAA", i)
	}
	mix := scanMix(codes)
	count := map[scanKind]int{}
	seen := map[int]bool{}
	for _, m := range mix {
		count[m.kind]++
		switch m.kind {
		case scanFirst:
			if seen[m.of] || m.code != codes[m.of] {
				t.Fatalf("first scan of ticket %d: seen before or wrong code", m.of)
			}
			seen[m.of] = true
		case scanRepeat:
			if !seen[m.of] || m.code != codes[m.of] {
				t.Fatalf("repeat of ticket %d before its first scan", m.of)
			}
		case scanForged:
			if m.code == codes[m.of] || len(m.code) != len(codes[m.of]) {
				t.Fatalf("forged code %q of %q", m.code, codes[m.of])
			}
		}
	}
	if count[scanFirst] != checkinGuests || count[scanRepeat] != checkinRepeats || count[scanForged] != checkinForged {
		t.Errorf("mix: %v", count)
	}
}

// TestFloorServer: the floor answers its three routes, and the insert floor
// stores each registration it answers, through the same load function the
// register scenario uses.
func TestFloorServer(t *testing.T) {
	static := []byte(strings.Repeat("agenda ", 2000))
	db := filepath.Join(t.TempDir(), "floor.db")
	h, closeDB, err := newFloorHandler(db, static)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := newLoadClient(4)
	var n atomic.Int64
	if why, ok := getter(client, srv.URL+"/static", &n)(context.Background(), 1); !ok || n.Load() != int64(len(static)) {
		t.Errorf("static: %s, %d bytes, want %d", why, n.Load(), len(static))
	}
	if why, ok := getter(client, srv.URL+"/hello", nil)(context.Background(), 1); !ok {
		t.Errorf("hello: %s", why)
	}
	ev := &benchEvent{slug: "x", session: "s1", answers: map[string]any{"q": "a"}}
	res := load{clients: 4, max: 30, do: registrant{client: client, url: srv.URL + "/insert", tag: "floor", event: ev}.register}.run(context.Background())
	if res.OK != 30 || res.Outcomes["confirmed"] != 30 {
		t.Fatalf("insert floor: %d of 30 ok, outcomes %v, failures %v", res.OK, res.Outcomes, res.Failures)
	}
	closeDB()
	conn, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var rows int
	var email string
	if err := conn.QueryRow("SELECT count(*), max(email) FROM registrations").Scan(&rows, &email); err != nil || rows != 30 || email != "floor-0000030@example.org" {
		t.Errorf("floor stored %d rows (last %q), %v; want 30", rows, email, err)
	}
}

// TestFloorHalves: a floor measured in two parts adds them up, and the
// figures come out at the top level of the JSON summary.
func TestFloorHalves(t *testing.T) {
	a := &loadResult{Requests: 10, OK: 9, Elapsed: time.Second, Outcomes: map[string]int{"200": 9}, Failures: map[string]int{"x": 1},
		latency: []time.Duration{3, 1, 2}}
	b := &loadResult{Requests: 20, OK: 20, Elapsed: 3 * time.Second, Outcomes: map[string]int{"200": 20}, latency: []time.Duration{5, 4}}
	m := mergeLoads(a, b)
	if m.OK != 29 || m.Requests != 30 || m.Elapsed != 4*time.Second || m.Outcomes["200"] != 29 || m.Failures["x"] != 1 {
		t.Errorf("merged %+v", m)
	}
	if got := m.Rate(); got != 29.0/4 {
		t.Errorf("rate %v, want %v", got, 29.0/4)
	}
	if got := m.Percentile(1); got != 5 {
		t.Errorf("max latency %v, want 5", got)
	}
	r := Report{Note: "x"}
	r.Figures.merge(Figures{BaselineInsertPerS: ptr(9000), RegistrationsPerS: ptr(5400), RegistrationsRatio: ptr(0.6)})
	r.Figures.merge(Figures{AgendaRatio: ptr(0.7)})
	path := filepath.Join(t.TempDir(), "out.json")
	if err := r.writeJSON(path); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	var top map[string]any
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]float64{"baseline_insert_per_s": 9000, "registrations_per_s": 5400, "registrations_ratio": 0.6, "agenda_ratio": 0.7} {
		if top[k] != want {
			t.Errorf("%s = %v, want %v", k, top[k], want)
		}
	}
	if _, ok := top["baseline_static_per_s"]; ok {
		t.Error("a floor that was not measured is in the summary")
	}
}

// TestExportRowCounts: the export scenario counts a file's rows as Excel
// would, quoted line breaks and "<row" in a cell included, and refuses a
// CSV without its byte order mark.
func TestExportRowCounts(t *testing.T) {
	csvText := "\xEF\xBB\xBFName,Organisation\n王 1,\"Müller & Söhne, \"\"A\"\"\nGmbH\"\nGroß 2,'=1+2\n"
	if n, err := csvRows(strings.NewReader(csvText)); err != nil || n != 2 {
		t.Errorf("csvRows = %d, %v; want 2", n, err)
	}
	if _, err := csvRows(strings.NewReader(csvText[3:])); err == nil {
		t.Error("a CSV without BOM was counted")
	}
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 251; i++ {
		if err := sw.SetRow(fmt.Sprintf("A%d", i), []any{"<row ", i}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if n, err := xlsxRows(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil || n != 250 {
		t.Errorf("xlsxRows = %d, %v; want 250", n, err)
	}
}
