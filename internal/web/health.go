package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// healthAnswer is GET /healthz. Status is the sum of the others, for a
// quick look: "ok", "degraded" (mail) or "unavailable" (database).
type healthAnswer struct {
	Status     string `json:"status"`
	Database   string `json:"database"` // "ok", "unavailable", or "damaged" once a query found the file corrupt
	Mail       string `json:"mail"`     // "ok" or "degraded", with MailReason
	MailReason string `json:"mail_reason,omitempty"`
	// MailWaiting is the number of emails not yet sent, and
	// MailOldestWaiting the age in seconds of the oldest of them.
	MailWaiting       int    `json:"mail_waiting"`
	MailOldestWaiting int64  `json:"mail_oldest_waiting_seconds"`
	Version           string `json:"version"`
}

// health answers 200 while the database answers, so that trouble with mail
// never makes a load balancer take foyer out (registrations still queue
// their emails), and 503 when the database does not.
func (s *Server) health(c echo.Context) error {
	ctx := c.Request().Context()
	a := healthAnswer{Status: "ok", Database: "ok", Mail: "ok", Version: s.app.Version}
	status := http.StatusOK
	if err := s.app.Store.Ping(ctx); err != nil {
		s.app.Log.Error("health check: database", "err", err, "request_id", requestID(c))
		a.Status, a.Database, a.Mail, a.MailReason = "unavailable", "unavailable", "degraded", "the database does not answer"
		if s.app.Store.Corrupt() {
			a.Database = "damaged"
		}
		status = http.StatusServiceUnavailable
	} else if h, err := s.app.Mailer.Health(ctx); err != nil {
		s.app.Log.Error("health check: mail", "err", err, "request_id", requestID(c))
		a.Status, a.Mail, a.MailReason = "degraded", "degraded", "the outbox cannot be read"
	} else {
		a.MailWaiting, a.MailOldestWaiting = h.Waiting, int64(h.OldestWaiting.Seconds())
		if !h.OK {
			a.Status, a.Mail, a.MailReason = "degraded", "degraded", h.Reason
		}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(status, &a)
}
