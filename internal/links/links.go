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

// Invite is the page where an invited member of the team sets a first
// password. Like Manage, its token must reach no log or other person.
func Invite(token string) string { return "/invite/" + url.PathEscape(token) }

// CheckIn is the check-in page for an event's entrance.
func CheckIn(slug string) string { return "/checkin/" + url.PathEscape(slug) }

// Admin is an event's page of the organiser interface, or with part one of
// its sections: Admin("forum") is the dashboard, Admin("forum",
// "registrations", "42") a registration.
func Admin(slug string, part ...string) string {
	return join("/admin/events/"+url.PathEscape(slug), part)
}

// Absolute puts the site's base URL in front of a path from this package.
func Absolute(base, path string) string { return strings.TrimRight(base, "/") + path }

func join(base string, part []string) string {
	for _, p := range part {
		base += "/" + p
	}
	return base
}

// Media is an image that foyer stores (a speaker's photo, a logo), named by
// the hash of its bytes.
func Media(name string) string { return "/media/" + url.PathEscape(name) }

// Legal is the address of an organiser's legal page ("imprint" or
// "privacy"): the organiser's own page when it names one (external), foyer's
// page of a text written in it (written), or "" for none. slug is the
// event, "" for the site's defaults.
func Legal(slug, page, external string, written bool) string {
	switch {
	case external != "":
		return external
	case !written:
		return ""
	case slug == "":
		return "/" + page
	}
	return Event(slug, page)
}
