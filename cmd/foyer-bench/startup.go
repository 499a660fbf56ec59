package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"
)

// idleSettle is how long a freshly started foyer idles before its memory is
// read: long enough for start-up garbage to be collected or not.
const idleSettle = time.Second

// runStartup measures `foyer serve --demo` on a database that already
// exists (the first start, which creates it and imports the demo, is not
// counted): the time from exec to the first 200 on /healthz, and the
// resident memory once it idles. It reports the median of the runs.
func runStartup(ctx context.Context, b *bench) (outcome, error) {
	data := filepath.Join(b.work, "startup-data")
	first, err := b.launcher.start(ctx, data)
	if err != nil {
		return outcome{}, err
	}
	initial := first.Healthy
	if err := first.Stop(); err != nil {
		return outcome{}, err
	}
	var times []time.Duration
	var rssHealthy, rssIdle []int64
	for range b.opts.startupRuns {
		f, err := b.launcher.start(ctx, data)
		if err != nil {
			return outcome{}, err
		}
		times = append(times, f.Healthy)
		atHealthy, err1 := rss(f.PID())
		time.Sleep(idleSettle)
		idle, err2 := rss(f.PID())
		stopErr := f.Stop()
		if lines := f.ErrorLines(); len(lines) > 0 {
			return outcome{}, fmt.Errorf("foyer logged an error while starting: %s", lines[0])
		}
		switch {
		case stopErr != nil:
			return outcome{}, stopErr
		case err1 != nil:
			return outcome{}, err1
		case err2 != nil:
			return outcome{}, err2
		}
		rssHealthy = append(rssHealthy, atHealthy)
		rssIdle = append(rssIdle, idle)
	}
	start, startMax := median(times), slices.Max(times)
	mem, memMax := median(rssIdle), slices.Max(rssIdle)
	runs := fmt.Sprintf("median of %d starts", len(times))
	o := outcome{
		line: fmt.Sprintf("healthy %s after exec (median of %d, max %s; first start with demo import %s), idle RSS %s (max %s; %s when healthy)",
			ms(start), len(times), ms(startMax), ms(initial), mb(mem), mb(memMax), mb(median(rssHealthy))),
		results: []Result{
			measured("startup", "exec to healthy", msValue(start), "ms", ms(start), atMost(200, "≤ 200 ms")),
			measured("startup", "idle RSS", float64(mem)/(1<<20), "MB", mb(mem), atMost(40, "≤ 40 MB")),
		},
	}
	o.results[0].Detail = fmt.Sprintf("%s on an existing database, max %s", runs, ms(startMax))
	o.results[1].Detail = fmt.Sprintf("%s, %s after healthy; max %s", runs, idleSettle, mb(memMax))
	return o, nil
}

// median returns the middle value (the upper one of an even count).
func median[T int64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
