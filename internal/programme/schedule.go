package programme

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/foyer-events/foyer/internal/links"
)

// The schedule exports: c3voc schedule.json v1, frab schedule.xml and
// iCalendar. All three are built from one intermediate schedule so that the
// same session carries the same guid, id, slug, room and times everywhere, and
// a phone app, a calendar and an invite email agree on what it is.

// schedule is the programme laid out by day and room in one language.
type schedule struct {
	e        *Event
	lang     string
	loc      *time.Location
	acronym  string
	title    string
	venue    string // the venue's name and address in lang, for locations
	eventURL string
	root     string
	rooms    []*scheduleRoom
	days     []*scheduleDay
	items    []*scheduleItem // all scheduled sessions by start time
	tracks   []string
	timeslot int // minutes
}

type scheduleRoom struct {
	name  string
	guid  string
	venue bool // the stand-in for sessions without a room
}

type scheduleDay struct {
	index      int
	date       time.Time // local midnight
	start, end time.Time
	byRoom     [][]*scheduleItem // indexed like schedule.rooms
}

type scheduleItem struct {
	s          *Session
	guid       string
	id         int
	slug       string
	room       *scheduleRoom
	start, end time.Time
	title      string
	abstract   string
	track      string
	url        string
}

// buildSchedule lays out e for lang. Sessions without a start time are left
// out: no schedule format has a place for an item that happens at no time.
func buildSchedule(e *Event, lang, baseURL string) *schedule {
	def := e.DefaultLanguage
	root := strings.TrimRight(baseURL, "/")
	s := &schedule{
		e:        e,
		lang:     lang,
		loc:      e.Location(),
		acronym:  acronym(e.Slug),
		title:    e.Title.In(lang, def),
		root:     root,
		eventURL: links.Absolute(root, links.Event(e.Slug)),
		venue:    joinNonEmpty(e.Venue.Name.In(lang, def), e.Venue.Address.In(lang, def)),
	}

	names := map[string]bool{}
	unique := func(name string) string {
		n := name
		for i := 2; names[n]; i++ {
			n = fmt.Sprintf("%s (%d)", name, i)
		}
		names[n] = true
		return n
	}
	bySlug := map[string]*scheduleRoom{}
	for _, r := range e.Rooms {
		name := r.Name.In(lang, def)
		if name == "" {
			name = r.Slug
		}
		room := &scheduleRoom{name: unique(name), guid: uuidString(foyerGUID(e.Slug + "/room/" + r.Slug))}
		s.rooms = append(s.rooms, room)
		bySlug[r.Slug] = room
	}
	// Sessions without a room (or with one that no longer exists) take
	// place somewhere at the venue, and every format demands a room: they
	// go into one named after the venue, added only when needed.
	var venue *scheduleRoom
	venueRoom := func() *scheduleRoom {
		if venue == nil {
			name := e.Venue.Name.In(lang, def)
			if name == "" {
				name = s.title
			}
			venue = &scheduleRoom{name: unique(name), guid: uuidString(foyerGUID(e.Slug + "/venue")), venue: true}
			s.rooms = append(s.rooms, venue)
		}
		return venue
	}

	slugs := map[string]bool{}
	ids := map[int]bool{}
	for i := range e.Sessions {
		ses := &e.Sessions[i]
		if ses.StartsAt.IsZero() {
			continue
		}
		u := foyerGUID(e.Slug + "/session/" + ses.ID)
		it := &scheduleItem{
			s:        ses,
			guid:     uuidString(u),
			start:    ses.StartsAt.In(s.loc),
			end:      ses.EndsAt.In(s.loc),
			title:    ses.Title.In(lang, def),
			abstract: ses.Abstract.In(lang, def),
			track:    ses.Track.In(lang, def),
			url:      links.Absolute(root, links.Session(e.Slug, ses.ID)),
		}
		if ses.EndsAt.IsZero() || it.end.Before(it.start) {
			it.end = it.start
		}
		// The integer id is deprecated but still required; derived from
		// the guid it stays the same when sessions are added or moved.
		// Collisions (one in millions) step to the next free number.
		it.id = int(binary.BigEndian.Uint32(u[:4])&0x7fffffff) | 1
		for ids[it.id] {
			it.id = it.id%0x7fffffff + 1
		}
		ids[it.id] = true
		it.slug = sessionSlug(s.acronym, ses.ID, slugs)
		if r := bySlug[ses.Room]; r != nil && ses.Room != "" {
			it.room = r
		} else {
			it.room = venueRoom()
		}
		if it.track != "" && !slices.Contains(s.tracks, it.track) {
			s.tracks = append(s.tracks, it.track)
		}
		s.items = append(s.items, it)
	}
	roomIndex := func(r *scheduleRoom) int { return slices.Index(s.rooms, r) }
	slices.SortStableFunc(s.items, func(a, b *scheduleItem) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return roomIndex(a.room) - roomIndex(b.room)
	})
	s.timeslot = timeslot(s.items)
	s.layDays()
	return s
}

