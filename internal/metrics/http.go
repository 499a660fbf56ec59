package metrics

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Unmatched is the route label of requests that matched no route: their
// paths are whatever a client sent, and would make a label per typo or
// per manage token.
const Unmatched = "unmatched"

// requests are the HTTP metrics. Each route has a table of its
// (method, status) pairs seen so far, replaced whole when a new pair shows
// up, so that counting a request reads a map without a lock and allocates
// nothing.
type requests struct {
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec
	mu       sync.Mutex // held while a table is replaced
	routes   atomic.Pointer[map[string]*routeTable]
}

type routeTable struct {
	pairs atomic.Pointer[map[int]requestObservers] // by methodIndex<<10 | status
}

type requestObservers struct {
	total    prometheus.Counter
	duration prometheus.Observer
}

func (q *requests) init(r *prometheus.Registry) {
	q.total = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "foyer_http_requests_total",
		Help: "HTTP requests by route pattern (never the path itself), method and status.",
	}, []string{"route", "method", "status"})
	q.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "foyer_http_request_duration_seconds",
		Help:    "Time from a request's arrival to its answer, by route pattern, method and status.",
		Buckets: latencyBuckets,
	}, []string{"route", "method", "status"})
	r.MustRegister(q.total, q.duration)
	empty := map[string]*routeTable{Unmatched: {}}
	q.routes.Store(&empty)
}

// Routes declares the route patterns that requests may be counted under;
// any other route counts as Unmatched. Call it once routes are known.
func (m *Metrics) Routes(patterns ...string) {
	if m == nil {
		return
	}
	m.requests.mu.Lock()
	defer m.requests.mu.Unlock()
	routes := map[string]*routeTable{}
	for k, v := range *m.requests.routes.Load() {
		routes[k] = v
	}
	for _, p := range patterns {
		if routes[p] == nil {
			routes[p] = &routeTable{}
		}
	}
	m.requests.routes.Store(&routes)
}

// Request counts one answered request: route is the route pattern
// (echo's c.Path(), "/events/:slug"), never the path.
func (m *Metrics) Request(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	q := &m.requests
	t := (*q.routes.Load())[route]
	if t == nil {
		route, t = Unmatched, (*q.routes.Load())[Unmatched]
	}
	mi := methodIndex(method)
	if status < 100 || status > 999 {
		status = 0
	}
	key := mi<<10 | status
	var o requestObservers
	if pairs := t.pairs.Load(); pairs != nil {
		o = (*pairs)[key]
	}
	if o.total == nil {
		o = q.add(t, key, route, methods[mi], status)
	}
	o.total.Inc()
	o.duration.Observe(d.Seconds())
}

// add puts a new (method, status) pair into a route's table.
func (q *requests) add(t *routeTable, key int, route, method string, status int) requestObservers {
	q.mu.Lock()
	defer q.mu.Unlock()
	pairs := map[int]requestObservers{}
	if old := t.pairs.Load(); old != nil {
		if o, ok := (*old)[key]; ok {
			return o
		}
		for k, v := range *old {
			pairs[k] = v
		}
	}
	code := strconv.Itoa(status)
	o := requestObservers{q.total.WithLabelValues(route, method, code), q.duration.WithLabelValues(route, method, code)}
	pairs[key] = o
	t.pairs.Store(&pairs)
	return o
}

// methods are the method labels; anything else is "other", so that a
// client cannot make labels up.
var methods = []string{"other", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

func methodIndex(m string) int {
	for i := 1; i < len(methods); i++ {
		if methods[i] == m {
			return i
		}
	}
	return 0
}
