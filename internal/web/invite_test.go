package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/mailtest"
	"github.com/foyer-events/foyer/internal/store"
)

// inviteLink finds the invitation link in an email sent with
// FOYER_BASE_URL http://foyer.test.
var inviteLink = regexp.MustCompile(`http://foyer\.test(/invite/([A-Za-z0-9_-]+))`)

// invitationMail waits for the n-th email at the SMTP server, checks that
// it went to "to" in lang with the link in both its parts and the usual
// signature separator in its text, and returns it
// with the link's path.
func invitationMail(t *testing.T, ta *testApp, n int, to, lang string) (*mailtest.Parsed, string) {
	t.Helper()
	msgs := ta.smtp.WaitFor(t, n, 15*time.Second)
	p, err := msgs[n-1].Parse()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.To) != 1 || p.To[0].Address != to {
		t.Fatalf("email %d went to %v, want %s", n, p.To, to)
	}
	if got := p.Header.Get("Content-Language"); got != lang {
		t.Errorf("email to %s: Content-Language %q, want %q", to, got, lang)
	}
	m := inviteLink.FindStringSubmatch(p.Text)
	if m == nil || !strings.Contains(p.HTML, m[0]) {
		t.Fatalf("email to %s: no invitation link in both parts:\n%s", to, p.Text)
	}
	if !strings.Contains(p.Text, "\n-- \n") {
		t.Errorf("email to %s: the text part has no signature separator \"-- \":\n%s", to, p.Text)
	}
	return p, m[1]
}

// invitePost sends the invitation form to path with the browser's CSRF
// token, without following a redirect.
func invitePost(t *testing.T, ta *testApp, c *http.Client, path string, values url.Values) (*http.Response, string) {
	t.Helper()
	// The sign-in page's token: a link that no longer works has no form.
	res, page := get(t, c, ta.srv.URL+"/login")
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("/login (%d) has no _csrf field", res.StatusCode)
	}
	values.Set("_csrf", m[1])
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	defer func() { c.CheckRedirect = nil }()
	res, err := c.PostForm(ta.srv.URL+path, values)
	if err != nil {
		t.Fatal(err)
	}
	return res, html.UnescapeString(readAll(t, res))
}

