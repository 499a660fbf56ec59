package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/store"
)

// mailAlert is the banner on every organiser page while mail is in
// trouble: the settings or the server fail every email, or an email has
// waited over outbox.SlowAfter. It says what is wrong and what to check,
// in the organiser's language; the layout shows it above the page, so
// every page under /admin has it without doing anything.
type mailAlert struct {
	Title   string
	Problem string
	Check   string
	Waiting string
	// Detail is the server's own answer (or the TLS library's), in
	// English, for whoever mends the settings.
	Detail string
}

// mailAlert returns the banner for an organiser's page under /admin, or
// nil when mail goes out (or the page is not one of those).
func (s *Server) mailAlert(c echo.Context, u *store.User) *mailAlert {
	path := c.Request().URL.Path
	if u == nil || !u.Can(store.RoleOrganiser) || (path != "/admin" && !strings.HasPrefix(path, "/admin/")) {
		return nil
	}
	h, err := s.app.Mailer.Health(c.Request().Context())
	if err != nil {
		s.app.Log.Error("mail alert: read the outbox", "err", err, "request_id", requestID(c))
	}
	if h.OK {
		return nil
	}
	l := lang(c)
	title := "ops.mail.title_fault"
	if h.Problem == "slow" {
		title = "ops.mail.title_slow"
	}
	minutes := int(h.OldestWaiting.Minutes())
	a := &mailAlert{
		Title:   i18n.T(l, title),
		Problem: i18n.T(l, "ops.mail.problem."+h.Problem),
		Check:   i18n.T(l, "ops.mail.check."+h.Problem),
		Detail:  h.Answer,
	}
	switch {
	case h.Problem == "slow":
		a.Problem = i18n.T(l, "ops.mail.problem.slow", minutes)
		a.Waiting = i18n.T(l, "ops.mail.waiting", h.Waiting)
	case h.Waiting == 0:
		a.Waiting = i18n.T(l, "ops.mail.none_waiting")
	case minutes < 1:
		a.Waiting = i18n.T(l, "ops.mail.waiting", h.Waiting)
	default:
		a.Waiting = i18n.T(l, "ops.mail.waiting_since", h.Waiting, minutes)
	}
	return a
}
