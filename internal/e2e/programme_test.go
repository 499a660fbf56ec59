package e2e

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Shanghai on machines without /usr/share/zoneinfo

	"github.com/foyer-events/foyer/internal/apitest"
)

// demoProgramme returns the demo forum as GET /api/v1/events/{slug} shows it.
func demoProgramme(t testing.TB, in *Instance) (raw []byte, ev map[string]any) {
	t.Helper()
	r := in.get(t, "/api/v1/events/"+demoSlug, "Accept", "application/json").Want(t, http.StatusOK)
	return r.Body, tree(t, r.Body)
}

// snapshot is what the API shows of every event (drafts too, with an
// organiser's token), one JSON document a line: two snapshots are equal when
// nothing was written.
func snapshot(t testing.TB, in *Instance, token string) string {
	t.Helper()
	var b strings.Builder
	list := in.api(t, "GET", "/api/v1/events", token, nil).Want(t, http.StatusOK)
	b.WriteString(strings.TrimSpace(string(list.Body)))
	var events struct {
		Events []struct {
			Slug string `json:"slug"`
		} `json:"events"`
	}
	list.Decode(t, &events)
	for _, e := range events.Events {
		b.WriteString("\n")
		b.WriteString(strings.TrimSpace(string(in.api(t, "GET", "/api/v1/events/"+e.Slug, token, nil).Want(t, http.StatusOK).Body)))
	}
	return b.String()
}

// snapshotDiff says where two snapshots differ.
func snapshotDiff(t testing.TB, before, after string) string {
	t.Helper()
	b, a := strings.Split(before, "\n"), strings.Split(after, "\n")
	if len(a) != len(b) {
		return fmt.Sprintf("%d events before, %d after", len(b)-1, len(a)-1)
	}
	var out []string
	for i := range b {
		out = append(out, diffJSON("", tree(t, []byte(b[i])), tree(t, []byte(a[i])))...)
	}
	return strings.Join(out, "\n")
}

// TestImportRoundTrip exports the demo, imports it under a new slug with
// `foyer import` and expects the very same programme back.
func TestImportRoundTrip(t *testing.T) {
	t.Parallel()
	in := startFoyer(t, Options{Demo: true})
	raw, demo := demoProgramme(t, in)

	copied := clone(t, demo)
	copied["slug"] = "dcip-forum-copy"
	file := writeFile(t, "copy.json", encode(t, copied))
	out := in.mustRun(t, "", "import", file)
	if !strings.Contains(out, "created") || !strings.Contains(out, "dcip-forum-copy") {
		t.Errorf("foyer import printed %q, want it to say it created dcip-forum-copy", out)
	}
	back := tree(t, in.get(t, "/api/v1/events/dcip-forum-copy").Want(t, http.StatusOK).Body)
	if back["slug"] != "dcip-forum-copy" {
		t.Errorf("slug %v, want dcip-forum-copy", back["slug"])
	}
	delete(back, "slug")
	want := clone(t, demo)
	delete(want, "slug")
	if d := diffJSON("", want, back); len(d) > 0 {
		t.Errorf("the imported copy differs from the export (export vs copy):\n%s", strings.Join(d, "\n"))
	}

	// Importing an unchanged export over its own event changes nothing.
	before := snapshot(t, in, "")
	out = in.mustRun(t, "", "import", writeFile(t, "demo.json", raw))
	if !strings.Contains(out, "updated") {
		t.Errorf("foyer import of an existing slug printed %q, want \"updated\"", out)
	}
	if after := snapshot(t, in, ""); after != before {
		t.Errorf("re-importing the export changed the programme (before vs after):\n%s", snapshotDiff(t, before, after))
	}

	var list struct {
		Events []map[string]any `json:"events"`
	}
	in.get(t, "/api/v1/events").Want(t, http.StatusOK).Decode(t, &list)
	if len(list.Events) != 2 {
		t.Errorf("GET /api/v1/events lists %d events, want 2", len(list.Events))
	}
}

// badProgramme is a programme file that import must refuse as a whole,
// naming the place of each problem.
type badProgramme struct {
	name string
	// file makes the file from a copy of the demo with the slug to use.
	file func(t testing.TB, ev map[string]any) []byte
	// where the error must name: exact field keys of the API error, and
	// substrings of the command's stderr.
	where []string
	// broken is set for files that are not well-formed programme JSON: the
	// API answers 400 rather than 422, and names the place by line and column.
	broken bool
}

