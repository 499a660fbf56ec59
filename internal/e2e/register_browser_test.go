package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/foyer-events/foyer/internal/waittest"
)

// TestRegisterInBrowser fills the registration form in German the way a
// guest does, first with a mistake, then right; opens the manage link from
// the email that reaches the SMTP server; and finds the ticket there.
func TestRegisterInBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	in, smtp := startDemoWithMail(t)

	navigate(t, ctx, in.URL+"/events/"+demoSlug+"/register?lang=de", http.StatusOK)
	waitForText(t, ctx, "Anmeldung")
	// First attempt without consent: the form comes back with a German
	// message next to the box and everything typed still there.
	browse(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#first_name`), "Jürgen"),
		chromedp.SendKeys(chromedp.CSS(`#last_name`), "Müller-Lüdenscheidt"),
		chromedp.SendKeys(chromedp.CSS(`#email`), "juergen@example.de"),
		chromedp.SendKeys(chromedp.CSS(`#organisation`), "Müller & Söhne GmbH"),
		chromedp.SetValue(chromedp.CSS(`#country`), "DE"),
		chromedp.Click(chromedp.CSS(`input[name="q.industry"][value="machinery"]`)),
		chromedp.Click(chromedp.CSS(`input[name="sessions"][value="ws-investment"]`)),
	)
	submit(t, ctx, `form.form button[type=submit]`)
	waitForText(t, ctx, "Bitte stimmen Sie dem Datenschutzhinweis zu")
	if v := evaluate[string](t, ctx, `document.querySelector('#organisation').value`); v != "Müller & Söhne GmbH" {
		t.Errorf("organisation not kept: %q", v)
	}
	if v := evaluate[bool](t, ctx, `document.querySelector('input[name="sessions"][value="ws-investment"]').checked`); !v {
		t.Error("session choice not kept")
	}
	screenshot(t, ctx, "register-de-error")

	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`input[name="consent"]`)),
	)
	submit(t, ctx, `form.form button[type=submit]`)
	waitForText(t, ctx, "Ihr Ticket ist per E-Mail an juergen@example.de unterwegs")

	msgs := smtp.WaitFor(t, 1, 30*time.Second)
	p, err := msgs[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Subject, "Ihr Ticket") {
		t.Errorf("subject %q is not the German confirmation", p.Subject)
	}
	link := regexp.MustCompile(`https?://\S+/m/[A-Za-z0-9_-]+`).FindString(p.Text)
	if link == "" {
		t.Fatalf("no manage link in:\n%s", p.Text)
	}
	navigate(t, ctx, link, http.StatusOK)
	waitForText(t, ctx, "Ihr Ticket")
	text := evaluate[string](t, ctx, `document.body.innerText`)
	for _, want := range []string{"Bestätigt", "Müller-Lüdenscheidt", "Müller & Söhne GmbH", "Investieren in chinesischen Industrieparks", "Platz bestätigt"} {
		if !strings.Contains(text, want) {
			t.Errorf("manage page lacks %q", want)
		}
	}
	// The QR image has loaded, not just its alt text.
	waitFor := `(() => { const i = document.querySelector('.ticket img'); return i && i.complete && i.naturalWidth > 100 })()`
	waittest.For(t, 10*time.Second, func() error {
		if !evaluate[bool](t, ctx, waitFor) {
			return errors.New("the ticket QR image did not load")
		}
		return nil
	})
	if errs := pageErrors(t, ctx); len(errs) > 0 {
		t.Errorf("page errors:\n%s", strings.Join(errs, "\n"))
	}
	screenshot(t, ctx, "manage-de")
}

// submit clicks a form's button and waits until the browser shows the next
// document: the page marks itself first, and the mark is gone once the
// answer has loaded. Queries fail while the old page unloads, so they are
// repeated until the deadline.
func submit(t *testing.T, ctx context.Context, button string) {
	t.Helper()
	browse(t, ctx, chromedp.Evaluate[chromedp.Void](`window.foyerOldPage = true`), chromedp.Click(chromedp.CSS(button)))
	waittest.For(t, stepTimeout, func() error {
		step, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		loaded, err := chromedp.Run(step, chromedp.Evaluate[bool](`!window.foyerOldPage && document.readyState === 'complete'`))
		if err != nil || !loaded {
			return fmt.Errorf("no new page after clicking %s (last error: %v)", button, err)
		}
		return nil
	})
}
