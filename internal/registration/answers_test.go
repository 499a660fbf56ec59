package registration

import (
	"encoding/json"
	"reflect"
	"testing"
)

// answersSeeds are stored answers as foyer writes them, and texts that
// must take encoding/json's way: escapes, numbers, nesting, invalid UTF-8,
// control characters, bad syntax, trailing text.
var answersSeeds = []string{
	`{"b2b":true,"dietary":"none","industry":"machinery","interpretation":["de-zh"]}`,
	`{}`, ` { } `, `{"a":null,"b":false,"c":[]}`, `{"a":[ "x" , "y" ]}`,
	`{"名字":"王小明","org":"Müller & Söhne \"Anlagenbau\""}`,
	`{"a":"line\nbreak"}`, `{"a":"\u00fc"}`, `{"a":1}`, `{"a":-1.5e3}`, `{"a":{"b":"c"}}`,
	`{"a":[1,"x"]}`, `{"a":[null]}`, `{"a":"x","a":"y"}`, "{\"a\":\"\xff\"}", "{\"a\":\"\x01\"}",
	`{"a":"x",}`, `{"a":"x"} x`, `{"a" "x"}`, `["a"]`, `"a"`, `null`, ``, `{`, `{"a":tru}`, `{"a":["x",]}`,
	"\t{\"a\":\"x\"}\r\n", `{"a":"=HYPERLINK(\"x\")"}`,
}

// TestDecodeAnswers: every seed decodes as encoding/json decodes it.
func TestDecodeAnswers(t *testing.T) {
	for _, s := range answersSeeds {
		checkDecodeAnswers(t, s)
	}
	// The shape foyer stores takes the quick way.
	if _, ok := decodeFlatAnswers(answersSeeds[0]); !ok {
		t.Errorf("stored answers %s did not take the quick way", answersSeeds[0])
	}
}

// FuzzDecodeAnswers holds DecodeAnswers to encoding/json for any text.
func FuzzDecodeAnswers(f *testing.F) {
	for _, s := range answersSeeds {
		f.Add(s)
	}
	f.Fuzz(checkDecodeAnswers)
}

func checkDecodeAnswers(t *testing.T, s string) {
	want := map[string]any{}
	if err := json.Unmarshal([]byte(s), &want); err != nil {
		want = map[string]any{}
	}
	got := DecodeAnswers(s)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeAnswers(%q) = %#v, encoding/json gives %#v", s, got, want)
	}
}
