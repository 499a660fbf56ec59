package web

import (
	"math"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/store"
)

// adminPage is the organisers' overview of all events and their figures.
type adminPage struct {
	adminFrame
	Figures []store.Figures
	// For admins: accounts the sign-in throttle refuses now, and how many
	// locked names are no account.
	Locks        []lockView
	UnknownLocks int
	// Purges are events whose guests' personal data is due for removal.
	Purges []store.PurgeDue
}

// lockView is a locked account as the overview shows it.
type lockView struct {
	store.LoginLock
	Minutes int // left, rounded up
}

func (s *Server) adminHome(c echo.Context) error {
	figures, err := s.app.Store.EventFigures(c.Request().Context())
	if err != nil {
		return err
	}
	frame, err := s.adminPageOf(c, nil, "", i18n.T(lang(c), "admin.title"))
	if err != nil {
		return err
	}
	p := &adminPage{adminFrame: frame, Figures: figures}
	if p.Purges, err = s.app.Store.PurgesDue(c.Request().Context(), time.Now()); err != nil {
		return err
	}
	if u := currentUser(c); u != nil && u.Can(store.RoleAdmin) {
		locks, err := s.app.Store.LoginLocks(c.Request().Context())
		if err != nil {
			return err
		}
		for _, l := range locks {
			if l.User == nil {
				p.UnknownLocks++
				continue
			}
			p.Locks = append(p.Locks, lockView{LoginLock: l, Minutes: max(1, int(math.Ceil(time.Until(l.Until).Minutes())))})
		}
	}
	return s.renderAdmin(c, http.StatusOK, "admin", p)
}
