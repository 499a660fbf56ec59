package store

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/foyer-events/foyer/internal/checkin"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/ticket"
)

// checkedInCondition is the SQL of the organiser list's checked_in filter:
// admitted at the entrance.
const checkedInCondition = "EXISTS (SELECT 1 FROM checkins c WHERE c.registration_id = r.id AND c.door = 0)"

// fillCheckIns sets CheckedInAt: the admission at the entrance.
func (s *Store) fillCheckIns(ctx context.Context, byID map[int64]*registration.Registration, in string, ids []any) error {
	rows, err := s.read.QueryContext(ctx, "SELECT registration_id, at FROM checkins WHERE door = 0 AND registration_id IN "+in, ids...)
	if err != nil {
		return fmt.Errorf("store: registration check-ins: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var at string
		if err := rows.Scan(&id, &at); err != nil {
			return err
		}
		t := parseTime(at)
		byID[id].CheckedInAt = &t
	}
	return rows.Err()
}

// Guests returns the door's view of some registrations of an event, by id.
// Ids of other events or of no registration are left out.
func (s *Store) Guests(ctx context.Context, ev *Event, ids []int64) (map[int64]*checkin.Guest, error) {
	out := map[int64]*checkin.Guest{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, ev.ID)
	for _, id := range ids {
		args = append(args, id)
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")"
	guests, err := readGuests(ctx, s.read, ev, byIDs(in), args)
	if err != nil {
		return nil, fmt.Errorf("store: guests: %w", err)
	}
	for _, g := range guests {
		out[g.ID] = g
	}
	return out, nil
}

// Roster is the guest list a check-in device keeps.
type Roster struct {
	// Version is the highest change the list includes; a device asks for
	// the changes since it next time.
	Version int64
	// Full says Guests is the whole list, not only the changes.
	Full   bool
	Guests []*checkin.Guest
}

// Roster returns the guests of an event that changed after version since
// (every guest for 0). A since beyond the current version (a database
// restored from a backup) gets the whole list.
func (s *Store) Roster(ctx context.Context, ev *Event, since int64) (*Roster, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: roster: %w", err)
	}
	defer tx.Rollback()
	r := &Roster{}
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(roster_seq), 0) FROM registrations WHERE event_id = ?", ev.ID).Scan(&r.Version); err != nil {
		return nil, fmt.Errorf("store: roster: %w", err)
	}
	if since <= 0 || since > r.Version {
		since, r.Full = 0, true
	}
	if r.Guests, err = readGuests(ctx, tx, ev, "r.event_id = ? AND r.roster_seq > ?", []any{ev.ID, since}); err != nil {
		return nil, fmt.Errorf("store: roster: %w", err)
	}
	return r, nil
}

// byIDs selects registrations of an event (the first argument) by id (the
// rest). The unary + keeps SQLite from choosing an index on event_id,
// which would walk the whole event instead of looking up a few ids.
func byIDs(in string) string { return "+r.event_id = ? AND r.id IN " + in }

