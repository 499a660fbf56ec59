package web

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/net/html"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/mailtest"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
)

// The completeness test: every page and every email, rendered in German
// and in Chinese, shows no English word. "English" is any word of the
// English catalogue, or a common English word, that the page's own
// language does not use too (German says "Status" and "Workshop"; Chinese
// pages say "JSON"). Names, codes, addresses and the programme's own text
// in that language are the organisers' and guests' words, not foyer's, and
// are left out.

// commonEnglish are words a hard-coded English sentence in a template
// would hardly be without, beyond those of the English catalogue.
var commonEnglish = strings.Fields(`the and for with your you this that here from not are has have will can all more
	view back sign click open close next previous page email please yes when where what how who which there then
	than only also just about after before again other some any each every our their they was were been being
	would should could must may might into onto over under between while until because however instead
	powered organiser organisers registration register ticket event session sessions agenda cancel save print
	name details status date venue time waiting list confirmed pending place places seat seats full booked
	welcome thank thanks dear regards sincerely`)

// allowedEverywhere are words no language translates, and allowedIn the
// words a language shares with English: German says "Status", "Workshop"
// and "Ticket" too, and some German words are spelt as English ones are
// ("falls", if). Nothing else of English passes, whatever the
// catalogues say, so that English copied into a German or Chinese
// catalogue is found as well as a missing translation.
var (
	allowedEverywhere = strings.Fields(`foyer utc ics json xml frab api url get put post`)
	allowedIn         = map[string][]string{
		"de": strings.Fields(`status workshop workshops keynote networking name organisation ticket tickets session sessions
			online offline check-in check ins login team link spam code smartphone filter token forum version person
			optional server mail falls`),
	}
)

// englishCheck finds English words in the text of one language.
type englishCheck struct {
	lang    string
	english map[string]bool
	allowed map[string]bool
}

func newEnglishCheck(lang string, events ...*programme.Event) *englishCheck {
	c := &englishCheck{lang: lang, english: map[string]bool{}, allowed: map[string]bool{}}
	for _, w := range commonEnglish {
		c.english[w] = true
	}
	for _, k := range i18n.Keys("en") {
		for _, w := range latinWords(i18n.T("en", k)) {
			c.english[w] = true
		}
	}
	allow := func(s string) {
		for _, w := range latinWords(s) {
			c.allowed[w] = true
		}
	}
	for _, w := range append(allowedEverywhere, allowedIn[lang]...) {
		c.allowed[w] = true
	}
	// The programme's own words, as the organiser wrote them for lang.
	for _, e := range events {
		tr := func(t programme.Text) { allow(t.In(lang, e.DefaultLanguage)) }
		tr(e.Title)
		tr(e.Subtitle)
		tr(e.Description)
		tr(e.Venue.Name)
		tr(e.Venue.Address)
		tr(e.Registration.PrivacyText)
		for _, r := range e.Rooms {
			tr(r.Name)
		}
		for _, s := range e.Speakers {
			allow(s.Name)
			allow(s.NativeName)
			tr(s.Organisation)
			tr(s.JobTitle)
			tr(s.Bio)
		}
		for _, s := range e.Sessions {
			tr(s.Title)
			tr(s.Abstract)
			tr(s.Track)
		}
		for _, q := range e.Questions {
			tr(q.Label)
			for _, o := range q.Options {
				tr(o.Label)
			}
		}
	}
	return c
}

// codeLike are tokens that are addresses, codes or numbers, not words.
var codeLike = regexp.MustCompile(`[0-9@/\\_=#%{}<>]|\.[a-zA-Z]|^[a-z]+:`)

// latinWords returns the Latin-script words of s, lower case, leaving out
// tokens that are codes, addresses or numbers.
func latinWords(s string) []string {
	var out []string
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.Is(unicode.Han, r) || strings.ContainsRune("，。：；！？（）、“”„“《》·•–—|…", r)
	}) {
		if codeLike.MatchString(tok) {
			continue
		}
		for _, w := range strings.FieldsFunc(tok, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
			w = strings.Trim(strings.ToLower(w), "'")
			if len(w) >= 3 && !strings.ContainsFunc(w, func(r rune) bool { return r > unicode.MaxLatin1 && !unicode.Is(unicode.Latin, r) }) {
				out = append(out, w)
			}
		}
	}
	return out
}

// find returns the English words of text that lang does not use.
func (c *englishCheck) find(text string) []string {
	var found []string
	for _, w := range latinWords(text) {
		if c.english[w] && !c.allowed[w] && !slices.Contains(found, w) {
			found = append(found, w)
		}
	}
	return found
}

