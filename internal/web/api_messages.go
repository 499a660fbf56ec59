package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/message"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

// readMessage reads and checks a message to an event's attendees.
func (s *Server) readMessage(c echo.Context) (*store.Event, *message.Message, error) {
	ev, err := s.app.Store.GetEvent(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return nil, nil, err
	}
	var m message.Message
	if err := decodeStrict(c, &m); err != nil {
		return nil, nil, err
	}
	if errs := m.Validate(ev.Event); errs != nil {
		p := problem(c, http.StatusUnprocessableEntity, "invalid")
		p.Fields = view.Fields(lang(c), errs)
		return nil, nil, p
	}
	return ev, &m, nil
}

// sendMessage is POST /api/v1/events/{slug}/messages: the message is
// queued for every recipient at once and answered 202 with their number;
// the mail worker sends it as it sends every email.
func (s *Server) sendMessage(c echo.Context) error {
	ev, m, err := s.readMessage(c)
	if err != nil {
		return err
	}
	sent, err := s.app.Store.SendMessage(c.Request().Context(), ev, m)
	if err != nil {
		return err
	}
	s.app.Log.Info("message queued", "event", ev.Slug, "message", sent.ID, "recipients", sent.Recipients, "user", currentUser(c).ID)
	return c.JSON(http.StatusAccepted, map[string]any{"id": sent.ID, "recipients": sent.Recipients})
}

// messagePreview is one language's version of a message as a recipient
// gets it.
type messagePreview struct {
	Language string `json:"language"` // what the email is written in (a fallback when the message lacks theirs)
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	HTML     string `json:"html"`
}

// previewMessage is POST /api/v1/events/{slug}/messages/preview: how many
// the message would reach, by their language, and the email each
// language's readers would get, shown for one of them (or an example
// guest), without sending anything.
func (s *Server) previewMessage(c echo.Context) error {
	ev, m, err := s.readMessage(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	counts, err := s.app.Store.Recipients(ctx, ev, m.To)
	if err != nil {
		return err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	previews := map[string]messagePreview{}
	for _, l := range languages.All {
		reg, err := s.app.Store.SampleRecipient(ctx, ev, m.To, l)
		if errors.Is(err, store.ErrNotFound) {
			reg = exampleGuest(ev, l)
		} else if err != nil {
			return err
		}
		// A recipient's manage link is theirs alone, not the preview's.
		shown := *reg
		shown.ManageToken = "preview"
		reg = &shown
		mail, err := s.app.Mailer.PreviewMessage(ctx, ev, m, reg)
		if err != nil {
			return err
		}
		previews[l] = messagePreview{Language: mail.Language, Subject: mail.Subject, Text: mail.Text, HTML: mail.HTML}
	}
	return c.JSON(http.StatusOK, map[string]any{
		"recipients": total, "by_language": counts, "missing": nonNil(m.Missing()), "previews": previews,
	})
}

// listMessages is GET /api/v1/events/{slug}/messages: the event's messages,
// newest first, with how many went out so far.
func (s *Server) listMessages(c echo.Context) error {
	ev, err := s.app.Store.GetEvent(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	list, err := s.app.Store.Messages(c.Request().Context(), ev)
	if err != nil {
		return err
	}
	if list == nil {
		list = []store.SentMessage{}
	}
	return c.JSON(http.StatusOK, map[string]any{"messages": list})
}

// exampleGuest stands in for a recipient in a preview when nobody among
// them reads that language.
func exampleGuest(ev *store.Event, lang string) *registration.Registration {
	r := &registration.Registration{Event: ev.Slug, Language: lang, Status: registration.Confirmed, ManageToken: "preview",
		FirstName: "Alex", LastName: "Example"}
	switch lang {
	case "de":
		r.FirstName, r.LastName, r.Salutation = "Anna", "Beispiel", "ms"
	case "zh":
		r.FirstName, r.LastName = "小明", "王"
	}
	return r
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
