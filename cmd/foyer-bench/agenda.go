package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
)

// runAgenda measures the public event page with the agenda, GET
// /events/{slug}, under the load of many keep-alive clients, beside the
// floor: echo serving the same bytes from memory, measured half before and
// half after foyer (and, once per run, a bare echo handler).
func runAgenda(ctx context.Context, b *bench) (outcome, error) {
	f, err := b.instance(ctx)
	if err != nil {
		return outcome{}, err
	}
	url := f.URL + "/events/" + demoSlug
	page, err := fetch(ctx, url)
	if err != nil {
		return outcome{}, err
	}
	fp, err := b.startScenarioFloor(ctx, "agenda", page)
	if err != nil {
		return outcome{}, err
	}
	defer fp.stop()
	hello, figures := b.measureHello(ctx, fp, "agenda")

	client := newLoadClient(b.opts.clients)
	defer client.CloseIdleConnections()
	var bytesRead atomic.Int64
	get := getter(client, url, &bytesRead)
	floorClient := newLoadClient(b.opts.clients)
	static := getter(floorClient, fp.URL+"/static", nil)
	if b.opts.warmup > 0 {
		load{clients: b.opts.clients, duration: b.opts.warmup, do: static}.run(ctx)
	}
	var floor floorRun
	floor.measure(ctx, fp.PID(), floorClient, b.opts.clients, b.opts.duration/2, static)
	if b.opts.warmup > 0 {
		load{clients: b.opts.clients, duration: b.opts.warmup, do: get}.run(ctx)
	}
	bytesRead.Store(0)
	cpu := startCPU(f.PID())
	prof := b.startProfiles(ctx, f, "agenda", b.opts.duration)
	res := load{clients: b.opts.clients, duration: b.opts.duration, do: get}.run(ctx)
	share, cpuOK := cpu.stop()
	b.profileDone(ctx, prof)
	floor.measure(ctx, fp.PID(), floorClient, b.opts.clients, b.opts.duration-b.opts.duration/2, static)
	if ctx.Err() != nil {
		return outcome{}, ctx.Err()
	}

	rate := res.Rate()
	floorRate := floor.res.Rate()
	r := ratio(rate, floorRate)
	figures.merge(Figures{AgendaPerS: ptr(rate), BaselineStaticPerS: ptr(floorRate), AgendaRatio: ptr(r)})
	detail := fmt.Sprintf("%s requests in %.1f s, %d KB a page", thousands(res.Requests), res.Elapsed.Seconds(), bytesRead.Load()/int64(max(res.Requests, 1))/1024)
	if t := res.Trend(); t != "" {
		detail += " (" + t + ")"
	}
	if cpuOK {
		detail += "; " + share.String() + "; " + share.per("foyer", res.Elapsed, res.Requests, "page")
	}
	line := fmt.Sprintf("%s, p50 %s, p99 %s, %d errors (%s); floor, echo serving the same %d KB: %s; ratio %.2f",
		perSecond(rate, "requests/s"), ms(res.Percentile(0.50)), ms(res.Percentile(0.99)), res.Errors(), detail, len(page)/1024, floor.text(), r)
	if e := res.FailureText(); e != "" {
		line += "; errors: " + e
	}
	var rows []Result
	if hello != nil {
		rows = append(rows, *hello)
		line += "; bare echo handler " + hello.Measured
	}
	rows = append(rows,
		measured("agenda", "GET /events/{slug}", rate, "requests/s", perSecond(rate, "req/s"), atLeast(10000, "≥ 10,000/s")),
		info("agenda", "floor: echo, static body", floorRate, "requests/s", perSecond(floorRate, "req/s")),
		measured("agenda", "ratio to the floor", r, "", fmt.Sprintf("%.2f", r), atLeast(0.5, "≥ 0.5")),
		info("agenda", "latency p50", msValue(res.Percentile(0.50)), "ms", ms(res.Percentile(0.50))),
		info("agenda", "latency p99", msValue(res.Percentile(0.99)), "ms", ms(res.Percentile(0.99))),
		mustHold("agenda", "errors", float64(res.Errors()), "requests", thousands(res.Errors()), exactly(0, "0")),
	)
	n := len(rows)
	rows[n-6].Detail = detail
	rows[n-5].Detail = fmt.Sprintf("the page's %s bytes from memory, half before and half after foyer's run: %s", thousands(len(page)), floor.text())
	rows[n-4].Detail = "agenda pages/s over the floor's requests/s, measured in the same run"
	rows[n-1].Detail = res.FailureText()
	if floor.res.Errors() > 0 {
		rows[n-5].Status = statusError
	}
	return outcome{line: line, results: rows, figures: figures}, nil
}

// fetch GETs url once and returns the body of its 200 answer.
func fetch(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return body, nil
}
