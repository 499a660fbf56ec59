package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/foyer-events/foyer/internal/logtest"
)

// Deadlines for the browser.
const (
	browserLifetime = 5 * time.Minute  // the whole browser, whatever a test does
	browserStart    = 60 * time.Second // from exec to the first tab
	stepTimeout     = 30 * time.Second // one browse or evaluate call
)

// browserNames are the executables tried, in order.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// newBrowser starts a headless Chromium with a fresh profile and returns the
// context of its first tab; the browser stops when the test ends. Without a
// browser the test is skipped, unless FOYER_E2E=required (CI), where it fails.
// extra adds command-line flags (say, a fake camera).
//
// Every page the tab opens records its JavaScript errors and failed resource
// loads; pageErrors returns them.
func newBrowser(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	var path string
	for _, name := range browserNames {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("FOYER_E2E") == "required" {
			t.Fatalf("FOYER_E2E=required but none of %v is on PATH (Debian: apt-get install chromium)", browserNames)
		}
		t.Skipf("no browser: none of %v on PATH (FOYER_E2E=required makes this fail)", browserNames)
	}

	// The profile is not t.TempDir(): Chromium's helper processes may
	// still be writing into it for a moment after the browser has exited,
	// and TempDir's cleanup fails on the first "directory not empty".
	profile, err := os.MkdirTemp("", "foyer-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	output := &logtest.Buffer{}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("lang", "en-GB"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(output),
	}
	opts = append(opts, extra...)
	life, stopLife := context.WithTimeout(context.Background(), browserLifetime)
	allocCtx, stopAlloc := chromedp.NewExecAllocator(life, opts...)
	ctx, stopTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		stopTab()
		stopAlloc() // waits for the browser to exit
		stopLife()
		removeProfile(t, profile)
	})

	// Start the browser now: the first run must not carry a timeout of its
	// own (it would end the browser with it), so it is bounded from outside.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx, recordPageErrors()) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start %s: %v\nbrowser output:\n%s", path, err, output)
		}
	case <-time.After(browserStart):
		stopLife()
		t.Fatalf("%s did not start within %s\nbrowser output:\n%s", path, browserStart, output)
	}
	return ctx
}

// removeProfile removes a browser's profile folder once the last of its
// processes has stopped writing into it.
func removeProfile(t testing.TB, dir string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := os.RemoveAll(dir)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("browser profile %s not removed: %v", dir, err)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// recordPageErrors has every page keep its uncaught errors, rejected promises,
// resources that failed to load and whatever the Content-Security-Policy
// blocked in window.__foyerErrors.
func recordPageErrors() chromedp.Action[chromedp.Void] {
	const script = `(() => {
		if (window.__foyerErrors) return;
		window.__foyerErrors = [];
		addEventListener('error', e => {
			const el = e.target;
			window.__foyerErrors.push(el && el !== window
				? 'failed to load ' + (el.src || el.href || el.tagName)
				: String(e.message) + ' at ' + e.filename + ':' + e.lineno);
		}, true);
		addEventListener('unhandledrejection', e => window.__foyerErrors.push('unhandled rejection: ' + String(e.reason)));
		addEventListener('securitypolicyviolation', e => window.__foyerErrors.push(
			'Content-Security-Policy blocked ' + e.violatedDirective + ': ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));
	})()`
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script})
		return err
	})
}

// pageErrors returns the errors the current page recorded.
func pageErrors(t testing.TB, ctx context.Context) []string {
	t.Helper()
	return evaluate[[]string](t, ctx, `window.__foyerErrors || []`)
}

