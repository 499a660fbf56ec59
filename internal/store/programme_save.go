package store

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/foyer-events/foyer/internal/programme"
)

// ErrProgramme wraps a programme change that the stored data does not allow,
// such as removing a session that attendees have signed up for.
type ErrProgramme struct{ Problems []programme.Problem }

func (e *ErrProgramme) Error() string {
	return (&programme.Error{Problems: e.Problems}).Error()
}

// SaveEvent creates the event or, when its slug exists, updates it in place:
// rooms, speakers, sessions and questions are matched by their ids, so sign-ups
// and links stay attached. Places that a higher capacity frees go to the
// waiting lists, in order. It returns whether the event was created. The event
// must have passed Validate.
func (s *Store) SaveEvent(ctx context.Context, e *programme.Event) (created bool, err error) {
	// Images handed in as data: URIs are stored as files of foyer's own,
	// made before the transaction: scaling a photo must not hold up the
	// writer.
	images, err := takeImages(e)
	if err != nil {
		return false, err
	}
	err = s.tx(ctx, func(tx *writeTx) error {
		for _, img := range images {
			if err := putMedia(ctx, tx, img); err != nil {
				return err
			}
		}
		var id int64
		err := tx.QueryRowContext(ctx, "SELECT id FROM events WHERE slug = ?", e.Slug).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			created = true
			pub, priv, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO events (slug, title, timezone, starts_at, ends_at, status,
				default_language, ticket_private_key, ticket_public_key, created_at, updated_at)
				VALUES (?, '{}', 'UTC', '', '', 'draft', 'en', ?, ?, ?, ?)`,
				e.Slug, []byte(priv), []byte(pub), now(), now())
			if err != nil {
				return err
			}
			id, _ = res.LastInsertId()
		case err != nil:
			return err
		}
		var old *Event
		if !created {
			if old, err = loadEvent(ctx, tx, e.Slug); err != nil {
				return err
			}
		}
		if err := saveProgramme(ctx, tx, id, e); err != nil {
			return err
		}
		// A raised capacity takes guests from the waiting lists at once.
		saved, err := loadEvent(ctx, tx, e.Slug)
		if err != nil {
			return err
		}
		if err := auditProgramme(ctx, tx, old, saved); err != nil {
			return err
		}
		return rebalance(ctx, tx, saved)
	})
	s.events.forget(e.Slug)
	if err != nil {
		return false, fmt.Errorf("store: save event %s: %w", e.Slug, err)
	}
	return created, nil
}

func saveProgramme(ctx context.Context, tx *writeTx, eventID int64, e *programme.Event) error {
	r := e.Registration
	privacyVersion := r.PrivacyVersion
	if privacyVersion == "" {
		privacyVersion = "1"
	}
	_, err := tx.ExecContext(ctx, `UPDATE events SET title = ?, subtitle = ?, description = ?, venue_name = ?,
		venue_address = ?, timezone = ?, starts_at = ?, ends_at = ?, status = ?, capacity = ?, default_language = ?,
		reg_mode = ?, reg_opens_at = ?, reg_closes_at = ?, waitlist = ?, privacy_version = ?, privacy_text = ?,
		focus_countries = ?, organiser = ?, reminder_days = ?, retention_days = ?, updated_at = ?,
		reminder_sent_at = iif(starts_at = ?, reminder_sent_at, NULL) WHERE id = ?`,
		jsonText(e.Title), jsonText(e.Subtitle), jsonText(e.Description), jsonText(e.Venue.Name), jsonText(e.Venue.Address),
		e.Timezone, formatTime(e.StartsAt.Time), formatTime(e.EndsAt.Time), e.Status, e.Capacity, e.DefaultLanguage,
		r.Mode, nullTime(r.OpensAt.Time), nullTime(r.ClosesAt.Time), r.Waitlist, privacyVersion, jsonText(r.PrivacyText),
		jsonList(r.FocusCountries), jsonText(e.Organiser), r.Reminder(), r.Retention(), now(), formatTime(e.StartsAt.Time), eventID)
	if err != nil {
		return err
	}

	// Rooms first: sessions refer to them.
	roomIDs, goneRooms, err := rooms.save(ctx, tx, eventID, len(e.Rooms), func(i int) (string, []any) {
		r := e.Rooms[i]
		return r.Slug, []any{jsonText(r.Name), r.Capacity, i}
	})
	if err != nil {
		return err
	}
	speakerIDs, goneSpeakers, err := speakers.save(ctx, tx, eventID, len(e.Speakers), func(i int) (string, []any) {
		sp := e.Speakers[i]
		return sp.ID, []any{sp.Name, sp.NativeName, jsonText(sp.Organisation), jsonText(sp.JobTitle), sp.Country, jsonText(sp.Bio), sp.Photo, sp.Email, i}
	})
	if err != nil {
		return err
	}
	sessionIDs, goneSessions, err := sessions.save(ctx, tx, eventID, len(e.Sessions), func(i int) (string, []any) {
		se := e.Sessions[i]
		var room any
		if se.Room != "" {
			room = roomIDs[se.Room]
		}
		return se.ID, []any{se.Kind, room, jsonText(se.Track), se.Language, se.Capacity, formatTime(se.StartsAt.Time),
			formatTime(se.EndsAt.Time), jsonText(se.Title), jsonText(se.Abstract), i}
	})
	if err != nil {
		return err
	}
	for _, se := range e.Sessions {
		id := sessionIDs[se.ID]
		if _, err := tx.ExecContext(ctx, "DELETE FROM session_speakers WHERE session_id = ?", id); err != nil {
			return err
		}
		for j, ss := range se.Speakers {
			_, err := tx.ExecContext(ctx, "INSERT INTO session_speakers (session_id, speaker_id, role, position) VALUES (?, ?, ?, ?)",
				id, speakerIDs[ss.Speaker], ss.Role, j)
			if err != nil {
				return err
			}
		}
	}

	// A capacity may not fall below the places confirmed already: those
	// guests hold tickets, and foyer never takes one back on its own.
	problems, err := capacityConflicts(ctx, tx, eventID, e, sessionIDs)
	if err != nil {
		return err
	}

	// Remove what the new programme no longer has, refusing to drop a session
	// that attendees have signed up for. Sessions go before the rooms and
	// speakers they refer to.
	for key, id := range goneSessions {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM registration_sessions WHERE session_id = ?", id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			problems = append(problems, programme.Problem{Where: fmt.Sprintf("sessions %q", key),
				Key: "programme.error.session_has_attendees", Args: []any{n}})
			delete(goneSessions, key)
		}
	}
	if len(problems) > 0 {
		return &ErrProgramme{Problems: problems}
	}
	for _, gone := range []struct {
		t   parts
		ids map[string]int64
	}{{sessions, goneSessions}, {speakers, goneSpeakers}, {rooms, goneRooms}} {
		if err := gone.t.remove(ctx, tx, gone.ids); err != nil {
			return err
		}
	}

	_, goneQuestions, err := questions.save(ctx, tx, eventID, len(e.Questions), func(i int) (string, []any) {
		q := e.Questions[i]
		options := q.Options
		if options == nil {
			options = []programme.Option{}
		}
		return q.ID, []any{q.Type, q.Required, jsonText(q.Label), jsonText(options), i}
	})
	if err != nil {
		return err
	}
	return questions.remove(ctx, tx, goneQuestions)
}

// parts is a table of an event's parts (rooms, speakers, sessions,
// questions), each row keyed within its event by the id it has in
// programme JSON.
type parts struct {
	table   string
	key     string   // the column holding the programme's id
	columns []string // the columns a programme writes, in the order of its values
}

var (
	rooms     = parts{"rooms", "slug", []string{"name", "capacity", "position"}}
	speakers  = parts{"speakers", "key", []string{"name", "native_name", "organisation", "job_title", "country", "bio", "photo", "email", "position"}}
	sessions  = parts{"sessions", "key", []string{"kind", "room_id", "track", "language", "capacity", "starts_at", "ends_at", "title", "abstract", "position"}}
	questions = parts{"questions", "key", []string{"type", "required", "label", "options", "position"}}
)

// save writes n items of an event: item i gives its key and the values of
// the columns. An item whose key has a row is updated in place, keeping
// its id (and with it sign-ups and links); a new key is inserted. save
// returns the row ids by key, and the rows whose keys the list no longer
// has, for remove.
func (p parts) save(ctx context.Context, tx *writeTx, eventID int64, n int, item func(i int) (string, []any)) (ids, gone map[string]int64, err error) {
	ids, err = scanMap[string, int64](ctx, tx, "SELECT "+p.key+", id FROM "+p.table+" WHERE event_id = ?", []any{eventID})
	if err != nil {
		return nil, nil, err
	}
	gone = maps.Clone(ids)
	update := "UPDATE " + p.table + " SET " + strings.Join(p.columns, " = ?, ") + " = ? WHERE id = ?"
	insert := "INSERT INTO " + p.table + " (" + strings.Join(p.columns, ", ") + ", event_id, " + p.key + ") VALUES (" +
		strings.Repeat("?, ", len(p.columns)+1) + "?)"
	for i := range n {
		key, values := item(i)
		delete(gone, key)
		if id, ok := ids[key]; ok {
			if _, err := tx.ExecContext(ctx, update, append(values, id)...); err != nil {
				return nil, nil, err
			}
			continue
		}
		res, err := tx.ExecContext(ctx, insert, append(values, eventID, key)...)
		if err != nil {
			return nil, nil, err
		}
		if ids[key], err = res.LastInsertId(); err != nil {
			return nil, nil, err
		}
	}
	return ids, gone, nil
}

// remove deletes rows that save reported gone.
func (p parts) remove(ctx context.Context, tx *writeTx, gone map[string]int64) error {
	for _, id := range gone {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+p.table+" WHERE id = ?", id); err != nil {
			return err
		}
	}
	return nil
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return "{}"
	}
	return string(b)
}

// jsonList stores a list as a JSON array, [] when empty.
func jsonList(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	return jsonText(l)
}

func scanText(s string) programme.Text {
	var t programme.Text
	json.Unmarshal([]byte(s), &t)
	if len(t) == 0 {
		return nil
	}
	return t
}

// IsProgrammeConflict reports whether err is a programme change the stored
// data refuses.
func IsProgrammeConflict(err error) (*ErrProgramme, bool) {
	var p *ErrProgramme
	ok := errors.As(err, &p)
	return p, ok
}

// capacityConflicts names every capacity of the new programme that is
// lower than the places confirmed already, with the number.
func capacityConflicts(ctx context.Context, tx *writeTx, eventID int64, e *programme.Event, sessionIDs map[string]int64) ([]programme.Problem, error) {
	var problems []programme.Problem
	conflict := func(where string, capacity *int, query string, id int64) error {
		if capacity == nil {
			return nil
		}
		confirmed, err := queryInt(ctx, tx, query, id)
		if err != nil {
			return err
		}
		if confirmed > *capacity {
			problems = append(problems, programme.Problem{Where: where, Key: "programme.error.capacity_below_confirmed",
				Args: []any{confirmed, *capacity, confirmed}})
		}
		return nil
	}
	if err := conflict("capacity", e.Capacity, "SELECT confirmed FROM events WHERE id = ?", eventID); err != nil {
		return nil, err
	}
	for i, se := range e.Sessions {
		where := fmt.Sprintf("sessions[%d] %q.capacity", i, se.ID)
		if err := conflict(where, se.Capacity, "SELECT confirmed FROM sessions WHERE id = ?", sessionIDs[se.ID]); err != nil {
			return nil, err
		}
	}
	return problems, nil
}

// ProgrammeProblems returns the problems, for view.ProgrammeError.
func (e *ErrProgramme) ProgrammeProblems() []programme.Problem { return e.Problems }

// maxAuditChanges bounds the changes one entry lists: a whole new file
// put over an old one names its first places and how many there were.
const maxAuditChanges = 300

// auditProgramme records a programme's creation (with what it holds) or
// its update (every place that changed, before and after).
func auditProgramme(ctx context.Context, tx *writeTx, old, saved *Event) error {
	target := "event:" + saved.Slug
	if old == nil {
		e := saved.Event
		return tx.audit(ctx, AuditProgrammeCreate, saved.Slug, target, map[string]Change{
			"title":    {After: e.Title},
			"status":   {After: e.Status},
			"rooms":    {After: len(e.Rooms)},
			"speakers": {After: len(e.Speakers)},
			"sessions": {After: len(e.Sessions)},
		})
	}
	changes := trimChanges(diff(old.Event, saved.Event))
	if len(changes) == 0 {
		return tx.audit(ctx, AuditProgrammeUpdate, saved.Slug, target, nil)
	}
	if len(changes) > maxAuditChanges {
		keys := slices.Sorted(maps.Keys(changes))
		for _, k := range keys[maxAuditChanges:] {
			delete(changes, k)
		}
		changes["…"] = Change{After: len(keys) - maxAuditChanges}
	}
	return tx.audit(ctx, AuditProgrammeUpdate, saved.Slug, target, changes)
}
