package web

import (
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/store"
)

// metaView is what a link preview shows (LinkedIn, WeChat, messengers read
// Open Graph tags) and what search engines take as the page's summary.
type metaView struct {
	Title       string
	Description string
	Image       string // absolute
	URL         string // absolute, the page in this language
	SiteName    string
	Locale      string // og:locale, such as de_DE
}

// ogLocales are the Open Graph locales of foyer's languages.
var ogLocales = map[string]string{"en": "en_GB", "de": "de_DE", "zh": "zh_CN"}

// metaDescriptionLength is about what previews show before cutting.
const metaDescriptionLength = 200

// eventMeta describes an event's page for link previews: its title, its
// date and place with the subtitle or the start of its description, the
// organiser's logo, and the page's own address in this language.
func (s *Server) eventMeta(c echo.Context, ev *store.Event, b *brandView) *metaView {
	l := lang(c)
	base := s.app.Config.BaseURL
	m := &metaView{
		SiteName: b.Name,
		Locale:   ogLocales[l],
		URL:      links.Absolute(base, c.Request().URL.Path) + "?lang=" + l,
		Image:    absoluteImage(base, b.Logo),
	}
	if m.SiteName == "" {
		m.SiteName = i18n.T(l, "nav.site")
	}
	if ev == nil {
		return m
	}
	fb := ev.DefaultLanguage
	m.Title = ev.Title.In(l, fb)
	parts := []string{i18n.Date(l, ev.StartsAt.Time)}
	if venue := ev.Venue.Name.In(l, fb); venue != "" {
		parts = append(parts, venue)
	}
	about := ev.Subtitle.In(l, fb)
	if about == "" {
		about = ev.Description.In(l, fb)
	}
	if about != "" {
		parts = append(parts, about)
	}
	m.Description = cut(strings.Join(strings.Fields(strings.Join(parts, " · ")), " "), metaDescriptionLength)
	return m
}

// absoluteImage makes an image's address absolute for other sites.
func absoluteImage(base, ref string) string {
	switch {
	case strings.HasPrefix(ref, "/") && !strings.HasPrefix(ref, "//"):
		return links.Absolute(base, ref)
	case strings.HasPrefix(ref, "https://"), strings.HasPrefix(ref, "http://"):
		return ref
	}
	return ""
}

// cut shortens s to at most n characters at a word's end, with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	if i := strings.LastIndexAny(string(r), " ，。、,."); i > len(string(r))/2 {
		return strings.TrimRight(string(r)[:i], " ,，") + "…"
	}
	return string(r) + "…"
}
