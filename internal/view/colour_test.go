package view

import "testing"

func TestReadableColour(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"#0b4f8a", "#0b4f8a"}, // dark enough already
		{"#000000", "#000000"},
		{"not a colour", ""},
	} {
		if got := ReadableColour(tc.in); got != tc.want {
			t.Errorf("ReadableColour(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, light := range []string{"#ffdd00", "#ffffff", "#66ccff", "#e2001a"} {
		got := ReadableColour(light)
		r, g, b, ok := parseColour(got)
		if !ok || contrast(r, g, b) < 4.5 {
			t.Errorf("ReadableColour(%q) = %q, contrast %.2f on white", light, got, contrast(r, g, b))
		}
		if got == light && light != "#e2001a" {
			t.Errorf("ReadableColour(%q) kept a colour that does not read on white", light)
		}
	}
}
