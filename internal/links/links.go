// Package links builds the addresses foyer hands out: the event's pages and
// files, a session's place on the agenda, the attendee's private manage
// link, the check-in page. Handlers, templates, emails and schedule files
// all take them from here, so an address that changes changes once, and
// the routes in internal/web/routes.go are the only other place that names
// them.
//
// Paths are site-relative ("/events/dcip-forum-2027"); Absolute puts the
// site's base URL (FOYER_BASE_URL) in front for emails and files that are
// read away from the site.
package links

import (
	"net/url"
	"strings"
)

// Event is the event's page, or with part one of its pages and files:
// Event("forum") is "/events/forum", Event("forum", "register") is
// "/events/forum/register".
func Event(slug string, part ...string) string {
	return join("/events/"+url.PathEscape(slug), part)
}

// Session is the session's place on the event's agenda.
func Session(slug, id string) string {
	return Event(slug) + "#session-" + url.PathEscape(id)
}

// Speaker is the speaker's entry in the event's speaker list.
func Speaker(slug, id string) string {
	return Event(slug, "speakers") + "#speaker-" + url.PathEscape(id)
}

// Manage is the attendee's private manage page, or with part one of its
// files and actions ("ticket.png", "event.ics", "cancel"). The token is the
// only key to it: it must reach no log, referrer or other person.
func Manage(token string, part ...string) string {
	return join("/m/"+url.PathEscape(token), part)
}

// CheckIn is the check-in page for an event's entrance.
func CheckIn(slug string) string { return "/checkin/" + url.PathEscape(slug) }

// Absolute puts the site's base URL in front of a path from this package.
func Absolute(base, path string) string { return strings.TrimRight(base, "/") + path }

func join(base string, part []string) string {
	for _, p := range part {
		base += "/" + p
	}
	return base
}
