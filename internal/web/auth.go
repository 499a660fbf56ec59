package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/store"
)

// Context keys set by middleware.
const (
	ctxUser        = "user"
	ctxLang        = "lang"
	csrfContextKey = "csrf"
	sessionCookie  = "foyer_session"
)

// authenticate finds the user of a request: an API token in the
// Authorization header, or else a session cookie. It never refuses; routes
// that need a user say so with requireRole.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				return problem(c, http.StatusUnauthorized, "unauthorized")
			}
			u, err := s.app.Store.UserByToken(ctx, strings.TrimSpace(token))
			if errors.Is(err, store.ErrNotFound) {
				return problem(c, http.StatusUnauthorized, "unauthorized")
			}
			if err != nil {
				return err
			}
			c.Set(ctxUser, u)
			return next(c)
		}
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			ws, err := s.app.Store.GetWebSession(ctx, ck.Value)
			switch {
			case err == nil:
				c.Set(ctxUser, ws.User)
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
		}
		return next(c)
	}
}

// requireRole is the one place where roles are checked: no user is 401 (a
// redirect to the login page for browsers), a user without the role is 403.
func requireRole(role string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u, ok := c.Get(ctxUser).(*store.User)
			if !ok {
				return problem(c, http.StatusUnauthorized, "unauthorized")
			}
			if !u.Can(role) {
				return problem(c, http.StatusForbidden, "forbidden")
			}
			return next(c)
		}
	}
}

func currentUser(c echo.Context) *store.User {
	u, _ := c.Get(ctxUser).(*store.User)
	return u
}

type loginPage struct {
	Page
	Email string
	Next  string
	Error string
}

func (s *Server) showLogin(c echo.Context) error {
	return s.render(c, http.StatusOK, "login", &loginPage{Page: s.page(c, ""), Next: safeNext(c.QueryParam("next"))})
}

func (s *Server) login(c echo.Context) error {
	email, password := strings.TrimSpace(c.FormValue("email")), c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	u, err := s.app.Store.Authenticate(c.Request().Context(), email, password)
	if errors.Is(err, store.ErrNotFound) {
		p := &loginPage{Page: s.page(c, ""), Email: email, Next: next, Error: problem(c, 0, "login_failed").Message}
		return s.render(c, http.StatusUnauthorized, "login", p)
	}
	if err != nil {
		return err
	}
	id, err := s.app.Store.CreateWebSession(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: isTLS(c), Expires: time.Now().Add(store.SessionLifetime),
	})
	s.app.Log.Info("signed in", "user", u.ID)
	if next == "/" && u.Can(store.RoleOrganiser) {
		next = "/admin"
	}
	return c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.app.Store.DeleteWebSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isTLS(c)})
	return c.Redirect(http.StatusSeeOther, "/")
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}

// isTLS reports whether the browser reached us over HTTPS, directly or
// through a proxy that says so.
func isTLS(c echo.Context) bool {
	return c.Request().TLS != nil || c.Request().Header.Get("X-Forwarded-Proto") == "https"
}
