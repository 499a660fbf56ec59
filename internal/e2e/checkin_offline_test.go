package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/foyer-events/foyer/internal/ticket"
)

// writeY4M writes a video of a few frames that each show the QR code of
// code on white, as a phone would hold it up: the file Chromium's fake
// camera plays in a loop.
func writeY4M(t *testing.T, code string) string {
	t.Helper()
	const w, h = 640, 480
	qr, err := ticket.QRPNG(code, 320)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(qr))
	if err != nil {
		t.Fatal(err)
	}
	frame := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(frame, frame.Bounds(), image.White, image.Point{}, draw.Src)
	b := img.Bounds()
	at := image.Pt((w-b.Dx())/2, (h-b.Dy())/2)
	draw.Draw(frame, b.Add(at), img, b.Min, draw.Src)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", w, h)
	chroma := bytes.Repeat([]byte{128}, (w/2)*(h/2))
	for range 10 {
		buf.WriteString("FRAME\n")
		buf.Write(frame.Pix) // Y: the grey level
		buf.Write(chroma)    // U
		buf.Write(chroma)    // V
	}
	file := filepath.Join(t.TempDir(), "ticket.y4m")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestCheckInPageCamera: with Chromium's fake camera playing a video of a
// ticket's QR code, opening the camera checks the guest in.
func TestCheckInPageCamera(t *testing.T) {
	t.Parallel()
	in := startFoyer(t, Options{Demo: true})
	codes := guestTickets(t, in, 1, 1)
	ctx := newBrowser(t,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", writeY4M(t, codes[0])),
	)
	openCheckInAsStaff(t, ctx, in, 0)
	browse(t, ctx, chromedp.Click(chromedp.CSS(`#ci-tab-camera`)))
	cardIs(t, ctx, "ok", "Guest Door 1")
	t.Logf("decoded with %s", evaluate[string](t, ctx, `document.documentElement.dataset.qrDecoder || ''`))
	screenshot(t, ctx, "checkin-camera")
	// Held in front of the camera, the ticket counts once.
	browse(t, ctx, chromedp.Click(chromedp.CSS(`#ci-tab-camera`)))
	var stats struct {
		CheckedIn int            `json:"checked_in"`
		Results   map[string]int `json:"results"`
	}
	in.api(t, "GET", "/api/v1/events/"+demoSlug+"/checkin/stats", in.token(t, "staff"), nil).Want(t, 200).Decode(t, &stats)
	if stats.CheckedIn != 1 || stats.Results["ok"] != 1 {
		t.Errorf("stats after the camera scan: %+v", stats)
	}
	if errs := pageErrors(t, ctx); len(errs) > 0 {
		t.Errorf("page errors:\n%s", strings.Join(errs, "\n"))
	}
}

// setOffline cuts the tab (and its service worker) off the network, or
// reconnects it, with DevTools network emulation.
func setOffline(t *testing.T, ctx context.Context, offline bool) {
	t.Helper()
	browse(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		sw := offline
		conditions := []*network.Conditions{}
		if offline {
			conditions = append(conditions, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
		}
		if _, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &sw, MatchedNetworkConditions: conditions}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	}))
}

// device opens a second, separate browser profile (its own storage and
// cookies) in the same browser: another phone at another door.
func device(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first run opens the tab and must not carry a deadline of its own,
	// which would close the tab with it; the browser's lifetime bounds it.
	if err := chromedp.Do(ctx, recordPageErrors()); err != nil {
		t.Fatalf("open a second browser profile: %v", err)
	}
	return ctx
}

