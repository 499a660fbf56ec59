package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/export"
	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/view"
)

// exportsPage offers an event's lists: the attendee list by preset, the
// speaker list, print views and badges.
type exportsPage struct {
	adminFrame
	Presets []string
}

// showExports is GET /admin/events/{slug}/exports.
func (s *Server) showExports(c echo.Context) error {
	_, frame, err := s.sectionPage(c, "exports")
	if err != nil {
		return err
	}
	return s.renderAdmin(c, http.StatusOK, "exports", &exportsPage{adminFrame: frame, Presets: export.Presets})
}

// exportSpeakers is GET …/speakers.csv and …/speakers.xlsx: the speaker
// list with emails, for organisers.
func (s *Server) exportSpeakers(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ev, err := s.app.Store.GetEvent(c.Request().Context(), c.Param("slug"))
		if err != nil {
			return err
		}
		useEventLanguage(c, ev.Event)
		l := lang(c)
		list := export.NewSpeakers(ev.Event, l, i18n.In(l), func(role string) string { return view.RoleName(l, role) })
		err = s.writeDownload(c, format, list.FileName(format), func(w http.ResponseWriter) error {
			if format == "xlsx" {
				return list.WriteXLSX(w, s.tempDir())
			}
			return list.WriteCSV(w)
		})
		if err == nil {
			s.app.Log.Info("speakers exported", "event", ev.Slug, "format", format, "user", currentUser(c).ID)
		}
		return err
	}
}
