package web

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/store"
)

// Context keys set by middleware.
const (
	ctxUser        = "user"
	ctxLang        = "lang"
	csrfContextKey = "csrf"
	ctxHTTPS       = "https"
	ctxAuth        = "auth"    // authBearer or authSession
	ctxSession     = "session" // the *store.WebSession of a signed-in browser
	sessionCookie  = "foyer_session"
)

// authenticate finds the user of a request: an API token in the
// Authorization header, or else a session cookie. It never refuses; routes
// that need a user say so with requireRole.
//
// Pages use the session cookie only: a site behind a proxy with Basic
// authentication sends an Authorization header with every request, which
// must not turn every page into a sign-in loop. The API answers 401 to an
// Authorization header it cannot use, rather than quietly acting for nobody.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	authenticated := func(c echo.Context) error {
		// Who acts travels with the request's context into the store, which
		// writes organisers' and admins' changes to the audit log.
		r := c.Request()
		a := store.Actor{From: s.echo.IPExtractor(r), Request: r.Method + " " + c.Path()}
		if u := currentUser(c); u != nil {
			a.UserID, a.Email, a.Role = u.ID, u.Email, u.Role
		}
		c.SetRequest(r.WithContext(store.WithActor(r.Context(), a)))
		return next(c)
	}
	return s.findUser(authenticated)
}

// findUser sets the request's user, if any; see authenticate.
func (s *Server) findUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if isAPI(c) {
			if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
				scheme, token, _ := strings.Cut(h, " ")
				if !strings.EqualFold(scheme, "Bearer") {
					return problem(c, http.StatusUnauthorized, "auth_scheme")
				}
				u, err := s.app.Store.UserByToken(ctx, strings.TrimSpace(token))
				if errors.Is(err, store.ErrNotFound) {
					return problem(c, http.StatusUnauthorized, "unauthorized")
				}
				if err != nil {
					return err
				}
				c.Set(ctxUser, u)
				c.Set(ctxAuth, authBearer)
				return next(c)
			}
		}
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			ws, err := s.app.Store.GetWebSession(ctx, ck.Value)
			switch {
			case err == nil:
				c.Set(ctxUser, ws.User)
				c.Set(ctxSession, ws)
				c.Set(ctxAuth, authSession)
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
		}
		return next(c)
	}
}

// How a request was authenticated, in ctxAuth.
const (
	authBearer  = "bearer"
	authSession = "session"
)

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
	ctx := c.Request().Context()
	email, password := strings.TrimSpace(c.FormValue("email")), c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	// A locked name is refused before its password is looked at: during
	// the lock even the right password does not sign in.
	until, err := s.app.Store.LoginLockedUntil(ctx, email)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		return s.loginLocked(c, email, next, until)
	}
	u, err := s.app.Store.Authenticate(ctx, email, password)
	if errors.Is(err, store.ErrNotFound) {
		lock, err := s.app.Store.RecordLoginFailure(ctx, email)
		if err != nil {
			return err
		}
		if lock != nil {
			// The name is personal data; the account's id is enough to
			// find it, and a name that is no account says nothing.
			account := "none"
			if lock.User != nil {
				account = strconv.FormatInt(lock.User.ID, 10)
			}
			s.app.Log.Warn("sign-in locked after repeated failures", "user", account,
				"failures", lock.Failures, "until", lock.Until.Format(time.RFC3339))
			return s.loginLocked(c, email, next, lock.Until)
		}
		p := &loginPage{Page: s.page(c, ""), Email: email, Next: next, Error: problem(c, 0, "login_failed").Message}
		return s.render(c, http.StatusUnauthorized, "login", p)
	}
	if err != nil {
		return err
	}
	if err := s.app.Store.ClearLoginFailures(ctx, email); err != nil {
		return err
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	s.app.Log.Info("signed in", "user", u.ID)
	return c.Redirect(http.StatusSeeOther, landing(u, next))
}

// startSession signs u in in this browser: a new session, in a cookie that
// scripts cannot read.
func (s *Server) startSession(c echo.Context, u *store.User) error {
	id, err := s.app.Store.CreateWebSession(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: isTLS(c), Expires: time.Now().Add(store.SessionLifetime),
	})
	return nil
}

// landing is where a user goes once signed in: next, or the admin pages for
// organisers who asked for nothing in particular.
func landing(u *store.User, next string) string {
	if next == "/" && u.Can(store.RoleOrganiser) {
		return "/admin"
	}
	return next
}

// loginLocked answers a sign-in for a locked name: 429 with Retry-After,
// and the form again with the time to wait.
func (s *Server) loginLocked(c echo.Context, email, next string, until time.Time) error {
	wait := max(1, int(math.Ceil(time.Until(until).Seconds())))
	c.Response().Header().Set("Retry-After", strconv.Itoa(wait))
	minutes := (wait + 59) / 60
	p := &loginPage{Page: s.page(c, ""), Email: email, Next: next, Error: problem(c, 0, "login_locked", minutes).Message}
	return s.render(c, http.StatusTooManyRequests, "login", p)
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

// safeNext keeps a post-login redirect on this site: only a path of our
// own, as browsers read it. Anything else (another host, a scheme, a
// backslash that browsers turn into a slash, a control character that they
// drop, "//" that starts another host) goes to the default page.
func safeNext(next string) string {
	const fallback = "/"
	if len(next) > 2000 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\") || strings.ContainsFunc(next, unicode.IsControl) {
		return fallback
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return fallback
	}
	// Decoded, the path must pass the same test: a proxy or a later
	// redirect may decode %2F or %5C.
	if strings.HasPrefix(u.Path, "//") || strings.ContainsAny(u.Path, "\\") || strings.ContainsFunc(u.Path, unicode.IsControl) {
		return fallback
	}
	return next
}