func badProgrammes(t testing.TB, demo map[string]any) []badProgramme {
	panel := sessionIndex(t, demo, "panel-sme")
	twins := sessionIndex(t, demo, "keynote-twins")
	lunch := sessionIndex(t, demo, "lunch")
	opening := sessionIndex(t, demo, "opening")
	at := func(i int, id, field string) string { return fmt.Sprintf("sessions[%d] %q.%s", i, id, field) }
	return []badProgramme{
		{
			name: "broken JSON",
			file: func(t testing.TB, ev map[string]any) []byte {
				return []byte("{\n  \"slug\": \"" + ev["slug"].(string) + "\",\n  \"title\": {\"en\": \"Broken\"},\n" +
					"  \"timezone\": \"Europe/Berlin\"\n  \"status\": \"published\"\n}\n")
			},
			where:  []string{"line 5, column"},
			broken: true,
		},
		{
			name: "text where a number belongs",
			file: func(t testing.TB, ev map[string]any) []byte {
				ev["capacity"] = "many"
				return encode(t, ev)
			},
			where:  []string{"capacity"},
			broken: true,
		},
		{
			name: "misspelt field",
			file: func(t testing.TB, ev map[string]any) []byte {
				ev["sesions"] = ev["sessions"]
				return encode(t, ev)
			},
			where:  []string{"sesions"},
			broken: true,
		},
		{
			name: "unknown room",
			file: func(t testing.TB, ev map[string]any) []byte {
				object(t, ev, "sessions", panel)["room"] = "saal-9"
				return encode(t, ev)
			},
			where: []string{at(panel, "panel-sme", "room"), "saal-9"},
		},
		{
			name: "unknown speaker",
			file: func(t testing.TB, ev map[string]any) []byte {
				object(t, ev, "sessions", panel, "speakers", 1)["speaker"] = "nobody"
				return encode(t, ev)
			},
			where: []string{at(panel, "panel-sme", "speakers[1].speaker"), "nobody"},
		},
		{
			name: "end before start",
			file: func(t testing.TB, ev map[string]any) []byte {
				object(t, ev, "sessions", twins)["ends_at"] = object(t, ev, "sessions", opening)["starts_at"]
				return encode(t, ev)
			},
			where: []string{at(twins, "keynote-twins", "ends_at")},
		},
		{
			name: "missing title",
			file: func(t testing.TB, ev map[string]any) []byte {
				delete(object(t, ev, "sessions", lunch), "title")
				return encode(t, ev)
			},
			where: []string{at(lunch, "lunch", "title")},
		},
		{
			name: "unknown time zone",
			file: func(t testing.TB, ev map[string]any) []byte {
				ev["timezone"] = "Europe/Hanover"
				return encode(t, ev)
			},
			where: []string{"timezone", "Europe/Hanover"},
		},
		{
			// An organiser fixes a file in one go: every problem is named.
			name: "several problems",
			file: func(t testing.TB, ev map[string]any) []byte {
				object(t, ev, "sessions", panel)["room"] = "saal-9"
				delete(object(t, ev, "sessions", lunch), "title")
				return encode(t, ev)
			},
			where: []string{at(panel, "panel-sme", "room"), at(lunch, "lunch", "title")},
		},
	}
}

