package web

import (
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// Every request gets an id of its own: sent back in the X-Request-ID header,
// logged with the request's line and shown in error answers, so that the
// "error 8f3c…" a guest reads out finds its line in the log.
//
// An X-Request-ID sent with the request is ignored, from proxies too: the id
// is what the log is searched by, so foyer alone makes it (no collisions, no
// odd characters in log lines). A proxy that wants to join its own log to
// foyer's logs the X-Request-ID of the answer (nginx:
// $upstream_http_x_request_id).
const (
	ctxRequestID    = "request_id"
	headerRequestID = "X-Request-Id" // canonical form of X-Request-ID
)

// newRequestID returns 16 hex digits. They need to be unique, not secret.
func newRequestID() string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], rand.Uint64())
	return hex.EncodeToString(b[:])
}

// requestID returns the request's id, "" outside a request.
func requestID(c echo.Context) string {
	id, _ := c.Get(ctxRequestID).(string)
	return id
}

// observe runs around everything else, redirects and errors included: it
// gives the request its id, has errors answered right away (so the status
// is known), counts the request in the metrics by its route pattern (never
// its path, which may hold a manage token) and logs one line per request.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		id := newRequestID()
		c.Set(ctxRequestID, id)
		c.Response().Header()[headerRequestID] = []string{id}
		if err := next(c); err != nil {
			c.Error(err)
		}
		elapsed := time.Since(start)
		s.app.Metrics.Request(c.Path(), c.Request().Method, c.Response().Status, elapsed)
		s.logRequest(c, id, elapsed)
		return nil
	}
}

// logRequest writes the request's line: no query string, no client address
// and no secret from the path, since those are personal data.
//
// Answers below 400 are logged at debug (FOYER_LOG_LEVEL=debug shows
// them): a registration opening answers thousands a second, and a line for
// each would cost the server a share of its CPUs and the disk gigabytes an
// hour while saying nothing the metrics do not. Refusals, client errors and
// failures are always logged, at info and up, with the request id that
// error answers and pages show.
func (s *Server) logRequest(c echo.Context, id string, elapsed time.Duration) {
	res := c.Response()
	level := slog.LevelInfo
	if res.Status < 400 {
		level = slog.LevelDebug
	}
	ctx := c.Request().Context()
	if !s.app.Log.Enabled(ctx, level) {
		return
	}
	s.app.Log.LogAttrs(ctx, level, "request",
		slog.String("method", c.Request().Method),
		slog.String("path", loggedPath(c)),
		slog.String("route", c.Path()),
		slog.Int("status", res.Status),
		slog.Int64("bytes", res.Size),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		slog.String("request_id", id))
}

// secretPrefixes start paths whose next segment is a secret, matched
// route or not: a mistyped manage or invitation link still carries its
// token.
var secretPrefixes = []string{"/m/", "/invite/"}

// secretParam reports whether a route parameter holds a secret: token, or
// any name ending in _token.
func secretParam(name string) bool { return name == "token" || strings.HasSuffix(name, "_token") }

// hasSecretParam reports whether a route pattern has a secret parameter.
func hasSecretParam(route string) bool {
	for seg := range strings.SplitSeq(route, "/") {
		if name, ok := strings.CutPrefix(seg, ":"); ok && secretParam(name) {
			return true
		}
	}
	return false
}

// loggedPath is the request's path with secrets replaced by their route
// parameter's name: /m/{token}/event.ics is logged as /m/:token/event.ics.
func loggedPath(c echo.Context) string {
	path := c.Request().URL.Path
	if route := c.Path(); strings.Contains(route, ":") && hasSecretParam(route) {
		path = fillRoute(c, route)
	}
	for _, prefix := range secretPrefixes {
		rest, ok := strings.CutPrefix(path, prefix)
		if !ok || strings.HasPrefix(rest, ":") {
			continue
		}
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			path = prefix + ":token" + rest[i:]
		} else {
			path = prefix + ":token"
		}
	}
	if len(path) > 200 {
		path = strings.ToValidUTF8(path[:200], "") + "…"
	}
	return path
}

// fillRoute writes the route pattern with the values of its parameters,
// leaving secret ones (and any the router did not fill) as their names.
func fillRoute(c echo.Context, route string) string {
	var b strings.Builder
	for seg := range strings.SplitSeq(strings.TrimPrefix(route, "/"), "/") {
		b.WriteByte('/')
		name, param := strings.CutPrefix(seg, ":")
		if seg == "*" {
			name, param = "*", true
		}
		if v := c.Param(name); param && v != "" && !secretParam(name) {
			b.WriteString(v)
		} else {
			b.WriteString(seg)
		}
	}
	return b.String()
}
