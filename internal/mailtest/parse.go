package mailtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
)

// Parsed is a message taken apart for assertions.
type Parsed struct {
	Header  mail.Header // top-level headers as sent, encoded words intact
	Subject string      // decoded
	From    *mail.Address
	To      []*mail.Address
	Text    string // the first text/plain part that is not an attachment, decoded, with LF line ends
	HTML    string // the first text/html part that is not an attachment, decoded, with LF line ends
	Parts   []Part // every other leaf part: inline images, attachments
	// Structure is the MIME tree in one line, for example
	// "multipart/mixed(multipart/related(multipart/alternative(text/plain text/html) image/png) text/calendar)".
	Structure string
}

// Part is one leaf of a message that is neither its text nor its HTML body.
type Part struct {
	Header      textproto.MIMEHeader
	ContentType string            // media type, lower case, without parameters
	Params      map[string]string // the Content-Type parameters
	Disposition string            // "inline", "attachment" or ""
	Filename    string            // decoded, from Content-Disposition or the name parameter
	ContentID   string            // without the angle brackets
	Within      string            // media type of the enclosing multipart
	Data        []byte            // after Content-Transfer-Encoding
}

// ByContentID returns the part whose Content-ID is id (angle brackets and a
// "cid:" prefix are ignored), or nil.
func (p *Parsed) ByContentID(id string) *Part {
	id = strings.Trim(strings.TrimPrefix(id, "cid:"), "<>")
	for i := range p.Parts {
		if p.Parts[i].ContentID == id {
			return &p.Parts[i]
		}
	}
	return nil
}

// ByFilename returns the first part called name, or nil.
func (p *Parsed) ByFilename(name string) *Part {
	for i := range p.Parts {
		if p.Parts[i].Filename == name {
			return &p.Parts[i]
		}
	}
	return nil
}

// Attachments returns the parts with Content-Disposition attachment.
func (p *Parsed) Attachments() []Part {
	var out []Part
	for _, part := range p.Parts {
		if part.Disposition == "attachment" {
			out = append(out, part)
		}
	}
	return out
}

// Parse takes a message apart: it decodes the subject and addresses, walks
// nested multiparts (mixed, related, alternative, in any depth), undoes
// quoted-printable and base64, and sorts the leaves into Text, HTML and
// Parts.
func Parse(data []byte) (*Parsed, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("mailtest: parse: %w", err)
	}
	p := &Parsed{Header: msg.Header}
	dec := new(mime.WordDecoder)
	if p.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return nil, fmt.Errorf("mailtest: parse subject: %w", err)
	}
	if v := msg.Header.Get("From"); v != "" {
		if p.From, err = mail.ParseAddress(v); err != nil {
			return nil, fmt.Errorf("mailtest: parse From: %w", err)
		}
	}
	if msg.Header.Get("To") != "" {
		if p.To, err = msg.Header.AddressList("To"); err != nil {
			return nil, fmt.Errorf("mailtest: parse To: %w", err)
		}
	}
	p.Structure, err = p.walk(textproto.MIMEHeader(msg.Header), msg.Body, "")
	if err != nil {
		return nil, fmt.Errorf("mailtest: parse: %w", err)
	}
	return p, nil
}

// walk reads one entity and, for a multipart, everything inside it. It
// returns the entity's piece of Structure.
func (p *Parsed) walk(h textproto.MIMEHeader, body io.Reader, within string) (string, error) {
	mediaType, params := "text/plain", map[string]string{"charset": "us-ascii"}
	if v := h.Get("Content-Type"); v != "" {
		var err error
		if mediaType, params, err = mime.ParseMediaType(v); err != nil {
			return "", fmt.Errorf("content type %q: %w", v, err)
		}
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if params["boundary"] == "" {
			return "", fmt.Errorf("%s without boundary", mediaType)
		}
		r := multipart.NewReader(body, params["boundary"])
		var children []string
		for {
			// NextRawPart: NextPart would undo quoted-printable (only) itself.
			part, err := r.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return "", fmt.Errorf("%s: %w", mediaType, err)
			}
			child, err := p.walk(part.Header, part, mediaType)
			if err != nil {
				return "", err
			}
			children = append(children, child)
		}
		return mediaType + "(" + strings.Join(children, " ") + ")", nil
	}

	data, err := io.ReadAll(decoder(h.Get("Content-Transfer-Encoding"), body))
	if err != nil {
		return "", fmt.Errorf("%s body: %w", mediaType, err)
	}
	leaf := Part{
		Header:      h,
		ContentType: mediaType,
		Params:      params,
		ContentID:   strings.Trim(strings.TrimSpace(h.Get("Content-ID")), "<>"),
		Within:      within,
		Data:        data,
	}
	if v := h.Get("Content-Disposition"); v != "" {
		disp, dparams, err := mime.ParseMediaType(v)
		if err != nil {
			return "", fmt.Errorf("content disposition %q: %w", v, err)
		}
		leaf.Disposition, leaf.Filename = disp, dparams["filename"]
	}
	if leaf.Filename == "" {
		leaf.Filename = params["name"]
	}
	// Some mailers put RFC 2047 words inside the quotes instead of RFC 2231.
	if strings.Contains(leaf.Filename, "=?") {
		if name, err := new(mime.WordDecoder).DecodeHeader(leaf.Filename); err == nil {
			leaf.Filename = name
		}
	}
	switch {
	case mediaType == "text/plain" && leaf.Disposition != "attachment" && p.Text == "":
		p.Text = lf(data)
	case mediaType == "text/html" && leaf.Disposition != "attachment" && p.HTML == "":
		p.HTML = lf(data)
	default:
		p.Parts = append(p.Parts, leaf)
	}
	return mediaType, nil
}

// lf undoes the CR LF line ends that MIME puts on the wire for text.
func lf(b []byte) string { return strings.ReplaceAll(string(b), "\r\n", "\n") }

func decoder(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		// The base64 decoder skips the CR LF line breaks by itself.
		return base64.NewDecoder(base64.StdEncoding, r)
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	default:
		return r
	}
}
