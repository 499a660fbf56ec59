package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/checkin"
	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
)

// rosterAnswer is the guest list a device keeps, with what it needs to
// check tickets on its own.
type rosterAnswer struct {
	Event   rosterEvent      `json:"event"`
	Version int64            `json:"version"`
	Full    bool             `json:"full"`
	Guests  []*checkin.Guest `json:"guests"`
}

// rosterEvent is the event as a check-in device needs it.
type rosterEvent struct {
	ID        int64            `json:"id"`
	Slug      string           `json:"slug"`
	Title     programme.Text   `json:"title"`
	Timezone  string           `json:"timezone"`
	PublicKey []byte           `json:"public_key"` // Ed25519, base64
	Capacity  *int             `json:"capacity"`
	Sessions  []rosterSession  `json:"sessions"`
	Default   string           `json:"default_language"`
	Rooms     []programme.Room `json:"rooms"`
}

// rosterSession is a session whose door can be chosen.
type rosterSession struct {
	ID       string         `json:"id"`
	Title    programme.Text `json:"title"`
	Room     string         `json:"room,omitempty"`
	StartsAt programme.Time `json:"starts_at"`
	EndsAt   programme.Time `json:"ends_at"`
	SignUp   bool           `json:"sign_up"`
}

func newRosterEvent(ev *store.Event) rosterEvent {
	re := rosterEvent{ID: ev.ID, Slug: ev.Slug, Title: ev.Title, Timezone: ev.Timezone, PublicKey: ev.TicketPublicKey,
		Capacity: ev.Capacity, Default: ev.DefaultLanguage, Rooms: ev.Rooms, Sessions: []rosterSession{}}
	for _, se := range ev.Sessions {
		re.Sessions = append(re.Sessions, rosterSession{ID: se.ID, Title: se.Title, Room: se.Room,
			StartsAt: se.StartsAt, EndsAt: se.EndsAt, SignUp: se.Capacity != nil})
	}
	return re
}

// roster is GET /api/v1/events/{slug}/checkin/roster?since=N.
func (s *Server) roster(c echo.Context) error {
	ev, err := s.app.Store.GetEvent(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	var since int64
	if v := c.QueryParam("since"); v != "" {
		if since, err = strconv.ParseInt(v, 10, 64); err != nil || since < 0 {
			p := problem(c, http.StatusBadRequest, "bad_filter")
			p.Fields = map[string]string{"since": i18n.T(lang(c), "error.filter_offset")}
			return p
		}
	}
	r, err := s.app.Store.Roster(c.Request().Context(), ev, since)
	if err != nil {
		return err
	}
	if r.Guests == nil {
		r.Guests = []*checkin.Guest{}
	}
	// Personal data: no shared cache may keep it.
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, rosterAnswer{Event: newRosterEvent(ev), Version: r.Version, Full: r.Full, Guests: r.Guests})
}

// search is GET /api/v1/events/{slug}/checkin/search?q=: guests whose
// name, organisation or email matches, as the door sees them.
func (s *Server) searchGuests(c echo.Context) error {
	ctx := c.Request().Context()
	ev, err := s.app.Store.GetEvent(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	q := strings.TrimSpace(c.QueryParam("q"))
	guests := []*checkin.Guest{}
	if q == "" {
		return c.JSON(http.StatusOK, map[string]any{"guests": guests})
	}
	regs, _, err := s.app.Store.ListRegistrations(ctx, ev, store.Filter{Query: q, Limit: 20})
	if err != nil {
		return err
	}
	ids := make([]int64, len(regs))
	for i, r := range regs {
		ids[i] = r.ID
	}
	byID, err := s.app.Store.Guests(ctx, ev, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if g := byID[id]; g != nil {
			guests = append(guests, g)
		}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"guests": guests})
}

// statsAnswer is GET /api/v1/events/{slug}/checkin/stats.
type statsAnswer struct {
	Event           string                `json:"event"`
	Expected        int                   `json:"expected"`
	CheckedIn       int                   `json:"checked_in"`
	Duplicates      int                   `json:"duplicates"`
	OverCapacity    int                   `json:"over_capacity"`
	Sessions        []sessionStats        `json:"sessions"`
	QuarterHours    []quarterHourStats    `json:"quarter_hours"`
	Devices         []deviceStats         `json:"devices"`
	Results         map[string]int        `json:"results"`
	DuplicateGuests []duplicateGuestStats `json:"duplicate_guests"`
}

type sessionStats struct {
	ID        string `json:"id"`
	Expected  *int   `json:"expected"`
	CheckedIn int    `json:"checked_in"`
}

type quarterHourStats struct {
	From      time.Time `json:"from"`
	CheckedIn int       `json:"checked_in"`
}

type deviceStats struct {
	Device string    `json:"device"`
	Scans  int       `json:"scans"`
	OK     int       `json:"ok"`
	Last   time.Time `json:"last_scan_at"`
}

type duplicateGuestStats struct {
	Registration *checkin.Guest     `json:"registration"`
	Session      string             `json:"session,omitempty"`
	Admissions   []checkin.Admitter `json:"admissions"`
}

func (s *Server) checkinStats(c echo.Context) error {
	ev, err := s.app.Store.GetEvent(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	st, err := s.app.Store.CheckInStats(c.Request().Context(), ev)
	if err != nil {
		return err
	}
	out := statsAnswer{Event: ev.Slug, Expected: st.Expected, CheckedIn: st.CheckedIn, Duplicates: st.Duplicates,
		OverCapacity: st.OverCapacity, Results: st.Results, Sessions: []sessionStats{}, QuarterHours: []quarterHourStats{},
		Devices: []deviceStats{}, DuplicateGuests: []duplicateGuestStats{}}
	for _, r := range checkin.Results {
		out.Results[r] += 0 // every result, zero or not
	}
	for _, se := range st.Sessions {
		out.Sessions = append(out.Sessions, sessionStats{ID: se.ID, Expected: se.Expected, CheckedIn: se.CheckedIn})
	}
	for _, q := range st.QuarterHours {
		out.QuarterHours = append(out.QuarterHours, quarterHourStats{From: q.From, CheckedIn: q.CheckedIn})
	}
	for _, d := range st.Devices {
		out.Devices = append(out.Devices, deviceStats{Device: d.Device, Scans: d.Scans, OK: d.OK, Last: d.Last})
	}
	for _, d := range st.DuplicateGuests {
		out.DuplicateGuests = append(out.DuplicateGuests, duplicateGuestStats{Registration: d.Guest, Session: d.Door, Admissions: d.Admissions})
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}
