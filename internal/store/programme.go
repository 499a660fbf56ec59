package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/foyer-events/foyer/internal/programme"
)

// Event is a stored programme with what only the server knows about it.
type Event struct {
	ID int64
	*programme.Event
	// TicketKey signs this event's tickets; TicketPublicKey verifies them.
	TicketKey       ed25519.PrivateKey
	TicketPublicKey ed25519.PublicKey
	// SessionIDs maps session ids of programme JSON to row ids.
	SessionIDs map[string]int64
	// Version changes whenever the programme does (its updated_at), so
	// anything derived from it can be cached under it.
	Version string
}

// sessionKeys maps the row ids of the event's sessions to their ids in
// programme JSON: SessionIDs the other way round.
func (ev *Event) sessionKeys() map[int64]string {
	keys := make(map[int64]string, len(ev.SessionIDs))
	for key, id := range ev.SessionIDs {
		keys[id] = key
	}
	return keys
}

// EventSlugs lists the slugs of all events, published ones only if asked,
// soonest first.
func (s *Store) EventSlugs(ctx context.Context, publishedOnly bool) ([]string, error) {
	q := "SELECT slug FROM events"
	if publishedOnly {
		q += " WHERE status = 'published'"
	}
	slugs, err := scanRows(ctx, s.read, q+" ORDER BY starts_at, slug", nil, func(rows *sql.Rows) (string, error) {
		var slug string
		err := rows.Scan(&slug)
		return slug, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: list events: %w", err)
	}
	return slugs, nil
}

// eventCache keeps loaded programmes, so that a page or a registration
// does not cost six queries. An entry is trusted for eventRecheck; after
// that one indexed lookup of the event's updated_at tells whether it still
// holds. Changes made through this process drop the entry at once; one made
// by another process (foyer import next to the server) shows within
// eventRecheck.
type eventCache struct {
	mu      sync.Mutex
	entries map[string]*cachedEvent
}

type cachedEvent struct {
	ev      *Event
	checked time.Time
}

const eventRecheck = time.Second

// GetEvent returns the whole programme of the event with that slug, its
// times in the event's time zone, or ErrNotFound. The Event may be shared
// with other callers: treat it as read-only.
func (s *Store) GetEvent(ctx context.Context, slug string) (*Event, error) {
	c := &s.events
	c.mu.Lock()
	entry := c.entries[slug]
	c.mu.Unlock()
	if entry != nil && time.Since(entry.checked) < eventRecheck {
		return entry.ev, nil
	}
	var stamp string
	err := s.read.QueryRowContext(ctx, "SELECT updated_at FROM events WHERE slug = ?", slug).Scan(&stamp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get event %s: %w", slug, err)
	}
	var ev *Event
	if entry != nil && entry.ev.Version == stamp {
		ev = entry.ev
	} else if ev, err = s.loadEventFresh(ctx, slug); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]*cachedEvent{}
	}
	c.entries[slug] = &cachedEvent{ev: ev, checked: time.Now()}
	c.mu.Unlock()
	return ev, nil
}

// forget drops a cached programme after this process changed it.
func (c *eventCache) forget(slug string) {
	c.mu.Lock()
	delete(c.entries, slug)
	c.mu.Unlock()
}

// loadEventFresh reads the programme, its Version included, in one read
// transaction, so the version belongs to what was read.
func (s *Store) loadEventFresh(ctx context.Context, slug string) (*Event, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: get event: %w", err)
	}
	defer tx.Rollback()
	ev, err := loadEvent(ctx, tx, slug)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get event %s: %w", slug, err)
	}
	return ev, nil
}

