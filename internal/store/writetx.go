package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"github.com/mattn/go-sqlite3"
)

// writeTx is a transaction on the write connection. It remembers whether
// it queued an email, so that its commit can wake the mail worker.
//
// It is the connection itself between BEGIN IMMEDIATE and COMMIT, not a
// database/sql Tx: a Tx starts a goroutine to watch its context, and the
// driver one more for every statement whose context can be cancelled;
// their wake-ups cost the single writer a quarter of its CPU per
// registration (BenchmarkRegister).
//
// Its statements therefore run without cancellation. A cancelled context
// is honoured between statements and at the end instead: the next
// statement fails with the context's error and nothing is committed. A
// statement is never interrupted half-way, which in SQLite would roll the
// whole transaction back underneath the caller and let the statements
// after it write on their own.
type writeTx struct {
	conn       *sql.Conn
	queuedMail bool
	audited    bool // an audit entry was written (see audit.go)
}

// ExecContext runs a statement in the transaction, unless ctx has ended.
func (tx *writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return tx.conn.ExecContext(context.WithoutCancel(ctx), query, args...)
}

// QueryContext runs a query in the transaction, unless ctx has ended.
func (tx *writeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return tx.conn.QueryContext(context.WithoutCancel(ctx), query, args...)
}

// PrepareContext prepares a statement for the transaction, unless ctx has
// ended.
func (tx *writeTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return tx.conn.PrepareContext(context.WithoutCancel(ctx), query)
}

// QueryRowContext runs a query for one row in the transaction. A *sql.Row
// cannot carry an error of ours, so an ended ctx is noticed by the next
// statement or the commit, which then fail.
func (tx *writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.conn.QueryRowContext(context.WithoutCancel(ctx), query, args...)
}

// begin takes the write connection and starts an immediate transaction.
func (s *Store) begin(ctx context.Context) (*writeTx, error) {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	tx := &writeTx{conn: conn}
	if _, err := tx.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		tx.rollback()
		return nil, err
	}
	return tx, nil
}

// commit ends the transaction and gives the connection back. A context
// that has ended commits nothing, as with a database/sql Tx; a commit
// that fails is rolled back.
func (tx *writeTx) commit(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		tx.rollback()
		return err
	}
	if _, err := tx.conn.ExecContext(context.WithoutCancel(ctx), "COMMIT"); err != nil {
		tx.rollback()
		return err
	}
	return tx.conn.Close()
}

// errTxOpen marks a connection that could not be brought back out of its
// transaction; database/sql then closes it instead of reusing it.
var errTxOpen = errors.New("store: transaction still open after ROLLBACK")

// rollback undoes the transaction, if SQLite has not already done so (it
// does by itself after some errors, such as a full disk), and gives the
// connection back. Should even that fail, the connection is thrown away
// rather than handed to the next writer with a transaction open.
func (tx *writeTx) rollback() {
	tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return driver.ErrBadConn
		}
		if c.AutoCommit() {
			return nil
		}
		if _, err := c.Exec("ROLLBACK", nil); err != nil || !c.AutoCommit() {
			return errors.Join(driver.ErrBadConn, errTxOpen, err)
		}
		return nil
	})
	tx.conn.Close()
}

// tx runs fn in one immediate transaction on the write connection. After a
// commit that queued mail it calls the OnMailQueued hook, so no caller has
// to remember to wake the mail worker. A change made for an organiser or
// admin (WithActor) is written to the audit log in the same transaction.
//
// Whatever fn does, the transaction ends before tx returns: an error, an
// ended ctx or a panic roll it back.
func (s *Store) tx(ctx context.Context, fn func(*writeTx) error) (err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			tx.rollback()
		}
	}()
	actor, audit := audited(ctx)
	var before int64
	if audit {
		if before, err = totalChanges(ctx, tx); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	// A change by an organiser or admin that its store function did not
	// describe is still recorded, by the request that made it.
	if audit && !tx.audited {
		after, err := totalChanges(ctx, tx)
		if err == nil && after > before {
			err = tx.audit(ctx, AuditRequest, "", actor.Request, nil)
		}
		if err != nil {
			return err
		}
	}
	done = true
	if err := tx.commit(ctx); err != nil {
		return err
	}
	if tx.queuedMail {
		if wake := s.mailQueued.Load(); wake != nil {
			(*wake)()
		}
	}
	return nil
}
