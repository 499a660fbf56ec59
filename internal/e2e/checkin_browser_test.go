package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// guestTickets registers n guests for the demo forum through the public
// API and returns their ticket codes, read with an organiser's token.
func guestTickets(t testing.TB, in *Instance, n int, first int) []string {
	t.Helper()
	for i := range n {
		body := map[string]any{"first_name": "Guest", "last_name": fmt.Sprintf("Door %d", first+i),
			"email": fmt.Sprintf("door%d@example.org", first+i), "organisation": "Door GmbH", "language": "en", "consent": true,
			"answers": map[string]any{"industry": "research"}}
		in.api(t, "POST", "/api/v1/events/"+demoSlug+"/registrations", "", body).Want(t, http.StatusCreated)
	}
	org := in.token(t, "organiser")
	var page struct {
		Registrations []struct {
			LastName   string `json:"last_name"`
			TicketCode string `json:"ticket_code"`
		} `json:"registrations"`
	}
	in.api(t, "GET", "/api/v1/events/"+demoSlug+"/registrations?limit=1000", org, nil).Want(t, http.StatusOK).Decode(t, &page)
	byName := map[string]string{}
	for _, r := range page.Registrations {
		byName[r.LastName] = r.TicketCode
	}
	codes := make([]string, n)
	for i := range n {
		codes[i] = byName[fmt.Sprintf("Door %d", first+i)]
		if codes[i] == "" {
			t.Fatalf("no ticket code for Door %d", first+i)
		}
	}
	return codes
}

// signIn opens path, which sends an anonymous browser to the login page,
// signs in there and expects to come back to path.
func signIn(t *testing.T, ctx context.Context, in *Instance, path, email, password string) {
	t.Helper()
	navigate(t, ctx, in.URL+path, http.StatusOK) // the login page, after the redirect
	if u := evaluate[string](t, ctx, `location.pathname`); u != "/login" {
		t.Fatalf("an anonymous visit to %s shows %s, want /login", path, u)
	}
	browse(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#login-email`), email),
		chromedp.SendKeys(chromedp.CSS(`#login-password`), password),
	)
	submit(t, ctx, `form.form button[type=submit]`)
	if got := evaluate[string](t, ctx, `location.pathname + location.search`); got != path {
		t.Fatalf("after signing in the browser is at %s, want %s", got, path)
	}
}

