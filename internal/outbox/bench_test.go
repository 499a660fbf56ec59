package outbox

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/benchtest"
	"github.com/foyer-events/foyer/internal/logtest"
	"github.com/foyer-events/foyer/internal/mail"
	"github.com/foyer-events/foyer/internal/mailtest"
	"github.com/foyer-events/foyer/internal/registration"
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
	var logs logtest.Buffer
	st, w, ctx, stop := newWorker(b, b.TempDir(), srv.URL(), &logs)
	defer stop()
	if s, ok := w.sender.(*mail.SMTPSender); ok {
		s.TLSConfig = srv.TLSConfig()
	}
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
	waitUntil(b, time.Minute, func() bool { return !st.Busy() })
	b.ResetTimer()
	cpu := benchtest.ProcessCPU()
	w.Start(ctx)
	srv.WaitFor(b, b.N, time.Duration(b.N)*100*time.Millisecond+time.Minute)
	b.ReportMetric(float64(benchtest.ProcessCPU()-cpu)/float64(b.N)/1e3, "cpu-µs/email")
	b.ReportMetric(float64(srv.Connections())/float64(b.N), "connections/email")
}
