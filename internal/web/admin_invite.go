package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/store"
)

// Invitations to the team, for admins: a new account invited by email, and
// a new invitation to an account that has never signed in. The email goes
// through the outbox; its link is in the email alone.

// inviteNewMember creates the account of the validated values and queues
// its invitation.
func (s *Server) inviteNewMember(c echo.Context, values map[string]string) error {
	ctx := c.Request().Context()
	u, err := s.app.Store.CreateInvitedUser(ctx, values["email"], values["name"], values["role"], values["language"], s.now())
	if errors.Is(err, store.ErrConflict) {
		return s.renderTeam(c, &teamPage{Values: values, Errors: map[string]string{"email": i18n.T(lang(c), "team.error.taken")}}, http.StatusConflict)
	}
	if err != nil {
		return err
	}
	m, err := s.app.Store.UserByID(ctx, u.ID)
	if err != nil {
		return err
	}
	s.app.Log.Info("account created, invitation queued", "user", m.ID, "role", m.Role, "by", currentUser(c).ID)
	return s.renderTeam(c, &teamPage{Member: m, Notice: invitationNotice(lang(c), m)}, http.StatusCreated)
}

// reinviteMember is POST /admin/team/{id}/invite: a new invitation, in the
// language chosen, to an account that has never signed in. Its earlier
// invitations stop working.
func (s *Server) reinviteMember(c echo.Context) error {
	m, err := s.member(c)
	if err != nil {
		return err
	}
	l, invLang := lang(c), c.FormValue("language")
	if !languages.Valid(invLang) {
		return s.renderTeam(c, &teamPage{Member: m, Errors: map[string]string{"invite": i18n.T(l, "invite.error.language")}}, http.StatusUnprocessableEntity)
	}
	err = s.app.Store.Invite(c.Request().Context(), m.ID, invLang, s.now())
	switch {
	case errors.Is(err, store.ErrSignedIn):
		return s.renderTeam(c, &teamPage{Member: m, Errors: map[string]string{"invite": i18n.T(l, "invite.error.signed_in")}}, http.StatusConflict)
	case errors.Is(err, store.ErrAccountDisabled):
		return s.renderTeam(c, &teamPage{Member: m, Errors: map[string]string{"invite": i18n.T(l, "invite.error.disabled")}}, http.StatusConflict)
	case err != nil:
		return err
	}
	s.app.Log.Info("invitation queued", "user", m.ID, "by", currentUser(c).ID)
	return c.Redirect(http.StatusSeeOther, "/admin/team/"+strconv.FormatInt(m.ID, 10)+"?done=invited")
}

// invitationNotice tells the admin that m's invitation is on its way and
// until when its link works.
func invitationNotice(l string, m *store.Member) string {
	return i18n.T(l, "invite.sent", m.Email, i18n.Stamp(l, m.InvitedUntil.UTC())+" UTC")
}
