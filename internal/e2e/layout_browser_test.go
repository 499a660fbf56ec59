package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/foyer-events/foyer/internal/mailtest"
)

// layoutJS defines layoutProblems(): what a reader of any script would
// notice on the page as laid out now.
//
//   - Text stacked one character per line: two lines or more in a row that
//     hold a single CJK character each (时 / 间), anywhere on the page.
//   - A short label (a dt, th, label, legend, summary, button, the first
//     cell of a row, a tab…) of CJK text that breaks over two lines: 报名
//     must not read 报 / 名, whatever the width.
//   - The page scrolling sideways: a table must scroll in its own box.
//
// Each character's place is measured with a Range, so the check sees what
// the browser drew, not what the CSS intends.
const layoutJS = `
const cjk = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]/;
const labelish = 'dt, th, label, legend, summary, button, .button, nav a, .role-label, .session-kind, .status, .label, .agenda-corner, .agenda-room, tr > td:first-child';
function lines(node) {
	const text = node.textContent, range = document.createRange(), out = [];
	for (let i = 0; i < text.length;) {
		const len = text.codePointAt(i) > 0xffff ? 2 : 1;
		if (!/\s/.test(text[i])) {
			range.setStart(node, i); range.setEnd(node, i + len);
			const r = range.getClientRects()[0];
			if (r && r.width > 0) {
				const top = Math.round(r.top + r.height / 2);
				let line = out.find(l => Math.abs(l.mid - top) < r.height / 2);
				if (!line) out.push(line = {mid: top, text: ''});
				line.text += text.substr(i, len);
			}
		}
		i += len;
	}
	return out.sort((a, b) => a.mid - b.mid);
}
function where(el) {
	const parts = [];
	for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
		parts.unshift(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.classList.length ? '.' + [...e.classList].join('.') : ''));
	}
	return parts.join(' > ');
}
function layoutProblems() {
	const problems = [];
	const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	while (walk.nextNode()) {
		const node = walk.currentNode, el = node.parentElement;
		if (!cjk.test(node.textContent) || !el || !el.checkVisibility({checkVisibilityCSS: true})) continue;
		const ls = lines(node);
		let run = 0, worst = 0;
		for (const l of ls) { run = [...l.text].length === 1 ? run + 1 : 0; worst = Math.max(worst, run); }
		const label = el.closest(labelish);
		const whole = (label || el).textContent.trim();
		if (worst >= 2) {
			problems.push('one character per line (' + ls.map(l => l.text).join(' / ') + ') at ' + where(el));
		} else if (label && [...whole].length <= 12 && ls.length > 1) {
			problems.push('label broken over ' + ls.length + ' lines (' + ls.map(l => l.text).join(' / ') + ') at ' + where(el));
		}
	}
	const width = document.documentElement.clientWidth;
	if (document.documentElement.scrollWidth > width + 1) {
		const wide = [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > width + 1 &&
			!e.closest('.table-scroll, .agenda-grid, [data-scrolls]')).slice(0, 3).map(where);
		problems.push('the page is ' + document.documentElement.scrollWidth + 'px wide in ' + width + 'px: ' + wide.join('; '));
	}
	return problems;
}`

// layoutProblems runs layoutJS on the page in the tab.
func layoutProblems(t testing.TB, ctx context.Context) []string {
	t.Helper()
	return evaluate[[]string](t, ctx, `(() => {`+layoutJS+`; return layoutProblems(); })()`)
}

// viewports are the widths every page and email is checked at: a phone, a
// tablet upright and a laptop.
var viewports = []struct {
	name   string
	width  int
	height int
	mobile bool
}{{"390", 390, 844, true}, {"768", 768, 1024, true}, {"1366", 1366, 900, false}}

// screenSizes are the windows pages are photographed in, in every
// language: a phone and a laptop.
var screenSizes = []struct {
	name          string
	width, height int
	mobile        bool
}{{"phone", 390, 844, true}, {"desktop", 1366, 900, false}}

// setViewport sizes the browser's window; a mobile one has a phone's pixel
// density and touch.
func setViewport(t testing.TB, ctx context.Context, width, height int, mobile bool) {
	t.Helper()
	if mobile {
		browse(t, ctx, chromedp.EmulateViewport(int64(width), int64(height), chromedp.EmulateScale(2), chromedp.EmulateMobile))
	} else {
		browse(t, ctx, chromedp.EmulateViewport(int64(width), int64(height)))
	}
}

