package web

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestServeProfiles(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ServeProfiles(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	for path, want := range map[string]string{
		"/debug/pprof/":                  "mutex",
		"/debug/pprof/heap?debug=1":      "heap profile",
		"/debug/pprof/mutex?debug=1":     "sampling period=100",
		"/debug/pprof/goroutine?debug=1": "ServeProfiles",
		"/debug/pprof/profile?seconds=1": "", // a binary CPU profile
	} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) || len(body) == 0 {
			t.Errorf("GET %s: %s, %d bytes, want 200 with %q", path, resp.Status, len(body), want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("stopped with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("profiler did not stop with its context")
	}
	if _, err := http.Get(base + "/debug/pprof/"); err == nil {
		t.Error("profiler still answers after its context ended")
	}
}

// The public server never answers the profiler's paths.
func TestNoProfilesOnThePublicServer(t *testing.T) {
	ta := startApp(t, false)
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/profile?seconds=1"} {
		if res, _ := get(t, http.DefaultClient, ta.srv.URL+path); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s on the public server: %d, want 404", path, res.StatusCode)
		}
	}
}