// TestImportRejectsBadProgrammes feeds broken programmes to `foyer import`
// and to the API, as a new event and as an update of the demo, and expects a
// refusal that names the place and a database left as it was.
func TestImportRejectsBadProgrammes(t *testing.T) {
	t.Parallel()
	in := startFoyer(t, Options{Demo: true})
	_, demo := demoProgramme(t, in)
	organiser := in.token(t, "organiser")
	before := snapshot(t, in, organiser)

	for _, bad := range badProgrammes(t, demo) {
		for _, update := range []bool{false, true} {
			slug, how := "bad-import", "new"
			if update {
				slug, how = demoSlug, "update"
			}
			t.Run(bad.name+"/"+how, func(t *testing.T) {
				ev := clone(t, demo)
				ev["slug"] = slug
				data := bad.file(t, ev)

				code, stdout, stderr := in.run(t, "import", writeFile(t, "bad.json", data))
				if code == 0 {
					t.Errorf("foyer import: exit status 0, want non-zero\nstdout: %s", stdout)
				}
				for _, w := range bad.where {
					if !strings.Contains(stderr, w) {
						t.Errorf("foyer import: stderr does not name %q:\n%s", w, stderr)
					}
				}
				if after := snapshot(t, in, organiser); after != before {
					t.Fatalf("foyer import of a bad file changed the database (before vs after):\n%s", snapshotDiff(t, before, after))
				}

				var r *Response
				if update {
					r = in.api(t, "PUT", "/api/v1/events/"+demoSlug, organiser, data)
				} else {
					r = in.api(t, "POST", "/api/v1/events", organiser, data)
				}
				status := http.StatusUnprocessableEntity
				if bad.broken {
					status = http.StatusBadRequest
				}
				e := r.Error(t, status)
				fields := strings.Join(slices.Collect(maps.Keys(e.Fields)), "\n") + "\n" + strings.Join(slices.Collect(maps.Values(e.Fields)), "\n")
				for i, w := range bad.where {
					// The first place is a key of fields; the others may sit in
					// a key or a message.
					if i == 0 && !bad.broken {
						if _, ok := e.Fields[w]; !ok {
							t.Errorf("%s %s: fields has no key %q: %v", r.Method, r.Path, w, e.Fields)
						}
						continue
					}
					if !strings.Contains(fields, w) {
						t.Errorf("%s %s: fields do not name %q: %v", r.Method, r.Path, w, e.Fields)
					}
				}
				if after := snapshot(t, in, organiser); after != before {
					t.Fatalf("%s %s with a bad body changed the database (before vs after):\n%s", r.Method, r.Path, snapshotDiff(t, before, after))
				}
			})
		}
	}
	in.api(t, "GET", "/api/v1/events/bad-import", organiser, nil).Error(t, http.StatusNotFound)
}

