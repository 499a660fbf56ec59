package links

import "testing"

func TestLinks(t *testing.T) {
	cases := []struct{ got, want string }{
		{Event("dcip-forum-2027"), "/events/dcip-forum-2027"},
		{Event("forum", "register"), "/events/forum/register"},
		{Event("forum", "schedule.ics"), "/events/forum/schedule.ics"},
		{Session("forum", "panel-sme"), "/events/forum#session-panel-sme"},
		{Speaker("forum", "wang.fang"), "/events/forum/speakers#speaker-wang.fang"},
		{Manage("AbC_-9"), "/m/AbC_-9"},
		{Manage("AbC_-9", "ticket.png"), "/m/AbC_-9/ticket.png"},
		{CheckIn("forum"), "/checkin/forum"},
		{Absolute("https://forum.example.org/", Event("forum")), "https://forum.example.org/events/forum"},
		{Absolute("https://example.org/foyer", Manage("t")), "https://example.org/foyer/m/t"},
		// Whatever an id holds, it cannot leave its segment.
		{Event("a/b?c"), "/events/a%2Fb%3Fc"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
