package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Programme JSON is handled here as a generic tree (map[string]any, []any,
// float64, string, bool, nil), the way a script outside foyer sees it, rather
// than through foyer's own types.

// tree decodes JSON into a generic tree.
func tree(t testing.TB, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("decode JSON: %v\n%s", err, data)
	}
	return m
}

// clone returns a deep copy of a tree.
func clone(t testing.TB, m map[string]any) map[string]any {
	t.Helper()
	return tree(t, encode(t, m))
}

// encode encodes a tree as indented JSON.
func encode(t testing.TB, v any) []byte {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// writeFile writes data to a new file in a temporary folder and returns its path.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// node walks a tree along keys (string) and indexes (int).
func node(t testing.TB, root any, path ...any) any {
	t.Helper()
	v := root
	for i, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: not an object", path[:i+1])
			}
			v, ok = m[k]
			if !ok {
				t.Fatalf("%v: no such key", path[:i+1])
			}
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("%v: not an array of more than %d items", path[:i+1], k)
			}
			v = a[k]
		default:
			t.Fatalf("path element %v", p)
		}
	}
	return v
}

// object is node for an object.
func object(t testing.TB, root any, path ...any) map[string]any {
	t.Helper()
	m, ok := node(t, root, path...).(map[string]any)
	if !ok {
		t.Fatalf("%v: not an object", path)
	}
	return m
}

// sessionIndex returns the index of the session with that id.
func sessionIndex(t testing.TB, ev map[string]any, id string) int {
	t.Helper()
	for i, s := range node(t, ev, "sessions").([]any) {
		if s.(map[string]any)["id"] == id {
			return i
		}
	}
	t.Fatalf("no session %q in the programme", id)
	return -1
}

// diffJSON lists where two trees differ, as paths like sessions[3].room.
func diffJSON(path string, a, b any) []string {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %s vs %s", path, short(a), short(b))}
		}
		var keys []string
		for k := range a {
			keys = append(keys, k)
		}
		for k := range b {
			if _, ok := a[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		var out []string
		for _, k := range keys {
			av, aok := a[k]
			bv, bok := b[k]
			p := strings.TrimPrefix(path+"."+k, ".")
			switch {
			case !aok:
				out = append(out, fmt.Sprintf("%s: missing vs %s", p, short(bv)))
			case !bok:
				out = append(out, fmt.Sprintf("%s: %s vs missing", p, short(av)))
			default:
				out = append(out, diffJSON(p, av, bv)...)
			}
		}
		return out
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return []string{fmt.Sprintf("%s: %s vs %s", path, short(a), short(b))}
		}
		var out []string
		for i := range a {
			out = append(out, diffJSON(fmt.Sprintf("%s[%d]", path, i), a[i], b[i])...)
		}
		return out
	}
	if !reflect.DeepEqual(a, b) {
		return []string{fmt.Sprintf("%s: %s vs %s", path, short(a), short(b))}
	}
	return nil
}

func short(v any) string {
	data, _ := json.Marshal(v)
	if len(data) > 120 {
		return string(data[:120]) + "…"
	}
	return string(data)
}
