package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/benchtest"
	"github.com/foyer-events/foyer/internal/checkin"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/ticket"
)

// TestCheckInMigrationNumbersGuests: the migration that brings check-in
// gives the registrations of an older database roster versions in order,
// so that devices fetch them like any other change.
func TestCheckInMigrationNumbersGuests(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	v1, err := os.ReadFile(filepath.Join("testdata", "schema-v1.sql"))
	if err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "foyer.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{string(v1), "INSERT INTO schema_version VALUES (1, 'then')",
		`INSERT INTO events (id, slug, title, timezone, starts_at, ends_at, status, default_language, ticket_private_key,
			ticket_public_key, created_at, updated_at) VALUES (1, 'old', '{}', 'UTC', '', '', 'published', 'en', x'00', x'00', '', '')`,
		`INSERT INTO registrations (event_id, status, first_name, last_name, email, email_key, language, consent_at,
			consent_version, ticket_code, manage_token, queued_at, created_at, updated_at)
			VALUES (1, 'confirmed', 'A', 'B', 'a@b.c', 'a@b.c', 'en', '', '1', 'c1', 't1', '', '', ''),
			       (1, 'confirmed', 'C', 'D', 'c@d.e', 'c@d.e', 'en', '', '1', 'c2', 't2', '', '', '')`} {
		if _, err := old.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	migrated, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer migrated.Close()
	var seqs string
	migrated.read.QueryRow("SELECT group_concat(roster_seq) FROM (SELECT roster_seq FROM registrations ORDER BY id)").Scan(&seqs)
	if seqs != "1,2" {
		t.Errorf("roster_seq of the existing registrations: %s, want 1,2", seqs)
	}
}

// openWithEvent is a store with the demo forum and n registrations.
func openWithEvent(t *testing.T, n int) (*Store, *Event, []*registration.Registration) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := programme.Demo(time.Now())
	if _, err := s.SaveEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	ev, err := s.GetEvent(ctx, e.Slug)
	if err != nil {
		t.Fatal(err)
	}
	var regs []*registration.Registration
	for i := range n {
		reg, _, err := s.Register(ctx, ev, registration.Input{FirstName: "Guest", LastName: fmt.Sprint(i),
			Email: fmt.Sprintf("g%d@example.org", i), Language: "en", Consent: true})
		if err != nil {
			t.Fatal(err)
		}
		regs = append(regs, reg)
	}
	return s, ev, regs
}

func scanOf(ev *Event, code string) Scan {
	v := checkin.Verify(code, ev.ID, ev.TicketPublicKey, func(int64) ed25519.PublicKey { return nil })
	return Scan{Kind: checkin.KindScan, Code: code, Verdict: v, Device: "test", At: time.Now()}
}

