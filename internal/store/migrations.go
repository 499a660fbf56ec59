package store

import (
	"context"
	"fmt"

	foyer "github.com/foyer-events/foyer"
)

// How the schema changes, in one place:
//
//  1. Edit schema.sql, which is always the whole latest schema: a new
//     database gets it in one go.
//  2. Append a migration below with the next number, which brings a
//     database of the previous version to the same state (ALTER TABLE,
//     CREATE TABLE, CREATE INDEX, data changes).
//
// TestMigrationsMatchSchema upgrades a database of the first version and
// compares it with a new one, so a change made in one place only fails.
// Each migration runs in its own transaction and is recorded in
// schema_version. Never edit a migration that has shipped: append another.
// When another change took your number first, renumber yours.
var migrations = []migration{
	{1, "the first schema (schema.sql as released)", ""},
}

// migration is one numbered step of the schema.
type migration struct {
	version int
	about   string // what it changes, for the reader of this list
	sql     string
}

// latestVersion is the version of schema.sql.
func latestVersion() int { return migrations[len(migrations)-1].version }

// migrate applies schema.sql to a new database, or the migrations that an
// older one lacks; it refuses a database from a newer foyer.
func (s *Store) migrate(ctx context.Context) error {
	for i, m := range migrations {
		if m.version != i+1 {
			return fmt.Errorf("store: migration %d is numbered %d; number them 1, 2, 3, … in order", i+1, m.version)
		}
	}
	var exists int
	err := s.write.QueryRowContext(ctx,
		"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").Scan(&exists)
	if err != nil {
		return fmt.Errorf("store: read schema: %w", err)
	}
	if exists == 0 {
		err := s.tx(ctx, func(tx *writeTx) error {
			if _, err := tx.ExecContext(ctx, foyer.Schema); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
				latestVersion(), now())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: apply schema.sql: %w", err)
		}
		return nil
	}
	var version int
	if err := s.write.QueryRowContext(ctx, "SELECT max(version) FROM schema_version").Scan(&version); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if version > latestVersion() {
		return fmt.Errorf("store: database is at schema version %d, newer than this foyer (%d)", version, latestVersion())
	}
	for _, m := range migrations[version:] {
		err := s.tx(ctx, func(tx *writeTx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", m.version, now())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %d (%s): %w", m.version, m.about, err)
		}
	}
	return nil
}
