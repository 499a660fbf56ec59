// Package mail composes foyer's emails and hands them to an SMTP server, or
// writes them as .eml files when no server is configured.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	netmail "net/mail"
	"path/filepath"
	"strings"
	"unicode/utf8"

	gomail "github.com/go-mail/mail/v2"
)

// Attachment is a file carried by a message. An inline attachment is shown
// inside the HTML, which refers to it as "cid:" + ContentID.
type Attachment struct {
	Name        string // file name shown to the reader; may be non-ASCII
	ContentType string // with parameters, e.g. "text/calendar; method=REQUEST"; empty guesses from Name
	Data        []byte
	Inline      bool
	ContentID   string // required when Inline
}

// Message is one email to one attendee.
type Message struct {
	From     string // address, optionally with a display name: "Foyer <foyer@example.org>"
	To       string // address
	ToName   string // display name, may be non-ASCII
	Subject  string
	Text     string
	HTML     string
	ID       string // Message-ID local part, stable across resends of one outbox entry
	Language string // Content-Language, e.g. "de"
	// Attachments, inline parts included, in the order they are added.
	Attachments []Attachment
}

// Sender delivers messages. Errors for which Permanent is false are worth
// retrying later.
type Sender interface {
	Send(ctx context.Context, m *Message) error
}

// ErrInvalidMessage means a message cannot be sent as it is: a bad address,
// an inline part without a Content-ID. Retrying will not help.
var ErrInvalidMessage = errors.New("mail: invalid message")

// Composed is a message written out completely: the bytes an SMTP server
// receives after DATA, or an .eml file holds, and the envelope addresses.
type Composed struct {
	From string // envelope sender, a bare address
	To   string // envelope recipient, a bare address
	Data []byte
}

// WriteTo writes the finished message. It is only ever a copy of bytes:
// nothing is encoded while a connection or a file is open.
func (c *Composed) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(c.Data)
	return int64(n), err
}

// Compose turns m into a complete MIME message in memory: multipart/
// alternative text and HTML, inside multipart/related with the inline
// parts, inside multipart/mixed with the attachments (each level only when
// needed). Non-ASCII subjects, display names and file names are encoded
// (RFC 2047 and RFC 2231).
//
// Composing first and sending the finished bytes is what keeps a broken
// connection or a full disk harmless: go-mail's writer dereferences a nil
// part writer once any write fails halfway through a message, and a write
// into memory cannot fail halfway.
func Compose(m *Message) (c *Composed, err error) {
	g, from, err := build(m)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			c, err = nil, fmt.Errorf("%w: compose: %v", ErrInvalidMessage, p)
		}
	}()
	var buf bytes.Buffer
	buf.Grow(composedSizeHint(m))
	if _, err := g.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("mail: compose: %w", err)
	}
	return &Composed{From: from, To: m.To, Data: buf.Bytes()}, nil
}

// composedSizeHint guesses the size of the written message: base64 makes
// attachments a third larger, and headers and boundaries add a little.
func composedSizeHint(m *Message) int {
	n := 2048 + len(m.Text) + len(m.HTML)
	for _, a := range m.Attachments {
		n += len(a.Data)*4/3 + len(a.Data)/38 + 512
	}
	return n
}

// build prepares m as a go-mail message, and returns the bare sender
// address for the envelope.
func build(m *Message) (*gomail.Message, string, error) {
	from, err := netmail.ParseAddress(m.From)
	if err != nil {
		return nil, "", fmt.Errorf("%w: From %q: %v", ErrInvalidMessage, m.From, err)
	}
	to, err := parseBareAddress(m.To)
	if err != nil {
		return nil, "", fmt.Errorf("%w: To %q: %v", ErrInvalidMessage, m.To, err)
	}
	id := m.ID
	if id == "" {
		id = randomID()
	} else if !validID(id) {
		return nil, "", fmt.Errorf("%w: ID %q: use letters, digits and . - _ only", ErrInvalidMessage, id)
	}

	g := gomail.NewMessage()
	g.SetHeader("From", formatAddress(from.Address, from.Name))
	g.SetHeader("To", formatAddress(to, m.ToName))
	// encodeWords leaves only printable ASCII, so CR and LF in a subject
	// cannot start a header of their own.
	g.SetHeader("Subject", encodeWords(m.Subject))
	g.SetHeader("Message-ID", "<"+id+"@"+domain(from.Address)+">")
	// Tells autoresponders not to answer (RFC 3834).
	g.SetHeader("Auto-Submitted", "auto-generated")
	if m.Language != "" {
		g.SetHeader("Content-Language", m.Language)
	}

	switch {
	case m.Text != "" && m.HTML != "":
		g.SetBody("text/plain", m.Text)
		g.AddAlternative("text/html", m.HTML)
	case m.HTML != "":
		g.SetBody("text/html", m.HTML)
	default:
		g.SetBody("text/plain", m.Text)
	}

	for _, a := range m.Attachments {
		if err := attach(g, a); err != nil {
			return nil, "", err
		}
	}
	return g, from.Address, nil
}

