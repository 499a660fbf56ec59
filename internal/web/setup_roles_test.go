package web

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/apitest"
)

// TestSetupRoleMatrix: every route of the programme editor, the brand and
// legal pages, messages, privacy and the audit log, asked by someone
// anonymous, staff, an organiser and an admin. Pages send anonymous
// browsers to the login page and staff get 403; the API answers 401 and
// 403; the installation's settings are for admins alone; the public pages
// answer everybody alike.
func TestSetupRoleMatrix(t *testing.T) {
	e := brandedForum(t)
	e.Slug = "forum"
	ta := startApp(t, false, e)
	var reg struct{ ID int64 }
	ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(1, map[string]any{"sessions": []string{"ws-maintenance"}}), &reg)
	for i := 2; i < 8; i++ {
		ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(i, nil), nil)
	}
	base := "/admin/events/forum"
	var media string
	queryDB(t, ta, "SELECT name FROM media LIMIT 1", nil, &media)
	type route struct {
		method, path string
		form         func(role string) url.Values // nil for none
		file         string                       // a multipart form with this file field (a PNG)
		ok           int                          // the answer to an organiser and an admin
	}
	start := e.StartsAt.In(e.Location()).Format(localTime)
	end := e.StartsAt.In(e.Location()).Add(30 * time.Minute).Format(localTime)
	pages := []route{
		{"GET", base + "/programme", nil, "", 200},
		{"POST", base + "/programme", func(string) url.Values {
			return url.Values{"title.en": {"Forum"}, "timezone": {e.Timezone}, "starts_at": {e.StartsAt.In(e.Location()).Format(localTime)},
				"ends_at": {e.EndsAt.In(e.Location()).Format(localTime)}, "default_language": {"de"}, "mode": {"open"}, "waitlist": {"yes"},
				"reminder_days": {"2"}, "retention_days": {"90"}}
		}, "", 303},
		{"POST", base + "/programme", func(string) url.Values { return url.Values{"title.en": {""}, "timezone": {"Mars/Base"}} }, "", 422},
		{"POST", base + "/status", func(string) url.Values { return url.Values{"status": {"published"}} }, "", 303},
		{"GET", "/admin/events/new", nil, "", 200},
		{"GET", "/admin/events/new?clone=forum", nil, "", 200},
		{"POST", "/admin/events/new", func(role string) url.Values {
			return url.Values{"slug": {"copy-" + role}, "clone": {"forum"}, "timezone": {e.Timezone}, "default_language": {"de"}}
		}, "", 303},
		{"GET", base + "/brand", nil, "", 200},
		{"POST", base + "/brand", func(string) url.Values {
			return url.Values{"name": {"DCW"}, "colour": {"#c8102e"}, "imprint.de": {"Impressum"}, "privacy_url": {"https://example.org/p"}}
		}, "logo", 303},
		{"GET", base + "/rooms", nil, "", 200},
		{"GET", base + "/rooms?edit=saal-1", nil, "", 200},
		{"POST", base + "/rooms", func(role string) url.Values {
			return url.Values{"id": {"room-" + role}, "name.en": {"Room " + role}, "capacity": {"20"}}
		}, "", 303},
		{"GET", base + "/speakers", nil, "", 200},
		{"POST", base + "/speakers", func(role string) url.Values {
			return url.Values{"id": {"sp-" + role}, "name": {"Speaker " + role}, "organisation.en": {"Example"}}
		}, "photo_file", 303},
		{"GET", base + "/sessions", nil, "", 200},
		{"GET", base + "/sessions?view=grid", nil, "", 200},
		{"GET", base + "/agenda-grid.css", nil, "", 200},
		{"POST", base + "/sessions", func(role string) url.Values {
			return url.Values{"id": {"s-" + role}, "kind": {"talk"}, "room": {"room-" + role}, "title.en": {"Talk " + role},
				"starts_at": {start}, "ends_at": {end}, "speaker": {"sp-" + role, ""}, "role": {"speaker", "speaker"}}
		}, "", 303},
		{"GET", base + "/questions", nil, "", 200},
		{"POST", base + "/questions", func(role string) url.Values {
			return url.Values{"id": {"q_" + role}, "type": {"yesno"}, "label.en": {"Parking " + role + "?"}}
		}, "", 303},
		{"GET", base + "/import", nil, "", 200},
		{"POST", base + "/import", func(string) url.Values { return url.Values{} }, "file", 422},                // a picture is no programme
		{"POST", base + "/purge", func(string) url.Values { return url.Values{"confirm": {"forum"}} }, "", 409}, // not over
		{"GET", base + "/programme.json", nil, "", 200},
		{"GET", base + "/messages", nil, "", 200},
		{"POST", base + "/messages", func(string) url.Values {
			return url.Values{"subject.en": {"Hello"}, "body.en": {"Text"}, "status": {"confirmed"}, "preview": {"yes"}}
		}, "", 200},
		{"POST", base + "/messages", func(string) url.Values {
			return url.Values{"subject.en": {"Hello"}, "body.en": {"Text"}, "session": {"ws-maintenance"}, "send": {"yes"}}
		}, "", 303},
		{"GET", base + "/audit", nil, "", 200},
		{"GET", "/admin/audit", nil, "", 200},
		{"GET", "/admin/audit?action=registration.&limit=5", nil, "", 200},
	}
	// Each signed-in role anonymises one registration of its own.
	anonymise := map[string]int64{}
	regs := ta.registrations(t, "forum", ta.token(t, "organiser"), "sort=created")
	for i, role := range []string{"", "staff", "organiser", "admin"} {
		anonymise[role] = regs[i+1].ID
	}

	noRedirect := func(c *http.Client) *http.Client {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return c
	}
	for _, role := range []string{"", "staff", "organiser", "admin"} {
		c := browserish(t)
		if role != "" {
			signIn(t, ta, c, role)
		}
		noRedirect(c)
		_, page := get(t, c, ta.srv.URL+"/login")
		if role != "" {
			_, page = get(t, c, ta.srv.URL+"/events/forum")
		}
		csrf := csrfField.FindStringSubmatch(page)[1]
		all := append(pages, route{"POST", fmt.Sprintf("%s/registrations/%d/anonymise", base, anonymise[role]),
			func(string) url.Values { return url.Values{"confirm": {"yes"}} }, "", 303})
		for _, r := range all {
			res := sendPage(t, c, ta.srv.URL, r.method, r.path, csrf, r.form, role, r.file)
			checkRole(t, role, []string{"staff"}, r.method, r.path, res, r.ok)
		}
	}

	// The API, with bearer tokens.
	msg := map[string]any{"subject": map[string]string{"en": "Hi"}, "body": map[string]string{"en": "Text"}, "to": map[string]any{"status": "waitlisted"}}
	api := []struct {
		method, path string
		body         any
		ok           int
		adminOnly    bool
	}{
		{"GET", "/api/v1/audit", nil, 200, false},
		{"GET", "/api/v1/audit?event=forum", nil, 200, false},
		{"GET", "/api/v1/settings/organiser", nil, 200, false},
		{"PUT", "/api/v1/settings/organiser", map[string]any{"name": "Messe"}, 200, true},
		{"GET", fmt.Sprintf("/api/v1/registrations/%d/data", reg.ID), nil, 200, false},
		{"GET", "/api/v1/events/forum/privacy", nil, 200, false},
		{"POST", "/api/v1/events/forum/purge", map[string]any{"confirm": "forum"}, 409, false}, // not over
		{"GET", "/api/v1/events/forum/messages", nil, 200, false},
		{"POST", "/api/v1/events/forum/messages/preview", msg, 200, false},
		{"POST", "/api/v1/events/forum/messages", msg, 202, false},
	}
	for _, role := range []string{"", "staff", "organiser", "admin"} {
		tok := ""
		if role != "" {
			tok = ta.token(t, role)
		}
		for _, r := range api {
			want := map[string]int{"": 401, "staff": 403, "organiser": r.ok, "admin": r.ok}[role]
			if r.adminOnly && role == "organiser" {
				want = 403
			}
			if got := ta.call(t, r.method, r.path, tok, r.body, nil); got != want {
				t.Errorf("%s %s %s: %d, want %d", role, r.method, r.path, got, want)
			}
		}
		// Anonymising through the API: a registration of the role's own.
		id := regs[5].ID
		if role == "admin" {
			id = regs[6].ID
		}
		want := map[string]int{"": 401, "staff": 403, "organiser": 200, "admin": 200}[role]
		if got := ta.call(t, "POST", fmt.Sprintf("/api/v1/registrations/%d/anonymise", id), tok, nil, nil); got != want {
			t.Errorf("%s anonymise: %d, want %d", role, got, want)
		}
	}

	// The public pages of the brand answer anybody.
	for _, path := range []string{"/events/forum/imprint", "/events/forum/brand.css", "/media/" + media, "/brand.css"} {
		for _, tok := range []string{"", ta.token(t, "staff")} {
			header := []string{}
			if tok != "" {
				header = []string{"Authorization", "Bearer " + tok}
			}
			r := (apitest.Client{Base: ta.srv.URL}).Do(t, "GET", path, nil, header...)
			if r.Status != http.StatusOK {
				t.Errorf("%s (token %v): %d", path, tok != "", r.Status)
			}
		}
	}
}

// sendPage makes a page request as a browser does: a form, or a multipart
// form with a small PNG in file.
func sendPage(t *testing.T, c *http.Client, base, method, path, csrf string, form func(string) url.Values, role, file string) *http.Response {
	t.Helper()
	if method == "GET" || file == "" {
		var values url.Values
		if form != nil {
			values = form(role)
		}
		return sendForm(t, c, base+path, method, csrf, values)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", csrf)
	for k, vs := range form(role) {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile(file, "picture.png")
	uri := pngDataURI(t, 300, 200)
	data, _ := base64Decode(uri[strings.Index(uri, ",")+1:])
	fw.Write(data)
	w.Close()
	req, _ := http.NewRequest("POST", base+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}
