package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/view"
)

// The schedule exports take the language from ?lang= or else the event's
// default: schedule apps send no Accept-Language worth following.
func scheduleLang(c echo.Context, e *programme.Event) string {
	if l := c.QueryParam("lang"); languages.Valid(l) {
		return l
	}
	return e.DefaultLanguage
}

func (s *Server) scheduleJSON(c echo.Context) error {
	return s.scheduleFile(c, programme.ScheduleJSON, "application/json; charset=utf-8")
}

func (s *Server) scheduleXML(c echo.Context) error {
	return s.scheduleFile(c, programme.ScheduleXML, "application/xml; charset=utf-8")
}

// scheduleFile answers with the published event's programme written by
// format, in the language scheduleLang picks.
func (s *Server) scheduleFile(c echo.Context, format func(e *programme.Event, lang, baseURL string) ([]byte, error), contentType string) error {
	ev, err := s.publishedEvent(c)
	if err != nil {
		return err
	}
	data, err := format(ev.Public(), scheduleLang(c, ev.Event), s.app.Config.BaseURL)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, contentType, data)
}

func (s *Server) scheduleICS(c echo.Context) error {
	ev, err := s.publishedEvent(c)
	if err != nil {
		return err
	}
	l := scheduleLang(c, ev.Event)
	data := programme.ScheduleICS(ev.Public(), l, s.app.Config.BaseURL, view.SpeakerLines(l))
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+ev.Slug+`.ics"`)
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", data)
}
