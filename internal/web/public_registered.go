package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

// The page after registering says what happened: to which address the
// email went, the status (confirmed, waiting list, waiting for approval)
// and what comes next. The form redirects to it (a reload must not
// register twice), so the registration travels in a cookie that this
// server signed, valid for a few minutes on the event's pages: never the
// manage token, which goes by email only, and nothing in the URL.

const (
	doneCookie = "foyer_done"
	doneFor    = 15 * time.Minute
)

// doneKey signs the cookie. A new one at every start is enough: after a
// restart the page falls back to its general thanks.
var doneKey = func() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err)
	}
	return k
}()

func doneMAC(payload string) string {
	m := hmac.New(sha256.New, doneKey)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// setDone remembers the registration for the page after the form.
func setDone(c echo.Context, slug string, id int64, existing bool) {
	payload := fmt.Sprintf("%d.%t.%d", id, existing, time.Now().Add(doneFor).Unix())
	c.SetCookie(&http.Cookie{
		Name: doneCookie, Value: payload + "." + doneMAC(payload), Path: links.Event(slug),
		MaxAge: int(doneFor.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isTLS(c),
	})
}

// doneRegistration reads the cookie: the registration's id and whether
// the form found an existing one. ok is false without a valid cookie.
func doneRegistration(c echo.Context) (id int64, existing, ok bool) {
	ck, err := c.Cookie(doneCookie)
	if err != nil {
		return 0, false, false
	}
	i := strings.LastIndexByte(ck.Value, '.')
	if i < 0 || !hmac.Equal([]byte(ck.Value[i+1:]), []byte(doneMAC(ck.Value[:i]))) {
		return 0, false, false
	}
	parts := strings.Split(ck.Value[:i], ".")
	if len(parts) != 3 {
		return 0, false, false
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	until, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || time.Now().Unix() > until {
		return 0, false, false
	}
	return id, parts[1] == "true", true
}

// registeredPage is the page after the form.
type registeredPage struct {
	eventView
	// Reg is the new registration; nil when the address was registered
	// already (the page then says nothing about that registration) or the
	// page is opened without the form.
	Reg      *registration.Registration
	Email    string // where the email went, for a new registration
	Repeat   bool
	Sessions []sessionChoice
}

func (s *Server) showRegistered(c echo.Context) error {
	v, ev, err := s.eventView(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	p := &registeredPage{eventView: *v}
	if reg := s.doneRegistration(c, ev); reg != nil {
		p.Repeat = reg.repeat
		if !reg.repeat {
			p.Reg, p.Email = reg.Registration, reg.Email
			p.Sessions, _, err = s.sessionChoices(c, ev, nil, reg.Sessions)
			if err != nil {
				return err
			}
			p.Sessions = chosenOnly(p.Sessions)
		}
	}
	return s.render(c, http.StatusOK, "registered", p)
}

type doneReg struct {
	*registration.Registration
	repeat bool
}

// doneRegistration loads the registration the cookie names, if it belongs
// to this event.
func (s *Server) doneRegistration(c echo.Context, ev *store.Event) *doneReg {
	id, existing, ok := doneRegistration(c)
	if !ok {
		return nil
	}
	reg, err := s.app.Store.GetRegistration(c.Request().Context(), id)
	if err != nil || reg.Event != ev.Slug {
		return nil
	}
	return &doneReg{Registration: reg, repeat: existing}
}

func chosenOnly(choices []sessionChoice) []sessionChoice {
	var out []sessionChoice
	for _, sc := range choices {
		if sc.Seat != "" {
			out = append(out, sc)
		}
	}
	return out
}

// eventICS is the event as one calendar entry, for "add to calendar" on
// the page after registering; with the cookie of that page it adds the
// sessions whose seat is confirmed.
func (s *Server) eventICS(c echo.Context) error {
	ev, err := s.publishedEvent(c)
	if err != nil {
		return err
	}
	useEventLanguage(c, ev.Event)
	l := lang(c)
	var sessions []string
	if reg := s.doneRegistration(c, ev); reg != nil && !reg.repeat {
		c.Response().Header().Set("Cache-Control", "no-store")
		for _, seat := range reg.Sessions {
			if seat.Status == registration.Confirmed {
				sessions = append(sessions, seat.ID)
			}
		}
	}
	data := programme.InviteICS(ev.Public(), l, s.app.Config.BaseURL, sessions, view.SpeakerLines(l))
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+ev.Slug+`.ics"`)
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", data)
}
