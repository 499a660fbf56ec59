package i18n

import (
	"testing"
	"time"
)

func TestShortDatesInEachLanguage(t *testing.T) {
	at := time.Date(2027, 4, 13, 9, 15, 0, 0, time.UTC)
	for _, tc := range []struct{ lang, day, stamp string }{
		{"en", "13 Apr 2027", "13 Apr 2027, 09:15"},
		{"de", "13.04.2027", "13.04.2027, 09:15"},
		{"zh", "2027-04-13", "2027-04-13 09:15"},
	} {
		if got := Day(tc.lang, at); got != tc.day {
			t.Errorf("Day(%s) = %q, want %q", tc.lang, got, tc.day)
		}
		if got := Stamp(tc.lang, at); got != tc.stamp {
			t.Errorf("Stamp(%s) = %q, want %q", tc.lang, got, tc.stamp)
		}
	}
}
