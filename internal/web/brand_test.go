package web

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/programme"
)

// pngDataURI is a w×h PNG as a data: URI, as programme JSON carries a logo.
func pngDataURI(t *testing.T, w, h int) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, h/2, color.NRGBA{200, 16, 46, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
}

// brandedForum is the demo run by an organiser with a logo, a light colour
// and an imprint written in foyer, its privacy policy on its own site.
func brandedForum(t *testing.T) *programme.Event {
	e := programme.Demo(time.Now())
	e.Slug = "branded"
	e.Organiser = &programme.Organiser{
		Name: "Deutsch-Chinesische Wirtschaftsvereinigung", Email: "forum@example.org",
		Logo: pngDataURI(t, 1200, 300), Colour: "#ffcc00",
		Imprint:    programme.Text{"en": "Publisher: DCW e.V.\nRegister court Cologne", "de": "Herausgeber: DCW e.V.\nAmtsgericht Köln"},
		PrivacyURL: "https://example.org/datenschutz",
	}
	return e
}

func TestBrandOnPublicPages(t *testing.T) {
	ta := startApp(t, false, brandedForum(t))
	c := browserish(t)
	res, page := get(t, c, ta.srv.URL+"/events/branded?lang=de")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("event page: %d", res.StatusCode)
	}
	logo := regexp.MustCompile(`<img class="site-logo" src="(/media/[0-9a-f]+\.png)"`).FindStringSubmatch(page)
	if logo == nil {
		t.Fatalf("no stored logo in the header:\n%s", head(page))
	}
	for _, want := range []string{
		`site-header-branded`,
		`<span class="site-name-text">Deutsch-Chinesische Wirtschaftsvereinigung</span>`,
		`href="/events/branded/imprint">Impressum</a>`,
		`href="https://example.org/datenschutz">Datenschutzerklärung</a>`,
		`href="mailto:forum@example.org">Kontakt</a>`,
		`<meta property="og:title" content="Deutsch-Chinesisches Forum`,
		`<meta property="og:image" content="http://foyer.test` + logo[1] + `">`,
		`<meta property="og:url" content="http://foyer.test/events/branded?lang=de">`,
		`<meta property="og:locale" content="de_DE">`,
		`<meta name="description" content="`,
		`<title>Deutsch-Chinesisches Forum`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("event page lacks %s", want)
		}
	}
	if strings.Contains(page, `<title>`) && strings.Contains(page[strings.Index(page, "<title>"):strings.Index(page, "</title>")], "foyer") {
		t.Error("the title names foyer rather than the organiser")
	}

	// The logo: stored scaled, served for good under its hash.
	res, body := get(t, c, ta.srv.URL+logo[1])
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" ||
		!strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("logo: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
	if cfg, err := png.DecodeConfig(strings.NewReader(body)); err != nil || cfg.Width > 960 || cfg.Height > 320 {
		t.Errorf("logo stored at %v (%v), want within 960×320", cfg, err)
	}

	// The colour: a stylesheet of its own, darkened for text on white.
	style := regexp.MustCompile(`<link rel="stylesheet" href="(/events/branded/brand\.css\?v=[^"]+)">`).FindStringSubmatch(page)
	if style == nil {
		t.Fatal("no brand stylesheet")
	}
	res, css := get(t, c, ta.srv.URL+strings.ReplaceAll(style[1], "&amp;", "&"))
	if res.StatusCode != 200 || !strings.Contains(css, "--brand:#ffcc00") || strings.Contains(css, "--primary:#ffcc00") {
		t.Errorf("brand.css: %d %q", res.StatusCode, css)
	}

	// The imprint written in foyer, in the visitor's language.
	res, imprint := get(t, c, ta.srv.URL+"/events/branded/imprint?lang=de")
	if res.StatusCode != 200 || !strings.Contains(imprint, "Amtsgericht Köln") || !strings.Contains(imprint, "<h1 id=\"legal-title\">Impressum</h1>") {
		t.Errorf("imprint: %d\n%s", res.StatusCode, imprint)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, _ = get(t, noRedirect, ta.srv.URL+"/events/branded/privacy")
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "https://example.org/datenschutz" {
		t.Errorf("privacy: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}

	// The consent names the organiser as the one responsible and links the policy.
	_, form := get(t, c, ta.srv.URL+"/events/branded/register?lang=en")
	if !strings.Contains(form, "I agree that Deutsch-Chinesische Wirtschaftsvereinigung, as the controller responsible for my data") ||
		!strings.Contains(form, `<a href="https://example.org/datenschutz" target="_blank" rel="noopener">Read the privacy policy</a>`) {
		t.Errorf("the consent does not name the controller or link the policy:\n%s", form[strings.Index(form, "consent"):][:600])
	}

	// The attendee's own pages carry the brand but no link preview: their
	// address is a secret.
	if strings.Contains(page, "/m/") {
		t.Error("event page links a manage page")
	}
}

// head is the start of a page, for failure messages.
func head(page string) string {
	if i := strings.Index(page, "</header>"); i > 0 {
		return page[:i]
	}
	return page
}

func TestBrandDefaultsOfTheInstallation(t *testing.T) {
	plain := programme.Demo(time.Now())
	plain.Organiser = nil // an event without a brand of its own
	other := programme.Demo(time.Now())
	other.Slug = "other"
	ta := startApp(t, false, plain, other)
	admin, organiser := ta.token(t, "admin"), ta.token(t, "organiser")
	defaults := map[string]any{"name": "Messe Forum GmbH", "colour": "#0b4f8a",
		"imprint": map[string]string{"en": "Messe Forum GmbH, Hannover"}}
	if code := ta.call(t, "PUT", "/api/v1/settings/organiser", organiser, defaults, nil); code != http.StatusForbidden {
		t.Errorf("an organiser set the installation's defaults: %d", code)
	}
	var e apiError
	bad := map[string]any{"colour": "red", "imprint_url": "javascript:alert(1)"}
	if code := ta.call(t, "PUT", "/api/v1/settings/organiser?lang=de", admin, bad, &e); code != http.StatusUnprocessableEntity ||
		!strings.Contains(e.Error.Fields["organiser.colour"], "keine Farbe") || e.Error.Fields["organiser.imprint_url"] == "" {
		t.Errorf("bad defaults: %d %+v", code, e.Error)
	}
	if code := ta.call(t, "PUT", "/api/v1/settings/organiser", admin, defaults, nil); code != http.StatusOK {
		t.Fatalf("set defaults: %d", code)
	}
	c := browserish(t)
	_, home := get(t, c, ta.srv.URL+"/?lang=en")
	if !strings.Contains(home, `<span class="site-name-text">Messe Forum GmbH</span>`) || !strings.Contains(home, `href="/imprint">Imprint</a>`) {
		t.Errorf("the start page does not carry the installation's brand:\n%s", head(home))
	}
	_, page := get(t, c, ta.srv.URL+"/events/"+plain.Slug+"?lang=en")
	if !strings.Contains(page, "Messe Forum GmbH") || !strings.Contains(page, `href="/events/`+plain.Slug+`/imprint"`) {
		t.Errorf("an event without its own organiser does not take the defaults:\n%s", head(page))
	}
	if res, body := get(t, c, ta.srv.URL+"/imprint"); res.StatusCode != 200 || !strings.Contains(body, "Messe Forum GmbH, Hannover") {
		t.Errorf("/imprint: %d", res.StatusCode)
	}
	// Without any legal text, the legal pages do not exist.
	if res, _ := get(t, c, ta.srv.URL+"/privacy"); res.StatusCode != http.StatusNotFound {
		t.Errorf("/privacy without a policy: %d", res.StatusCode)
	}
}

func TestOrganiserBlockIsValidated(t *testing.T) {
	ta := startApp(t, false)
	organiser := ta.token(t, "organiser")
	e := brandedForum(t)
	e.Organiser.Colour = "#ffcc0"
	e.Organiser.ImprintURL = "https://example.org/impressum" // and a text: one or the other
	e.Organiser.Logo = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
	var out apiError
	if code := ta.call(t, "POST", "/api/v1/events?lang=zh", organiser, e, &out); code != http.StatusUnprocessableEntity {
		t.Fatalf("bad organiser block: %d", code)
	}
	for field, want := range map[string]string{
		"organiser.colour":  "颜色",
		"organiser.imprint": "imprint_url",
		"organiser.logo":    "PNG",
	} {
		if !strings.Contains(out.Error.Fields[field], want) {
			t.Errorf("%s: %q, want it to say %q", field, out.Error.Fields[field], want)
		}
	}
	// A data: URI that is no image foyer can read is named at its place.
	e = brandedForum(t)
	e.Organiser.Logo = "data:image/png;base64," + base64.StdEncoding.EncodeToString([]byte("not a png"))
	if code := ta.call(t, "POST", "/api/v1/events", organiser, e, &out); code != http.StatusUnprocessableEntity || out.Error.Fields["organiser.logo"] == "" {
		t.Errorf("unreadable logo: %d %v", code, out.Error.Fields)
	}
	if code := ta.call(t, "GET", "/api/v1/events/branded", organiser, nil, nil); code != http.StatusNotFound {
		t.Errorf("a refused programme was stored: %d", code)
	}
}

func TestBrandInEmails(t *testing.T) {
	ta := startApp(t, true, brandedForum(t))
	if code := ta.call(t, "POST", "/api/v1/events/branded/registrations", "", person(1, map[string]any{"language": "de"}), nil); code != http.StatusCreated {
		t.Fatalf("register: %d", code)
	}
	m, err := ta.smtp.WaitFor(t, 1, 20*time.Second)[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	logo := regexp.MustCompile(`<img src="(http://foyer\.test/media/[0-9a-f]+\.png)" alt="Deutsch-Chinesische Wirtschaftsvereinigung"`).FindStringSubmatch(m.HTML)
	if logo == nil {
		t.Errorf("the email does not open with the organiser's logo:\n%s", m.HTML)
	}
	for _, want := range []string{
		"Gesendet von Deutsch-Chinesische Wirtschaftsvereinigung",
		`href="http://foyer.test/events/branded/imprint"`,
		`href="https://example.org/datenschutz"`,
		"border-bottom:4px solid #",
	} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("the HTML email lacks %s", want)
		}
	}
	if strings.Contains(m.HTML, "#ffcc00;color:#ffffff") {
		t.Error("white text on the light brand colour: the button does not read")
	}
	for _, want := range []string{"Deutsch-Chinesische Wirtschaftsvereinigung\n", "Impressum: http://foyer.test/events/branded/imprint", "<forum@example.org>"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the text email lacks %q:\n%s", want, m.Text)
		}
	}
}

func base64Decode(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }
