package view

import (
	"fmt"
	"math"
	"strconv"
)

// ReadableColour returns an organiser's colour (#rrggbb) darkened until text
// in it reads on white at 4.5:1 (WCAG AA), for links and buttons on pages
// and in emails; a colour dark enough stays as it is. "" for no colour.
func ReadableColour(colour string) string {
	r, g, b, ok := parseColour(colour)
	if !ok {
		return ""
	}
	for contrast(r, g, b) < 4.5 {
		r, g, b = r*0.92, g*0.92, b*0.92
	}
	return hexColour(r, g, b)
}

// Darker returns a colour a fifth darker, for hover states.
func Darker(colour string) string {
	r, g, b, ok := parseColour(colour)
	if !ok {
		return ""
	}
	return hexColour(r*0.78, g*0.78, b*0.78)
}

func parseColour(s string) (r, g, b float64, ok bool) {
	if len(s) != 7 || s[0] != '#' {
		return 0, 0, 0, false
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return 0, 0, 0, false
	}
	return float64(v >> 16 & 0xff), float64(v >> 8 & 0xff), float64(v & 0xff), true
}

func hexColour(r, g, b float64) string {
	return fmt.Sprintf("#%02x%02x%02x", int(math.Round(r)), int(math.Round(g)), int(math.Round(b)))
}

// contrast is the WCAG contrast ratio of a colour against white.
func contrast(r, g, b float64) float64 {
	lin := func(c float64) float64 {
		c /= 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	l := 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	return 1.05 / (l + 0.05)
}
