package web

import (
	"context"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the Shanghai test must not depend on the host's zone files

	foyer "github.com/foyer-events/foyer"
	"github.com/foyer-events/foyer/internal/app"
	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
)

const (
	pagesDemoSlug     = "dcip-forum-2027"
	pagesShanghaiSlug = "dcip-forum-2027-shanghai"
	// A speaker email the tests plant in the demo: no public page may show it.
	pagesSpeakerEmail = "anna.beispiel@example.org"
)

// startPages runs the real app on a fresh SQLite file with the demo forum
// and a copy of it held in Shanghai (two events, so / lists them instead of
// redirecting).
func startPages(t *testing.T) (*httptest.Server, *app.App) {
	t.Helper()
	demo := programme.Demo(time.Now())
	demo.Speakers[0].Email = pagesSpeakerEmail
	ta := startApp(t, false, demo, shanghaiForum(t, time.Now()))
	return ta.srv, ta.app
}

// shanghaiForum is the demo moved to Asia/Shanghai: every session starts at
// the same wall-clock time there as the demo's does in Berlin, so a page that
// showed Berlin time would be six or seven hours off.
func shanghaiForum(t *testing.T, now time.Time) *programme.Event {
	e := programme.Demo(now)
	berlin := e.Location()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	wall := func(pt *programme.Time) {
		b := pt.In(berlin)
		pt.Time = time.Date(b.Year(), b.Month(), b.Day(), b.Hour(), b.Minute(), 0, 0, shanghai)
	}
	e.Slug = pagesShanghaiSlug
	e.Timezone = "Asia/Shanghai"
	e.Title = programme.Text{"en": "Intelligent Production Forum Shanghai", "de": "Forum Intelligente Produktion Shanghai", "zh": "上海智能制造论坛"}
	wall(&e.StartsAt)
	wall(&e.EndsAt)
	for i := range e.Sessions {
		wall(&e.Sessions[i].StartsAt)
		wall(&e.Sessions[i].EndsAt)
	}
	return e
}

// fetchPage GETs url with the given headers and returns the response and its
// body with HTML entities decoded (the template escapes "+" in datetime="…").
func fetchPage(t *testing.T, client *http.Client, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, html.UnescapeString(string(body))
}

// rawKey finds a catalogue key that reached the page untranslated.
var rawKey = regexp.MustCompile(`\b(?:nav|page|agenda|speakers|login|kind|role|footer|error)\.[a-z_]+\b`)

