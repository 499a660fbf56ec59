package web

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/export"
	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

// listFilter reads the registration filter of the organisers' table, the
// API's list and the exports from the query string (registration.ParseFilter),
// answering 400 with a message per wrong parameter.
func listFilter(c echo.Context, ev *store.Event) (store.Filter, error) {
	f, errs := registration.ParseFilter(c.QueryParams(), ev.Event)
	if errs != nil {
		p := problem(c, http.StatusBadRequest, "bad_filter")
		p.Fields = view.Fields(lang(c), errs)
		return f, p
	}
	return f, nil
}

// Export formats and their media types.
var exportTypes = map[string]string{
	"csv":  "text/csv; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// attendeeList reads what an export asks for: the event, its filter (the
// whole filtered list, whatever page a view shows), the column preset and
// the questions, in the organiser's language (the event's own when the
// request names none).
func (s *Server) attendeeList(c echo.Context) (*store.Event, store.Filter, *export.List, error) {
	ev, err := s.app.Store.GetEvent(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return nil, store.Filter{}, nil, err
	}
	useEventLanguage(c, ev.Event)
	f, err := listFilter(c, ev)
	if err != nil {
		return nil, f, nil, err
	}
	f.Limit, f.Offset = 0, 0
	var questions []string
	if v := strings.TrimSpace(c.QueryParam("questions")); v != "" {
		questions = strings.Split(v, ",")
	}
	l := lang(c)
	list, err := export.NewList(ev.Event, c.QueryParam("preset"), l, questions, i18n.In(l))
	switch {
	case errors.Is(err, export.ErrPreset):
		p := problem(c, http.StatusBadRequest, "bad_filter")
		p.Fields = map[string]string{"preset": i18n.T(l, "error.export_preset", strings.Join(export.Presets, ", "))}
		return nil, f, nil, p
	case errors.Is(err, export.ErrQuestion):
		p := problem(c, http.StatusBadRequest, "bad_filter")
		p.Fields = map[string]string{"questions": i18n.T(l, "error.export_questions")}
		return nil, f, nil, p
	}
	return ev, f, list, err
}

// exportAttendees is GET …/attendees.csv and …/attendees.xlsx, for the API
// and for the organisers' pages: the attendee list of an event, filtered as
// the list is.
func (s *Server) exportAttendees(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ev, f, list, err := s.attendeeList(c)
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		rows := 0
		each := func(fn func(*registration.Registration) error) error {
			return s.app.Store.EachRegistration(ctx, ev, f, func(r *registration.Registration) error {
				rows++
				return fn(r)
			})
		}
		started := time.Now()
		if err := s.writeDownload(c, format, list.FileName(format, started), func(w http.ResponseWriter) error {
			if format == "xlsx" {
				return list.WriteXLSX(w, each, s.tempDir())
			}
			return list.WriteCSV(w, each)
		}); err != nil {
			return err
		}
		s.app.Log.Info("attendees exported", "event", ev.Slug, "format", format, "preset", list.Preset,
			"rows", rows, "took", time.Since(started).Round(time.Millisecond), "user", currentUser(c).ID)
		// Personal data left foyer: on record, even if the client has gone.
		return s.app.Store.Audit(context.WithoutCancel(ctx), store.AuditExport, ev.Slug, "attendees."+format, map[string]store.Change{
			"filter": {After: c.QueryString()}, "rows": {After: rows}})
	}
}

// writeDownload sends a file as a download. write streams into the answer
// as it goes; should it fail after the first bytes, the connection is cut,
// so that the browser reports a failed download rather than keeping half a
// list that looks whole.
func (s *Server) writeDownload(c echo.Context, format, name string, write func(http.ResponseWriter) error) error {
	res := c.Response()
	h := res.Header()
	h.Set(echo.HeaderContentType, exportTypes[format])
	h.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Cache-Control", "no-store")
	err := write(res)
	switch {
	case err == nil:
		if !res.Committed {
			res.WriteHeader(http.StatusOK)
		}
		return nil
	case !res.Committed:
		for _, k := range []string{echo.HeaderContentType, echo.HeaderContentDisposition} {
			h.Del(k)
		}
		return err
	}
	s.app.Log.Error("download cut short", "route", c.Path(), "err", err)
	panic(http.ErrAbortHandler)
}

// tempDir is where exports keep their temporary files: in the data
// folder, with the database, rather than in a /tmp that may be memory.
func (s *Server) tempDir() string {
	return filepath.Join(s.app.Config.Data, "tmp")
}

// prepareTempDir makes the export folder and removes what an interrupted
// export left there.
func prepareTempDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("web: export folder: %w", err)
	}
	return export.RemoveTemp(dir)
}