// TestCheckInPageOffline: two devices lose the network. On the first, two
// guests are checked in, the page is reloaded (the queue survives), and the
// network returns: both are synced. A third guest was admitted on both
// devices while apart: the server counts a duplicate, and the page says so.
func TestCheckInPageOffline(t *testing.T) {
	t.Parallel()
	browser := newBrowser(t)
	in := startFoyer(t, Options{Demo: true})
	codes := guestTickets(t, in, 3, 1)
	a, b := browser, device(t, browser)
	for _, ctx := range []context.Context{a, b} {
		openCheckInAsStaff(t, ctx, in, 3)
		waitFor(t, ctx, "the page kept for offline use", `document.documentElement.dataset.offlineReady === '1'`)
	}

	for _, ctx := range []context.Context{a, b} {
		setOffline(t, ctx, true)
		waitFor(t, ctx, "the offline badge", `document.getElementById('ci-net').classList.contains('ci-offline')`)
	}
	wedge(t, a, codes[0])
	cardIs(t, a, "ok", "Guest Door 1")
	wedge(t, a, codes[1])
	cardIs(t, a, "ok", "Guest Door 2")
	wedge(t, a, codes[1])
	cardIs(t, a, "warn", "Already checked in")
	wedge(t, a, codes[2])
	cardIs(t, a, "ok", "Guest Door 3")
	wedge(t, b, codes[2])
	cardIs(t, b, "ok", "Guest Door 3")
	waitFor(t, a, "three queued scans", `document.getElementById('ci-queue').innerText.includes('4 waiting')`)

	// A reload without network: the page comes from the service worker,
	// the queue from IndexedDB.
	browse(t, a, chromedp.Evaluate[chromedp.Void](`window.foyerOldPage = true; location.reload()`))
	waitFor(t, a, "the page after a reload", `!window.foyerOldPage && document.documentElement.dataset.checkinReady === '1'`)
	waitFor(t, a, "the queue after a reload", `document.getElementById('ci-queue').innerText.includes('4 waiting')`)
	if on := evaluate[bool](t, a, `navigator.onLine`); on {
		t.Error("navigator.onLine is true while offline")
	}
	staff := in.token(t, "staff")
	var stats struct {
		CheckedIn       int `json:"checked_in"`
		Duplicates      int `json:"duplicates"`
		DuplicateGuests []struct {
			Registration struct {
				Name string `json:"name"`
			} `json:"registration"`
		} `json:"duplicate_guests"`
	}
	in.api(t, "GET", "/api/v1/events/"+demoSlug+"/checkin/stats", staff, nil).Want(t, 200).Decode(t, &stats)
	// DevTools' offline emulation may fail a request in the browser after
	// it reached the server (seen on a busy machine): the page then queues
	// the scan with the same nonce, and the server answers the queued copy
	// with its first answer. The totals after the sync must hold either way.
	if stats.CheckedIn != 0 {
		t.Logf("the server saw %d check-ins while the devices were offline", stats.CheckedIn)
	}
	screenshot(t, a, "checkin-offline")

	setOffline(t, a, false)
	waitFor(t, a, "the queue sent", `document.getElementById('ci-queue').innerText === '' && !document.getElementById('ci-net').classList.contains('ci-offline')`)
	setOffline(t, b, false)
	waitFor(t, b, "the queue sent", `document.getElementById('ci-queue').innerText === ''`)
	in.api(t, "GET", "/api/v1/events/"+demoSlug+"/checkin/stats", staff, nil).Want(t, 200).Decode(t, &stats)
	if stats.CheckedIn != 3 || stats.Duplicates != 1 || len(stats.DuplicateGuests) != 1 || stats.DuplicateGuests[0].Registration.Name != "Guest Door 3" {
		t.Errorf("stats after the sync: %+v", stats)
	}
	for _, ctx := range []context.Context{a, b} {
		waitFor(t, ctx, "the duplicate on the page", `!document.getElementById('ci-duplicates').hidden &&
			document.getElementById('ci-duplicates').innerText.includes('Guest Door 3')`)
	}
	screenshot(t, b, "checkin-duplicate")
	for _, ctx := range []context.Context{a, b} {
		if errs := pageErrors(t, ctx); len(errs) > 0 {
			t.Errorf("page errors:\n%s", strings.Join(errs, "\n"))
		}
	}
}
