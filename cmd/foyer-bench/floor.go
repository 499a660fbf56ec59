package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"
)

// Figures are the headline numbers of a run, written at the top level of
// the JSON summary: foyer's rates, the floor's, and their ratios. A
// scenario that did not run leaves its figures out.
type Figures struct {
	BaselineHelloPerS  *float64 `json:"baseline_hello_per_s,omitempty"`
	BaselineInsertPerS *float64 `json:"baseline_insert_per_s,omitempty"`
	BaselineStaticPerS *float64 `json:"baseline_static_per_s,omitempty"`
	RegistrationsPerS  *float64 `json:"registrations_per_s,omitempty"`
	AgendaPerS         *float64 `json:"agenda_per_s,omitempty"`
	// RegistrationsRatio is registrations/s over the insert floor's rate.
	RegistrationsRatio *float64 `json:"registrations_ratio,omitempty"`
	// AgendaRatio is agenda pages/s over the static floor's rate.
	AgendaRatio *float64 `json:"agenda_ratio,omitempty"`
}

// merge copies the figures that o has.
func (f *Figures) merge(o Figures) {
	for _, p := range []struct{ dst, src **float64 }{
		{&f.BaselineHelloPerS, &o.BaselineHelloPerS}, {&f.BaselineInsertPerS, &o.BaselineInsertPerS},
		{&f.BaselineStaticPerS, &o.BaselineStaticPerS}, {&f.RegistrationsPerS, &o.RegistrationsPerS},
		{&f.AgendaPerS, &o.AgendaPerS}, {&f.RegistrationsRatio, &o.RegistrationsRatio}, {&f.AgendaRatio, &o.AgendaRatio},
	} {
		if *p.src != nil {
			*p.dst = *p.src
		}
	}
}

func ptr(v float64) *float64 { return &v }

// ratio is a/b, 0 when b is 0.
func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

// floorRun is a floor measured in one or two parts.
type floorRun struct {
	res   *loadResult
	share CPUShare
	cpuOK bool
}

// measure runs a load against the floor server for d and adds it to the
// run, so that a floor can be measured half before and half after foyer's
// load: the two halves bracket it, and a machine that grows busier or
// quieter during the run moves both sides alike.
//
// The caller's do sends through client, whose connections are closed
// after each part, so that the second part starts like the first and not
// on connections left idle while foyer was measured.
func (r *floorRun) measure(ctx context.Context, pid int, client *http.Client, clients int, d time.Duration, do func(context.Context, int) (string, bool)) {
	defer client.CloseIdleConnections()
	cpu := startCPU(pid)
	res := load{clients: clients, duration: d, do: do}.run(ctx)
	share, ok := cpu.stop()
	if r.res == nil {
		r.res, r.share, r.cpuOK = res, share, ok
		return
	}
	// Weighted by the time of each part.
	a, b := r.res.Elapsed.Seconds(), res.Elapsed.Seconds()
	if a+b > 0 {
		r.share = CPUShare{
			Foyer:  (r.share.Foyer*a + share.Foyer*b) / (a + b),
			Bench:  (r.share.Bench*a + share.Bench*b) / (a + b),
			Others: (r.share.Others*a + share.Others*b) / (a + b),
		}
	}
	r.cpuOK = r.cpuOK && ok
	r.res = mergeLoads(r.res, res)
}

// text reads like "9,812 req/s, p99 21.3 ms (CPU floor 0.9 + bench 0.8 + others 0.1 cores)".
func (r *floorRun) text() string {
	s := fmt.Sprintf("%s, p99 %s", perSecond(r.res.Rate(), "req/s"), ms(r.res.Percentile(0.99)))
	if r.cpuOK {
		s += " (" + r.share.named("floor") + "; " + r.share.per("floor", r.res.Elapsed, r.res.Requests, "request") + ")"
	}
	if e := r.res.Errors(); e > 0 {
		s += fmt.Sprintf(", %d errors: %s", e, r.res.FailureText())
	}
	return s
}

// mergeLoads adds two loads run one after the other.
func mergeLoads(a, b *loadResult) *loadResult {
	m := &loadResult{Outcomes: map[string]int{}, Failures: map[string]int{}, Elapsed: a.Elapsed + b.Elapsed}
	m.add(a)
	m.add(b)
	slices.Sort(m.latency)
	return m
}

// getter returns a load function that GETs url and reads the whole answer,
// adding its size to bytes.
func getter(client *http.Client, url string, bytes *atomic.Int64) func(context.Context, int) (string, bool) {
	return func(ctx context.Context, _ int) (string, bool) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err.Error(), false
		}
		resp, err := client.Do(req)
		if err != nil {
			return errorOutcome(err), false
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if bytes != nil {
			bytes.Add(n)
		}
		switch {
		case err != nil:
			return errorOutcome(err), false
		case resp.StatusCode != http.StatusOK:
			return resp.Status, false
		}
		return "200", true
	}
}

// startScenarioFloor starts a floor server for one scenario, with its own
// database under the work folder.
func (b *bench) startScenarioFloor(ctx context.Context, name string, static []byte) (*floorProcess, error) {
	return startFloor(ctx, filepath.Join(b.work, "floor-"+name), static)
}

// insertFloor is the one-insert floor of a scenario, measured in two
// halves that bracket foyer's load (see floorRun.measure).
type insertFloor struct {
	proc   *floorProcess
	client *http.Client
	do     func(context.Context, int) (string, bool)
	floorRun
	// hello is the bare echo handler's row, when this scenario measured it.
	hello   *Result
	figures Figures
}

// startInsertFloor starts the scenario's floor server, measures the bare
// echo handler on it if no scenario has yet, and the first half of the
// insert floor, with registrations for ev.
func (b *bench) startInsertFloor(ctx context.Context, scenario string, ev *benchEvent) (*insertFloor, error) {
	fp, err := b.startScenarioFloor(ctx, scenario, nil)
	if err != nil {
		return nil, err
	}
	f := &insertFloor{proc: fp, client: newLoadClient(b.opts.clients)}
	f.hello, f.figures = b.measureHello(ctx, fp, scenario)
	f.do = registrant{client: f.client, url: fp.URL + "/insert", tag: "floor", event: ev}.register
	f.measure(ctx, fp.PID(), f.client, b.opts.clients, b.opts.duration/2, f.do)
	return f, nil
}

// finish measures the second half of the insert floor.
func (f *insertFloor) finish(ctx context.Context, b *bench) {
	f.measure(ctx, f.proc.PID(), f.client, b.opts.clients, b.opts.duration-b.opts.duration/2, f.do)
}

// measureHello measures the bare echo handler once per run, the first time
// a scenario asks, and returns the row for the table (nil after the first).
func (b *bench) measureHello(ctx context.Context, fp *floorProcess, scenario string) (*Result, Figures) {
	if b.helloMeasured {
		return nil, Figures{}
	}
	b.helloMeasured = true
	client := newLoadClient(b.opts.clients)
	defer client.CloseIdleConnections()
	do := getter(client, fp.URL+"/hello", nil)
	if b.opts.warmup > 0 {
		load{clients: b.opts.clients, duration: b.opts.warmup, do: do}.run(ctx)
	}
	var run floorRun
	run.measure(ctx, fp.PID(), client, b.opts.clients, b.opts.duration, do)
	rate := run.res.Rate()
	row := info(scenario, "floor: bare echo handler", rate, "requests/s", perSecond(rate, "req/s"))
	row.Detail = run.text() + "; the most this machine answers at all, load generator included"
	return &row, Figures{BaselineHelloPerS: ptr(rate)}
}
