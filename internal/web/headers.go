package web

import (
	"github.com/labstack/echo/v4"
)

// contentSecurityPolicy allows nothing inline: scripts, styles and images
// come from foyer itself (images also as data: URIs, such as a logo
// embedded in the programme), forms post only to foyer, and no other site
// may frame its pages.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// hstsMaxAge is a year: browsers that once reached foyer over HTTPS never
// try plain HTTP again. Subdomains are left alone, as foyer cannot know
// what else runs under its domain.
const hstsMaxAge = "max-age=31536000"

// securityHeaders are sent with every answer. It also records whether the
// request came over HTTPS, which cookies and HSTS depend on.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		https := s.requestIsHTTPS(c.Request())
		c.Set(ctxHTTPS, https)
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if https {
			h.Set("Strict-Transport-Security", hstsMaxAge)
		}
		return next(c)
	}
}

// isTLS reports whether the browser reached us over HTTPS, directly or
// through a trusted proxy that says so; cookies are marked Secure then.
func isTLS(c echo.Context) bool {
	https, _ := c.Get(ctxHTTPS).(bool)
	return https
}
