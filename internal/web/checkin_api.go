package web

import (
	"crypto/ed25519"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/checkin"
	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
)

// scanRequest is the body of POST /api/v1/checkin and /checkin/undo: a
// ticket code (or any scanned text around one), or a registration id from
// a search.
type scanRequest struct {
	Event        string `json:"event"`
	Code         string `json:"code"`
	Registration int64  `json:"registration"`
	Session      string `json:"session"`
	Device       string `json:"device"`
	Nonce        string `json:"nonce"`
}

// scanAnswer is the JSON answer to a scan.
type scanAnswer struct {
	Result       string            `json:"result"`
	Reason       string            `json:"reason,omitempty"`
	Message      string            `json:"message"`
	Registration *checkin.Guest    `json:"registration"`
	CheckedInAt  *time.Time        `json:"checked_in_at"`
	Previous     *checkin.Admitter `json:"previous,omitempty"`
	Duplicate    bool              `json:"duplicate,omitempty"`
	Session      string            `json:"session,omitempty"`
	OtherEvent   *otherEvent       `json:"other_event,omitempty"`
	Replayed     bool              `json:"replayed,omitempty"`
	OverCapacity bool              `json:"over_capacity,omitempty"`
}

// otherEvent names the event of a wrong_event ticket.
type otherEvent struct {
	Slug  string         `json:"slug"`
	Title programme.Text `json:"title"`
}

// scanEvent loads the event a device scans for, naming the field when
// there is no such event.
func (s *Server) scanEvent(c echo.Context, slug string) (*store.Event, error) {
	if slug == "" {
		return nil, fieldProblem(c, "event", "checkin.error.event_required")
	}
	ev, err := s.app.Store.GetEvent(c.Request().Context(), slug)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fieldProblem(c, "event", "checkin.error.event_unknown", slug)
	}
	return ev, err
}

// fieldProblem is a 422 with a message for one field.
func fieldProblem(c echo.Context, field, key string, args ...any) *Problem {
	p := problem(c, http.StatusUnprocessableEntity, "invalid")
	p.Fields = map[string]string{field: i18n.T(lang(c), key, args...)}
	return p
}

// checkScanFields checks the parts of a scan that every kind shares.
func checkScanFields(c echo.Context, ev *store.Event, session, device, nonce string) error {
	switch {
	case session != "" && ev.Session(session) == nil:
		return fieldProblem(c, "session", "checkin.error.session_unknown", session)
	case !checkin.ValidDevice(device):
		return fieldProblem(c, "device", "checkin.error.device", checkin.MaxDevice)
	case !checkin.ValidNonce(nonce):
		return fieldProblem(c, "nonce", "checkin.error.nonce", checkin.MaxNonce)
	}
	return nil
}

// verdict finds and checks the code of a scan, or takes its registration.
// With unverified, a code of this event is only read (checkin.Claim): the
// store takes it if it is the one stored for its registration, and
// checkIn checks the signature of any other.
func (s *Server) verdict(c echo.Context, ev *store.Event, code string, registration int64, unverified bool) (string, checkin.Verdict, error) {
	if code == "" && registration > 0 {
		return "", checkin.Verdict{RegistrationID: registration}, nil
	}
	found, err := checkin.FindCode(code)
	if errors.Is(err, checkin.ErrTooLong) {
		return "", checkin.Verdict{}, fieldProblem(c, "code", "checkin.error.code_too_long", checkin.MaxScanned)
	}
	if unverified {
		return found, checkin.Claim(found, ev.ID, ev.TicketPublicKey, s.eventKey(c)), nil
	}
	return found, checkin.Verify(found, ev.ID, ev.TicketPublicKey, s.eventKey(c)), nil
}

// eventKey returns a function that looks up another event's public key.
func (s *Server) eventKey(c echo.Context) func(int64) ed25519.PublicKey {
	return func(id int64) ed25519.PublicKey {
		_, pub, err := s.app.Store.EventKey(c.Request().Context(), id)
		if err != nil {
			return nil
		}
		return pub
	}
}

