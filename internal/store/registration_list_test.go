package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/ticket"
)

// People to fill a list with: German, Chinese and English names, some in
// CJK script, organisations in both languages.
var (
	givenNames  = []string{"Jürgen", "Anna", "Özlem", "Wei", "小明", "芳", "Li", "Sophie", "Hans-Peter", "Émilie", "John", "Zhang", "晓红", "Ingrid"}
	familyNames = []string{"Müller", "Schäfer", "王", "李", "Chen", "Smith", "Groß", "Zhao", "Weiß", "陈", "O'Brien", "Nguyen", "刘", "Becker"}
	orgs        = []string{"Müller & Söhne GmbH", "华为技术有限公司", "Fraunhofer IPA", "Siemens AG", "北京理工大学", "Acme Ltd", "", "=HYPERLINK(\"x\")", "Voith GmbH & Co. KGaA"}
	countries   = []string{"DE", "CN", "DE", "CN", "AT", "CH", "GB", "US", ""}
)

// fillRegistrations writes n registrations of ev straight into the table in
// one transaction, with seats, answers and some status changes: a big list
// in seconds, for tests and benchmarks of reading lists. Registering through
// Register is tested elsewhere; this only needs realistic rows.
func fillRegistrations(t testing.TB, s *Store, ev *Event, n int, seed uint64) {
	t.Helper()
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(seed, 7))
	statuses := []string{"confirmed", "confirmed", "confirmed", "confirmed", "waitlisted", "pending", "cancelled"}
	kinds := []string{"attendee", "attendee", "attendee", "attendee", "speaker", "press", "staff"}
	var signUp []string
	for _, se := range ev.Sessions {
		if se.Capacity != nil {
			signUp = append(signUp, se.ID)
		}
	}
	base := time.Date(2027, 1, 10, 8, 0, 0, 0, time.UTC)
	err := s.tx(ctx, func(tx *writeTx) error {
		var first int64
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) + 1 FROM registrations").Scan(&first); err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO registrations (id, event_id, status, kind, first_name, last_name, email,
			email_key, organisation, job_title, country, language, answers, consent_at, consent_version, ticket_code,
			manage_token, queued_at, created_at, updated_at, search) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '1', ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		seat, err := tx.PrepareContext(ctx, `INSERT INTO registration_sessions (registration_id, session_id, status, queued_at) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		for i := range n {
			id := first + int64(i)
			given, family := givenNames[rnd.IntN(len(givenNames))], familyNames[rnd.IntN(len(familyNames))]
			email := fmt.Sprintf("guest%d@example.org", id)
			org := orgs[rnd.IntN(len(orgs))]
			status := statuses[rnd.IntN(len(statuses))]
			lang := []string{"en", "de", "zh"}[rnd.IntN(3)]
			answers := map[string]any{"industry": []string{"machinery", "automotive", "research"}[rnd.IntN(3)]}
			if rnd.IntN(3) == 0 {
				answers["b2b"] = true
			}
			if rnd.IntN(4) == 0 {
				answers["interpretation"] = []string{"de-zh"}
			}
			if rnd.IntN(5) == 0 {
				answers["dietary"] = []string{"vegetarisch", "清真", "-no nuts", "vegan"}[rnd.IntN(4)]
			}
			a, _ := json.Marshal(answers)
			code, err := ticket.Issue(ev.TicketKey, ev.ID, id)
			if err != nil {
				return err
			}
			at := formatTime(base.Add(time.Duration(i) * 37 * time.Second))
			if _, err := ins.ExecContext(ctx, id, ev.ID, status, kinds[rnd.IntN(len(kinds))], given, family, email,
				registration.EmailKey(email), org, "", countries[rnd.IntN(len(countries))], lang, string(a), at, code,
				NewSecret(24), at, at, at, registration.SearchText(given, family, email, org)); err != nil {
				return err
			}
			if len(signUp) > 0 && registration.Live(status) && rnd.IntN(3) == 0 {
				seatStatus := "confirmed"
				if status != "confirmed" {
					seatStatus = "waitlisted"
				}
				if _, err := seat.ExecContext(ctx, id, ev.SessionIDs[signUp[rnd.IntN(len(signUp))]], seatStatus, at); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// openWithDemo opens a new store with the demo forum.
func openWithDemo(t testing.TB) (*Store, *Event) {
	t.Helper()
	s := openStore(t)
	return s, saveEvent(t, s, programme.Demo(time.Now()))
}

// TestFilters: every filter selects exactly the registrations that a plain
// reading of the rows in Go selects, in the order asked, and a page of the
// list is that slice of the whole.
func TestFilters(t *testing.T) {
	ctx := context.Background()
	s, ev := openWithDemo(t)
	fillRegistrations(t, s, ev, 600, 1)
	var all []*registration.Registration
	if err := s.EachRegistration(ctx, ev, Filter{}, func(r *registration.Registration) error {
		all = append(all, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(all) != 600 {
		t.Fatalf("%d registrations read, want 600", len(all))
	}

	cases := []struct {
		query string
		want  func(r *registration.Registration) bool
	}{
		{"", func(*registration.Registration) bool { return true }},
		{"status=waitlisted", func(r *registration.Registration) bool { return r.Status == "waitlisted" }},
		{"session=ws-maintenance", func(r *registration.Registration) bool { return r.SeatStatus("ws-maintenance") != "" }},
		{"country=cn", func(r *registration.Registration) bool { return r.Country == "CN" }},
		{"kind=press", func(r *registration.Registration) bool { return r.Kind == "press" }},
		{"q=müller", func(r *registration.Registration) bool {
			return r.LastName == "Müller" || strings.HasPrefix(r.Organisation, "Müller")
		}},
		{"q=MÜLLER", func(r *registration.Registration) bool {
			return r.LastName == "Müller" || strings.HasPrefix(r.Organisation, "Müller")
		}},
		{"q=王小明", func(r *registration.Registration) bool { return r.LastName == "王" && r.FirstName == "小明" }},
		{"q=anna+groß", func(r *registration.Registration) bool { return r.FirstName == "Anna" && r.LastName == "Groß" }},
		{"q=söhne", func(r *registration.Registration) bool { return strings.Contains(r.Organisation, "Söhne") }},
		{"q=guest12@", func(r *registration.Registration) bool { return strings.HasPrefix(r.Email, "guest12@") }},
		{"q=50%25", func(*registration.Registration) bool { return false }},
		{"a.industry=research", func(r *registration.Registration) bool { return r.Answers["industry"] == "research" }},
		{"a.b2b=yes", func(r *registration.Registration) bool { return r.Answers["b2b"] == true }},
		{"a.b2b=no", func(r *registration.Registration) bool { return r.Answers["b2b"] != true }},
		{"a.interpretation=de-zh", func(r *registration.Registration) bool { return r.Answers["interpretation"] != nil }},
		{"a.dietary=VEG", func(r *registration.Registration) bool {
			d, _ := r.Answers["dietary"].(string)
			return strings.Contains(strings.ToLower(d), "veg")
		}},
		{"status=confirmed&country=DE&a.industry=machinery", func(r *registration.Registration) bool {
			return r.Status == "confirmed" && r.Country == "DE" && r.Answers["industry"] == "machinery"
		}},
		{"ids=3,5,8,9999", func(r *registration.Registration) bool { return slices.Contains([]int64{3, 5, 8}, r.ID) }},
		{"checked_in=true", func(*registration.Registration) bool { return false }},
		{"checked_in=false", func(*registration.Registration) bool { return true }},
	}
	for _, c := range cases {
		for _, sort := range []string{"", "name", "-created", "organisation", "-country", "status"} {
			q, _ := url.ParseQuery(c.query)
			if sort != "" {
				q.Set("sort", sort)
			}
			f, errs := registration.ParseFilter(q, ev.Event)
			if errs != nil {
				t.Fatalf("%s: %v", c.query, errs)
			}
			var want []int64
			for _, r := range sorted(all, f) {
				if c.want(r) {
					want = append(want, r.ID)
				}
			}
			var got []int64
			if err := s.EachRegistration(ctx, ev, f, func(r *registration.Registration) error {
				got = append(got, r.ID)
				return nil
			}); err != nil {
				t.Fatalf("%s sort %s: %v", c.query, sort, err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s sort %q: %d rows %v…, want %d %v…", c.query, sort, len(got), head(got), len(want), head(want))
			}
			f.Limit, f.Offset = 7, 3
			page, total, err := s.ListRegistrations(ctx, ev, f)
			if err != nil {
				t.Fatal(err)
			}
			if total != len(want) {
				t.Errorf("%s: total %d, want %d", c.query, total, len(want))
			}
			var ids []int64
			for _, r := range page {
				ids = append(ids, r.ID)
			}
			if w := want[min(3, len(want)):min(10, len(want))]; !slices.Equal(ids, w) {
				t.Errorf("%s sort %q: page %v, want %v", c.query, sort, ids, w)
			}
		}
	}

	// The seats come with each row, in the programme's order.
	for _, r := range all {
		var direct []registration.Seat
		rows, err := s.read.Query(`SELECT s.key, rs.status FROM registration_sessions rs JOIN sessions s ON s.id = rs.session_id
			WHERE rs.registration_id = ? ORDER BY s.position`, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var seat registration.Seat
			rows.Scan(&seat.ID, &seat.Status)
			direct = append(direct, seat)
		}
		rows.Close()
		if !slices.Equal(r.Sessions, append([]registration.Seat{}, direct...)) {
			t.Fatalf("registration %d: seats %v, want %v", r.ID, r.Sessions, direct)
		}
	}
}

// sorted orders registrations as f asks, the way SQLite's NOCASE does
// (ASCII letters only).
func sorted(all []*registration.Registration, f Filter) []*registration.Registration {
	out := slices.Clone(all)
	nocase := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'A' && r <= 'Z' {
				return r + 32
			}
			return r
		}, s)
	}
	key := func(r *registration.Registration) []string {
		switch f.Sort {
		case "name":
			return []string{nocase(r.LastName), nocase(r.FirstName)}
		case "organisation":
			return []string{nocase(r.Organisation)}
		case "country":
			return []string{r.Country}
		case "status":
			return []string{r.Status, formatTime(r.CreatedAt)}
		}
		return nil
	}
	slices.SortStableFunc(out, func(a, b *registration.Registration) int {
		c := slices.Compare(key(a), key(b))
		if c == 0 {
			c = int(a.ID - b.ID)
		}
		if f.Desc {
			return -c
		}
		return c
	})
	return out
}

func head(ids []int64) []int64 { return ids[:min(5, len(ids))] }

// BenchmarkList100k reads pages and counts of a 100,000-registration event
// the way the organisers' table does:
//
//	go test ./internal/store -run '^$' -bench List100k -benchtime 20x
func BenchmarkList100k(b *testing.B) {
	ctx := context.Background()
	s, ev := openWithDemo(b)
	fillRegistrations(b, s, ev, 100_000, 2)
	if _, err := s.write.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
	for _, query := range []string{
		"", "offset=50000", "sort=name", "sort=-name&offset=90000", "sort=organisation", "status=confirmed",
		"q=müller", "q=wei+chen", "q=guest4711@", "session=ws-maintenance", "country=CN&sort=name",
		"a.industry=research", "a.interpretation=de-zh", "a.dietary=vegan", "checked_in=false&sort=-created",
	} {
		b.Run(query, func(b *testing.B) {
			q, _ := url.ParseQuery(query)
			f, errs := registration.ParseFilter(q, ev.Event)
			if errs != nil {
				b.Fatal(errs)
			}
			f.Limit = 50
			for b.Loop() {
				if _, _, err := s.ListRegistrations(ctx, ev, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("export-read", func(b *testing.B) {
		for b.Loop() {
			n := 0
			if err := s.EachRegistration(ctx, ev, Filter{}, func(*registration.Registration) error { n++; return nil }); err != nil || n != 100_000 {
				b.Fatal(n, err)
			}
		}
	})
}

// TestSearchFollowsCorrections: a guest who corrects their name is found by
// the new one, not the old.
func TestSearchFollowsCorrections(t *testing.T) {
	ctx := context.Background()
	s, ev := openWithDemo(t)
	in := registration.Input{FirstName: "Anna", LastName: "Schafer", Email: "anna@example.de", Language: "de", Consent: true,
		Answers: map[string]any{"industry": "research"}}
	reg, _, err := s.Register(ctx, ev, in)
	if err != nil {
		t.Fatal(err)
	}
	find := func(q string) int {
		n, err := s.CountRegistrations(ctx, ev, Filter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if find("schafer") != 1 || find("ANNA@EXAMPLE") != 1 {
		t.Fatal("not found by name or email after registering")
	}
	in.LastName, in.Organisation = "Schäfer", "Forschungsinstitut Öko"
	if err := s.UpdateDetails(ctx, ev, reg.ID, in); err != nil {
		t.Fatal(err)
	}
	if find("schafer") != 0 || find("SCHÄFER") != 1 || find("öko") != 1 || find("anna@example.de") != 1 {
		t.Errorf("search after the correction: schafer %d, SCHÄFER %d, öko %d, email %d",
			find("schafer"), find("SCHÄFER"), find("öko"), find("anna@example.de"))
	}
}

// TestEachRegistrationStops: a whole list read ahead stops where the caller
// stops it, by an error or by its context, hands over no row after that,
// and leaves the store usable; a full read gives every row once, in order.
func TestEachRegistrationStops(t *testing.T) {
	ctx := context.Background()
	s, ev := openWithDemo(t)
	fillRegistrations(t, s, ev, 1000, 1)
	var ids []int64
	if err := s.EachRegistration(ctx, ev, Filter{}, func(r *registration.Registration) error {
		ids = append(ids, r.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1000 || !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != 1000 {
		t.Fatalf("%d rows, in order %v", len(ids), slices.IsSorted(ids))
	}

	stop := errors.New("enough")
	n := 0
	err := s.EachRegistration(ctx, ev, Filter{}, func(*registration.Registration) error {
		n++
		if n == 300 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 300 {
		t.Errorf("stopped by the caller: %v after %d rows", err, n)
	}

	cctx, cancel := context.WithCancel(ctx)
	n = 0
	err = s.EachRegistration(cctx, ev, Filter{}, func(*registration.Registration) error {
		n++
		if n == 200 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n >= 1000 {
		t.Errorf("client gone: %v after %d rows", err, n)
	}

	// The store still reads.
	if page, total, err := s.ListRegistrations(ctx, ev, Filter{Limit: 10}); err != nil || len(page) != 10 || total != 1000 {
		t.Fatalf("afterwards: %d of %d, %v", len(page), total, err)
	}
}

// TestReadsLetWritesThrough: a long read (an export, which reads its rows
// in one read transaction) does not hold the writer. A guest registers
// while the list is being read, and the list stays the picture it
// started with.
func TestReadsLetWritesThrough(t *testing.T) {
	s, ev, _ := openWithEvent(t, 3)
	ctx := context.Background()
	rows := 0
	err := s.EachRegistration(ctx, ev, Filter{}, func(*registration.Registration) error {
		if rows++; rows > 1 {
			return nil
		}
		done := make(chan error, 1)
		go func() {
			_, _, err := s.Register(ctx, ev, registration.Input{FirstName: "Late", LastName: "Guest",
				Email: "late@example.org", Language: "en", Consent: true})
			done <- err
		}()
		// The writer would wait for the list up to busyTimeout (10 s).
		select {
		case err := <-done:
			return err
		case <-time.After(busyTimeout / 2):
			return fmt.Errorf("a registration still waits for the list after %s", busyTimeout/2)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if rows != 3 {
		t.Errorf("the list read %d registrations, want the 3 there were when it started", rows)
	}
	n := 0
	if err := s.EachRegistration(ctx, ev, Filter{}, func(*registration.Registration) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("%d registrations after the late one, want 4", n)
	}
}
