package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/mattn/go-sqlite3"
)

// busyTimeout is how long a connection waits for a lock another holds:
// readers for a checkpoint, the writer for another process's write.
const busyTimeout = 10 * time.Second

// The background checkpoint: every checkpointEvery it copies what it can
// of the WAL into the database; once the WAL holds more than
// walRestartFrames it makes the WAL start over, waiting at most
// restartWait for readers; a WAL made to start over is cut back to
// walLimit bytes.
//
// A checkpoint makes the kernel write out the WAL written since the last
// one (SQLite syncs it before copying it), and the writer's appends seem
// to wait behind that: every 100 ms instead of every 500 ms, there is a fifth as
// much to write each time, and scans at a steady 2,500 a second saw a p99
// of 14-27 ms (median of five runs 18 ms) instead of 12-48 ms (median of
// six 25 ms; docs/performance.md).
//
// They are variables so that tests can make a small WAL behave as a large
// one does.
var (
	checkpointEvery  = 100 * time.Millisecond
	walRestartFrames = int64(8192) // 32 MiB of 4 KiB pages
	restartWait      = 25 * time.Millisecond
	walLimit         = int64(32 << 20)
)

// writerDriver opens the write connection with its WAL settings. SQLite
// keeps them per connection, and database/sql opens a new connection when
// it throws one away (a transaction that could not be rolled back), which
// must not come back with SQLite's defaults.
const writerDriver = "sqlite3-foyer-writer"

func init() {
	sql.Register(writerDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		// The writer does not copy the WAL back into the database inside
		// a commit (which stalls every registration waiting behind it);
		// the background checkpoint does. A WAL made to start over is cut
		// back to walLimit.
		_, err := c.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = %d", walLimit), nil)
		return err
	}})
}

func (s *Store) checkpoints() {
	defer close(s.checkpointsDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stopCheckpoints:
			return
		case <-t.C:
			s.checkpoint(context.Background())
		}
	}
}

// checkpoint runs once what the background checkpoint does every tick.
//
// PASSIVE, on a reading connection, never waits for the writer or for
// readers; what it cannot copy now it copies next time. Under steady load
// the WAL is never found idle, though, so it would only grow (and every
// read with it). Once it holds more than walRestartFrames, a RESTART on
// the writer's connection copies the rest and makes the WAL start over;
// most of it was copied already, so the pause is short. RESTART holds the
// write lock while it waits for readers that still read older pages of
// the WAL, such as an attendee export of many seconds: it waits for them
// at most restartWait and otherwise tries again at the next tick, so that
// no registration or scan waits behind a reader.
func (s *Store) checkpoint(ctx context.Context) {
	var busy, frames, copied int64
	if err := s.read.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil {
		return
	}
	if frames <= walRestartFrames {
		return
	}
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", restartWait.Milliseconds())); err != nil {
		return
	}
	conn.ExecContext(ctx, "PRAGMA wal_checkpoint(RESTART)")
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", busyTimeout.Milliseconds())); err != nil {
		// The writer must not go on with the short wait: the pool
		// replaces the connection.
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}
