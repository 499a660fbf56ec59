package store

import (
	"context"
	"errors"
)

// batches is a group-commit writer: writes of one kind queue for the
// single writer, which takes every one queued (up to maxBatch) and records
// them in one transaction, so that a rush pays for one commit per batch
// instead of one per write.
type batches[J any] struct {
	queue   chan J
	stop    chan struct{}
	stopped chan struct{}
}

// maxBatch bounds how many writes share a transaction, so that other
// writers (the mail worker, cancellations) get the connection in between.
const maxBatch = 64

// errClosed is the answer to a write queued while the store closes.
var errClosed = errors.New("closed")

// startBatches starts the writer of one kind of write (a metrics.Writes…
// kind); commit records a batch and answers each of its jobs.
func startBatches[J any](s *Store, kind string, commit func([]J)) *batches[J] {
	b := &batches[J]{queue: make(chan J), stop: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(b.stopped)
		for {
			var batch []J
			select {
			case j := <-b.queue:
				batch = append(batch, j)
			case <-b.stop:
				return
			}
		fill:
			for len(batch) < maxBatch {
				select {
				case j := <-b.queue:
					batch = append(batch, j)
				default:
					break fill
				}
			}
			s.commitTimed(kind, len(batch), func() { commit(batch) })
		}
	}()
	return b
}

// add queues j for the writer: errClosed once the store closes, ctx's
// error if it ends first.
func (b *batches[J]) add(ctx context.Context, j J) error {
	select {
	case b.queue <- j:
		return nil
	case <-b.stop:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops the writer once its batch is recorded.
func (b *batches[J]) close() {
	close(b.stop)
	<-b.stopped
}
