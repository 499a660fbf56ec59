package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/media"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
)

// brandPage edits an event's organiser block: name, contact, logo,
// favicon, colour, imprint and privacy policy.
type brandPage struct {
	adminFrame
	Organiser programme.Organiser
	Defaults  *programme.Organiser
	Imprint   textField
	Privacy   textField
	Errors    map[string]string
	Problems  map[string]string
	Saved     bool
}

func (s *Server) showBrand(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	var o programme.Organiser
	if ev.Organiser != nil {
		o = *ev.Organiser
	}
	return s.renderBrand(c, ev, o, nil, http.StatusOK)
}

func (s *Server) renderBrand(c echo.Context, ev *store.Event, o programme.Organiser, problems map[string]string, status int) error {
	l := lang(c)
	title := i18n.T(l, "editor.brand.title")
	if ev == nil {
		title = i18n.T(l, "brand.defaults.title")
	}
	frame, err := s.adminPageOf(c, ev, "brand", title)
	if err != nil {
		return err
	}
	defaults, _, err := s.app.Store.OrganiserDefaults(c.Request().Context())
	if err != nil {
		return err
	}
	if ev == nil { // the defaults themselves: nothing fills their gaps
		defaults = &programme.Organiser{}
	}
	p := &brandPage{adminFrame: frame, Organiser: o, Defaults: defaults, Errors: map[string]string{}, Problems: map[string]string{},
		Saved:   c.QueryParam("saved") != "",
		Imprint: newTextField("imprint", i18n.T(l, "editor.brand.imprint_text"), o.Imprint, true, problems, "organiser.imprint"),
		Privacy: newTextField("privacy", i18n.T(l, "editor.brand.privacy_text"), o.Privacy, true, problems, "organiser.privacy"),
	}
	for where, msg := range problems {
		if f, ok := strings.CutPrefix(where, "organiser."); ok {
			p.Errors[f] = msg
		} else {
			p.Problems[where] = msg
		}
	}
	return s.renderAdmin(c, status, "brand", p)
}

// saveBrand is POST /admin/events/{slug}/brand, a multipart form: the
// logo and favicon come as files, stored scaled and without metadata.
func (s *Server) saveBrand(c echo.Context) error {
	ev, e, err := s.editableEvent(c)
	if err != nil {
		return err
	}
	o := programme.Organiser{}
	if e.Organiser != nil {
		o = *e.Organiser
	}
	problems, err := s.formOrganiser(c, &o)
	if err != nil {
		return err
	}
	e.Organiser = &o
	if o.Empty() {
		e.Organiser = nil
	}
	if len(problems) == 0 {
		if problems, err = s.saveEdited(c, e); err != nil {
			return err
		}
	}
	if problems != nil {
		return s.renderBrand(c, ev, o, problems, http.StatusUnprocessableEntity)
	}
	return redirectSaved(c, links.Admin(ev.Slug, "brand"))
}

// formOrganiser reads the brand form into o, storing uploaded images;
// problems are keyed by their place in programme JSON (organiser.logo).
func (s *Server) formOrganiser(c echo.Context, o *programme.Organiser) (map[string]string, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, err
	}
	o.Name, o.Email = strings.TrimSpace(form.Get("name")), strings.TrimSpace(form.Get("email"))
	o.Colour = strings.ToLower(strings.TrimSpace(form.Get("colour")))
	o.ImprintURL, o.Imprint = strings.TrimSpace(form.Get("imprint_url")), formText(form, "imprint")
	o.PrivacyURL, o.Privacy = strings.TrimSpace(form.Get("privacy_url")), formText(form, "privacy")
	problems := map[string]string{}
	for _, img := range []struct {
		field   string
		ref     *string
		purpose media.Purpose
	}{{"logo", &o.Logo, media.Logo}, {"favicon", &o.Favicon, media.Favicon}} {
		if form.Get(img.field+"_remove") != "" {
			*img.ref = ""
		}
		ref, msg, err := s.upload(c, img.field, img.purpose)
		if err != nil {
			return nil, err
		}
		if msg != "" {
			problems["organiser."+img.field] = msg
		} else if ref != "" {
			*img.ref = ref
		}
	}
	return problems, nil
}

// upload stores an image sent in a form's file field and returns its
// address, or a message for the organiser when it is not an image foyer
// takes; ("", "", nil) when no file was sent.
func (s *Server) upload(c echo.Context, field string, purpose media.Purpose) (ref, msg string, err error) {
	fh, err := c.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) || (err == nil && fh.Size == 0) {
		return "", "", nil
	}
	l := lang(c)
	if err != nil {
		return "", i18n.T(l, "programme.error.image_bad"), nil
	}
	if fh.Size > media.MaxBytes {
		return "", i18n.T(l, "editor.upload.too_large", media.MaxBytes>>20), nil
	}
	f, err := fh.Open()
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, media.MaxBytes+1))
	if err != nil {
		return "", "", err
	}
	img, err := media.Process(data, purpose)
	switch {
	case errors.Is(err, media.ErrTooLarge):
		return "", i18n.T(l, "editor.upload.too_large", media.MaxBytes>>20), nil
	case errors.Is(err, media.ErrPixels):
		return "", i18n.T(l, "programme.error.image_pixels", media.MaxPixels/1_000_000), nil
	case err != nil:
		return "", i18n.T(l, "programme.error.image_bad"), nil
	}
	ref, err = s.app.Store.PutMedia(c.Request().Context(), c.Param("slug"), img)
	return ref, "", err
}