// querier is what reading needs of a transaction: a read transaction, or
// the write transaction reading what it is about to change.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func loadEvent(ctx context.Context, tx querier, slug string) (*Event, error) {
	e := &programme.Event{Slug: slug}
	ev := &Event{Event: e, SessionIDs: map[string]int64{}}
	var title, subtitle, description, venueName, venueAddress, privacyText, focus, startsAt, endsAt, organiser string
	var reminderDays, retentionDays int
	var opens, closes sql.NullString
	var capacity sql.NullInt64
	var priv, pub []byte
	err := tx.QueryRowContext(ctx, `SELECT id, title, subtitle, description, venue_name, venue_address, timezone,
		starts_at, ends_at, status, capacity, default_language, reg_mode, reg_opens_at, reg_closes_at, waitlist,
		privacy_version, privacy_text, focus_countries, ticket_private_key, ticket_public_key, updated_at,
		organiser, reminder_days, retention_days
		FROM events WHERE slug = ?`, slug).Scan(
		&ev.ID, &title, &subtitle, &description, &venueName, &venueAddress, &e.Timezone, &startsAt, &endsAt,
		&e.Status, &capacity, &e.DefaultLanguage, &e.Registration.Mode, &opens, &closes, &e.Registration.Waitlist,
		&e.Registration.PrivacyVersion, &privacyText, &focus, &priv, &pub, &ev.Version,
		&organiser, &reminderDays, &retentionDays)
	if err != nil {
		return nil, err
	}
	e.Title, e.Subtitle, e.Description = scanText(title), scanText(subtitle), scanText(description)
	e.Venue.Name, e.Venue.Address = scanText(venueName), scanText(venueAddress)
	e.Registration.PrivacyText = scanText(privacyText)
	json.Unmarshal([]byte(focus), &e.Registration.FocusCountries)
	var o programme.Organiser
	if json.Unmarshal([]byte(organiser), &o) == nil && !o.Empty() {
		e.Organiser = &o
	}
	e.Registration.ReminderDays, e.Registration.RetentionDays = &reminderDays, &retentionDays
	e.StartsAt, e.EndsAt = programme.At(parseTime(startsAt)), programme.At(parseTime(endsAt))
	e.Registration.OpensAt, e.Registration.ClosesAt = programme.At(parseNullTime(opens)), programme.At(parseNullTime(closes))
	e.Capacity = intPtr(capacity)
	ev.TicketKey, ev.TicketPublicKey = ed25519.PrivateKey(priv), ed25519.PublicKey(pub)

	byEvent := []any{ev.ID}
	rooms := map[int64]string{}
	err = eachRow(ctx, tx, "SELECT id, slug, name, capacity FROM rooms WHERE event_id = ? ORDER BY position", byEvent, func(rows *sql.Rows) error {
		var id int64
		var r programme.Room
		var name string
		var c sql.NullInt64
		if err := rows.Scan(&id, &r.Slug, &name, &c); err != nil {
			return err
		}
		r.Name, r.Capacity = scanText(name), intPtr(c)
		rooms[id] = r.Slug
		e.Rooms = append(e.Rooms, r)
		return nil
	})
	if err != nil {
		return nil, err
	}

	speakers := map[int64]string{}
	err = eachRow(ctx, tx, `SELECT id, key, name, native_name, organisation, job_title, country, bio, photo, email
		FROM speakers WHERE event_id = ? ORDER BY position`, byEvent, func(rows *sql.Rows) error {
		var id int64
		var sp programme.Speaker
		var bio, org, job string
		if err := rows.Scan(&id, &sp.ID, &sp.Name, &sp.NativeName, &org, &job, &sp.Country, &bio, &sp.Photo, &sp.Email); err != nil {
			return err
		}
		sp.Bio, sp.Organisation, sp.JobTitle = scanText(bio), scanText(org), scanText(job)
		speakers[id] = sp.ID
		e.Speakers = append(e.Speakers, sp)
		return nil
	})
	if err != nil {
		return nil, err
	}

	index := map[int64]int{}
	err = eachRow(ctx, tx, `SELECT id, key, kind, room_id, track, language, capacity, starts_at, ends_at, title, abstract
		FROM sessions WHERE event_id = ? ORDER BY position`, byEvent, func(rows *sql.Rows) error {
		var id int64
		var se programme.Session
		var room sql.NullInt64
		var c sql.NullInt64
		var start, end, title, abstract, track string
		if err := rows.Scan(&id, &se.ID, &se.Kind, &room, &track, &se.Language, &c, &start, &end, &title, &abstract); err != nil {
			return err
		}
		if room.Valid {
			se.Room = rooms[room.Int64]
		}
		se.Capacity = intPtr(c)
		se.StartsAt, se.EndsAt = programme.At(parseTime(start)), programme.At(parseTime(end))
		se.Title, se.Abstract, se.Track = scanText(title), scanText(abstract), scanText(track)
		ev.SessionIDs[se.ID] = id
		index[id] = len(e.Sessions)
		e.Sessions = append(e.Sessions, se)
		return nil
	})
	if err != nil {
		return nil, err
	}

	err = eachRow(ctx, tx, `SELECT ss.session_id, ss.speaker_id, ss.role FROM session_speakers ss
		JOIN sessions s ON s.id = ss.session_id WHERE s.event_id = ? ORDER BY ss.session_id, ss.position`, byEvent, func(rows *sql.Rows) error {
		var sessionID, speakerID int64
		var role string
		if err := rows.Scan(&sessionID, &speakerID, &role); err != nil {
			return err
		}
		se := &e.Sessions[index[sessionID]]
		se.Speakers = append(se.Speakers, programme.SessionSpeaker{Speaker: speakers[speakerID], Role: role})
		return nil
	})
	if err != nil {
		return nil, err
	}

	err = eachRow(ctx, tx, "SELECT key, type, required, label, options FROM questions WHERE event_id = ? ORDER BY position", byEvent,
		func(rows *sql.Rows) error {
			var q programme.Question
			var label, options string
			if err := rows.Scan(&q.ID, &q.Type, &q.Required, &label, &options); err != nil {
				return err
			}
			q.Label = scanText(label)
			json.Unmarshal([]byte(options), &q.Options)
			if len(q.Options) == 0 {
				q.Options = nil
			}
			e.Questions = append(e.Questions, q)
			return nil
		})
	if err != nil {
		return nil, err
	}
	e.InZone()
	return ev, nil
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}
