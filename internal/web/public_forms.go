package web

import (
	"fmt"

	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/registration"
)

// personForm is the data of the "person-fields" and "question-fields"
// templates: the registration form and the manage page's corrections.
type personForm struct {
	Lang     string
	Fallback string // the event's default language, for its questions
	Input    registration.Input
	Errors   map[string]string // field -> message, translated
	// TopCountries are the event's focus countries, Countries the rest.
	TopCountries, Countries []registration.Country
	Questions               []programme.Question
	// EmailFixed shows the address without a field: a guest corrects
	// everything but the address that identifies the registration.
	EmailFixed bool
	// EmailOptional drops the address's "required": organisers may
	// register a guest who has none.
	EmailOptional bool
}

// newPersonForm fills a personForm for an event in lang.
func newPersonForm(lang string, e *programme.Event, in registration.Input, errs map[string]string) personForm {
	f := personForm{Lang: lang, Fallback: e.DefaultLanguage, Input: in, Errors: errs, Questions: e.Questions}
	f.TopCountries, f.Countries = registration.CountryChoices(lang, e.Registration.FocusCountries)
	return f
}

// formField is the data of the "text-field" template.
type formField struct {
	Lang, Name, Value, Autocomplete, Error string
	Required                               bool
}

// newFormField builds a formField of a personForm.
func newFormField(f personForm, name, value, autocomplete string, required bool) formField {
	return formField{Lang: f.Lang, Name: name, Value: value, Autocomplete: autocomplete, Error: f.Errors[name], Required: required}
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
