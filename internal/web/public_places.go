package web

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
)

// placesView is how full an event and its sessions are, as the agenda
// shows it: "full – waiting list" or "only 3 places left".
type placesView struct {
	Event    registration.Places
	Sessions map[string]registration.Places // by session id, for sessions with a capacity
	order    []string                       // the session ids in programme order
}

// key sums the places up for the page cache: the agenda is rendered again
// only when a session or the event changes state or, with few places left,
// count.
func (p placesView) key() string {
	var b strings.Builder
	write := func(id string, pl registration.Places) {
		b.WriteString(id)
		b.WriteByte('=')
		b.WriteString(pl.State)
		if pl.State == registration.PlacesFew {
			b.WriteString(strconv.Itoa(pl.Left))
		}
		b.WriteByte(';')
	}
	write("", p.Event)
	for _, id := range p.order {
		if pl := p.Sessions[id]; pl.State != registration.PlacesOpen {
			write(id, pl)
		}
	}
	return b.String()
}

// seatCounts remembers the confirmed places of each event for a second, so
// that a crowd on the agenda costs the database one read a second, not one
// per guest, and the page still shows a session filling up as it happens.
type seatCounts struct {
	mu     sync.Mutex
	counts map[string]seatCount // by event slug
}

type seatCount struct {
	at       time.Time
	version  string
	event    int
	sessions map[string]int
}

const seatCountsFor = time.Second

// places returns how full ev and its sessions are.
func (s *Server) places(ctx context.Context, ev *store.Event) (placesView, error) {
	sc := &s.seats
	sc.mu.Lock()
	cached, ok := sc.counts[ev.Slug]
	sc.mu.Unlock()
	if !ok || cached.version != ev.Version || time.Since(cached.at) > seatCountsFor {
		event, sessions, err := s.app.Store.SeatCounts(ctx, ev)
		if err != nil {
			return placesView{}, err
		}
		cached = seatCount{at: time.Now(), version: ev.Version, event: event, sessions: sessions}
		sc.mu.Lock()
		if sc.counts == nil || len(sc.counts) > 1000 {
			sc.counts = map[string]seatCount{}
		}
		sc.counts[ev.Slug] = cached
		sc.mu.Unlock()
	}
	p := placesView{Event: registration.PlacesLeft(ev.Capacity, cached.event), Sessions: map[string]registration.Places{}}
	for _, se := range ev.Sessions {
		if se.Capacity != nil {
			p.Sessions[se.ID] = registration.PlacesLeft(se.Capacity, cached.sessions[se.ID])
			p.order = append(p.order, se.ID)
		}
	}
	return p, nil
}
