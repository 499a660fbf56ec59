package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	foyer "github.com/foyer-events/foyer"
	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/programme"
)

// checkinPage is the check-in page: everything it needs to run on its own
// (strings, the event's sessions, the URLs of its scripts) travels in one
// JSON block that the page's script reads; the page has no inline script.
type checkinPage struct {
	Page
	Event    *programme.Event
	Fallback string
	Config   checkinConfig
}

// checkinConfig is the JSON the page's script starts from.
type checkinConfig struct {
	Event     string            `json:"event"`
	Lang      string            `json:"lang"`
	CSRF      string            `json:"csrf"`
	Staff     string            `json:"staff"`
	UserID    int64             `json:"user"`
	Timezone  string            `json:"timezone"`
	Sessions  []checkinSession  `json:"sessions"`
	Strings   map[string]string `json:"strings"`
	JSQR      string            `json:"jsqr"`  // URL of the QR decoder, loaded when the browser has none
	Noble     string            `json:"noble"` // URL of the Ed25519 module, for browsers without it in WebCrypto
	Worker    string            `json:"worker"`
	Languages []string          `json:"languages"`
}

// checkinSession is a session door, titled in the page's language.
type checkinSession struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Time   string `json:"time"`
	Room   string `json:"room"`
	SignUp bool   `json:"sign_up"`
}

// stringsFor returns the catalogue entries the page's script shows.
func stringsFor(lang string) map[string]string {
	out := map[string]string{}
	for _, key := range i18n.Keys("en") {
		if strings.HasPrefix(key, "checkin.") || strings.HasPrefix(key, "status.") || strings.HasPrefix(key, "seat.") ||
			strings.HasPrefix(key, "reg.") {
			out[key] = i18n.T(lang, key)
		}
	}
	return out
}

// checkinPage is GET /checkin/{slug}.
func (s *Server) checkinPage(c echo.Context) error {
	ev, err := s.app.Store.GetEvent(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	l := lang(c)
	e := ev.Event
	p := &checkinPage{Page: s.page(c, i18n.T(l, "checkin.title")+" – "+e.Title.In(l, e.DefaultLanguage)), Event: e,
		Fallback: e.DefaultLanguage}
	u := currentUser(c)
	p.Config = checkinConfig{Event: ev.Slug, Lang: l, CSRF: p.CSRF, Staff: u.Name, UserID: u.ID, Timezone: e.Timezone,
		Strings: stringsFor(l), JSQR: s.views.assets["vendor/jsqr/jsQR.js"], Noble: s.views.assets["vendor/noble-ed25519/index.js"],
		Worker: "/checkin/sw.js", Languages: languages.All, Sessions: []checkinSession{}}
	for _, se := range e.Sessions {
		cs := checkinSession{ID: se.ID, Title: se.Title.In(l, e.DefaultLanguage), Time: se.StartsAt.Format("15:04"),
			SignUp: se.Capacity != nil}
		if r := e.Room(se.Room); r != nil {
			cs.Room = r.Name.In(l, e.DefaultLanguage)
		}
		p.Config.Sessions = append(p.Config.Sessions, cs)
	}
	// The page holds the staff member's name and a CSRF token: no shared
	// cache may keep it; the service worker keeps it for offline reloads.
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, http.StatusOK, "checkin", p)
}

// workerAssets are the files the service worker keeps for offline use.
var workerAssets = []string{"css/foyer.css", "css/checkin.css", "js/checkin.js", "js/checkin-scan.js",
	"vendor/jsqr/jsQR.js", "vendor/noble-ed25519/index.js"}

// checkinWorker is GET /checkin/sw.js: the service worker, with the
// content-hashed URLs of the files it keeps written into it, so that a new
// release (other hashes) is a new worker that the browser installs.
func (s *Server) checkinWorker(c echo.Context) error {
	src, err := foyer.Assets.ReadFile("assets/js/checkin-sw.js")
	if err != nil {
		return err
	}
	urls := make([]string, 0, len(workerAssets))
	for _, name := range workerAssets {
		if u, ok := s.views.assets[name]; ok {
			urls = append(urls, u)
		}
	}
	slices.Sort(urls)
	list, _ := json.Marshal(urls)
	sum := sha256.Sum256(append(list, src...))
	body := "const FOYER_ASSETS = " + string(list) + ";\nconst FOYER_VERSION = \"" + hex.EncodeToString(sum[:6]) + "\";\n" + string(src)
	h := c.Response().Header()
	h.Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", []byte(body))
}
