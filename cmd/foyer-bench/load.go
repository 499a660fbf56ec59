package main

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// requestTimeout bounds one request of a load.
const requestTimeout = 30 * time.Second

// load is a closed loop: clients goroutines each send one request after
// another until duration has passed or max requests have been started.
type load struct {
	clients  int
	duration time.Duration // 0: no time limit
	max      int           // 0: no count limit
	// do sends request number i (1, 2, …) and names its outcome; ok says
	// whether it counts as a success. It must be safe for concurrent use.
	do func(ctx context.Context, i int) (outcome string, ok bool)
}

// loadResult is what a load measured.
type loadResult struct {
	Requests int            // finished requests
	OK       int            // of which successful
	Outcomes map[string]int // successes by outcome
	Failures map[string]int // failures by outcome
	Elapsed  time.Duration  // from the first request to the last answer
	// PerSecond counts the successes that finished in each second of the
	// run: a rate that falls from first to last second points at work that
	// grows with the data (a missing index, a count over a whole table).
	PerSecond []int
	latency   []time.Duration
}

// run sends the load and waits for the last answer.
func (l load) run(ctx context.Context) *loadResult {
	var (
		next      atomic.Int64
		wg        sync.WaitGroup
		perClient = make([]*loadResult, l.clients)
	)
	started := time.Now()
	deadline := started.Add(l.duration)
	for w := range l.clients {
		r := &loadResult{Outcomes: map[string]int{}, Failures: map[string]int{}}
		perClient[w] = r
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1))
				if l.max > 0 && i > l.max {
					return
				}
				t := time.Now()
				if l.duration > 0 && t.After(deadline) {
					return
				}
				outcome, ok := l.do(ctx, i)
				done := time.Now()
				r.record(done.Sub(t), outcome, ok)
				if ok {
					sec := int(done.Sub(started) / time.Second)
					for len(r.PerSecond) <= sec {
						r.PerSecond = append(r.PerSecond, 0)
					}
					r.PerSecond[sec]++
				}
			}
		}()
	}
	wg.Wait()
	total := &loadResult{Outcomes: map[string]int{}, Failures: map[string]int{}, Elapsed: time.Since(started)}
	for _, r := range perClient {
		total.add(r)
		for len(total.PerSecond) < len(r.PerSecond) {
			total.PerSecond = append(total.PerSecond, 0)
		}
		for sec, n := range r.PerSecond {
			total.PerSecond[sec] += n
		}
	}
	slices.Sort(total.latency)
	return total
}

// openLoad is an open loop: request i (1, 2, …) is sent at start +
// (i-1)/rate, whether or not the answers before it have come, and its
// latency counts from that moment. A server that falls behind therefore
// shows it in the latencies, where a closed loop would slow its clients
// down instead; p99 then says how fast guests are answered at that rate,
// not how many requests wait in the queue.
type openLoad struct {
	rate  float64 // requests a second
	count int
	do    func(ctx context.Context, i int) (outcome string, ok bool)
}

// run sends the load and waits for the last answer.
func (l openLoad) run(ctx context.Context) *loadResult {
	res := &loadResult{Outcomes: map[string]int{}, Failures: map[string]int{}}
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	started := time.Now()
	for i := 1; i <= l.count && ctx.Err() == nil; i++ {
		due := started.Add(time.Duration(float64(i-1) / l.rate * float64(time.Second)))
		if wait := time.Until(due); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcome, ok := l.do(ctx, i)
			done := time.Now()
			mu.Lock()
			defer mu.Unlock()
			res.record(done.Sub(due), outcome, ok)
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(started)
	slices.Sort(res.latency)
	return res
}

// record counts one finished request.
func (r *loadResult) record(latency time.Duration, outcome string, ok bool) {
	r.latency = append(r.latency, latency)
	r.Requests++
	if ok {
		r.OK++
		r.Outcomes[outcome]++
	} else {
		r.Failures[outcome]++
	}
}

// add counts r's requests, latencies and outcomes into total; how their
// seconds and elapsed times combine is the caller's to say.
func (total *loadResult) add(r *loadResult) {
	total.Requests += r.Requests
	total.OK += r.OK
	total.latency = append(total.latency, r.latency...)
	for k, v := range r.Outcomes {
		total.Outcomes[k] += v
	}
	for k, v := range r.Failures {
		total.Failures[k] += v
	}
}

// Rate is successful requests per second.
func (r *loadResult) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.OK) / r.Elapsed.Seconds()
}

// Errors is the number of failed requests.
func (r *loadResult) Errors() int { return r.Requests - r.OK }

// Percentile returns the latency below which a fraction q of the requests
// (successful or not) answered: the nearest-rank method on every recorded
// duration.
func (r *loadResult) Percentile(q float64) time.Duration {
	n := len(r.latency)
	if n == 0 {
		return 0
	}
	rank := int(q*float64(n)+0.999999) - 1
	return r.latency[min(max(rank, 0), n-1)]
}

// Trend reads like "1,120/s in the first second, 450/s in the last full
// one", or "" for a run shorter than two full seconds.
func (r *loadResult) Trend() string {
	full := int(r.Elapsed / time.Second) // the last second may be cut short
	if full < 2 || len(r.PerSecond) < full {
		return ""
	}
	return fmt.Sprintf("%s/s in the first second, %s/s in the last", thousands(r.PerSecond[0]), thousands(r.PerSecond[full-1]))
}

// FailureText lists the failures, most frequent first, for a detail column.
func (r *loadResult) FailureText() string {
	if len(r.Failures) == 0 {
		return ""
	}
	keys := slices.Collect(maps.Keys(r.Failures))
	sort.Slice(keys, func(i, j int) bool { return r.Failures[keys[i]] > r.Failures[keys[j]] })
	var parts []string
	for _, k := range keys[:min(len(keys), 3)] {
		parts = append(parts, fmt.Sprintf("%d× %s", r.Failures[k], k))
	}
	return strings.Join(parts, "; ")
}

// newLoadClient is an HTTP client for a load of n clients that keeps one
// connection per client alive between requests.
func newLoadClient(n int) *http.Client {
	return &http.Client{
		Timeout: requestTimeout,
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        2 * n,
			MaxIdleConnsPerHost: n,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// errorOutcome shortens a transport error to a stable name for counting.
func errorOutcome(err error) string {
	s := err.Error()
	// "Post \"http://127.0.0.1:1234/api/…\": dial tcp …" → "dial tcp …"
	if i := strings.LastIndex(s, "\": "); i >= 0 {
		s = s[i+3:]
	}
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}
