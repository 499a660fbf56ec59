package registration

import "testing"

// nameCases is the table of names the rule is held to. Pages, emails and
// exports each test a few of them end to end; this is the whole table.
var nameCases = []struct {
	about                string
	given, family, lang  string
	salutation, title    string
	full, surname        string
	greeting, greetTitle string
}{
	{"Chinese in zh", "小明", "王", "zh", "", "", "王小明", "王小明", "greeting.none", ""},
	{"Chinese in en keeps its order", "小明", "王", "en", "mr", "", "王小明", "王小明", "greeting.mr", ""},
	{"Chinese, two-character family name", "小红", "欧阳", "de", "ms", "", "欧阳小红", "欧阳小红", "greeting.ms", ""},
	{"pinyin in zh", "Xiaoming", "Wang", "zh", "", "", "Wang Xiaoming", "Wang", "greeting.none", ""},
	{"pinyin in en", "Xiaoming", "Wang", "en", "", "", "Xiaoming Wang", "Wang", "greeting.none", ""},
	{"German with Dr", "Anna", "Schäfer", "de", "ms", "dr", "Anna Schäfer", "Schäfer", "greeting.ms_title", "title.dr"},
	{"German with Prof. Dr.", "Klaus", "Müller-Lüdenscheidt", "de", "mr", "prof_dr", "Klaus Müller-Lüdenscheidt", "Müller-Lüdenscheidt", "greeting.mr_title", "title.prof_dr"},
	{"German nobiliary particle", "Ursula", "von der Leyen", "de", "ms", "prof", "Ursula von der Leyen", "von der Leyen", "greeting.ms_title", "title.prof"},
	{"title without salutation", "Kim", "Berger", "en", "", "dr", "Kim Berger", "Berger", "greeting.none_title", "title.dr"},
	{"Korean in Hangul", "민준", "김", "en", "", "", "김민준", "김민준", "greeting.none", ""},
	{"Korean romanised", "Min-jun", "Kim", "de", "", "", "Min-jun Kim", "Kim", "greeting.none", ""},
	{"Japanese", "太郎", "山田", "de", "mr", "", "山田太郎", "山田太郎", "greeting.mr", ""},
	{"Hungarian, as typed, in de", "János", "Nagy", "de", "", "", "János Nagy", "Nagy", "greeting.none", ""},
	{"Hungarian in zh: family first", "János", "Nagy", "zh", "", "", "Nagy János", "Nagy", "greeting.none", ""},
	{"mixed: Han family, Latin given", "Anna", "李", "en", "", "", "李 Anna", "李 Anna", "greeting.none", ""},
	{"mixed: Latin family, Han given", "小明", "Wang", "de", "", "", "Wang 小明", "Wang 小明", "greeting.none", ""},
	{"only a family name", "", "王", "zh", "", "", "王", "王", "greeting.none", ""},
	{"only a given name", "Madonna", "", "en", "", "", "Madonna", "Madonna", "greeting.none", ""},
	{"spaces around parts", "  Anna ", " Schäfer ", "de", "", "", "Anna Schäfer", "Schäfer", "greeting.none", ""},
	{"unknown salutation is ignored", "Anna", "Schäfer", "de", "mrs", "dr.", "Anna Schäfer", "Schäfer", "greeting.none", ""},
}

func TestFullName(t *testing.T) {
	for _, c := range nameCases {
		if got := FullName(c.given, c.family, c.lang); got != c.full {
			t.Errorf("%s: FullName(%q, %q, %q) = %q, want %q", c.about, c.given, c.family, c.lang, got, c.full)
		}
		r := &Registration{FirstName: c.given, LastName: c.family, Language: c.lang, Salutation: c.salutation, Title: c.title}
		if got := r.FullName(); got != c.full {
			t.Errorf("%s: Registration.FullName() = %q, want %q", c.about, got, c.full)
		}
		if got := r.Surname(); got != c.surname {
			t.Errorf("%s: Surname() = %q, want %q", c.about, got, c.surname)
		}
		g := r.Greeting()
		if g.Key != c.greeting || g.Title != c.greetTitle || g.Surname != c.surname || g.Name != c.full {
			t.Errorf("%s: Greeting() = %+v, want key %q, title %q, surname %q, name %q",
				c.about, g, c.greeting, c.greetTitle, c.surname, c.full)
		}
	}
}

