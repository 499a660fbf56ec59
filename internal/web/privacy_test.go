package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/apitest"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
)

func TestAnonymiseOneAttendee(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, intp(40), true))
	ctx := context.Background()
	org, _ := ta.app.Store.CreateUser(ctx, "org@example.org", "Olga", "organiser", "a long password")
	organiser, _ := ta.app.Store.CreateToken(ctx, org.ID)
	staff := ta.token(t, "staff")

	var anna, ben apiRegistration
	ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(1, map[string]any{
		"first_name": "Anna", "last_name": "Vergessen", "email": "anna.vergessen@example.de", "organisation": "Geheim GmbH",
		"sessions": []string{"ws-maintenance"}}), &anna)
	ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(2, nil), &ben)
	ta.call(t, "GET", "/api/v1/registrations/"+itoa(anna.ID), organiser, nil, &anna)
	if code := ta.call(t, "POST", "/api/v1/checkin", staff, map[string]any{"event": "forum", "code": *anna.TicketCode}, nil); code != http.StatusOK {
		t.Fatalf("check-in: %d", code)
	}
	// An organiser corrects her organisation: on record with its values.
	ev, _ := ta.app.Store.GetEvent(ctx, "forum")
	in := registration.Input{FirstName: "Anna", LastName: "Vergessen", Organisation: "Noch Geheimer AG", Country: "DE", Language: "de",
		Answers: map[string]any{"industry": "research"}}
	orgCtx := store.WithActor(ctx, store.Actor{UserID: org.ID, Email: org.Email, Role: org.Role})
	if err := ta.app.Store.UpdateDetails(orgCtx, ev, anna.ID, in); err != nil {
		t.Fatal(err)
	}

	// Her data, all of it.
	var data struct {
		Registration apiRegistration  `json:"registration"`
		CheckIns     []map[string]any `json:"check_ins"`
		Emails       []map[string]any `json:"emails"`
		History      []map[string]any `json:"history"`
	}
	if code := ta.call(t, "GET", "/api/v1/registrations/"+itoa(anna.ID)+"/data", organiser, nil, &data); code != http.StatusOK {
		t.Fatalf("data: %d", code)
	}
	if data.Registration.Email != "anna.vergessen@example.de" || len(data.CheckIns) != 1 || len(data.Emails) == 0 {
		t.Errorf("data: %+v", data)
	}

	var before struct{ Confirmed int }
	stats := func() (checkedIn int) {
		var s struct {
			CheckedIn int `json:"checked_in"`
		}
		ta.call(t, "GET", "/api/v1/events/forum/checkin/stats", staff, nil, &s)
		return s.CheckedIn
	}
	checkedIn := stats()
	before.Confirmed = confirmedPlaces(t, ta, "forum")

	var after apiRegistration
	if code := ta.call(t, "POST", "/api/v1/registrations/"+itoa(anna.ID)+"/anonymise", organiser, nil, &after); code != http.StatusOK {
		t.Fatalf("anonymise: %d", code)
	}
	if after.FirstName != "" || after.LastName != "" || after.Email != "" || after.Organisation != "" || len(after.Answers) != 0 ||
		after.Status != "confirmed" || len(after.Sessions) != 1 {
		t.Errorf("anonymised: %+v", after)
	}
	if code := ta.call(t, "POST", "/api/v1/registrations/"+itoa(anna.ID)+"/anonymise", organiser, nil, nil); code != http.StatusConflict {
		t.Errorf("twice: %d", code)
	}
	// Counts and check-ins stay.
	if got := stats(); got != checkedIn {
		t.Errorf("checked in %d, was %d", got, checkedIn)
	}
	if got := confirmedPlaces(t, ta, "forum"); got != before.Confirmed || got != 2 {
		t.Errorf("confirmed %d, was %d", got, before.Confirmed)
	}
	// Gone from the lists and the exports.
	for _, r := range ta.registrations(t, "forum", organiser, "") {
		if r.ID == anna.ID {
			t.Error("the anonymised registration is still listed")
		}
	}
	csv := (apitest.Client{Base: ta.srv.URL}).Do(t, "GET", "/api/v1/events/forum/attendees.csv", nil, "Authorization", "Bearer "+organiser)
	if csv.Status != 200 || strings.Contains(string(csv.Body), "Vergessen") || strings.Contains(string(csv.Body), "Geheim") ||
		!strings.Contains(string(csv.Body), "Number 2") || strings.Count(string(csv.Body), "\n") != 2 {
		t.Errorf("export after anonymising:\n%s", csv.Body)
	}
	// Nor in the database, the audit log included.
	db := ta.readOnly(t)
	var n int
	db.QueryRow(`SELECT count(*) FROM registrations WHERE first_name || last_name || email || organisation || answers || search
		LIKE '%Vergessen%' OR organisation LIKE '%Geheim%' OR email LIKE '%anna%'`).Scan(&n)
	if n != 0 {
		t.Error("the registration still holds her data")
	}
	db.QueryRow("SELECT count(*) FROM audit_log WHERE changes LIKE '%Geheim%'").Scan(&n)
	if n != 0 {
		t.Error("the audit log still holds her organisation")
	}
	db.QueryRow("SELECT count(*) FROM audit_log WHERE target = ? AND redacted = 1", "registration:"+itoa(anna.ID)).Scan(&n)
	if n == 0 {
		t.Error("no audit entry about her was redacted")
	}
}