// TestLayoutCheckCanFail shows that the layout check sees the faults it is
// for: a Chinese label squeezed to one character a line, a label broken in
// two and a page wider than the window, and nothing on a page without them.
func TestLayoutCheckCanFail(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><html lang="zh-Hans"><meta name="viewport" content="width=device-width"><style>.label { white-space: nowrap }</style><body>
			<dl id="ok"><dt>时间</dt><dd>2027年4月13日 星期二</dd></dl>
			<table id="email"><tr><td class="label">时间</td><td>2027年4月13日 星期二 09:00–18:30（当地时间，UTC+2）汉诺威展览中心会议中心</td></tr></table>
			<dl id="broken"><dt>报名状态</dt><dd>已确认</dd></dl>
			<div id="wide">中文</div></body></html>`)
	}))
	defer page.Close()
	setViewport(t, ctx, 390, 844, true)
	navigate(t, ctx, page.URL, http.StatusOK)
	if p := layoutProblems(t, ctx); len(p) != 0 {
		t.Fatalf("problems on a page without any: %v", p)
	}
	// Let the email's label cell wrap (as it did before it was kept on one
	// line), break the label, widen the page.
	evaluate[bool](t, ctx, `(() => {
		document.querySelector('#email td').className = '';
		document.querySelector('#email').style.width = '100%';
		document.querySelector('#broken dt').style.width = '3em';
		document.querySelector('#wide').style.width = '600px';
		return true; })()`)
	got := strings.Join(layoutProblems(t, ctx), "\n")
	for _, want := range []string{"one character per line (时 / 间)", "label broken over 2 lines (报名", "px wide in 390px"} {
		if !strings.Contains(got, want) {
			t.Errorf("the check missed %q; it found:\n%s", want, got)
		}
	}
}

// TestLayoutInEveryScript opens every page a guest, an organiser or the
// door staff sees, and the confirmation email, in English, German and
// Chinese at 390, 768 and 1366 pixels, and fails on text stacked one
// character per line, Chinese labels broken in two, or a page that scrolls
// sideways. With FOYER_SCREENSHOTS set it keeps a screenshot of each.
func TestLayoutInEveryScript(t *testing.T) {
	t.Parallel()
	in, smtp := startDemoWithMail(t)
	organiser, orgPassword := in.user(t, "organiser")
	staff, staffPassword := in.user(t, "staff")
	event := "/events/" + demoSlug

	guests := map[string][3]string{ // language: given name, family name, salutation
		"en": {"Mary", "O'Brien-Whitfield", "ms"},
		"de": {"Anna", "Schäfer", "ms"},
		"zh": {"小明", "王", "mr"},
	}
	var ctx context.Context // the browser of the language being checked
	check := func(t *testing.T, name string) {
		t.Helper()
		for _, p := range layoutProblems(t, ctx) {
			t.Errorf("%s: %s", name, p)
		}
		if errs := pageErrors(t, ctx); len(errs) > 0 {
			t.Errorf("%s: the page had errors:\n%s", name, strings.Join(errs, "\n"))
		}
		screenshotIfAsked(t, ctx, name)
	}
	open := func(t *testing.T, path string) {
		t.Helper()
		navigate(t, ctx, in.URL+path, http.StatusOK)
	}
	n := 0
	mails := map[string]string{} // language: the confirmation's HTML, QR inline
	for _, lang := range []string{"en", "de", "zh"} {
		t.Run(lang, func(t *testing.T) {
			// A browser per language: one lives at most browserLifetime.
			ctx = newBrowser(t)
			for _, vp := range viewports {
				t.Run(vp.name, func(t *testing.T) {
					setViewport(t, ctx, vp.width, vp.height, vp.mobile)
					suffix := "-" + lang + "-" + vp.name
					q := "?lang=" + lang
					for _, p := range []struct{ name, path string }{
						{"event", event + q}, {"speakers", event + "/speakers" + q}, {"register", event + "/register" + q},
						{"login", "/login" + q},
					} {
						open(t, p.path)
						check(t, p.name+suffix)
					}
					navigate(t, ctx, in.URL+"/events/no-such-event"+q, http.StatusNotFound)
					check(t, "error"+suffix)

					// The form: sent empty, it comes back with a message at each field.
					open(t, event+"/register"+q)
					submit(t, ctx, `form.form button[type=submit]`)
					check(t, "register-errors"+suffix)

					// Filled in: the page after registering, then the email.
					n++
					g := guests[lang]
					email := fmt.Sprintf("layout%d@example.org", n)
					browse(t, ctx,
						chromedp.SetValue(chromedp.CSS(`#salutation`), g[2]),
						chromedp.SendKeys(chromedp.CSS(`#first_name`), g[0]),
						chromedp.SendKeys(chromedp.CSS(`#last_name`), g[1]),
						chromedp.SendKeys(chromedp.CSS(`#email`), email),
						chromedp.SendKeys(chromedp.CSS(`#organisation`), "Deutsch-Chinesische Gesellschaft für Maschinenbau e. V."),
						chromedp.SetValue(chromedp.CSS(`#country`), "CN"),
						chromedp.SetValue(chromedp.CSS(`#language`), lang),
						chromedp.Click(chromedp.CSS(`input[name="q.industry"][value="machinery"]`)),
						chromedp.Click(chromedp.CSS(`input[name="sessions"][value="ws-maintenance"]`)),
						chromedp.Click(chromedp.CSS(`input[name="consent"]`)),
					)
					submit(t, ctx, `form.form button[type=submit]`)
					check(t, "registered"+suffix)

					msg := waitForMail(t, smtp, email)
					link := regexp.MustCompile(`https?://\S+(/m/[A-Za-z0-9_-]+)`).FindStringSubmatch(msg.Text)
					if link == nil {
						t.Fatalf("no manage link in the email to %s", email)
					}
					open(t, link[1]+q)
					check(t, "manage"+suffix)
					// "Cancel registration" opens its confirmation where the
					// button was, in sight, not further down the page.
					before := evaluate[float64](t, ctx, `(() => { const s = document.querySelector('details.confirm > summary');
					s.scrollIntoView({block: 'end'}); return s.getBoundingClientRect().top; })()`)
					browse(t, ctx, chromedp.Click(chromedp.CSS(`details.confirm > summary`)))
					box := evaluate[[]float64](t, ctx, `(() => { const r = document.querySelector('.confirm-box').getBoundingClientRect(); return [r.top, r.bottom]; })()`)
					if box[0] < before-60 || box[0] > before+60 || box[0] < 0 || box[0] > float64(vp.height) {
						t.Errorf("the button stood at %.0fpx; its confirmation opens at %.0fpx in a %dpx window", before, box[0], vp.height)
					}
					// Both disclosures open, as a guest who corrects and cancels sees them.
					browse(t, ctx, chromedp.Click(chromedp.CSS(`details.edit > summary`)))
					check(t, "manage-open"+suffix)
					open(t, link[1]+"/ticket"+q)
					check(t, "ticket"+suffix)

					// The email as a phone or a desktop mail client shows it.
					mails[lang] = inlineQR(msg)
					mailPage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						w.Header().Set("Content-Type", "text/html; charset=utf-8")
						fmt.Fprint(w, mails[lang])
					}))
					defer mailPage.Close()
					navigate(t, ctx, mailPage.URL, http.StatusOK)
					check(t, "email"+suffix)
				})
			}
		})
	}

	// Signed in: the organiser's overview and the check-in page.
	for _, who := range []struct{ name, path, email, password string }{
		{"admin", "/admin", organiser, orgPassword},
		{"checkin", "/checkin/" + demoSlug, staff, staffPassword},
	} {
		t.Run(who.name, func(t *testing.T) {
			ctx = newBrowser(t)
			browse(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
				return err
			}))
			setViewport(t, ctx, 1366, 900, false)
			signIn(t, ctx, in, who.path, who.email, who.password)
			for _, lang := range []string{"en", "de", "zh"} {
				for _, vp := range viewports {
					setViewport(t, ctx, vp.width, vp.height, vp.mobile)
					open(t, who.path+"?lang="+lang)
					check(t, who.name+"-"+lang+"-"+vp.name)
				}
			}
		})
	}
}