// waitFor polls a JavaScript condition until it holds.
func waitFor(t testing.TB, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		step, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(step, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v\npage errors: %v\npage text:\n%s", what, err, pageErrors(t, ctx),
				evaluate[string](t, ctx, `document.body ? document.body.innerText.slice(0, 2000) : ''`))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cardIs waits until the result card has that colour and shows text.
func cardIs(t testing.TB, ctx context.Context, colour, text string) {
	t.Helper()
	waitFor(t, ctx, "a "+colour+" card with "+text, fmt.Sprintf(
		`document.getElementById('ci-card').classList.contains('ci-%s') && document.getElementById('ci-card').innerText.includes(%q)`, colour, text))
}

// wedge types text into the code field and presses Enter, the way a USB or
// Bluetooth scanner does.
func wedge(t testing.TB, ctx context.Context, text string) {
	t.Helper()
	browse(t, ctx, chromedp.SendKeys(chromedp.CSS(`#ci-code`), text+"\r"))
}

// openCheckInAsStaff signs a new staff member in at the demo forum's
// check-in page in ctx and waits until it shows the guest list with no one
// admitted ("0 of guests"; any number when guests is 0).
func openCheckInAsStaff(t *testing.T, ctx context.Context, in *Instance, guests int) {
	t.Helper()
	email, password := in.user(t, "staff")
	signIn(t, ctx, in, "/checkin/"+demoSlug, email, password)
	count := "0 of"
	if guests > 0 {
		count = fmt.Sprintf("0 of %d", guests)
	}
	waitFor(t, ctx, "the guest list", `document.getElementById('ci-count').innerText.includes('`+count+`')`)
}

// TestCheckInPageWedge: an anonymous visit goes to the login page and back;
// a keyboard-wedge scan turns the card green, the same ticket again amber,
// with the first check-in's staff member; the focus stays in the field.
// Screenshots in three languages at phone and desktop widths.
func TestCheckInPageWedge(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	in := startFoyer(t, Options{Demo: true})
	codes := guestTickets(t, in, 2, 1)
	path := "/checkin/" + demoSlug
	openCheckInAsStaff(t, ctx, in, 0)
	waitFor(t, ctx, "the page's script", `document.documentElement.dataset.checkinReady === '1'`)

	wedge(t, ctx, codes[0])
	cardIs(t, ctx, "ok", "Guest Door 1")
	if focused := evaluate[string](t, ctx, `document.activeElement.id`); focused != "ci-code" {
		t.Errorf("after a scan the focus is on %q, want the code field", focused)
	}
	if v := evaluate[string](t, ctx, `document.getElementById('ci-code').value`); v != "" {
		t.Errorf("the code field still holds %q", v)
	}
	waitFor(t, ctx, "the counter", `document.getElementById('ci-count').innerText.includes('1 of')`)
	wedge(t, ctx, strings.ToLower(codes[0]))
	cardIs(t, ctx, "warn", "Already checked in")
	cardIs(t, ctx, "warn", "Test staff")
	wedge(t, ctx, codes[0][:len(codes[0])-8])
	cardIs(t, ctx, "bad", "Not a valid ticket")

	// Undo from the card, then the guest is admitted again.
	wedge(t, ctx, codes[1])
	cardIs(t, ctx, "ok", "Guest Door 2")
	browse(t, ctx, chromedp.Click(chromedp.CSS(`#ci-undo`)))
	cardIs(t, ctx, "idle", "Check-in undone")
	wedge(t, ctx, codes[1])
	cardIs(t, ctx, "ok", "Guest Door 2")
	if errs := pageErrors(t, ctx); len(errs) > 0 {
		t.Errorf("page errors:\n%s", strings.Join(errs, "\n"))
	}

	// What a tired person at the door sees, in each language and width.
	wedge(t, ctx, codes[1])
	for _, lang := range []string{"en", "de", "zh"} {
		for _, size := range screenSizes {
			setViewport(t, ctx, size.width, size.height, size.mobile)
			navigate(t, ctx, in.URL+path+"?lang="+lang, http.StatusOK)
			waitFor(t, ctx, "the page's script", `document.documentElement.dataset.checkinReady === '1'`)
			wedge(t, ctx, codes[0])
			waitFor(t, ctx, "an amber card", `document.getElementById('ci-card').classList.contains('ci-warn')`)
			if sw := evaluate[int](t, ctx, `document.documentElement.scrollWidth`); sw > size.width+1 {
				t.Errorf("%s %s: the page is %dpx wide in a %dpx window", lang, size.name, sw, size.width)
			}
			screenshot(t, ctx, fmt.Sprintf("checkin-%s-%s", lang, size.name))
		}
	}
}

// TestCheckInPageRoles: staff may open the check-in page but no organiser
// page; anonymous visitors are sent to sign in.
func TestCheckInPageRoles(t *testing.T) {
	t.Parallel()
	in := startFoyer(t, Options{Demo: true})
	r := in.get(t, "/checkin/"+demoSlug)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login?next="+url.QueryEscape("/checkin/"+demoSlug) {
		t.Errorf("anonymous: %d %s", r.Status, r.Header.Get("Location"))
	}
	email, password := in.user(t, "staff")
	cookie := in.login(t, email, password)
	if r := in.get(t, "/checkin/"+demoSlug, "Cookie", cookie); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `id="ci-config"`) {
		t.Errorf("staff: %s", r)
	}
	if r := in.get(t, "/checkin/"+demoSlug, "Cookie", cookie); strings.Contains(string(r.Body), "<script>") || strings.Contains(string(r.Body), " onclick=") {
		t.Errorf("the page has inline script")
	}
	for _, p := range []string{"/admin", "/api/v1/events/" + demoSlug + "/registrations"} {
		if r := in.get(t, p, "Cookie", cookie, "Accept", "application/json"); r.Status != http.StatusForbidden {
			t.Errorf("staff on %s: %d", p, r.Status)
		}
	}
	if r := in.get(t, "/checkin/no-such-event", "Cookie", cookie); r.Status != http.StatusNotFound {
		t.Errorf("unknown event: %d", r.Status)
	}
	if r := in.get(t, "/checkin/sw.js"); r.Status != 200 || !strings.Contains(string(r.Body), "FOYER_ASSETS") {
		t.Errorf("service worker: %s", r)
	}
}

