package programme

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Organiser is who runs the event, as attendees see it: the name and brand
// that public pages and emails carry first, the contact address, and the
// legal pages (imprint and privacy policy) that every public page links,
// each a URL or a text written in foyer. The privacy policy's organiser is
// the data controller the registration form's consent names.
//
// Every field may be left out; the installation's defaults fill the gaps
// (see Merge).
type Organiser struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	// Logo and Favicon are images: an http(s) URL, a path on this foyer
	// (/media/…), or a data: URI of a PNG, JPEG or WebP image, which foyer
	// stores itself when the programme is saved.
	Logo    string `json:"logo,omitempty"`
	Favicon string `json:"favicon,omitempty"`
	// Colour is the accent colour, #rrggbb.
	Colour     string `json:"colour,omitempty"`
	ImprintURL string `json:"imprint_url,omitempty"`
	Imprint    Text   `json:"imprint,omitempty"`
	PrivacyURL string `json:"privacy_url,omitempty"`
	Privacy    Text   `json:"privacy,omitempty"`
}

// Merge returns o with every empty field taken from defaults. A legal page
// counts as one field: an event's imprint text is not joined by the
// installation's imprint URL.
func (o *Organiser) Merge(defaults *Organiser) Organiser {
	var out Organiser
	if o != nil {
		out = *o
	}
	if defaults == nil {
		return out
	}
	fill := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	fill(&out.Name, defaults.Name)
	fill(&out.Email, defaults.Email)
	fill(&out.Logo, defaults.Logo)
	fill(&out.Favicon, defaults.Favicon)
	fill(&out.Colour, defaults.Colour)
	if out.ImprintURL == "" && len(out.Imprint) == 0 {
		out.ImprintURL, out.Imprint = defaults.ImprintURL, defaults.Imprint
	}
	if out.PrivacyURL == "" && len(out.Privacy) == 0 {
		out.PrivacyURL, out.Privacy = defaults.PrivacyURL, defaults.Privacy
	}
	return out
}

// Empty reports whether nothing is set.
func (o *Organiser) Empty() bool {
	return o == nil || (o.Name == "" && o.Email == "" && o.Logo == "" && o.Favicon == "" && o.Colour == "" &&
		o.ImprintURL == "" && len(o.Imprint) == 0 && o.PrivacyURL == "" && len(o.Privacy) == 0)
}

// Images calls fn with each image field of the organiser block and of the
// speakers, by its place in programme JSON, so that a caller can store
// data: URIs and put their new address in.
func (e *Event) Images(fn func(where string, ref *string) error) error {
	if o := e.Organiser; o != nil {
		for _, f := range []struct {
			where string
			ref   *string
		}{{"organiser.logo", &o.Logo}, {"organiser.favicon", &o.Favicon}} {
			if err := fn(f.where, f.ref); err != nil {
				return err
			}
		}
	}
	for i := range e.Speakers {
		sp := &e.Speakers[i]
		if err := fn("speakers["+strconv.Itoa(i)+"] \""+sp.ID+"\".photo", &sp.Photo); err != nil {
			return err
		}
	}
	return nil
}

var colourPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// MaxImageBytes bounds an image that programme JSON carries as a data: URI,
// decoded; foyer stores it resized.
const MaxImageBytes = 1 << 20

// ImageTypes are the media types of images foyer takes.
var ImageTypes = []string{"image/png", "image/jpeg", "image/webp"}

// DataImage decodes a data: URI of an image (data:image/png;base64,…) and
// returns its media type and bytes; ok is false when ref is no data: URI.
func DataImage(ref string) (mediaType string, data []byte, ok bool, err error) {
	rest, isData := strings.CutPrefix(ref, "data:")
	if !isData {
		return "", nil, false, nil
	}
	head, payload, found := strings.Cut(rest, ",")
	mediaType, enc, _ := strings.Cut(head, ";")
	if !found || enc != "base64" {
		return "", nil, true, errDataURI
	}
	data, err = base64.StdEncoding.DecodeString(payload)
	if err != nil {
		return "", nil, true, errDataURI
	}
	return strings.ToLower(mediaType), data, true, nil
}

type dataURIError struct{}

func (dataURIError) Error() string { return "not a base64 data: URI" }

var errDataURI = dataURIError{}

func (o *Organiser) validate(v *validator, at string) {
	v.str(at+".name", o.Name, 200)
	if o.Email != "" && (!strings.Contains(o.Email, "@") || len(o.Email) > 254 || strings.ContainsAny(o.Email, " <>\r\n")) {
		v.add(at+".email", "email")
	}
	v.image(at+".logo", o.Logo)
	v.image(at+".favicon", o.Favicon)
	if o.Colour != "" && !colourPattern.MatchString(o.Colour) {
		v.add(at+".colour", "colour", o.Colour)
	}
	v.url(at+".imprint_url", o.ImprintURL)
	v.url(at+".privacy_url", o.PrivacyURL)
	v.text(at+".imprint", o.Imprint, false, 50000)
	v.text(at+".privacy", o.Privacy, false, 50000)
	if o.ImprintURL != "" && len(o.Imprint) > 0 {
		v.add(at+".imprint", "url_or_text", "imprint_url", "imprint")
	}
	if o.PrivacyURL != "" && len(o.Privacy) > 0 {
		v.add(at+".privacy", "url_or_text", "privacy_url", "privacy")
	}
}

// url checks an optional link to another site: absolute http(s).
func (v *validator) url(where, s string) {
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s) > 2000 || strings.ContainsFunc(s, IsControl) {
		v.add(where, "url")
	}
}

// image checks an optional image reference: an http(s) URL, a path on
// this site, or a data: URI of a PNG, JPEG or WebP image.
func (v *validator) image(where, ref string) {
	if ref == "" {
		return
	}
	mediaType, data, isData, err := DataImage(ref)
	switch {
	case isData && err != nil:
		v.add(where, "data_uri")
	case isData && !slices.Contains(ImageTypes, mediaType):
		v.add(where, "image_type")
	case isData && len(data) > MaxImageBytes:
		v.add(where, "image_size", MaxImageBytes>>10)
	case isData:
	case len(ref) > 2000 || strings.ContainsFunc(ref, IsControl):
		v.add(where, "image_ref")
	case strings.HasPrefix(ref, "/") && !strings.HasPrefix(ref, "//"):
	default:
		v.url(where, ref)
	}
}

// Validate checks an organiser block on its own (the installation's
// defaults), naming places as in programme JSON (organiser.colour).
func (o *Organiser) Validate() error {
	v := &validator{}
	o.validate(v, "organiser")
	if len(v.problems) > 0 {
		return &Error{Problems: v.problems}
	}
	return nil
}
