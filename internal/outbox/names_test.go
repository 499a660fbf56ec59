package outbox

import (
	"strings"
	"testing"
	"time"
)

// TestNamesInEmails sends to a German guest with a form of address and to a
// Chinese guest, through a real SMTP server, and reads what arrived: the
// greeting, the name on the ticket and the recipient's display name follow
// the name rule of the registration package.
func TestNamesInEmails(t *testing.T) {
	to := startOutbox(t, forum(nil))
	cases := []struct {
		n                     int
		lang, first, last     string
		salutation, title     string
		greeting, ticket, hdr string
		not                   []string
	}{
		{1, "de", "Anna", "Schäfer", "ms", "dr",
			"Sehr geehrte Frau Dr. Schäfer,", "Dr. Anna Schäfer", "Anna Schäfer", []string{"Guten Tag"}},
		{2, "zh", "小明", "王", "", "",
			"尊敬的王小明：", "王小明", "王小明", []string{"小明 王", "小明王"}},
		{3, "zh", "小红", "李", "ms", "prof",
			"尊敬的李小红教授：", "李小红教授", "李小红", nil},
		{4, "en", "Klaus", "Müller", "mr", "prof_dr",
			"Dear Professor Müller,", "Prof. Dr. Klaus Müller", "Klaus Müller", nil},
		{5, "de", "Jana", "Novák", "", "",
			"Guten Tag Jana Novák,", "Jana Novák", "Jana Novák", []string{"Sehr geehrte"}},
		{6, "zh", "Anna", "Schäfer", "ms", "",
			"尊敬的 Schäfer Anna 女士：", "Schäfer Anna", "Schäfer Anna", nil},
	}
	for _, c := range cases {
		in := guest(c.n, c.lang)
		in.FirstName, in.LastName, in.Salutation, in.Title = c.first, c.last, c.salutation, c.title
		to.register(t, "forum", in)
	}
	msgs := to.smtp.WaitFor(t, len(cases), 20*time.Second)
	for _, c := range cases {
		var found bool
		for _, m := range msgs {
			if m.To[0] != in(c.n) {
				continue
			}
			found = true
			p, err := m.Parse()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(p.Text, c.greeting) || !strings.Contains(p.HTML, c.greeting) {
				t.Errorf("%s %s: greeting %q missing; text begins %q", c.first, c.last, c.greeting, head(p.Text))
			}
			if !strings.Contains(p.HTML, ">"+c.ticket+"<") {
				t.Errorf("%s %s: the ticket does not show %q", c.first, c.last, c.ticket)
			}
			if len(p.To) != 1 || p.To[0].Name != c.hdr {
				t.Errorf("%s %s: To header %v, want the name %q", c.first, c.last, p.To, c.hdr)
			}
			for _, bad := range c.not {
				if strings.Contains(p.Text, bad) || strings.Contains(p.HTML, bad) {
					t.Errorf("%s %s: email contains %q", c.first, c.last, bad)
				}
			}
		}
		if !found {
			t.Errorf("no email to guest %d", c.n)
		}
	}
}

func in(n int) string { return "guest" + itoa(int64(n)) + "@example.org" }

func head(s string) string {
	if i := strings.Index(s, "\n\n"); i > 0 && i < 300 {
		if j := strings.Index(s[i+2:], "\n"); j > 0 {
			return s[:i+2+j]
		}
	}
	return s
}