// readGuests reads the guests that where (over registrations r) selects,
// with their seats and admissions, in the order of their last change. One
// statement, so that a scan's answer costs one query and needs no read
// transaction: the seats and admissions of each guest come with its row,
// as JSON.
func readGuests(ctx context.Context, q querier, ev *Event, where string, args []any) ([]*checkin.Guest, error) {
	rows, err := q.QueryContext(ctx, `SELECT r.id, r.first_name, r.last_name, r.organisation, r.status, r.language, r.ticket_code,
		`+guestSeatsJSON+`, `+guestAdmissionsJSON+`
		FROM registrations r WHERE `+where+` ORDER BY r.roster_seq, r.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := ev.sessionKeys()
	var guests []*checkin.Guest
	for rows.Next() {
		var gr guestRow
		if err := rows.Scan(&gr.id, &gr.firstName, &gr.lastName, &gr.organisation, &gr.status, &gr.language, &gr.code,
			&gr.seats, &gr.admissions); err != nil {
			return nil, err
		}
		g, err := gr.guest(keys)
		if err != nil {
			return nil, err
		}
		guests = append(guests, g)
	}
	return guests, rows.Err()
}

// The seats and the admissions of registration r as JSON, for guestRow.
// Their order is set when they are decoded: an ORDER BY inside the
// aggregate makes SQLite sort through a temporary b-tree for every guest,
// which more than doubled the cost of reading one.
const (
	guestSeatsJSON = `(SELECT json_group_array(json_object('s', rs.session_id, 't', rs.status))
			FROM registration_sessions rs WHERE rs.registration_id = r.id)`
	guestAdmissionsJSON = `(SELECT json_group_array(json_object('d', c.door, 'a', c.at, 'v', s.device, 'n', coalesce(u.name, ''), 'o', s.offline))
			FROM checkins c JOIN scans s ON s.id = c.scan_id LEFT JOIN users u ON u.id = s.user_id WHERE c.registration_id = r.id)`
)

// guestRow is a guest as one statement reads it, the seats and admissions
// still JSON: decoding it can wait until the transaction is over.
type guestRow struct {
	id                                                        int64
	firstName, lastName, organisation, status, language, code string
	seats, admissions                                         []byte
	// admit is an admission made after the row was read, in its place
	// among the admissions (by door).
	admit *rawAdmission
}

// rawSeat is a seat as guestSeatsJSON has it.
type rawSeat struct {
	Session int64  `json:"s"`
	Status  string `json:"t"`
}

// rawAdmission is an admission as guestAdmissionsJSON has it.
type rawAdmission struct {
	Door    int64  `json:"d"`
	At      string `json:"a"`
	Device  string `json:"v"`
	Staff   string `json:"n"`
	Offline int    `json:"o"` // 0 or 1, as SQLite keeps it
}

// guest decodes the row; keys names the event's sessions by id.
func (gr *guestRow) guest(keys map[int64]string) (*checkin.Guest, error) {
	g := &checkin.Guest{ID: gr.id, FirstName: gr.firstName, LastName: gr.lastName, Organisation: gr.organisation,
		Status: gr.status, Language: gr.language, Sessions: []checkin.Seat{}, Admissions: []checkin.Admission{}}
	g.Name = (&registration.Registration{FirstName: g.FirstName, LastName: g.LastName, Language: g.Language}).FullName()
	g.Ticket, _ = ticket.Nonce(gr.code)
	if err := guestSeats(g, gr.seats, keys); err != nil {
		return nil, err
	}
	if err := guestAdmissions(g, gr.admissions, gr.admit, keys); err != nil {
		return nil, err
	}
	return g, nil
}

// guestSeats fills in a guest's seats from readGuests' JSON.
func guestSeats(g *checkin.Guest, data []byte, keys map[int64]string) error {
	if string(data) == "[]" {
		return nil
	}
	var seats []rawSeat
	if err := json.Unmarshal(data, &seats); err != nil {
		return fmt.Errorf("seats of %d: %w", g.ID, err)
	}
	slices.SortFunc(seats, func(a, b rawSeat) int { return cmp.Compare(a.Session, b.Session) })
	for _, st := range seats {
		g.Sessions = append(g.Sessions, checkin.Seat{ID: keys[st.Session], Status: st.Status})
	}
	return nil
}

// guestAdmissions fills in a guest's admissions from guestAdmissionsJSON,
// with admit (when not nil) in place of the one at its door.
func guestAdmissions(g *checkin.Guest, data []byte, admit *rawAdmission, keys map[int64]string) error {
	var admissions []rawAdmission
	if string(data) != "[]" {
		if err := json.Unmarshal(data, &admissions); err != nil {
			return fmt.Errorf("admissions of %d: %w", g.ID, err)
		}
	}
	slices.SortFunc(admissions, func(a, b rawAdmission) int { return cmp.Compare(a.Door, b.Door) })
	if admit != nil {
		i := 0
		for i < len(admissions) && admissions[i].Door < admit.Door {
			i++
		}
		if i < len(admissions) && admissions[i].Door == admit.Door {
			admissions[i] = *admit
		} else {
			admissions = slices.Insert(admissions, i, *admit)
		}
	}
	for _, ad := range admissions {
		a := checkin.Admission{Door: keys[ad.Door]}
		a.At, a.Device, a.Staff, a.Offline = parseTime(ad.At), ad.Device, ad.Staff, ad.Offline != 0
		if ad.Door == 0 {
			t := a.At
			g.CheckedInAt = &t
		}
		g.Admissions = append(g.Admissions, a)
	}
	return nil
}

// CheckInStats are an event's check-in figures.
type CheckInStats struct {
	Expected  int // confirmed registrations
	CheckedIn int // admitted at the entrance
	// Duplicates counts admissions of guests who were admitted on another
	// device too, while one of the two was offline.
	Duplicates   int
	OverCapacity int // walk-ins admitted over capacity
	Sessions     []SessionCheckIns
	QuarterHours []QuarterHour // entrance admissions per quarter hour
	Devices      []DeviceScans
	Results      map[string]int // every scan by result
	// DuplicateGuests are the guests admitted twice, with both admissions.
	DuplicateGuests []DuplicateGuest
}

// SessionCheckIns are one session door's figures. Expected is the
// confirmed seats of a session that takes sign-ups, nil for one that
// anybody may enter.
type SessionCheckIns struct {
	ID        string
	Expected  *int
	CheckedIn int
}

// QuarterHour counts entrance admissions from From to 15 minutes later.
type QuarterHour struct {
	From      time.Time
	CheckedIn int
}

// DeviceScans are one device's scans.
type DeviceScans struct {
	Device string
	Scans  int
	OK     int
	Last   time.Time
}

// DuplicateGuest is a guest admitted twice, at one door.
type DuplicateGuest struct {
	Guest      *checkin.Guest
	Door       string
	Admissions []checkin.Admitter
}

// CheckInStats returns the event's check-in figures, read in one snapshot.
func (s *Store) CheckInStats(ctx context.Context, ev *Event) (*CheckInStats, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: check-in stats: %w", err)
	}
	defer tx.Rollback()
	st, err := checkInStats(ctx, tx, ev)
	if err != nil {
		return nil, fmt.Errorf("store: check-in stats: %w", err)
	}
	return st, nil
}

func checkInStats(ctx context.Context, tx *sql.Tx, ev *Event) (*CheckInStats, error) {
	st := &CheckInStats{Results: map[string]int{}}
	err := tx.QueryRowContext(ctx, `SELECT e.confirmed,
		(SELECT count(*) FROM checkins c JOIN registrations r ON r.id = c.registration_id WHERE r.event_id = e.id AND c.door = 0),
		(SELECT count(*) FROM scans WHERE event_id = e.id AND duplicate = 1),
		(SELECT count(*) FROM scans WHERE event_id = e.id AND kind = 'walk_in' AND note <> '')
		FROM events e WHERE e.id = ?`, ev.ID).Scan(&st.Expected, &st.CheckedIn, &st.Duplicates, &st.OverCapacity)
	if err != nil {
		return nil, err
	}
	doors := map[int64]int{}
	if err := eachRow(ctx, tx, `SELECT c.door, count(*) FROM checkins c JOIN registrations r ON r.id = c.registration_id
		WHERE r.event_id = ? AND c.door <> 0 GROUP BY c.door`, []any{ev.ID}, func(rows *sql.Rows) error {
		var door int64
		var n int
		err := rows.Scan(&door, &n)
		doors[door] = n
		return err
	}); err != nil {
		return nil, err
	}
	seats := map[int64]int{}
	if err := eachRow(ctx, tx, "SELECT id, confirmed FROM sessions WHERE event_id = ?", []any{ev.ID}, func(rows *sql.Rows) error {
		var id int64
		var n int
		err := rows.Scan(&id, &n)
		seats[id] = n
		return err
	}); err != nil {
		return nil, err
	}
	for _, se := range ev.Sessions {
		id := ev.SessionIDs[se.ID]
		sc := SessionCheckIns{ID: se.ID, CheckedIn: doors[id]}
		if se.Capacity != nil {
			n := seats[id]
			sc.Expected = &n
		}
		st.Sessions = append(st.Sessions, sc)
	}
	// Stored times are fixed-width UTC text; every time zone's quarter
	// hours are UTC quarter hours too.
	if err := eachRow(ctx, tx, `SELECT substr(c.at, 1, 14) || printf('%02d', (CAST(substr(c.at, 15, 2) AS INTEGER) / 15) * 15) AS q,
		count(*) FROM checkins c JOIN registrations r ON r.id = c.registration_id WHERE r.event_id = ? AND c.door = 0
		GROUP BY q ORDER BY q`, []any{ev.ID}, func(rows *sql.Rows) error {
		var q string
		var qh QuarterHour
		if err := rows.Scan(&q, &qh.CheckedIn); err != nil {
			return err
		}
		qh.From, _ = time.Parse("2006-01-02T15:04", q)
		st.QuarterHours = append(st.QuarterHours, qh)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := eachRow(ctx, tx, `SELECT device, count(*), sum(result = 'ok'), max(scanned_at) FROM scans
		WHERE event_id = ? AND kind <> 'undo' GROUP BY device ORDER BY device`, []any{ev.ID}, func(rows *sql.Rows) error {
		var d DeviceScans
		var last string
		if err := rows.Scan(&d.Device, &d.Scans, &d.OK, &last); err != nil {
			return err
		}
		d.Last = parseTime(last)
		st.Devices = append(st.Devices, d)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := eachRow(ctx, tx, "SELECT result, count(*) FROM scans WHERE event_id = ? AND kind <> 'undo' GROUP BY result",
		[]any{ev.ID}, func(rows *sql.Rows) error {
			var result string
			var n int
			err := rows.Scan(&result, &n)
			st.Results[result] = n
			return err
		}); err != nil {
		return nil, err
	}
	return st, duplicateGuests(ctx, tx, ev, st)
}

// duplicateGuests lists the guests with a duplicate admission: both scans
// that let them in.
func duplicateGuests(ctx context.Context, tx *sql.Tx, ev *Event, st *CheckInStats) error {
	type pair struct {
		reg, door    int64
		first, other checkin.Admitter
	}
	var pairs []pair
	err := eachRow(ctx, tx, `SELECT d.registration_id, d.door, w.scanned_at, w.device, coalesce(wu.name, ''), w.offline,
		d.scanned_at, d.device, coalesce(du.name, ''), d.offline
		FROM scans d JOIN scans w ON w.id = d.first_scan_id
		LEFT JOIN users du ON du.id = d.user_id LEFT JOIN users wu ON wu.id = w.user_id
		WHERE d.event_id = ? AND d.duplicate = 1 AND d.registration_id IS NOT NULL ORDER BY d.scanned_at`, []any{ev.ID},
		func(rows *sql.Rows) error {
			var p pair
			var firstAt, otherAt string
			if err := rows.Scan(&p.reg, &p.door, &firstAt, &p.first.Device, &p.first.Staff, &p.first.Offline,
				&otherAt, &p.other.Device, &p.other.Staff, &p.other.Offline); err != nil {
				return err
			}
			p.first.At, p.other.At = parseTime(firstAt), parseTime(otherAt)
			pairs = append(pairs, p)
			return nil
		})
	if err != nil || len(pairs) == 0 {
		return err
	}
	ids := make([]any, 0, len(pairs)+1)
	ids = append(ids, ev.ID)
	for _, p := range pairs {
		ids = append(ids, p.reg)
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(pairs)), ",") + ")"
	guests, err := readGuests(ctx, tx, ev, byIDs(in), ids)
	if err != nil {
		return err
	}
	byID := map[int64]*checkin.Guest{}
	for _, g := range guests {
		byID[g.ID] = g
	}
	keys := ev.sessionKeys()
	for _, p := range pairs {
		if g := byID[p.reg]; g != nil {
			st.DuplicateGuests = append(st.DuplicateGuests, DuplicateGuest{Guest: g, Door: keys[p.door],
				Admissions: []checkin.Admitter{p.first, p.other}})
		}
	}
	return nil
}

// EventKey returns the slug and ticket public key of the event with that
// id, for telling a genuine ticket of another event from a forged one.
func (s *Store) EventKey(ctx context.Context, id int64) (string, ed25519.PublicKey, error) {
	var slug string
	var pub []byte
	err := s.read.QueryRowContext(ctx, "SELECT slug, ticket_public_key FROM events WHERE id = ?", id).Scan(&slug, &pub)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, ErrNotFound
	}
	if err != nil {
		return "", nil, fmt.Errorf("store: event key: %w", err)
	}
	return slug, ed25519.PublicKey(pub), nil
}
