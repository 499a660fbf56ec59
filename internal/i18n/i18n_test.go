package i18n

import (
	"encoding/json"
	"io/fs"
	"maps"
	"path"
	"slices"
	"testing"

	"github.com/foyer-events/foyer/internal/languages"
)

// Every language has the same area files with the same keys in each, so a
// string added to one language's file cannot be forgotten in the others.
func TestCataloguesMatch(t *testing.T) {
	keys := map[string][]string{} // "lang/file" -> sorted keys
	var fileNames []string
	for _, lang := range languages.All {
		names, err := fs.Glob(files, "locales/"+lang+"/*.json")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			data, err := files.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			var part map[string]string
			if err := json.Unmarshal(data, &part); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var ks []string
			for k, v := range part {
				if v == "" {
					t.Errorf("%s: %s is empty", name, k)
				}
				ks = append(ks, k)
			}
			slices.Sort(ks)
			keys[lang+"/"+path.Base(name)] = ks
			if lang == "en" {
				fileNames = append(fileNames, path.Base(name))
			}
		}
	}
	if len(keys) != len(fileNames)*len(languages.All) {
		t.Errorf("the languages have different sets of files: %v", slices.Sorted(maps.Keys(keys)))
	}
	for _, file := range fileNames {
		for _, lang := range languages.All[1:] {
			if !slices.Equal(keys[lang+"/"+file], keys["en/"+file]) {
				t.Errorf("%s/%s has other keys than en/%s", lang, file, file)
			}
		}
	}
}
