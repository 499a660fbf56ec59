package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestCheckpointPassesReaders: a checkpoint that makes a large WAL start
// over does not hold the writer while a long read (an attendee export)
// still reads older pages of it: it gives up after restartWait, and the
// writes go on. Once the reader is done it starts the WAL over, and the
// next write cuts the file back to walLimit.
func TestCheckpointPassesReaders(t *testing.T) {
	defer func(every time.Duration, frames, limit int64) {
		checkpointEvery, walRestartFrames, walLimit = every, frames, limit
	}(checkpointEvery, walRestartFrames, walLimit)
	// No background ticks: the test calls checkpoint itself.
	checkpointEvery, walRestartFrames, walLimit = time.Hour, 16, 64<<10
	s := openStore(t)
	ctx := context.Background()
	// Every write changes its row: SQLite writes no page that an update
	// leaves as it was.
	writes := 0
	write := func(n int) error {
		for i := range n {
			writes++
			value := fmt.Sprint(writes) + strings.Repeat("x", 4000)
			err := s.tx(ctx, func(tx *writeTx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
					ON CONFLICT (key) DO UPDATE SET value = excluded.value`, fmt.Sprint("k", i), value, now())
				return err
			})
			if err != nil {
				return err
			}
		}
		return nil
	}
	if err := write(100); err != nil {
		t.Fatal(err)
	}
	wal := func() int64 {
		t.Helper()
		fi, err := os.Stat(s.Path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	if size := wal(); size <= walLimit {
		t.Fatalf("WAL of %d bytes after 100 writes, want more than %d for this test", size, walLimit)
	}

	// A reader in the middle of a long read, then more writes, so that
	// what it reads is older than the WAL's end.
	reader, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Rollback()
	var n int
	if err := reader.QueryRowContext(ctx, "SELECT count(*) FROM settings").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := write(20); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		s.checkpoint(ctx)
		close(done)
	}()
	// busyTimeout is 10 s: a checkpoint that waited for the reader with
	// the writer's lock would still be waiting at this deadline.
	select {
	case <-done:
	case <-time.After(busyTimeout / 2):
		t.Fatalf("the checkpoint still waits for the reader after %s", busyTimeout/2)
	}
	if err := write(1); err != nil {
		t.Fatalf("a write while the reader reads: %v", err)
	}

	if err := reader.Rollback(); err != nil {
		t.Fatal(err)
	}
	s.checkpoint(ctx)
	if err := write(1); err != nil {
		t.Fatal(err)
	}
	if size := wal(); size > walLimit {
		t.Errorf("WAL of %d bytes after the reader ended and a checkpoint, want at most %d", size, walLimit)
	}
}

// TestWriterSettingsOnEveryConnection: SQLite keeps the writer's WAL
// settings per connection, and database/sql opens a new write connection
// when it throws one away (a transaction that could not be rolled back).
// The new one must not come with SQLite's defaults, which would copy the
// WAL back inside the writer's commits.
func TestWriterSettingsOnEveryConnection(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	for round := range 2 {
		var auto, limit int64
		if err := s.write.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&auto); err != nil {
			t.Fatal(err)
		}
		if err := s.write.QueryRowContext(ctx, "PRAGMA journal_size_limit").Scan(&limit); err != nil {
			t.Fatal(err)
		}
		if auto != 0 || limit != walLimit {
			t.Errorf("write connection %d: wal_autocheckpoint %d, journal_size_limit %d; want 0 and %d", round+1, auto, limit, walLimit)
		}
		// Throw the connection away, as the pool does with a bad one.
		conn, err := s.write.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
	}
}
