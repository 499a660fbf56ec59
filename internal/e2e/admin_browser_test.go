package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/foyer-events/foyer/internal/exporttest"
	"github.com/foyer-events/foyer/internal/mailtest"
	"github.com/foyer-events/foyer/internal/waittest"
)

// catalogueKey is a key of the catalogue shown where its words belong.
var catalogueKey = regexp.MustCompile(`\b(admin|export|kind|status|error|seat|reg|name|salutation)\.[a-z_]+(\.[a-z_]+)*\b`)

// checkPage fails on what users would notice at a glance: errors in the
// page, a page wider than the window, and text of the catalogue's keys
// where words belong.
func checkPage(t testing.TB, ctx context.Context, name string, width int64) {
	t.Helper()
	if errs := pageErrors(t, ctx); len(errs) > 0 {
		t.Errorf("%s: the page had errors:\n%s", name, strings.Join(errs, "\n"))
	}
	if sw := evaluate[int64](t, ctx, `document.documentElement.scrollWidth`); sw > width+1 {
		t.Errorf("%s: the page is %dpx wide in a %dpx window", name, sw, width)
	}
	text := evaluate[string](t, ctx, `document.body.innerText`)
	if m := catalogueKey.FindString(text); m != "" {
		t.Errorf("%s: a catalogue key instead of words: %q", name, m)
	}
}

// TestAdminScreens opens every page of the organiser interface in English,
// German and Chinese on a phone and a laptop, checks what a user would
// notice first, and keeps screenshots (FOYER_SCREENSHOTS).
func TestAdminScreens(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	in := startFoyer(t, Options{Demo: true})
	registerGuests(t, in, 60)
	base := "/admin/events/" + demoSlug
	signInAs(t, ctx, in, "organiser", base+"/registrations")

	// One registration with a history: edited, cancelled and back is not
	// possible, so edited and resent.
	token := in.token(t, "organiser")
	var list struct {
		Registrations []struct {
			ID int64 `json:"id"`
		} `json:"registrations"`
	}
	in.api(t, "GET", "/api/v1/events/"+demoSlug+"/registrations?q=sch%C3%A4fer&limit=1", token, nil).Want(t, 200).Decode(t, &list)
	if len(list.Registrations) == 0 {
		t.Fatal("no guest named Schäfer")
	}
	id := list.Registrations[0].ID
	in.api(t, "POST", fmt.Sprintf("/api/v1/registrations/%d/resend", id), token, nil).Want(t, 200)

	pages := []struct{ name, path string }{
		{"overview", "/admin"},
		{"dashboard", base},
		{"registrations", base + "/registrations?sort=name"},
		{"registrations-filtered", base + "/registrations?status=confirmed&session=ws-maintenance&a.industry=machinery"},
		{"registration", fmt.Sprintf("%s/registrations/%d", base, id)},
		{"edit", fmt.Sprintf("%s/registrations/%d/edit", base, id)},
		{"new", base + "/registrations/new"},
		{"outbox", base + "/outbox"},
		{"exports", base + "/exports"},
	}
	for _, vp := range screenSizes {
		setViewport(t, ctx, vp.width, vp.height, vp.mobile)
		for _, lang := range []string{"en", "de", "zh"} {
			for _, p := range pages {
				sep := "?"
				if strings.Contains(p.path, "?") {
					sep = "&"
				}
				navigate(t, ctx, in.URL+p.path+sep+"lang="+lang, http.StatusOK)
				name := fmt.Sprintf("admin-%s-%s-%s", p.name, lang, vp.name)
				checkPage(t, ctx, name, int64(vp.width))
				screenshot(t, ctx, name)
			}
		}
	}
}

