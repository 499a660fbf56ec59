package web

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/languages"
	"github.com/foyer-events/foyer/internal/programme"
)

// Registration questions in the editor, a kind of part like rooms and
// sessions (admin_parts.go): an id, one of the four types, whether guests
// must answer, the question in each language and, for choices, the
// answers to choose from.

// optionRow is an answer of a choice question in the form: its value
// (what exports show) and its text in each language.
type optionRow struct {
	Index  int
	Value  string
	Label  programme.Text
	Errors []string
}

// emptyOptionRows are the rows offered for new answers.
const emptyOptionRows = 3

// questionForm fills the form of the question editing (new if "") and
// returns its place in programme JSON.
func questionForm(p *partsPage, e *programme.Event, editing string, problems map[string]string, l string) string {
	q := &programme.Question{Type: "text"}
	index := -1
	if i := slices.IndexFunc(e.Questions, func(x programme.Question) bool { return x.ID == editing }); i >= 0 {
		index, q = i, &e.Questions[i]
	} else {
		p.Editing = "" // no such question: a new one
	}
	place := partPlace("questions", max(index, len(e.Questions)-1), q.ID)
	p.Values = map[string]string{"id": q.ID, "type": q.Type}
	if q.Required {
		p.Values["required"] = "yes"
	}
	p.Texts = []textField{newTextField("label", i18n.T(l, "editor.field.question"), q.Label, false, problems, place+".label")}
	p.QuestionTypes = programme.QuestionTypes
	for i, o := range q.Options {
		p.Options = append(p.Options, optionRow{Index: i, Value: o.Value, Label: o.Label})
	}
	for range emptyOptionRows {
		p.Options = append(p.Options, optionRow{Index: len(p.Options), Label: programme.Text{}})
	}
	// The problems of an answer show on its row, in the order of its fields.
	var wheres []string
	for where := range problems {
		wheres = append(wheres, where)
	}
	sort.Strings(wheres)
	for _, where := range wheres {
		var j int
		var rest string
		if _, err := fmt.Sscanf(strings.TrimPrefix(where, place+".options["), "%d]%s", &j, &rest); err == nil &&
			strings.HasPrefix(where, place+".options[") && j < len(p.Options) {
			p.Options[j].Errors = append(p.Options[j].Errors, problems[where])
			delete(problems, where)
		}
	}
	return place
}

// formQuestion reads the question of the form.
func formQuestion(form url.Values, id string) programme.Question {
	q := programme.Question{ID: id, Type: form.Get("type"), Required: form.Get("required") != "", Label: formText(form, "label")}
	values := form["option_value"]
	for i, v := range values {
		o := programme.Option{Value: strings.TrimSpace(v), Label: programme.Text{}}
		for _, l := range languages.All {
			if labels := form["option_label."+l]; i < len(labels) && strings.TrimSpace(labels[i]) != "" {
				o.Label[l] = strings.TrimSpace(labels[i])
			}
		}
		if o.Value == "" && len(o.Label) == 0 {
			continue // an empty row
		}
		if len(o.Label) == 0 {
			o.Label = nil
		}
		q.Options = append(q.Options, o)
	}
	return q
}