// browse runs steps in the tab, failing the test if they take longer than
// stepTimeout.
func browse(t testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	step, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(step, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// evaluate runs a JavaScript expression in the page and decodes its value.
func evaluate[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	step, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(step, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("browser: evaluate %.80q: %v", js, err)
	}
	return v
}

// navigate opens a page and fails the test unless it answers with status.
func navigate(t testing.TB, ctx context.Context, url string, status int) {
	t.Helper()
	step, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.Run(step, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("browser: open %s: %v", url, err)
	}
	if int(resp.Status) != status {
		t.Fatalf("browser: open %s: status %d, want %d", url, resp.Status, status)
	}
}

// screenshot takes a PNG of the whole page, checks that it shows something
// and saves it under $FOYER_SCREENSHOTS (if set) or the test's temporary
// folder. It returns the file's path.
func screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	step, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	data, err := chromedp.Run(step, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browser: screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot %s is not a PNG: %v", name, err)
	}
	b := img.Bounds()
	if b.Dx() == 0 || b.Dy() == 0 {
		t.Fatalf("screenshot %s is empty: %v", name, b)
	}
	if n := colours(img, 16); n < 16 {
		t.Errorf("screenshot %s has %d colours: a blank page?", name, n)
	}
	file := filepath.Join(screenshotDir(t), name+".png")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s: %dx%d, %d bytes", file, b.Dx(), b.Dy(), len(data))
	return file
}

// screenshotDir is where screenshots and printed PDFs are kept:
// $FOYER_SCREENSHOTS, or the test's temporary folder.
func screenshotDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("FOYER_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshotsAsked tells whether FOYER_SCREENSHOTS asks for the screenshots
// that tests take only for people to look at.
func screenshotsAsked() bool { return os.Getenv("FOYER_SCREENSHOTS") != "" }

// screenshotIfAsked takes a screenshot for people to look at, when
// FOYER_SCREENSHOTS asks for them.
func screenshotIfAsked(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	if screenshotsAsked() {
		screenshot(t, ctx, name)
	}
}

// signInAs adds an account with role to in and signs the browser in with
// it at a desktop's width (1366 × 900), asking for path first. It returns
// the account's email address.
func signInAs(t *testing.T, ctx context.Context, in *Instance, role, path string) string {
	t.Helper()
	email, password := in.user(t, role)
	setViewport(t, ctx, 1366, 900, false)
	signIn(t, ctx, in, path, email, password)
	return email
}

// colours counts the distinct colours of an image, up to limit.
func colours(img image.Image, limit int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// textState is where the page shows a text: whether some element holding it
// is visible, and whether all of it lies inside the viewport's width.
type textState struct {
	Text    string `json:"text"`
	Visible bool   `json:"visible"`
	Inside  bool   `json:"inside"`
}

// holdersJS defines holders(text): the innermost elements whose text
// contains text (so markup inside a title does not hide it), and shown(el):
// rendered, not hidden, with a size.
const holdersJS = `
	const norm = s => s.replace(/\s+/g, ' ');
	const holders = text => [...document.body.querySelectorAll('*')].filter(el =>
		norm(el.textContent).includes(text) && ![...el.children].some(c => norm(c.textContent).includes(text)));
	const shown = el => {
		const r = el.getBoundingClientRect();
		return el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}) && r.width >= 1 && r.height >= 1;
	};`

// findTexts reports for each text whether the page shows it and whether it
// fits across the viewport. A text shown several times (say, once per
// layout) counts when one of its places does.
func findTexts(t testing.TB, ctx context.Context, texts []string) []textState {
	t.Helper()
	arg, _ := json.Marshal(texts)
	return evaluate[[]textState](t, ctx, fmt.Sprintf(`(() => {%s
		const width = document.documentElement.clientWidth;
		return %s.map(text => {
			const els = holders(text).filter(shown);
			const inside = els.some(el => {
				const r = el.getBoundingClientRect();
				return r.left >= -1 && r.right <= width + 1;
			});
			return {text, visible: els.length > 0, inside};
		});
	})()`, holdersJS, arg))
}

// waitForText waits until the page shows the text.
func waitForText(t testing.TB, ctx context.Context, text string) {
	t.Helper()
	step, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	var err error
	for {
		err = chromedp.Do(step, chromedp.PollFunction[chromedp.Void](`(text) => {`+holdersJS+`
			return holders(text).some(shown);
		}`, chromedp.WithPollingArgs(text), chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(stepTimeout)))
		// A page that is still being replaced by the next one (a link
		// just clicked) takes its script context with it: poll again in
		// the new page, until the step's deadline.
		if err == nil || !pageReplaced(err) || step.Err() != nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("the page does not show %q: %v\npage text:\n%s", text, err,
			evaluate[string](t, ctx, `document.body ? document.body.innerText.slice(0, 3000) : ''`))
	}
}

// pageReplaced reports whether err says the page a script ran in went away
// under it, as it does during a navigation.
func pageReplaced(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context with specified id") ||
		strings.Contains(msg, "Execution context was destroyed") ||
		strings.Contains(msg, "Inspected target navigated or closed")
}

// TestEventPageInBrowser opens the demo forum's page in German on a desktop
// and on a phone and expects the whole agenda to be shown.
func TestEventPageInBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t) // first: skips at once without a browser
	in := startFoyer(t, Options{Demo: true})
	_, demo := demoProgramme(t, in)

	var titles []string
	for _, s := range node(t, demo, "sessions").([]any) {
		titles = append(titles, object(t, s, "title")["de"].(string))
	}
	title := object(t, demo, "title")["de"].(string)
	url := in.URL + "/events/" + demoSlug + "?lang=de"

	check := func(t *testing.T, name string, width int) {
		navigate(t, ctx, url, http.StatusOK)
		// Wait until the agenda is on screen, scripts included.
		waitForText(t, ctx, titles[0])

		if lang := evaluate[string](t, ctx, `document.documentElement.lang`); !strings.HasPrefix(lang, "de") {
			t.Errorf("<html lang=%q>, want de", lang)
		}
		if h1 := evaluate[string](t, ctx, `[...document.querySelectorAll('h1')].map(h => h.innerText).join(' | ')`); !strings.Contains(strings.Join(strings.Fields(h1), " "), title) {
			t.Errorf("<h1> %q, want the German title %q", h1, title)
		}
		if text := evaluate[string](t, ctx, `document.body.innerText`); strings.Contains(text, "Digital twins on the shop floor") {
			t.Errorf("the German page shows the English session title")
		}
		if got := evaluate[int](t, ctx, `window.innerWidth`); got != width {
			t.Errorf("window.innerWidth %d, want %d (is <meta name=viewport content=\"width=device-width\"> missing?)", got, width)
		}
		for _, st := range findTexts(t, ctx, titles) {
			switch {
			case !st.Visible:
				t.Errorf("session %q is not visible", st.Text)
			case !st.Inside:
				t.Errorf("session %q sticks out of the %dpx wide window", st.Text, width)
			}
		}
		if sw := evaluate[int](t, ctx, `document.documentElement.scrollWidth`); sw > width+1 {
			t.Errorf("the page is %dpx wide in a %dpx window: it scrolls sideways", sw, width)
		}
		if errs := pageErrors(t, ctx); len(errs) > 0 {
			t.Errorf("the page had errors:\n%s", strings.Join(errs, "\n"))
		}
		screenshot(t, ctx, name)
	}

	t.Run("desktop", func(t *testing.T) {
		browse(t, ctx, chromedp.EmulateViewport(1280, 900))
		check(t, "event-de-desktop", 1280)
	})
	t.Run("phone", func(t *testing.T) {
		browse(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		check(t, "event-de-phone", 390)
	})
}
