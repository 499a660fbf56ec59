package web

import (
	"strings"
	"testing"
)

// TestPageSetsAreWhole: every template that a page's set calls, from the
// layout down, is defined in that set, and a page's own blocks are kept
// over the layout's, so that pruning the partials a page does not use
// never leaves one it does.
func TestPageSetsAreWhole(t *testing.T) {
	v, err := loadViews()
	if err != nil {
		t.Fatal(err)
	}
	if len(v.pages) < 30 {
		t.Fatalf("%d pages parsed", len(v.pages))
	}
	for name, set := range v.pages {
		for _, tmpl := range set.Templates() {
			if tmpl.Tree == nil {
				continue
			}
			for _, called := range calledTemplates(tmpl.Tree.Root) {
				if def := set.Lookup(called); def == nil || def.Tree == nil {
					t.Errorf("page %s: %q calls %q, which its set lacks", name, tmpl.Name(), called)
				}
			}
		}
	}
	// The sign-in page's own title is kept over the layout's default,
	// which a page without one (home) still has.
	own, def := v.pages["login"].Lookup("title"), v.pages["home"].Lookup("title")
	if own == nil || def == nil || !strings.Contains(own.Tree.Root.String(), "login.title") || strings.Contains(def.Tree.Root.String(), "login.title") {
		t.Errorf("blocks: login's title %v, home's title %v", own, def)
	}
	// A page does not carry partials it never calls.
	if v.pages["login"].Lookup("editor-problems") != nil {
		t.Error("the sign-in page holds the programme editor's partials")
	}
}