// attach adds a as an inline or an attached part. go-mail would write the
// file name unencoded and take the Content-ID from it, so every header of
// the part is set here.
func attach(g *gomail.Message, a Attachment) error {
	name := a.Name
	if name == "" || strings.ContainsAny(name, "/\\\r\n") {
		return fmt.Errorf("%w: attachment name %q", ErrInvalidMessage, name)
	}
	ct := a.ContentType
	if ct == "" {
		ct = mime.TypeByExtension(filepath.Ext(name))
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("%w: attachment %q content type %q: %v", ErrInvalidMessage, name, ct, err)
	}
	params["name"] = name
	disposition := "attachment"
	if a.Inline {
		disposition = "inline"
	}
	header := map[string][]string{
		"Content-Type":        {mime.FormatMediaType(mediaType, params)},
		"Content-Disposition": {mime.FormatMediaType(disposition, map[string]string{"filename": name})},
	}
	if a.Inline {
		if !validID(a.ContentID) {
			return fmt.Errorf("%w: inline part %q needs a Content-ID of letters, digits and . - _", ErrInvalidMessage, name)
		}
		header["Content-ID"] = []string{"<" + a.ContentID + ">"}
	}
	// A copy function rather than a reader: a reader is used up by the first
	// write, and a message may be written more than once.
	data := a.Data
	settings := []gomail.FileSetting{
		gomail.SetHeader(header),
		gomail.SetCopyFunc(func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		}),
	}
	if a.Inline {
		g.Embed(name, settings...)
	} else {
		g.Attach(name, settings...)
	}
	return nil
}

// formatAddress writes "Name <addr>" with the name quoted or, when it is not
// plain ASCII, encoded.
func formatAddress(addr, name string) string {
	if name == "" {
		return addr
	}
	if !needsEncoding(name) {
		return (&netmail.Address{Name: name, Address: addr}).String()
	}
	return encodeWords(name) + " <" + addr + ">"
}

// maxWordBytes keeps each encoded word to 12+52 characters, so that even
// "Subject: " and one word fit the 76 characters RFC 2047 allows a line.
// Go's mime encoder makes words of up to 75, which go-mail cannot fold.
const maxWordBytes = 39

// encodeWords returns s unchanged if it is printable ASCII, otherwise as
// base64 encoded words (RFC 2047) of at most maxWordBytes bytes each, split
// between characters, separated by spaces that decoders drop.
func encodeWords(s string) string {
	if !needsEncoding(s) {
		return s
	}
	var words []string
	var chunk []byte
	flush := func() {
		words = append(words, "=?UTF-8?b?"+base64.StdEncoding.EncodeToString(chunk)+"?=")
		chunk = chunk[:0]
	}
	for _, r := range s {
		if len(chunk)+utf8.RuneLen(r) > maxWordBytes {
			flush()
		}
		chunk = utf8.AppendRune(chunk, r)
	}
	flush()
	return strings.Join(words, " ")
}

func needsEncoding(s string) bool {
	for _, r := range s {
		if (r < ' ' || r > '~') && r != '\t' {
			return true
		}
	}
	return false
}

// parseBareAddress accepts "someone@example.org" and nothing more: the
// display name travels separately in ToName.
func parseBareAddress(s string) (string, error) {
	a, err := netmail.ParseAddress(s)
	if err != nil {
		return "", err
	}
	if a.Address != s {
		return "", fmt.Errorf("want a bare address")
	}
	return a.Address, nil
}

func domain(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "localhost"
}

// validID allows the characters that are safe in a Message-ID, a
// Content-ID and a file name alike.
func validID(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}

func randomID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
