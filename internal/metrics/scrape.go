package metrics

import (
	"context"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Mail is the state of the outbox and of mail delivery, read at each scrape.
type Mail struct {
	// Healthy is false while mail cannot go out (the server or the
	// settings fail every email) or an email has waited too long.
	Healthy       bool
	Waiting       int           // emails queued or being sent
	Failed        int           // emails given up on
	OldestWaiting time.Duration // age of the oldest waiting email
}

// ReadMail sets where each scrape reads the mail figures from: a cheap
// query, made only when Prometheus asks.
func (m *Metrics) ReadMail(read func(context.Context) (Mail, error)) {
	if m != nil {
		m.mail.Store(&read)
	}
}

// scrapeTimeout bounds the database read of one scrape.
const scrapeTimeout = 5 * time.Second

type mailDescs struct {
	build, healthy, waiting, failed, oldest *prometheus.Desc
}

func newMailDescs() mailDescs {
	return mailDescs{
		build: prometheus.NewDesc("foyer_build_info", "foyer's version, always 1.",
			[]string{"version", "revision", "goversion"}, nil),
		healthy: prometheus.NewDesc("foyer_mail_healthy",
			"1 while mail goes out; 0 while the SMTP server or the settings fail every email, or an email has waited over 10 minutes.", nil, nil),
		waiting: prometheus.NewDesc("foyer_outbox_waiting", "Emails queued or being sent.", nil, nil),
		failed:  prometheus.NewDesc("foyer_outbox_failed", "Emails given up on (organisers can resend them).", nil, nil),
		oldest: prometheus.NewDesc("foyer_outbox_oldest_waiting_seconds",
			"Age of the oldest email not yet sent, 0 when none waits.", nil, nil),
	}
}

// scrapeCollector reports what is read at scrape time rather than counted
// as it happens.
type scrapeCollector Metrics

func (c *scrapeCollector) Describe(ch chan<- *prometheus.Desc) {
	d := c.mailDesc
	ch <- d.build
	ch <- d.healthy
	ch <- d.waiting
	ch <- d.failed
	ch <- d.oldest
}

func (c *scrapeCollector) Collect(ch chan<- prometheus.Metric) {
	d := c.mailDesc
	version := "dev"
	if v := c.version.Load(); v != nil {
		version = *v
	}
	ch <- prometheus.MustNewConstMetric(d.build, prometheus.GaugeValue, 1, version, buildRevision(), runtime.Version())
	read := c.mail.Load()
	if read == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	f, err := (*read)(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(d.waiting, err)
		return
	}
	healthy := 0.0
	if f.Healthy {
		healthy = 1
	}
	ch <- prometheus.MustNewConstMetric(d.healthy, prometheus.GaugeValue, healthy)
	ch <- prometheus.MustNewConstMetric(d.waiting, prometheus.GaugeValue, float64(f.Waiting))
	ch <- prometheus.MustNewConstMetric(d.failed, prometheus.GaugeValue, float64(f.Failed))
	ch <- prometheus.MustNewConstMetric(d.oldest, prometheus.GaugeValue, f.OldestWaiting.Seconds())
}
