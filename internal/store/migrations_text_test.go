package store

import (
	"context"
	"path/filepath"
	"testing"
)

// TestPlainTextBecomesTranslatable: a database from before the venue,
// tracks, organisations and job titles were translatable keeps their text,
// now for every language, and a speaker row without them stays empty.
func TestPlainTextBecomesTranslatable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	versionOneDatabase(t, path,
		`INSERT INTO events (id, slug, title, venue_name, venue_address, timezone, starts_at, ends_at, status,
			default_language, ticket_private_key, ticket_public_key, created_at, updated_at) VALUES
			(1, 'old', '{"en":"Old forum"}', 'Messe "Nord", Halle 2', 'Messegelände, 30521 Hannover', 'Europe/Berlin',
			'2027-04-13T07:00:00.000000Z', '2027-04-13T16:00:00.000000Z', 'published', 'de', x'00', x'00', '', '')`,
		`INSERT INTO speakers (id, event_id, key, name, organisation, job_title, position) VALUES
			(1, 1, 'a', 'Anna', 'Fraunhofer IFF', 'Leiterin', 0), (2, 1, 'b', 'Ben', '', '', 1)`,
		`INSERT INTO sessions (id, event_id, key, kind, track, starts_at, ends_at, title, position) VALUES
			(1, 1, 's', 'talk', 'Plenum', '2027-04-13T07:00:00.000000Z', '2027-04-13T08:00:00.000000Z', '{"de":"Eröffnung"}', 0)`,
	)

	s, err := OpenFile(ctx, path)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer s.Close()
	ev, err := s.GetEvent(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ what, got, want string }{
		{"venue name", ev.Venue.Name.In("zh", "de"), `Messe "Nord", Halle 2`},
		{"venue address", ev.Venue.Address.In("en", "de"), "Messegelände, 30521 Hannover"},
		{"organisation", ev.Speakers[0].Organisation.In("en", "de"), "Fraunhofer IFF"},
		{"job title", ev.Speakers[0].JobTitle.In("zh", "de"), "Leiterin"},
		{"track", ev.Sessions[0].Track.In("en", "de"), "Plenum"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	if len(ev.Speakers[1].Organisation) != 0 || len(ev.Speakers[1].JobTitle) != 0 {
		t.Errorf("empty organisation became %v, job title %v", ev.Speakers[1].Organisation, ev.Speakers[1].JobTitle)
	}
}
