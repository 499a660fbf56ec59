package store

import (
	"reflect"
	"testing"

	"github.com/foyer-events/foyer/internal/programme"
)

func TestDiffNamesPlaces(t *testing.T) {
	before := &programme.Event{Slug: "f", Title: programme.Text{"en": "Forum", "de": "Forum"},
		Sessions: []programme.Session{{ID: "a", Kind: "talk", Room: "r1"}, {ID: "b", Kind: "panel"}}}
	after := &programme.Event{Slug: "f", Title: programme.Text{"en": "Forum", "de": "Das Forum"},
		Sessions: []programme.Session{{ID: "b", Kind: "panel"}, {ID: "a", Kind: "talk", Room: "r2"}, {ID: "c", Kind: "break"}}}
	got := diff(before, after)
	want := map[string]Change{
		"title.de":           {"Forum", "Das Forum"},
		`sessions["a"].room`: {"r1", "r2"},
		`sessions["c"].id`:   {nil, "c"},
		`sessions["c"].kind`: {nil, "break"},
	}
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("%s: %v, want %v", k, got[k], w)
		}
	}
	if _, moved := got[`sessions["b"].kind`]; moved {
		t.Error("a session that only moved in the list counts as changed")
	}
	if len(diff(before, before)) != 0 {
		t.Errorf("no change gives %v", diff(before, before))
	}
}
