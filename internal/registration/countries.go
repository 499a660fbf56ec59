package registration

import (
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// isoCountries are the ISO 3166-1 alpha-2 codes in use.
const isoCountries = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
	"NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ " +
	"UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"

var countryCodes = strings.Fields(isoCountries)

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 code.
func ValidCountry(code string) bool {
	_, found := slices.BinarySearch(countryCodes, code)
	return found
}

// Country is a choice in the country list.
type Country struct {
	Code, Name string
}

var dictionaries = map[string]*display.Dictionary{"en": display.English, "de": display.German, "zh": display.Chinese}

var tags = map[string]language.Tag{"en": language.English, "de": language.German, "zh": language.Chinese}

// CountryName returns the country's name in lang, or the code if unknown.
func CountryName(lang, code string) string {
	d, ok := dictionaries[lang]
	if !ok {
		d = display.English
	}
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := d.Regions().Name(r); n != "" {
		return n
	}
	return code
}

// Countries lists every country named in lang, sorted the way that language
// sorts (umlauts in German, pinyin order in Chinese). The list is built once
// per language: every registration form shows it. Callers must not change it.
func Countries(lang string) []Country {
	cl, ok := countryLists[lang]
	if !ok {
		lang, cl = "en", countryLists["en"]
	}
	cl.once.Do(func() { cl.list = sortedCountries(lang) })
	return cl.list
}

type countryList struct {
	once sync.Once
	list []Country
}

var countryLists = map[string]*countryList{"en": {}, "de": {}, "zh": {}}

func sortedCountries(lang string) []Country {
	out := make([]Country, len(countryCodes))
	for i, c := range countryCodes {
		out[i] = Country{Code: c, Name: CountryName(lang, c)}
	}
	col := collate.New(tags[lang])
	slices.SortFunc(out, func(a, b Country) int { return col.CompareString(a.Name, b.Name) })
	return out
}

// CountryChoices splits the country list of the registration form: the
// event's focus countries first, in the event's order, then every other
// country in lang's alphabetical order. Codes that are not countries are
// left out. Without focus countries, top is empty and rest is Countries.
func CountryChoices(lang string, focus []string) (top, rest []Country) {
	all := Countries(lang)
	if len(focus) == 0 {
		return nil, all
	}
	for _, code := range focus {
		if ValidCountry(code) && !slices.ContainsFunc(top, func(c Country) bool { return c.Code == code }) {
			top = append(top, Country{Code: code, Name: CountryName(lang, code)})
		}
	}
	rest = make([]Country, 0, len(all))
	for _, c := range all {
		if !slices.ContainsFunc(top, func(t Country) bool { return t.Code == c.Code }) {
			rest = append(rest, c)
		}
	}
	return top, rest
}
