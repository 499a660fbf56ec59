package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// integrityBudget bounds the check at start. PRAGMA quick_check reads every
// page of the file, at roughly a second per gigabyte on a server's disk,
// so a forum's database (tens of megabytes) is checked in well under a
// second; a file so large that the check would hold up the start for
// longer is opened unchecked, and the start says so.
var integrityBudget = 10 * time.Second

// Integrity is what the check at start found out.
type Integrity struct {
	Complete bool          // false: the budget ran out before the check did
	Took     time.Duration //
	Size     int64         // of the database file, in bytes
}

// CorruptError is a database that SQLite reports as damaged. Its message
// says how to get back to a working database.
type CorruptError struct {
	Path     string
	Problems []string // what quick_check or the failing query said
}

func (e *CorruptError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the database %s is damaged: %s", e.Path, strings.Join(e.Problems, "; "))
	fmt.Fprintf(&b, `
foyer does not start on a damaged database, so as not to damage it further.
Restore the latest backup (made with "foyer backup FILE"):
  1. keep the damaged files aside: mv %[1]s %[1]s.damaged, and the same for %[1]s-wal and %[1]s-shm if they exist
  2. copy the backup in its place: cp BACKUP %[1]s && chmod 600 %[1]s
  3. start foyer again (what changed after the backup was made is not in it)
Without a backup, the sqlite3 tool may save what is still readable:
  sqlite3 %[1]s.damaged .recover | sqlite3 %[1]s`, e.Path)
	return b.String()
}

// isCorrupt reports an error by which SQLite says the file is damaged or
// is no database at all.
func isCorrupt(err error) bool {
	var e sqlite3.Error
	return errors.As(err, &e) && (e.Code == sqlite3.ErrCorrupt || e.Code == sqlite3.ErrNotADB)
}

// checkIntegrity runs PRAGMA quick_check within the budget. A damaged file
// is a *CorruptError; a check cut short by the budget is not an error.
func (s *Store) checkIntegrity(ctx context.Context) error {
	start := time.Now()
	if fi, err := os.Stat(s.Path); err == nil {
		s.Integrity.Size = fi.Size()
	}
	budget, cancel := context.WithTimeout(ctx, integrityBudget)
	defer cancel()
	// At most 20 problems: enough to see what is wrong.
	rows, err := s.write.QueryContext(budget, "PRAGMA quick_check(20)")
	var problems []string
	if err == nil {
		for rows.Next() {
			var line string
			if err = rows.Scan(&line); err != nil {
				break
			}
			if line != "ok" {
				problems = append(problems, line)
			}
		}
		if err == nil {
			err = rows.Err()
		}
		rows.Close()
	}
	s.Integrity.Took = time.Since(start)
	switch {
	case budget.Err() != nil && ctx.Err() == nil:
		return nil // cut short: the start reports it
	case isCorrupt(err):
		return &CorruptError{Path: s.Path, Problems: []string{err.Error()}}
	case err != nil:
		return fmt.Errorf("store: integrity check: %w", err)
	case len(problems) > 0:
		return &CorruptError{Path: s.Path, Problems: problems}
	}
	s.Integrity.Complete = true
	return nil
}

// NoteError looks at an error a query returned: one by which SQLite says
// the file is damaged marks the store as corrupt, which the health check
// then reports. It returns whether it did.
func (s *Store) NoteError(err error) bool {
	if err == nil || !isCorrupt(err) {
		return false
	}
	s.corrupt.Store(true)
	return true
}

// Corrupt reports whether a query has found the database damaged since
// it was opened.
func (s *Store) Corrupt() bool { return s.corrupt.Load() }
