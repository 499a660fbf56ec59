// Package i18n holds foyer's message catalogues in English, German and
// Chinese, and picks the language of a request.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"golang.org/x/text/language"

	"github.com/foyer-events/foyer/internal/languages"
)

// Each language's catalogue is split by area (locales/en/registration.json,
// locales/en/checkin.json, …) so that a feature brings its own file; the
// files of one language are merged, and a key defined twice is an error.
//
//go:embed locales
var files embed.FS

var catalogues = map[string]map[string]string{}

func init() {
	for _, lang := range languages.All {
		m, err := load(lang)
		if err != nil {
			panic("i18n: " + err.Error())
		}
		catalogues[lang] = m
	}
}

func load(lang string) (map[string]string, error) {
	names, err := fs.Glob(files, "locales/"+lang+"/*.json")
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("missing catalogue %s", lang)
	}
	m := map[string]string{}
	for _, name := range names {
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var part map[string]string
		if err := json.Unmarshal(data, &part); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		for k, v := range part {
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("%s: key %q is defined in another file too", name, k)
			}
			m[k] = v
		}
	}
	return m, nil
}

// T returns the message key in lang, formatted with args (fmt verbs), falling
// back to English and finally to the key itself, so a missing translation
// shows as something a tester can spot rather than an empty string.
func T(lang, key string, args ...any) string {
	msg, ok := catalogues[lang][key]
	if !ok {
		msg, ok = catalogues["en"][key]
	}
	if !ok {
		msg = key
	}
	if len(args) > 0 {
		if lang == "zh" {
			args = spaceArgs(msg, args)
		}
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// N is T for a message about n things: where n is 1 and the catalogue has
// key + ".one" ("Only 1 place left"), that; otherwise key ("Only %d places
// left"). n is the first argument of the message.
func N(lang, key string, n int, args ...any) string {
	if n == 1 {
		if _, ok := catalogues[lang][key+".one"]; ok {
			key += ".one"
		}
	}
	return T(lang, key, append([]any{n}, args...)...)
}

// In returns T bound to lang, for code that writes in one language
// without knowing the catalogue (exports, charts).
func In(lang string) func(key string, args ...any) string {
	return func(key string, args ...any) string { return T(lang, key, args...) }
}

// Has reports whether key exists in lang's catalogue.
func Has(lang, key string) bool {
	_, ok := catalogues[lang][key]
	return ok
}

// Keys returns every key of lang's catalogue (for the completeness test).
func Keys(lang string) []string {
	keys := make([]string, 0, len(catalogues[lang]))
	for k := range catalogues[lang] {
		keys = append(keys, k)
	}
	return keys
}

// matcher picks among languages.All, in that order, for Accept-Language.
var matcher = func() language.Matcher {
	tags := make([]language.Tag, len(languages.All))
	for i, l := range languages.All {
		tags[i] = language.Make(l)
	}
	return language.NewMatcher(tags)
}()

// CookieName is the cookie that remembers a chosen language.
const CookieName = "foyer_lang"

// Negotiate picks the language of a request: ?lang=, then the cookie, then
// Accept-Language, then fallback. It reports whether ?lang= chose it, so the
// caller can remember the choice in a cookie.
func Negotiate(r *http.Request, fallback string) (lang string, fromQuery bool) {
	if l := r.URL.Query().Get("lang"); languages.Valid(l) {
		return l, true
	}
	if c, err := r.Cookie(CookieName); err == nil && languages.Valid(c.Value) {
		return c.Value, false
	}
	if h := r.Header.Get("Accept-Language"); h != "" {
		tags, _, err := language.ParseAcceptLanguage(h)
		if err == nil && len(tags) > 0 {
			_, i, conf := matcher.Match(tags...)
			if conf != language.No {
				return languages.All[i], false
			}
		}
	}
	if languages.Valid(fallback) {
		return fallback, false
	}
	return "en", false
}

// Name returns a language's own name, for the language switch.
func Name(lang string) string {
	switch lang {
	case "de":
		return "Deutsch"
	case "zh":
		return "中文"
	}
	return "English"
}

// Tag returns the BCP 47 tag for the html lang attribute.
func Tag(lang string) string {
	if lang == "zh" {
		return "zh-Hans"
	}
	return strings.ToLower(lang)
}
