// Package waittest waits, in tests, for something that happens in another
// goroutine or process: a condition polled until a deadline, never a sleep
// that hopes it was long enough.
//
// It lives in an ordinary .go file so that tests of every package can
// import it; foyer itself never does.
package waittest

import (
	"errors"
	"testing"
	"time"
)

// Until polls cond every 20 ms and fails the test if it is not true
// within timeout.
func Until(t testing.TB, timeout time.Duration, cond func() bool) {
	t.Helper()
	For(t, timeout, func() error {
		if cond() {
			return nil
		}
		return errors.New("condition not met")
	})
}

// For polls check every 20 ms until it returns nil. If it has not within
// timeout, the test fails with the last error check returned, which says
// what was still wrong.
func For(t testing.TB, timeout time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %v", timeout, err)
			return // for a testing.TB whose Fatalf returns
		}
		<-tick.C
	}
}
