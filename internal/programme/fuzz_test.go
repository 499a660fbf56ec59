package programme

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzDecode feeds the programme import arbitrary bytes. It never panics;
// what it refuses it refuses with an *Error that names a place; and what it
// accepts as valid survives the round trip (encoded and decoded again, it
// is still valid and encodes the same), since export and import share the
// format. The seed corpus runs in every go test.
func FuzzDecode(f *testing.F) {
	f.Add(demoJSON)
	for _, seed := range []string{
		``, `{}`, `null`, `[]`, `{"slug":"x"}`, `{"slug": "a", "title": {"en": "A\nB"}}`,
		`{"slug":"forum","title":{"en":"T"},"timezone":"Europe/Berlin","starts_at":"2027-04-13T09:00:00+02:00",` +
			`"ends_at":"2027-04-13T18:00:00+02:00","status":"published","default_language":"de","registration":{"mode":"open"},` +
			`"sessions":[{"id":"s","kind":"talk","starts_at":"2027-04-13T08:00:00+02:00","ends_at":"2027-04-13T09:30:00+02:00","title":{"en":"S"}}]}`,
		`{"slug":"x"}}`, `{"slug":"x"} {"slug":"y"}`, `{"capacity": 1e400}`, `{"title": "plain"}`, "{\"slug\":\"\xff\"}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Decode(data)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || !pe.Decoding || len(pe.Problems) == 0 || pe.Problems[0].Where == "" {
				t.Fatalf("Decode refused with %#v, want a decoding *Error naming a place", err)
			}
			return
		}
		if err := e.Validate(); err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Decoding || len(pe.Problems) == 0 {
				t.Fatalf("Validate refused with %#v, want an *Error listing problems", err)
			}
			for _, p := range pe.Problems {
				if p.Where == "" || p.Key == "" {
					t.Fatalf("a problem without place or message key: %+v", p)
				}
			}
			return
		}
		out, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("a valid programme does not encode: %v", err)
		}
		again, err := Decode(out)
		if err != nil {
			t.Fatalf("the export of a valid programme does not import: %v\n%s", err, out)
		}
		if err := again.Validate(); err != nil {
			t.Fatalf("the export of a valid programme is not valid: %v\n%s", err, out)
		}
		out2, _ := json.Marshal(again)
		if !bytes.Equal(out, out2) {
			t.Fatalf("round trip changed the programme:\n%s\n%s", out, out2)
		}
	})
}
