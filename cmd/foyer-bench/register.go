package main

import (
	"context"
	"fmt"
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

// runRegister measures POST /api/v1/events/{slug}/registrations with many
// concurrent clients, then checks with the organiser API that no place and
// no session seat was given twice, and that every 201 is a stored
// registration. A second run on a 100-place event must confirm exactly 100.
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
	reg := registrant{client: client, url: f.URL + "/api/v1/events/" + large.slug + "/registrations", tag: "reg", event: large}
	cpu := startCPU(f.PID())
	res := load{clients: b.opts.clients, duration: b.opts.duration, max: b.opts.maxRegistrations, do: reg.register}.run(ctx)
	share, cpuOK := cpu.stop()
	emailsMeanwhile := b.sink.Tally("reg").Messages
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
	p50, p99 := res.Percentile(0.50), res.Percentile(0.99)
	detail := fmt.Sprintf("%s registrations in %.1f s", thousands(res.OK), res.Elapsed.Seconds())
	if t := res.Trend(); t != "" {
		detail += " (" + t + ")"
	}
	if cpuOK {
		detail += "; " + share.String()
	}
	detail += fmt.Sprintf("; %s emails sent meanwhile", thousands(emailsMeanwhile))
	places := fmt.Sprintf("confirmed %s/%s, session seats %d/%d, waitlisted %s",
		thousands(seats.Confirmed), thousands(largeEvent.capacity), seats.SessionConfirmed, largeEvent.sessionCapacity, thousands(seats.Waitlisted))
	smallText := fmt.Sprintf("%s registrations from %d clients: %d confirmed, %s waitlisted, session seats %d/%d",
		thousands(smallRes.Requests), b.opts.clients, smallSeats.Confirmed, thousands(smallSeats.Waitlisted), smallSeats.SessionConfirmed, smallEvent.sessionCapacity)

	rows := []Result{
		measured("register", "registrations/s", rate, "registrations/s", perSecond(rate, "reg/s"), atLeast(3000, "≥ 3,000/s")),
		measured("register", "latency p99", msValue(p99), "ms", ms(p99), atMost(50, "≤ 50 ms")),
		info("register", "latency p50", msValue(p50), "ms", ms(p50)),
		mustHold("register", "errors", float64(res.Errors()), "requests", thousands(res.Errors()), exactly(0, "0")),
		mustHold("register", "oversold", float64(oversold), "places", thousands(oversold), exactly(0, "0")),
		mustHold("register", "small event confirmed", float64(smallSeats.Confirmed), "registrations", thousands(smallSeats.Confirmed), exactly(float64(smallEvent.capacity), "exactly 100")),
	}
	rows[0].Detail = detail
	rows[3].Detail = res.FailureText()
	rows[4].Detail = places
	rows[5].Detail = smallText
	if wrong != "" {
		rows[4].Status, rows[4].Detail = statusError, places+"; "+wrong
	}
	if smallRes.Errors() > 0 || smallWrong != "" {
		rows[5].Status = statusError
		rows[5].Detail += fmt.Sprintf("; %d errors %s; %s", smallRes.Errors(), smallRes.FailureText(), smallWrong)
	}

	line := fmt.Sprintf("%s, p50 %s, p99 %s, %d errors, %d oversold (%s; %s); small event: %d of %s confirmed",
		perSecond(rate, "registrations/s"), ms(p50), ms(p99), res.Errors(), oversold, detail, places, smallSeats.Confirmed, thousands(smallRes.Requests))
	if e := res.FailureText(); e != "" {
		line += "; errors: " + e
	}
	if wrong != "" || smallWrong != "" {
		line += "; INCONSISTENT: " + strings.TrimSpace(wrong+" "+smallWrong)
	}
	return outcome{line: line, results: rows}, nil
}

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
