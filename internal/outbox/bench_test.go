package outbox

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/benchtest"
	"github.com/foyer-events/foyer/internal/config"
	"github.com/foyer-events/foyer/internal/logtest"
	"github.com/foyer-events/foyer/internal/mail"
	"github.com/foyer-events/foyer/internal/mailtest"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
)

// BenchmarkWorker queues b.N confirmation emails, then starts the mail
// worker and waits until the SMTP server on loopback has them all. It
// reports the CPU time of the whole process per email (the worker
// composing and sending, and the test server receiving) beside the wall
// clock: run with -benchtime 500x or so.
func BenchmarkWorker(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchmarkWorker(b, mailtest.Start(b)) })
	b.Run("starttls", func(b *testing.B) { benchmarkWorker(b, mailtest.Start(b, mailtest.WithSTARTTLS())) })
}

func benchmarkWorker(b *testing.B, srv *mailtest.Server) {
	dir := b.TempDir()
	env := map[string]string{"FOYER_DATA": dir, "FOYER_BASE_URL": "http://foyer.test", "FOYER_SMTP_URL": srv.URL()}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	st, err := store.Open(ctx, cfg.Data)
	if err != nil {
		b.Fatal(err)
	}
	var logs logtest.Buffer
	w, err := New(st, cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		b.Fatal(err)
	}
	if s, ok := w.sender.(*mail.SMTPSender); ok {
		s.TLSConfig = srv.TLSConfig()
	}
	defer func() {
		cancel()
		w.Wait()
		st.Close()
	}()
	if _, err := st.SaveEvent(context.Background(), forum(nil)); err != nil {
		b.Fatal(err)
	}
	ev, err := st.GetEvent(context.Background(), "forum")
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				clean, errs := registration.Validate(guest(int(i), "en"), ev.Event, "en")
				if errs != nil {
					b.Error(errs)
					return
				}
				if _, _, err := st.Register(context.Background(), ev, clean); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	// Registrations make the worker give way for a moment; start after it.
	for st.Busy() {
		time.Sleep(10 * time.Millisecond)
	}
	b.ResetTimer()
	cpu := benchtest.ProcessCPU()
	w.Start(ctx)
	srv.WaitFor(b, b.N, time.Duration(b.N)*100*time.Millisecond+time.Minute)
	b.ReportMetric(float64(benchtest.ProcessCPU()-cpu)/float64(b.N)/1e3, "cpu-µs/email")
	b.ReportMetric(float64(srv.Connections())/float64(b.N), "connections/email")
}
