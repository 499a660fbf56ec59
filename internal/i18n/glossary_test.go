package i18n

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/foyer-events/foyer/internal/languages"
)

// glossaryRow is one term of docs/glossary.md.
type glossaryRow struct {
	thing string
	words map[string]string   // language -> the word
	avoid map[string][]string // language -> words that must not appear
}

// readGlossary reads the table of docs/glossary.md.
func readGlossary(t *testing.T) []glossaryRow {
	t.Helper()
	f, err := os.Open("../../docs/glossary.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []glossaryRow
	var cols []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			cols = nil
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case cols == nil:
			cols = cells
		case strings.HasPrefix(cells[0], "---"):
		default:
			r := glossaryRow{words: map[string]string{}, avoid: map[string][]string{}}
			for i, c := range cols {
				if i >= len(cells) {
					break
				}
				switch c {
				case "thing":
					r.thing = cells[i]
				case "en", "de", "zh":
					r.words[c] = cells[i]
				case "avoid":
					lang := ""
					for _, part := range strings.Split(cells[i], ";") {
						part = strings.TrimSpace(part)
						if l, w, ok := strings.Cut(part, ":"); ok && len(l) == 2 {
							lang, part = l, strings.TrimSpace(w)
						}
						if part != "" && lang != "" {
							r.avoid[lang] = append(r.avoid[lang], part)
						}
					}
				}
			}
			rows = append(rows, r)
		}
	}
	if len(rows) < 20 {
		t.Fatalf("docs/glossary.md has %d terms; is its table still there?", len(rows))
	}
	return rows
}

// TestGlossary: every word of the glossary is in use in its language's
// catalogue, and no word the glossary says to avoid is.
func TestGlossary(t *testing.T) {
	for _, r := range readGlossary(t) {
		for _, lang := range languages.All {
			word := r.words[lang]
			if word == "" {
				t.Errorf("glossary: %q has no %s word", r.thing, lang)
				continue
			}
			if key := findWord(lang, word); key == "" {
				t.Errorf("glossary: the %s word for %q, %q, appears in no %s message", lang, r.thing, word, lang)
			}
			for _, bad := range r.avoid[lang] {
				if key := findWord(lang, bad); key != "" {
					t.Errorf("glossary: %s says %q for %q (%s); the glossary has %q", lang, bad, r.thing, key, word)
				}
			}
		}
	}
}

// findWord returns a key of lang's catalogue whose message contains word
// (ignoring case in English and German), or "".
func findWord(lang, word string) string {
	for k, v := range catalogues[lang] {
		if strings.Contains(v, word) || (lang != "zh" && strings.Contains(strings.ToLower(v), strings.ToLower(word))) {
			return k
		}
	}
	return ""
}

var (
	cjk = `[\x{3040}-\x{30ff}\x{3400}-\x{9fff}\x{ac00}-\x{d7af}]`
	// An ASCII mark next to a Chinese character (a dot before a file
	// extension, as in 文件.json, is not a full stop).
	asciiBesideCJK = regexp.MustCompile(cjk + `[,;:!?()]|[,;:!?()]` + cjk + `|` + cjk + `\.(\s|$)`)
)

// TestTypography holds the catalogues to the rules of docs/glossary.md:
// language quotes rather than straight ones, full-width punctuation in
// Chinese.
func TestTypography(t *testing.T) {
	for _, lang := range []string{"de", "zh"} {
		for k, v := range catalogues[lang] {
			if strings.Contains(v, `"`) || strings.Contains(v, "%q") {
				t.Errorf("%s %s: straight quotes (write „…“ in German, “…” in Chinese): %s", lang, k, v)
			}
			if lang == "zh" && asciiBesideCJK.MatchString(v) {
				t.Errorf("zh %s: ASCII punctuation beside Chinese characters: %s", k, v)
			}
			if lang == "de" && strings.Contains(v, " - ") {
				t.Errorf("de %s: a hyphen where a dash belongs (–): %s", k, v)
			}
		}
	}
}
