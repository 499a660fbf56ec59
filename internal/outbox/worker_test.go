package outbox

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/config"
	"github.com/foyer-events/foyer/internal/store"
)

func TestRedact(t *testing.T) {
	err := errors.New(`550 5.1.1 <anna.müller@example.de>: Recipient address rejected; try zhang.wei@example.cn`)
	got := redact(err)
	if strings.Contains(got, "@") || !strings.Contains(got, "550 5.1.1") {
		t.Errorf("redact = %q", got)
	}
}

func TestRetryDelay(t *testing.T) {
	prev := time.Duration(0)
	for attempt := 1; attempt <= 30; attempt++ {
		d := retryDelay(attempt)
		if d <= 0 || d > retryCap {
			t.Fatalf("attempt %d: delay %s outside (0, %s]", attempt, d, retryCap)
		}
		// Jitter takes at most a fifth, so the delay still grows until the cap.
		if attempt <= 8 && d < prev {
			t.Errorf("attempt %d: %s after %s", attempt, d, prev)
		}
		prev = d
	}
	if d := retryDelay(1); d > retryBase {
		t.Errorf("first retry after %s, want at most %s", d, retryBase)
	}
}

// TestQueuedMailWakesWorker: New connects the worker to the store, so a
// registration's commit wakes it with nobody calling it.
func TestQueuedMailWakesWorker(t *testing.T) {
	to := startOutbox(t, forum(nil))
	to.stop() // a worker that is not running keeps the wake-up pending
	st, err := store.Open(context.Background(), to.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w, err := New(st, config.Config{Data: to.dir, BaseURL: "http://foyer.test", MailFrom: "foyer@localhost"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if len(w.wakeup) != 0 {
		t.Fatal("woken before anything was queued")
	}
	ev, err := st.GetEvent(context.Background(), "forum")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Register(context.Background(), ev, guest(1, "en")); err != nil {
		t.Fatal(err)
	}
	if len(w.wakeup) != 1 {
		t.Error("the registration's commit did not wake the worker")
	}
}

// TestWorkerGivesWayToRegistrations: while guests register, the worker
// sends with one connection at a time and rests between emails, so that it
// never takes the CPUs from them; it falls behind, keeps going, and every
// email arrives once the rush is over.
func TestWorkerGivesWayToRegistrations(t *testing.T) {
	to := startOutbox(t, forum(nil))
	// Guests come eight at a time, so that every batch the worker claims
	// has work for all its senders.
	var n int
	// busy: the store said it was busy right after a registration was
	// answered, as the worker sees it during a rush.
	var busy atomic.Bool
	register := func(d time.Duration) {
		for end := time.Now().Add(d); time.Now().Before(end); n += 8 {
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Go(func() {
					to.register(t, "forum", guest(n+i, "en"))
					if to.store.Busy() {
						busy.Store(true)
					}
				})
			}
			wg.Wait()
			time.Sleep(20 * time.Millisecond)
		}
	}
	// The first emails go out before the rush with every sender, and those
	// still being sent when it starts finish; then the count starts.
	register(300 * time.Millisecond)
	to.smtp.PeakConnections()
	before := len(to.smtp.Messages())
	busy.Store(false)
	register(1500 * time.Millisecond)
	if !busy.Load() {
		t.Fatal("the store was never busy right after a registration")
	}
	if peak := to.smtp.PeakConnections(); peak != 1 {
		t.Errorf("%d connections at once to the SMTP server while guests registered, want 1", peak)
	}
	during := len(to.smtp.Messages()) - before
	if during == 0 {
		t.Error("no email went out while guests registered: the worker stopped instead of slowing down")
	}
	to.smtp.WaitFor(t, n, 30*time.Second)
	waitUntil(t, 5*time.Second, func() bool { return !to.store.Busy() })
	t.Logf("%d registrations, %d emails sent during the rush", n, during)
}
