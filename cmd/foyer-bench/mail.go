package main

import (
	"context"
	"fmt"
	"time"
)

// mailProfileSpan is how long --profile profiles the mail scenario.
const mailProfileSpan = 5 * time.Second

// runMail measures how fast confirmation emails (QR code inline and as PNG,
// .ics invite) reach an SMTP server on loopback: it registers --mail-count
// attendees for an event with room for all of them and times from the first
// registration until the sink has every confirmation.
func runMail(ctx context.Context, b *bench) (outcome, error) {
	f, a, err := b.organiserAPI(ctx)
	if err != nil {
		return outcome{}, err
	}
	n := b.opts.mailCount
	ev, err := createEvent(ctx, a, eventSpec{slug: "bench-mail", capacity: 2 * n, sessionCapacity: n})
	if err != nil {
		return outcome{}, err
	}
	client := newLoadClient(b.opts.clients)
	defer client.CloseIdleConnections()
	reg := registrant{client: client, url: f.URL + "/api/v1/events/" + ev.slug + "/registrations", tag: "mail", event: ev}

	cpu := startCPU(f.PID())
	// The registrations and most of the sending; the profile's span is
	// fixed when it starts.
	prof := b.startProfiles(ctx, f, "mail", mailProfileSpan)
	started := time.Now()
	res := load{clients: b.opts.clients, max: n, duration: b.opts.mailTimeout, do: reg.register}.run(ctx)
	registered := time.Now()
	atRegistered := b.sink.Tally("mail").Messages
	tally := b.sink.Wait(ctx, "mail", res.OK, b.opts.mailTimeout)
	share, cpuOK := cpu.stop()
	b.profileDone(ctx, prof)
	if ctx.Err() != nil {
		return outcome{}, ctx.Err()
	}
	if tally.Messages == 0 {
		return outcome{}, fmt.Errorf("no email reached the SMTP sink within %s (%d registrations; foyer log:\n%s)", b.opts.mailTimeout, res.OK, f.LogTail(10))
	}

	span := tally.Last.Sub(started)
	rate := float64(tally.Messages) / span.Seconds()
	drained := tally.Messages - atRegistered
	drainRate := 0.0
	if d := tally.Last.Sub(registered); d > 0 {
		drainRate = float64(drained) / d.Seconds()
	}
	missingParts := tally.Messages - min(tally.WithQR, tally.WithICS)
	detail := fmt.Sprintf("%s emails in %.1f s from the first registration (registering took %.1f s, %s/s while the outbox drained after it)",
		thousands(tally.Messages), span.Seconds(), registered.Sub(started).Seconds(), thousands(int(drainRate)))
	if cpuOK {
		detail += "; " + share.String() + "; " + share.per("foyer", span, tally.Messages, "registration and its email")
	}
	rows := []Result{
		measured("mail", "confirmation emails/s", rate, "emails/s", perSecond(rate, "emails/s"), atLeast(100, "≥ 100/s")),
		mustHold("mail", "delivered", float64(tally.Messages), "emails", fmt.Sprintf("%s of %s", thousands(tally.Messages), thousands(n)), exactly(float64(n), thousands(n))),
		mustHold("mail", "without QR or .ics", float64(missingParts), "emails", thousands(missingParts), exactly(0, "0")),
	}
	rows[0].Detail = detail
	rows[1].Detail = fmt.Sprintf("within %s", b.opts.mailTimeout)
	if res.Errors() > 0 {
		rows[1].Status = statusError
		rows[1].Detail += fmt.Sprintf("; %d registrations failed: %s", res.Errors(), res.FailureText())
	}
	rows[2].Detail = fmt.Sprintf("%d with image/png, %d with text/calendar", tally.WithQR, tally.WithICS)
	line := fmt.Sprintf("%s with QR and .ics (%s; %d without QR or .ics)", perSecond(rate, "emails/s"), detail, missingParts)
	return outcome{line: line, results: rows}, nil
}