// TestOrganiserInBrowser: an organiser finds a guest by search, corrects an
// answer, sends the ticket again (it reaches the mail server), exports the
// filtered view (the downloaded file holds exactly the view's guests),
// prints the badge sheet to PDF (one A4 page per eight badges) and looks at
// the dashboard's charts.
func TestOrganiserInBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	in, smtp := startDemoWithMail(t)
	registerGuests(t, in, 20)
	in.api(t, "POST", "/api/v1/events/"+demoSlug+"/registrations", "", map[string]any{
		"first_name": "Özlem", "last_name": "Yıldırım", "email": "oezlem@example.de", "organisation": "Fraunhofer IPA",
		"country": "DE", "language": "de", "consent": true, "sessions": []string{"ws-maintenance"},
		"answers": map[string]any{"industry": "research", "dietary": "vegan"}}).Want(t, http.StatusCreated)
	smtp.WaitFor(t, 21, time.Minute)
	base := "/admin/events/" + demoSlug
	signInAs(t, ctx, in, "organiser", base+"/registrations")

	// Find the guest by a word of her name, typed as the organiser types it.
	navigate(t, ctx, in.URL+base+"/registrations?lang=en", http.StatusOK)
	browse(t, ctx, chromedp.SendKeys(chromedp.CSS(`#f-q`), "yıldırım FRAUNHOFER"))
	submit(t, ctx, `form.filters button[type=submit]`)
	waitForText(t, ctx, "Özlem Yıldırım")
	if n := evaluate[int](t, ctx, `document.querySelectorAll('.reg-table tbody tr').length`); n != 1 {
		t.Fatalf("the search finds %d rows, want 1", n)
	}
	screenshot(t, ctx, "admin-flow-search")
	submit(t, ctx, `.reg-table a.reg-name`)
	waitForText(t, ctx, "Fraunhofer IPA")

	// Correct an answer.
	submit(t, ctx, `.reg-actions a[href$="/edit"], .reg-actions a[href*="/edit?"]`)
	browse(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('textarea[name="q.dietary"]').value = 'vegan, keine Nüsse'`))
	submit(t, ctx, `form.admin-form button[type=submit]`)
	waitForText(t, ctx, "Changes saved.")
	waitForText(t, ctx, "vegan, keine Nüsse")
	waitForText(t, ctx, "Changed: answers")

	// Send the ticket again: a second email reaches her.
	submit(t, ctx, `form[action$="/resend"] button`)
	waitForText(t, ctx, "The email is on its way again.")
	msgs := smtp.WaitUntil(t, time.Minute, func(m []mailtest.Received) bool {
		n := 0
		for _, r := range m {
			if slices.Contains(r.To, "oezlem@example.de") {
				n++
			}
		}
		return n == 2
	})
	var last *mailtest.Parsed
	for _, r := range msgs {
		if slices.Contains(r.To, "oezlem@example.de") {
			p, err := r.Parse()
			if err != nil {
				t.Fatal(err)
			}
			last = p
		}
	}
	if !strings.Contains(last.Subject, "Ticket") {
		t.Errorf("the resent email is %q, want the ticket", last.Subject)
	}
	screenshot(t, ctx, "admin-flow-registration")

	// Export the filtered view: the confirmed guests of the workshop.
	dir := t.TempDir()
	browse(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir})
		return err
	}))
	navigate(t, ctx, in.URL+base+"/registrations?status=confirmed&session=ws-maintenance&lang=de", http.StatusOK)
	rows := evaluate[int](t, ctx, `document.querySelectorAll('.reg-table tbody tr').length`)
	browse(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('#export-preset').value = 'catering'`),
		chromedp.Click(chromedp.CSS(`form.export-view button[type=submit]`)))
	file := waitForFile(t, dir, ".csv")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	records := exporttest.ReadCSV(t, data)
	var api struct {
		Registrations []struct {
			FirstName string `json:"first_name"`
			LastName  string `json:"last_name"`
		} `json:"registrations"`
		Total int `json:"total"`
	}
	in.api(t, "GET", "/api/v1/events/"+demoSlug+"/registrations?status=confirmed&session=ws-maintenance&limit=1000", in.token(t, "organiser"), nil).Want(t, 200).Decode(t, &api)
	if len(records)-1 != api.Total || rows != api.Total {
		t.Errorf("the file has %d guests, the page %d, the API %d", len(records)-1, rows, api.Total)
	}
	if !slices.Equal(records[0][:3], []string{"Name", "Nachname", "Vorname"}) || !slices.Contains(records[0], "Ernährungswünsche") {
		t.Errorf("the catering list's header: %q", records[0])
	}
	found := false
	for _, r := range records[1:] {
		found = found || (r[1] == "Yıldırım" && slices.Contains(r, "vegan, keine Nüsse"))
	}
	if !found {
		t.Errorf("the file lacks Özlem Yıldırım's corrected answer:\n%q", records)
	}

	// The badge sheet of all 21 guests prints on three A4 pages.
	navigate(t, ctx, in.URL+base+"/badges?sort=name&lang=de", http.StatusOK)
	waitFor(t, ctx, "every QR code", `[...document.images].every(i => i.complete && i.naturalWidth > 0)`)
	if n := evaluate[int](t, ctx, `document.querySelectorAll('.badge').length`); n != 21 {
		t.Errorf("%d badges, want 21", n)
	}
	screenshot(t, ctx, "admin-flow-badges")
	pdf := printPDF(t, ctx)
	if n := pdfPages(t, pdf); n != 3 {
		t.Errorf("the badge sheet prints on %d pages, want 3 (8 a page)", n)
	}
	os.WriteFile(filepath.Join(screenshotDir(t), "admin-badges-de.pdf"), pdf, 0o644)
	if !bytes.Contains(pdf, []byte("NotoSansCJK")) && !bytes.Contains(pdf, []byte("Noto Sans CJK")) {
		t.Errorf("the PDF embeds no CJK font: 王小明 would not print")
	}

	// The print view repeats its header on every page.
	navigate(t, ctx, in.URL+base+"/print?preset=security&lang=zh", http.StatusOK)
	if n := evaluate[int](t, ctx, `document.querySelectorAll('.print-table tbody tr').length`); n != 21 {
		t.Errorf("the print view lists %d guests, want 21", n)
	}
	pdf = printPDF(t, ctx)
	if n := pdfPages(t, pdf); n < 1 {
		t.Errorf("the print view prints on %d pages", n)
	}
	os.WriteFile(filepath.Join(screenshotDir(t), "admin-print-zh.pdf"), pdf, 0o644)
	screenshot(t, ctx, "admin-flow-print")

	// The dashboard draws its charts on the server, each with a title and
	// a table, and the check-in figures follow the door by themselves.
	navigate(t, ctx, in.URL+base+"?lang=en", http.StatusOK)
	charts := evaluate[int](t, ctx, `[...document.querySelectorAll('figure.chart-figure svg.chart')]
		.filter(s => s.querySelector('title').textContent && s.querySelector('desc').textContent && s.getBoundingClientRect().width > 200).length`)
	if charts < 7 {
		t.Errorf("the dashboard shows %d charts with a title and a text alternative, want 7 or more", charts)
	}
	for _, id := range []string{"over-time", "status", "country", "answers", "sessions", "mail", "checkin"} {
		if n := evaluate[int](t, ctx, `document.querySelectorAll('#chart-`+id+` svg.chart rect.bar, #chart-`+id+` svg.chart path.line').length`); n == 0 {
			t.Errorf("chart %s draws nothing", id)
		}
	}
	entrance := `document.querySelector('#chart-checkin tbody tr td').textContent.trim()`
	if got := evaluate[string](t, ctx, entrance); got != "0" {
		t.Fatalf("checked in before any scan: %q", got)
	}
	var guests struct {
		Registrations []struct {
			TicketCode string `json:"ticket_code"`
		} `json:"registrations"`
	}
	in.api(t, "GET", "/api/v1/events/"+demoSlug+"/registrations?status=confirmed&limit=2", in.token(t, "organiser"), nil).Want(t, 200).Decode(t, &guests)
	staff := in.token(t, "staff")
	for _, g := range guests.Registrations {
		in.api(t, "POST", "/api/v1/checkin", staff, map[string]any{"event": demoSlug, "code": g.TicketCode}).Want(t, 200)
	}
	// The page fetches its check-in part every 15 seconds.
	waitFor(t, ctx, "the check-in figures to update", entrance+` === "2"`)
	if n := evaluate[int](t, ctx, `document.querySelectorAll('#chart-arrivals svg.chart path.line').length`); n != 1 {
		t.Error("the arrivals chart is not drawn after two check-ins")
	}
	screenshot(t, ctx, "admin-flow-dashboard")
	pdf = printPDF(t, ctx)
	if n := pdfPages(t, pdf); n < 2 {
		t.Errorf("the dashboard prints on %d pages, want its charts on 2 or more", n)
	}
	os.WriteFile(filepath.Join(screenshotDir(t), "admin-dashboard-en.pdf"), pdf, 0o644)
}

