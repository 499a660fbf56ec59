package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/benchtest"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/ticket"
)

// BenchmarkRegister registers guests from 64 goroutines through the group
// commit, as a registration opening does, every third with a session, names
// and addresses in random order as real ones come. It reports the CPU time
// per registration beside the wall clock.
func BenchmarkRegister(b *testing.B) {
	ctx := context.Background()
	s := openStore(b)
	e := programme.Demo(time.Now())
	e.Capacity = nil
	var session string
	for _, se := range e.Sessions {
		if se.Capacity != nil {
			session = se.ID
			break
		}
	}
	ev := saveEvent(b, s, e)
	var next atomic.Int64
	input := func(i int64) registration.Input {
		r := rand.Uint64()
		in := registration.Input{
			FirstName: givenNames[r%uint64(len(givenNames))], LastName: fmt.Sprintf("%s %x", familyNames[(r>>8)%uint64(len(familyNames))], r>>16),
			Email: fmt.Sprintf("%x@example.org", r), Organisation: orgs[(r>>4)%uint64(len(orgs))], Country: "DE", Language: "en",
			Answers: map[string]any{"industry": "research"}, Consent: true,
		}
		if i%3 == 0 {
			in.Sessions = []string{session}
		}
		return in
	}
	b.ResetTimer()
	start := benchtest.ProcessCPU()
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				if _, _, err := s.Register(ctx, ev, input(i)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	benchtest.ReportCPU(b, start)
}

// TestRegistrationIDs: each new registration's ticket code holds its own
// id; the ids of concurrent registrations are unique and follow the order
// in which they were written, so that every confirmed registration of a
// full event has a lower id than every waitlisted one; rows written by
// other means and a restart change nothing of that.
func TestRegistrationIDs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	e := programme.Demo(time.Now())
	ten := 10
	e.Capacity = &ten
	ev := saveEvent(t, s, e)
	guest := func(n int) registration.Input {
		return registration.Input{FirstName: "Guest", LastName: fmt.Sprint(n), Email: fmt.Sprintf("guest%d@example.org", n),
			Country: "DE", Language: "en", Answers: map[string]any{"industry": "research"}, Consent: true}
	}
	check := func(reg *registration.Registration) {
		t.Helper()
		stored, err := s.GetRegistration(ctx, reg.ID)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ticket.Verify(ev.TicketPublicKey, stored.TicketCode)
		if err != nil || c.RegistrationID != reg.ID || c.EventID != ev.ID {
			t.Errorf("registration %d has a code for %+v, %v", reg.ID, c, err)
		}
	}
	var (
		mu     sync.Mutex
		ids    = map[int64]bool{}
		status = map[string][]int64{}
		wg     sync.WaitGroup
	)
	for n := range 40 {
		wg.Go(func() {
			reg, _, err := s.Register(ctx, ev, guest(n))
			if err != nil {
				t.Error(err)
				return
			}
			check(reg)
			mu.Lock()
			defer mu.Unlock()
			if ids[reg.ID] {
				t.Errorf("id %d given twice", reg.ID)
			}
			ids[reg.ID] = true
			status[reg.Status] = append(status[reg.Status], reg.ID)
		})
	}
	wg.Wait()
	if len(status["confirmed"]) != 10 || slices.Max(status["confirmed"]) > slices.Min(status["waitlisted"]) {
		t.Errorf("confirmed %v, waitlisted %v: ids do not follow the order of writing", status["confirmed"], status["waitlisted"])
	}
	if _, existing, err := s.Register(ctx, ev, guest(3)); err != nil || !existing {
		t.Fatalf("repeat: existing %v, %v", existing, err)
	}
	fillRegistrations(t, s, ev, 5, 1) // rows the counter knows nothing of
	var top int64
	s.read.QueryRow("SELECT max(id) FROM registrations").Scan(&top)
	reg, _, err := s.Register(ctx, ev, guest(100))
	if err != nil {
		t.Fatal(err)
	}
	if reg.ID != top+1 {
		t.Errorf("after rows written around the counter: id %d, want %d", reg.ID, top+1)
	}
	check(reg)
	s.Close()
	if s, err = Open(ctx, dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	again, _, err := s.Register(ctx, ev, guest(101))
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != reg.ID+1 {
		t.Errorf("after a restart: id %d, want %d", again.ID, reg.ID+1)
	}
	check(again)
}
