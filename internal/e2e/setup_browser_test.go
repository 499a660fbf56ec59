package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/foyer-events/foyer/internal/exporttest"
)

// TestOrganiserSetsUpAForumInBrowser: an organiser creates an event in the
// editor with a room, a speaker and a session, gives it a logo, a colour
// and an imprint, and publishes it. The public page shows it in that brand
// with the imprint linked, the audit log lists what was done, a message to
// the session's attendees reaches each of them in their language at a real
// SMTP server, and an anonymised attendee is gone from the export.
func TestOrganiserSetsUpAForumInBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	in, smtp := startDemoWithMail(t)
	email := signInAs(t, ctx, in, "organiser", "/admin/events/new?lang=en")

	// A new event.
	start := time.Now().AddDate(0, 2, 0).Truncate(24 * time.Hour).Add(9 * time.Hour)
	local := func(t time.Time) string { return t.Format("2006-01-02T15:04") }
	setValues(t, ctx, map[string]string{
		"#slug": "hannover-2027", "#title\\.en": "Smart Factory Forum", "#title\\.de": "Forum Intelligente Fabrik",
		"#title\\.zh": "智能工厂论坛", "#starts_at": local(start), "#ends_at": local(start.Add(8 * time.Hour)), "#timezone": "Europe/Berlin",
	})
	submit(t, ctx, `.editor-form button[type=submit]`)
	admin := "/admin/events/hannover-2027"
	wantPath(t, ctx, admin+"/programme")

	// A room, a speaker with a photo, a session with the speaker.
	navigate(t, ctx, in.URL+admin+"/rooms", http.StatusOK)
	setValues(t, ctx, map[string]string{"#id": "hall-1", "#name\\.en": "Hall 1", "#name\\.de": "Saal 1", "#name\\.zh": "一号厅"})
	submit(t, ctx, `.editor-item button[type=submit]`)
	waitForText(t, ctx, "Hall 1")
	navigate(t, ctx, in.URL+admin+"/speakers", http.StatusOK)
	setValues(t, ctx, map[string]string{"#id": "wang", "#name": "Wang Fang", "#native_name": "王芳", "#organisation\\.en": "Tongji University"})
	browse(t, ctx, chromedp.SetUploadFiles(chromedp.CSS(`#photo_file`), []string{writeImage(t, "photo.png")}))
	submit(t, ctx, `.editor-item button[type=submit]`)
	waitForText(t, ctx, "Wang Fang")
	if n := evaluate[int](t, ctx, `document.querySelectorAll('.part-list img[src^="/media/"]').length`); n != 1 {
		t.Errorf("the speaker's photo is not shown from foyer's store: %d", n)
	}
	navigate(t, ctx, in.URL+admin+"/sessions", http.StatusOK)
	setValues(t, ctx, map[string]string{"#id": "keynote", "#title\\.en": "Keynote: factories that learn", "#title\\.de": "Keynote: Fabriken, die lernen",
		"#title\\.zh": "主旨演讲：会学习的工厂", "#starts_at": local(start.Add(time.Hour)), "#ends_at": local(start.Add(2 * time.Hour)),
		"#room": "hall-1", "#kind": "keynote", "#speaker-0": "wang", "#capacity": "100"})
	submit(t, ctx, `.editor-item button[type=submit]`)
	waitForText(t, ctx, "Keynote: factories that learn")
	screenshotIfAsked(t, ctx, "editor-sessions-en-1366")

	// The brand: logo, colour, imprint.
	navigate(t, ctx, in.URL+admin+"/brand", http.StatusOK)
	setValues(t, ctx, map[string]string{"#name": "Deutsch-Chinesische Wirtschaftsvereinigung", "#colour": "#c8102e",
		"#imprint\\.de": "DCW e.V., Köln, VR 1234", "#imprint\\.en": "DCW e.V., Cologne, VR 1234"})
	browse(t, ctx, chromedp.SetUploadFiles(chromedp.CSS(`#logo`), []string{writeImage(t, "logo.png")}))
	submit(t, ctx, `.editor-form button[type=submit]`)
	waitFor(t, ctx, "the logo", `!!document.querySelector('img.brand-preview')`)
	screenshotIfAsked(t, ctx, "editor-brand-en-1366")

	// Published.
	navigate(t, ctx, in.URL+admin+"/programme", http.StatusOK)
	screenshotIfAsked(t, ctx, "editor-settings-en-1366")
	submit(t, ctx, `.status-actions button[value=published]`)
	waitForText(t, ctx, "Archive")

	// The public page, in that brand, with the imprint linked.
	navigate(t, ctx, in.URL+"/events/hannover-2027?lang=de", http.StatusOK)
	waitForText(t, ctx, "Keynote: Fabriken, die lernen")
	got := evaluate[string](t, ctx, `[document.querySelector('.site-logo')?.naturalWidth > 0,
		getComputedStyle(document.querySelector('.site-header')).borderBottomColor,
		document.querySelector('.legal-links a[href="/events/hannover-2027/imprint"]')?.innerText,
		document.querySelector('.site-name-text')?.innerText].join('|')`)
	if got != "true|rgb(200, 16, 46)|Impressum|Deutsch-Chinesische Wirtschaftsvereinigung" {
		t.Errorf("public page: %s", got)
	}
	// Session sign-up needs no browser: three guests in three languages.
	organiser := in.tokenFor(t, email)
	var ids []int64
	for i, lang := range []string{"en", "de", "zh"} {
		r := in.api(t, "POST", "/api/v1/events/hannover-2027/registrations", "", map[string]any{
			"first_name": "Guest", "last_name": fmt.Sprintf("Nummer%d", i), "email": fmt.Sprintf("g%d@example.org", i),
			"language": lang, "country": "DE", "consent": true, "sessions": []string{"keynote"}}).Want(t, http.StatusCreated)
		var out struct{ ID int64 }
		r.Decode(t, &out)
		ids = append(ids, out.ID)
	}
	smtp.WaitFor(t, 3, 30*time.Second)

	// A message to the session's attendees, previewed, then sent.
	navigate(t, ctx, in.URL+admin+"/messages?lang=en", http.StatusOK)
	setValues(t, ctx, map[string]string{"#session": "keynote", "#subject\\.en": "Doors open at 8:30", "#subject\\.de": "Einlass ab 8:30 Uhr",
		"#subject\\.zh": "8:30 开始入场", "#body\\.en": "See you tomorrow.", "#body\\.de": "Bis morgen.", "#body\\.zh": "明天见。"})
	submit(t, ctx, `button[name=preview]`)
	waitForText(t, ctx, "3 recipients")
	screenshotIfAsked(t, ctx, "editor-messages-en-1366")
	submit(t, ctx, `button[name=send]`)
	msgs := smtp.WaitFor(t, 6, 30*time.Second)
	subjects := map[string]string{}
	for _, m := range msgs[3:] {
		p, err := m.Parse()
		if err != nil {
			t.Fatal(err)
		}
		subjects[p.To[0].Address] = p.Subject
	}
	for addr, want := range map[string]string{"g0@example.org": "Doors open at 8:30", "g1@example.org": "Einlass ab 8:30 Uhr", "g2@example.org": "8:30 开始入场"} {
		if subjects[addr] != want {
			t.Errorf("%s got %q, want %q", addr, subjects[addr], want)
		}
	}

	// One attendee anonymised on the registration's page: gone from the export.
	navigate(t, ctx, in.URL+fmt.Sprintf("%s/registrations/%d?lang=en", admin, ids[1]), http.StatusOK)
	browse(t, ctx, chromedp.Click(chromedp.CSS(`.anonymise-form input[name=confirm]`)))
	submit(t, ctx, `.anonymise-form button`)
	export := in.get(t, "/api/v1/events/hannover-2027/attendees.csv", "Authorization", "Bearer "+organiser).Want(t, http.StatusOK)
	rows := exporttest.ReadCSV(t, export.Body)
	if len(rows) != 3 || strings.Contains(string(export.Body), "Nummer1") || strings.Contains(string(export.Body), "g1@example.org") {
		t.Errorf("the export after anonymising has %d rows:\n%s", len(rows), export.Body)
	}

	// The audit log lists it all, by the organiser.
	navigate(t, ctx, in.URL+admin+"/audit?lang=en", http.StatusOK)
	text := evaluate[string](t, ctx, `document.querySelector('.audit-list')?.innerText || ''`)
	for _, want := range []string{"programme.create", "programme.update", "media.upload", "message.send", "registration.anonymise", email} {
		if !strings.Contains(text, want) {
			t.Errorf("the audit log does not show %s", want)
		}
	}
	if !strings.Contains(text, "#c8102e") || !strings.Contains(text, "published") {
		t.Error("the audit log does not show the colour and the publication as changes")
	}
	screenshotIfAsked(t, ctx, "editor-audit-en-1366")
	if errs := pageErrors(t, ctx); len(errs) > 0 {
		t.Errorf("page errors:\n%s", strings.Join(errs, "\n"))
	}

	// The editor in every language, on a phone and a desktop: nothing
	// sticks out sideways.
	for _, width := range []int{390, 1366} {
		if width < 500 {
			browse(t, ctx, chromedp.EmulateViewport(int64(width), 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		} else {
			browse(t, ctx, chromedp.EmulateViewport(int64(width), 900))
		}
		for _, lang := range []string{"en", "de", "zh"} {
			for _, page := range []string{"sessions", "sessions?view=grid", "programme", "brand", "questions"} {
				join := "?"
				if strings.Contains(page, "?") {
					join = "&"
				}
				navigate(t, ctx, in.URL+admin+"/"+page+join+"edit=keynote&lang="+lang, http.StatusOK)
				if sw := evaluate[int](t, ctx, `document.documentElement.scrollWidth`); sw > width+1 {
					t.Errorf("%s in %s is %dpx wide in a %dpx window", page, lang, sw, width)
				}
				if strings.HasPrefix(page, "sessions") || width == 390 {
					screenshotIfAsked(t, ctx, fmt.Sprintf("editor-%s-%s-%d", strings.ReplaceAll(page, "?view=", "-"), lang, width))
				}
			}
			// The branded public page, as guests see it.
			navigate(t, ctx, in.URL+"/events/hannover-2027?lang="+lang, http.StatusOK)
			if sw := evaluate[int](t, ctx, `document.documentElement.scrollWidth`); sw > width+1 {
				t.Errorf("the public page in %s is %dpx wide in a %dpx window", lang, sw, width)
			}
			screenshotIfAsked(t, ctx, fmt.Sprintf("public-%s-%d", lang, width))
		}
	}
}

// setValues sets form fields by selector, as typing would, and tells the
// page they changed.
func setValues(t *testing.T, ctx context.Context, values map[string]string) {
	t.Helper()
	for sel, v := range values {
		js := fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) return false; el.value = %q;
			el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); return el.value === %q })()`, sel, v, v)
		if !evaluate[bool](t, ctx, js) {
			t.Fatalf("cannot set %s to %q", sel, v)
		}
	}
}

// wantPath checks where the browser is.
func wantPath(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	if got := evaluate[string](t, ctx, `location.pathname`); got != path {
		t.Fatalf("the browser is at %s, want %s (%s)", got, path, evaluate[string](t, ctx, `document.querySelector('.notice-error, .field-error')?.innerText || ''`))
	}
}

// writeImage writes the test logo as a PNG file, for an upload.
func writeImage(t *testing.T, name string) string {
	t.Helper()
	uri := testLogo(t)
	data, err := base64.StdEncoding.DecodeString(uri[strings.Index(uri, ",")+1:])
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}