func TestFormsOfAddress(t *testing.T) {
	for _, s := range append([]string{""}, Salutations...) {
		if !ValidSalutation(s) {
			t.Errorf("ValidSalutation(%q) = false", s)
		}
	}
	for _, s := range append([]string{""}, Titles...) {
		if !ValidTitle(s) {
			t.Errorf("ValidTitle(%q) = false", s)
		}
	}
	for _, s := range []string{"mrs", "Ms", "herr", "dr.", "Dr", "prof dr", "x"} {
		if ValidSalutation(s) || ValidTitle(s) {
			t.Errorf("%q accepted as a form of address", s)
		}
	}
}

func TestCountryChoices(t *testing.T) {
	top, rest := CountryChoices("de", []string{"DE", "CN", "XX"})
	if len(top) != 2 || top[0] != (Country{"DE", "Deutschland"}) || top[1] != (Country{"CN", "China"}) {
		t.Errorf("top = %v, want Deutschland, China in the event's order", top)
	}
	if len(rest) != len(countryCodes)-2 {
		t.Errorf("%d other countries, want %d", len(rest), len(countryCodes)-2)
	}
	index := map[string]int{}
	for i, c := range rest {
		index[c.Code] = i
		if c.Code == "DE" || c.Code == "CN" {
			t.Errorf("%s is listed twice", c.Code)
		}
	}
	// German order: Ö sorts with O (Oman, Österreich, Osttimor), Ä with A.
	if !(index["OM"] < index["AT"] && index["AT"] < index["PK"]) {
		t.Errorf("Österreich at %d between Oman %d and Pakistan %d?", index["AT"], index["OM"], index["PK"])
	}
	if !(index["AF"] < index["EG"] && index["EG"] < index["AL"]) {
		t.Errorf("Afghanistan %d, Ägypten %d, Albanien %d: want Ä sorted as A", index["AF"], index["EG"], index["AL"])
	}
	top, rest = CountryChoices("zh", []string{"CN", "DE"})
	if top[0].Name != "中国" || top[1].Name != "德国" {
		t.Errorf("zh top = %v", top)
	}
	// Chinese order is by pinyin: 阿尔巴尼亚 (a) before 巴西 (ba) before 法国 (fa).
	zh := map[string]int{}
	for i, c := range rest {
		zh[c.Code] = i
	}
	if !(zh["AL"] < zh["BR"] && zh["BR"] < zh["FR"]) {
		t.Errorf("zh order: Albania %d, Brazil %d, France %d", zh["AL"], zh["BR"], zh["FR"])
	}
	if top, rest := CountryChoices("en", nil); top != nil || len(rest) != len(countryCodes) {
		t.Errorf("without focus: %d top, %d rest", len(top), len(rest))
	}
}

func TestPlacesLeft(t *testing.T) {
	n := func(i int) *int { return &i }
	for _, c := range []struct {
		capacity *int
		taken    int
		want     Places
	}{
		{nil, 1000, Places{}},
		{n(40), 0, Places{State: PlacesOpen}},
		{n(40), 35, Places{State: PlacesOpen}},
		{n(40), 36, Places{State: PlacesFew, Left: 4}},
		{n(40), 39, Places{State: PlacesFew, Left: 1}},
		{n(40), 40, Places{State: PlacesFull}},
		{n(40), 45, Places{State: PlacesFull}}, // a lowered capacity
		{n(20), 17, Places{State: PlacesFew, Left: 3}},
		{n(20), 16, Places{State: PlacesOpen}},
		{n(2), 0, Places{State: PlacesFew, Left: 2}},
		{n(350), 315, Places{State: PlacesFew, Left: 35}},
	} {
		if got := PlacesLeft(c.capacity, c.taken); got != c.want {
			t.Errorf("PlacesLeft(%v, %d) = %+v, want %+v", c.capacity, c.taken, got, c.want)
		}
	}
}
