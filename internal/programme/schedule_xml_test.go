package programme

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func xmllint(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("FOYER_E2E") == "required" {
			t.Fatal("xmllint not on PATH and FOYER_E2E=required")
		}
		t.Skip("xmllint not on PATH")
	}
	return p
}

func lint(t *testing.T, xmllint string, data []byte) error {
	t.Helper()
	f := filepath.Join(t.TempDir(), "schedule.xml")
	if err := os.WriteFile(f, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", testdata(t, "c3voc/schedule.xml.xsd"), f).CombinedOutput()
	if err != nil {
		t.Logf("xmllint: %s", out)
	}
	return err
}

func TestScheduleXMLValidates(t *testing.T) {
	lintPath := xmllint(t)
	tests := []struct {
		name   string
		lang   string
		change func(e *Event)
		title  string
	}{
		{name: "english", lang: "en", title: "Opening: golden partners in smart manufacturing"},
		{name: "german", lang: "de", title: "Eröffnung: Goldene Partner in der intelligenten Fertigung"},
		{name: "chinese", lang: "zh", title: "开幕致辞：智能制造领域的黄金伙伴"},
		{
			name: "no room, markup in title, Shanghai", lang: "en", title: `<b>Open</b> & "shut"`,
			change: func(e *Event) {
				moveTo(t, e, "Asia/Shanghai")
				e.Session("lunch").Room = ""
				e.Session("opening").Title = Text{"en": `<b>Open</b> & "shut"`}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := scheduleDemo(t)
			if tt.change != nil {
				tt.change(e)
			}
			data, err := ScheduleXML(e, tt.lang, testBaseURL)
			if err != nil {
				t.Fatal(err)
			}
			if err := lint(t, lintPath, data); err != nil {
				t.Fatalf("schedule.xml does not validate: %v", err)
			}
			var doc struct {
				Days []struct {
					Rooms []struct {
						Name   string `xml:"name,attr"`
						Events []struct {
							Room  string `xml:"room"`
							Title string `xml:"title"`
							URL   string `xml:"url"`
						} `xml:"event"`
					} `xml:"room"`
				} `xml:"day"`
			}
			if err := xml.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			titles := map[string]string{}
			for _, d := range doc.Days {
				for _, r := range d.Rooms {
					for _, ev := range r.Events {
						if ev.Room != r.Name {
							t.Errorf("event %q names room %q inside room %q", ev.Title, ev.Room, r.Name)
						}
						_, id, _ := strings.Cut(ev.URL, "#session-")
						titles[id] = ev.Title
					}
				}
			}
			if len(titles) != len(e.Sessions) {
				t.Errorf("%d events, want %d", len(titles), len(e.Sessions))
			}
			if titles["opening"] != tt.title {
				t.Errorf("opening titled %q, want %q", titles["opening"], tt.title)
			}
		})
	}
	// And the check can fail: a schedule without its version is refused.
	data, err := ScheduleXML(scheduleDemo(t), "en", testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	start, end := bytes.Index(data, []byte("<version>")), bytes.Index(data, []byte("</version>"))
	if start < 0 || end < 0 {
		t.Fatal("schedule.xml has no version")
	}
	broken := append(slices.Clip(data[:start]), data[end+len("</version>"):]...)
	if err := lint(t, lintPath, broken); err == nil {
		t.Error("xmllint accepted a schedule without version")
	}
}
