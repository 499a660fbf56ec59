// Package app builds the one struct that every part of foyer shares: the
// configuration, the database, the logger, the mail worker and the metrics.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/foyer-events/foyer/internal/config"
	"github.com/foyer-events/foyer/internal/metrics"
	"github.com/foyer-events/foyer/internal/outbox"
	"github.com/foyer-events/foyer/internal/store"
)

// App holds foyer's long-lived dependencies. It is built once at start and
// never carries per-request data.
type App struct {
	Config config.Config
	Store  *store.Store
	Log    *slog.Logger
	Mailer *outbox.Worker
	// Metrics counts what happens for /metrics.
	Metrics *metrics.Metrics
	// Version is foyer's release, "dev" for a build without one.
	Version string
}

// New opens the database named by cfg and returns the App.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	st, err := store.Open(ctx, cfg.Data)
	var damaged *store.CorruptError
	if errors.As(err, &damaged) {
		return nil, err // its message says what to do, and needs no prefix
	}
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	for _, p := range st.Tightened {
		log.Warn("permissions narrowed to the owner: the data folder holds personal data", "path", p)
	}
	if !st.Integrity.Complete {
		log.Warn("database integrity check cut short: the file is too large to check within the time allowed at start; "+
			"check it with sqlite3 FILE 'PRAGMA quick_check' while foyer is stopped",
			"size_mb", st.Integrity.Size>>20, "checked_for", st.Integrity.Took.Round(time.Millisecond))
	}
	a := &App{Config: cfg, Store: st, Log: log, Metrics: metrics.New(log), Version: "dev"}
	if a.Mailer, err = outbox.New(st, cfg, log); err != nil {
		st.Close()
		return nil, fmt.Errorf("app: mail: %w", err)
	}
	st.Instrument(a.Metrics)
	a.Mailer.Instrument(a.Metrics)
	a.Metrics.ReadMail(func(ctx context.Context) (metrics.Mail, error) {
		h, err := a.Mailer.Health(ctx)
		return metrics.Mail{Healthy: h.OK, Waiting: h.Waiting, Failed: h.Failed, OldestWaiting: h.OldestWaiting}, err
	})
	return a, nil
}

// Close releases the database.
func (a *App) Close() error { return a.Store.Close() }

// Start runs the background workers until ctx is cancelled.
func (a *App) Start(ctx context.Context) {
	a.Metrics.SetVersion(a.Version)
	a.Mailer.Start(ctx)
}

// Wait blocks until the background workers have stopped.
func (a *App) Wait() { a.Mailer.Wait() }