// TestSupersededCode: a registration whose code was replaced admits with
// the new code only.
func TestSupersededCode(t *testing.T) {
	ctx := context.Background()
	s, ev, regs := openWithEvent(t, 1)
	newer, err := ticket.Issue(ev.TicketKey, ev.ID, regs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.Exec("UPDATE registrations SET ticket_code = ? WHERE id = ?", newer, regs[0].ID); err != nil {
		t.Fatal(err)
	}
	a, err := s.CheckIn(ctx, ev, scanOf(ev, regs[0].TicketCode))
	if err != nil || a.Result != checkin.Invalid || a.Reason != checkin.Superseded {
		t.Errorf("old code: %+v, %v", a, err)
	}
	a, err = s.CheckIn(ctx, ev, scanOf(ev, newer))
	if err != nil || a.Result != checkin.OK {
		t.Errorf("new code: %+v, %v", a, err)
	}
	// The roster carries the new code's nonce.
	r, err := s.Roster(ctx, ev, 0)
	if err != nil {
		t.Fatal(err)
	}
	if nonce, _ := ticket.Nonce(newer); len(r.Guests) != 1 || r.Guests[0].Ticket != nonce {
		t.Errorf("roster ticket %q, want %q", r.Guests[0].Ticket, nonce)
	}
}

// TestCheckInAllOrder: one device's queue is applied in its order, an undo
// with nothing to undo answering nil.
func TestCheckInAllOrder(t *testing.T) {
	ctx := context.Background()
	s, ev, regs := openWithEvent(t, 2)
	a := scanOf(ev, regs[0].TicketCode)
	b := scanOf(ev, regs[1].TicketCode)
	undo := scanOf(ev, regs[0].TicketCode)
	undo.Kind = checkin.KindUndo
	answers, err := s.CheckInAll(ctx, ev, []Scan{a, undo, a, b, undo, undo})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range answers {
		if x == nil {
			got = append(got, "nothing")
		} else {
			got = append(got, x.Result)
		}
	}
	want := []string{"ok", "undone", "ok", "ok", "undone", "nothing"}
	if !slices.Equal(got, want) {
		t.Errorf("results %v, want %v", got, want)
	}
}

// TestUnverifiedCode: a scan whose code comes unverified (checkin.Claim)
// gets exactly the answer of a verified one in every state, and a code
// that is not the one stored (superseded, forged, for no registration)
// comes back Unverified with nothing written, to be verified and sent
// again.
func TestUnverifiedCode(t *testing.T) {
	ctx := context.Background()
	_, stranger, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	// The same scans on two stores alike: verified on one, unverified
	// on the other.
	type step struct {
		name string
		code func(ev *Event, regs []*registration.Registration) string
	}
	flip := func(code string) string {
		b := []byte(code)
		if b[len(b)-4] == 'A' {
			b[len(b)-4] = 'B'
		} else {
			b[len(b)-4] = 'A'
		}
		return string(b)
	}
	issue := func(key ed25519.PrivateKey, ev *Event, id int64) string {
		code, err := ticket.Issue(key, ev.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	steps := []step{
		{"ok", func(_ *Event, r []*registration.Registration) string { return r[0].TicketCode }},
		{"already checked in", func(_ *Event, r []*registration.Registration) string { return r[0].TicketCode }},
		{"cancelled", func(_ *Event, r []*registration.Registration) string { return r[1].TicketCode }},
		{"waitlisted", func(_ *Event, r []*registration.Registration) string { return r[2].TicketCode }},
		{"pending", func(_ *Event, r []*registration.Registration) string { return r[3].TicketCode }},
		{"superseded", func(_ *Event, r []*registration.Registration) string { return r[4].TicketCode }},
		{"new code", nil}, // the code that replaced the superseded one
		{"one character changed", func(_ *Event, r []*registration.Registration) string { return flip(r[5].TicketCode) }},
		{"forged", func(ev *Event, r []*registration.Registration) string { return issue(stranger, ev, r[5].ID) }},
		{"no such registration", func(ev *Event, _ []*registration.Registration) string { return issue(ev.TicketKey, ev, 99999) }},
	}
	type outcome struct {
		result, reason         string
		reg                    bool
		checkedIn, prev, guest bool
	}
	run := func(unverified bool) []outcome {
		s, ev, regs := openWithEvent(t, 6)
		for i, status := range map[int]string{1: "cancelled", 2: "waitlisted", 3: "pending"} {
			if _, err := s.write.Exec("UPDATE registrations SET status = ? WHERE id = ?", status, regs[i].ID); err != nil {
				t.Fatal(err)
			}
		}
		newer := issue(ev.TicketKey, ev, regs[4].ID)
		if _, err := s.write.Exec("UPDATE registrations SET ticket_code = ? WHERE id = ?", newer, regs[4].ID); err != nil {
			t.Fatal(err)
		}
		var out []outcome
		for i, st := range steps {
			code := newer
			if st.code != nil {
				code = st.code(ev, regs)
			}
			sc := scanOf(ev, code)
			sc.Nonce = fmt.Sprint("n", i)
			if unverified {
				sc.Verdict = checkin.Claim(code, ev.ID, ev.TicketPublicKey, func(int64) ed25519.PublicKey { return nil })
			}
			var before, after int
			s.write.QueryRow("SELECT count(*) FROM scans").Scan(&before)
			a, err := s.CheckIn(ctx, ev, sc)
			if err != nil {
				t.Fatal(err)
			}
			s.write.QueryRow("SELECT count(*) FROM scans").Scan(&after)
			if a.Unverified {
				if after != before {
					t.Errorf("%s: an unverified answer wrote %d scans", st.name, after-before)
				}
				if st.name != "superseded" && st.name != "one character changed" && st.name != "forged" && st.name != "no such registration" {
					t.Errorf("%s: the stored code came back unverified", st.name)
				}
				sc.Verdict = checkin.Verify(code, ev.ID, ev.TicketPublicKey, func(int64) ed25519.PublicKey { return nil })
				if a, err = s.CheckIn(ctx, ev, sc); err != nil || a.Unverified {
					t.Fatalf("%s: verified again: %+v, %v", st.name, a, err)
				}
			} else if unverified && sc.Verdict.Unverified && (st.name == "superseded" || st.name == "forged" || st.name == "no such registration") {
				t.Errorf("%s: taken without its signature: %+v", st.name, a)
			}
			out = append(out, outcome{a.Result, a.Reason, a.RegistrationID != 0, !a.CheckedInAt.IsZero(), a.Previous != nil, a.Guest != nil})
		}
		return out
	}
	verified, unverified := run(false), run(true)
	for i, st := range steps {
		if verified[i] != unverified[i] {
			t.Errorf("%s: unverified %+v, verified %+v", st.name, unverified[i], verified[i])
		}
	}
	want := []string{"ok", "already_checked_in", "cancelled", "waitlisted", "pending", "invalid/superseded", "ok",
		"invalid/signature", "invalid/signature", "invalid/unknown"}
	for i, w := range want {
		got := verified[i].result
		if verified[i].reason != "" {
			got += "/" + verified[i].reason
		}
		if got != w {
			t.Errorf("%s: %s, want %s", steps[i].name, got, w)
		}
	}
}

// TestScanGuest: the guest in a scan's answer, read in the scan's
// transaction before its admission and completed with it, is the guest as
// the roster and searches read it afterwards: seats, admissions at the
// entrance and sessions in the same order, who admitted, offline
// admissions that replace a later one, refusals.
func TestScanGuest(t *testing.T) {
	ctx := context.Background()
	s, ev, _ := openWithEvent(t, 0)
	reg, _, err := s.Register(ctx, ev, registration.Input{FirstName: "Lena", LastName: "Fischer", Organisation: "Example GmbH",
		Email: "lena@example.org", Language: "de", Consent: true, Sessions: []string{"ws-maintenance"}})
	if err != nil {
		t.Fatal(err)
	}
	staff, err := s.CreateUser(ctx, "door@example.org", "Jana Door", "staff", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i, step := range []struct {
		door    string
		staff   int64
		offline time.Duration // > 0: an offline device admitted the guest this long before start
		want    string
	}{
		{"", staff.ID, 0, checkin.OK},
		{"ws-maintenance", 0, 0, checkin.OK},
		{"ws-investment", staff.ID, 0, checkin.NotSignedUp},
		{"keynote-twins", staff.ID, 0, checkin.OK},
		{"", 0, 0, checkin.AlreadyCheckedIn},
		{"", 0, time.Hour, checkin.OK}, // earlier than the admission that stood: it replaces it
		{"keynote-twins", 0, -time.Minute, checkin.AlreadyCheckedIn},
	} {
		sc := scanOf(ev, reg.TicketCode)
		sc.Door, sc.UserID, sc.At = step.door, step.staff, start.Add(time.Duration(i)*time.Second)
		if step.offline != 0 {
			sc.Offline, sc.Admitted, sc.At = true, true, start.Add(-step.offline)
		}
		a, err := s.CheckIn(ctx, ev, sc)
		if err != nil || a.Guest == nil || a.Result != step.want {
			t.Fatalf("step %d, door %q: %+v, %v; want %s", i, step.door, a, err, step.want)
		}
		read, err := s.Guests(ctx, ev, []int64{reg.ID})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a.Guest, read[reg.ID]) {
			t.Errorf("step %d, door %q: the scan's guest\n%+v\nthe guest read\n%+v", i, step.door, a.Guest, read[reg.ID])
		}
	}
	if g, _ := s.Guests(ctx, ev, []int64{reg.ID}); g[reg.ID].Admissions[0].Staff != "" || !g[reg.ID].Admissions[0].Offline ||
		g[reg.ID].Admissions[1].Staff != "Jana Door" && g[reg.ID].Admissions[2].Staff != "Jana Door" {
		t.Errorf("admissions %+v", g[reg.ID].Admissions)
	}
	a, _ := s.CheckIn(ctx, ev, scanOf(ev, reg.TicketCode))
	if g := a.Guest; len(g.Sessions) != 1 || g.Sessions[0].ID != "ws-maintenance" || len(g.Admissions) != 3 || g.CheckedInAt == nil || g.Name == "" || g.Ticket == "" {
		t.Errorf("guest %+v", g)
	}
}

// BenchmarkCheckIn records scans from 64 goroutines through the scan
// group commit, as the doors of a forum do: stored codes of benchGuests
// guests each scanned once, with a repeat of an earlier ticket after every
// fourth. It reports the CPU time per scan beside the wall clock: the
// store's share of a scan, without HTTP (`go test ./internal/store -run
// '^$' -bench CheckIn -benchtime 5000x`).
func BenchmarkCheckIn(b *testing.B) {
	const benchGuests = 4000
	ctx := context.Background()
	s := openStore(b)
	e := programme.Demo(time.Now())
	e.Capacity = nil
	ev := saveEvent(b, s, e)
	codes := make([]string, benchGuests)
	var wg sync.WaitGroup
	for w := range 64 {
		wg.Go(func() {
			for i := w; i < benchGuests; i += 64 {
				reg, _, err := s.Register(ctx, ev, registration.Input{FirstName: "Guest", LastName: fmt.Sprint(i),
					Email: fmt.Sprintf("guest%d@example.org", i), Organisation: "Example GmbH", Language: "en", Consent: true})
				if err != nil {
					b.Error(err)
					return
				}
				codes[i] = reg.TicketCode
			}
		})
	}
	wg.Wait()
	mix := benchtest.ScanMix(b, benchGuests) // the ticket of each scan
	staff, err := s.CreateUser(ctx, "door@example.org", "Door", RoleStaff, "a long enough password")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := benchtest.ProcessCPU()
	var next atomic.Int64
	for range 64 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				v := checkin.Claim(codes[mix[i]], ev.ID, ev.TicketPublicKey, func(int64) ed25519.PublicKey { return nil })
				a, err := s.CheckIn(ctx, ev, Scan{Kind: checkin.KindScan, Code: codes[mix[i]], Verdict: v, UserID: staff.ID,
					Device: "Door", Nonce: fmt.Sprint("n", i), At: time.Now()})
				if err != nil || a.Guest == nil || (a.Result != checkin.OK && a.Result != checkin.AlreadyCheckedIn) {
					b.Errorf("scan %d: %+v, %v", i, a, err)
					return
				}
			}
		})
	}
	wg.Wait()
	benchtest.ReportCPU(b, start)
}

