package store

import (
	"context"
	"database/sql"
	"fmt"

	foyer "github.com/foyer-events/foyer"
)

// migrations are applied in order after schema.sql; each runs in its own
// transaction and is recorded in schema_version. Never edit one that has
// shipped: add a new one.
var migrations = []string{
	1: "", // schema.sql itself
}

func (s *Store) migrate(ctx context.Context) error {
	var exists int
	err := s.write.QueryRowContext(ctx,
		"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").Scan(&exists)
	if err != nil {
		return fmt.Errorf("store: read schema: %w", err)
	}
	if exists == 0 {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, foyer.Schema); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
				len(migrations)-1, now())
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
	if version > len(migrations)-1 {
		return fmt.Errorf("store: database is at schema version %d, newer than this foyer (%d)", version, len(migrations)-1)
	}
	for v := version + 1; v < len(migrations); v++ {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", v, now())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %d: %w", v, err)
		}
	}
	return nil
}
