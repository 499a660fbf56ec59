package outbox

import (
	"bytes"
	"context"
	netmail "net/mail"
	"strconv"
	"strings"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/mail"
	"github.com/foyer-events/foyer/internal/message"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/ticket"
	"github.com/foyer-events/foyer/internal/view"
)

// mailView is what the email templates see.
type mailView struct {
	Kind string
	Lang string
	// Greeting opens the letter in the attendee's form of address.
	Greeting string
	Fallback string
	Reg      *registration.Registration
	Event    *programme.Event
	Sessions []mailSession
	// Ticket is set when the email carries the QR ticket.
	Ticket    bool
	ManageURL string
	EventURL  string
	// Message is the body the organisers wrote, for kind message.
	Message string
	// Brand is the organiser the email comes from.
	Brand mailBrand
}

// mailBrand is the organiser as an email shows it: every address absolute,
// the colour one that reads on white.
type mailBrand struct {
	Name    string
	Logo    string
	Colour  string
	Email   string
	Imprint string
	Privacy string
}

// defaultMailColour is the accent of emails whose organiser names none.
const defaultMailColour = "#0b4f8a"

// brand builds the organiser's brand for an event's emails.
func (m *Worker) brand(ctx context.Context, ev *store.Event) (mailBrand, error) {
	defaults, _, err := m.store.OrganiserDefaults(ctx)
	if err != nil {
		return mailBrand{}, err
	}
	o := ev.Organiser.Merge(defaults)
	abs := func(ref string) string {
		if strings.HasPrefix(ref, "/") {
			return links.Absolute(m.cfg.BaseURL, ref)
		}
		return ref
	}
	b := mailBrand{
		Name: o.Name, Email: o.Email, Colour: view.ReadableColour(o.Colour),
		Imprint: abs(links.Legal(ev.Slug, "imprint", o.ImprintURL, len(o.Imprint) > 0)),
		Privacy: abs(links.Legal(ev.Slug, "privacy", o.PrivacyURL, len(o.Privacy) > 0)),
	}
	if strings.HasPrefix(o.Logo, "/") || strings.HasPrefix(o.Logo, "https://") || strings.HasPrefix(o.Logo, "http://") {
		b.Logo = abs(o.Logo)
	}
	if b.Colour == "" {
		b.Colour = defaultMailColour
	}
	return b, nil
}

type mailSession struct {
	*programme.Session
	Status   string
	RoomName programme.Text
}

// compose builds the email for an outbox entry from the registration as it
// is now, so a resend always shows the current sessions and status.
func (m *Worker) compose(ctx context.Context, it store.OutboxItem) (*mail.Message, error) {
	if it.Kind == store.MailInvitation {
		return m.composeInvitation(ctx, it)
	}
	reg, err := m.store.GetRegistration(ctx, it.RegistrationID)
	if err != nil {
		return nil, err
	}
	ev, err := m.store.GetEvent(ctx, reg.Event)
	if err != nil {
		return nil, err
	}
	var content *message.Message
	if it.Kind == registration.MailMessage {
		sent, err := m.store.GetMessage(ctx, it.MessageID)
		if err != nil {
			return nil, err
		}
		content = &message.Message{Subject: sent.Subject, Body: sent.Body, To: sent.To}
	}
	return m.build(ctx, it.Kind, it.ID, reg, ev, content)
}

// PreviewMessage builds the email a message of the organisers becomes for
// one recipient, without sending it: the composer's preview.
func (m *Worker) PreviewMessage(ctx context.Context, ev *store.Event, content *message.Message, reg *registration.Registration) (*mail.Message, error) {
	return m.build(ctx, registration.MailMessage, 0, reg, ev, content)
}

// build writes an email of a kind to a registration; content is the
// organisers' message for kind message. A message is read in the language
// message.LanguageFor picks, the whole email with it.
func (m *Worker) build(ctx context.Context, kind string, outboxID int64, reg *registration.Registration, ev *store.Event, content *message.Message) (*mail.Message, error) {
	var err error
	lang := reg.Language
	if content != nil {
		lang = content.LanguageFor(reg.Language, ev.DefaultLanguage)
	}
	v := &mailView{
		Kind: kind, Lang: lang, Fallback: ev.DefaultLanguage, Reg: reg, Event: ev.Event,
		Ticket:   registration.MailCarriesTicket(kind, reg.Status),
		EventURL: links.Absolute(m.cfg.BaseURL, links.Event(ev.Slug)),
	}
	if content != nil {
		v.Message = content.Body.In(lang, ev.DefaultLanguage)
	}
	if v.Brand, err = m.brand(ctx, ev); err != nil {
		return nil, err
	}
	g := reg.Greeting()
	v.Greeting = i18n.T(lang, g.Key, i18n.T(lang, g.Title), g.Surname, g.Name)
	if registration.Live(reg.Status) {
		v.ManageURL = links.Absolute(m.cfg.BaseURL, links.Manage(reg.ManageToken))
	}
	var chosen []string
	for _, seat := range reg.Sessions {
		s := ev.Session(seat.ID)
		if s == nil {
			continue
		}
		ms := mailSession{Session: s, Status: seat.Status}
		if r := ev.Room(s.Room); r != nil {
			ms.RoomName = r.Name
		}
		v.Sessions = append(v.Sessions, ms)
		if seat.Status == registration.Confirmed {
			chosen = append(chosen, seat.ID)
		}
	}
	var html, text bytes.Buffer
	if err := m.html.ExecuteTemplate(&html, "message.html", v); err != nil {
		return nil, err
	}
	if err := m.text.ExecuteTemplate(&text, "message.txt", v); err != nil {
		return nil, err
	}
	msg := &mail.Message{
		From:     sender(m.cfg.MailFrom, ev.Title.In(lang, ev.DefaultLanguage)),
		To:       reg.Email,
		ToName:   reg.FullName(),
		Subject:  i18n.T(lang, "mail."+kind+".subject", ev.Title.In(lang, ev.DefaultLanguage)),
		Text:     text.String(),
		HTML:     html.String(),
		ID:       "foyer." + itoa(outboxID) + "." + itoa(reg.ID),
		Language: lang,
	}
	if content != nil {
		msg.Subject = content.Subject.In(lang, ev.DefaultLanguage)
	}
	if v.Ticket {
		png, err := ticket.QRPNG(reg.TicketCode, 512)
		if err != nil {
			return nil, err
		}
		ics := programme.InviteICS(ev.Event, lang, m.cfg.BaseURL, chosen, view.SpeakerLines(lang))
		msg.Attachments = []mail.Attachment{
			{Name: "ticket.png", ContentType: "image/png", Data: png, Inline: true, ContentID: "ticket"},
			{Name: "ticket-" + ev.Slug + ".png", ContentType: "image/png", Data: png},
			{Name: ev.Slug + ".ics", ContentType: "text/calendar; charset=utf-8; method=PUBLISH", Data: ics},
		}
	}
	return msg, nil
}

// sender shows the event's title as the sender's name, so that guests
// recognise the email in their inbox, unless FOYER_MAIL_FROM names one.
func sender(from, title string) string {
	a, err := netmail.ParseAddress(from)
	if err != nil || a.Name != "" {
		return from
	}
	a.Name = title
	return a.String()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
