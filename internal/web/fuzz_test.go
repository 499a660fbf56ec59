package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/waittest"
)

// fuzzForum is the event the registration fuzzers register for: places
// for many, a session with sign-up and a required question.
func fuzzForum() *programme.Event { return smallForum("forum", intp(1_000_000), intp(1_000_000), true) }

// FuzzRegistrationJSON posts arbitrary bodies to the registration API of a
// real foyer (SQLite file, mail worker). Never a 5xx; every answer is the
// JSON the contract names; a registration that is accepted is stored as it
// was answered, and carries no ticket code or manage token in the answer.
// The seed corpus runs in every go test.
func FuzzRegistrationJSON(f *testing.F) {
	ta := startApp(f, false, fuzzForum())
	h := ta.srv.Config.Handler
	seed := func(extra map[string]any) []byte { b, _ := json.Marshal(person(1, extra)); return b }
	for _, b := range [][]byte{
		seed(nil), seed(map[string]any{"sessions": []string{"ws-maintenance"}}), seed(map[string]any{"first_name": "王", "last_name": "小明", "language": "zh"}),
		seed(map[string]any{"first_name": "<script>"}), seed(map[string]any{"email": "a@b"}), seed(map[string]any{"answers": map[string]any{"industry": []string{"x"}}}),
		seed(map[string]any{"sessions": []string{"opening", "opening"}}), seed(map[string]any{"salutation": "ms", "title": "prof_dr"}),
		[]byte(`{}`), []byte(`[]`), []byte(`null`), []byte(`{"first_name":"A"}}`), []byte("{\"first_name\":\"\xff\"}"), []byte(`{"consent":"yes"}`),
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/api/v1/events/forum/registrations", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		answer := rec.Body.Bytes()
		var got map[string]any
		if err := json.Unmarshal(answer, &got); err != nil {
			t.Fatalf("%d answer is not JSON: %q", rec.Code, answer)
		}
		switch rec.Code {
		case http.StatusCreated:
			if _, ok := got["ticket_code"]; ok {
				t.Fatalf("the public answer carries a ticket code: %s", answer)
			}
			if _, ok := got["manage_token"]; ok {
				t.Fatalf("the public answer carries a manage token: %s", answer)
			}
			id, _ := got["id"].(float64)
			reg, err := ta.app.Store.GetRegistration(context.Background(), int64(id))
			if err != nil {
				t.Fatalf("answered registration %v is not stored: %v", got["id"], err)
			}
			for field, stored := range map[string]string{"first_name": reg.FirstName, "last_name": reg.LastName, "email": reg.Email,
				"organisation": reg.Organisation, "status": reg.Status, "language": reg.Language} {
				if got[field] != stored {
					t.Fatalf("%s answered %q, stored %q", field, got[field], stored)
				}
			}
			for _, name := range []string{reg.FirstName, reg.LastName} {
				if name == "" || !utf8.ValidString(name) || strings.ContainsFunc(name, programme.IsControl) || strings.ContainsAny(name, "<>") {
					t.Fatalf("a name like %q was stored", name)
				}
			}
		case http.StatusOK:
			if len(got) != 2 || got["result"] != "already_registered" || got["message"] == "" {
				t.Fatalf("repeat answered %s", answer)
			}
		case http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge:
			e, _ := got["error"].(map[string]any)
			if e == nil || e["code"] == "" || e["message"] == "" {
				t.Fatalf("%d without the error shape: %s", rec.Code, answer)
			}
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, answer)
		}
	})
}

// FuzzRegistrationForm posts arbitrary form bodies (with a valid CSRF
// token) to the registration form of a real foyer. Never a 5xx and never a
// refused token: either the guest is registered (303 to the page after),
// or the form comes back with its messages.
func FuzzRegistrationForm(f *testing.F) {
	ta := startApp(f, false, fuzzForum())
	h := ta.srv.Config.Handler
	for _, s := range []string{
		"first_name=Anna&last_name=Schmidt&email=anna%40example.org&country=DE&language=de&consent=yes&q.industry=research",
		"first_name=Anna&last_name=Schmidt&email=anna%40example.org&consent=yes&q.industry=research&sessions=ws-maintenance&sessions=ws-maintenance",
		"first_name=%E7%8E%8B&last_name=%E5%B0%8F%E6%98%8E&email=w%40example.cn&language=zh&consent=yes&q.industry=research&salutation=mr",
		"first_name=%ff&last_name=%00", "email=%", "consent=yes&consent=no", "q.industry=research&q.industry=machinery",
		"first_name=" + strings.Repeat("A", 500), "", "&&&==", "_csrf=other",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, form string) {
		req := httptest.NewRequest("POST", "/events/forum/register", strings.NewReader("_csrf=fuzz-token&"+form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "foyer_csrf", Value: "fuzz-token"})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusSeeOther:
			if loc := rec.Header().Get("Location"); loc != "/events/forum/registered" {
				t.Fatalf("registered, then sent to %q", loc)
			}
			// The ticket email is written by the mail worker in the
			// background; waiting for it keeps what one input covers
			// the same from run to run, which the fuzzer needs to tell
			// new inputs from old ones.
			waitForOutbox(t, ta)
		case http.StatusUnprocessableEntity, http.StatusConflict, http.StatusBadRequest:
			if !strings.Contains(rec.Body.String(), "</html>") {
				t.Fatalf("%d without a page", rec.Code)
			}
		default:
			t.Fatalf("status %d for %q:\n%s", rec.Code, form, rec.Body.String())
		}
	})
}

// waitForOutbox waits until no email waits in ta's outbox.
func waitForOutbox(t testing.TB, ta *testApp) { waitForOutboxWithin(t, ta, 10*time.Second) }

// waitForOutboxWithin waits at most limit until no email waits in ta's
// outbox.
func waitForOutboxWithin(t testing.TB, ta *testApp, limit time.Duration) {
	t.Helper()
	waittest.For(t, limit, func() error {
		f, err := ta.app.Store.OutboxFigures(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if f.Waiting > 0 {
			return fmt.Errorf("%d emails still waiting", f.Waiting)
		}
		return nil
	})
}
