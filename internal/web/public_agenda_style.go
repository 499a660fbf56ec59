package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/store"
)

// The agenda grid places each session by its time and room. That placement
// is data, but the Content-Security-Policy allows no inline styles, so it
// travels as a small stylesheet of its own: one per version of the
// programme, cached by browsers for as long as that version lives.

// agendaStyleURL is where the event page finds its grid's stylesheet.
func agendaStyleURL(ev *store.Event) string {
	return "/events/" + ev.Slug + "/agenda-grid.css?v=" + url.QueryEscape(ev.Version)
}

// agendaStyle writes the grid placement of every day of the agenda. The
// classes match views/public/event.html: day-N on a day, rJ on a room
// heading, mK on a time mark and sK on a session.
func agendaStyle(days []agendaDay) []byte {
	var b bytes.Buffer
	for i, d := range days {
		fmt.Fprintf(&b, ".day-%d .agenda-grid{--rooms:%d}\n", i, max(1, len(d.Rooms)))
		for j := range d.Rooms {
			fmt.Fprintf(&b, ".day-%d .r%d{grid-column:%d}\n", i, j, j+2)
		}
		for k, m := range d.Marks {
			fmt.Fprintf(&b, ".day-%d .m%d{grid-row:%d / span 6}\n", i, k, m.Row)
		}
		for k, s := range d.Sessions {
			fmt.Fprintf(&b, ".day-%d .s%d{grid-row:%d / %d;grid-column:%d / %d}\n", i, k, s.Row, s.RowEnd, s.Col, s.ColEnd)
		}
	}
	return b.Bytes()
}

// serveAgendaStyle is GET /events/{slug}/agenda-grid.css.
func (s *Server) serveAgendaStyle(c echo.Context) error {
	ev, err := s.publishedEvent(c)
	if err != nil {
		return err
	}
	// The current version under its own URL never changes; anything else
	// (an old page, a draft only organisers see) is checked every time.
	if ev.Status != "draft" && c.QueryParam("v") == ev.Version {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "no-cache")
	}
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", agendaStyle(buildAgenda(ev.Public())))
}
