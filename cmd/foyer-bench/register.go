package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The events of the register scenario: a large one for throughput, and a
// small one that 2,000 concurrent registrations must fill to exactly its
// capacity.
var (
	largeEvent = eventSpec{slug: "bench-forum", capacity: 20000, sessionCapacity: 500}
	smallEvent = eventSpec{slug: "bench-small", capacity: 100, sessionCapacity: 10}
)

// smallRegistrations is how many registrations race for the small event.
const smallRegistrations = 2000

// Targets of the register scenario.
const (
	burstMailTarget = 60 * time.Second // every email of the load delivered this soon after it
	registerRSSMax  = 100 << 20        // foyer's resident memory during the load
)

// runRegister measures POST /api/v1/events/{slug}/registrations with many
// concurrent clients beside the floor (echo with a JSON decode and one
// SQLite insert, half before and half after foyer's load), watching foyer's
// memory meanwhile. Then it waits for the email of every registration of
// the load, checks with the organiser API that no place and no session
// seat was given twice and that every 201 is a stored registration, and
// races 2,000 registrations for a 100-place event, which must confirm
// exactly 100.
func runRegister(ctx context.Context, b *bench) (outcome, error) {
	f, a, err := b.organiserAPI(ctx)
	if err != nil {
		return outcome{}, err
	}
	client := newLoadClient(b.opts.clients)
	defer client.CloseIdleConnections()

	large, err := createEvent(ctx, a, largeEvent)
	if err != nil {
		return outcome{}, err
	}
	floor, err := b.startInsertFloor(ctx, "register", large)
	if err != nil {
		return outcome{}, err
	}
	defer floor.proc.stop()
	hello, figures := floor.hello, floor.figures

	reg := registrant{client: client, url: f.URL + "/api/v1/events/" + large.slug + "/registrations", tag: "reg", event: large}
	cpu := startCPU(f.PID())
	mem := watchRSS(f.PID(), 50*time.Millisecond)
	prof := b.startProfiles(ctx, f, "register", b.opts.duration)
	res := load{clients: b.opts.clients, duration: b.opts.duration, max: b.opts.maxRegistrations, do: reg.register}.run(ctx)
	ended := time.Now()
	share, cpuOK := cpu.stop()
	peak, memErr := mem.stop()
	b.profileDone(ctx, prof)
	emailsMeanwhile := b.sink.Tally("reg").Messages
	// Every 201 queued one email: confirmed or waitlisted.
	mailed := b.sink.Wait(ctx, "reg", res.OK, b.opts.mailTimeout)
	mailLag := max(0, mailed.Last.Sub(ended))
	floor.finish(ctx, b)
	if ctx.Err() != nil {
		return outcome{}, ctx.Err()
	}
	seats, err := countSeats(ctx, a, large)
	if err != nil {
		return outcome{}, err
	}
	oversold := max(0, seats.Confirmed-largeEvent.capacity) + max(0, seats.SessionConfirmed-largeEvent.sessionCapacity)
	wrong := checkCounts(res, seats, largeEvent)

	small, err := createEvent(ctx, a, smallEvent)
	if err != nil {
		return outcome{}, err
	}
	smallReg := registrant{client: client, url: f.URL + "/api/v1/events/" + small.slug + "/registrations", tag: "small", event: small}
	smallRes := load{clients: b.opts.clients, max: smallRegistrations, duration: 2 * time.Minute, do: smallReg.register}.run(ctx)
	smallSeats, err := countSeats(ctx, a, small)
	if err != nil {
		return outcome{}, err
	}
	smallWrong := checkCounts(smallRes, smallSeats, smallEvent)

	rate := res.Rate()
	floorRate := floor.res.Rate()
	r := ratio(rate, floorRate)
	figures.merge(Figures{RegistrationsPerS: ptr(rate), BaselineInsertPerS: ptr(floorRate), RegistrationsRatio: ptr(r)})
	p50, p99 := res.Percentile(0.50), res.Percentile(0.99)
	detail := fmt.Sprintf("%s registrations in %.1f s", thousands(res.OK), res.Elapsed.Seconds())
	if t := res.Trend(); t != "" {
		detail += " (" + t + ")"
	}
	if cpuOK {
		detail += "; " + share.String() + "; " + share.per("foyer", res.Elapsed, res.OK, "registration")
	}
	detail += fmt.Sprintf("; %s emails sent meanwhile", thousands(emailsMeanwhile))
	places := fmt.Sprintf("confirmed %s/%s, session seats %d/%d, waitlisted %s",
		thousands(seats.Confirmed), thousands(largeEvent.capacity), seats.SessionConfirmed, largeEvent.sessionCapacity, thousands(seats.Waitlisted))
	smallText := fmt.Sprintf("%s registrations from %d clients: %d confirmed, %s waitlisted, session seats %d/%d",
		thousands(smallRes.Requests), b.opts.clients, smallSeats.Confirmed, thousands(smallSeats.Waitlisted), smallSeats.SessionConfirmed, smallEvent.sessionCapacity)
	mailText := fmt.Sprintf("all %s emails of the load (confirmed and waitlisted) %s after it ended", thousands(res.OK), secs(mailLag))
	mailValue := mailLag.Seconds()
	mailShown := secs(mailLag)
	if mailed.Messages < res.OK {
		mailText = fmt.Sprintf("%s of %s emails of the load arrived within %s after it ended", thousands(mailed.Messages), thousands(res.OK), b.opts.mailTimeout)
		mailValue = b.opts.mailTimeout.Seconds()
		mailShown = fmt.Sprintf("> %s", b.opts.mailTimeout)
	}
	floorDetail := "JSON decode and one INSERT, half before and half after foyer's run: " + floor.text()
	if mailed.Messages < res.OK {
		floorDetail += "; foyer was still sending the load's emails during the second half"
	}

	var rows []Result
	if hello != nil {
		rows = append(rows, *hello)
	}
	rows = append(rows,
		measured("register", "registrations/s", rate, "registrations/s", perSecond(rate, "reg/s"), atLeast(5000, "≥ 5,000/s")),
		info("register", "floor: echo + 1 insert", floorRate, "requests/s", perSecond(floorRate, "req/s")),
		measured("register", "ratio to the floor", r, "", fmt.Sprintf("%.2f", r), atLeast(0.5, "≥ 0.5")),
		measured("register", "latency p99", msValue(p99), "ms", ms(p99), atMost(25, "≤ 25 ms")),
		info("register", "latency p50", msValue(p50), "ms", ms(p50)),
		mustHold("register", "errors", float64(res.Errors()), "requests", thousands(res.Errors()), exactly(0, "0")),
		mustHold("register", "oversold", float64(oversold), "places", thousands(oversold), exactly(0, "0")),
		measured("register", "emails of the load", mailValue, "s", mailShown, atMost(burstMailTarget.Seconds(), "≤ 60 s after it")),
		mustHold("register", "small event confirmed", float64(smallSeats.Confirmed), "registrations", thousands(smallSeats.Confirmed), exactly(float64(smallEvent.capacity), "exactly 100")),
	)
	first := len(rows) - 9
	rows[first].Detail = detail
	rows[first+1].Detail = floorDetail
	rows[first+2].Detail = "registrations/s over the floor's requests/s, measured in the same run"
	rows[first+5].Detail = res.FailureText()
	rows[first+6].Detail = places
	rows[first+7].Detail = mailText
	rows[first+8].Detail = smallText
	if memErr == nil {
		row := measured("register", "server RSS, peak", float64(peak), "bytes", mb(peak), atMost(registerRSSMax, "≤ 100 MB"))
		row.Detail = "foyer's resident memory, read every 50 ms during the load"
		rows = slices.Insert(rows, first+7, row)
	}
	if floor.res.Errors() > 0 {
		rows[first+1].Status = statusError
	}
	if wrong != "" {
		rows[first+6].Status, rows[first+6].Detail = statusError, places+"; "+wrong
	}
	smallRow := &rows[len(rows)-1]
	if smallRes.Errors() > 0 || smallWrong != "" {
		smallRow.Status = statusError
		smallRow.Detail += fmt.Sprintf("; %d errors %s; %s", smallRes.Errors(), smallRes.FailureText(), smallWrong)
	}

	line := fmt.Sprintf("%s, p50 %s, p99 %s, %d errors, %d oversold (%s; %s); floor %s, ratio %.2f; peak RSS %s; %s; small event: %d of %s confirmed",
		perSecond(rate, "registrations/s"), ms(p50), ms(p99), res.Errors(), oversold, detail, places, floor.text(), r, mb(peak), mailText,
		smallSeats.Confirmed, thousands(smallRes.Requests))
	if hello != nil {
		line += "; bare echo handler " + hello.Measured
	}
	if e := res.FailureText(); e != "" {
		line += "; errors: " + e
	}
	if wrong != "" || smallWrong != "" {
		line += "; INCONSISTENT: " + strings.TrimSpace(wrong+" "+smallWrong)
	}
	return outcome{line: line, results: rows, figures: figures}, nil
}

