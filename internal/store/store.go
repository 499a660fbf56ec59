// Package store holds all of foyer's SQL. It opens the SQLite database with
// one write connection (immediate transactions) and a pool of readers
// (deferred ones, which never take the write lock), applies
// the schema and its numbered migrations, and maps rows to domain types.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"github.com/foyer-events/foyer/internal/metrics"
)

// Sentinel errors that handlers turn into HTTP answers.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	// ErrFull means the event is full and its waiting list is off.
	ErrFull = errors.New("event is full")
	// ErrNotLive means the registration was cancelled or rejected and cannot change.
	ErrNotLive = errors.New("registration is no longer live")
)

// Store is the database. Writes go through a single connection so that
// SQLite never answers "database is locked"; reads use a pool.
type Store struct {
	write  *sql.DB
	read   *sql.DB
	Path   string
	events eventCache
	// defaults caches the installation's organiser defaults.
	defaults organiserDefaults

	mailQueued atomic.Pointer[func()] // see OnMailQueued
	metrics    atomic.Pointer[metrics.Metrics]

	// Integrity is what the check at start found; corrupt is set once a
	// query reports the file damaged (see NoteError).
	Integrity Integrity
	corrupt   atomic.Bool
	// Tightened lists the files and folders whose permissions Open
	// narrowed to the owner.
	Tightened []string

	stopCheckpoints chan struct{}
	checkpointsDone chan struct{}
	registrations   *batches[*registerJob]
	scans           *batches[*scanJob]
	lastBatch       atomic.Int64 // unix nanoseconds of the last group commit, see Busy
	tokens          tokenCache   // owners of API tokens in use, see UserByToken
}

// Open opens (creating if needed) dir/foyer.db and brings its schema up to
// date. The folder, the database and its -wal and -shm files hold personal
// data: they are made readable by their owner only, and if an older
// installation left them open to others, they are narrowed (listed in
// Tightened).
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create data folder: %w", err)
	}
	path := filepath.Join(dir, "foyer.db")
	var tightened []string
	for _, p := range []string{dir, filepath.Join(dir, "mail"), path, path + "-wal", path + "-shm"} {
		changed, err := ownerOnly(p)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		if changed {
			tightened = append(tightened, p)
		}
	}
	s, err := OpenFile(ctx, path)
	if err != nil {
		return nil, err
	}
	s.Tightened = tightened
	return s, nil
}

// ownerOnly takes the group's and others' permissions off a file or folder
// that exists, and reports whether there were any.
func ownerOnly(path string) (bool, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return false, nil
	}
	return true, os.Chmod(path, fi.Mode().Perm()&0o700)
}

// OpenFile opens the database at path.
func OpenFile(ctx context.Context, path string) (*Store, error) {
	// One writer with immediate transactions never meets "database is
	// locked". Readers begin theirs deferred: an immediate one would take
	// the write lock too, and a long read (an export) would hold every
	// registration and scan until it ended. They wait up to the busy
	// timeout for a checkpoint.
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	q.Set("_foreign_keys", "on")
	// Each connection keeps its prepared statements: the same few queries
	// run for every registration and page.
	q.Set("_stmt_cache_size", "64")
	dsn := func(txlock string, cacheKiB int) string {
		q.Set("_txlock", txlock)
		q.Set("_cache_size", fmt.Sprintf("-%d", cacheKiB))
		return "file:" + path + "?" + q.Encode()
	}
	// SQLite gives the -wal and -shm files the database file's mode, so a
	// new database made 0600 here keeps all three private.
	if f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("store: create database: %w", err)
	}
	write, err := sql.Open(writerDriver, dsn("immediate", writerCacheKiB))
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	s := &Store{write: write, Path: path}
	if err := s.checkIntegrity(ctx); err != nil {
		write.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		write.Close()
		if isCorrupt(err) {
			return nil, &CorruptError{Path: path, Problems: []string{err.Error()}}
		}
		return nil, err
	}
	read, err := sql.Open("sqlite3", dsn("deferred", readerCacheKiB))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open readers: %w", err)
	}
	n := max(4, runtime.NumCPU()*2)
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	s.read = read
	s.stopCheckpoints = make(chan struct{})
	s.checkpointsDone = make(chan struct{})
	go s.checkpoints()
	s.registrations = startBatches(s, metrics.WritesRegistrations, s.commitBatch)
	s.scans = startBatches(s, metrics.WritesCheckIns, s.commitScans)
	return s, nil
}

// The most page cache a connection may keep, taken only as used. The
// writer's is large: the random keys of the unique indexes (email, ticket
// code, manage token) touch pages all over them, and SQLite's default
// 2 MiB stops holding them after a few thousand registrations. A reader's
// is smaller: in WAL mode a reader starts cold again after every commit of
// the writer, so a large cache mostly held what one list had read, in
// each of the readers, and after a door rush of 20,000 scans the server
// kept 200 MB of such pages.
const (
	writerCacheKiB = 32768
	readerCacheKiB = 8192
)

// Close closes both connection pools.
func (s *Store) Close() error {
	if s.stopCheckpoints != nil {
		s.registrations.close()
		s.scans.close()
		close(s.stopCheckpoints)
		<-s.checkpointsDone
		// A last full checkpoint leaves a small WAL behind.
		s.write.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	return errors.Join(s.read.Close(), s.write.Close())
}

// Ping reports whether the database answers a query that reads from the
// file (its schema), and whether it was found damaged.
func (s *Store) Ping(ctx context.Context) error {
	var n int
	err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n)
	s.NoteError(err)
	if err == nil && s.Corrupt() {
		err = &CorruptError{Path: s.Path, Problems: []string{"a query found the database damaged"}}
	}
	return err
}

// Backup writes a consistent copy of the live database to path, readable
// by its owner only, and never over an existing file.
func (s *Store) Backup(ctx context.Context, path string) error {
	// VACUUM INTO writes into an empty file as it finds it, keeping the
	// mode it is created with here.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("store: backup: %s already exists", path)
	}
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	f.Close()
	if _, err := s.write.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		os.Remove(path)
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}

// OnMailQueued sets the function called after every commit that queued an
// email: the mail worker's wake-up. It is set once, at start; it must not
// block.
func (s *Store) OnMailQueued(wake func()) { s.mailQueued.Store(&wake) }

// timeFormat is how every time is stored: UTC, fixed width, so that text
// comparison in SQL orders correctly.
const timeFormat = "2006-01-02T15:04:05.000000Z"

func now() string { return time.Now().UTC().Format(timeFormat) }

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	if t, ok := parseStoredTime(s); ok {
		return t
	}
	t, _ := time.Parse(timeFormat, s)
	return t
}

// parseStoredTime reads timeFormat by hand: lists read three times per
// row, and time.Parse is a tenth of reading a 100,000-row export.
func parseStoredTime(s string) (time.Time, bool) {
	if len(s) != len(timeFormat) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
		s[19] != '.' || s[26] != 'Z' {
		return time.Time{}, false
	}
	n := func(from, to int) int {
		v := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d, h, mi, sec, us := n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19), n(20, 26)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || us < 0 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, us*1000, time.UTC), true
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func parseNullTime(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	return parseTime(s.String)
}
