package web

import (
	"fmt"

	"github.com/foyer-events/foyer/internal/registration"
)

// formField is the data of the "text-field" template.
type formField struct {
	Lang, Name, Value, Autocomplete, Error string
	Required                               bool
}

// newFormField builds a formField from a page with Lang and Errors.
func newFormField(p *registerPage, name, value, autocomplete string, required bool) formField {
	return formField{Lang: p.Lang, Name: name, Value: value, Autocomplete: autocomplete, Error: p.Errors[name], Required: required}
}

// answerValue returns a text or yes/no answer as the form shows it.
func answerValue(in registration.Input, id string) string {
	switch v := in.Answers[id].(type) {
	case string:
		return v
	case bool:
		return fmt.Sprint(v)
	}
	return ""
}

// answerChosen reports whether value is among the answers to a choice question.
func answerChosen(in registration.Input, id, value string) bool {
	switch v := in.Answers[id].(type) {
	case string:
		return v == value
	case []string:
		for _, x := range v {
			if x == value {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if x == value {
				return true
			}
		}
	}
	return false
}
