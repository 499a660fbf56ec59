package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientIPExtractor(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}
	cases := []struct {
		name    string
		proxies []netip.Prefix
		remote  string
		xff     string
		realIP  string
		want    string
	}{
		{"direct", nil, "198.51.100.7:4000", "", "", "198.51.100.7"},
		{"stranger's headers ignored", nil, "198.51.100.7:4000", "203.0.113.9", "203.0.113.8", "198.51.100.7"},
		{"loopback is not trusted by default", nil, "127.0.0.1:4000", "203.0.113.9", "", "127.0.0.1"},
		{"private nets are not trusted by default", []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, "10.1.2.3:4000", "203.0.113.9", "", "10.1.2.3"},
		{"trusted proxy names the client", trusted, "10.1.2.3:4000", "203.0.113.9", "", "203.0.113.9"},
		{"X-Real-IP is never read", trusted, "10.1.2.3:4000", "", "203.0.113.9", "10.1.2.3"},
		{"client's own entries are skipped", trusted, "10.1.2.3:4000", "1.2.3.4, 203.0.113.9", "", "203.0.113.9"},
		{"chain of trusted proxies", trusted, "10.1.2.3:4000", "203.0.113.9, 10.9.9.9", "", "203.0.113.9"},
		{"IPv6 proxy", trusted, "[2001:db8::1]:4000", "2001:db8:ffff::1, 198.51.100.20", "", "198.51.100.20"},
		{"garbage from the proxy", trusted, "10.1.2.3:4000", "not-an-address", "", "10.1.2.3"},
	}
	for _, tc := range cases {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = tc.remote
		if tc.xff != "" {
			req.Header.Set("X-Forwarded-For", tc.xff)
		}
		if tc.realIP != "" {
			req.Header.Set("X-Real-IP", tc.realIP)
		}
		if got := clientIPExtractor(tc.proxies)(req); got != tc.want {
			t.Errorf("%s: client %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestRotatingForwardedHeadersKeepTheLimit: a client that names a new
// address in X-Forwarded-For and X-Real-IP with every request still meets
// the per-client limit. Behind a trusted proxy the header is believed, and
// clients it names are limited one by one.
func TestRotatingForwardedHeadersKeepTheLimit(t *testing.T) {
	burst := func(ta *testApp) map[int]int {
		return statusesAtOnce(t, 40, func(i int) (*http.Response, error) {
			body, _ := json.Marshal(person(i, nil))
			req, _ := http.NewRequest("POST", ta.srv.URL+"/api/v1/events/forum/registrations", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
			req.Header.Set("X-Real-IP", fmt.Sprintf("198.51.100.%d", i))
			return http.DefaultClient.Do(req)
		})
	}
	direct := startAppWith(t, map[string]string{"FOYER_RATE_LIMIT": "on"}, false, smallForum("forum", nil, nil, true))
	if got := burst(direct); got[http.StatusTooManyRequests] < 10 {
		t.Errorf("rotating forwarded headers: statuses %v, want the burst of 20 limited", got)
	}
	proxied := startAppWith(t, map[string]string{"FOYER_RATE_LIMIT": "on", "FOYER_TRUSTED_PROXIES": "127.0.0.0/8,::1/128"}, false, smallForum("forum", nil, nil, true))
	if got := burst(proxied); got[http.StatusTooManyRequests] != 0 {
		t.Errorf("40 clients behind a trusted proxy: statuses %v, want none limited", got)
	}
}