// TestGuestOrder: a guest's seats and admissions come in the order of
// their sessions (the entrance first) whatever order SQLite hands them
// over in, and an admission the scan made takes its place among them.
func TestGuestOrder(t *testing.T) {
	keys := map[int64]string{3: "c", 7: "g", 9: "i"}
	gr := &guestRow{id: 1, seats: []byte(`[{"s":9,"t":"confirmed"},{"s":3,"t":"waitlisted"},{"s":7,"t":"confirmed"}]`),
		admissions: []byte(`[{"d":9,"a":"2026-06-01T10:00:00.000000Z","v":"A","n":"","o":0},{"d":0,"a":"2026-06-01T09:00:00.000000Z","v":"B","n":"","o":0}]`),
		admit:      &rawAdmission{Door: 3, At: "2026-06-01T11:00:00.000000Z", Device: "C"}}
	g, err := gr.guest(keys)
	if err != nil {
		t.Fatal(err)
	}
	var seats, doors []string
	for _, s := range g.Sessions {
		seats = append(seats, s.ID+"="+s.Status)
	}
	for _, a := range g.Admissions {
		doors = append(doors, a.Door+"@"+a.Device)
	}
	if want := []string{"c=waitlisted", "g=confirmed", "i=confirmed"}; !slices.Equal(seats, want) {
		t.Errorf("seats %v, want %v", seats, want)
	}
	if want := []string{"@B", "c@C", "i@A"}; !slices.Equal(doors, want) {
		t.Errorf("admissions %v, want %v", doors, want)
	}
	if g.CheckedInAt == nil || g.CheckedInAt.Hour() != 9 {
		t.Errorf("checked in at %v, want the entrance's 09:00", g.CheckedInAt)
	}
}
