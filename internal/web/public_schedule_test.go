package web

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/foyer-events/foyer/internal/apitest"
)

// TestScheduleFiles: the published programme is served as schedule.json and
// schedule.xml in the language asked for, with the right content types; an
// event that does not exist is a 404.
func TestScheduleFiles(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, nil, true))
	c := apitest.Client{Base: ta.srv.URL}
	for _, tc := range []struct {
		path, contentType string
		parses            func([]byte) error
	}{
		{"/events/forum/schedule.json?lang=de", "application/json; charset=utf-8", func(b []byte) error { var v any; return json.Unmarshal(b, &v) }},
		{"/events/forum/schedule.xml?lang=de", "application/xml; charset=utf-8", func(b []byte) error { var v any; return xml.Unmarshal(b, &v) }},
	} {
		r := c.Do(t, http.MethodGet, tc.path, nil).Want(t, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); ct != tc.contentType {
			t.Errorf("%s: Content-Type %q, want %q", tc.path, ct, tc.contentType)
		}
		if err := tc.parses(r.Body); err != nil {
			t.Errorf("%s: does not parse: %v", tc.path, err)
		}
		if body := string(r.Body); !strings.Contains(body, "Digitale Zwillinge") {
			t.Errorf("%s: no German session title:\n%s", tc.path, apitest.Clip(body, 1500))
		}
		missing := strings.Replace(tc.path, "/forum/", "/no-such-forum/", 1)
		c.Do(t, http.MethodGet, missing, nil).Want(t, http.StatusNotFound)
	}
}
