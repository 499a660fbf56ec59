package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"
)

// testLogo is a 640×160 logo: a red mark and a dark bar on transparent
// ground, as a data: URI.
func testLogo(t *testing.T) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 640, 160))
	red, ink := color.NRGBA{200, 16, 46, 255}, color.NRGBA{20, 32, 43, 255}
	for y := 0; y < 160; y++ {
		for x := 0; x < 640; x++ {
			dx, dy := x-80, y-80
			switch {
			case dx*dx+dy*dy < 70*70:
				img.Set(x, y, red)
			case x > 180 && x < 620 && y > 50 && y < 110:
				img.Set(x, y, ink)
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
}

// brandDemo puts an organiser block on the demo forum through the API.
func brandDemo(t *testing.T, in *Instance, token string) map[string]any {
	_, ev := demoProgramme(t, in)
	ev["organiser"] = map[string]any{
		"name": "Deutsch-Chinesische Wirtschaftsvereinigung", "email": "forum@example.org",
		"logo": testLogo(t), "colour": "#c8102e",
		"imprint": map[string]string{
			"en": "Deutsch-Chinesische Wirtschaftsvereinigung e.V.\nUbierring 3, 50678 Cologne\nRegister of associations: Cologne VR 1234",
			"de": "Deutsch-Chinesische Wirtschaftsvereinigung e.V.\nUbierring 3, 50678 Köln\nVereinsregister: Amtsgericht Köln VR 1234",
			"zh": "德中经济联合会（注册协会）\n科隆 Ubierring 3 号，邮编 50678\n社团登记：科隆地方法院 VR 1234",
		},
		"privacy_url": "https://example.org/datenschutz",
	}
	in.api(t, "PUT", "/api/v1/events/"+demoSlug, token, ev).Want(t, http.StatusOK)
	return ev
}

func TestBrandedEventPageInBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	in := startFoyer(t, Options{Demo: true})
	brandDemo(t, in, in.token(t, "organiser"))

	for _, lang := range []string{"en", "de", "zh"} {
		for _, size := range screenSizes {
			width := size.width
			t.Run(fmt.Sprintf("%s-%d", lang, width), func(t *testing.T) {
				setViewport(t, ctx, width, size.height, size.mobile)
				navigate(t, ctx, in.URL+"/events/"+demoSlug+"?lang="+lang, http.StatusOK)
				waitForText(t, ctx, "Deutsch-Chinesische Wirtschaftsvereinigung")
				var got struct {
					Logo      int    `json:"logo"`
					LogoRight int    `json:"logoRight"`
					Border    string `json:"border"`
					Imprint   string `json:"imprint"`
					Privacy   string `json:"privacy"`
					Scroll    int    `json:"scroll"`
					Credit    string `json:"credit"`
				}
				js := `JSON.stringify({
					logo: document.querySelector('.site-logo')?.naturalWidth || 0,
					logoRight: Math.round(document.querySelector('.site-logo')?.getBoundingClientRect().right || 0),
					border: getComputedStyle(document.querySelector('.site-header')).borderBottomColor,
					imprint: document.querySelector('.legal-links a[href$="/imprint"]')?.href || '',
					privacy: document.querySelector('.legal-links a[href="https://example.org/datenschutz"]')?.innerText || '',
					scroll: document.documentElement.scrollWidth,
					credit: document.querySelector('.site-footer .credit')?.innerText || ''})`
				if err := json.Unmarshal([]byte(evaluate[string](t, ctx, js)), &got); err != nil {
					t.Fatal(err)
				}
				if got.Logo == 0 || got.LogoRight > width {
					t.Errorf("the logo did not load or sticks out: %+v", got)
				}
				if got.Border != "rgb(200, 16, 46)" {
					t.Errorf("the header is edged in %s, not the brand colour", got.Border)
				}
				if !strings.HasSuffix(got.Imprint, "/events/"+demoSlug+"/imprint") || got.Privacy == "" {
					t.Errorf("legal links: %+v", got)
				}
				if got.Scroll > width+1 {
					t.Errorf("the page is %dpx wide in a %dpx window", got.Scroll, width)
				}
				if !strings.Contains(got.Credit, "foyer") {
					t.Errorf("no credit for foyer in the footer: %q", got.Credit)
				}
				if errs := pageErrors(t, ctx); len(errs) > 0 {
					t.Errorf("page errors (a Content-Security-Policy violation?):\n%s", strings.Join(errs, "\n"))
				}
				screenshot(t, ctx, fmt.Sprintf("brand-event-%s-%d", lang, width))
				if width == 390 {
					navigate(t, ctx, in.URL+"/events/"+demoSlug+"/imprint?lang="+lang, http.StatusOK)
					waitForText(t, ctx, "VR 1234")
					screenshot(t, ctx, fmt.Sprintf("brand-imprint-%s-%d", lang, width))
					navigate(t, ctx, in.URL+"/events/"+demoSlug+"/register?lang="+lang, http.StatusOK)
					waitForText(t, ctx, "Deutsch-Chinesische Wirtschaftsvereinigung")
					screenshot(t, ctx, fmt.Sprintf("brand-register-%s-%d", lang, width))
				}
			})
		}
	}
}
