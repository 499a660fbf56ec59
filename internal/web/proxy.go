package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
)

// clientIPExtractor names the client of a request for the rate limits and
// the log. Only a trusted reverse proxy (FOYER_TRUSTED_PROXIES) may name it
// in X-Forwarded-For, and then the client is the nearest address in that
// header that is not itself a trusted proxy; anyone else's header is
// ignored, so rotating it gains nothing. X-Real-IP is never read.
func clientIPExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	// echo trusts loopback and private networks by default: a client on
	// the same network could then name any address. Trust only the list.
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		opts = append(opts, echo.TrustIPRange(&net.IPNet{
			IP:   net.IP(p.Addr().AsSlice()),
			Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen()),
		}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// fromTrustedProxy reports whether the request's socket peer is one of the
// trusted proxies.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	if len(s.app.Config.TrustedProxies) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.app.Config.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// requestIsHTTPS reports whether the browser reached foyer over HTTPS:
// directly, or through a trusted proxy that says so in X-Forwarded-Proto
// (its first value: the scheme the outermost proxy saw).
func (s *Server) requestIsHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !s.fromTrustedProxy(r) {
		return false
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}