// waitForMail waits for the email to one address.
func waitForMail(t testing.TB, smtp *mailtest.Server, to string) *mailtest.Parsed {
	t.Helper()
	toHim := func(m mailtest.Received) bool { return len(m.To) > 0 && m.To[0] == to }
	msgs := smtp.WaitUntil(t, 30*time.Second, func(msgs []mailtest.Received) bool { return slices.ContainsFunc(msgs, toHim) })
	p, err := msgs[slices.IndexFunc(msgs, toHim)].Parse()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// inlineQR returns the email's HTML with its inline QR image as a data URI,
// as a mail client shows it.
func inlineQR(p *mailtest.Parsed) string {
	html := p.HTML
	if qr := p.ByContentID("ticket"); qr != nil {
		html = strings.ReplaceAll(html, "cid:ticket", "data:image/png;base64,"+base64.StdEncoding.EncodeToString(qr.Data))
	}
	return html
}

// TestTicketPrints prints the ticket page as the browser would on paper:
// an A4 sheet, or with ?size=a6 an A6 card, each a single page, in German
// and Chinese. With FOYER_SCREENSHOTS set it keeps a picture of each as
// printed (print styles at the paper's width).
func TestTicketPrints(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	in, smtp := startDemoWithMail(t)
	guests := map[string]map[string]any{
		"de": {"first_name": "Klaus", "last_name": "Müller-Lüdenscheidt", "salutation": "mr", "title": "prof_dr"},
		"zh": {"first_name": "小明", "last_name": "欧阳", "salutation": "mr", "title": "dr"},
	}
	for _, lang := range []string{"de", "zh"} {
		email := "print-" + lang + "@example.org"
		body := map[string]any{"email": email, "organisation": "Deutsch-Chinesische Gesellschaft für Maschinenbau e. V.",
			"language": lang, "consent": true, "answers": map[string]any{"industry": "research"}, "sessions": []string{"ws-maintenance"}}
		for k, v := range guests[lang] {
			body[k] = v
		}
		in.api(t, "POST", "/api/v1/events/"+demoSlug+"/registrations", "", body).Want(t, http.StatusCreated)
		link := regexp.MustCompile(`https?://\S+(/m/[A-Za-z0-9_-]+)`).FindStringSubmatch(waitForMail(t, smtp, email).Text)
		if link == nil {
			t.Fatal("no manage link")
		}
		for _, paper := range []struct {
			size          string
			width, height float64 // points
		}{{"a4", 595.3, 841.9}, {"a6", 297.6, 419.5}} {
			navigate(t, ctx, in.URL+link[1]+"/ticket?size="+paper.size+"&lang="+lang, http.StatusOK)
			waitFor(t, ctx, "the QR image", `(() => { const i = document.querySelector('.ticket-qr'); return i && i.complete && i.naturalWidth > 100 })()`)
			step, cancel := context.WithTimeout(ctx, stepTimeout)
			pdf, err := chromedp.Run(step, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
				prefer := true
				res, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &prefer})
				return res.Data, err
			})
			cancel()
			if err != nil {
				t.Fatalf("print %s: %v", paper.size, err)
			}
			boxes := mediaBox.FindAllSubmatch(pdf, -1)
			if len(boxes) != 1 {
				t.Errorf("%s %s: the ticket prints on %d pages, want 1", lang, paper.size, len(boxes))
			}
			for _, b := range boxes {
				var w, h float64
				fmt.Sscan(string(b[1]), &w)
				fmt.Sscan(string(b[2]), &h)
				if w < paper.width-2 || w > paper.width+2 || h < paper.height-2 || h > paper.height+2 {
					t.Errorf("%s %s: page of %.1f × %.1f pt, want %.1f × %.1f", lang, paper.size, w, h, paper.width, paper.height)
				}
			}
			if screenshotsAsked() {
				// The print styles at the paper's width (96 px an inch).
				setViewport(t, ctx, int(paper.width*96/72), int(paper.height*96/72), false)
				browse(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
					return err
				}))
				screenshot(t, ctx, "ticket-print-"+paper.size+"-"+lang)
				browse(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
					return err
				}))
				setViewport(t, ctx, 1366, 900, false)
			}
		}
	}
}

// mediaBox finds the size of each page of a PDF.
var mediaBox = regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]`)
