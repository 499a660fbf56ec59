package web

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

// walkInRequest is the body of POST /api/v1/events/{slug}/checkin/walk-ins:
// the guest as in a registration (email optional), and for a full event
// the reason to admit them anyway.
type walkInRequest struct {
	registration.Input
	OverCapacityReason string `json:"over_capacity_reason"`
	Device             string `json:"device"`
	Nonce              string `json:"nonce"`
}

// walkInAnswer is the check-in answer for the walk-in, and whether a new
// registration was made (false: the address had one, which was admitted).
type walkInAnswer struct {
	Created bool `json:"created"`
	*scanAnswer
}

// maxReason is the longest reason for admitting over capacity, in characters.
const maxReason = 300

// walkIn registers a guest at the door and admits them at once.
func (s *Server) walkIn(c echo.Context) error {
	var req walkInRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	ev, err := s.app.Store.GetEvent(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	if err := checkScanFields(c, ev, "", req.Device, req.Nonce); err != nil {
		return err
	}
	l := lang(c)
	in, wrong := registration.ValidateWalkIn(req.Input, ev.Event, l)
	errs := view.Fields(l, wrong)
	reason := strings.TrimSpace(req.OverCapacityReason)
	switch {
	case !utf8.ValidString(reason) || strings.ContainsFunc(reason, programme.IsControl):
		errs = addField(errs, "over_capacity_reason", i18n.T(l, "reg.error.one_line"))
	case utf8.RuneCountInString(reason) > maxReason:
		errs = addField(errs, "over_capacity_reason", i18n.T(l, "reg.error.too_long", maxReason))
	}
	if errs != nil {
		return &Problem{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: i18n.T(l, "error.invalid"), Fields: errs}
	}
	user := currentUser(c)
	reg, existing, a, err := s.app.Store.RegisterWalkIn(ctx, ev, in, store.WalkIn{
		Scan:         store.Scan{UserID: user.ID, Device: req.Device, Nonce: req.Nonce, At: time.Now(), Note: reason},
		OverCapacity: reason != "",
	})
	if errors.Is(err, store.ErrFull) {
		p := problem(c, http.StatusConflict, "walk_in_full")
		p.Fields = map[string]string{"over_capacity_reason": i18n.T(l, "checkin.walkin.reason_needed")}
		return p
	}
	if err != nil {
		return err
	}
	s.app.Log.Info("walk-in", "event", ev.Slug, "registration", reg.ID, "user", user.ID, "existing", existing,
		"over_capacity", a.OverCapacity)
	answers, err := s.scanAnswers(c, ev, []*store.ScanAnswer{a}, []string{""})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if existing {
		status = http.StatusOK
	}
	answers[0].OverCapacity = a.OverCapacity
	return c.JSON(status, walkInAnswer{Created: !existing, scanAnswer: answers[0]})
}

func addField(errs map[string]string, field, msg string) map[string]string {
	if errs == nil {
		errs = map[string]string{}
	}
	errs[field] = msg
	return errs
}
