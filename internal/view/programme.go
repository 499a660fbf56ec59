package view

import (
	"errors"
	"fmt"
	"strings"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/programme"
)

// Problem puts one problem of a programme into lang.
func Problem(lang string, p programme.Problem) string {
	return i18n.T(lang, p.Key, p.Args...)
}

// ProgrammeFields puts the problems of a programme into lang, keyed by
// their place (sessions[3] "panel-sme".room), for the JSON error shape
// and the editor's forms. Where one place has several, the first counts.
func ProgrammeFields(lang string, problems []programme.Problem) map[string]string {
	f := make(map[string]string, len(problems))
	for _, p := range problems {
		if _, dup := f[p.Where]; !dup {
			f[p.Where] = Problem(lang, p)
		}
	}
	return f
}

// ProgrammeError writes a programme's problems for a terminal, one per
// line with its place; any other error as it is.
func ProgrammeError(lang string, err error) string {
	var problems []programme.Problem
	var pe *programme.Error
	if errors.As(err, &pe) {
		problems = pe.Problems
	} else if ps, ok := err.(interface{ ProgrammeProblems() []programme.Problem }); ok {
		problems = ps.ProgrammeProblems()
	} else {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString(i18n.T(lang, "programme.invalid"))
	for _, p := range problems {
		fmt.Fprintf(&b, "\n  %s: %s", p.Where, Problem(lang, p))
	}
	return b.String()
}