// checkIn records scans whose codes may be unverified. A code the store
// did not find stored comes back Unverified, having written nothing; its
// signature is checked now and the scan recorded with that verdict.
func (s *Server) checkIn(c echo.Context, ev *store.Event, scans []store.Scan) ([]*store.ScanAnswer, error) {
	ctx := c.Request().Context()
	answers, err := s.app.Store.CheckInAll(ctx, ev, scans)
	if err != nil {
		return nil, err
	}
	var again []store.Scan
	var at []int
	for i, a := range answers {
		if a != nil && a.Unverified {
			sc := scans[i]
			sc.Verdict = checkin.Verify(sc.Code, ev.ID, ev.TicketPublicKey, s.eventKey(c))
			again, at = append(again, sc), append(at, i)
		}
	}
	if len(again) == 0 {
		return answers, nil
	}
	verified, err := s.app.Store.CheckInAll(ctx, ev, again)
	if err != nil {
		return nil, err
	}
	for k, i := range at {
		answers[i] = verified[k]
	}
	return answers, nil
}

// readScan reads the body of a scan or an undo, with its event, and
// checks its door, device and nonce.
func (s *Server) readScan(c echo.Context) (scanRequest, *store.Event, error) {
	var req scanRequest
	if err := decodeStrict(c, &req); err != nil {
		return req, nil, err
	}
	ev, err := s.scanEvent(c, req.Event)
	if err != nil {
		return req, nil, err
	}
	return req, ev, checkScanFields(c, ev, req.Session, req.Device, req.Nonce)
}

// scan is POST /api/v1/checkin.
func (s *Server) scan(c echo.Context) error {
	req, ev, err := s.readScan(c)
	if err != nil {
		return err
	}
	code, v, err := s.verdict(c, ev, req.Code, req.Registration, true)
	if err != nil {
		return err
	}
	kind := checkin.KindScan
	if code == "" && req.Registration > 0 {
		kind = checkin.KindSearch
	}
	a, err := s.checkIn(c, ev, []store.Scan{{Kind: kind, Door: req.Session, Code: code,
		Verdict: v, UserID: currentUser(c).ID, Device: req.Device, Nonce: req.Nonce, At: time.Now()}})
	if err != nil {
		return err
	}
	answers, err := s.scanAnswers(c, ev, a, []string{req.Session})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, answers[0])
}

// scanAnswers turns the store's answers into JSON, with each guest as the
// door sees them (read in one query) and a message in the caller's language.
func (s *Server) scanAnswers(c echo.Context, ev *store.Event, answers []*store.ScanAnswer, doors []string) ([]*scanAnswer, error) {
	ctx := c.Request().Context()
	var ids []int64
	for _, a := range answers {
		if a != nil && a.RegistrationID != 0 && a.Guest == nil {
			ids = append(ids, a.RegistrationID)
		}
	}
	guests, err := s.app.Store.Guests(ctx, ev, ids)
	if err != nil {
		return nil, err
	}
	for _, a := range answers {
		if a != nil && a.Guest != nil {
			guests[a.RegistrationID] = a.Guest
		}
	}
	l := lang(c)
	out := make([]*scanAnswer, len(answers))
	for i, a := range answers {
		if a == nil {
			continue
		}
		if !a.Replayed {
			s.app.Metrics.CheckIn(a.Result)
		}
		sa := &scanAnswer{Result: a.Result, Reason: a.Reason, Registration: guests[a.RegistrationID], Previous: a.Previous,
			Duplicate: a.Duplicate, Session: doors[i], Replayed: a.Replayed, Message: i18n.T(l, "checkin.result."+a.Result)}
		if !a.CheckedInAt.IsZero() {
			t := a.CheckedInAt.UTC()
			sa.CheckedInAt = &t
		}
		if a.OtherEvent != 0 {
			if slug, _, err := s.app.Store.EventKey(ctx, a.OtherEvent); err == nil {
				if other, err := s.app.Store.GetEvent(ctx, slug); err == nil {
					sa.OtherEvent = &otherEvent{Slug: slug, Title: other.Title}
				}
			}
		}
		out[i] = sa
	}
	return out, nil
}

// undo is POST /api/v1/checkin/undo: the last admission of a registration
// at a door is taken back. The scan log keeps both.
func (s *Server) undo(c echo.Context) error {
	req, ev, err := s.readScan(c)
	if err != nil {
		return err
	}
	if req.Code == "" && req.Registration <= 0 {
		return fieldProblem(c, "code", "checkin.error.code_or_registration")
	}
	code, v, err := s.verdict(c, ev, req.Code, req.Registration, false)
	if err != nil {
		return err
	}
	if v.Result != "" {
		return fieldProblem(c, "code", "checkin.reason."+v.Reason)
	}
	a, err := s.app.Store.CheckIn(c.Request().Context(), ev, store.Scan{Kind: checkin.KindUndo, Door: req.Session, Code: code,
		Verdict: v, UserID: currentUser(c).ID, Device: req.Device, Nonce: req.Nonce, At: time.Now()})
	switch {
	case err != nil:
		return err
	case a == nil:
		return problem(c, http.StatusConflict, "not_checked_in")
	}
	answers, err := s.scanAnswers(c, ev, []*store.ScanAnswer{a}, []string{req.Session})
	if err != nil {
		return err
	}
	s.app.Log.Info("check-in undone", "event", ev.Slug, "registration", a.RegistrationID, "user", currentUser(c).ID)
	return c.JSON(http.StatusOK, answers[0])
}