// visibleText is what a reader sees or hears of an HTML page in lang: its
// text and the attributes read out or shown (alt, title, placeholder,
// aria-label, an option group's label, a button's value), without scripts
// and styles, and without what is marked as another language (the
// language switch names each language in its own words: "English").
func visibleText(t *testing.T, lang, page string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "noscript":
				return
			}
			for _, a := range n.Attr {
				if a.Key == "lang" && !strings.HasPrefix(a.Val, lang) {
					return
				}
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "alt", "title", "placeholder", "aria-label", "label":
					b.WriteString(" " + a.Val + " ")
				case "value":
					if n.Data == "input" && slices.ContainsFunc(n.Attr, func(a html.Attribute) bool {
						return a.Key == "type" && (a.Val == "submit" || a.Val == "button")
					}) {
						b.WriteString(" " + a.Val + " ")
					}
				}
			}
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteString(" ")
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	return b.String()
}

// TestEnglishCheckCanFail: the check finds English left in German and
// Chinese text, and lets the languages' own words, names and codes pass.
func TestEnglishCheckCanFail(t *testing.T) {
	de, zh := newEnglishCheck("de"), newEnglishCheck("zh")
	for _, c := range []struct {
		check *englishCheck
		text  string
		want  []string
	}{
		{de, "Zurück zum Programm. Status: Bestätigt. Workshop, Session, Ticket, E-Mail an anna@example.org", nil},
		{de, "Your registration · Zurück zum Programm", []string{"your", "registration"}},
		{de, "Back to the programme", []string{"back", "the", "programme"}},
		{zh, "我的报名 · 日历（.ics） · JSON · foyer · UTC+2 · https://foyer.example/m/abc", nil},
		{zh, "我的报名 Waiting list", []string{"waiting", "list"}},
		{zh, "状态：Confirmed", []string{"confirmed"}},
	} {
		if got := c.check.find(c.text); !slices.Equal(got, c.want) {
			t.Errorf("%s: find(%q) = %v, want %v", c.check.lang, c.text, got, c.want)
		}
	}
	page := `<html lang="de"><body><p title="Back">Zurück</p><nav><a lang="en">English</a> <a lang="zh-Hans">中文</a></nav><script>var x = "the"</script></body></html>`
	if got := de.find(visibleText(t, "de", page)); !slices.Equal(got, []string{"back"}) {
		t.Errorf("on a page: %v, want [back] (the title seen, another language's name and scripts left out)", got)
	}
}

