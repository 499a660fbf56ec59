package view

import (
	"strings"
	"testing"

	"github.com/foyer-events/foyer/internal/registration"
)

func TestWords(t *testing.T) {
	cases := []struct{ got, want string }{
		{RoleName("de", "speaker"), "Vortrag"},
		{RoleName("zh", "moderator"), "主持"},
		{RoleName("en", "juggler"), "juggler"}, // not a role of the programme
		{RoleNames("en")("host"), RoleName("en", "host")},
		{LanguageName("de", "zh"), "Chinesisch"},
		{LanguageName("zh", "de"), "德语"},
		{LanguageName("en", "not a language"), "not a language"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestFields(t *testing.T) {
	errs := registration.FieldErrors{
		"first_name": {Key: "reg.error.required"},
		"job_title":  {Key: "reg.error.too_long", Args: []any{200}},
	}
	got := Fields("de", errs)
	if len(got) != 2 || got["first_name"] == "" || got["first_name"] == "reg.error.required" {
		t.Errorf("Fields = %v", got)
	}
	if want := "200"; !strings.Contains(got["job_title"], want) {
		t.Errorf("too long: %q lacks the limit", got["job_title"])
	}
	if Fields("en", nil) != nil {
		t.Error("no errors must stay nil")
	}
}
