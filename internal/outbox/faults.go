package outbox

import (
	"context"
	"errors"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/foyer-events/foyer/internal/mail"
	"github.com/foyer-events/foyer/internal/metrics"
	"github.com/foyer-events/foyer/internal/store"
)

// While the server or the settings fail every email (a mail.Fault: login
// refused, certificate not trusted, server unreachable…), the worker stops
// sending. Trying each waiting email would only repeat the failure once per
// email, flood the log, and show a mail server hundreds of failed logins a
// minute, which is what gets an account locked or an address banned
// (fail2ban, Microsoft 365's smart lockout). Instead a single probe
// (connect, TLS, login, QUIT, no message) asks again after growing pauses,
// and the emails wait, saying why. When a probe or a send passes, the
// waiting emails go out at once, in their order. The probe at start makes a
// wrong setting known within seconds of starting, before any guest
// registers.
const (
	probeFirst   = 2 * time.Second // pause before the first probe after a fault
	probeCap     = 5 * time.Minute
	probeTimeout = time.Minute
	// markEvery bounds how often emails queued during a fault are marked
	// with its reason.
	markEvery = 2 * time.Second
)

// fault is what fails every email at the moment.
type fault struct {
	kind   mail.Fault
	detail string // the error, addresses redacted: for the log and organisers
	answer string // its core: the server's reply, or what TLS said
	since  time.Time
	probes int // probes that failed since it began
}

// reason is what a waiting email's state says: "SMTP login refused: …".
func (f *fault) reason() string { return f.kind.Reason() + ": " + f.detail }

// prober is a sender that can check its settings without sending.
type prober interface {
	Probe(ctx context.Context, trace mail.Trace) error
}

// noteFault records that err, a fault, failed an email or (probed) a
// probe. A new fault, or one of another kind, is logged once, as an error.
func (m *Worker) noteFault(err error, probed bool) *fault {
	kind := mail.FaultOf(err)
	m.faultMu.Lock()
	defer m.faultMu.Unlock()
	f := &fault{kind: kind, detail: redact(err), answer: redactText(answer(err)), since: time.Now()}
	if probed {
		f.probes = 1
	}
	if old := m.fault.Load(); old != nil && old.kind == kind {
		f.since, f.probes = old.since, old.probes+f.probes
		m.fault.Store(f)
		return f
	}
	m.fault.Store(f)
	m.log.Error("mail cannot be sent: "+kind.Reason()+"; "+kind.Check()+". Emails wait and go out once it works",
		"setting", "FOYER_SMTP_URL", "fault", string(kind), "err", f.detail)
	return f
}

// answer is the core of a fault's error: the server's reply when there is
// one, else the error below foyer's own wrapping ("x509: certificate
// signed by unknown authority", "dial tcp …: connection refused").
func answer(err error) string {
	var te *textproto.Error
	if errors.As(err, &te) {
		return strconv.Itoa(te.Code) + " " + strings.Trim(te.Msg, `"`)
	}
	var se *mail.StepError
	if errors.As(err, &se) {
		if inner := errors.Unwrap(se.Err); inner != nil {
			return inner.Error()
		}
		return se.Err.Error()
	}
	return err.Error()
}

// clearFault records that mail goes out again.
func (m *Worker) clearFault() {
	if m.fault.Load() == nil {
		return
	}
	m.faultMu.Lock()
	defer m.faultMu.Unlock()
	if f := m.fault.Load(); f != nil {
		m.fault.Store(nil)
		m.log.Info("mail goes out again", "fault", string(f.kind), "after", time.Since(f.since).Round(time.Second))
	}
}

// probe checks the settings, if the sender can, and records the outcome.
// It reports whether mail can go out.
func (m *Worker) probe(ctx context.Context, atStart bool) bool {
	p, ok := m.sender.(prober)
	if !ok {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	var server, tls string
	err := p.Probe(ctx, func(step, detail string, err error) {
		switch {
		case err != nil:
		case step == mail.StepConnect:
			server = detail
		case step == mail.StepTLS:
			tls = detail
		}
	})
	if ctx.Err() != nil && err != nil {
		return false // shutting down
	}
	if err != nil {
		if mail.FaultOf(err) == "" {
			err = &mail.StepError{Step: mail.StepConnect, Fault: mail.FaultUnreachable, Err: err}
		}
		m.noteFault(err, true)
		return false
	}
	if atStart {
		m.log.Info("mail: the SMTP server accepts foyer's settings", "server", server, "tls", tls)
	}
	m.clearFault()
	return true
}

// probeDelay is the pause before the next probe after n failed ones.
func probeDelay(n int) time.Duration {
	return min(probeFirst<<min(n, 20), probeCap)
}

// waitFaulted waits for the next probe while a fault lasts, marking the
// emails queued meanwhile with its reason. It returns false when ctx ends.
func (m *Worker) waitFaulted(ctx context.Context, f *fault) bool {
	timer := time.NewTimer(probeDelay(f.probes))
	defer timer.Stop()
	var marked time.Time
	for {
		if time.Since(marked) >= markEvery {
			if err := m.store.MailWaitingBecause(context.WithoutCancel(ctx), f.reason()); err != nil {
				m.log.Error("mail: mark waiting emails", "err", err)
			}
			marked = time.Now()
		}
		select {
		case <-ctx.Done():
			return false
		case <-timer.C:
			return true
		case <-m.wakeup:
			// New emails: marked above, once markEvery has passed.
			if d := markEvery - time.Since(marked); d > 0 {
				select {
				case <-ctx.Done():
					return false
				case <-timer.C:
					return true
				case <-time.After(d):
				}
			}
		}
	}
}

// postpone puts an email back without an attempt counted, while f lasts.
func (m *Worker) postpone(ctx context.Context, it store.OutboxItem, f *fault) {
	m.metrics.MailSend(metrics.MailPostponed)
	if err := m.store.MailPostpone(ctx, it.ID, f.reason()); err != nil {
		m.log.Error("mail: record outcome", "outbox", it.ID, "err", err)
	}
}
