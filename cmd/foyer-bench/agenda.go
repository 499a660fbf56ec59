package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
)

// runAgenda measures the public event page with the agenda, GET
// /events/{slug}, under the load of many keep-alive clients.
func runAgenda(ctx context.Context, b *bench) (outcome, error) {
	f, err := b.instance(ctx)
	if err != nil {
		return outcome{}, err
	}
	url := f.URL + "/events/" + demoSlug
	client := newLoadClient(b.opts.clients)
	defer client.CloseIdleConnections()
	var bytesRead atomic.Int64
	get := func(ctx context.Context, _ int) (string, bool) {
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
		bytesRead.Add(n)
		switch {
		case err != nil:
			return errorOutcome(err), false
		case resp.StatusCode != http.StatusOK:
			return resp.Status, false
		}
		return "200", true
	}
	if why, ok := get(ctx, 0); !ok {
		return outcome{}, fmt.Errorf("GET %s: %s", url, why)
	}
	if b.opts.warmup > 0 {
		load{clients: b.opts.clients, duration: b.opts.warmup, do: get}.run(ctx)
	}
	bytesRead.Store(0)
	cpu := startCPU(f.PID())
	res := load{clients: b.opts.clients, duration: b.opts.duration, do: get}.run(ctx)
	share, cpuOK := cpu.stop()
	if ctx.Err() != nil {
		return outcome{}, ctx.Err()
	}

	rate := res.Rate()
	detail := fmt.Sprintf("%s requests in %.1f s, %d KB a page", thousands(res.Requests), res.Elapsed.Seconds(), bytesRead.Load()/int64(max(res.Requests, 1))/1024)
	if t := res.Trend(); t != "" {
		detail += " (" + t + ")"
	}
	if cpuOK {
		detail += "; " + share.String()
	}
	line := fmt.Sprintf("%s, p50 %s, p99 %s, %d errors (%s)", perSecond(rate, "requests/s"), ms(res.Percentile(0.50)), ms(res.Percentile(0.99)), res.Errors(), detail)
	if e := res.FailureText(); e != "" {
		line += "; errors: " + e
	}
	rows := []Result{
		measured("agenda", "GET /events/{slug}", rate, "requests/s", perSecond(rate, "req/s"), atLeast(10000, "≥ 10,000/s")),
		info("agenda", "latency p50", msValue(res.Percentile(0.50)), "ms", ms(res.Percentile(0.50))),
		info("agenda", "latency p99", msValue(res.Percentile(0.99)), "ms", ms(res.Percentile(0.99))),
		mustHold("agenda", "errors", float64(res.Errors()), "requests", thousands(res.Errors()), exactly(0, "0")),
	}
	rows[0].Detail = detail
	rows[3].Detail = res.FailureText()
	return outcome{line: line, results: rows}, nil
}
