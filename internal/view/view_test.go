package view

import (
	"strings"
	"testing"

	"github.com/foyer-events/foyer/internal/registration"
)

func TestWords(t *testing.T) {
	cases := []struct{ got, want string }{
		{RoleName("de", "speaker"), "Vortrag"},
		{RoleName("zh", "moderator"), "主持人"},
		{RoleName("en", "juggler"), "juggler"}, // not a role of the programme
		{SpeakerLines("en")("host", "Thomas Weber", "", "Deutsche Messe"), "Host: Thomas Weber, Deutsche Messe"},
		// "Vortrag" names the talk, not a person: German programmes list "Vortrag: Name".
		{SpeakerLines("de")("speaker", "Wang Fang", "王芳", "CIIPA Deutschland"), "Vortrag: Wang Fang (王芳), CIIPA Deutschland"},
		{SpeakerLines("zh")("speaker", "Chen Jing", "陈静", "四川智能制造研究院"), "演讲嘉宾：陈静（Chen Jing），四川智能制造研究院"},
		{SpeakerLines("zh")("host", "Thomas Weber", "", "德国展览集团技术学院"), "召集人：Thomas Weber，德国展览集团技术学院"},
		{SpeakerLines("zh")("moderator", "Sabine Hoffmann", "", ""), "主持人：Sabine Hoffmann"},
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
