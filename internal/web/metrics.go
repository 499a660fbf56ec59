package web

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// metrics is GET /metrics, the Prometheus text format, for those that
// mayScrape; anyone else gets the same 404 as for a page that does not
// exist, so scanners learn nothing, not even whether a token is set.
func (s *Server) metrics(c echo.Context) error {
	if !s.mayScrape(c.Request()) {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	s.app.Metrics.Handler().ServeHTTP(c.Response(), c.Request())
	return nil
}

// mayScrape lets in a scraper on this machine, or one that sends
// FOYER_METRICS_TOKEN as its bearer token.
//
// "This machine" is the socket's address, never X-Forwarded-For. A reverse
// proxy on this machine connects from loopback too, so a request that
// carries forwarding headers came through one and counts as remote: the
// internet must not see the metrics through the proxy.
func (s *Server) mayScrape(r *http.Request) bool {
	if token := s.app.Config.MetricsToken; token != "" {
		if got, ok := strings.CutPrefix(r.Header.Get(echo.HeaderAuthorization), "Bearer "); ok &&
			subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) == 1 {
			return true
		}
	}
	for _, h := range []string{"X-Forwarded-For", "X-Real-Ip", "Forwarded"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
