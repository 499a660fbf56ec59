package web

import (
	"encoding/csv"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// trickyPerson is a row of testdata/people/attendees-tricky.csv.
type trickyPerson struct {
	fields map[string]string // form field -> value as in the file
	expect string            // ok, repeat or refused:FIELD
}

func (p trickyPerson) email() string { return strings.TrimSpace(p.fields["email"]) }

func trickyPeople(t *testing.T) []trickyPerson {
	t.Helper()
	f, err := os.Open("../../testdata/people/attendees-tricky.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := rows[0]
	var people []trickyPerson
	for _, row := range rows[1:] {
		p := trickyPerson{fields: map[string]string{}}
		for i, col := range header {
			if col == "expect" {
				p.expect = row[i]
			} else {
				p.fields[col] = row[i]
			}
		}
		people = append(people, p)
	}
	return people
}

// TestTrickyAttendees registers every row of the tricky people through the
// form: each one either registers and comes back as typed (escaped) on the
// manage page and in the email, is recognised as a repeat, or is refused
// with a message at the field the file names and the input kept. Never a
// 500, never a record of a refused row.
func TestTrickyAttendees(t *testing.T) {
	people := trickyPeople(t)
	ta := startApp(t, true, smallForum("forum", nil, nil, true))
	registered := map[string]trickyPerson{} // lower-case email -> row
	repeats := 0
	for _, p := range people {
		values := url.Values{"consent": {"yes"}, "q.industry": {"research"}}
		for k, v := range p.fields {
			values.Set(k, v)
		}
		c := browserish(t)
		res, body := submitForm(t, c, ta.srv.URL, "/events/forum/register", "/events/forum/register", values)
		field, refused := strings.CutPrefix(p.expect, "refused:")
		switch {
		case refused:
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%q: status %d, want 422 at %s", p.fields["last_name"], res.StatusCode, field)
				continue
			}
			if !strings.Contains(body, `id="`+field+`-error"`) {
				t.Errorf("%q refused without a message at %s", p.fields["last_name"], field)
			}
			// The input is kept in the form, escaped.
			if v := p.email(); v != "" && !strings.Contains(html.UnescapeString(body), `value="`+v+`"`) {
				t.Errorf("%s: email not kept in the form", v)
			}
		case res.StatusCode != http.StatusOK || !strings.HasSuffix(res.Request.URL.Path, "/registered"):
			t.Errorf("%s (%s): status %d at %s", p.email(), p.expect, res.StatusCode, res.Request.URL)
		case p.expect == "repeat":
			repeats++
		default:
			registered[strings.ToLower(p.email())] = p
		}
	}
	org := ta.token(t, "organiser")
	if got := ta.registrations(t, "forum", org, ""); len(got) != len(registered) {
		t.Errorf("%d registrations stored, want %d", len(got), len(registered))
	}
	// Each registration's email, and one more for each repeat.
	msgs := ta.smtp.WaitFor(t, len(registered)+repeats, 30*time.Second)
	for _, m := range msgs {
		parsed, err := m.Parse()
		if err != nil {
			t.Fatal(err)
		}
		p, ok := registered[strings.ToLower(m.To[0])]
		if !ok {
			t.Errorf("email to %s, who did not register", m.To[0])
			continue
		}
		for _, k := range []string{"first_name", "last_name"} {
			v := strings.TrimSpace(p.fields[k])
			if !strings.Contains(parsed.Text, v) {
				t.Errorf("text email to %s lacks %q", m.To[0], v)
			}
			if !strings.Contains(html.UnescapeString(parsed.HTML), v) {
				t.Errorf("HTML email to %s lacks %q", m.To[0], v)
			}
		}
		if strings.Contains(parsed.HTML, "<script>") {
			t.Errorf("HTML email to %s contains a raw script tag", m.To[0])
		}
		link := manageLink.FindStringSubmatch(parsed.Text)
		if link == nil {
			t.Fatalf("no manage link to %s", m.To[0])
		}
		res, err := http.Get(ta.srv.URL + link[1])
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		// html/template escapes more than html.EscapeString (+ as &#43;),
		// so compare the text as a browser shows it.
		for _, k := range []string{"first_name", "last_name", "email", "organisation", "job_title"} {
			if v := strings.TrimSpace(p.fields[k]); v != "" && !strings.Contains(html.UnescapeString(string(page)), v) {
				t.Errorf("manage page of %s lacks %s %q", m.To[0], k, v)
			}
		}
		if strings.Contains(string(page), "<script>") || strings.Contains(string(page), "<img src=x") {
			t.Errorf("manage page of %s contains raw markup from the input", m.To[0])
		}
	}
}
