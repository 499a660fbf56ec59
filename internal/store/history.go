package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// The history of a registration: what changed after it was made, by whom,
// and what happened to it (emails, scans at the door), for the organisers'
// detail view.

// actorOf is the account that makes the changes of ctx (the web layer
// sets it, WithActor), for the history; none for the attendee or foyer.
func actorOf(ctx context.Context) sql.NullInt64 {
	a, ok := ActorFrom(ctx)
	return sql.NullInt64{Int64: a.UserID, Valid: ok && a.UserID != 0}
}

// logHistory records an entry of a registration's history inside the
// change's transaction.
func logHistory(ctx context.Context, tx *writeTx, regID int64, action string, detail any) error {
	d, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO registration_history (registration_id, at, action, detail, user_id) VALUES (?, ?, ?, ?, ?)",
		regID, now(), action, string(d), actorOf(ctx))
	return err
}

// lastHistoryID is where a transaction's history starts, so that the
// entries its triggers write can be given their actor (claimHistory).
func lastHistoryID(ctx context.Context, tx *writeTx) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM registration_history").Scan(&id)
	return id, err
}

// claimHistory gives the entries that triggers wrote for regID since
// `after` the actor of ctx.
func claimHistory(ctx context.Context, tx *writeTx, regID, after int64) error {
	actor := actorOf(ctx)
	if !actor.Valid {
		return nil
	}
	_, err := tx.ExecContext(ctx, "UPDATE registration_history SET user_id = ? WHERE registration_id = ? AND id > ? AND user_id IS NULL",
		actor, regID, after)
	return err
}

// Kinds of lines of a registration's history.
const (
	HistoryStatus   = "status"   // From, To: registration statuses
	HistorySeat     = "seat"     // Session, From, To: a seat moved up
	HistoryEdit     = "edit"     // Fields: the details changed
	HistorySessions = "sessions" // Added, Dropped: session choices
	HistoryMail     = "mail"     // Mail: an email and its delivery
	HistoryScan     = "scan"     // Scan: a scan at a door, or its undo
)

// TimelineEntry is one line of a registration's history as organisers
// read it.
type TimelineEntry struct {
	At     time.Time
	Action string
	By     string // the organiser's or staff member's name; "" for the attendee or foyer
	// Status, seat and edit details.
	From, To, Session string
	Fields            []string
	Added, Dropped    []string
	Mail              *MailRecord
	Scan              *ScanRecord
}

// MailRecord is an email of the outbox as the history shows it.
type MailRecord struct {
	ID       int64
	Kind     string
	Status   string // queued, sending, sent, failed
	Attempts int
	Error    string
	SentAt   time.Time
}

// ScanRecord is a scan at a door.
type ScanRecord struct {
	Door    string // "" for the entrance, else the session's id
	Kind    string // scan, search, walk_in, undo
	Result  string
	Device  string
	Offline bool
	Note    string
}

// Timeline returns everything that happened to a registration of ev,
// oldest first, for the organisers' page: status changes, seats moved up,
// edits, session changes (from registration_history), emails with their
// delivery, and scans at the doors.
func (s *Store) Timeline(ctx context.Context, ev *Event, id int64) ([]TimelineEntry, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: history: %w", err)
	}
	defer tx.Rollback()
	sessionKeys := map[int64]string{}
	for key, sid := range ev.SessionIDs {
		sessionKeys[sid] = key
	}
	var out []TimelineEntry
	err = eachRow(ctx, tx, `SELECT h.at, h.action, h.detail, coalesce(u.name, '') FROM registration_history h
		LEFT JOIN users u ON u.id = h.user_id WHERE h.registration_id = ? ORDER BY h.id`, []any{id}, func(rows *sql.Rows) error {
		var at, detail string
		var e TimelineEntry
		if err := rows.Scan(&at, &e.Action, &detail, &e.By); err != nil {
			return err
		}
		var d struct {
			From, To       string
			Session        int64
			Fields         []string
			Added, Dropped []string
		}
		json.Unmarshal([]byte(detail), &d)
		e.At, e.From, e.To, e.Fields, e.Added, e.Dropped = parseTime(at), d.From, d.To, d.Fields, d.Added, d.Dropped
		e.Session = sessionKeys[d.Session]
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: history: %w", err)
	}

	err = eachRow(ctx, tx, `SELECT id, kind, status, attempts, last_error, created_at, coalesce(sent_at, '')
		FROM outbox WHERE registration_id = ? ORDER BY id`, []any{id}, func(rows *sql.Rows) error {
		var m MailRecord
		var created, sent string
		if err := rows.Scan(&m.ID, &m.Kind, &m.Status, &m.Attempts, &m.Error, &created, &sent); err != nil {
			return err
		}
		if sent != "" {
			m.SentAt = parseTime(sent)
		}
		out = append(out, TimelineEntry{At: parseTime(created), Action: HistoryMail, Mail: &m})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: history mail: %w", err)
	}

	err = eachRow(ctx, tx, `SELECT s.scanned_at, s.door, s.kind, s.result, s.device, s.offline, s.note, coalesce(u.name, '')
		FROM scans s LEFT JOIN users u ON u.id = s.user_id WHERE s.registration_id = ? ORDER BY s.id`, []any{id}, func(rows *sql.Rows) error {
		var at string
		var door int64
		var sc ScanRecord
		var by string
		if err := rows.Scan(&at, &door, &sc.Kind, &sc.Result, &sc.Device, &sc.Offline, &sc.Note, &by); err != nil {
			return err
		}
		sc.Door = sessionKeys[door]
		out = append(out, TimelineEntry{At: parseTime(at), Action: HistoryScan, By: by, Scan: &sc})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: history scans: %w", err)
	}
	slices.SortStableFunc(out, func(a, b TimelineEntry) int { return a.At.Compare(b.At) })
	return out, nil
}
