package e2e

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/foyer-events/foyer/internal/foyerproc"
	"github.com/foyer-events/foyer/internal/logtest"
	"github.com/foyer-events/foyer/internal/mailtest"
)

// metricsToken is the FOYER_METRICS_TOKEN of the metrics tests.
const metricsToken = "scrape-me-0123456789abcdef"

// scrape is one reading of /metrics: every sample by its name and labels,
// "name{a=x,b=y}" with the labels sorted.
type scrape map[string]float64

// readMetrics parses a /metrics answer in the Prometheus text format.
func readMetrics(t *testing.T, r *Response) scrape {
	t.Helper()
	r.Want(t, http.StatusOK)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("/metrics is not the Prometheus text format: %v", err)
	}
	s := scrape{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			key := sample(name, m.GetLabel())
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				s[key] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				s[key] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				s[sample(name+"_count", m.GetLabel())] = float64(m.GetHistogram().GetSampleCount())
			default:
				s[key] = m.GetUntyped().GetValue()
			}
		}
	}
	return s
}

func sample(name string, labels []*dto.LabelPair) string {
	var parts []string
	for _, l := range labels {
		parts = append(parts, l.GetName()+"="+l.GetValue())
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return name
	}
	return name + "{" + strings.Join(parts, ",") + "}"
}

// TestMetrics scrapes /metrics from loopback before and after a guest
// registers, gets their email and is checked in, and finds every family
// with the values that moved.
func TestMetrics(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	in := startFoyer(t, Options{Demo: true, Env: []string{"FOYER_SMTP_URL=" + smtp.URL(), "FOYER_METRICS_TOKEN=" + metricsToken}})
	before := readMetrics(t, in.get(t, "/metrics"))

	link := manageLink(t, in, smtp, "metrics.guest@example.org")
	in.get(t, link).Want(t, http.StatusOK)
	organiser, staff := in.token(t, "organiser"), in.token(t, "staff")
	var list struct {
		Registrations []struct {
			TicketCode string `json:"ticket_code"`
		} `json:"registrations"`
	}
	in.api(t, "GET", "/api/v1/events/"+demoSlug+"/registrations", organiser, nil).Want(t, http.StatusOK).Decode(t, &list)
	if len(list.Registrations) != 1 {
		t.Fatalf("%d registrations", len(list.Registrations))
	}
	code := list.Registrations[0].TicketCode
	for _, want := range []string{"ok", "already_checked_in"} {
		var a struct {
			Result string `json:"result"`
		}
		in.api(t, "POST", "/api/v1/checkin", staff, map[string]any{"event": demoSlug, "code": code}).Want(t, http.StatusOK).Decode(t, &a)
		if a.Result != want {
			t.Fatalf("check-in: %q, want %q", a.Result, want)
		}
	}
	in.api(t, "POST", "/api/v1/events/"+demoSlug+"/registrations", "", map[string]any{"email": "broken"}).Want(t, http.StatusUnprocessableEntity)

	r := in.get(t, "/metrics")
	after := readMetrics(t, r)
	register := "route=/api/v1/events/:slug/registrations"
	for _, c := range []struct {
		sample string
		moved  float64
	}{
		{"foyer_http_requests_total{method=POST," + register + ",status=201}", 1},
		{"foyer_http_request_duration_seconds_count{method=POST," + register + ",status=201}", 1},
		{"foyer_http_requests_total{method=POST," + register + ",status=422}", 1},
		{"foyer_http_requests_total{method=GET,route=/m/:token,status=200}", 1},
		{"foyer_registrations_total{result=confirmed}", 1},
		{"foyer_registrations_total{result=invalid}", 1},
		{"foyer_registrations_total{result=full}", 0},
		{"foyer_checkins_total{result=ok}", 1},
		{"foyer_checkins_total{result=already_checked_in}", 1},
		{"foyer_store_write_wait_seconds_count{kind=registrations}", 1},
		{"foyer_store_write_wait_seconds_count{kind=checkins}", 2},
		{"foyer_mail_sends_total{result=sent}", 1},
	} {
		got, ok := after[c.sample]
		if !ok {
			t.Errorf("no %s in /metrics", c.sample)
			continue
		}
		if moved := got - before[c.sample]; moved != c.moved {
			t.Errorf("%s moved by %v, want %v", c.sample, moved, c.moved)
		}
	}
	for _, c := range []struct {
		sample string
		ok     func(float64) bool
	}{
		{"foyer_store_batch_size_count{kind=registrations}", func(v float64) bool { return v >= 1 }},
		{"foyer_store_batch_seconds_count{kind=checkins}", func(v float64) bool { return v >= 1 }},
		{"foyer_outbox_waiting", func(v float64) bool { return v == 0 }},
		{"foyer_outbox_failed", func(v float64) bool { return v == 0 }},
		{"foyer_outbox_oldest_waiting_seconds", func(v float64) bool { return v == 0 }},
		{"foyer_mail_healthy", func(v float64) bool { return v == 1 }},
		{"go_goroutines", func(v float64) bool { return v > 0 }},
		{"process_resident_memory_bytes", func(v float64) bool { return v > 1<<20 }},
	} {
		if v, ok := after[c.sample]; !ok || !c.ok(v) {
			t.Errorf("%s = %v (present %v)", c.sample, v, ok)
		}
	}
	found := false
	for k, v := range after {
		found = found || (strings.HasPrefix(k, "foyer_build_info{") && strings.Contains(k, "version=dev") && v == 1)
	}
	if !found {
		t.Errorf("no foyer_build_info{version=dev} 1")
	}
	// Routes by pattern only: no manage token, no guest's address.
	for _, secret := range []string{strings.TrimPrefix(link, "/m/"), "metrics.guest"} {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("/metrics holds %q", secret)
		}
	}

	// A request through a reverse proxy on this machine comes from loopback
	// too, but is no local scraper: it needs the token.
	in.get(t, "/metrics", "X-Forwarded-For", "203.0.113.9").Want(t, http.StatusNotFound)
	in.get(t, "/metrics", "X-Forwarded-For", "203.0.113.9", "Authorization", "Bearer "+metricsToken).Want(t, http.StatusOK)
}

