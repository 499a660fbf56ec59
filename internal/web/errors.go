package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/store"
)

// Problem is an error meant for the user: a status, a stable code, a message
// already in the user's language, and a message per field that is wrong. The
// error handler writes it as the JSON error shape or as an error page.
type Problem struct {
	Status  int               `json:"-"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// RequestID finds the request's line in the log; the error handler
	// sets it.
	RequestID string `json:"request_id,omitempty"`
}

func (p *Problem) Error() string { return p.Code + ": " + p.Message }

// problem builds a Problem whose message is the catalogue entry "error."+code
// in the request's language.
func problem(c echo.Context, status int, code string, args ...any) *Problem {
	return &Problem{Status: status, Code: code, Message: i18n.T(lang(c), "error."+code, args...)}
}

// codes for the statuses echo and its middleware produce on their own.
var statusCodes = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          "unauthorized",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusConflict:              "conflict",
	http.StatusRequestEntityTooLarge: "too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusUnprocessableEntity:   "invalid",
	http.StatusTooManyRequests:       "rate_limited",
	http.StatusServiceUnavailable:    "unavailable",
}

// statusClientClosed is the status logged and counted for a request whose
// client went away before its answer (nginx's 499).
const statusClientClosed = 499

// handleError is echo's HTTPErrorHandler: it turns every error into the JSON
// error shape under /api/ and an error page elsewhere, and logs only the
// unexpected ones.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var p *Problem
	var he *echo.HTTPError
	switch {
	case errors.As(err, &p):
	case errors.Is(err, store.ErrNotFound):
		p = problem(c, http.StatusNotFound, "not_found")
	case errors.As(err, &he) && he.Code < 500:
		code := statusCodes[he.Code]
		if code == "" {
			code = "bad_request"
		}
		p = problem(c, he.Code, code)
	case errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil:
		// The client went away (a closed tab, a reload mid-request): nobody
		// reads the answer, and nothing went wrong on our side.
		s.app.Log.Info("request abandoned by the client", "method", c.Request().Method, "route", c.Path(), "request_id", requestID(c))
		// Logged and counted as 499, as nginx does, not as the 200 an
		// unwritten answer would show.
		c.NoContent(statusClientClosed)
		return
	default:
		// A damaged database file turns the health check to 503.
		if s.app.Store.NoteError(err) {
			s.app.Log.Error("the database file is damaged; restore it from a backup (see the operations guide)", "request_id", requestID(c))
		}
		s.app.Log.Error("request failed", "method", c.Request().Method, "route", c.Path(), "err", err, "request_id", requestID(c))
		p = problem(c, http.StatusInternalServerError, "internal")
	}
	p.RequestID = requestID(c)
	if p.Status == http.StatusUnauthorized && !isAPI(c) {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(safeNext(c.Request().URL.RequestURI())))
		return
	}
	if isAPI(c) || wantsJSON(c) {
		c.JSON(p.Status, map[string]*Problem{"error": p})
		return
	}
	s.render(c, p.Status, "error", &errorPage{Page: s.page(c, p.Message), Problem: p})
}

type errorPage struct {
	Page
	Problem *Problem
}

func isAPI(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, "/api/")
}

func wantsJSON(c echo.Context) bool {
	return strings.HasPrefix(c.Request().Header.Get(echo.HeaderAccept), echo.MIMEApplicationJSON)
}
