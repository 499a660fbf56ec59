package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"
)

// Sampling of the mutex and block profiles while the profiler runs: one
// contention event in mutexFraction, and blocking sampled once per
// blockRate nanoseconds spent blocked. Both cost a little on every lock
// and channel wait, which is why they stay off without the profiler.
const (
	mutexFraction = 100
	blockRate     = 10_000
)

// ServeProfiles answers Go's profiler (net/http/pprof: /debug/pprof/ with
// profile, heap, allocs, mutex, block, goroutine and trace) on ln until ctx
// ends. It is a listener of its own, never the public server's: profiles
// show the server's memory, personal data included, so the configuration
// only accepts a loopback address (FOYER_PPROF_ADDR).
func ServeProfiles(ctx context.Context, ln net.Listener) error {
	runtime.SetMutexProfileFraction(mutexFraction)
	runtime.SetBlockProfileRate(blockRate)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("web: profiler: %w", err)
	case <-ctx.Done():
	}
	// A CPU profile or trace in progress is cut short: foyer is stopping.
	srv.Close()
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web: profiler: %w", err)
	}
	return nil
}
