package outbox

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/mail"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/view"
)

// errNoInvitationToken fails an invitation's email whose token is gone:
// the invitation was accepted or replaced while its email waited.
var errNoInvitationToken = errors.New("outbox: the invitation's link is no longer valid")

// invitationView is what the invitation templates see.
type invitationView struct {
	Lang  string
	Name  string
	Site  string // the installation's name, or its host
	Role  string
	Link  string
	Until string // when the link stops working, in the invitee's words
	Login string
	Brand mailBrand
}

// composeInvitation writes an invitation to the team in the language the
// admin chose, with the link that sets the first password.
func (m *Worker) composeInvitation(ctx context.Context, it store.OutboxItem) (*mail.Message, error) {
	if it.Secret == "" {
		return nil, errNoInvitationToken
	}
	inv, err := m.store.InvitationByID(ctx, it.InvitationID)
	if err != nil {
		return nil, err
	}
	defaults, _, err := m.store.OrganiserDefaults(ctx)
	if err != nil {
		return nil, err
	}
	lang := inv.Language
	v := &invitationView{
		Lang: lang, Name: inv.User.Name, Site: defaults.Name,
		Role:  i18n.T(lang, "team.role."+inv.User.Role),
		Link:  links.Absolute(m.cfg.BaseURL, links.Invite(it.Secret)),
		Until: i18n.Stamp(lang, inv.ExpiresAt.UTC()) + " UTC",
		Login: links.Absolute(m.cfg.BaseURL, "/login"),
		Brand: mailBrand{Name: defaults.Name, Email: defaults.Email, Colour: view.ReadableColour(defaults.Colour)},
	}
	if v.Site == "" {
		if u, err := url.Parse(m.cfg.BaseURL); err == nil && u.Host != "" {
			v.Site = u.Host
		} else {
			v.Site = "foyer"
		}
	}
	if v.Brand.Colour == "" {
		v.Brand.Colour = defaultMailColour
	}
	switch l := defaults.Logo; {
	case strings.HasPrefix(l, "/"):
		v.Brand.Logo = links.Absolute(m.cfg.BaseURL, l)
	case strings.HasPrefix(l, "https://"), strings.HasPrefix(l, "http://"):
		v.Brand.Logo = l
	}
	var html, text bytes.Buffer
	if err := m.html.ExecuteTemplate(&html, "invitation.html", v); err != nil {
		return nil, err
	}
	if err := m.text.ExecuteTemplate(&text, "invitation.txt", v); err != nil {
		return nil, err
	}
	return &mail.Message{
		From:     sender(m.cfg.MailFrom, v.Site),
		To:       inv.User.Email,
		ToName:   inv.User.Name,
		Subject:  i18n.T(lang, "invite.mail.subject", v.Site),
		Text:     text.String(),
		HTML:     html.String(),
		ID:       "foyer." + itoa(it.ID) + ".invitation." + itoa(inv.ID),
		Language: lang,
	}, nil
}
