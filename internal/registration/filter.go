package registration

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/foyer-events/foyer/internal/programme"
)

// Filter selects registrations of one event. The organisers' table, the
// API's list, the attendee exports and `foyer export attendees` all read it
// from the same query parameters with ParseFilter, so a view bookmarked in
// the browser, an API call and a command give the same rows.
type Filter struct {
	Status    string // one status, or "" for all
	Session   string // a session's id in programme JSON: those signed up for it
	Country   string // ISO 3166 code
	Kind      string // attendee, speaker, staff or press
	CheckedIn *bool  // admitted at the entrance, or not yet
	// Query matches words in the names, the organisation and the email.
	Query string
	// Answers maps a question's id to the answer wanted: an option's value
	// for choice questions, "yes" or "no" for yes/no questions, words for
	// text questions. All must match.
	Answers map[string]string
	Sort    string  // one of SortKeys; "" is the order of registration
	Desc    bool    // newest, or Z to A, first
	IDs     []int64 // a selection: only these registrations
	Limit   int     // a page of at most Limit rows; 0 for all
	Offset  int
}

// SortKeys are the orders a list can take.
var SortKeys = []string{"created", "name", "organisation", "country", "status"}

// Registration kinds, for badges and lists: what the person is at the event.
const (
	KindAttendee = "attendee"
	KindSpeaker  = "speaker"
	KindStaff    = "staff"
	KindPress    = "press"
)

// Kinds lists the registration kinds in the order forms show them.
var Kinds = []string{KindAttendee, KindSpeaker, KindStaff, KindPress}

// ValidKind reports whether k is a registration kind.
func ValidKind(k string) bool { return slices.Contains(Kinds, k) }

// MaxSelection bounds how many registrations one selection may name.
const MaxSelection = 1000

// ParseFilter reads a filter from query parameters: status, session,
// country, kind, checked_in, q, a.QUESTION (one per question), sort (a key,
// "-" in front for descending), ids (comma-separated), limit and offset.
// Unknown parameters are ignored. Wrong values come back as a message per
// parameter.
func ParseFilter(q url.Values, e *programme.Event) (Filter, FieldErrors) {
	errs := FieldErrors{}
	msg := func(key string, args ...any) Message { return Message{Key: key, Args: args} }
	f := Filter{
		Status:  strings.TrimSpace(q.Get("status")),
		Session: strings.TrimSpace(q.Get("session")),
		Country: strings.ToUpper(strings.TrimSpace(q.Get("country"))),
		Kind:    strings.TrimSpace(q.Get("kind")),
		Query:   strings.TrimSpace(q.Get("q")),
	}
	if f.Status != "" && !ValidStatus(f.Status) {
		errs["status"] = msg("error.filter_status")
	}
	if f.Session != "" && e.Session(f.Session) == nil {
		errs["session"] = msg("reg.error.unknown_session", f.Session)
	}
	if f.Country != "" && !ValidCountry(f.Country) {
		errs["country"] = msg("error.filter_country")
	}
	if f.Kind != "" && !ValidKind(f.Kind) {
		errs["kind"] = msg("error.filter_kind")
	}
	if v := strings.TrimSpace(q.Get("checked_in")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs["checked_in"] = msg("error.filter_bool")
		}
		f.CheckedIn = &b
	}
	if !utf8.ValidString(f.Query) || utf8.RuneCountInString(f.Query) > maxName*2 {
		errs["q"] = msg("error.filter_query")
	}
	for name, values := range q {
		id, ok := strings.CutPrefix(name, "a.")
		if !ok {
			continue
		}
		value := strings.TrimSpace(values[0])
		if value == "" {
			continue
		}
		qu := e.Question(id)
		switch {
		case qu == nil:
			errs[name] = msg("error.filter_question", id)
			continue
		case qu.Type == "yesno" && value != "yes" && value != "no":
			errs[name] = msg("error.filter_yesno")
		case (qu.Type == "choice" || qu.Type == "multichoice") && qu.Option(value) == nil:
			errs[name] = msg("error.filter_option")
		case !utf8.ValidString(value) || utf8.RuneCountInString(value) > maxName*2:
			errs[name] = msg("error.filter_query")
		}
		if f.Answers == nil {
			f.Answers = map[string]string{}
		}
		f.Answers[id] = value
	}
	if v := strings.TrimSpace(q.Get("sort")); v != "" {
		key, desc := strings.CutPrefix(v, "-")
		if !slices.Contains(SortKeys, key) {
			errs["sort"] = msg("error.filter_sort")
		}
		f.Sort, f.Desc = key, desc
	}
	if v := strings.TrimSpace(q.Get("ids")); v != "" {
		for _, part := range strings.Split(v, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			if err != nil || id <= 0 {
				errs["ids"] = msg("error.filter_ids")
				break
			}
			f.IDs = append(f.IDs, id)
		}
		if len(f.IDs) > MaxSelection {
			errs["ids"] = msg("error.filter_ids_many", MaxSelection)
		}
	}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || (name == "limit" && (n < 1 || n > 1000)) {
				errs[name] = msg("error.filter_" + name)
			}
			*dst = n
		}
	}
	if len(errs) > 0 {
		return f, errs
	}
	return f, nil
}

// Values is the filter as query parameters, the inverse of ParseFilter, for
// links that keep a view: the next page, another order, an export. Limit
// and offset are left out; the caller adds the page it means.
func (f Filter) Values() url.Values {
	v := url.Values{}
	set := func(name, value string) {
		if value != "" {
			v.Set(name, value)
		}
	}
	set("status", f.Status)
	set("session", f.Session)
	set("country", f.Country)
	set("kind", f.Kind)
	if f.CheckedIn != nil {
		v.Set("checked_in", strconv.FormatBool(*f.CheckedIn))
	}
	set("q", f.Query)
	for id, value := range f.Answers {
		set("a."+id, value)
	}
	if f.Sort != "" {
		if f.Desc {
			v.Set("sort", "-"+f.Sort)
		} else {
			v.Set("sort", f.Sort)
		}
	}
	if len(f.IDs) > 0 {
		ids := make([]string, len(f.IDs))
		for i, id := range f.IDs {
			ids[i] = strconv.FormatInt(id, 10)
		}
		v.Set("ids", strings.Join(ids, ","))
	}
	return v
}

// Narrowed reports whether the filter selects fewer than all registrations.
func (f Filter) Narrowed() bool {
	return f.Status != "" || f.Session != "" || f.Country != "" || f.Kind != "" || f.CheckedIn != nil ||
		f.Query != "" || len(f.Answers) > 0 || len(f.IDs) > 0
}