// TestMetricsFromAnotherMachine runs foyer in a network namespace of its
// own, reached over a virtual Ethernet pair: its scrapers connect from a
// real address that is not loopback. Without the token, or with a wrong
// one, /metrics is 404 like any missing page; with FOYER_METRICS_TOKEN it
// answers. It needs root and iproute2 (as CI has); elsewhere it is skipped.
func TestMetricsFromAnotherMachine(t *testing.T) {
	t.Parallel()
	name, addr := netns(t)
	in := startFoyerIn(t, name, addr, "FOYER_METRICS_TOKEN="+metricsToken)
	for _, h := range [][]string{nil, {"Authorization", "Bearer wrong-token-0123456789"}, {"Authorization", "Basic " + metricsToken}} {
		r := in.get(t, "/metrics", h...)
		if r.Status != http.StatusNotFound || bytes.Contains(r.Body, []byte("go_goroutines")) {
			t.Errorf("/metrics from %s with %v: %s", addr, h, r)
		}
	}
	s := readMetrics(t, in.get(t, "/metrics", "Authorization", "Bearer "+metricsToken))
	if s["go_goroutines"] <= 0 {
		t.Errorf("scrape with the token: no go_goroutines")
	}
	// The health check answers anyone.
	in.get(t, "/healthz").Want(t, http.StatusOK)
}

// netns makes a network namespace joined to this one by a veth pair with a
// random /30 of 10.254.0.0/16, removed when the test ends, and returns its
// name and the address of its end with a port for foyer.
func netns(t *testing.T) (name, addr string) {
	t.Helper()
	ipPath, err := exec.LookPath("ip")
	if os.Geteuid() != 0 || err != nil {
		if os.Getenv("FOYER_E2E") == "required" {
			t.Fatalf("a network namespace needs root and iproute2 (uid %d, ip: %v)", os.Geteuid(), err)
		}
		t.Skip("a network namespace needs root and iproute2")
	}
	n := rand.IntN(1 << 14)
	name = fmt.Sprintf("foyer-e2e-%d-%d", os.Getpid(), n)
	host, ns := fmt.Sprintf("fy%dh", n), fmt.Sprintf("fy%dn", n)
	outer := net.IPv4(10, 254, byte(n>>6), byte(n&63)<<2|1).String()
	inner := net.IPv4(10, 254, byte(n>>6), byte(n&63)<<2|2).String()
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(ipPath, args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("netns", "add", name)
	t.Cleanup(func() { exec.Command(ipPath, "netns", "del", name).Run() })
	run("link", "add", host, "type", "veth", "peer", "name", ns)
	t.Cleanup(func() { exec.Command(ipPath, "link", "del", host).Run() })
	run("link", "set", ns, "netns", name)
	run("addr", "add", outer+"/30", "dev", host)
	run("link", "set", host, "up")
	run("-n", name, "addr", "add", inner+"/30", "dev", ns)
	run("-n", name, "link", "set", ns, "up")
	run("-n", name, "link", "set", "lo", "up")
	return name, net.JoinHostPort(inner, "8080")
}

// startFoyerIn runs `foyer serve --demo` inside the network namespace,
// listening on addr, and stops it when the test ends.
func startFoyerIn(t *testing.T, netns, addr string, env ...string) *Instance {
	t.Helper()
	in := &Instance{Data: t.TempDir(), stdout: &logtest.Buffer{}, stderr: &logtest.Buffer{}, httpClient: &http.Client{Timeout: requestTimeout}}
	proc, err := foyerproc.Start(foyerproc.Options{
		Binary: "ip",
		Args:   []string{"netns", "exec", netns, foyerBin, "serve", "--demo"},
		Data:   in.Data,
		Addr:   addr,
		Env:    append([]string{"FOYER_ADMIN_PASSWORD=" + adminPassword}, env...),
		Stdout: in.stdout,
		Stderr: in.stderr,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := proc.WaitHealthy(t.Context(), startTimeout); err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, in.stderr)
	}
	in.proc, in.URL, in.Addr = proc, proc.URL(), proc.Addr()
	t.Cleanup(func() { in.stop(t, Options{}) })
	return in
}
