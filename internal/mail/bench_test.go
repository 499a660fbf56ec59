package mail_test

import (
	"context"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/benchtest"
	"github.com/foyer-events/foyer/internal/mail"
	"github.com/foyer-events/foyer/internal/mailtest"
)

// BenchmarkSMTP sends a confirmation-sized message b.N times to the SMTP
// server on loopback, each over a new connection (SMTPSender.Send) or all
// over a kept one (Session.Send), without TLS and with STARTTLS and a
// login. It reports the CPU time of the whole process (client and test
// server) per message.
func BenchmarkSMTP(b *testing.B) {
	for _, tls := range []struct {
		name string
		opts []mailtest.Option
	}{
		{"plain", nil},
		{"starttls", []mailtest.Option{mailtest.WithSTARTTLS(), mailtest.WithAuth("foyer", "s3cret")}},
	} {
		for _, way := range []string{"connection-each", "session"} {
			b.Run(tls.name+"/"+way, func(b *testing.B) {
				srv := mailtest.Start(b, tls.opts...)
				s := urlSender(b, srv)
				m, _ := confirmation(b)
				var send func(context.Context, *mail.Message) error = s.Send
				if way == "session" {
					ss := s.Session()
					defer ss.Close()
					send = ss.Send
				}
				ctx := context.Background()
				b.ResetTimer()
				cpu := benchtest.ProcessCPU()
				for range b.N {
					if err := send(ctx, m); err != nil {
						b.Fatal(err)
					}
				}
				srv.WaitFor(b, b.N, time.Minute)
				b.ReportMetric(float64(benchtest.ProcessCPU()-cpu)/float64(b.N)/1e3, "cpu-µs/msg")
			})
		}
	}
}
