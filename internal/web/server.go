// Package web is foyer's HTTP face: echo routes, handlers, middleware,
// sessions, CSRF and page rendering.
package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/app"
)

// Server serves foyer over HTTP.
type Server struct {
	app   *app.App
	echo  *echo.Echo
	views *views
	pages pageCache  // rendered public pages, see programmePage
	seats seatCounts // places taken, for the agenda
	// now is the clock that decides when an invitation expires (time.Now;
	// tests set their own before serving).
	now func() time.Time
}

// New builds the server, parsing every template at once so that a broken
// view fails at start and not at the door of the forum.
func New(a *app.App) (*Server, error) {
	v, err := loadViews()
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.IPExtractor = clientIPExtractor(a.Config.TrustedProxies)
	s := &Server{app: a, echo: e, views: v, now: time.Now}
	if err := prepareTempDir(s.tempDir()); err != nil {
		return nil, err
	}
	e.HTTPErrorHandler = s.handleError
	s.routes()
	var patterns []string
	for _, r := range e.Routes() {
		patterns = append(patterns, r.Path)
	}
	a.Metrics.Routes(patterns...)
	return s, nil
}

// Handler returns the server as an http.Handler (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.echo }

// Serve answers on ln until ctx is cancelled, then shuts down gracefully,
// letting requests in flight finish for up to 10 seconds.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
