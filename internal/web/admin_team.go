package web

import (
	"errors"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/store"
)

// The team, for admins: accounts with their roles, a new account with a
// first password shown once, changes of role and name, disabling, a new
// password, and each account's API tokens (a new one shown once, with the
// last use of each, revoking). The store writes every change to the audit
// log in the change's transaction.

// teamPage lists the accounts, or shows one with its tokens.
type teamPage struct {
	adminFrame
	Team   []store.Member
	Member *store.Member
	Tokens []store.Token
	// Secret is a password or token made just now, shown once; SecretKind
	// says which ("password" or "token").
	Secret     string
	SecretKind string
	Notice     string
	Values     map[string]string
	Errors     map[string]string
	Roles      []string
	Current    int64 // the admin's own account
	// Languages an invitation can be written in; MailConfigured says
	// whether emails reach people (SMTP) rather than .eml files.
	Languages      []string
	MailConfigured bool
}

var teamRoles = []string{store.RoleStaff, store.RoleOrganiser, store.RoleAdmin}

// maxMemberName bounds an account's name: it is shown in lists and logs.
const maxMemberName = 120

func (s *Server) showTeam(c echo.Context) error {
	return s.renderTeam(c, &teamPage{Values: map[string]string{"role": store.RoleStaff, "language": lang(c),
		"delivery": s.defaultDelivery()}}, http.StatusOK)
}

// defaultDelivery is how a new account gets its first password unless the
// admin chooses: an invitation by email when emails reach people.
func (s *Server) defaultDelivery() string {
	if s.app.Config.SMTPURL != "" {
		return "invite"
	}
	return "password"
}

// renderTeam completes p (the team, or the member's tokens) and renders it.
func (s *Server) renderTeam(c echo.Context, p *teamPage, status int) error {
	ctx := c.Request().Context()
	title := i18n.T(lang(c), "team.title")
	if p.Member != nil {
		title = p.Member.Name
	}
	frame, err := s.adminPageOf(c, nil, "team", title)
	if err != nil {
		return err
	}
	p.adminFrame, p.Roles, p.Current = frame, teamRoles, currentUser(c).ID
	p.Languages, p.MailConfigured = languages.All, s.app.Config.SMTPURL != ""
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	if p.Values == nil {
		p.Values = map[string]string{}
	}
	if p.Member == nil {
		if p.Team, err = s.app.Store.Team(ctx); err != nil {
			return err
		}
		return s.renderAdmin(c, status, "team", p)
	}
	if p.Tokens, err = s.app.Store.Tokens(ctx, p.Member.ID); err != nil {
		return err
	}
	if p.Notice == "" && c.QueryParam("done") != "" {
		switch c.QueryParam("done") {
		case "saved":
			p.Notice = i18n.T(lang(c), "team.saved")
		case "revoked":
			p.Notice = i18n.T(lang(c), "team.revoked")
		case "invited":
			p.Notice = invitationNotice(lang(c), p.Member)
		}
	}
	return s.renderAdmin(c, status, "member", p)
}

