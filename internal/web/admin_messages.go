package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/message"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

// messagesPage is the composer of messages to attendees, with the
// preview of a draft and the messages sent before.
type messagesPage struct {
	adminFrame
	Subject, Body textField
	To            message.Audience
	CheckedIn     string // "", "true" or "false"
	Errors        map[string]string
	Previewed     bool
	Recipients    int
	ByLanguage    map[string]int
	Previews      []messagePreview
	Sent          []store.SentMessage
	Statuses      []string
}

func (s *Server) showMessages(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	return s.renderMessages(c, ev, &message.Message{}, nil, false, http.StatusOK)
}

func (s *Server) renderMessages(c echo.Context, ev *store.Event, m *message.Message, errs map[string]string, preview bool, status int) error {
	ctx := c.Request().Context()
	l := lang(c)
	frame, err := s.adminPageOf(c, ev, "messages", i18n.T(l, "editor.messages.title"))
	if err != nil {
		return err
	}
	if c.QueryParam("sent") != "" {
		frame.Alerts = append(frame.Alerts, adminAlert{Level: "success", Text: i18n.N(l, "editor.messages.queued", atoiOr(c.QueryParam("sent")))})
	}
	p := &messagesPage{adminFrame: frame, To: m.To, Errors: errs, Statuses: message.Statuses,
		Subject: newTextField("subject", i18n.T(l, "editor.messages.subject"), m.Subject, false, nil, ""),
		Body:    newTextField("body", i18n.T(l, "editor.messages.body"), m.Body, true, nil, "")}
	for _, f := range []*textField{&p.Subject, &p.Body} {
		for _, lg := range languages.All {
			if msg := errs[f.Name+"."+lg]; msg != "" {
				f.Errors[lg] = msg
			}
		}
		if msg := errs[f.Name]; msg != "" {
			f.Errors[""], f.Error = msg, msg
		}
	}
	if m.To.CheckedIn != nil {
		p.CheckedIn = map[bool]string{true: "true", false: "false"}[*m.To.CheckedIn]
	}
	if preview && errs == nil {
		p.Previewed = true
		if p.ByLanguage, err = s.app.Store.Recipients(ctx, ev, m.To); err != nil {
			return err
		}
		for _, n := range p.ByLanguage {
			p.Recipients += n
		}
		for _, lg := range languages.All {
			if p.ByLanguage[lg] == 0 {
				continue
			}
			reg, err := s.app.Store.SampleRecipient(ctx, ev, m.To, lg)
			if err != nil {
				return err
			}
			shown := *reg
			shown.ManageToken = "preview"
			mail, err := s.app.Mailer.PreviewMessage(ctx, ev, m, &shown)
			if err != nil {
				return err
			}
			p.Previews = append(p.Previews, messagePreview{Language: lg, Subject: mail.Subject, Text: mail.Text})
		}
	}
	if p.Sent, err = s.app.Store.Messages(ctx, ev); err != nil {
		return err
	}
	return s.renderAdmin(c, status, "messages", p)
}

// composeMessage is POST /admin/events/{slug}/messages: with preview set
// the draft comes back with its recipients and each language's email;
// with send, it is queued for every recipient.
func (s *Server) composeMessage(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	m := &message.Message{Subject: formText(form, "subject"), Body: formText(form, "body"),
		To: message.Audience{Status: form.Get("status"), Session: form.Get("session")}}
	switch form.Get("checked_in") {
	case "true":
		yes := true
		m.To.CheckedIn = &yes
	case "false":
		no := false
		m.To.CheckedIn = &no
	}
	if errs := m.Validate(ev.Event); errs != nil {
		return s.renderMessages(c, ev, m, view.Fields(lang(c), errs), false, http.StatusUnprocessableEntity)
	}
	if form.Get("send") == "" {
		return s.renderMessages(c, ev, m, nil, true, http.StatusOK)
	}
	sent, err := s.app.Store.SendMessage(c.Request().Context(), ev, m)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, links.Admin(ev.Slug, "messages")+"?sent="+itoaInt(sent.Recipients))
}

func atoiOr(s string) int {
	n := 0
	for _, r := range strings.TrimSpace(s) {
		if r < '0' || r > '9' {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	return n
}
