package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestWriteTxEnds: however a write transaction ends (an error, a panic, a
// context cancelled between statements or before the commit, SQLite
// rolling back by itself, the function rolling back on its own), nothing
// of it is written and the write connection comes back out of the
// transaction, ready for the next writer.
func TestWriteTxEnds(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	// A trigger on the write connection only, with which SQLite rolls the
	// whole transaction back in the middle of a statement.
	if _, err := s.write.ExecContext(ctx, `CREATE TEMP TRIGGER boom BEFORE INSERT ON settings WHEN NEW.key = 'boom'
		BEGIN SELECT RAISE(ROLLBACK, 'boom'); END`); err != nil {
		t.Fatal(err)
	}
	insert := func(ctx context.Context, tx *writeTx, key string) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value, updated_at) VALUES (?, 'v', ?)", key, now())
		return err
	}
	failure := errors.New("failure")
	for _, tc := range []struct {
		name string
		run  func() error
		want error
	}{
		{"error", func() error {
			return s.tx(ctx, func(tx *writeTx) error {
				if err := insert(ctx, tx, "a"); err != nil {
					return err
				}
				return failure
			})
		}, failure},
		{"panic", func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = failure
				}
			}()
			return s.tx(ctx, func(tx *writeTx) error {
				if err := insert(ctx, tx, "a"); err != nil {
					return err
				}
				panic("in the transaction")
			})
		}, failure},
		{"cancelled between statements", func() error {
			ctx, cancel := context.WithCancel(ctx)
			return s.tx(ctx, func(tx *writeTx) error {
				if err := insert(ctx, tx, "a"); err != nil {
					return err
				}
				cancel()
				return insert(ctx, tx, "b")
			})
		}, context.Canceled},
		{"cancelled before the commit", func() error {
			ctx, cancel := context.WithCancel(ctx)
			return s.tx(ctx, func(tx *writeTx) error {
				defer cancel()
				return insert(ctx, tx, "a")
			})
		}, context.Canceled},
		{"rolled back by SQLite", func() error {
			return s.tx(ctx, func(tx *writeTx) error {
				if err := insert(ctx, tx, "a"); err != nil {
					return err
				}
				if err := insert(ctx, tx, "boom"); err != nil {
					return failure
				}
				return nil
			})
		}, failure},
		{"rolled back by SQLite, error ignored", func() error {
			return s.tx(ctx, func(tx *writeTx) error {
				if err := insert(ctx, tx, "a"); err != nil {
					return err
				}
				insert(ctx, tx, "boom")
				return nil
			})
		}, nil},
	} {
		err := tc.run()
		if tc.want != nil && !errors.Is(err, tc.want) || tc.want == nil && err == nil {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		var n int
		if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM settings WHERE key IN ('a', 'b')").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows written", tc.name, n)
		}
		// The next writer gets the connection at once, outside any
		// transaction: its own BEGIN IMMEDIATE and COMMIT succeed.
		next, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = s.tx(next, func(tx *writeTx) error {
			if err := insert(next, tx, "next"); err != nil {
				return err
			}
			_, err := tx.ExecContext(next, "DELETE FROM settings WHERE key IN ('a', 'b', 'next')")
			return err
		})
		cancel()
		if err != nil {
			t.Fatalf("%s: the next transaction: %v", tc.name, err)
		}
	}
}
