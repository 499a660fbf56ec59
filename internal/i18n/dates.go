package i18n

import (
	"fmt"
	"time"
)

var (
	weekdaysDE = []string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}
	monthsDE   = []string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}
	weekdaysZH = []string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}
)

// Date writes a day the way each language writes it: "Tuesday, 13 April
// 2027", "Dienstag, 13. April 2027", "2027年4月13日 星期二". The time keeps
// the zone it is in.
func Date(lang string, t time.Time) string {
	switch lang {
	case "de":
		return fmt.Sprintf("%s, %d. %s %d", weekdaysDE[t.Weekday()], t.Day(), monthsDE[t.Month()-1], t.Year())
	case "zh":
		return fmt.Sprintf("%d年%d月%d日 %s", t.Year(), t.Month(), t.Day(), weekdaysZH[t.Weekday()])
	}
	return t.Format("Monday, 2 January 2006")
}

// Day writes a day briefly, for tables: "13 Apr 2027", "13.04.2027",
// "2027-04-13". The time keeps its zone.
func Day(lang string, t time.Time) string {
	switch lang {
	case "de":
		return t.Format("02.01.2006")
	case "zh":
		return t.Format("2006-01-02")
	}
	return t.Format("2 Jan 2006")
}

// Stamp writes a moment briefly, for tables and histories: "13 Apr 2027,
// 09:15", "13.04.2027, 09:15", "2027-04-13 09:15". The time keeps its zone.
func Stamp(lang string, t time.Time) string {
	if lang == "zh" {
		return Day(lang, t) + t.Format(" 15:04")
	}
	return Day(lang, t) + t.Format(", 15:04")
}
