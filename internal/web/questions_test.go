package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/foyer-events/foyer/internal/programme"
)

// TestQuestionsEditor: an organiser adds a required choice question with
// its answers in three languages, which the registration form then asks in
// each guest's language; a choice without answers and a yes-or-no question
// with answers are refused with the problem beside the field, in the
// organiser's language, and nothing is saved; a question can be removed.
func TestQuestionsEditor(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, nil, true))
	c := browserish(t)
	signIn(t, ta, c, "organiser")
	page := "/admin/events/forum/questions"
	before := len(ta.event(t, "forum").Questions)

	form := url.Values{"original": {""}, "id": {"diet"}, "type": {"choice"}, "required": {"yes"},
		"label.en": {"Lunch"}, "label.de": {"Mittagessen"}, "label.zh": {"午餐"},
		"option_value":    {"veg", "meat", ""},
		"option_label.en": {"Vegetarian", "With meat", ""},
		"option_label.de": {"Vegetarisch", "Mit Fleisch", ""},
		"option_label.zh": {"素食", "荤食", ""},
	}
	res, body := submitForm(t, c, ta.srv.URL, page, page, form)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "diet") {
		t.Fatalf("add a question: %d", res.StatusCode)
	}
	e := ta.event(t, "forum")
	q := e.Question("diet")
	if len(e.Questions) != before+1 || q == nil || !q.Required || len(q.Options) != 2 || q.Options[1].Label["zh"] != "荤食" {
		t.Fatalf("saved question: %+v", q)
	}
	for lang, want := range map[string][]string{"en": {"Lunch", "With meat"}, "de": {"Mittagessen", "Vegetarisch"}, "zh": {"午餐", "素食"}} {
		_, form := get(t, browserish(t), ta.srv.URL+"/events/forum/register?lang="+lang)
		for _, w := range want {
			if !strings.Contains(form, w) {
				t.Errorf("the %s registration form lacks %q", lang, w)
			}
		}
	}

	// Refused: a choice without answers, a yes-or-no with answers.
	for _, bad := range []struct {
		typ, option, want string
	}{
		{"choice", "", "Antworten"},
		{"yesno", "ja", "Antworten"},
	} {
		f := url.Values{"original": {"diet"}, "id": {"diet"}, "type": {bad.typ}, "label.en": {"Lunch"},
			"option_value": {bad.option}, "option_label.en": {bad.option}, "option_label.de": {""}, "option_label.zh": {""}}
		res, body := submitForm(t, c, ta.srv.URL, page+"?lang=de", page, f)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), bad.want) ||
			!strings.Contains(body, "field-invalid") {
			t.Errorf("%s with %q: %d", bad.typ, bad.option, res.StatusCode)
		}
	}
	if q := ta.event(t, "forum").Question("diet"); q == nil || q.Type != "choice" || len(q.Options) != 2 {
		t.Errorf("a refused form changed the question: %+v", q)
	}

	// Removed.
	res, _ = submitForm(t, c, ta.srv.URL, page, page, url.Values{"original": {"diet"}, "id": {"diet"}, "delete": {"yes"}})
	if res.StatusCode != http.StatusOK || ta.event(t, "forum").Question("diet") != nil {
		t.Errorf("remove: %d", res.StatusCode)
	}
}

// event reads an event's programme as stored.
func (ta *testApp) event(t *testing.T, slug string) *programme.Event {
	t.Helper()
	ev, err := ta.app.Store.GetEvent(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return ev.Event
}

// TestAgendaDayGrid: the agenda editor's day grid shows every session,
// drafts too, placed by a stylesheet of its own, and marks two sessions
// that share a room at the same time.
func TestAgendaDayGrid(t *testing.T) {
	e := smallForum("forum", nil, nil, true)
	e.Status = "draft"
	// The second session moves into the first one's room and time.
	e.Sessions[1].Room, e.Sessions[1].StartsAt, e.Sessions[1].EndsAt = e.Sessions[0].Room, e.Sessions[0].StartsAt, e.Sessions[0].EndsAt
	ta := startApp(t, false, e)
	c := browserish(t)
	signIn(t, ta, c, "organiser")
	res, page := get(t, c, ta.srv.URL+"/admin/events/forum/sessions?view=grid&lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("grid: %d", res.StatusCode)
	}
	for _, s := range e.Sessions {
		if !strings.Contains(page, "edit="+s.ID+`"`) {
			t.Errorf("the grid lacks %s", s.ID)
		}
	}
	if n := strings.Count(page, " overlaps s"); n != 2 {
		t.Errorf("%d sessions marked as overlapping, want 2", n)
	}
	m := regexp.MustCompile(`href="(/admin/events/forum/agenda-grid\.css\?v=[^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the grid has no stylesheet")
	}
	res, css := get(t, c, ta.srv.URL+html.UnescapeString(m[1]))
	if res.StatusCode != http.StatusOK || !strings.Contains(css, ".day-0 .s0{grid-row:") {
		t.Errorf("grid stylesheet: %d %.200s", res.StatusCode, css)
	}
	if res, _ := get(t, browserish(t), ta.srv.URL+"/events/forum/agenda-grid.css"); res.StatusCode != http.StatusNotFound {
		t.Errorf("the public grid stylesheet of a draft: %d", res.StatusCode)
	}
}

// TestEditUnknownItem: an edit link to an item that is not (or no longer)
// in the programme opens the form for a new one, in every part of the
// editor, rather than "Edit" with an empty form.
func TestEditUnknownItem(t *testing.T) {
	e := smallForum("forum", nil, nil, true)
	ta := startApp(t, false, e)
	c := browserish(t)
	signIn(t, ta, c, "organiser")
	for _, part := range []string{"rooms", "speakers", "sessions", "questions"} {
		res, page := get(t, c, ta.srv.URL+"/admin/events/forum/"+part+"?edit=gone-away&lang=en")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", part, res.StatusCode)
		}
		if strings.Contains(page, "<code>gone-away</code>") || !strings.Contains(page, `name="original" value=""`) {
			t.Errorf("%s: the form edits an item that does not exist", part)
		}
	}
	room := e.Rooms[0].Slug
	_, page := get(t, c, ta.srv.URL+"/admin/events/forum/rooms?edit="+room+"&lang=en")
	if !strings.Contains(page, `name="original" value="`+room+`"`) {
		t.Errorf("an existing room is not edited")
	}
}
