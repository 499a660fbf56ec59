package programme

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/foyer-events/foyer/internal/i18n"
)

// The schedule exports: c3voc schedule.json v1, frab schedule.xml and
// iCalendar. All three are built from one intermediate schedule so that the
// same session carries the same guid, id, slug, room and times everywhere, and
// a phone app, a calendar and an invite email agree on what it is.

// scheduleSchemaURL is the $id of the c3voc schema the JSON claims to follow.
const scheduleSchemaURL = "https://c3voc.de/schedule/schema.json"

// foyerNamespace is the UUIDv5 namespace of every guid foyer hands out:
// uuid5(NS_URL, "https://github.com/foyer-events/foyer"). A fixed namespace
// keeps guids the same across servers and base URLs, so an app that stored
// favourites keeps them when the schedule moves host.
var foyerNamespace = uuid5([16]byte{
	0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
	0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
}, "https://github.com/foyer-events/foyer")

// uuid5 is a name-based UUID (RFC 9562 version 5, SHA-1).
func uuid5(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}

func foyerGUID(name string) [16]byte { return uuid5(foyerNamespace, name) }

func uuidString(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// schedule is the programme laid out by day and room in one language.
type schedule struct {
	e        *Event
	lang     string
	loc      *time.Location
	acronym  string
	title    string
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
		eventURL: root + "/events/" + url.PathEscape(e.Slug),
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
			name := e.Venue.Name
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
			url:      s.eventURL + "#session-" + url.PathEscape(ses.ID),
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
		if ses.Track != "" && !slices.Contains(s.tracks, ses.Track) {
			s.tracks = append(s.tracks, ses.Track)
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

// ---- schedule.json ----

type jsonSchedule struct {
	Schema    string        `json:"$schema"`
	Generator jsonGenerator `json:"generator"`
	Schedule  jsonBody      `json:"schedule"`
}

type jsonGenerator struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

type jsonBody struct {
	Version    string         `json:"version"`
	BaseURL    string         `json:"base_url"`
	Conference jsonConference `json:"conference"`
}

type jsonConference struct {
	Acronym          string      `json:"acronym"`
	Title            string      `json:"title"`
	Description      string      `json:"description,omitempty"`
	Start            string      `json:"start"`
	End              string      `json:"end"`
	DaysCount        int         `json:"daysCount"`
	TimeslotDuration string      `json:"timeslot_duration"`
	TimeZoneName     string      `json:"time_zone_name,omitempty"`
	URL              string      `json:"url"`
	Tracks           []jsonTrack `json:"tracks,omitempty"`
	Rooms            []jsonRoom  `json:"rooms"`
	Days             []jsonDay   `json:"days"`
}

type jsonTrack struct {
	Name string `json:"name"`
}

type jsonRoom struct {
	Name string `json:"name"`
	GUID string `json:"guid"`
}

type jsonDay struct {
	Index    int          `json:"index"`
	Date     string       `json:"date"`
	DayStart string       `json:"day_start"`
	DayEnd   string       `json:"day_end"`
	Rooms    jsonDayRooms `json:"rooms"`
}

// jsonDayRooms is the day's room → events object with the rooms in the
// programme's order, not sorted by name as a Go map would have them: apps
// show the columns in the order they read them.
type jsonDayRooms struct {
	names  []string
	events [][]jsonEvent
}

// MarshalJSON implements json.Marshaler.
func (r jsonDayRooms) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, name := range r.names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteByte(':')
		events := r.events[i]
		if events == nil {
			events = []jsonEvent{}
		}
		v, err := json.Marshal(events)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

type jsonEvent struct {
	GUID             string       `json:"guid"`
	ID               int          `json:"id"`
	Logo             string       `json:"logo"`
	Date             string       `json:"date"`
	Start            string       `json:"start"`
	End              string       `json:"end"`
	Duration         string       `json:"duration"`
	Room             string       `json:"room"`
	Slug             string       `json:"slug"`
	URL              string       `json:"url"`
	Title            string       `json:"title"`
	Subtitle         string       `json:"subtitle"`
	Track            *string      `json:"track"`
	Type             string       `json:"type"`
	Language         *string      `json:"language"`
	Abstract         string       `json:"abstract"`
	Description      string       `json:"description"`
	RecordingLicense string       `json:"recording_license"`
	DoNotRecord      bool         `json:"do_not_record"`
	Persons          []jsonPerson `json:"persons"`
	Links            []jsonLink   `json:"links"`
	Attachments      []jsonLink   `json:"attachments"`
}

// jsonPerson takes the schema's pretalx branch ({name, …}). public_name is
// there for older frab readers; it must never come with an integer id, or the
// person matches both branches of the schema's oneOf and fails.
type jsonPerson struct {
	GUID         string `json:"guid"`
	Name         string `json:"name"`
	PublicName   string `json:"public_name"`
	Organisation string `json:"organisation,omitempty"`
	Role         string `json:"role"`
	Biography    string `json:"biography,omitempty"`
	Avatar       string `json:"avatar,omitempty"`
}

type jsonLink struct {
	URL   string `json:"url"`
	Title string `json:"title,omitempty"`
	Type  string `json:"type,omitempty"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

var timeZoneNamePattern = regexp.MustCompile(`^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$`)

func (s *schedule) jsonConference() jsonConference {
	c := jsonConference{
		Acronym:          s.acronym,
		Title:            s.title,
		Description:      s.e.Description.In(s.lang, s.e.DefaultLanguage),
		DaysCount:        len(s.days),
		TimeslotDuration: hhmm(time.Duration(s.timeslot) * time.Minute),
		URL:              s.eventURL,
		Rooms:            []jsonRoom{},
		Days:             []jsonDay{},
	}
	// The schema's pattern refuses zones such as Etc/GMT-8; the field is
	// optional, so such a zone is left out rather than failing the file.
	if tz := s.loc.String(); timeZoneNamePattern.MatchString(tz) {
		c.TimeZoneName = tz
	}
	if len(s.days) > 0 {
		c.Start = s.days[0].date.Format(time.DateOnly)
		c.End = s.days[len(s.days)-1].date.Format(time.DateOnly)
	} else {
		c.Start = s.e.StartsAt.In(s.loc).Format(time.DateOnly)
		c.End = s.e.EndsAt.In(s.loc).Format(time.DateOnly)
	}
	for _, t := range s.tracks {
		c.Tracks = append(c.Tracks, jsonTrack{Name: t})
	}
	for _, r := range s.rooms {
		c.Rooms = append(c.Rooms, jsonRoom{Name: r.name, GUID: r.guid})
	}
	for _, d := range s.days {
		jd := jsonDay{
			Index:    d.index,
			Date:     d.date.Format(time.DateOnly),
			DayStart: d.start.Format(time.RFC3339),
			DayEnd:   d.end.Format(time.RFC3339),
		}
		for i, r := range s.rooms {
			jd.Rooms.names = append(jd.Rooms.names, r.name)
			var events []jsonEvent
			for _, it := range d.byRoom[i] {
				events = append(events, s.jsonEvent(it))
			}
			jd.Rooms.events = append(jd.Rooms.events, events)
		}
		c.Days = append(c.Days, jd)
	}
	return c
}

func (s *schedule) jsonEvent(it *scheduleItem) jsonEvent {
	return jsonEvent{
		GUID:        it.guid,
		ID:          it.id,
		Date:        it.start.Format(time.RFC3339),
		Start:       it.start.Format("15:04"),
		End:         it.end.Format(time.RFC3339),
		Duration:    hhmm(it.end.Sub(it.start)),
		Room:        it.room.name,
		Slug:        it.slug,
		URL:         it.url,
		Title:       it.title,
		Track:       nullable(it.s.Track),
		Type:        it.s.Kind,
		Language:    nullable(it.s.Language),
		Abstract:    it.abstract,
		DoNotRecord: doNotRecord,
		Persons:     s.jsonPersons(it.s),
		Links:       []jsonLink{},
		Attachments: []jsonLink{},
	}
}

// doNotRecord is set on every session: foyer collects no consent to record
// from speakers, so recording tools must not assume one.
const doNotRecord = true

func (s *schedule) jsonPersons(ses *Session) []jsonPerson {
	persons := []jsonPerson{}
	for _, ss := range ses.Speakers {
		sp := s.e.Speaker(ss.Speaker)
		if sp == nil {
			continue
		}
		name := speakerName(sp)
		persons = append(persons, jsonPerson{
			GUID:         uuidString(foyerGUID(s.e.Slug + "/speaker/" + sp.ID)),
			Name:         name,
			PublicName:   name,
			Organisation: sp.Organisation,
			Role:         ss.Role,
			Biography:    sp.Bio.In(s.lang, s.e.DefaultLanguage),
			Avatar:       s.absoluteURL(sp.Photo),
		})
	}
	return persons
}

// ScheduleJSON returns the programme as c3voc schedule.json v1 in lang
// (falling back to the event's default language), the format schedule apps
// such as Giggity and EventFahrplan read. baseURL is the absolute root of the
// site (FOYER_BASE_URL): the schema requires absolute URLs.
func ScheduleJSON(e *Event, lang, baseURL string) ([]byte, error) {
	s := buildSchedule(e, lang, baseURL)
	conf := s.jsonConference()
	doc := jsonSchedule{
		Schema:    scheduleSchemaURL,
		Generator: jsonGenerator{Name: "foyer", URL: "https://github.com/foyer-events/foyer"},
		Schedule: jsonBody{
			Version:    scheduleVersion(conf),
			BaseURL:    s.eventURL + "/",
			Conference: conf,
		},
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("programme: schedule.json: %w", err)
	}
	return b.Bytes(), nil
}

// ---- schedule.xml ----

type xmlSchedule struct {
	XMLName    xml.Name      `xml:"schedule"`
	Generator  xmlGenerator  `xml:"generator"`
	URL        string        `xml:"url"`
	Version    string        `xml:"version"`
	Conference xmlConference `xml:"conference"`
	Days       []xmlDay      `xml:"day"`
}

type xmlGenerator struct {
	Name string `xml:"name,attr"`
}

type xmlConference struct {
	Acronym          string     `xml:"acronym"`
	Title            string     `xml:"title"`
	Start            string     `xml:"start"`
	End              string     `xml:"end"`
	Days             int        `xml:"days"`
	TimeslotDuration string     `xml:"timeslot_duration"`
	BaseURL          string     `xml:"base_url"`
	URL              string     `xml:"url"`
	TimeZoneName     string     `xml:"time_zone_name"`
	Tracks           []xmlTrack `xml:"track"`
}

type xmlTrack struct {
	Name string `xml:"name,attr"`
}

type xmlDay struct {
	Index int       `xml:"index,attr"`
	Date  string    `xml:"date,attr"`
	Start string    `xml:"start,attr"`
	End   string    `xml:"end,attr"`
	Rooms []xmlRoom `xml:"room"`
}

type xmlRoom struct {
	Name   string     `xml:"name,attr"`
	GUID   string     `xml:"guid,attr"`
	Events []xmlEvent `xml:"event"`
}

type xmlEvent struct {
	GUID        string       `xml:"guid,attr"`
	ID          int          `xml:"id,attr"`
	Date        string       `xml:"date"`
	Start       string       `xml:"start"`
	Duration    string       `xml:"duration"`
	Room        string       `xml:"room"`
	Slug        string       `xml:"slug"`
	URL         string       `xml:"url"`
	Title       string       `xml:"title"`
	Subtitle    string       `xml:"subtitle"`
	Track       string       `xml:"track"`
	Type        string       `xml:"type"`
	Language    string       `xml:"language,omitempty"`
	Abstract    string       `xml:"abstract"`
	Persons     xmlPersons   `xml:"persons"`
	Recording   xmlRecording `xml:"recording"`
	Links       xmlLinks     `xml:"links"`
	Attachments xmlLinks     `xml:"attachments"`
}

type xmlPersons struct {
	Person []xmlPerson `xml:"person"`
}

type xmlPerson struct {
	GUID string `xml:"guid,attr"`
	Name string `xml:",chardata"`
}

type xmlRecording struct {
	License string `xml:"license"`
	Optout  bool   `xml:"optout"`
}

type xmlLinks struct{}

// ScheduleXML returns the programme as frab schedule.xml in lang, the older
// form of the same data as ScheduleJSON, which some apps and the c3voc tools
// still prefer.
func ScheduleXML(e *Event, lang, baseURL string) ([]byte, error) {
	s := buildSchedule(e, lang, baseURL)
	c := s.jsonConference()
	doc := xmlSchedule{
		Generator: xmlGenerator{Name: "foyer"},
		URL:       s.eventURL + "/schedule.xml",
		Version:   scheduleVersion(c),
		Conference: xmlConference{
			Acronym:          c.Acronym,
			Title:            c.Title,
			Start:            c.Start,
			End:              c.End,
			Days:             c.DaysCount,
			TimeslotDuration: c.TimeslotDuration,
			BaseURL:          s.eventURL + "/",
			URL:              c.URL,
			TimeZoneName:     s.loc.String(),
		},
	}
	for _, t := range s.tracks {
		doc.Conference.Tracks = append(doc.Conference.Tracks, xmlTrack{Name: t})
	}
	for _, d := range s.days {
		xd := xmlDay{
			Index: d.index,
			Date:  d.date.Format(time.DateOnly),
			Start: d.start.Format(time.RFC3339),
			End:   d.end.Format(time.RFC3339),
		}
		for i, r := range s.rooms {
			xr := xmlRoom{Name: r.name, GUID: r.guid}
			for _, it := range d.byRoom[i] {
				je := s.jsonEvent(it)
				xe := xmlEvent{
					GUID:      je.GUID,
					ID:        je.ID,
					Date:      je.Date,
					Start:     je.Start,
					Duration:  je.Duration,
					Room:      je.Room,
					Slug:      je.Slug,
					URL:       je.URL,
					Title:     je.Title,
					Track:     it.s.Track,
					Type:      je.Type,
					Language:  it.s.Language,
					Abstract:  je.Abstract,
					Recording: xmlRecording{Optout: je.DoNotRecord},
				}
				for _, p := range je.Persons {
					xe.Persons.Person = append(xe.Persons.Person, xmlPerson{GUID: p.GUID, Name: p.Name})
				}
				xr.Events = append(xr.Events, xe)
			}
			xd.Rooms = append(xd.Rooms, xr)
		}
		doc.Days = append(doc.Days, xd)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("programme: schedule.xml: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// ---- iCalendar ----

// roleLabel names a speaker role in calendar descriptions with the same
// words as the agenda page, where a bare "panellist" in English would stand
// out in a German or Chinese text.
func roleLabel(role, lang string) string {
	if !slices.Contains(Roles, role) {
		return role
	}
	return i18n.T(lang, "role."+role)
}

// calendar writes an iCalendar stream: CRLF line ends, lines folded at 75
// octets (RFC 5545 section 3.1).
type calendar struct {
	b     bytes.Buffer
	stamp string
}

const icsLocal = "20060102T150405"

// prop writes one content line, value already in iCalendar form.
func (c *calendar) prop(name, value string) {
	line := name + ":" + value
	n := 0
	for len(line) > 0 {
		r, size := utf8.DecodeRuneInString(line)
		if r == utf8.RuneError && size == 1 {
			// Not UTF-8: dropped rather than passed on to choke a client.
			line = line[1:]
			continue
		}
		// An escape such as \n stays on one line: legal to split, but some
		// clients unescape line by line before they unfold.
		if r == '\\' && len(line) > 1 && line[1] < utf8.RuneSelf {
			size = 2
		}
		// Fold before a character that would pass 75 octets, never inside
		// one: a split UTF-8 sequence garbles Chinese titles in Outlook.
		if n+size > 75 {
			c.b.WriteString("\r\n ")
			n = 1
		}
		c.b.WriteString(line[:size])
		n += size
		line = line[size:]
	}
	c.b.WriteString("\r\n")
}

// text writes a property of type TEXT, escaped.
func (c *calendar) text(name, value string) { c.prop(name, escapeText(value)) }

var textEscaper = strings.NewReplacer(
	`\`, `\\`, ";", `\;`, ",", `\,`,
	"\r\n", `\n`, "\n", `\n`, "\r", `\n`,
)

// escapeText escapes a TEXT value (RFC 5545 section 3.3.11). Other control
// characters are not allowed in TEXT and are dropped.
func escapeText(s string) string {
	s = textEscaper.Replace(s)
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// newCalendar starts a VCALENDAR with the time zone definition that its
// events refer to, covering every year in which one of them takes place.
func newCalendar(s *schedule, method string, times []time.Time) *calendar {
	c := &calendar{stamp: time.Now().UTC().Format("20060102T150405Z")}
	c.prop("BEGIN", "VCALENDAR")
	c.prop("VERSION", "2.0")
	c.prop("PRODID", "-//foyer//foyer schedule//EN")
	c.prop("CALSCALE", "GREGORIAN")
	if method != "" {
		c.prop("METHOD", method)
	}
	// Apple and Google name a subscribed calendar after this.
	c.text("X-WR-CALNAME", s.title)
	from, to := 0, 0
	for _, t := range times {
		y := t.In(s.loc).Year()
		if from == 0 || y < from {
			from = y
		}
		if y > to {
			to = y
		}
	}
	if from == 0 {
		from, to = time.Now().In(s.loc).Year(), time.Now().In(s.loc).Year()
	}
	c.timezone(s.loc, from, to)
	return c
}

func (c *calendar) end() []byte {
	c.prop("END", "VCALENDAR")
	return c.b.Bytes()
}

// timezone writes a VTIMEZONE from Go's zone data: the observance in force on
// 1 January of the first year and every transition up to the end of the last,
// so that clients without the IANA database (Outlook) show the right hours.
// A zone without daylight saving time gets a single STANDARD.
func (c *calendar) timezone(loc *time.Location, from, to int) {
	c.prop("BEGIN", "VTIMEZONE")
	c.prop("TZID", loc.String())
	t := time.Date(from, 1, 1, 0, 0, 0, 0, loc)
	_, offset := t.Zone()
	start, _ := t.ZoneBounds()
	if start.IsZero() {
		// The zone never changed (UTC): the conventional epoch start.
		c.observance(t, "19700101T000000", offset, offset)
	} else {
		_, before := start.Add(-time.Second).Zone()
		c.observance(start, onset(start, before), before, offset)
	}
	for {
		_, next := t.ZoneBounds()
		if next.IsZero() || next.Year() > to {
			break
		}
		_, after := next.Zone()
		c.observance(next, onset(next, offset), offset, after)
		t, offset = next, after
	}
	c.prop("END", "VTIMEZONE")
}

// onset is a transition's DTSTART: local time as it was just before.
func onset(t time.Time, offsetBefore int) string {
	return t.UTC().Add(time.Duration(offsetBefore) * time.Second).Format(icsLocal)
}

func (c *calendar) observance(at time.Time, dtstart string, from, to int) {
	kind := "STANDARD"
	if at.IsDST() {
		kind = "DAYLIGHT"
	}
	name, _ := at.Zone()
	c.prop("BEGIN", kind)
	c.prop("DTSTART", dtstart)
	c.prop("TZOFFSETFROM", utcOffset(from))
	c.prop("TZOFFSETTO", utcOffset(to))
	c.text("TZNAME", name)
	c.prop("END", kind)
}

func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	h, m, s := sec/3600, sec/60%60, sec%60
	if s != 0 {
		return fmt.Sprintf("%s%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%s%02d%02d", sign, h, m)
}

// vevent is what a VEVENT shows, already in the reader's language.
type vevent struct {
	uid         string
	start, end  time.Time
	summary     string
	description string
	location    string
	url         string
}

func (c *calendar) event(s *schedule, v vevent) {
	tzid := "TZID=" + s.loc.String()
	c.prop("BEGIN", "VEVENT")
	c.prop("UID", v.uid)
	c.prop("DTSTAMP", c.stamp)
	c.prop("DTSTART;"+tzid, v.start.In(s.loc).Format(icsLocal))
	c.prop("DTEND;"+tzid, v.end.In(s.loc).Format(icsLocal))
	c.text("SUMMARY", v.summary)
	if v.description != "" {
		c.text("DESCRIPTION", v.description)
	}
	if v.location != "" {
		c.text("LOCATION", v.location)
	}
	if v.url != "" {
		c.prop("URL", v.url)
	}
	c.prop("END", "VEVENT")
}

func joinNonEmpty(parts ...string) string {
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), ", ")
}

// sessionEvent describes a session for a calendar: the abstract, then one
// line per speaker with their role, and the room with the venue's address.
func (s *schedule) sessionEvent(it *scheduleItem) vevent {
	var people []string
	for _, ss := range it.s.Speakers {
		if sp := s.e.Speaker(ss.Speaker); sp != nil {
			people = append(people, roleLabel(ss.Role, s.lang)+": "+joinNonEmpty(speakerName(sp), sp.Organisation))
		}
	}
	description := strings.TrimSpace(it.abstract + "\n\n" + strings.Join(people, "\n"))
	room := it.room.name
	if it.room.venue {
		room = ""
	}
	return vevent{
		uid:         it.guid,
		start:       it.start,
		end:         it.end,
		summary:     it.title,
		description: description,
		location:    joinNonEmpty(room, s.e.Venue.Name, s.e.Venue.Address),
		url:         it.url,
	}
}

// ScheduleICS returns the programme as an iCalendar file, one VEVENT per
// session, for subscribing from a calendar app. Times carry the event's TZID
// so that a session at 09:30 in Hannover stays 09:30 Hannover time wherever
// the reader is. The UIDs are the guids of ScheduleJSON.
func ScheduleICS(e *Event, lang, baseURL string) []byte {
	s := buildSchedule(e, lang, baseURL)
	var times []time.Time
	for _, it := range s.items {
		times = append(times, it.start, it.end)
	}
	c := newCalendar(s, "", times)
	for _, it := range s.items {
		c.event(s, s.sessionEvent(it))
	}
	return c.end()
}

// InviteICS returns the calendar attached to registration emails: one VEVENT
// for the whole event and one for each chosen session (ids that are not on
// the programme are skipped), sharing UIDs with ScheduleICS so that a guest
// who also subscribes sees each session once.
//
// It is sent as METHOD:PUBLISH so that mail clients offer "add to calendar"
// instead of a meeting request with accept/decline buttons (RFC 5546 allows
// no ATTENDEE in PUBLISH, so the guest is not named in it).
func InviteICS(e *Event, lang, baseURL string, sessions []string) []byte {
	s := buildSchedule(e, lang, baseURL)
	var chosen []*scheduleItem
	for _, it := range s.items {
		if slices.Contains(sessions, it.s.ID) {
			chosen = append(chosen, it)
		}
	}
	start, end := e.StartsAt.In(s.loc), e.EndsAt.In(s.loc)
	if end.Before(start) {
		end = start
	}
	times := []time.Time{start, end}
	for _, it := range chosen {
		times = append(times, it.start, it.end)
	}
	c := newCalendar(s, "PUBLISH", times)
	c.event(s, vevent{
		uid:         uuidString(foyerGUID(e.Slug + "/event")),
		start:       start,
		end:         end,
		summary:     s.title,
		description: strings.TrimSpace(e.Subtitle.In(lang, e.DefaultLanguage) + "\n\n" + e.Description.In(lang, e.DefaultLanguage)),
		location:    joinNonEmpty(e.Venue.Name, e.Venue.Address),
		url:         s.eventURL,
	})
	for _, it := range chosen {
		c.event(s, s.sessionEvent(it))
	}
	return c.end()
}
