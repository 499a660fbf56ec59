package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/waittest"
)

// TestAgendaShowsPlaces: the agenda says when a session has few places
// left and when it is full, in the reader's language, and follows the
// registrations within a moment although it is served from memory.
func TestAgendaShowsPlaces(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, intp(20), true))
	c := browserish(t)
	agenda := func(lang string) string {
		_, page := get(t, c, ta.srv.URL+"/events/forum?lang="+lang)
		i := strings.Index(page, `id="session-ws-maintenance"`)
		if i < 0 {
			t.Fatal("no workshop on the agenda")
		}
		return page[i : i+strings.Index(page[i:], "</article>")]
	}
	if w := agenda("de"); !strings.Contains(w, "Begrenzt auf 20 Plätze") || strings.Contains(w, "places-") {
		t.Errorf("empty workshop: %s", w)
	}
	register := func(from, to int) {
		for n := from; n <= to; n++ {
			var reg apiRegistration
			if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(n, map[string]any{"sessions": []string{"ws-maintenance"}}), &reg); code != http.StatusCreated {
				t.Fatalf("register %d: %d", n, code)
			}
		}
	}
	waitFor := func(lang, want string) {
		t.Helper()
		waittest.For(t, 10*time.Second, func() error {
			if w := agenda(lang); !strings.Contains(w, want) {
				return fmt.Errorf("agenda (%s) never said %q: %s", lang, want, w)
			}
			return nil
		})
	}
	register(1, 17)
	waitFor("de", "Nur noch 3 Plätze frei")
	waitFor("zh", "仅剩 3 个名额")
	register(18, 19)
	waitFor("de", "Nur noch 1 Platz frei")
	waitFor("en", "Only 1 place left")
	register(20, 21) // the 21st waits for the workshop
	waitFor("de", "Ausgebucht – Warteliste")
	waitFor("zh", "名额已满")
	waitFor("en", "Fully booked – waiting list")
}
