package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/foyer-events/foyer/internal/registration"
)

// readAheadBatch is how many rows readAhead hands over at a time, and
// readAheadBatches how many batches may wait: a few hundred rows in memory
// at the most, whatever the list's length.
const (
	readAheadBatch   = 128
	readAheadBatches = 4
)

// readAhead calls fn with every row read reads from rows, in order, while
// the next rows are being read in a goroutine of its own: reading (SQLite
// and decoding a row) and writing (an export's formatting) then share the
// two cores instead of taking turns. An ended ctx (the client went away)
// is noticed every few hundred rows. An error from fn is returned as it
// is, and stops the reading.
func readAhead(ctx context.Context, rows *sql.Rows, read func() (*registration.Registration, error), fn func(*registration.Registration) error) error {
	type batch struct {
		regs []*registration.Registration
		err  error // after the rows of the batch
		last bool
	}
	batches := make(chan batch, readAheadBatches)
	stop := make(chan struct{})
	go func() {
		defer close(batches)
		for {
			b := batch{regs: make([]*registration.Registration, 0, readAheadBatch)}
			for len(b.regs) < readAheadBatch {
				if !rows.Next() {
					b.last = true
					if err := rows.Err(); err != nil {
						b.err = fmt.Errorf("store: list registrations: %w", err)
					}
					break
				}
				r, err := read()
				if err != nil {
					b.err, b.last = err, true
					break
				}
				b.regs = append(b.regs, r)
			}
			select {
			case batches <- b:
			case <-stop:
				return
			}
			if b.last {
				return
			}
		}
	}()
	// The reader is done with rows before the caller closes them.
	defer func() {
		close(stop)
		for range batches {
		}
	}()
	for b := range batches {
		if ctx.Err() != nil {
			return fmt.Errorf("store: list registrations: %w", ctx.Err())
		}
		for _, r := range b.regs {
			if err := fn(r); err != nil {
				return err
			}
		}
		if b.err != nil {
			return b.err
		}
	}
	return nil
}
