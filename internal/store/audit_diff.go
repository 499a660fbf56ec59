package store

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// diff compares two values as JSON and returns every leaf that differs,
// by its place: title.de, sessions["panel-sme"].room. Lists of objects
// with an id (or slug, or value) are matched by it, so moving a session
// in the list is no change and a new one is one entry. Either side may be
// nil (created, or removed).
func diff(before, after any) map[string]Change {
	a, b := map[string]any{}, map[string]any{}
	flatten("", toJSON(before), a)
	flatten("", toJSON(after), b)
	out := map[string]Change{}
	for k, v := range a {
		if w, ok := b[k]; !ok || !reflect.DeepEqual(v, w) {
			out[k] = Change{Before: v, After: b[k]}
		}
	}
	for k, w := range b {
		if _, ok := a[k]; !ok {
			out[k] = Change{Before: nil, After: w}
		}
	}
	return out
}

func toJSON(v any) any {
	if v == nil {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	json.Unmarshal(data, &out)
	return out
}

func flatten(at string, v any, out map[string]any) {
	join := func(key string) string {
		if at == "" {
			return key
		}
		return at + "." + key
	}
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			flatten(join(k), x, out)
		}
	case []any:
		keyed := len(t) > 0
		for _, x := range t {
			if itemKey(x) == "" {
				keyed = false
			}
		}
		if !keyed {
			if len(t) > 0 || at != "" {
				out[at] = t
			}
			return
		}
		for _, x := range t {
			flatten(fmt.Sprintf("%s[%q]", at, itemKey(x)), x, out)
		}
	case nil:
	default:
		if at != "" {
			out[at] = t
		}
	}
}

// itemKey is the id of an object in a list: id, slug, value or speaker.
func itemKey(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	for _, k := range []string{"id", "slug", "value", "speaker"} {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// trimChanges drops what an entry need not repeat: the big texts shown in
// full (a description of 20,000 characters) are cut to their start.
func trimChanges(c map[string]Change) map[string]Change {
	cut := func(v any) any {
		if s, ok := v.(string); ok && len(s) > 500 {
			return strings.ToValidUTF8(s[:500], "") + "…"
		}
		return v
	}
	for k, ch := range c {
		c[k] = Change{Before: cut(ch.Before), After: cut(ch.After)}
	}
	return c
}
