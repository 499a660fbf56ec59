// Package outbox sends foyer's emails. Every change that tells an attendee
// something writes an entry into the outbox table in its own transaction;
// the Worker here claims due entries, composes each email in the attendee's
// language from the registration as it is now, and hands it to the sender
// (SMTP, or .eml files without SMTP). Temporary failures are retried with
// backoff for a day, permanent ones are recorded for organisers to see.
//
// internal/mail knows MIME and transports and nothing of foyer; this package
// knows which email a registration gets and what it says.
package outbox

import (
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sync"
	"sync/atomic"
	texttemplate "text/template"
	"time"

	foyer "github.com/foyer-events/foyer"
	"github.com/foyer-events/foyer/internal/config"
	"github.com/foyer-events/foyer/internal/mail"
	"github.com/foyer-events/foyer/internal/metrics"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

// How the mail worker retries: exponential backoff from retryBase up to
// retryCap between attempts, and no more attempts once an email is older
// than giveUpAfter.
const (
	retryBase   = time.Second
	retryCap    = 5 * time.Minute
	giveUpAfter = 24 * time.Hour
	mailWorkers = 4
	mailBatch   = 32
)

// Worker sends the outbox: it claims due emails, composes each in the
// attendee's language and hands it to the sender (SMTP, or .eml files).
type Worker struct {
	store  *store.Store
	sender mail.Sender
	// sessions are the SMTP sessions of the sender goroutines of sendAll,
	// one each, kept open between emails and batches (see senderFor).
	sessions [mailWorkers]*mail.Session
	cfg      config.Config
	log      *slog.Logger
	wakeup   chan struct{}
	html     *htmltemplate.Template
	text     *texttemplate.Template
	done     sync.WaitGroup
	// metrics counts the outcome of every attempt; nil counts nothing.
	metrics *metrics.Metrics
	// fault is what fails every email at the moment, nil while mail goes
	// out; faultMu orders its changes, so each is logged once.
	fault   atomic.Pointer[fault]
	faultMu sync.Mutex
	// remindersChecked is when run last looked for due reminders, by now:
	// the clock that decides when a reminder is due (time.Now; tests set
	// their own before Start).
	remindersChecked time.Time
	now              func() time.Time
}

// New builds the worker for st with the mail settings of cfg: SMTP when
// FOYER_SMTP_URL is set, .eml files under FOYER_DATA/mail otherwise. It
// sends nothing until Start.
func New(st *store.Store, cfg config.Config, log *slog.Logger) (*Worker, error) {
	var sender mail.Sender = mail.DirSender{Dir: filepath.Join(cfg.Data, "mail")}
	if cfg.SMTPURL != "" {
		smtp, err := config.ParseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return nil, err
		}
		sender = mail.NewSMTPSender(smtp)
	}
	funcs := view.Funcs()
	html, err := htmltemplate.New("").Funcs(funcs).ParseFS(foyer.Views, "views/email/*.html")
	if err != nil {
		return nil, err
	}
	text, err := texttemplate.New("").Funcs(funcs).ParseFS(foyer.Views, "views/email/*.txt")
	if err != nil {
		return nil, err
	}
	w := &Worker{store: st, sender: sender, cfg: cfg, log: log, wakeup: make(chan struct{}, 1), html: html, text: text, now: time.Now}
	st.OnMailQueued(w.wake)
	return w, nil
}

// Instrument makes the worker count its attempts in m. Call it before Start.
func (m *Worker) Instrument(mt *metrics.Metrics) { m.metrics = mt }

// Start runs the worker until ctx is cancelled.
func (m *Worker) Start(ctx context.Context) {
	m.done.Add(1)
	go m.run(ctx)
}

// Wait blocks until the worker has stopped, its last emails recorded.
func (m *Worker) Wait() { m.done.Wait() }

