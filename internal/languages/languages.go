// Package languages is the one list of the languages foyer speaks, which
// the catalogues, the pages, the programme's translated texts and every
// validity check of a language take. It imports nothing of foyer, so that
// any package may use it.
package languages

import "slices"

// All are the languages foyer speaks, in the order of the language switch.
// The first is the last resort when nothing else is known.
var All = []string{"en", "de", "zh"}

// Valid reports whether lang is one of All.
func Valid(lang string) bool { return slices.Contains(All, lang) }
