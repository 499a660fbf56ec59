// Package logtest holds what tests need to read foyer's log while foyer
// still writes it.
//
// It lives in an ordinary .go file so that tests of every package can
// import it; foyer itself never does.
package logtest

import (
	"bytes"
	"sync"
)

// Buffer is a log that a server, worker or process writes from its own
// goroutines while a test reads it. The zero value is ready to use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p to the log.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
