// Package metrics holds foyer's Prometheus metrics: the HTTP requests,
// registrations and check-ins by result, the database's group commits, the
// outbox, the mail worker, and the Go runtime and process.
//
// One Metrics is built at start and handed to whoever counts. Its methods
// are safe for concurrent use and do nothing on a nil *Metrics, so code and
// tests that run without metrics need no stand-in. Counting is cheap on the
// hot paths: label values are looked up once and kept, so counting a
// request or a registration allocates nothing.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is foyer's registry and the collectors in it.
type Metrics struct {
	registry *prometheus.Registry
	handler  http.Handler

	requests
	registrations results
	checkIns      results
	mailSends     results
	mailConns     prometheus.Counter
	writes        map[string]writeObservers // by kind, read-only after New

	mail     atomic.Pointer[func(context.Context) (Mail, error)]
	version  atomic.Pointer[string]
	mailDesc mailDescs
}

// Results of a registration attempt, as counted by Registration.
const (
	RegistrationConfirmed  = "confirmed"
	RegistrationWaitlisted = "waitlisted"
	RegistrationPending    = "pending"
	RegistrationRepeated   = "already_registered"
	RegistrationFull       = "full"   // event full, no waiting list
	RegistrationClosed     = "closed" // outside the registration window
	RegistrationInvalid    = "invalid"
)

// Outcomes of one attempt to send an email, as counted by MailSend.
const (
	MailSent      = "sent"
	MailRetry     = "retry"     // a temporary failure of this email
	MailFailed    = "failed"    // given up: a permanent failure, or a day of retries
	MailPostponed = "postponed" // not this email's fault: the server or the settings fail every email
)

// New builds foyer's metrics with the Go runtime and process collectors.
func New(log *slog.Logger) *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{registry: r}
	m.requests.init(r)
	m.registrations = newResults(r, "foyer_registrations_total",
		"Registration attempts by result: confirmed, waitlisted, pending, already_registered, full, closed, invalid.",
		RegistrationConfirmed, RegistrationWaitlisted, RegistrationPending, RegistrationRepeated,
		RegistrationFull, RegistrationClosed, RegistrationInvalid)
	m.checkIns = newResults(r, "foyer_checkins_total",
		"Check-in scans by result: ok, already_checked_in, invalid, cancelled, wrong_event, waitlisted, pending, not_signed_up, undone.",
		"ok", "already_checked_in", "invalid", "cancelled", "wrong_event", "waitlisted", "pending", "not_signed_up", "undone")
	m.mailSends = newResults(r, "foyer_mail_sends_total",
		"Attempts to send an email by outcome: sent, retry (a temporary failure of that email), failed (given up), postponed (the server or the settings fail every email).",
		MailSent, MailRetry, MailFailed, MailPostponed)
	m.mailConns = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "foyer_mail_connections_total",
		Help: "SMTP connections the mail worker opened to send emails (the settings' probe not included). Each is kept open for many emails; far fewer than foyer_mail_sends_total.",
	})
	r.MustRegister(m.mailConns)
	batchSize := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "foyer_store_batch_size",
		Help:    "Writes that shared one transaction of the database's group commit, by kind (registrations, checkins).",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64},
	}, []string{"kind"})
	batchCommit := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "foyer_store_batch_seconds",
		Help:    "Time one group-commit transaction took, from its begin to its commit, by kind.",
		Buckets: latencyBuckets,
	}, []string{"kind"})
	writeWait := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "foyer_store_write_wait_seconds",
		Help:    "Time one write spent in the group commit, from joining the queue to its answer, by kind: the price of the single writer.",
		Buckets: latencyBuckets,
	}, []string{"kind"})
	r.MustRegister(batchSize, batchCommit, writeWait)
	m.writes = map[string]writeObservers{}
	for _, kind := range []string{WritesRegistrations, WritesCheckIns} {
		m.writes[kind] = writeObservers{batchSize.WithLabelValues(kind), batchCommit.WithLabelValues(kind), writeWait.WithLabelValues(kind)}
	}
	m.mailDesc = newMailDescs()
	r.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		(*scrapeCollector)(m),
	)
	m.handler = promhttp.HandlerFor(r, promhttp.HandlerOpts{
		// A figure that cannot be read (the database is busy) is left out
		// of one scrape rather than failing all of it.
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      errorLog{log},
	})
	return m
}

