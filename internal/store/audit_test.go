package store

import (
	"context"
	"strings"
	"testing"
)

// A change made for an organiser that its store function does not
// describe is still on record, by the request that made it; a change made
// for nobody signed in or for staff is not.
func TestUndescribedChangesAreAudited(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	organiser := WithActor(ctx, Actor{UserID: 7, Email: "org@example.org", Role: RoleOrganiser, From: "192.0.2.7", Request: "POST /api/v1/something"})
	staff := WithActor(ctx, Actor{UserID: 8, Email: "door@example.org", Role: RoleStaff, Request: "POST /api/v1/checkin"})
	write := func(ctx context.Context) {
		t.Helper()
		err := s.tx(ctx, func(tx *writeTx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value, updated_at) VALUES ('x', '1', '') ON CONFLICT (key) DO UPDATE SET value = value + 1")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	write(organiser)
	write(staff)
	write(ctx)
	// Reading changes nothing and leaves no entry.
	if err := s.tx(organiser, func(tx *writeTx) error { _, err := queryInt(organiser, tx, "SELECT count(*) FROM users"); return err }); err != nil {
		t.Fatal(err)
	}
	entries, err := s.AuditLog(ctx, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("%d entries, want the organiser's one: %+v", len(entries), entries)
	}
	e := entries[0]
	if e.Action != AuditRequest || e.Target != "POST /api/v1/something" || e.Actor != "org@example.org" || e.ActorID != 7 || e.From != "192.0.2.7" {
		t.Errorf("entry %+v", e)
	}
}

// The database itself refuses to change or delete an entry, except to
// remove personal data from it.
func TestAuditLogCannotBeChanged(t *testing.T) {
	s := openStore(t)
	ctx := WithActor(context.Background(), Actor{UserID: 1, Email: "admin@example.org", Role: RoleAdmin})
	if err := s.Audit(ctx, AuditExport, "forum", "attendees.csv", map[string]Change{"rows": {After: 3}}); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"DELETE FROM audit_log",
		"UPDATE audit_log SET actor = 'someone@else.org'",
		"UPDATE audit_log SET action = 'nothing', redacted = 1",
		"UPDATE audit_log SET at = '2000-01-01T00:00:00.000000Z'",
	} {
		_, err := s.write.Exec(stmt)
		if err == nil || !strings.Contains(err.Error(), "audit log entries cannot be") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	// Redaction: only the changes, once.
	if _, err := s.write.Exec("UPDATE audit_log SET changes = '{}', redacted = 1"); err != nil {
		t.Errorf("redaction refused: %v", err)
	}
	if _, err := s.write.Exec("UPDATE audit_log SET changes = '{\"x\":1}', redacted = 1"); err == nil {
		t.Error("a redacted entry was changed again")
	}
}
