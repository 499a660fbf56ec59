// Package layers checks how foyer's packages may depend on each other.
package layers

import (
	"errors"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/foyer-events/foyer"

// TestDomainKnowsNoPresentation: the domain packages hold the rules of
// foyer and return data and message keys. They translate nothing, render
// nothing and know neither HTTP nor the database, so that web, mail and
// the command line can each present them their own way.
func TestDomainKnowsNoPresentation(t *testing.T) {
	domain := []string{"programme", "registration", "ticket", "checkin", "export", "media", "message"}
	forbidden := []string{
		module + "/internal/i18n", module + "/internal/view", module + "/internal/web",
		module + "/internal/store", module + "/internal/outbox", module + "/internal/app",
		"html/template", "text/template", "net/http", "database/sql",
	}
	checked := 0
	for _, name := range domain {
		path := module + "/internal/" + name
		if _, err := os.Stat(filepath.Join("..", name)); errors.Is(err, fs.ErrNotExist) {
			continue // a package still to come
		}
		deps, err := imports(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checked++
		for _, f := range forbidden {
			if via, ok := deps[f]; ok {
				t.Errorf("%s imports %s (through %s)", name, f, via)
			}
		}
	}
	if checked < 3 {
		t.Fatalf("checked %d packages: are the names still right?", checked)
	}
}

// TestLayeringCheckSeesImports makes sure the check above can fail: web
// imports all of it.
func TestLayeringCheckSeesImports(t *testing.T) {
	deps, err := imports(module + "/internal/web")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{module + "/internal/i18n", "html/template", module + "/internal/programme"} {
		if _, ok := deps[want]; !ok {
			t.Errorf("the import walk missed %s", want)
		}
	}
}

// imports returns every package that path imports, directly or not, with
// the package it was reached through. Only non-test files count. foyer's
// own packages and the standard library are followed; other modules are
// listed but not entered.
func imports(path string) (map[string]string, error) {
	seen := map[string]string{}
	var walk func(path string) error
	walk = func(path string) error {
		var p *build.Package
		var err error
		switch {
		case strings.HasPrefix(path, module+"/") || path == module:
			p, err = build.ImportDir(filepath.Join("..", "..", strings.TrimPrefix(path, module)), 0)
		case isStd(path):
			p, err = build.Import(path, "", 0)
		default:
			return nil
		}
		if err != nil {
			return err
		}
		for _, imp := range p.Imports {
			if _, done := seen[imp]; done || imp == "C" || imp == "unsafe" {
				continue
			}
			seen[imp] = path
			if err := walk(imp); err != nil {
				return err
			}
		}
		return nil
	}
	return seen, walk(path)
}

// isStd reports whether path is in the standard library: its first element
// has no dot.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