func TestPublicPages(t *testing.T) {
	srv, _ := startPages(t)
	event := "/events/" + pagesDemoSlug

	type scenario struct {
		name, path string
		status     int
		want       []string
		notWant    []string
	}
	byLang := map[string][]scenario{
		"en": {
			{name: "event", path: event, status: 200, want: []string{
				"German-Chinese Intelligent Production Forum 2027", "Innovation as a joint effort",
				"Digital twins on the shop floor", "Panel discussion", "Keynote", "Break",
				"Moderator", "Panellist", "Host", "In English", "Hall 1", "Room 12",
				"Limited to 40 places", "All times are local time (Europe/Berlin, UTC+2).",
				">09:45<", "T09:45:00+02:00", "Register now", `href="/events/dcip-forum-2027/register"`,
				`href="/events/dcip-forum-2027/speakers#speaker-wang-fang"`, `href="/events/dcip-forum-2027/agenda-grid.css?v=`,
				"schedule.ics", "Agenda", "Speakers",
			}},
			{name: "speakers", path: event + "/speakers", status: 200, want: []string{
				"Wang Fang", "王芳", "CIIPA Germany", "Head of Digital Factory Research", "Germany", "China",
				"Builds bridges between Chinese and German manufacturers and investors.",
				"10:15</time>–<time", "Digital twins on the shop floor", "Moderator", ">WF<",
				`aria-current="page"`,
			}},
			{name: "login", path: "/login", status: 200, want: []string{
				"Sign in", "Password", `name="_csrf"`, `name="next"`, `action="/login"`,
			}},
			{name: "not found", path: "/events/no-such-forum", status: 404, want: []string{
				"This page or record does not exist.", "Error 404", "Back to the start page",
			}},
			{name: "home", path: "/", status: 200, want: []string{
				"German-Chinese Intelligent Production Forum 2027", "Intelligent Production Forum Shanghai",
				`href="/events/dcip-forum-2027"`, `href="/events/dcip-forum-2027-shanghai"`,
			}},
		},
		"de": {
			{name: "event", path: event, status: 200, want: []string{
				"Deutsch-Chinesisches Forum Intelligente Produktion 2027", "Innovation als Gemeinschaftsleistung",
				"Digitale Zwillinge in der Werkhalle", "Podiumsdiskussion", "Pause", "Fachvortrag",
				"Moderation", "Podium", "Leitung", "Auf Englisch", "Auf Deutsch", "Saal 1",
				"Begrenzt auf 40 Plätze", "Alle Zeiten sind Ortszeit (Europe/Berlin, UTC+2).",
				">09:45<", "T09:45:00+02:00", "Jetzt anmelden", "Programm", "Mitwirkende", "Vortrag",
			}},
			{name: "speakers", path: event + "/speakers", status: 200, want: []string{
				"王芳", "Baut Brücken zwischen chinesischen und deutschen Herstellern und Investoren.",
				"Deutschland", "China", "Im Programm", "Digitale Zwillinge in der Werkhalle", "Moderation",
			}},
			{name: "login", path: "/login", status: 200, want: []string{"Einloggen", "Passwort", "E-Mail", `name="_csrf"`}},
			{name: "not found", path: "/events/no-such-forum", status: 404, want: []string{
				"Diese Seite oder dieser Eintrag existiert nicht.", "Fehler 404", "Zurück zur Startseite",
			}},
			{name: "home", path: "/", status: 200, want: []string{
				"Deutsch-Chinesisches Forum Intelligente Produktion 2027", "Forum Intelligente Produktion Shanghai", "Veranstaltungen",
			}},
		},
		"zh": {
			{name: "event", path: event, status: 200, want: []string{
				"2027 中德智能制造论坛", "携手创新", "车间里的数字孪生", "圆桌讨论", "主旨演讲", "休息",
				"主持人", "对话嘉宾", "召集人", "语言：英语", "一号厅", "限 40 人",
				"以下时间均为当地时间（Europe/Berlin，UTC+2）。", ">09:45<", "T09:45:00+02:00", "立即报名", "日程", "演讲嘉宾", "嘉宾",
			}},
			{name: "speakers", path: event + "/speakers", status: 200, want: []string{
				"王芳", "致力于搭建中德制造企业与投资者之间的桥梁。", "德国", "中国", "参与环节", "车间里的数字孪生", "主持",
			}},
			{name: "login", path: "/login", status: 200, want: []string{"登录", "密码", "电子邮箱", `name="_csrf"`}},
			{name: "not found", path: "/events/no-such-forum", status: 404, want: []string{
				"该页面或记录不存在。", "错误 404", "返回首页",
			}},
			{name: "home", path: "/", status: 200, want: []string{"2027 中德智能制造论坛", "上海智能制造论坛", "日程与报名"}},
		},
	}
	// Nothing on any public page may leak a speaker's email, a template
	// action or (via rawKey below) an untranslated key.
	notWant := []string{pagesSpeakerEmail, "{{", "}}", "<no value>", "%!"}
	htmlLang := map[string]string{"en": `<html lang="en">`, "de": `<html lang="de">`, "zh": `<html lang="zh-Hans">`}

	for _, lang := range languages.All {
		for _, sc := range byLang[lang] {
			t.Run(lang+"/"+sc.name, func(t *testing.T) {
				// No cookie jar: each request stands on its own.
				res, body := fetchPage(t, srv.Client(), srv.URL+sc.path+"?lang="+lang, nil)
				if res.StatusCode != sc.status {
					t.Fatalf("status %d, want %d", res.StatusCode, sc.status)
				}
				if got := res.Header.Get("Content-Language"); got != lang {
					t.Errorf("Content-Language %q, want %q", got, lang)
				}
				if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
					t.Errorf("Content-Type %q", res.Header.Get("Content-Type"))
				}
				if !strings.Contains(body, htmlLang[lang]) {
					t.Errorf("no %s", htmlLang[lang])
				}
				for _, w := range sc.want {
					if !strings.Contains(body, w) {
						t.Errorf("page lacks %q", w)
					}
				}
				for _, nw := range append(notWant, sc.notWant...) {
					if strings.Contains(body, nw) {
						t.Errorf("page contains %q", nw)
					}
				}
				if k := rawKey.FindString(body); k != "" {
					t.Errorf("untranslated key %q on the page", k)
				}
				// Languages other than English must not fall back to it.
				if lang != "en" {
					for _, en := range []string{"Sign in for staff", "Skip to content"} {
						if strings.Contains(body, en) {
							t.Errorf("English %q on the %s page", en, lang)
						}
					}
				}
			})
		}
	}
}

