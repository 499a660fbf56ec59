package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

// importPage puts a programme file over the event, with every problem of
// the file by its place, as `foyer import` lists them.
type importPage struct {
	adminFrame
	Problems map[string]string
	Saved    bool
}

func (s *Server) showImport(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	return s.renderImport(c, ev, nil, http.StatusOK)
}

func (s *Server) renderImport(c echo.Context, ev *store.Event, problems map[string]string, status int) error {
	frame, err := s.adminPageOf(c, ev, "programme", i18n.T(lang(c), "editor.import.title"))
	if err != nil {
		return err
	}
	return s.renderAdmin(c, status, "import", &importPage{adminFrame: frame, Problems: problems, Saved: c.QueryParam("saved") != ""})
}

// importProgramme is POST /admin/events/{slug}/import with the file.
func (s *Server) importProgramme(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	l := lang(c)
	fh, err := c.FormFile("file")
	if err != nil {
		return s.renderImport(c, ev, map[string]string{"file": i18n.T(l, "editor.import.no_file")}, http.StatusUnprocessableEntity)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 2<<20+1))
	if err != nil {
		return err
	}
	if len(data) > 2<<20 {
		return s.renderImport(c, ev, map[string]string{"file": i18n.T(l, "error.too_large")}, http.StatusRequestEntityTooLarge)
	}
	e, err := programme.Decode(data)
	if err == nil {
		err = e.Validate()
	}
	if err == nil && e.Slug != ev.Slug {
		err = &programme.Error{Problems: []programme.Problem{{Where: "slug", Key: "programme.error.slug_other", Args: []any{ev.Slug}}}}
	}
	if err == nil {
		_, err = s.app.Store.SaveEvent(c.Request().Context(), e)
	}
	var pe *programme.Error
	if errors.As(err, &pe) {
		return s.renderImport(c, ev, view.ProgrammeFields(l, pe.Problems), http.StatusUnprocessableEntity)
	}
	if conflict, ok := store.IsProgrammeConflict(err); ok {
		return s.renderImport(c, ev, view.ProgrammeFields(l, conflict.Problems), http.StatusConflict)
	}
	if err != nil {
		return err
	}
	return redirectSaved(c, links.Admin(ev.Slug, "import"))
}

// exportProgramme is GET /admin/events/{slug}/programme.json: the
// programme as a file, speakers' emails included, to edit and import.
func (s *Server) exportProgramme(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(ev.Event, "", "  ")
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": ev.Slug + ".json"}))
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSONCharsetUTF8, data)
}