// secs writes a duration in seconds with one decimal.
func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

// checkCounts compares what the 201 answers said with what the organiser
// API reports, and both with the rules: with a waiting list and no
// cancellations, the first `capacity` registrations are confirmed and the
// rest waitlisted, and likewise for the session's seats among the
// confirmed. It returns "" when all agree, else what does not.
func checkCounts(res *loadResult, seats seatCount, spec eventSpec) string {
	var answered, answeredSeats, chose int
	for outcome, n := range res.Outcomes {
		if strings.HasPrefix(outcome, "confirmed") {
			answered += n
			if strings.Contains(outcome, " seat ") {
				chose += n
			}
		}
		if strings.HasSuffix(outcome, "seat confirmed") {
			answeredSeats += n
		}
	}
	var problems []string
	if stored := seats.Confirmed + seats.Waitlisted; stored != res.OK {
		problems = append(problems, fmt.Sprintf("%d answers 201 but %d registrations stored", res.OK, stored))
	}
	if answered != seats.Confirmed {
		problems = append(problems, fmt.Sprintf("%d answers said confirmed, the API lists %d", answered, seats.Confirmed))
	}
	if answeredSeats != seats.SessionConfirmed {
		problems = append(problems, fmt.Sprintf("%d answers said seat confirmed, the API counts %d", answeredSeats, seats.SessionConfirmed))
	}
	if want := min(res.OK, spec.capacity); seats.Confirmed != want {
		problems = append(problems, fmt.Sprintf("%d confirmed, want %d", seats.Confirmed, want))
	}
	if want := min(chose, spec.sessionCapacity); answeredSeats != want {
		problems = append(problems, fmt.Sprintf("%d session seats confirmed, want %d", answeredSeats, want))
	}
	return strings.Join(problems, "; ")
}