// syncRequest is what a device that was offline sends: its queue of scans,
// oldest first, and its clock's time when it sent them.
type syncRequest struct {
	Device string     `json:"device"`
	SentAt time.Time  `json:"sent_at"`
	Scans  []syncScan `json:"scans"`
}

// syncScan is one queued scan.
type syncScan struct {
	Nonce        string    `json:"nonce"`
	Kind         string    `json:"kind"` // scan (default), search or undo
	Code         string    `json:"code"`
	Registration int64     `json:"registration"`
	Session      string    `json:"session"`
	ScannedAt    time.Time `json:"scanned_at"`
	Offline      bool      `json:"offline"`
	Admitted     bool      `json:"admitted"`
}

// syncResult is the answer to one queued scan: the scan's answer, or an
// error that says why it could not be applied (it will not be, ever).
type syncResult struct {
	Nonce string `json:"nonce"`
	*scanAnswer
	Error *Problem `json:"error,omitempty"`
}

// maxSyncScans bounds one sync request; a device sends a longer queue in
// several.
const maxSyncScans = 500

// syncScans is POST /api/v1/events/{slug}/checkin/sync.
func (s *Server) syncScans(c echo.Context) error {
	var req syncRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	ev, err := s.scanEvent(c, c.Param("slug"))
	if err != nil {
		return err
	}
	switch {
	case !checkin.ValidDevice(req.Device):
		return fieldProblem(c, "device", "checkin.error.device", checkin.MaxDevice)
	case len(req.Scans) > maxSyncScans:
		return fieldProblem(c, "scans", "checkin.error.too_many", maxSyncScans)
	}
	received := time.Now()
	results := make([]syncResult, len(req.Scans))
	var scans []store.Scan
	var doors []string
	var at []int // index in results of each scan sent to the store
	for i, q := range req.Scans {
		results[i].Nonce = q.Nonce
		if q.Nonce == "" {
			results[i].Error = fieldProblem(c, "nonce", "checkin.error.nonce_required")
			continue
		}
		if q.Kind == "" {
			q.Kind = checkin.KindScan
		}
		if q.Kind != checkin.KindScan && q.Kind != checkin.KindSearch && q.Kind != checkin.KindUndo {
			results[i].Error = fieldProblem(c, "kind", "checkin.error.kind")
			continue
		}
		if err := checkScanFields(c, ev, q.Session, req.Device, q.Nonce); err != nil {
			results[i].Error = asProblem(err)
			continue
		}
		reg := q.Registration
		if q.Kind == checkin.KindScan {
			reg = 0
		}
		code, v, err := s.verdict(c, ev, q.Code, reg, q.Kind == checkin.KindScan)
		if err != nil {
			results[i].Error = asProblem(err)
			continue
		}
		if q.Kind == checkin.KindUndo && v.Result != "" {
			results[i].Error = fieldProblem(c, "code", "checkin.reason."+v.Reason)
			continue
		}
		when := received
		if !q.ScannedAt.IsZero() {
			when = checkin.DeviceTime(q.ScannedAt, req.SentAt, received)
		}
		scans = append(scans, store.Scan{Kind: q.Kind, Door: q.Session, Code: code, Verdict: v, UserID: currentUser(c).ID,
			Device: req.Device, Nonce: q.Nonce, At: when, Offline: q.Offline, Admitted: q.Offline && q.Admitted})
		doors = append(doors, q.Session)
		at = append(at, i)
	}
	answers, err := s.checkIn(c, ev, scans)
	if err != nil {
		return err
	}
	out, err := s.scanAnswers(c, ev, answers, doors)
	if err != nil {
		return err
	}
	for k, i := range at {
		if out[k] == nil {
			results[i].Error = problem(c, http.StatusConflict, "not_checked_in")
			continue
		}
		results[i].scanAnswer = out[k]
	}
	return c.JSON(http.StatusOK, map[string]any{"results": results})
}

// asProblem returns err as a *Problem (the field checks return nothing else).
func asProblem(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	return &Problem{Status: http.StatusInternalServerError, Code: "internal", Message: err.Error()}
}
