package web

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestManageCorrections: on the manage page a guest corrects their details
// and answers with the form's checks, but not the email address; and a
// session change that fails keeps the boxes the guest ticked.
func TestManageCorrections(t *testing.T) {
	ta := startApp(t, true, smallForum("forum", nil, intp(10), true))
	c := browserish(t)
	// The form asks the event's questions under their own heading.
	if _, page := get(t, c, ta.srv.URL+"/events/forum/register?lang=de"); !strings.Contains(page, "<legend>Einige Fragen</legend>") || !strings.Contains(page, `name="q.industry"`) {
		t.Error("the registration form lacks the event's questions under their heading")
	}
	link := registerAnna(t, ta, c)

	// A wrong correction: the form comes back open, with the reason in
	// German at the field and what the guest typed.
	bad := url.Values{"first_name": {"Anna"}, "last_name": {"<b>Schäfer</b>"}, "salutation": {"ms"}, "title": {"dr"},
		"organisation": {"Fraunhofer IFF"}, "country": {"DE"}, "language": {"de"}, "q.industry": {"machinery"}}
	res, page := submitForm(t, c, ta.srv.URL, link, link+"/details", bad)
	if res.StatusCode != 422 {
		t.Errorf("bad correction: %d, want 422", res.StatusCode)
	}
	for _, want := range []string{`<details class="edit" open>`, `id="last_name-error"`, "Namen dürfen", `value="Fraunhofer IFF"`, "<legend>Einige Fragen</legend>",
		`<option value="ms" selected>Frau</option>`, `value="machinery" checked`} {
		if !strings.Contains(page, want) {
			t.Errorf("after a wrong correction the page lacks %s", want)
		}
	}
	// A required answer left out is refused as on the form.
	_, page = submitForm(t, c, ta.srv.URL, link, link+"/details", url.Values{"first_name": {"Anna"}, "last_name": {"Schäfer"}, "language": {"de"}})
	if !strings.Contains(page, `field field-invalid`) {
		t.Error("a missing required answer was accepted")
	}

	// A good one, which also tries to change the address: the address stays.
	good := url.Values{"first_name": {"Anna"}, "last_name": {"Schäfer"}, "salutation": {"ms"}, "title": {"dr"},
		"email": {"mallory@example.org"}, "organisation": {"Fraunhofer IFF"}, "job_title": {"Leiterin"}, "country": {"AT"},
		"language": {"zh"}, "q.industry": {"machinery"}, "q.b2b": {"yes"}}
	res, page = submitForm(t, c, ta.srv.URL, link, link+"/details", good)
	if res.StatusCode != 200 || !strings.HasSuffix(res.Request.URL.RawQuery, "done=details") {
		t.Fatalf("correction: %d at %s", res.StatusCode, res.Request.URL)
	}
	org := ta.token(t, "organiser")
	regs := ta.registrations(t, "forum", org, "")
	if len(regs) != 1 {
		t.Fatalf("%d registrations", len(regs))
	}
	r := regs[0]
	if r.Email != "anna@example.de" || r.LastName != "Schäfer" || r.Salutation != "ms" || r.Title != "dr" ||
		r.Organisation != "Fraunhofer IFF" || r.Country != "AT" || r.Language != "zh" || r.Answers["industry"] != "machinery" || r.Answers["b2b"] != true {
		t.Errorf("stored after the correction: %+v", r)
	}
	if len(r.Sessions) != 1 || r.Status != "confirmed" {
		t.Errorf("the correction changed seats or status: %+v", r)
	}
	// The page follows the guest's new language when none is chosen.
	_, page = get(t, browserish(t), ta.srv.URL+link)
	if !strings.Contains(page, "Schäfer Anna 博士") {
		t.Error("the manage page does not show the corrected name in the guest's new language and order")
	}

	// Two workshops at the same time: refused, and both boxes stay ticked.
	res, page = submitForm(t, c, ta.srv.URL, link+"?lang=de", link+"/sessions", url.Values{"sessions": {"ws-maintenance", "ws-investment"}})
	if res.StatusCode != 422 || !strings.Contains(page, "gleichzeitig") {
		t.Errorf("overlapping sessions: %d", res.StatusCode)
	}
	for _, id := range []string{"ws-maintenance", "ws-investment"} {
		if !regexp.MustCompile(`value="` + id + `" checked`).MatchString(page) {
			t.Errorf("%s is not ticked any more after the failed change", id)
		}
	}
}
