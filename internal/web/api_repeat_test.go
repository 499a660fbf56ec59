package web

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/registration"
)

// TestRepeatRegistration: registering again with an address that is
// registered tells the caller nothing about that registration, and sends
// its email again at most once per interval, however often it is tried.
func TestRepeatRegistration(t *testing.T) {
	ta := startApp(t, true, smallForum("forum", nil, intp(40), true))
	const path = "/api/v1/events/forum/registrations"
	victim := person(1, map[string]any{"first_name": "Fang", "last_name": "Wang", "organisation": "Geheim Maschinenbau AG",
		"job_title": "Einkaufsleiterin", "email": "wang.fang@example.cn", "sessions": []string{"ws-maintenance"}})
	var first apiRegistration
	if code := ta.call(t, "POST", path, "", victim, &first); code != http.StatusCreated {
		t.Fatalf("register: %d", code)
	}
	ta.smtp.WaitFor(t, 1, 20*time.Second)

	secrets := []string{"Fang", "Wang", "Geheim", "Einkaufsleiterin", "ws-maintenance", "confirmed", `"id"`, "ticket", "/m/"}
	for i := range 60 {
		l := languages.All[i%3]
		stranger := person(100+i, map[string]any{"email": " Wang.Fang@EXAMPLE.cn", "language": l})
		data, _ := json.Marshal(stranger)
		code, body := rawCall(t, ta, "POST", path, data)
		if code != http.StatusOK {
			t.Fatalf("repeat %d: %d %s", i, code, body)
		}
		var answer map[string]string
		if err := json.Unmarshal([]byte(body), &answer); err != nil || len(answer) != 2 ||
			answer["result"] != "already_registered" || answer["message"] != i18n.T(l, "reg.done.repeat") {
			t.Fatalf("repeat %d answered %s", i, body)
		}
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Fatalf("repeat answer gives away %q: %s", s, body)
			}
		}
	}
	// Sixty repeats, one more email.
	waitForOutboxWithin(t, ta, 30*time.Second)
	if got := ta.smtp.Messages(); len(got) != 2 {
		t.Fatalf("%d emails after 60 repeats, want the first and one more", len(got))
	}
	db := ta.readOnly(t)
	var rows int
	if err := db.QueryRow("SELECT count(*) FROM outbox WHERE registration_id = ?", first.ID).Scan(&rows); err != nil || rows != 2 {
		t.Errorf("%d emails queued for the registration, want 2 (%v)", rows, err)
	}

	// The form says the same, and nothing about the registration either.
	c := browserish(t)
	res, page := submitForm(t, c, ta.srv.URL, "/events/forum/register?lang=de", "/events/forum/register", url.Values{
		"first_name": {"Eve"}, "last_name": {"Mallory"}, "email": {"wang.fang@example.cn"}, "country": {"DE"},
		"language": {"de"}, "consent": {"yes"}, "q.industry": {"research"},
	})
	if res.StatusCode != 200 || !strings.Contains(page, i18n.T("de", "reg.done.repeat")) {
		t.Errorf("form repeat: %d, page lacks the neutral text", res.StatusCode)
	}
	for _, s := range []string{"Fang", "Geheim", "Einkaufsleiterin", "Wartung", "Bestätigt"} {
		if strings.Contains(page, s) {
			t.Errorf("the page after a repeat gives away %q", s)
		}
	}

	// Once the interval has passed, a repeat sends the email again.
	rw, err := sql.Open("sqlite3", "file:"+filepath.Join(ta.dir, "foyer.db")+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	past := time.Now().Add(-registration.RepeatMailInterval - time.Minute).UTC().Format("2006-01-02T15:04:05.000000Z")
	if _, err := rw.Exec("UPDATE registrations SET repeat_mail_at = ? WHERE id = ?", past, first.ID); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if code := ta.call(t, "POST", path, "", victim, nil); code != http.StatusOK {
			t.Fatalf("repeat after the interval: %d", code)
		}
	}
	waitForOutboxWithin(t, ta, 30*time.Second)
	if got := ta.smtp.Messages(); len(got) != 3 {
		t.Errorf("%d emails after the interval, want 3", len(got))
	}
}

// rawCall posts a JSON body and returns the status and the body as sent.
func rawCall(t *testing.T, ta *testApp, method, path string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, ta.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(data)
}