// layDays creates one day for every calendar date (in the event's zone) from
// the event's first to its last, widened to any session outside that span.
func (s *schedule) layDays() {
	date := func(t time.Time) time.Time {
		y, m, d := t.In(s.loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	var first, last time.Time
	widen := func(d time.Time) {
		if first.IsZero() || d.Before(first) {
			first = d
		}
		if last.IsZero() || d.After(last) {
			last = d
		}
	}
	es, ee := s.e.StartsAt.Time, s.e.EndsAt.Time
	if !es.IsZero() {
		widen(date(es))
	}
	if !ee.IsZero() && ee.After(es) {
		// An event that ends at midnight does not take place on the next day.
		widen(date(ee.Add(-time.Nanosecond)))
	}
	for _, it := range s.items {
		widen(date(it.start))
	}
	if first.IsZero() {
		return
	}
	byDate := map[time.Time]*scheduleDay{}
	for d, i := first, 1; !d.After(last); d, i = d.AddDate(0, 0, 1), i+1 {
		y, m, dd := d.Date()
		midnight := time.Date(y, m, dd, 0, 0, 0, 0, s.loc)
		next := time.Date(y, m, dd+1, 0, 0, 0, 0, s.loc)
		day := &scheduleDay{index: i, date: midnight, start: midnight, end: next, byRoom: make([][]*scheduleItem, len(s.rooms))}
		if es.After(midnight) && es.Before(next) {
			day.start = es.In(s.loc)
		}
		if ee.After(day.start) && ee.Before(next) {
			day.end = ee.In(s.loc)
		}
		s.days = append(s.days, day)
		byDate[d] = day
	}
	for _, it := range s.items {
		day := byDate[date(it.start)]
		if it.start.Before(day.start) {
			day.start = it.start
		}
		if it.end.After(day.end) {
			day.end = it.end
		}
		r := slices.Index(s.rooms, it.room)
		day.byRoom[r] = append(day.byRoom[r], it)
	}
}

// timeslot is the finest grid on which every session starts and ends, at
// least five minutes: grid views of schedule apps become unreadable below.
func timeslot(items []*scheduleItem) int {
	g := 0
	gcd := func(a, b int) int {
		for b != 0 {
			a, b = b, a%b
		}
		return a
	}
	for _, it := range items {
		g = gcd(g, it.start.Hour()*60+it.start.Minute())
		g = gcd(g, int(it.end.Sub(it.start)/time.Minute))
	}
	switch {
	case g == 0:
		return 15
	case g < 5:
		return 5
	}
	return g
}

var notAcronym = regexp.MustCompile(`[^a-z0-9_]`)

// acronym turns the event slug into the schema's acronym, which allows no
// hyphen after its first character (dcip-forum-2027 becomes dcip_forum_2027)
// and needs at least four characters.
func acronym(slug string) string {
	a := notAcronym.ReplaceAllString(strings.ToLower(slug), "_")
	for len(a) < 4 {
		a += "_"
	}
	return a
}

var notSlug = regexp.MustCompile(`[^a-z0-9_-]`)

// sessionSlug is acronym-sessionid, shaped to satisfy both the JSON pattern
// (ends in a letter or digit) and the XSD's voc-slug-new (at least four
// characters after the hyphen), and unique within the schedule as the XSD
// demands.
func sessionSlug(acronym, id string, seen map[string]bool) string {
	tail := strings.TrimRight(notSlug.ReplaceAllString(strings.ToLower(id), "_"), "-_")
	if len(tail) < 4 {
		tail = "session-" + tail
	}
	slug := acronym + "-" + tail
	for i := 2; seen[slug]; i++ {
		slug = fmt.Sprintf("%s-%s-%d", acronym, tail, i)
	}
	seen[slug] = true
	return slug
}

// speakerName shows the native-script name next to the Latin one, as the
// organisers' badges and pages do: "Wang Fang (王芳)".
func speakerName(sp *Speaker) string {
	if sp.NativeName != "" && sp.NativeName != sp.Name {
		return sp.Name + " (" + sp.NativeName + ")"
	}
	return sp.Name
}

// absoluteURL resolves ref (a photo path) against the site root; empty when
// the result would not be an absolute URL, which the formats require.
func (s *schedule) absoluteURL(ref string) string {
	if ref == "" {
		return ""
	}
	base, err := url.Parse(s.root + "/")
	if err != nil {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	u := base.ResolveReference(r)
	if !u.IsAbs() || u.Host == "" {
		return ""
	}
	return u.String()
}

func hhmm(d time.Duration) string {
	m := int(d / time.Minute)
	if m < 0 {
		m = 0
	}
	// The XSD allows at most two digits for the hours.
	if m > 99*60+59 {
		m = 99*60 + 59
	}
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// scheduleVersion identifies the schedule's content, so that apps that show
// "schedule updated" do so when something changed and only then.
func scheduleVersion(conf jsonConference) string {
	b, _ := json.Marshal(conf)
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:4])
}
