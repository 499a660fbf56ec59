package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/programme"
)

// negotiateLanguage picks the request's language (?lang=, cookie,
// Accept-Language) and remembers an explicit choice in a cookie.
func (s *Server) negotiateLanguage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		l, fromQuery := i18n.Negotiate(c.Request(), "")
		if fromQuery {
			c.SetCookie(&http.Cookie{Name: i18n.CookieName, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
				SameSite: http.SameSiteLaxMode, HttpOnly: true, Secure: isTLS(c)})
		}
		c.Set(ctxLang, l)
		return next(c)
	}
}

// lang returns the request's language.
func lang(c echo.Context) string {
	if l, ok := c.Get(ctxLang).(string); ok {
		return l
	}
	return "en"
}

// useEventLanguage switches to the event's default language when the visitor
// expressed no preference at all.
func useEventLanguage(c echo.Context, ev *programme.Event) {
	r := c.Request()
	if r.URL.Query().Get("lang") != "" || r.Header.Get("Accept-Language") != "" {
		return
	}
	if _, err := r.Cookie(i18n.CookieName); err == nil {
		return
	}
	c.Set(ctxLang, ev.DefaultLanguage)
}
