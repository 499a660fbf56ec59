package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/foyer-events/foyer/internal/store"
)

// TestLoweredCapacityBelowConfirmed: a programme update that lowers the
// event's or a session's capacity below the places confirmed already is
// refused with 409, naming the number, and changes nothing.
func TestLoweredCapacityBelowConfirmed(t *testing.T) {
	e := smallForum("forum", intp(10), intp(5), true)
	ta := startApp(t, false, e)
	org := ta.token(t, store.RoleOrganiser)
	for i := range 4 {
		if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(i, map[string]any{"sessions": []string{"ws-maintenance"}}), nil); code != 201 {
			t.Fatalf("register: %d", code)
		}
	}
	cases := []struct {
		name            string
		event, session  *int
		field, mentions string
	}{
		{"event below confirmed", intp(3), intp(5), "capacity", "4 places are confirmed"},
		{"session below confirmed", intp(10), intp(2), `.capacity`, "4 places are confirmed"},
	}
	for _, tc := range cases {
		e.Capacity = tc.event
		for i := range e.Sessions {
			if e.Sessions[i].ID == "ws-maintenance" {
				e.Sessions[i].Capacity = tc.session
			}
		}
		var ae apiError
		if code := ta.call(t, "PUT", "/api/v1/events/forum", org, e, &ae); code != http.StatusConflict || ae.Error.Code != "programme_conflict" {
			t.Fatalf("%s: %d %+v, want 409 programme_conflict", tc.name, code, ae)
		}
		found := false
		for where, msg := range ae.Error.Fields {
			if strings.HasSuffix(where, tc.field) && strings.Contains(msg, tc.mentions) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: fields %v lack %q at …%s", tc.name, ae.Error.Fields, tc.mentions, tc.field)
		}
	}
	var saved struct {
		Capacity *int `json:"capacity"`
		Sessions []struct {
			ID       string `json:"id"`
			Capacity *int   `json:"capacity"`
		} `json:"sessions"`
	}
	ta.call(t, "GET", "/api/v1/events/forum", org, nil, &saved)
	if saved.Capacity == nil || *saved.Capacity != 10 {
		t.Errorf("capacity changed to %v", saved.Capacity)
	}
	for _, s := range saved.Sessions {
		if s.ID == "ws-maintenance" && (s.Capacity == nil || *s.Capacity != 5) {
			t.Errorf("session capacity changed to %v", s.Capacity)
		}
	}
	// Down to exactly the confirmed places is fine.
	e.Capacity = intp(4)
	for i := range e.Sessions {
		if e.Sessions[i].ID == "ws-maintenance" {
			e.Sessions[i].Capacity = intp(4)
		}
	}
	if code := ta.call(t, "PUT", "/api/v1/events/forum", org, e, nil); code != 200 {
		t.Errorf("capacity equal to the confirmed places: %d", code)
	}
}