// addMember is POST /admin/team: a new account, either invited by email
// in the language the admin chose (delivery "invite"), or with a first
// password that foyer makes and shows once, for the admin to hand over.
func (s *Server) addMember(c echo.Context) error {
	l := lang(c)
	values := map[string]string{"email": strings.TrimSpace(c.FormValue("email")), "name": strings.TrimSpace(c.FormValue("name")),
		"role": c.FormValue("role"), "delivery": c.FormValue("delivery"), "language": c.FormValue("language")}
	if values["delivery"] == "" {
		values["delivery"] = s.defaultDelivery()
	}
	errs := map[string]string{}
	if values["delivery"] != "invite" && values["delivery"] != "password" {
		errs["delivery"] = i18n.T(l, "invite.error.delivery")
	}
	if values["delivery"] == "invite" && !languages.Valid(values["language"]) {
		errs["language"] = i18n.T(l, "invite.error.language")
	}
	if a, err := mail.ParseAddress(values["email"]); err != nil || a.Address != values["email"] {
		errs["email"] = i18n.T(l, "reg.error.email")
	}
	if msg := memberNameProblem(l, values["name"]); msg != "" {
		errs["name"] = msg
	}
	if !store.ValidRole(values["role"]) {
		errs["role"] = i18n.T(l, "team.error.role")
	}
	if len(errs) > 0 {
		return s.renderTeam(c, &teamPage{Values: values, Errors: errs}, http.StatusUnprocessableEntity)
	}
	if values["delivery"] == "invite" {
		return s.inviteNewMember(c, values)
	}
	password := store.NewSecret(12)
	u, err := s.app.Store.CreateUser(c.Request().Context(), values["email"], values["name"], values["role"], password)
	if errors.Is(err, store.ErrConflict) {
		return s.renderTeam(c, &teamPage{Values: values, Errors: map[string]string{"email": i18n.T(l, "team.error.taken")}}, http.StatusConflict)
	}
	if err != nil {
		return err
	}
	m, err := s.app.Store.UserByID(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	s.app.Log.Info("account created", "user", m.ID, "role", m.Role, "by", currentUser(c).ID)
	return s.renderTeam(c, &teamPage{Member: m, Secret: password, SecretKind: "password"}, http.StatusCreated)
}

// memberNameProblem says what is wrong with an account's name, or "".
func memberNameProblem(l, name string) string {
	switch {
	case name == "":
		return i18n.T(l, "reg.error.required")
	case utf8.RuneCountInString(name) > maxMemberName || strings.ContainsAny(name, "<>\x00\r\n\t"):
		return i18n.T(l, "team.error.name")
	}
	return ""
}

// member loads the account of :id.
func (s *Server) member(c echo.Context) (*store.Member, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	return s.app.Store.UserByID(c.Request().Context(), id)
}

func (s *Server) showMember(c echo.Context) error {
	m, err := s.member(c)
	if err != nil {
		return err
	}
	return s.renderTeam(c, &teamPage{Member: m}, http.StatusOK)
}

// updateMember is POST /admin/team/{id}: its name, role and whether it is
// disabled. Admins cannot lock themselves out, and the last admin keeps
// the role.
func (s *Server) updateMember(c echo.Context) error {
	m, err := s.member(c)
	if err != nil {
		return err
	}
	l := lang(c)
	name, role, disabled := strings.TrimSpace(c.FormValue("name")), c.FormValue("role"), c.FormValue("disabled") != ""
	errs := map[string]string{}
	if msg := memberNameProblem(l, name); msg != "" {
		errs["name"] = msg
	}
	if !store.ValidRole(role) {
		errs["role"] = i18n.T(l, "team.error.role")
	}
	if m.ID == currentUser(c).ID && (disabled || role != store.RoleAdmin) {
		errs["role"] = i18n.T(l, "team.error.self")
	}
	if len(errs) > 0 {
		return s.renderTeam(c, &teamPage{Member: m, Errors: errs}, http.StatusUnprocessableEntity)
	}
	err = s.app.Store.UpdateMember(c.Request().Context(), m.ID, name, role, disabled)
	if errors.Is(err, store.ErrLastAdmin) {
		return s.renderTeam(c, &teamPage{Member: m, Errors: map[string]string{"role": i18n.T(l, "team.error.last_admin")}}, http.StatusConflict)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/team/"+strconv.FormatInt(m.ID, 10)+"?done=saved")
}

// resetPassword is POST /admin/team/{id}/password: a new password, shown
// once; the account's browsers are signed out.
func (s *Server) resetPassword(c echo.Context) error {
	m, err := s.member(c)
	if err != nil {
		return err
	}
	password := store.NewSecret(12)
	if _, err := s.app.Store.SetPassword(c.Request().Context(), m.Email, password); err != nil {
		return err
	}
	s.app.Log.Info("password reset", "user", m.ID, "by", currentUser(c).ID)
	return s.renderTeam(c, &teamPage{Member: m, Secret: password, SecretKind: "password"}, http.StatusOK)
}

// createMemberToken is POST /admin/team/{id}/tokens: a new API token for
// the account, shown once.
func (s *Server) createMemberToken(c echo.Context) error {
	m, err := s.member(c)
	if err != nil {
		return err
	}
	token, err := s.app.Store.CreateToken(c.Request().Context(), m.ID)
	if err != nil {
		return err
	}
	return s.renderTeam(c, &teamPage{Member: m, Secret: token, SecretKind: "token"}, http.StatusCreated)
}

// revokeMemberToken is POST /admin/team/{id}/tokens/{token}/revoke.
func (s *Server) revokeMemberToken(c echo.Context) error {
	m, err := s.member(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "token")
	if err != nil {
		return err
	}
	if err := s.app.Store.RevokeToken(c.Request().Context(), m.ID, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/team/"+strconv.FormatInt(m.ID, 10)+"?done=revoked")
}
