package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

// The organiser's brand on public pages: its name and logo first in the
// header, its colour, its favicon, and links to its imprint, privacy policy
// and contact address in the footer. An event's organiser block is filled
// from the installation's defaults; pages without an event show the
// defaults alone, and "foyer" only when nothing is set.

// brandView is what the layout shows of the organiser.
type brandView struct {
	Name    string
	Home    string // where the name and logo lead
	Logo    string
	Favicon string
	Style   string // the colour's stylesheet, "" without a colour
	Email   string
	Imprint string // the imprint's address: a page of foyer's or another site
	Privacy string
	// Organiser is the merged block, for the consent and the legal pages.
	Organiser programme.Organiser
	// Version changes with the event's programme and the defaults.
	Version string
}

// brandFor builds the brand of an event's pages, or of the site when ev
// is nil.
func (s *Server) brandFor(ctx context.Context, ev *store.Event) (*brandView, error) {
	defaults, version, err := s.app.Store.OrganiserDefaults(ctx)
	if err != nil {
		return nil, err
	}
	b := &brandView{Home: "/", Version: version}
	var own *programme.Organiser
	base, slug := "", ""
	if ev != nil {
		own, slug, base = ev.Organiser, ev.Slug, links.Event(ev.Slug)
		b.Home, b.Version = base, ev.Version+"|"+version
	}
	o := own.Merge(defaults)
	b.Organiser, b.Name, b.Logo, b.Favicon, b.Email = o, o.Name, o.Logo, o.Favicon, o.Email
	b.Imprint = links.Legal(slug, "imprint", o.ImprintURL, len(o.Imprint) > 0)
	b.Privacy = links.Legal(slug, "privacy", o.PrivacyURL, len(o.Privacy) > 0)
	if o.Colour != "" {
		b.Style = base + "/brand.css?v=" + url.QueryEscape(b.Version)
	}
	return b, nil
}

// pageFor is page() for an event's public pages: its organiser's brand and
// the tags that make a shared link show the forum.
func (s *Server) pageFor(c echo.Context, title string, ev *store.Event) (Page, error) {
	p := s.page(c, title)
	b, err := s.brandFor(c.Request().Context(), ev)
	if err != nil {
		return p, err
	}
	p.Brand = b
	// Only the public pages of an event are for sharing: the attendee's
	// own pages (/m/…) carry a secret in their address.
	if ev != nil && strings.HasPrefix(c.Request().URL.Path, links.Event(ev.Slug)) {
		p.Meta = s.eventMeta(c, ev, b)
	}
	return p, nil
}

// legalPage is an imprint or privacy policy written in foyer.
type legalPage struct {
	Page
	Heading string
	Text    string
}

// showLegal is GET /imprint, /privacy and the same under /events/{slug}:
// the text written in foyer, or a redirect to the organiser's own page.
func (s *Server) showLegal(page string) echo.HandlerFunc {
	return func(c echo.Context) error {
		var ev *store.Event
		var fallback string
		if c.Param("slug") != "" {
			var err error
			if ev, err = s.publishedEvent(c); err != nil {
				return err
			}
			useEventLanguage(c, ev.Event)
			fallback = ev.DefaultLanguage
		}
		l := lang(c)
		p, err := s.pageFor(c, i18n.T(l, "brand."+page), ev)
		if err != nil {
			return err
		}
		o := p.Brand.Organiser
		external, text := o.ImprintURL, o.Imprint
		if page == "privacy" {
			external, text = o.PrivacyURL, o.Privacy
		}
		switch {
		case external != "":
			return c.Redirect(http.StatusFound, external)
		case len(text) == 0:
			return echo.ErrNotFound
		}
		if fallback == "" {
			fallback = languagesFirst
		}
		return s.render(c, http.StatusOK, "legal", &legalPage{Page: p, Heading: i18n.T(l, "brand."+page), Text: text.In(l, fallback)})
	}
}

// languagesFirst is the fallback language of texts that belong to no event.
const languagesFirst = "en"

// serveBrandStyle is GET /brand.css and /events/{slug}/brand.css: the
// organiser's colour as the pages' accent. Like the agenda's stylesheet it
// is a file of its own, as the Content-Security-Policy allows no inline
// styles.
func (s *Server) serveBrandStyle(c echo.Context) error {
	var ev *store.Event
	if c.Param("slug") != "" {
		var err error
		if ev, err = s.publishedEvent(c); err != nil {
			return err
		}
	}
	b, err := s.brandFor(c.Request().Context(), ev)
	if err != nil {
		return err
	}
	if c.QueryParam("v") == b.Version && (ev == nil || ev.Status != "draft") {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "no-cache")
	}
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", brandStyle(b.Organiser.Colour))
}

// brandStyle sets the accent colours from the organiser's colour: the
// colour itself marks the header; links and buttons take it as
// view.ReadableColour makes it, so a light brand colour never makes text
// unreadable.
func brandStyle(colour string) []byte {
	readable := view.ReadableColour(colour)
	if readable == "" {
		return nil
	}
	return fmt.Appendf(nil, ":root{--brand:%s;--primary:%s;--primary-dark:%s}\n", strings.ToLower(colour), readable,
		view.Darker(readable))
}

// serveMedia is GET /media/{name}: a stored image. Its name is the hash of
// its bytes, so it may be cached for good.
func (s *Server) serveMedia(c echo.Context) error {
	name := c.Param("name")
	if strings.ContainsAny(name, "/\\") {
		return echo.ErrNotFound
	}
	m, err := s.app.Store.GetMedia(c.Request().Context(), name)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.Blob(http.StatusOK, m.ContentType, m.Data)
}