// waitForFile waits until dir holds a finished file with that extension.
// Chromium may put an empty file under the final name first and write the
// download beside it (NAME.crdownload) until it is complete.
func waitForFile(t testing.TB, dir, ext string) string {
	t.Helper()
	var path string
	waittest.For(t, stepTimeout, func() error {
		path = ""
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".crdownload") {
				return fmt.Errorf("the download into %s has not finished", dir)
			}
			if info, err := e.Info(); err == nil && info.Size() > 0 && strings.HasSuffix(e.Name(), ext) {
				path = filepath.Join(dir, e.Name())
			}
		}
		if path == "" {
			return fmt.Errorf("no %s file was downloaded into %s", ext, dir)
		}
		return nil
	})
	return path
}

// printPDF prints the page as Chromium prints it, with the page's own
// paper size and backgrounds.
func printPDF(t testing.TB, ctx context.Context) []byte {
	t.Helper()
	var pdf []byte
	yes := true
	browse(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PrintBackground: &yes})
		pdf = res.Data
		return err
	}))
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.20q", pdf)
	}
	return pdf
}

// pdfPages counts a PDF's pages by its page objects.
func pdfPages(t testing.TB, pdf []byte) int {
	t.Helper()
	return len(regexp.MustCompile(`/Type\s*/Page\b`).FindAll(pdf, -1))
}