// wake tells the worker that new emails are queued. The store calls it
// after every commit that queued one (see store.OnMailQueued).
func (m *Worker) wake() {
	select {
	case m.wakeup <- struct{}{}:
	default:
	}
}

// run sends until ctx is cancelled. Emails being sent when it stops are
// finished or, after a crash, queued again on the next start.
func (m *Worker) run(ctx context.Context) {
	defer m.done.Done()
	defer m.closeSessions()
	if err := m.store.RequeueInterrupted(context.WithoutCancel(ctx)); err != nil {
		m.log.Error("mail: requeue", "err", err)
	}
	if d, ok := m.sender.(mail.DirSender); ok {
		if n, err := d.RemoveUnfinished(); err != nil {
			m.log.Error("mail: remove unfinished .eml files", "err", err)
		} else if n > 0 {
			m.log.Info("mail: removed unfinished .eml files of an interrupted run", "files", n)
		}
	}
	m.probe(ctx, true)
	for {
		if f := m.fault.Load(); f != nil {
			if !m.waitFaulted(ctx, f) {
				return
			}
			m.probe(ctx, false)
			continue
		}
		m.queueReminders(ctx)
		items, err := m.store.ClaimMail(ctx, mailBatch)
		if err != nil && ctx.Err() == nil {
			m.store.NoteError(err) // a damaged file shows in the health check
			m.log.Error("mail: claim", "err", err)
		}
		if len(items) > 0 {
			m.sendAll(ctx, items)
			continue
		}
		wait := 5 * time.Second
		if next, err := m.store.NextMailDue(ctx); err == nil && !next.IsZero() {
			wait = min(wait, max(time.Until(next), 10*time.Millisecond))
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-m.wakeup:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// sendAll sends a claimed batch with up to mailWorkers senders and records
// the delivered ones in one write at the end. An email delivered but not yet
// recorded when foyer is killed goes out again after the restart: twice,
// never zero times.
//
// While guests are being registered or checked in (store.Busy) the worker
// gives way: one sender only, resting twice as long as each email took, so
// that it uses about a third of one core and a registration opening keeps
// the rest. The worker falls behind and catches up with every sender once
// the rush is over; nothing waits forever.
func (m *Worker) sendAll(ctx context.Context, items []store.OutboxItem) {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		sent []int64
	)
	next := make(chan store.OutboxItem)
	for i := range min(mailWorkers, len(items)) {
		sender := m.senderFor(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if i > 0 && m.store.Busy() {
					// The first sender finishes the batch alone.
					return
				}
				it, ok := <-next
				if !ok {
					return
				}
				start := time.Now()
				if m.send(ctx, sender, it) {
					mu.Lock()
					sent = append(sent, it.ID)
					mu.Unlock()
				}
				if m.store.Busy() {
					rest(ctx, 2*time.Since(start))
				}
			}
		}()
	}
	for _, it := range items {
		next <- it
	}
	close(next)
	wg.Wait()
	if len(sent) == 0 {
		return
	}
	if err := m.store.MailSent(context.WithoutCancel(ctx), sent...); err != nil {
		m.log.Error("mail: record outcome", "outbox", sent, "err", err)
		return
	}
	m.log.Info("mail sent", "emails", len(sent))
}

// senderFor returns the sender of sendAll's sender goroutine i. Over SMTP
// each goroutine has a session of its own, which keeps its connection open
// from one email to the next, across batches, until it has been idle for
// mail.SessionIdle or sent mail.SessionMessages; go-mail's sessions are not
// for sharing between goroutines. Other senders keep nothing open and serve
// all goroutines. Only run calls it, between batches.
func (m *Worker) senderFor(i int) mail.Sender {
	smtp, ok := m.sender.(*mail.SMTPSender)
	if !ok {
		return m.sender
	}
	if m.sessions[i] == nil {
		m.sessions[i] = smtp.Session()
		m.sessions[i].Connected = m.metrics.MailConnection
	}
	return m.sessions[i]
}

// closeSessions says QUIT on every open SMTP session, all at once, as
// foyer stops.
func (m *Worker) closeSessions() {
	var wg sync.WaitGroup
	for _, s := range m.sessions {
		if s != nil {
			wg.Go(func() { s.Close() })
		}
	}
	wg.Wait()
}

// rest pauses for d; false if ctx ended first.
func rest(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// send delivers one outbox entry and records the outcome, except for a
// delivery, which it reports for sendAll to record with the rest of the
// batch. It finishes its bookkeeping even while foyer shuts down.
func (m *Worker) send(ctx context.Context, sender mail.Sender, it store.OutboxItem) (delivered bool) {
	bg := context.WithoutCancel(ctx)
	if f := m.fault.Load(); f != nil {
		// Found while this batch was being sent: the rest waits.
		m.postpone(bg, it, f)
		return false
	}
	err := m.attempt(bg, sender, it)
	if mail.FaultOf(err) != "" {
		m.postpone(bg, it, m.noteFault(err, false))
		return false
	}
	switch {
	case err == nil:
		m.clearFault()
		m.metrics.MailSend(metrics.MailSent)
		m.log.Debug("mail sent", "outbox", it.ID, "kind", it.Kind, "registration", it.RegistrationID)
		return true
	case mail.Permanent(err) || errors.Is(err, store.ErrNotFound) || errors.Is(err, errNoInvitationToken) || time.Since(it.CreatedAt) > giveUpAfter:
		m.log.Warn("mail failed for good", "outbox", it.ID, "kind", it.Kind, "registration", it.RegistrationID, "err", redact(err))
		err = m.store.MailFailed(bg, it.ID, err.Error())
		m.metrics.MailSend(metrics.MailFailed)
	default:
		delay := retryDelay(it.Attempts)
		m.log.Warn("mail will be retried", "outbox", it.ID, "attempt", it.Attempts, "in", delay.Round(time.Millisecond), "err", redact(err))
		err = m.store.MailRetry(bg, it.ID, err.Error(), time.Now().Add(delay))
		m.metrics.MailSend(metrics.MailRetry)
	}
	if err != nil {
		m.log.Error("mail: record outcome", "outbox", it.ID, "err", err)
	}
	return false
}

// errPanic marks an attempt that panicked. It is temporary: the next
// attempt may find the cause gone (a fixed server, a freed disk), and after
// a day the message is marked failed like any other.
var errPanic = errors.New("mail: internal error while sending")

// attempt composes and sends one email. A panic in either (a library that
// trips over a broken connection or odd input) is an error of this message
// alone: the worker and the server carry on.
func (m *Worker) attempt(ctx context.Context, sender mail.Sender, it store.OutboxItem) (err error) {
	defer func() {
		if p := recover(); p != nil {
			m.log.Error("mail: panic while sending", "outbox", it.ID, "kind", it.Kind, "panic", redact(fmt.Errorf("%v", p)), "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", errPanic, p)
		}
	}()
	msg, err := m.compose(ctx, it)
	if err != nil {
		return err
	}
	sendCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	return sender.Send(sendCtx, msg)
}

// emailAddress matches what SMTP servers quote back in their replies.
var emailAddress = regexp.MustCompile(`[^\s<>"'(),;:]+@[^\s<>"'(),;:]+`)

// redact keeps attendees' addresses out of the log: SMTP errors often quote
// the recipient ("550 <anna@example.org>: no such user"). Organisers still
// see the whole error on the registration.
func redact(err error) string { return redactText(err.Error()) }

func redactText(s string) string { return emailAddress.ReplaceAllString(s, "[address]") }

// retryDelay doubles with each attempt, with some jitter so that a queue
// that failed together does not retry in one burst.
func retryDelay(attempts int) time.Duration {
	d := retryBase << min(attempts-1, 20)
	d = min(d, retryCap)
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}
