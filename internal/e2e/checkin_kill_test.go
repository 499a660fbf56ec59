package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/foyerproc"
)

// kill ends the server with SIGKILL, as a power cut of the process would:
// no shutdown, no final checkpoint.
func (in *Instance) kill(t *testing.T) {
	t.Helper()
	in.killed = true
	if err := syscall.Kill(in.proc.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	in.proc.Wait()
	in.httpClient.CloseIdleConnections()
}

// restart starts foyer again on the instance's data folder.
func (in *Instance) restart(t *testing.T, opts Options) *Instance {
	t.Helper()
	again, err := foyerproc.Retry(
		func() (*Instance, error) { return launch(t, in.Data, opts) },
		func(err error) { t.Logf("retrying on another port: %v", err) },
	)
	if err != nil {
		t.Fatal(err)
	}
	return again
}

// TestCheckInSurvivesKill scans tickets from 32 clients and kills the
// server with SIGKILL in the middle of the burst. After a restart every
// guest whose scan was answered "ok" is still checked in.
func TestCheckInSurvivesKill(t *testing.T) {
	t.Parallel()
	opts := Options{Demo: true}
	in := startFoyer(t, opts)
	codes := guestTickets(t, in, 150, 1)
	staff := in.token(t, "staff")

	var (
		mu       sync.Mutex
		answered = map[string]bool{} // code -> answered ok
		next     atomic.Int64
		oks      atomic.Int64
		wg       sync.WaitGroup
	)
	client := &http.Client{Timeout: 10 * time.Second}
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(codes) {
					return
				}
				r := scanOnce(client, in.URL, staff, codes[i], fmt.Sprintf("Burst %d", w))
				if r == "ok" {
					mu.Lock()
					answered[codes[i]] = true
					mu.Unlock()
					oks.Add(1)
				}
				if r == "" { // the server is gone
					return
				}
			}
		}()
	}
	// Kill once some scans were answered and others are in flight.
	deadline := time.Now().Add(stepTimeout)
	for oks.Load() < 40 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d scans answered", oks.Load())
		}
		time.Sleep(time.Millisecond)
	}
	in.kill(t)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(answered) == len(codes) {
		t.Fatalf("all %d scans were answered before the kill: the burst was too short to test anything", len(codes))
	}
	t.Logf("%d of %d scans answered ok before SIGKILL", len(answered), len(codes))

	again := in.restart(t, opts)
	lost := 0
	for code := range answered {
		var a struct {
			Result string `json:"result"`
		}
		again.api(t, "POST", "/api/v1/checkin", staff, map[string]any{"event": demoSlug, "code": code, "device": "After"}).
			Want(t, http.StatusOK).Decode(t, &a)
		if a.Result != "already_checked_in" {
			lost++
			t.Errorf("a guest whose scan was answered ok before the kill now scans %s", a.Result)
		}
	}
	if lost > 0 {
		t.Errorf("%d answered check-ins lost", lost)
	}
}

// scanOnce sends one scan and returns its result, or "" when the server
// did not answer.
func scanOnce(client *http.Client, base, token, code, device string) string {
	body := fmt.Sprintf(`{"event":%q,"code":%q,"device":%q}`, demoSlug, code, device)
	req, err := http.NewRequest("POST", base+"/api/v1/checkin", strings.NewReader(body))
	if err != nil {
		return ""
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	var a struct {
		Result string `json:"result"`
	}
	if res.StatusCode != 200 || json.NewDecoder(res.Body).Decode(&a) != nil {
		return "error"
	}
	return a.Result
}
