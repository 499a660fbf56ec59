package registration

import (
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/programme"
)

// TestParseFilter: every parameter is read, wrong ones are named in the
// user's language, and Values writes back what ParseFilter reads.
func TestParseFilter(t *testing.T) {
	e := programme.Demo(time.Now())
	q, _ := url.ParseQuery("status=confirmed&session=ws-maintenance&country=de&kind=press&checked_in=false&q=+Müller+&" +
		"a.industry=research&a.b2b=yes&a.dietary=vegan&a.interpretation=&sort=-name&ids=3,4&limit=50&offset=100&page=2&lang=de")
	f, errs := ParseFilter(q, e)
	if errs != nil {
		t.Fatal(errs)
	}
	no := false
	want := Filter{Status: "confirmed", Session: "ws-maintenance", Country: "DE", Kind: "press", CheckedIn: &no, Query: "Müller",
		Answers: map[string]string{"industry": "research", "b2b": "yes", "dietary": "vegan"}, Sort: "name", Desc: true,
		IDs: []int64{3, 4}, Limit: 50, Offset: 100}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("got  %+v\nwant %+v", f, want)
	}
	again, errs := ParseFilter(f.Values(), e)
	f.Limit, f.Offset = 0, 0
	if errs != nil || !reflect.DeepEqual(again, f) {
		t.Errorf("Values does not read back: %+v %v", again, errs)
	}
	if (Filter{}).Narrowed() || !f.Narrowed() {
		t.Error("Narrowed")
	}

	bad, _ := url.ParseQuery("status=happy&session=nope&country=XX&kind=vip&checked_in=soon&sort=shoe&ids=1,x&limit=5000&offset=-1&" +
		"a.nope=1&a.b2b=maybe&a.industry=mining")
	_, errs = ParseFilter(bad, e)
	for _, field := range []string{"status", "session", "country", "kind", "checked_in", "sort", "ids", "limit", "offset", "a.nope", "a.b2b", "a.industry"} {
		if errs[field].Key == "" {
			t.Errorf("no message for %s", field)
		}
	}
	if errs["status"].Key != "error.filter_status" || errs["a.nope"].Key != "error.filter_question" || errs["a.nope"].Args[0] != "nope" {
		t.Errorf("messages %v", errs)
	}
}
