package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	foyer "github.com/foyer-events/foyer"
	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

// Page is what every page template gets: the language, the signed-in user,
// the CSRF token for its forms.
type Page struct {
	Lang  string
	Title string
	User  *store.User
	CSRF  string
	// Path is the request path without query, for the language switch;
	// Query the request's query without lang, which the switch keeps (the
	// filters of a list).
	Path  string
	Query url.Values
	// MailAlert is the banner organisers see while mail is in trouble.
	MailAlert *mailAlert
	// Brand is the organiser the page shows first; Meta its link preview.
	Brand *brandView
	Meta  *metaView
}

// LangURL is this page in another language.
func (p Page) LangURL(lang string) template.URL {
	q := url.Values{}
	for k, v := range p.Query {
		q[k] = v
	}
	q.Set("lang", lang)
	path := p.Path
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") {
		path = "/" // a path that would leave the site is not followed
	}
	return template.URL((&url.URL{Path: path}).EscapedPath() + "?" + q.Encode())
}

// page fills the common part of a page's data from the request.
func (s *Server) page(c echo.Context, title string) Page {
	p := Page{Lang: lang(c), Title: title, Path: c.Request().URL.Path}
	if q := c.Request().URL.Query(); len(q) > 0 {
		q.Del("lang")
		q.Del("done")
		q.Del("n")
		p.Query = q
	}
	if u, ok := c.Get(ctxUser).(*store.User); ok {
		p.User = u
		p.MailAlert = s.mailAlert(c, u)
	}
	if tok, ok := c.Get(csrfContextKey).(string); ok {
		p.CSRF = tok
	}
	// The site's own brand until an event's page puts its organiser's in.
	if b, err := s.brandFor(c.Request().Context(), nil); err == nil {
		p.Brand = b
	} else {
		s.app.Log.Error("brand", "err", err)
		p.Brand = &brandView{Home: "/"}
	}
	return p
}

// views are the parsed page templates, one set per page: the layout and
// partials plus the page's own file, so that pages can each define "content".
type views struct {
	pages  map[string]*template.Template
	assets map[string]string // asset path -> content-hashed URL
}

func loadViews() (*views, error) {
	v := &views{pages: map[string]*template.Template{}, assets: map[string]string{}}
	err := fs.WalkDir(foyer.Assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := foyer.Assets.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		name := strings.TrimPrefix(p, "assets/")
		v.assets[name] = "/static/" + hex.EncodeToString(sum[:6]) + "/" + name
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: hash assets: %w", err)
	}
	funcs := template.FuncMap{
		"asset": func(name string) (string, error) {
			u, ok := v.assets[name]
			if !ok {
				return "", fmt.Errorf("no asset %q", name)
			}
			return u, nil
		},
		"langs":    func() []string { return languages.All },
		"langName": i18n.Name,
		"langTag":  i18n.Tag,
		"deref": func(n *int) int {
			if n == nil {
				return 0
			}
			return *n
		},
		"initials": initials,
		"field":    newFormField,
		"answer":   answerValue,
		"chosen":   answerChosen,
		"add":      func(a, b int) int { return a + b },
		// dict passes several values to a shared template: dict "Lang" .Lang "Status" .Status.
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"stamp": i18n.Stamp,
		// Addresses of the organiser interface.
		"reglink": func(slug, part string) string {
			if part == "" {
				return links.Admin(slug, "registrations")
			}
			return links.Admin(slug, "registrations", part)
		},
		"exportlink": func(slug, format string) string { return links.Admin(slug, "attendees."+format) },
		"statuses":   func() []string { return registration.Statuses },
		"kinds":      func() []string { return registration.Kinds },
		"live":       registration.Live,
		"adminlink": func(slug, part string) string {
			if part == "" {
				return links.Admin(slug)
			}
			return links.Admin(slug, part)
		},
		"fullName":    registration.FullName,
		"list":        func(s ...string) []string { return s },
		"trusted":     trustedURL,
		"answerText":  answerText,
		"historyText": historyText,
		"filterLabel": filterLabel,
		"inZone":      func(e *programme.Event, t time.Time) time.Time { return t.In(e.Location()) },
		// The choices of the form of address, in the form's order.
		"salutations":    func() []string { return registration.Salutations },
		"academicTitles": func() []string { return registration.Titles },
	}
	for name, fn := range view.Funcs() {
		funcs[name] = fn
	}
	lib := template.New("").Funcs(funcs)
	shared, err := fs.Glob(foyer.Views, "views/*.html")
	if err != nil {
		return nil, err
	}
	partials, _ := fs.Glob(foyer.Views, "views/partials/*.html")
	if lib, err = lib.ParseFS(foyer.Views, append(shared, partials...)...); err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	for _, dir := range []string{"public", "admin", "checkin"} {
		files, _ := fs.Glob(foyer.Views, "views/"+dir+"/*.html")
		for _, f := range files {
			t, err := pageSet(lib, funcs, f)
			if err != nil {
				return nil, fmt.Errorf("web: parse %s: %w", f, err)
			}
			v.pages[strings.TrimSuffix(path.Base(f), ".html")] = t
		}
	}
	return v, nil
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 instead of half a page after a 200 status line.
func (s *Server) render(c echo.Context, status int, name string, data any) error {
	page, err := s.renderBytes(name, data)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Language", lang(c))
	return htmlPage(c, status, page)
}

// htmlPage sends a rendered page with its length: without one, net/http
// sends a page larger than its buffer in chunks, one more write to the
// socket per request for nothing.
func htmlPage(c echo.Context, status int, page []byte) error {
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(len(page)))
	return c.HTMLBlob(status, page)
}

// renderBytes executes a page template into memory.
func (s *Server) renderBytes(name string, data any) ([]byte, error) {
	t, ok := s.views.pages[name]
	if !ok {
		return nil, fmt.Errorf("web: no page template %q", name)
	}
	// A page for paper (a print view, a badge sheet) brings its own
	// frame, "sheet", instead of the site's layout.
	root := "layout"
	if t.Lookup("sheet") != nil {
		root = "sheet"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, root, data); err != nil {
		return nil, fmt.Errorf("web: render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// serveAsset serves embedded static files. A URL with the current content
// hash may be cached for a year; any other hash still gets the file, briefly
// cached, so a page cached across a deploy does not lose its styles.
func (s *Server) serveAsset(c echo.Context) error {
	name := c.Param("*")
	data, err := foyer.Assets.ReadFile("assets/" + name)
	if err != nil || strings.Contains(name, "..") {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if s.views.assets[name] == c.Request().URL.Path {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "public, max-age=300")
	}
	ctype := mimeByExt[path.Ext(name)]
	if ctype == "" {
		ctype = http.DetectContentType(data)
	}
	return c.Blob(http.StatusOK, ctype, data)
}

var mimeByExt = map[string]string{
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
	".txt":  "text/plain; charset=utf-8",
	".json": "application/json",
}

// initials returns up to two initials for a speaker without a photo: the
// first letters of the first and last word, or the first character of a name
// in a script without spaces (王芳 -> 王).
func initials(name string) string {
	words := strings.Fields(name)
	var out []rune
	for _, w := range words {
		if strings.HasSuffix(w, ".") { // Dr., Prof.
			continue
		}
		out = append(out, []rune(w)[0])
	}
	switch {
	case len(out) == 0:
		return "?"
	case len(out) == 1:
		return string(out)
	}
	return string([]rune{out[0], out[len(out)-1]})
}
