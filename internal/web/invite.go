package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/store"
)

// The page an invitation's link opens: the invited member of the team sets
// a first password and is signed in. The token is the only key; the
// request log shows the route (/invite/:token), never the token.

// invitePage is the form, or why the link does not work (State).
type invitePage struct {
	Page
	// State is "" for a working link, else expired, used, replaced,
	// disabled or unknown.
	State  string
	Name   string
	Email  string
	Until  time.Time
	Errors map[string]string
	Min    int
}

// invitationState names why a link does not work, with the status its page
// answers with; "" for a link that works.
func invitationState(err error) (string, int) {
	switch {
	case err == nil:
		return "", http.StatusOK
	case errors.Is(err, store.ErrNotFound):
		return "unknown", http.StatusNotFound
	case errors.Is(err, store.ErrInvitationExpired):
		return "expired", http.StatusGone
	case errors.Is(err, store.ErrInvitationUsed):
		return "used", http.StatusGone
	case errors.Is(err, store.ErrInvitationReplaced):
		return "replaced", http.StatusGone
	case errors.Is(err, store.ErrAccountDisabled):
		return "disabled", http.StatusForbidden
	}
	return "error", http.StatusInternalServerError
}

// openInvitation reads the invitation of the link and builds its page in
// the language the admin chose, unless the visitor picked another.
func (s *Server) openInvitation(c echo.Context) (*invitePage, int, error) {
	inv, err := s.app.Store.InvitationByToken(c.Request().Context(), c.Param("token"), s.now())
	state, status := invitationState(err)
	if state == "error" {
		return nil, 0, err
	}
	if inv != nil && c.QueryParam("lang") == "" {
		if _, err := c.Cookie(i18n.CookieName); err != nil {
			c.Set(ctxLang, inv.Language)
		}
	}
	p := &invitePage{Page: s.page(c, i18n.T(lang(c), "invite.title")), State: state, Errors: map[string]string{},
		Min: store.PasswordMinChars}
	if inv != nil && state == "" {
		p.Name, p.Email, p.Until = inv.User.Name, inv.User.Email, inv.ExpiresAt
	}
	return p, status, nil
}

// showInvitation is GET /invite/{token}.
func (s *Server) showInvitation(c echo.Context) error {
	noStore(c)
	p, status, err := s.openInvitation(c)
	if err != nil {
		return err
	}
	return s.render(c, status, "invite", p)
}

// acceptInvitation is POST /invite/{token}: the first password, twice.
// It signs the new member in and sends them where a sign-in would.
func (s *Server) acceptInvitation(c echo.Context) error {
	noStore(c)
	p, status, err := s.openInvitation(c)
	if err != nil {
		return err
	}
	if p.State != "" {
		return s.render(c, status, "invite", p)
	}
	l := lang(c)
	password, again := c.FormValue("password"), c.FormValue("password_again")
	var perr *store.PasswordError
	if err := store.CheckPassword(password); errors.As(err, &perr) {
		p.Errors["password"] = i18n.T(l, "invite.field.password") + i18n.T(l, "punct.colon") + i18n.T(l, perr.Key, perr.Args...)
	} else if password == "" {
		p.Errors["password"] = i18n.T(l, "invite.field.password") + i18n.T(l, "punct.colon") + i18n.T(l, "password.error.short", store.PasswordMinChars, 0)
	} else if again != password {
		p.Errors["password_again"] = i18n.T(l, "invite.field.password_again") + i18n.T(l, "punct.colon") + i18n.T(l, "invite.error.mismatch")
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "invite", p)
	}
	ctx := c.Request().Context()
	u, err := s.app.Store.AcceptInvitation(ctx, c.Param("token"), password, s.now())
	if state, status := invitationState(err); state != "" {
		if state == "error" {
			return err
		}
		// Used or ended between the form and now.
		p.State = state
		return s.render(c, status, "invite", p)
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	s.app.Log.Info("invitation accepted", "user", u.ID)
	return c.Redirect(http.StatusSeeOther, landing(u, "/"))
}

// noStore keeps a page with a secret in its address out of caches.
func noStore(c echo.Context) {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
}
