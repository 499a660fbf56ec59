// Package waittest waits, in tests, for something that happens in another
// goroutine or process: a condition polled until a deadline, never a sleep
// that hopes it was long enough.
//
// It lives in an ordinary .go file so that tests of every package can
// import it; foyer itself never does.
package waittest

import (
	"testing"
	"time"
)

// Until polls cond every 20 ms and fails the test if it is not true
// within timeout.
func Until(t testing.TB, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", timeout)
		}
		<-tick.C
	}
}