// confirmedPlaces is the event's confirmed places, the database's own count.
func confirmedPlaces(t *testing.T, ta *testApp, slug string) int {
	t.Helper()
	var n int
	if err := ta.readOnly(t).QueryRow("SELECT confirmed FROM events WHERE slug = ?", slug).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPurgeAfterRetention(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, nil, true))
	ctx := context.Background()
	organiser := ta.token(t, "organiser")
	for i := range 3 {
		ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(i, nil), nil)
	}
	var e apiError
	if code := ta.call(t, "POST", "/api/v1/events/forum/purge", organiser, map[string]any{"confirm": "forum"}, &e); code != http.StatusConflict || e.Error.Code != "event_not_over" {
		t.Errorf("purge before the end: %d %s", code, e.Error.Code)
	}
	// The event moves two years back, with a retention of 30 days.
	ev, _ := ta.app.Store.GetEvent(ctx, "forum")
	past := *ev.Event
	shift := func(pt *time.Time) { *pt = pt.AddDate(-2, 0, 0) }
	shift(&past.StartsAt.Time)
	shift(&past.EndsAt.Time)
	shift(&past.Registration.OpensAt.Time)
	shift(&past.Registration.ClosesAt.Time)
	past.Sessions = append(past.Sessions[:0:0], past.Sessions...)
	for i := range past.Sessions {
		shift(&past.Sessions[i].StartsAt.Time)
		shift(&past.Sessions[i].EndsAt.Time)
	}
	past.Registration.RetentionDays = intp(30)
	if _, err := ta.app.Store.SaveEvent(ctx, &past); err != nil {
		t.Fatal(err)
	}
	var state store.PrivacyState
	ta.call(t, "GET", "/api/v1/events/forum/privacy", organiser, nil, &state)
	if !state.Due || state.Personal != 3 || state.RetentionDays != 30 || state.PurgedAt != nil {
		t.Errorf("before purging: %+v", state)
	}
	if code := ta.call(t, "POST", "/api/v1/events/forum/purge?lang=de", organiser, map[string]any{"confirm": "nope"}, &e); code != http.StatusUnprocessableEntity ||
		!strings.Contains(e.Error.Fields["confirm"], "forum") {
		t.Errorf("wrong confirmation: %d %v", code, e.Error.Fields)
	}
	// The organisers' overview and every page of the event, its dashboard
	// first, remind of it, and the overview's form removes the data.
	if _, err := ta.app.Store.CreateUser(ctx, "olga@example.org", "Olga", "organiser", "a long password"); err != nil {
		t.Fatal(err)
	}
	c := browserish(t)
	submitForm(t, c, ta.srv.URL, "/login", "/login", url.Values{"email": {"olga@example.org"}, "password": {"a long password"}})
	due := "3 registrations of this event still hold personal data, and its retention period ended on " +
		past.EndsAt.UTC().AddDate(0, 0, 30).Format("2006-01-02")
	for _, page := range []string{"", "/registrations", "/programme"} {
		if _, body := get(t, c, ta.srv.URL+"/admin/events/forum"+page+"?lang=en"); !strings.Contains(body, due) {
			t.Errorf("no reminder on /admin/events/forum%s", page)
		}
	}
	_, overview := get(t, c, ta.srv.URL+"/admin?lang=en")
	if !strings.Contains(overview, "Personal data due for removal") || !strings.Contains(overview, "3 registrations with personal data") {
		t.Fatalf("no reminder on /admin:\n%s", overview)
	}
	res, _ := submitForm(t, c, ta.srv.URL, "/admin", "/admin/events/forum/purge", url.Values{"confirm": {"not it"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("purge without the slug: %d", res.StatusCode)
	}
	res, overview = submitForm(t, c, ta.srv.URL, "/admin", "/admin/events/forum/purge", url.Values{"confirm": {"forum"}})
	if res.StatusCode != http.StatusOK || strings.Contains(overview, "Personal data due for removal") {
		t.Errorf("purge by the form: %d", res.StatusCode)
	}
	if _, body := get(t, c, ta.srv.URL+"/admin/events/forum?lang=en"); strings.Contains(body, "retention period ended") {
		t.Error("the dashboard still reminds of the removal after it")
	}
	ta.call(t, "GET", "/api/v1/events/forum/privacy", organiser, nil, &state)
	if state.Due || state.Personal != 0 || state.PurgedAt == nil {
		t.Errorf("after purging: %+v", state)
	}
	if got := ta.registrations(t, "forum", organiser, ""); len(got) != 0 {
		t.Errorf("%d registrations still listed", len(got))
	}
}