// login signs in with the login form over plain HTTP and returns the
// Cookie header of the signed-in session.
func (in *Instance) login(t testing.TB, email, password string) string {
	t.Helper()
	page := in.get(t, "/login").Want(t, http.StatusOK)
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no CSRF token on the login page")
	}
	var cookies []string
	for _, c := range (&http.Response{Header: page.Header}).Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	form := url.Values{"email": {email}, "password": {password}, "_csrf": {string(m[1])}}
	r := in.do(t, "POST", "/login", strings.NewReader(form.Encode()),
		"Content-Type", "application/x-www-form-urlencoded", "Cookie", strings.Join(cookies, "; "))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("login: %s", r)
	}
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "foyer_session" {
			cookies = append(cookies, c.Name+"="+c.Value)
		}
	}
	return strings.Join(cookies, "; ")
}

// TestCheckInPageSearchWalkInDoor: a guest found by name is checked in
// from the search result; a walk-in is registered and admitted from the
// form; at a session door a guest without a seat is refused.
func TestCheckInPageSearchWalkInDoor(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	in := startFoyer(t, Options{Demo: true})
	codes := guestTickets(t, in, 2, 1)
	openCheckInAsStaff(t, ctx, in, 2)

	browse(t, ctx, chromedp.Click(chromedp.CSS(`#ci-tab-search`)), chromedp.SendKeys(chromedp.CSS(`#ci-q`), "door 2"))
	waitFor(t, ctx, "one search result", `document.querySelectorAll('#ci-results li').length === 1 &&
		document.getElementById('ci-results').innerText.includes('Guest Door 2')`)
	browse(t, ctx, chromedp.Click(chromedp.CSS(`#ci-results button`)))
	cardIs(t, ctx, "ok", "Guest Door 2")

	browse(t, ctx, chromedp.Click(chromedp.CSS(`#ci-tab-walkin`)),
		chromedp.SendKeys(chromedp.CSS(`#wi-first_name`), "Fang"),
		chromedp.SendKeys(chromedp.CSS(`#wi-last_name`), "Wang"),
		chromedp.SendKeys(chromedp.CSS(`#wi-organisation`), "CIIPA"))
	browse(t, ctx, chromedp.Click(chromedp.CSS(`#ci-walkin-form button[type=submit]`)))
	waitFor(t, ctx, "the consent message", `!document.getElementById('ci-walkin-error').hidden &&
		document.querySelector('#wi-consent').closest('.field').innerText.length > 60`)
	browse(t, ctx, chromedp.Click(chromedp.CSS(`#wi-consent`)), chromedp.Click(chromedp.CSS(`#ci-walkin-form button[type=submit]`)))
	cardIs(t, ctx, "ok", "Fang Wang")
	cardIs(t, ctx, "ok", "CIIPA")
	screenshot(t, ctx, "checkin-walkin")

	browse(t, ctx, chromedp.SetValue(chromedp.CSS(`#ci-door`), "ws-maintenance"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('ci-door').dispatchEvent(new Event('change'))`))
	wedge(t, ctx, codes[0])
	cardIs(t, ctx, "bad", "No seat in this session")
	waitFor(t, ctx, "the door's counter", `document.getElementById('ci-count').innerText.includes('0 of 0 in this session')`)
	if errs := pageErrors(t, ctx); len(errs) > 0 {
		t.Errorf("page errors:\n%s", strings.Join(errs, "\n"))
	}
}
