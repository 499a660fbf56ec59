package main

import (
	"context"
	"fmt"
	"net/smtp"
	"strings"
	"testing"
	"time"
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
