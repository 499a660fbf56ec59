package web

import (
	"crypto/subtle"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/store"
)

// csrf protects what a browser's credentials could be made to do by
// another site:
//
//   - A signed-in browser (session cookie) must send its session's own
//     CSRF token with every state-changing request: the hidden field _csrf
//     of a form, or the X-CSRF-Token header (the API and the check-in
//     page). The token lives with the session on the server, so no cookie
//     an attacker can plant or choose stands in for it.
//   - A request with an API token (Authorization: Bearer) needs none: no
//     browser sends that header on its own.
//   - Anonymous forms (registration, the manage page, the login itself)
//     keep a token tied to a cookie of their own, checked against the
//     form's field (echo's double-submit middleware).
//   - Anonymous API calls carry no credentials to misuse, and their bodies
//     must be application/json, which no cross-site form can send.
func (s *Server) csrf() echo.MiddlewareFunc {
	anonymous := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf",
		CookieName:     "foyer_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteLaxMode,
		ContextKey:     csrfContextKey,
		// A missing or stale token is an expired form to the user, not a
		// bare 400: say so in their language.
		ErrorHandler: func(_ error, c echo.Context) error { return problem(c, http.StatusForbidden, "csrf") },
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		forAnonymous := anonymous(next)
		return func(c echo.Context) error {
			switch c.Get(ctxAuth) {
			case authBearer:
				return next(c)
			case authSession:
				ws := c.Get(ctxSession).(*store.WebSession)
				c.Set(csrfContextKey, ws.CSRF)
				if safeMethod(c.Request().Method) {
					return next(c)
				}
				sent := c.Request().Header.Get("X-CSRF-Token")
				if sent == "" && !isAPI(c) {
					sent = c.FormValue("_csrf")
				}
				if subtle.ConstantTimeCompare([]byte(sent), []byte(ws.CSRF)) != 1 {
					if isAPI(c) {
						return &Problem{Status: http.StatusForbidden, Code: "csrf", Message: i18n.T(lang(c), "error.csrf_header")}
					}
					return problem(c, http.StatusForbidden, "csrf")
				}
				return next(c)
			}
			// Signing out without a session has nothing to protect, and
			// must work with the form of a session that has just expired.
			if isAPI(c) || c.Path() == "/logout" {
				return next(c)
			}
			return forAnonymous(c)
		}
	}
}

// safeMethod reports the methods that change nothing.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodTrace
}