// TestAPIEventAuth checks who may create and change events through the API,
// and the answers for conflicts and bad bodies.
func TestAPIEventAuth(t *testing.T) {
	t.Parallel()
	in := startFoyer(t, Options{Demo: true})
	_, demo := demoProgramme(t, in)
	staff := in.token(t, "staff")
	organiser := in.token(t, "organiser")
	before := snapshot(t, in, organiser)

	fresh := clone(t, demo)
	fresh["slug"] = "api-forum"
	body := encode(t, fresh)

	// A valid body everywhere, so that only the credentials can be wrong.
	for _, req := range []struct{ method, path string }{
		{"POST", "/api/v1/events"},
		{"PUT", "/api/v1/events/" + demoSlug},
	} {
		data := body
		if req.method == "PUT" {
			data = encode(t, demo)
		}
		for _, c := range []struct {
			name   string
			header []string
			status int
		}{
			{"no token", nil, http.StatusUnauthorized},
			{"garbage token", []string{"Authorization", "Bearer garbage"}, http.StatusUnauthorized},
			{"forged token", []string{"Authorization", "Bearer " + forge(organiser)}, http.StatusUnauthorized},
			{"basic auth", []string{"Authorization", "Basic " + "b3JnYW5pc2VyOnBhc3N3b3Jk"}, http.StatusUnauthorized},
			{"staff token", []string{"Authorization", "Bearer " + staff}, http.StatusForbidden},
		} {
			t.Run(req.method+"/"+c.name, func(t *testing.T) {
				header := append([]string{"Content-Type", "application/json", "Accept", "application/json"}, c.header...)
				r := in.do(t, req.method, req.path, strings.NewReader(string(data)), header...)
				r.Error(t, c.status)
			})
		}
	}
	if after := snapshot(t, in, organiser); after != before {
		t.Fatalf("refused requests changed the database (before vs after):\n%s", snapshotDiff(t, before, after))
	}

	t.Run("organiser creates", func(t *testing.T) {
		r := in.api(t, "POST", "/api/v1/events", organiser, body).Want(t, http.StatusCreated)
		created := tree(t, r.Body)
		got := tree(t, in.get(t, "/api/v1/events/api-forum").Want(t, http.StatusOK).Body)
		if d := diffJSON("", created, got); len(d) > 0 {
			t.Errorf("the 201 answer differs from GET (answer vs GET):\n%s", strings.Join(d, "\n"))
		}
		if d := diffJSON("", fresh, got); len(d) > 0 {
			t.Errorf("GET differs from what was posted (posted vs GET):\n%s", strings.Join(d, "\n"))
		}
	})
	t.Run("existing slug", func(t *testing.T) {
		in.api(t, "POST", "/api/v1/events", organiser, body).Error(t, http.StatusConflict)
		in.api(t, "POST", "/api/v1/events", organiser, encode(t, demo)).Error(t, http.StatusConflict)
	})
	t.Run("bad body", func(t *testing.T) {
		ev := clone(t, fresh)
		panel := sessionIndex(t, ev, "panel-sme")
		object(t, ev, "sessions", panel)["room"] = "saal-9"
		e := in.api(t, "PUT", "/api/v1/events/api-forum", organiser, encode(t, ev)).Error(t, http.StatusUnprocessableEntity)
		if want := fmt.Sprintf("sessions[%d] \"panel-sme\".room", panel); e.Fields[want] == "" {
			t.Errorf("fields %v, want a message for %s", e.Fields, want)
		}
	})
	t.Run("broken JSON", func(t *testing.T) {
		in.api(t, "PUT", "/api/v1/events/api-forum", organiser, `{"slug": "api-forum",`).Error(t, http.StatusBadRequest)
		in.api(t, "POST", "/api/v1/events", organiser, `{"slug": "api-forum"`).Error(t, http.StatusBadRequest)
		in.api(t, "POST", "/api/v1/events", organiser, "{\"slug\": \"x\xff\"}").Error(t, http.StatusBadRequest)
	})
	t.Run("slug mismatch", func(t *testing.T) {
		e := in.api(t, "PUT", "/api/v1/events/api-forum", organiser, encode(t, demo)).Error(t, http.StatusUnprocessableEntity)
		if e.Fields["slug"] == "" {
			t.Errorf("fields %v, want a message for slug", e.Fields)
		}
	})
	t.Run("unknown event", func(t *testing.T) {
		ev := clone(t, fresh)
		ev["slug"] = "no-such-forum"
		in.api(t, "PUT", "/api/v1/events/no-such-forum", organiser, encode(t, ev)).Error(t, http.StatusNotFound)
	})
	t.Run("organiser updates", func(t *testing.T) {
		ev := clone(t, fresh)
		object(t, ev, "title")["en"] = "Renamed forum"
		in.api(t, "PUT", "/api/v1/events/api-forum", organiser, encode(t, ev)).Want(t, http.StatusOK)
		got := tree(t, in.get(t, "/api/v1/events/api-forum").Want(t, http.StatusOK).Body)
		if title := object(t, got, "title")["en"]; title != "Renamed forum" {
			t.Errorf("title after PUT: %v", title)
		}
	})
	t.Run("admin may too", func(t *testing.T) {
		admin := in.tokenFor(t, adminEmail)
		ev := clone(t, fresh)
		ev["status"] = "draft"
		in.api(t, "PUT", "/api/v1/events/api-forum", admin, encode(t, ev)).Want(t, http.StatusOK)
	})
	t.Run("drafts are not public", func(t *testing.T) {
		in.get(t, "/api/v1/events/api-forum", "Accept", "application/json").Error(t, http.StatusNotFound)
		in.api(t, "GET", "/api/v1/events/api-forum", staff, nil).Error(t, http.StatusNotFound)
		in.api(t, "GET", "/api/v1/events/api-forum", organiser, nil).Want(t, http.StatusOK)
		public, all := countEvents(t, in, ""), countEvents(t, in, organiser)
		if public != 1 || all != 2 {
			t.Errorf("GET /api/v1/events lists %d events to the public and %d to organisers, want 1 and 2", public, all)
		}
	})
}

// forge changes the last character of a token.
func forge(token string) string {
	last := token[len(token)-1]
	repl := byte('A')
	if last == 'A' {
		repl = 'B'
	}
	return token[:len(token)-1] + string(repl)
}

func countEvents(t testing.TB, in *Instance, token string) int {
	t.Helper()
	var list struct {
		Events []map[string]any `json:"events"`
	}
	in.api(t, "GET", "/api/v1/events", token, nil).Want(t, http.StatusOK).Decode(t, &list)
	return len(list.Events)
}

