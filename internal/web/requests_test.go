package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/app"
	"github.com/foyer-events/foyer/internal/metrics"
)

func TestLoggedPath(t *testing.T) {
	e := echo.New()
	for _, c := range []struct {
		route, path string
		names       []string
		values      []string
		want        string
	}{
		{"/m/:token", "/m/Zm9vYmFy", []string{"token"}, []string{"Zm9vYmFy"}, "/m/:token"},
		{"/m/:token/event.ics", "/m/Zm9vYmFy/event.ics", []string{"token"}, []string{"Zm9vYmFy"}, "/m/:token/event.ics"},
		{"", "/m/Zm9vYmFy/typo", nil, nil, "/m/:token/typo"},
		{"", "/m/Zm9vYmFy", nil, nil, "/m/:token"},
		{"/events/:slug", "/events/forum", []string{"slug"}, []string{"forum"}, "/events/forum"},
		{"/static/:hash/*", "/static/ab12/css/foyer.css", []string{"hash", "*"}, []string{"ab12", "css/foyer.css"}, "/static/ab12/css/foyer.css"},
		{"/invite/:invite_token", "/invite/s3cr3t", []string{"invite_token"}, []string{"s3cr3t"}, "/invite/:invite_token"},
		// A route the router matched by pattern alone (405) has no values.
		{"/m/:token/cancel", "/m/Zm9vYmFy/cancel", nil, nil, "/m/:token/cancel"},
		{"/events/:slug/register", "/events/forum/register", nil, nil, "/events/forum/register"},
	} {
		c2 := e.NewContext(httptest.NewRequest("GET", c.path, nil), httptest.NewRecorder())
		c2.SetPath(c.route)
		c2.SetParamNames(c.names...)
		c2.SetParamValues(c.values...)
		if got := loggedPath(c2); got != c.want {
			t.Errorf("%s (%s) logged as %s, want %s", c.path, c.route, got, c.want)
		}
	}
}

// BenchmarkObserve is what every request pays for its id, its metrics and
// its log line (to a discarding text logger), next to the same request
// without observe.
func BenchmarkObserve(b *testing.B) {
	a := &app.App{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.New(nil)}
	a.Metrics.Routes("/events/:slug")
	s := &Server{app: a, echo: echo.New()}
	handler := func(c echo.Context) error { return c.NoContent(http.StatusOK) }
	for name, h := range map[string]echo.HandlerFunc{"bare": handler, "observed": s.observe(handler)} {
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/events/forum", nil)
			b.ReportAllocs()
			for b.Loop() {
				c := s.echo.NewContext(req, httptest.NewRecorder())
				c.SetPath("/events/:slug")
				c.SetParamNames("slug")
				c.SetParamValues("forum")
				if err := h(c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestClientGone: a request whose client went away is logged and counted
// as 499, not as an error of foyer's (nor as a 200); a real failure still
// is an error, with its request id.
func TestClientGone(t *testing.T) {
	var log strings.Builder
	a := &app.App{Log: slog.New(slog.NewTextHandler(&log, nil)), Metrics: metrics.New(nil)}
	s := &Server{app: a, echo: echo.New()}
	s.echo.HTTPErrorHandler = s.handleError
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("POST", "/api/v1/checkin", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	h := s.observe(func(c echo.Context) error { return fmt.Errorf("store: check in: %w", c.Request().Context().Err()) })
	if err := h(s.echo.NewContext(req, rec)); err != nil {
		t.Fatal(err)
	}
	if rec.Code != statusClientClosed || strings.Contains(log.String(), "level=ERROR") || !strings.Contains(log.String(), "status=499") {
		t.Errorf("client gone: %d\n%s", rec.Code, log.String())
	}

	log.Reset()
	rec = httptest.NewRecorder()
	h = s.observe(func(c echo.Context) error { return errors.New("disk I/O error") })
	if err := h(s.echo.NewContext(httptest.NewRequest("POST", "/api/v1/checkin", nil), rec)); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusInternalServerError || !strings.Contains(log.String(), `level=ERROR msg="request failed"`) ||
		!strings.Contains(log.String(), "request_id="+rec.Header().Get("X-Request-ID")) {
		t.Errorf("a failure: %d\n%s", rec.Code, log.String())
	}
}

// TestRequestLogLevels: at the default level a successful request writes
// no line and a refused or failed one does; at debug every request does.
func TestRequestLogLevels(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		var log strings.Builder
		a := &app.App{Log: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: level})), Metrics: metrics.New(nil)}
		s := &Server{app: a, echo: echo.New()}
		s.echo.HTTPErrorHandler = s.handleError
		for _, status := range []int{http.StatusOK, http.StatusCreated, http.StatusFound, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError} {
			log.Reset()
			rec := httptest.NewRecorder()
			h := s.observe(func(c echo.Context) error { return c.NoContent(status) })
			if err := h(s.echo.NewContext(httptest.NewRequest("POST", "/api/v1/events/forum/registrations", nil), rec)); err != nil {
				t.Fatal(err)
			}
			line := strings.Contains(log.String(), "msg=request") && strings.Contains(log.String(), "request_id="+rec.Header().Get("X-Request-ID"))
			if want := status >= 400 || level == slog.LevelDebug; line != want {
				t.Errorf("level %s, status %d: request line %v, want %v\n%s", level, status, line, want, log.String())
			}
		}
	}
}
