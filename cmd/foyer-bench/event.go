package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/foyer-events/foyer/internal/registration"
)

// eventSpec says how a benchmark event differs from the demo forum.
type eventSpec struct {
	slug            string
	capacity        int // places of the event
	sessionCapacity int // seats of the first session that takes sign-ups
}

// benchEvent is an event the tool created, with what registrations need.
type benchEvent struct {
	slug    string
	session string         // the session with sessionCapacity seats
	answers map[string]any // an answer to every registration question
}

// createEvent copies the demo forum's programme JSON (GET
// /api/v1/events/{demo}) under a new slug, with open registration, a waiting
// list and the spec's capacities, and creates it with POST /api/v1/events.
// It works on the JSON as a map so that fields this tool does not know
// travel unchanged.
func createEvent(ctx context.Context, a *api, spec eventSpec) (*benchEvent, error) {
	var ev map[string]any
	if err := a.call(ctx, http.MethodGet, "/api/v1/events/"+demoSlug, nil, http.StatusOK, &ev); err != nil {
		return nil, err
	}
	ev["slug"] = spec.slug
	ev["title"] = map[string]any{"en": "foyer-bench " + spec.slug}
	ev["status"] = "published"
	ev["capacity"] = spec.capacity
	reg, ok := ev["registration"].(map[string]any)
	if !ok {
		return nil, errors.New("demo programme: no registration settings")
	}
	reg["mode"] = "open"
	reg["waitlist"] = true

	be := &benchEvent{slug: spec.slug}
	sessions, _ := ev["sessions"].([]any)
	for _, s := range sessions {
		m, _ := s.(map[string]any)
		if _, signUp := m["capacity"]; signUp && be.session == "" {
			m["capacity"] = spec.sessionCapacity
			be.session, _ = m["id"].(string)
		}
	}
	if be.session == "" {
		return nil, errors.New("demo programme: no session that takes sign-ups")
	}
	questions, _ := ev["questions"].([]any)
	be.answers = answersFor(questions)
	if err := a.call(ctx, http.MethodPost, "/api/v1/events", ev, http.StatusCreated, nil); err != nil {
		return nil, fmt.Errorf("create event %s: %w", spec.slug, err)
	}
	return be, nil
}

// answersFor answers every question of the programme JSON: the first
// option of a choice, yes, or a short text.
func answersFor(questions []any) map[string]any {
	answers := map[string]any{}
	for _, q := range questions {
		m, _ := q.(map[string]any)
		id, _ := m["id"].(string)
		var first string
		if opts, _ := m["options"].([]any); len(opts) > 0 {
			o, _ := opts[0].(map[string]any)
			first, _ = o["value"].(string)
		}
		switch m["type"] {
		case "choice":
			answers[id] = first
		case "multichoice":
			answers[id] = []string{first}
		case "yesno":
			answers[id] = true
		default:
			answers[id] = "none"
		}
	}
	return answers
}

// registrant registers attendees for one event: registration i has the
// email TAG-00000i@example.org (which the mail sink counts under TAG), and
// every third one chooses the event's session.
type registrant struct {
	client *http.Client
	url    string // …/api/v1/events/{slug}/registrations
	tag    string
	event  *benchEvent
}

var languages = []string{"en", "de", "zh"}

// register sends registration i. Its outcome is the registration's status,
// plus " seat STATUS" when it chose the session; anything but a 201 with
// a registration fails.
func (r registrant) register(ctx context.Context, i int) (string, bool) {
	in := registration.Input{
		FirstName: "Bench", LastName: fmt.Sprintf("Attendee %d", i),
		Email:        fmt.Sprintf("%s-%07d@example.org", r.tag, i),
		Organisation: "Benchmark GmbH", JobTitle: "Tester", Country: "DE",
		Language: languages[i%len(languages)],
		Answers:  r.event.answers, Consent: true,
	}
	if i%3 == 0 {
		in.Sessions = []string{r.event.session}
	}
	body, err := json.Marshal(in)
	if err != nil {
		return err.Error(), false
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(body))
	if err != nil {
		return err.Error(), false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return errorOutcome(err), false
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		return errorOutcome(err), false
	case resp.StatusCode != http.StatusCreated:
		return fmt.Sprintf("%d %s", resp.StatusCode, errorCode(data)), false
	}
	var reg struct {
		Status   string `json:"status"`
		Sessions []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"sessions"`
	}
	if err := json.Unmarshal(data, &reg); err != nil || reg.Status == "" {
		return "201 without a registration", false
	}
	outcome := reg.Status
	for _, s := range reg.Sessions {
		if s.ID == r.event.session {
			outcome += " seat " + s.Status
		}
	}
	return outcome, true
}

// seatCount is what the organiser API says about an event's places.
type seatCount struct {
	Confirmed        int // confirmed registrations
	Waitlisted       int // waitlisted registrations
	SessionConfirmed int // confirmed seats in the session
}

// countSeats asks the organiser API: the totals of confirmed and waitlisted
// registrations, and the confirmed seats of the session, counted over every
// page of the confirmed registrations that chose it.
func countSeats(ctx context.Context, a *api, ev *benchEvent) (seatCount, error) {
	type page struct {
		Registrations []struct {
			Status   string `json:"status"`
			Sessions []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"sessions"`
		} `json:"registrations"`
		Total int `json:"total"`
	}
	base := "/api/v1/events/" + url.PathEscape(ev.slug) + "/registrations?"
	var c seatCount
	for status, dst := range map[string]*int{"confirmed": &c.Confirmed, "waitlisted": &c.Waitlisted} {
		var p page
		if err := a.call(ctx, http.MethodGet, base+"limit=1&status="+status, nil, http.StatusOK, &p); err != nil {
			return c, err
		}
		*dst = p.Total
	}
	const limit = 1000
	for offset := 0; ; offset += limit {
		var p page
		q := url.Values{"status": {"confirmed"}, "session": {ev.session}, "limit": {fmt.Sprint(limit)}, "offset": {fmt.Sprint(offset)}}
		if err := a.call(ctx, http.MethodGet, base+q.Encode(), nil, http.StatusOK, &p); err != nil {
			return c, err
		}
		for _, r := range p.Registrations {
			for _, s := range r.Sessions {
				if s.ID == ev.session && s.Status == "confirmed" {
					c.SessionConfirmed++
				}
			}
		}
		if len(p.Registrations) < limit {
			return c, nil
		}
	}
}