func TestLanguageNegotiation(t *testing.T) {
	srv, _ := startPages(t)
	event := srv.URL + "/events/" + pagesDemoSlug

	t.Run("Accept-Language zh-CN picks Chinese", func(t *testing.T) {
		res, body := fetchPage(t, srv.Client(), event, map[string]string{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.6"})
		if got := res.Header.Get("Content-Language"); got != "zh" {
			t.Errorf("Content-Language %q, want zh", got)
		}
		if !strings.Contains(body, "车间里的数字孪生") || !strings.Contains(body, `<html lang="zh-Hans">`) {
			t.Error("page is not in Chinese")
		}
	})

	t.Run("no preference takes the event's language", func(t *testing.T) {
		res, body := fetchPage(t, srv.Client(), event, nil)
		if got := res.Header.Get("Content-Language"); got != "de" {
			t.Errorf("Content-Language %q, want the demo's default de", got)
		}
		if !strings.Contains(body, "Digitale Zwillinge in der Werkhalle") {
			t.Error("page is not in German")
		}
	})

	t.Run("?lang= is remembered in a cookie", func(t *testing.T) {
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		client := &http.Client{Jar: jar}
		res, _ := fetchPage(t, client, srv.URL+"/login?lang=zh", nil)
		var set bool
		for _, c := range res.Cookies() {
			if c.Name == i18n.CookieName && c.Value == "zh" {
				set = true
			}
		}
		if !set {
			t.Fatalf("no %s=zh cookie set", i18n.CookieName)
		}
		// The cookie outranks both the browser's Accept-Language and the
		// event's default language.
		res, body := fetchPage(t, client, event, map[string]string{"Accept-Language": "en-GB,en;q=0.9"})
		if got := res.Header.Get("Content-Language"); got != "zh" {
			t.Errorf("Content-Language %q, want zh from the cookie", got)
		}
		if !strings.Contains(body, "车间里的数字孪生") {
			t.Error("page is not in Chinese")
		}
		// The language switch marks the current language.
		if !strings.Contains(body, `hreflang="zh-Hans" aria-current="true">中文</a>`) {
			t.Error("language switch does not mark 中文 as current")
		}
		// And a new ?lang= replaces it.
		fetchPage(t, client, event+"?lang=de", nil)
		res, _ = fetchPage(t, client, srv.URL+"/login", nil)
		if got := res.Header.Get("Content-Language"); got != "de" {
			t.Errorf("Content-Language %q after switching, want de", got)
		}
	})
}

// TestEventTimeZone: times show in the event's own zone, not the server's and
// not Berlin's.
func TestEventTimeZone(t *testing.T) {
	srv, _ := startPages(t)
	for _, path := range []string{"", "/speakers"} {
		res, body := fetchPage(t, srv.Client(), srv.URL+"/events/"+pagesShanghaiSlug+path+"?lang=en", nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s: status %d", path, res.StatusCode)
		}
		for _, w := range []string{"T09:45:00+08:00", ">09:45<", ">10:15<"} {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", path, w)
			}
		}
		// 09:45 in Shanghai is 03:45 in Berlin in April (02:45 in winter).
		for _, nw := range []string{"+02:00", "+01:00", ">03:45<", ">02:45<"} {
			if strings.Contains(body, nw) {
				t.Errorf("%s shows %q: not in Shanghai time", path, nw)
			}
		}
	}
	_, body := fetchPage(t, srv.Client(), srv.URL+"/events/"+pagesShanghaiSlug+"?lang=en", nil)
	if !strings.Contains(body, "(Asia/Shanghai, UTC+8)") {
		t.Error("agenda does not name the time zone")
	}
}

// TestCatalogueComplete: every key exists, non-empty, in every language,
// including the keys that templates build at run time.
func TestCatalogueComplete(t *testing.T) {
	all := map[string]bool{}
	for _, l := range languages.All {
		for _, k := range i18n.Keys(l) {
			all[k] = true
		}
	}
	for _, k := range programme.Kinds {
		all["kind."+k] = true
	}
	for _, r := range programme.Roles {
		all["role."+r] = true
	}
	for k := range all {
		for _, l := range languages.All {
			if !i18n.Has(l, k) {
				t.Errorf("%s: missing %q", l, k)
			} else if i18n.T(l, k) == "" {
				t.Errorf("%s: %q is empty", l, k)
			}
		}
	}
}

// viewKey finds literal keys in template calls such as {{t .Lang "nav.agenda"}}
// or (t $.Lang "role.host" .Name).
var viewKey = regexp.MustCompile(`\bt\s+(?:\$[\w.]*|\.[\w.]*)\s+"([^"]+)"`)

// TestViewKeysExist: every key a view asks for is in the catalogues, so no
// page shows a raw key.
func TestViewKeysExist(t *testing.T) {
	found := 0
	err := fs.WalkDir(foyer.Views, "views", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		data, err := foyer.Views.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range viewKey.FindAllStringSubmatch(string(data), -1) {
			found++
			for _, l := range languages.All {
				if !i18n.Has(l, m[1]) {
					t.Errorf("%s: key %q missing in %s", p, m[1], l)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 20 {
		t.Fatalf("found only %d keys in views/: is the pattern still right?", found)
	}
}

// TestSignedInLayout: a signed-in user sees who they are, a logout form that
// carries the CSRF token, and only the links their role allows.
func TestSignedInLayout(t *testing.T) {
	srv, a := startPages(t)
	if _, err := a.Store.CreateUser(context.Background(), "door@example.org", "Lena Tür", "staff", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar}
	_, body := fetchPage(t, client, srv.URL+"/login?lang=de", nil)
	token := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if token == nil {
		t.Fatal("login form has no CSRF token")
	}
	res, err := client.PostForm(srv.URL+"/login", url.Values{
		"_csrf": {token[1]}, "email": {"door@example.org"}, "password": {"correct horse battery"},
		"next": {"/events/" + pagesDemoSlug},
	})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	_, body = fetchPage(t, client, srv.URL+"/events/"+pagesDemoSlug, nil)
	for _, w := range []string{"Eingeloggt als Lena Tür", `action="/logout"`, "Ausloggen"} {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	if !regexp.MustCompile(`<form method="post" action="/logout">\s*<input type="hidden" name="_csrf" value="[^"]+">`).MatchString(body) {
		t.Error("logout form lacks its CSRF token")
	}
	for _, nw := range []string{`href="/admin"`, "Login für das Team", `href="/checkin"`} {
		if strings.Contains(body, nw) {
			t.Errorf("staff page shows %q", nw)
		}
	}
}

// TestPublicPageFollowsProgramme: the rendered agenda is kept in memory,
// and a changed programme shows at once, to anonymous and signed-in visitors.
func TestPublicPageFollowsProgramme(t *testing.T) {
	e := smallForum("forum", nil, nil, true)
	ta := startApp(t, false, e)
	org := ta.token(t, store.RoleOrganiser)
	c := browserish(t)
	for round, title := range []string{"Digitale Zwillinge in der Werkhalle", "Zwillinge, überarbeitet"} {
		if round > 0 {
			e.Sessions[2].Title["de"] = title
			if code := ta.call(t, "PUT", "/api/v1/events/forum", org, e, nil); code != 200 {
				t.Fatalf("PUT: %d", code)
			}
		}
		for range 2 { // the second request is served from memory
			res, page := get(t, c, ta.srv.URL+"/events/forum?lang=de")
			if res.StatusCode != 200 || !strings.Contains(page, title) || res.Header.Get("Content-Language") != "de" {
				t.Errorf("round %d: %d, title %q shown: %v", round, res.StatusCode, title, strings.Contains(page, title))
			}
		}
	}
	if _, page := get(t, c, ta.srv.URL+"/events/forum?lang=en"); !strings.Contains(page, "Digital twins on the shop floor") {
		t.Error("the English page is not the English one")
	}
}
