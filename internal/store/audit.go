package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The audit log: who changed what, when, from where, with the values before
// and after. Entries are written inside the transaction of the change they
// describe, so there is never a change without its entry, nor an entry for
// a change that was rolled back. The database refuses to change or delete
// them (see schema.sql), except to remove an anonymised attendee's personal
// data from them.
//
// Who acts travels in the context (WithActor, set once per request by the
// web layer). A transaction of an organiser or admin that changes rows and
// writes no entry of its own gets a plain one naming the request, so a
// store function that forgets to describe its change still leaves a trace.

// Actor is who makes a change: an account, or nobody signed in, and the
// address the request came from.
type Actor struct {
	UserID int64
	Email  string
	Role   string
	From   string // the client's address
	// Request names what was asked (POST /api/v1/…), for the entry of a
	// change that no store function described.
	Request string
}

type actorKey struct{}

// WithActor returns ctx carrying who acts.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns who acts in ctx.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// audited reports whether changes made with ctx are written to the audit
// log: those of organisers and admins. Staff at the door have the scan log.
func audited(ctx context.Context) (Actor, bool) {
	a, ok := ActorFrom(ctx)
	return a, ok && (a.Role == RoleOrganiser || a.Role == RoleAdmin)
}

// Audit actions, by area.
const (
	AuditProgrammeCreate = "programme.create"
	AuditProgrammeUpdate = "programme.update"
	AuditSettings        = "settings.update"
	AuditMedia           = "media.upload"
	AuditRegistration    = "registration." // + cancel, approve, reject, resend, sessions, edit, anonymise
	AuditExport          = "export"
	AuditMessage         = "message.send"
	AuditPurge           = "event.purge"
	AuditUserCreate      = "user.create"
	AuditUserUpdate      = "user.update"
	AuditUserPassword    = "user.password"
	AuditTokenCreate     = "token.create"
	AuditTokenRevoke     = "token.revoke"
	AuditLoginFailed     = "login.failed"
	AuditLoginLocked     = "login.locked"
	AuditRequest         = "request" // a change no store function described
)

// Change is one value before and after.
type Change struct {
	Before any `json:"before"`
	After  any `json:"after"`
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID       int64             `json:"id"`
	At       time.Time         `json:"at"`
	Actor    string            `json:"actor"` // the account's email, "" for nobody signed in
	ActorID  int64             `json:"actor_id,omitempty"`
	From     string            `json:"from"`
	Action   string            `json:"action"`
	Event    string            `json:"event"`
	Target   string            `json:"target"`
	Changes  map[string]Change `json:"changes"`
	Redacted bool              `json:"redacted,omitempty"`
}

// audit writes an entry for a change made in tx by the actor of ctx (or by
// nobody signed in, for a failed sign-in). event is the event's slug, ""
// for the installation; target names what changed ("registration:42").
func (tx *writeTx) audit(ctx context.Context, action, event, target string, changes map[string]Change) error {
	a, _ := ActorFrom(ctx)
	if changes == nil {
		changes = map[string]Change{}
	}
	data, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	var user any
	if a.UserID != 0 {
		user = a.UserID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (at, user_id, actor, origin, action, event, target, changes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, now(), user, a.Email, a.From, action, event, target, string(data))
	tx.audited = tx.audited || err == nil
	return err
}

// totalChanges is the number of rows the write connection has changed
// since it was opened.
func totalChanges(ctx context.Context, tx *writeTx) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, "SELECT total_changes()").Scan(&n)
	return n, err
}

// Audit writes an entry of its own, for what changes nothing in the
// database but must be on record: an export of personal data.
func (s *Store) Audit(ctx context.Context, action, event, target string, changes map[string]Change) error {
	err := s.tx(ctx, func(tx *writeTx) error { return tx.audit(ctx, action, event, target, changes) })
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	Event  string // an event's slug
	Events bool   // only entries that belong to an event (what organisers see)
	Action string // an action, or its area with a trailing dot ("registration.")
	Actor  string // the account's email
	Target string
	Before int64 // entries older than this id, for the next page
	Limit  int
}

// AuditLog returns entries that f selects, newest first.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	where := []string{"1 = 1"}
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if f.Event != "" {
		add("event = ?", f.Event)
	}
	if f.Events {
		add("event <> ''")
	}
	switch {
	case strings.HasSuffix(f.Action, "."):
		add("substr(action, 1, ?) = ?", len(f.Action), f.Action)
	case f.Action != "":
		add("action = ?", f.Action)
	}
	if f.Actor != "" {
		add("actor = ? COLLATE NOCASE", f.Actor)
	}
	if f.Target != "" {
		add("target = ?", f.Target)
	}
	if f.Before > 0 {
		add("id < ?", f.Before)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	entries, err := scanRows(ctx, s.read, `SELECT id, at, coalesce(user_id, 0), actor, origin, action, event, target, changes, redacted
		FROM audit_log WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT `+strconv.Itoa(f.Limit), args,
		func(rows *sql.Rows) (AuditEntry, error) {
			var e AuditEntry
			var at, changes string
			err := rows.Scan(&e.ID, &at, &e.ActorID, &e.Actor, &e.From, &e.Action, &e.Event, &e.Target, &changes, &e.Redacted)
			e.At = parseTime(at)
			json.Unmarshal([]byte(changes), &e.Changes)
			return e, err
		})
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	return entries, nil
}

// redactAudit removes the values of every entry about target (an
// anonymised registration) and marks them redacted: the names of the
// fields that changed stay, so the log still says what happened.
func redactAudit(ctx context.Context, tx *writeTx, target string) error {
	type entry struct {
		id      int64
		changes string
	}
	entries, err := scanRows(ctx, tx, "SELECT id, changes FROM audit_log WHERE target = ? AND redacted = 0", []any{target},
		func(rows *sql.Rows) (entry, error) {
			var e entry
			err := rows.Scan(&e.id, &e.changes)
			return e, err
		})
	if err != nil {
		return err
	}
	for _, e := range entries {
		var changes map[string]Change
		json.Unmarshal([]byte(e.changes), &changes)
		for k, c := range changes {
			if personalField(k) {
				changes[k] = Change{Before: redactedValue(c.Before), After: redactedValue(c.After)}
			}
		}
		data, _ := json.Marshal(changes)
		if _, err := tx.ExecContext(ctx, "UPDATE audit_log SET changes = ?, redacted = 1 WHERE id = ?", string(data), e.id); err != nil {
			return err
		}
	}
	return nil
}

// personalField reports whether a registration's field holds personal
// data; a status or a session seat does not.
func personalField(name string) bool {
	switch name {
	case "status", "sessions", "kind", "language":
		return false
	}
	return !strings.HasPrefix(name, "sessions.") && !strings.HasPrefix(name, "seat.")
}

func redactedValue(v any) any {
	if v == nil || v == "" {
		return v
	}
	return "(removed)"
}

var _ = sql.ErrNoRows
