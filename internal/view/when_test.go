package view

import (
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/programme"
)

func TestWhen(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	at := func(loc *time.Location, d, h, m int) programme.Time {
		return programme.At(time.Date(2027, 4, d, h, m, 0, 0, loc))
	}
	cases := []struct {
		lang       string
		start, end programme.Time
		want       string
	}{
		{"en", at(berlin, 13, 9, 0), at(berlin, 13, 18, 30), "Tuesday, 13 April 2027, 09:00–18:30 (local time, UTC+2)"},
		{"de", at(berlin, 13, 9, 0), at(berlin, 13, 18, 30), "Dienstag, 13. April 2027, 09:00–18:30 Uhr (Ortszeit, UTC+2)"},
		{"zh", at(berlin, 13, 9, 0), at(berlin, 13, 18, 30), "2027年4月13日 星期二 09:00–18:30（当地时间，UTC+2）"},
		{"de", at(berlin, 13, 9, 0), at(berlin, 14, 17, 0), "Dienstag, 13. April 2027, 09:00 Uhr – Mittwoch, 14. April 2027, 17:00 Uhr (Ortszeit, UTC+2)"},
		{"en", at(kolkata, 13, 9, 0), at(kolkata, 13, 10, 0), "Tuesday, 13 April 2027, 09:00–10:00 (local time, UTC+5:30)"},
		{"en", at(time.UTC, 13, 9, 0), at(time.UTC, 13, 10, 0), "Tuesday, 13 April 2027, 09:00–10:00 (local time, UTC)"},
	}
	for _, c := range cases {
		if got := When(c.lang, c.start, c.end); got != c.want {
			t.Errorf("When(%s) = %q, want %q", c.lang, got, c.want)
		}
	}
	s := &programme.Session{Title: programme.Text{"de": "Werkstatt", "zh": "工作坊"}, StartsAt: at(berlin, 13, 14, 0), EndsAt: at(berlin, 13, 15, 30)}
	room := programme.Text{"de": "Raum 12", "zh": "12号会议室"}
	for _, c := range []struct{ lang, want string }{
		{"de", "14:00–15:30 Werkstatt, Raum 12 – Platz bestätigt"},
		{"zh", "14:00–15:30 工作坊，12号会议室（席位已确认）"},
	} {
		if got := SessionLine(c.lang, s, room, "de", "confirmed"); got != c.want {
			t.Errorf("SessionLine(%s) = %q, want %q", c.lang, got, c.want)
		}
	}
}
