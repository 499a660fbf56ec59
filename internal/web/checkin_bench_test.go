package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/benchtest"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
)

// BenchmarkScan sends scans to POST /api/v1/checkin from 64 clients, as
// the doors of a forum do: a staff member's API token, the tickets of an
// event of benchGuests guests each scanned once, with a repeat of an
// earlier ticket after every fourth, every scan with a nonce of its own. Besides the wall clock it reports the CPU time of
// the whole process (foyer and the clients) per scan, which a busy machine
// changes far less than the rate: `go test ./internal/web -run '^$' -bench
// Scan -benchtime 20000x -cpuprofile cpu.pprof`.
func BenchmarkScan(b *testing.B) {
	const benchGuests = 8000
	ta := startApp(b, false, smallForum("forum", nil, nil, true))
	ctx := context.Background()
	ev, err := ta.app.Store.GetEvent(ctx, "forum")
	if err != nil {
		b.Fatal(err)
	}
	codes := make([]string, benchGuests)
	var wg sync.WaitGroup
	for w := range 64 {
		wg.Go(func() {
			for i := w; i < benchGuests; i += 64 {
				reg, _, err := ta.app.Store.Register(ctx, ev, registration.Input{FirstName: "Guest", LastName: fmt.Sprint(i),
					Email: fmt.Sprintf("guest%d@example.org", i), Organisation: "Example GmbH", Country: "DE", Language: "en", Consent: true})
				if err != nil {
					b.Error(err)
					return
				}
				codes[i] = reg.TicketCode
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		return
	}
	// The guests' confirmations go out first, as weeks before the doors
	// open: the mail worker's CPU is not the scans'.
	waitForOutboxWithin(b, ta, 5*time.Minute)
	mix := benchtest.ScanMix(b, benchGuests) // the ticket of each scan
	tickets := map[int]bool{}
	for _, t := range mix {
		tickets[t] = true
	}
	u, err := ta.app.Store.CreateUser(ctx, "door@example.org", "Door", store.RoleStaff, "a long password")
	if err != nil {
		b.Fatal(err)
	}
	token, err := ta.app.Store.CreateToken(ctx, u.ID)
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	var next, wrong, oks atomic.Int64
	b.SetParallelism(32) // 64 clients on 2 cores
	b.ReportAllocs()
	b.ResetTimer()
	start := benchtest.ProcessCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			body, _ := json.Marshal(map[string]any{"event": "forum", "code": codes[mix[i-1]],
				"device": fmt.Sprintf("door %d", i%64), "nonce": fmt.Sprintf("scan-%d", i)})
			req, _ := http.NewRequest(http.MethodPost, ta.srv.URL+"/api/v1/checkin", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			var a struct {
				Result string `json:"result"`
			}
			err = json.NewDecoder(res.Body).Decode(&a)
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			switch {
			case err != nil || res.StatusCode != http.StatusOK:
				wrong.Add(1)
			case a.Result == "ok":
				oks.Add(1)
			case a.Result != "already_checked_in":
				wrong.Add(1)
			}
		}
	})
	benchtest.ReportCPU(b, start)
	if n := wrong.Load(); n > 0 || oks.Load() != int64(len(tickets)) {
		b.Errorf("%d wrong answers, %d admitted of %d tickets", n, oks.Load(), len(tickets))
	}
}