// Handler serves the metrics in the Prometheus text format. Who may ask is
// for the caller to decide.
func (m *Metrics) Handler() http.Handler { return m.handler }

// SetVersion sets the version reported by foyer_build_info.
func (m *Metrics) SetVersion(v string) {
	if m != nil {
		m.version.Store(&v)
	}
}

// Registration counts one registration attempt by its result (the
// Registration* constants).
func (m *Metrics) Registration(result string) {
	if m != nil {
		m.registrations.inc(result)
	}
}

// CheckIn counts one answered scan by its result (checkin.OK, …, or
// "undone"). A scan answered again for a repeated nonce is not counted twice.
func (m *Metrics) CheckIn(result string) {
	if m != nil {
		m.checkIns.inc(result)
	}
}

// MailSend counts one attempt to send an email by its outcome (the Mail*
// constants).
func (m *Metrics) MailSend(outcome string) {
	if m != nil {
		m.mailSends.inc(outcome)
	}
}

// MailConnection counts one SMTP connection opened to send emails.
func (m *Metrics) MailConnection() {
	if m != nil {
		m.mailConns.Inc()
	}
}

// Kinds of writes that go through the database's group commit.
const (
	WritesRegistrations = "registrations"
	WritesCheckIns      = "checkins"
)

// writeObservers are the group-commit histograms of one kind of write.
type writeObservers struct{ size, commit, wait prometheus.Observer }

// Batch records one group-commit transaction of a kind of write (the
// Writes* constants) with size writes that took d from begin to commit.
func (m *Metrics) Batch(kind string, size int, d time.Duration) {
	if o, ok := m.writesOf(kind); ok {
		o.size.Observe(float64(size))
		o.commit.Observe(d.Seconds())
	}
}

// WriteWait records how long one write of a kind waited for its group
// commit, from joining the queue to its answer.
func (m *Metrics) WriteWait(kind string, d time.Duration) {
	if o, ok := m.writesOf(kind); ok {
		o.wait.Observe(d.Seconds())
	}
}

func (m *Metrics) writesOf(kind string) (writeObservers, bool) {
	if m == nil {
		return writeObservers{}, false
	}
	o, ok := m.writes[kind]
	return o, ok
}

// latencyBuckets fit foyer's targets (a p99 of 20–25 ms) with room on both
// sides, in seconds.
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// results is a counter by result whose known results are looked up once.
type results struct {
	vec   *prometheus.CounterVec
	known map[string]prometheus.Counter // read-only after newResults
}

func newResults(r *prometheus.Registry, name, help string, known ...string) results {
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"result"})
	r.MustRegister(vec)
	res := results{vec: vec, known: map[string]prometheus.Counter{}}
	for _, k := range known {
		// Known results show as 0 from the start, so that rate() and
		// alerts work before the first of each happens.
		res.known[k] = vec.WithLabelValues(k)
	}
	return res
}

func (r results) inc(result string) {
	if c, ok := r.known[result]; ok {
		c.Inc()
		return
	}
	r.vec.WithLabelValues(result).Inc()
}

// errorLog passes promhttp's errors to foyer's log.
type errorLog struct{ log *slog.Logger }

func (e errorLog) Println(v ...any) {
	if e.log != nil {
		e.log.Warn("metrics: a figure could not be collected", "err", v)
	}
}

// buildRevision is the VCS revision the binary was built from, if known.
var buildRevision = sync.OnceValue(func() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return ""
})
