package outbox

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/config"
	"github.com/foyer-events/foyer/internal/mail"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
)

// panickingSender stands for a mail library that trips over a broken
// connection: it panics on its first calls, then delivers.
type panickingSender struct {
	panics    atomic.Int32
	delivered atomic.Int32
}

func (s *panickingSender) Send(ctx context.Context, m *mail.Message) error {
	if s.panics.Add(-1) >= 0 {
		var w *bytesWriter
		w.Write([]byte(m.Subject)) // nil pointer, like go-mail's part writer
	}
	s.delivered.Add(1)
	return nil
}

type bytesWriter struct{ n int }

func (w *bytesWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// TestPanicInSendIsOneTemporaryFailure: a panic while sending costs that
// message one attempt; the worker keeps running and delivers it later.
func TestPanicInSendIsOneTemporaryFailure(t *testing.T) {
	ctx := context.Background()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"FOYER_DATA": t.TempDir(), "FOYER_BASE_URL": "http://foyer.test"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w, err := New(st, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	sender := &panickingSender{}
	sender.panics.Store(2)
	w.sender = sender

	if _, err := st.SaveEvent(ctx, programme.Demo(time.Now())); err != nil {
		t.Fatal(err)
	}
	ev, err := st.GetEvent(ctx, programme.Demo(time.Now()).Slug)
	if err != nil {
		t.Fatal(err)
	}
	in := registration.Input{FirstName: "Anna", LastName: "Schäfer", Email: "anna@example.org", Country: "DE", Language: "de", Consent: true,
		Answers: map[string]any{"industry": "research"}}
	if _, _, err := st.Register(ctx, ev, in); err != nil {
		t.Fatal(err)
	}

	runCtx, stop := context.WithCancel(ctx)
	w.Start(runCtx)
	deadline := time.Now().Add(20 * time.Second)
	for sender.delivered.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	w.Wait()
	if got := sender.delivered.Load(); got != 1 {
		t.Fatalf("delivered %d times, want once after two panics", got)
	}
	if left := sender.panics.Load(); left >= 0 {
		t.Errorf("the sender was called %d times fewer than expected", left+1)
	}
	if next, err := st.NextMailDue(ctx); err != nil || !next.IsZero() {
		t.Errorf("still queued (next due %v, %v) after delivery", next, err)
	}
}