// TestTimeZone imports an event in Asia/Shanghai through the API and expects
// its local times everywhere: JSON, iCalendar and the event page.
func TestTimeZone(t *testing.T) {
	t.Parallel()
	in := startFoyer(t, Options{Demo: true})
	_, demo := demoProgramme(t, in)
	organiser := in.token(t, "organiser")

	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	// Every session keeps its wall-clock time half an hour later, in
	// Shanghai: the 09:00 registration becomes 09:30+08:00.
	local := func(s any) time.Time {
		v, err := time.Parse(time.RFC3339, s.(string))
		if err != nil {
			t.Fatal(err)
		}
		return time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute()+30, 0, 0, shanghai)
	}
	ev := clone(t, demo)
	ev["slug"] = "shanghai-forum"
	ev["timezone"] = "Asia/Shanghai"
	ev["starts_at"] = local(ev["starts_at"]).Format(time.RFC3339)
	ev["ends_at"] = local(ev["ends_at"]).Format(time.RFC3339)
	var firstStart time.Time
	for i, s := range node(t, ev, "sessions").([]any) {
		s := s.(map[string]any)
		start, end := local(s["starts_at"]), local(s["ends_at"])
		s["starts_at"], s["ends_at"] = start.Format(time.RFC3339), end.Format(time.RFC3339)
		if i == 0 {
			firstStart = start
			// Sent in UTC: foyer must show it in the event's zone anyway.
			s["starts_at"] = start.UTC().Format(time.RFC3339)
		}
	}
	if firstStart.Format("15:04") != "09:30" {
		t.Fatalf("the first demo session starts at %s in Shanghai, want 09:30: the demo changed", firstStart.Format("15:04"))
	}
	in.api(t, "POST", "/api/v1/events", organiser, encode(t, ev)).Want(t, http.StatusCreated)

	t.Run("JSON", func(t *testing.T) {
		got := tree(t, in.get(t, "/api/v1/events/shanghai-forum").Want(t, http.StatusOK).Body)
		if got["timezone"] != "Asia/Shanghai" {
			t.Errorf("timezone %v", got["timezone"])
		}
		want := firstStart.Format("2006-01-02") + "T09:30:00+08:00"
		if s := node(t, got, "sessions", 0, "starts_at"); s != want {
			t.Errorf("sessions[0].starts_at %v, want %s", s, want)
		}
		if s := got["starts_at"]; s != want {
			t.Errorf("starts_at %v, want %s", s, want)
		}
		for i, s := range node(t, got, "sessions").([]any) {
			for _, k := range []string{"starts_at", "ends_at"} {
				if v, _ := s.(map[string]any)[k].(string); !strings.HasSuffix(v, "+08:00") {
					t.Errorf("sessions[%d].%s = %q, want a +08:00 time", i, k, v)
				}
			}
		}
	})
	t.Run("iCalendar", func(t *testing.T) {
		r := in.get(t, "/events/shanghai-forum/schedule.ics").Want(t, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
			t.Errorf("Content-Type %q, want text/calendar", ct)
		}
		// Unfold continuation lines (RFC 5545 3.1) before looking for whole lines.
		ics := strings.ReplaceAll(strings.ReplaceAll(string(r.Body), "\r\n ", ""), "\r\n\t", "")
		lines := strings.Split(ics, "\r\n")
		want := "DTSTART;TZID=Asia/Shanghai:" + firstStart.Format("20060102") + "T093000"
		if !slices.Contains(lines, want) {
			t.Errorf("schedule.ics has no line %q:\n%s", want, apitest.Clip(ics, 1500))
		}
		// Every TZID used needs its VTIMEZONE (RFC 5545 3.6.5).
		if !slices.Contains(lines, "BEGIN:VTIMEZONE") || !slices.Contains(lines, "TZID:Asia/Shanghai") {
			t.Errorf("schedule.ics has no VTIMEZONE for Asia/Shanghai:\n%s", apitest.Clip(ics, 1500))
		}
	})
	t.Run("event page", func(t *testing.T) {
		page := string(in.get(t, "/events/shanghai-forum?lang=en").Want(t, http.StatusOK).Body)
		if !strings.Contains(page, "09:30") {
			t.Errorf("the event page does not show 09:30")
		}
		// 01:30 is UTC, 03:30 is Berlin: neither belongs on the page.
		for _, wrong := range []string{"01:30", "03:30"} {
			if strings.Contains(page, wrong) {
				t.Errorf("the event page shows %s, a time outside the event's zone", wrong)
			}
		}
	})
}