// TestEveryPageAndEmailTranslated renders every page a guest, an organiser
// or the door staff sees, and every kind of email, in German and in Chinese,
// and fails on an English word in what the reader sees.
func TestEveryPageAndEmailTranslated(t *testing.T) {
	demo := programme.Demo(time.Now())
	// One small event per language, with one place, approval and a
	// waiting list, on which guests go through every kind of email.
	tight := map[string]*programme.Event{}
	for _, lang := range []string{"de", "zh"} {
		tight[lang] = smallForum("tight-"+lang, intp(1), intp(1), true)
		tight[lang].Registration.Mode = "approval"
	}
	ta := startApp(t, true, demo, tight["de"], tight["zh"])
	ctx := context.Background()
	if _, err := ta.app.Store.CreateUser(ctx, "lena@example.org", "Lena Tür", store.RoleOrganiser, "a long password"); err != nil {
		t.Fatal(err)
	}
	org := ta.token(t, store.RoleOrganiser)
	slug := demo.Slug
	// mailsTo waits for n emails to the addresses for which is returns true.
	mailsTo := func(t *testing.T, n int, is func(addr string) bool) []mailtest.Received {
		var out []mailtest.Received
		ta.smtp.WaitUntil(t, 30*time.Second, func(all []mailtest.Received) bool {
			out = nil
			for _, m := range all {
				if is(m.To[0]) {
					out = append(out, m)
				}
			}
			return len(out) >= n
		})
		return out
	}

	for _, lang := range []string{"de", "zh"} {
		t.Run(lang, func(t *testing.T) {
			check := newEnglishCheck(lang, demo, tight[lang])
			look := func(what, page string) {
				t.Helper()
				if words := check.find(visibleText(t, lang, page)); len(words) > 0 {
					t.Errorf("%s (%s) shows English: %s", what, lang, strings.Join(words, ", "))
				}
			}
			q := "?lang=" + lang
			c := browserish(t)
			for _, p := range []struct{ what, path string }{
				{"home", "/" + q}, {"event page", "/events/" + slug + q}, {"speakers", "/events/" + slug + "/speakers" + q},
				{"form", "/events/" + slug + "/register" + q}, {"page after the form, opened alone", "/events/" + slug + "/registered" + q},
				{"login", "/login" + q},
			} {
				res, page := get(t, c, ta.srv.URL+p.path)
				if res.StatusCode != 200 {
					t.Fatalf("%s: %d", p.what, res.StatusCode)
				}
				look(p.what, page)
			}
			res, page := get(t, c, ta.srv.URL+"/events/no-such-event"+q)
			if res.StatusCode != 404 {
				t.Errorf("error page: %d", res.StatusCode)
			}
			look("error page", page)
			res, page = submitForm(t, c, ta.srv.URL, "/events/"+slug+"/register"+q, "/events/"+slug+"/register", url.Values{"email": {"no-at-sign"}})
			look("form with errors", page)
			_, page = submitForm(t, c, ta.srv.URL, "/login"+q, "/login", url.Values{"email": {"nobody@example.org"}, "password": {"wrong"}})
			look("failed sign-in", page)

			// A guest registers, in lang, and follows the email.
			name := map[string][2]string{"de": {"Anna", "Schäfer"}, "zh": {"小明", "王"}}[lang]
			first, last := name[0], name[1]
			email := "guest-" + lang + "@example.org"
			form := url.Values{"first_name": {first}, "last_name": {last}, "salutation": {"ms"}, "title": {"dr"}, "email": {email},
				"language": {lang}, "consent": {"yes"}, "q.industry": {"research"}, "sessions": {"ws-maintenance"}, "country": {"CN"}}
			_, page = submitForm(t, c, ta.srv.URL, "/events/"+slug+"/register"+q, "/events/"+slug+"/register", form)
			look("page after registering", page)
			_, page = submitForm(t, browserish(t), ta.srv.URL, "/events/"+slug+"/register"+q, "/events/"+slug+"/register", form)
			look("page after registering again", page)
			var link string
			for _, m := range mailsTo(t, 1, func(a string) bool { return a == email }) {
				p, err := m.Parse()
				if err != nil {
					t.Fatal(err)
				}
				link = manageLink.FindStringSubmatch(p.Text)[1]
			}
			guest := browserish(t)
			for _, p := range []struct{ what, path string }{
				{"manage page", link}, {"ticket", link + "/ticket"}, {"ticket A6", link + "/ticket?size=a6"},
			} {
				_, page := get(t, guest, ta.srv.URL+p.path)
				look(p.what, page)
			}
			_, page = submitForm(t, guest, ta.srv.URL, link, link+"/details", url.Values{"first_name": {""}, "language": {lang}})
			look("manage page, wrong correction", page)
			_, page = submitForm(t, guest, ta.srv.URL, link, link+"/sessions", url.Values{"sessions": {"ws-maintenance", "ws-investment"}})
			look("manage page, clashing sessions", page)
			_, page = submitForm(t, guest, ta.srv.URL, link, link+"/cancel", url.Values{})
			look("manage page, cancel confirmation", page)
			_, page = submitForm(t, guest, ta.srv.URL, link, link+"/cancel", url.Values{"confirm": {"yes"}})
			look("manage page, cancelled", page)
			_, page = get(t, guest, ta.srv.URL+link+"/ticket")
			look("ticket of a cancelled registration", page)

			// The organiser's overview and the check-in page.
			staff := browserish(t)
			submitForm(t, staff, ta.srv.URL, "/login"+q, "/login", url.Values{"email": {"lena@example.org"}, "password": {"a long password"}})
			for _, p := range []struct{ what, path string }{{"organiser overview", "/admin" + q}, {"check-in page", "/checkin/" + slug + q}} {
				res, page := get(t, staff, ta.srv.URL+p.path)
				if res.StatusCode != 200 {
					t.Errorf("%s: %d", p.what, res.StatusCode)
				}
				look(p.what, page)
			}

			// Every kind of email: on the tight event (one place, approval,
			// waiting list) guests go through each of them.
			n := map[string]int64{}
			reg := func(who string) {
				var r apiRegistration
				body := person(0, map[string]any{"email": who + "-" + lang + "@example.org", "language": lang,
					"first_name": "Anna", "last_name": "Schäfer", "sessions": []string{}})
				if code := ta.call(t, "POST", "/api/v1/events/tight-"+lang+"/registrations", "", body, &r); code != 201 {
					t.Fatalf("register %s: %d", who, code)
				}
				n[who] = r.ID
			}
			act := func(who, action string) {
				if code := ta.call(t, "POST", fmt.Sprintf("/api/v1/registrations/%d/%s", n[who], action), org, nil, nil); code != 200 {
					t.Fatalf("%s %s: %d", action, who, code)
				}
			}
			reg("a")            // pending
			act("a", "approve") // approved
			reg("b")
			act("b", "approve") // waitlisted: the one place is taken
			reg("c")
			act("c", "reject") // rejected
			act("a", "cancel") // cancelled, and b promoted
			act("b", "resend") // confirmed
			kinds := 0
			toTight := func(a string) bool {
				return slices.Contains([]string{"a-", "b-", "c-"}, a[:2]) && strings.HasSuffix(a, "-"+lang+"@example.org")
			}
			// a: pending, approved, cancelled; b: pending, waitlisted,
			// promoted, resent; c: pending, rejected.
			for _, m := range mailsTo(t, 9, func(a string) bool {
				if len(a) > 2 && toTight(a) {
					return true
				}
				return false
			}) {
				p, err := m.Parse()
				if err != nil {
					t.Fatal(err)
				}
				kinds++
				look("email "+p.Subject, p.HTML)
				if words := check.find(p.Subject + "\n" + p.Text); len(words) > 0 {
					t.Errorf("email %q (%s), text part, shows English: %s", p.Subject, lang, strings.Join(words, ", "))
				}
			}
			if kinds < 9 {
				t.Errorf("%d emails in %s checked, want every kind (9)", kinds, lang)
			}
		})
	}
}