// TestInvitation: an admin invites a new organiser in German; the email
// reaches a real SMTP server in German with the link; the link's page
// refuses a short password and two different ones naming the field, then
// sets the password and signs in; a second use fails. An invitation in
// Chinese expires after 7 days by the server's clock; a new one replaces
// it and works, until the account is disabled. The audit log has every
// invitation sent and accepted, and no token reaches the log.
func TestInvitation(t *testing.T) {
	ta := startApp(t, true)
	admin := browserish(t)
	adminEmail := signIn(t, ta, admin, "admin")

	// Invited by default when mail is configured.
	_, page := get(t, admin, ta.srv.URL+"/admin/team?lang=en")
	if !regexp.MustCompile(`value="invite" checked`).MatchString(page) {
		t.Errorf("the team page does not offer the invitation first with SMTP set up")
	}
	res, page := teamPost(t, ta, admin, "/admin/team", url.Values{"email": {"jonas.weber@example.org"}, "name": {"Jonas Weber"},
		"role": {"organiser"}, "delivery": {"invite"}, "language": {"de"}})
	if res.StatusCode != http.StatusCreated || !strings.Contains(page, "An invitation is on its way to jonas.weber@example.org") {
		t.Fatalf("invite: %d %.800s", res.StatusCode, page)
	}
	if secretShown.MatchString(page) {
		t.Errorf("an invited account's page shows a password")
	}
	mail, link := invitationMail(t, ta, 1, "jonas.weber@example.org", "de")
	for _, want := range []string{"Hallo Jonas Weber,", "Rolle „Veranstalter“", "Passwort wählen", "gilt bis"} {
		if !strings.Contains(mail.Text, want) {
			t.Errorf("German invitation lacks %q:\n%s", want, mail.Text)
		}
	}
	if mail.Subject != "Ihre Einladung zu foyer.test" {
		t.Errorf("subject %q", mail.Subject)
	}

	// The invited person, in a browser of their own: the page in German.
	jonas := browserish(t)
	res, page = get(t, jonas, ta.srv.URL+link)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "Willkommen, Jonas Weber.") || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("invitation page: %d %q %.600s", res.StatusCode, res.Header.Get("Cache-Control"), page)
	}
	bad := []struct {
		name            string
		password, again string
		want            string
	}{
		{"short", "kurz", "kurz", "Passwort: Es muss mindestens 10 Zeichen haben; es hat 4."},
		{"empty", "", "", "Passwort: Es muss mindestens 10 Zeichen haben; es hat 0."},
		{"different", "ein langes Passwort", "ein anderes Passwort", "Passwort wiederholen: Die beiden Passwörter stimmen nicht überein."},
	}
	for _, b := range bad {
		res, page = invitePost(t, ta, jonas, link, url.Values{"password": {b.password}, "password_again": {b.again}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, b.want) {
			t.Errorf("%s password: %d, want 422 with %q: %.1500s", b.name, res.StatusCode, b.want, page)
		}
	}
	res, _ = invitePost(t, ta, jonas, link, url.Values{"password": {"ein langes Passwort"}, "password_again": {"ein langes Passwort"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin" {
		t.Fatalf("accept: %d to %q, want 303 to /admin", res.StatusCode, res.Header.Get("Location"))
	}
	if res, page = get(t, jonas, ta.srv.URL+"/admin"); res.StatusCode != http.StatusOK || !strings.Contains(page, "Jonas Weber") {
		t.Errorf("signed in after accepting: %d", res.StatusCode)
	}
	if _, ok := signInWith(t, ta, "jonas.weber@example.org", "ein langes Passwort"); !ok {
		t.Errorf("the chosen password does not sign in")
	}

	// A second use: a clear page, in the invitation's language, never the form.
	again := browserish(t)
	res, page = get(t, again, ta.srv.URL+link)
	if res.StatusCode != http.StatusGone || !strings.Contains(page, "Die Einladung wurde bereits genutzt") || strings.Contains(page, `name="password"`) {
		t.Errorf("second visit: %d %.600s", res.StatusCode, page)
	}
	if res, page = invitePost(t, ta, jonas, link, url.Values{"password": {"ein drittes Passwort"}, "password_again": {"ein drittes Passwort"}}); res.StatusCode != http.StatusGone {
		t.Errorf("second use: %d %.400s", res.StatusCode, page)
	}
	if _, ok := signInWith(t, ta, "jonas.weber@example.org", "ein drittes Passwort"); ok {
		t.Errorf("a second use of the link changed the password")
	}

	// In Chinese, expired after 7 days by the server's clock.
	res, page = teamPost(t, ta, admin, "/admin/team", url.Values{"email": {"li.mei@example.org"}, "name": {"李梅"},
		"role": {"staff"}, "delivery": {"invite"}, "language": {"zh"}})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("invite in Chinese: %d %.500s", res.StatusCode, page)
	}
	mail, expired := invitationMail(t, ta, 2, "li.mei@example.org", "zh")
	if mail.Subject != "foyer.test 邀请您加入团队" || !strings.Contains(mail.Text, "李梅，您好：") || !strings.Contains(mail.Text, "角色为“签到人员”") {
		t.Errorf("Chinese invitation: %q\n%s", mail.Subject, mail.Text)
	}
	// No space after a full-width colon.
	if !strings.Contains(mail.Text, "登录：http://foyer.test/login") || !strings.Contains(mail.HTML, "登录：<a href") {
		t.Errorf("Chinese invitation: the sign-in address does not follow its colon:\n%s", mail.Text)
	}
	ta.clock.Advance(store.InvitationLifetime + time.Minute)
	mei := browserish(t)
	if res, page = get(t, mei, ta.srv.URL+expired); res.StatusCode != http.StatusGone || !strings.Contains(page, "邀请已过期") {
		t.Errorf("expired invitation: %d %.600s", res.StatusCode, page)
	}
	if res, _ = invitePost(t, ta, mei, expired, url.Values{"password": {"一个很长的密码一个很长的密码"}, "password_again": {"一个很长的密码一个很长的密码"}}); res.StatusCode != http.StatusGone {
		t.Errorf("accepting an expired invitation: %d", res.StatusCode)
	}

	// A new invitation, in English this time, from the account's page.
	var meiID int64
	queryDB(t, ta, "SELECT id FROM users WHERE email = 'li.mei@example.org'", nil, &meiID)
	member := fmt.Sprintf("/admin/team/%d", meiID)
	if _, page = get(t, admin, ta.srv.URL+member+"?lang=en"); !strings.Contains(page, "Send a new invitation") {
		t.Errorf("the page of an account never signed in offers no new invitation")
	}
	if res, page = teamPost(t, ta, admin, member+"/invite", url.Values{"language": {"en"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new invitation: %d %.500s", res.StatusCode, page)
	}
	mail, fresh := invitationMail(t, ta, 3, "li.mei@example.org", "en")
	if !strings.Contains(mail.Text, "Hello 李梅,") || !strings.Contains(mail.Text, "Staff (check-in)") {
		t.Errorf("English invitation:\n%s", mail.Text)
	}
	if res, page = get(t, mei, ta.srv.URL+fresh); res.StatusCode != http.StatusOK || !strings.Contains(page, `name="password"`) {
		t.Errorf("new invitation: %d", res.StatusCode)
	}
	if res, page = get(t, mei, ta.srv.URL+expired); res.StatusCode != http.StatusGone || !strings.Contains(page, "此邀请已被新邀请取代") {
		t.Errorf("the replaced invitation: %d %.600s", res.StatusCode, page)
	}
	// An account that has signed in gets no invitation.
	var jonasID int64
	queryDB(t, ta, "SELECT id FROM users WHERE email = 'jonas.weber@example.org'", nil, &jonasID)
	if res, _ = teamPost(t, ta, admin, fmt.Sprintf("/admin/team/%d/invite", jonasID), url.Values{"language": {"en"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("invite an account that has signed in: %d, want 409", res.StatusCode)
	}

	// Disabled: the open invitation cannot be accepted.
	if res, _ = teamPost(t, ta, admin, member, url.Values{"name": {"李梅"}, "role": {"staff"}, "disabled": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", res.StatusCode)
	}
	if res, page = invitePost(t, ta, mei, fresh+"?lang=en", url.Values{"password": {"a long password"}, "password_again": {"a long password"}}); res.StatusCode != http.StatusForbidden ||
		!strings.Contains(page, "Account disabled") {
		t.Errorf("a disabled account accepts: %d %.500s", res.StatusCode, page)
	}
	if _, err := ta.app.Store.Authenticate(context.Background(), "li.mei@example.org", "a long password"); err == nil {
		t.Errorf("the disabled account got a password")
	}
	if res, page = get(t, mei, ta.srv.URL+"/invite/not-a-token"); res.StatusCode != http.StatusNotFound || !strings.Contains(page, "invite-state") {
		t.Errorf("unknown invitation: %d %.400s", res.StatusCode, page)
	}

	// On record: three invitations by the admin, one acceptance by Jonas.
	var sent, accepted int
	queryDB(t, ta, "SELECT count(*) FROM audit_log WHERE action = 'user.invite' AND actor = ?", []any{adminEmail}, &sent)
	queryDB(t, ta, "SELECT count(*) FROM audit_log WHERE action = 'user.invite_accept' AND actor = 'jonas.weber@example.org'", nil, &accepted)
	if sent != 3 || accepted != 1 {
		t.Errorf("audit log: %d invitations sent, %d accepted; want 3 and 1", sent, accepted)
	}
	logs := ta.logs.String()
	for _, l := range []string{link, expired, fresh} {
		token := l[len("/invite/"):]
		if strings.Contains(logs, token) {
			t.Errorf("the log has an invitation's token")
		}
	}
	if !strings.Contains(logs, "/invite/:token") {
		t.Errorf("the log has no request to an invitation page: the redaction is not shown to work")
	}
	if strings.Contains(logs, "level=ERROR") {
		t.Errorf("errors in the log:\n%s", logs)
	}
}
