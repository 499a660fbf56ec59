package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// With --profile DIR, foyer runs with its profiler on a loopback port
// (FOYER_PPROF_ADDR) and the load scenarios save what it saw during their
// measured load: NAME-cpu.pprof, and the allocations, lock contention and
// blocking of the same span (NAME-allocs, -mutex, -block), an execution
// trace of it (NAME-trace.out, read with `go tool trace FILE`), then the live
// heap at the end (NAME-heap). Read the others with `go tool pprof FILE`.

// profileKinds are the delta profiles taken over a load's span.
var profileKinds = []string{"profile", "allocs", "mutex", "block", "trace"}

// profileCapture is the profiles of one load being taken.
type profileCapture struct {
	dir, name, base string
	wg              sync.WaitGroup
	mu              sync.Mutex
	errs            []error
}

// startProfiles begins taking foyer's profiles for the span d that starts
// now; nil (which finish accepts) when --profile is not set.
func (b *bench) startProfiles(ctx context.Context, f *Foyer, name string, d time.Duration) *profileCapture {
	if b.opts.profileDir == "" || f.PprofURL == "" {
		return nil
	}
	p := &profileCapture{dir: b.opts.profileDir, name: name, base: f.PprofURL}
	seconds := int(math.Ceil(d.Seconds()))
	for _, kind := range profileKinds {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			file := kind
			if kind == "profile" {
				file = "cpu"
			}
			p.save(ctx, fmt.Sprintf("/debug/pprof/%s?seconds=%d", kind, seconds), file)
		}()
	}
	return p
}

// finish waits for the span's profiles, takes the heap and reports what
// could not be saved.
func (p *profileCapture) finish(ctx context.Context) error {
	if p == nil {
		return nil
	}
	p.wg.Wait()
	p.save(ctx, "/debug/pprof/heap", "heap")
	return errors.Join(p.errs...)
}

func (p *profileCapture) save(ctx context.Context, path, kind string) {
	err := func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			msg, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
			return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(msg)))
		}
		ext := ".pprof"
		if kind == "trace" {
			ext = ".out" // an execution trace, not a profile
		}
		out, err := os.Create(filepath.Join(p.dir, p.name+"-"+kind+ext))
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, resp.Body); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	}()
	if err != nil {
		p.mu.Lock()
		p.errs = append(p.errs, fmt.Errorf("profile %s of %s: %w", kind, p.name, err))
		p.mu.Unlock()
	}
}

// profileDone waits for a load's profiles and says which could not be saved.
func (b *bench) profileDone(ctx context.Context, p *profileCapture) {
	if err := p.finish(ctx); err != nil {
		fmt.Fprintf(b.out, "foyer-bench: %v\n", err)
	}
}
