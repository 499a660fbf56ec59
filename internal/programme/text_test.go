package programme

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/languages"
)

// TestTextPlainOrTranslated: the fields that became translatable read a
// plain string as before (one text for every language) or an object by
// language, and write back what they read.
func TestTextPlainOrTranslated(t *testing.T) {
	e := Demo(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	// An older programme: the same with plain strings.
	var raw map[string]any
	json.Unmarshal(data, &raw)
	raw["venue"] = map[string]any{"name": "Messe Hannover", "address": "30521 Hannover"}
	for _, s := range raw["sessions"].([]any) {
		if s := s.(map[string]any); s["track"] != nil {
			s["track"] = "Plenum"
		}
	}
	for _, sp := range raw["speakers"].([]any) {
		sp := sp.(map[string]any)
		sp["organisation"], sp["job_title"] = "Fraunhofer IFF", "Leiterin"
	}
	old, _ := json.Marshal(raw)

	plain, err := Decode(old)
	if err != nil {
		t.Fatalf("plain strings refused: %v", err)
	}
	if err := plain.Validate(); err != nil {
		t.Fatalf("plain strings do not validate: %v", err)
	}
	for _, lang := range languages.All {
		if got := plain.Venue.Name.In(lang, "de"); got != "Messe Hannover" {
			t.Errorf("plain venue in %s = %q", lang, got)
		}
		if got := plain.Speakers[0].JobTitle.In(lang, "de"); got != "Leiterin" {
			t.Errorf("plain job title in %s = %q", lang, got)
		}
	}
	again, _ := json.Marshal(plain)
	for _, want := range []string{`"venue":{"name":"Messe Hannover","address":"30521 Hannover"}`, `"track":"Plenum"`, `"organisation":"Fraunhofer IFF"`} {
		if !strings.Contains(string(again), want) {
			t.Errorf("written back without %s", want)
		}
	}

	translated, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, venue, track, job string }{
		{"en", "Convention Center, Hannover Exhibition Grounds", "Plenary", "Head of Digital Factory Research"},
		{"de", "Convention Center, Messegelände Hannover", "Plenum", "Leiterin Forschung Digitale Fabrik"},
		{"zh", "汉诺威展览中心会议中心", "全体大会", "数字工厂研究负责人"},
	} {
		if got := translated.Venue.Name.In(c.lang, "de"); got != c.venue {
			t.Errorf("venue in %s = %q, want %q", c.lang, got, c.venue)
		}
		if got := translated.Session("opening").Track.In(c.lang, "de"); got != c.track {
			t.Errorf("track in %s = %q, want %q", c.lang, got, c.track)
		}
		if got := translated.Speakers[0].JobTitle.In(c.lang, "de"); got != c.job {
			t.Errorf("job title in %s = %q, want %q", c.lang, got, c.job)
		}
	}

	// A language key that is not one of foyer's is still an error, and so
	// is "" beside real languages.
	for _, bad := range []Text{{"fr": "Salle"}, {"": "x", "en": "y"}} {
		e := Demo(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
		e.Venue.Name = bad
		if err := e.Validate(); err == nil || !strings.Contains(err.Error(), "venue.name") {
			t.Errorf("venue name %v: %v", bad, err)
		}
	}
	if _, err := Decode([]byte(`{"venue": {"name": 42}}`)); err == nil {
		t.Error("a number as the venue name was accepted")
	}
}

func TestFocusCountries(t *testing.T) {
	for _, c := range []struct {
		codes []string
		ok    bool
	}{{[]string{"DE", "CN"}, true}, {nil, true}, {[]string{"de"}, false}, {[]string{"XX"}, false}, {[]string{"DE", "DE"}, false}, {[]string{"EU"}, false}} {
		e := Demo(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
		e.Registration.FocusCountries = c.codes
		if err := e.Validate(); (err == nil) != c.ok {
			t.Errorf("focus countries %v: %v", c.codes, err)
		}
	}
}
