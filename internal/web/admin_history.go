package web

import (
	"strings"

	"github.com/foyer-events/foyer/internal/export"
	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
)

// historyText writes one line of a registration's history in lang.
func historyText(lang string, e *programme.Event, h store.TimelineEntry) string {
	t := i18n.In(lang)
	session := func(id string) string {
		if s := e.Session(id); s != nil {
			return s.Title.In(lang, e.DefaultLanguage)
		}
		return id
	}
	sessions := func(ids []string) string {
		names := make([]string, len(ids))
		for i, id := range ids {
			names[i] = session(id)
		}
		return strings.Join(names, t("admin.history.list_sep"))
	}
	switch h.Action {
	case store.HistoryStatus:
		return t("admin.history.status", t("status."+h.From), t("status."+h.To))
	case store.HistorySeat:
		return t("admin.history.seat", session(h.Session), t("seat."+h.To))
	case store.HistoryEdit:
		names := make([]string, len(h.Fields))
		for i, f := range h.Fields {
			names[i] = t("admin.history.field." + f)
		}
		return t("admin.history.edit", strings.Join(names, t("admin.history.list_sep")))
	case store.HistorySessions:
		var parts []string
		if len(h.Added) > 0 {
			parts = append(parts, t("admin.history.sessions_added", sessions(h.Added)))
		}
		if len(h.Dropped) > 0 {
			parts = append(parts, t("admin.history.sessions_dropped", sessions(h.Dropped)))
		}
		return strings.Join(parts, t("admin.history.sentence_sep"))
	case store.HistoryMail:
		m := h.Mail
		text := t("admin.history.mail."+m.Status, t("admin.mail.kind."+m.Kind))
		if m.Status == "sent" && !m.SentAt.IsZero() {
			text += t("admin.history.sentence_sep") + t("admin.history.mail_sent_at", i18n.Stamp(lang, m.SentAt.In(e.Location())))
		}
		if m.Attempts > 1 {
			text += t("admin.history.sentence_sep") + i18n.N(lang, "admin.history.attempts", m.Attempts)
		}
		return text
	case store.HistoryScan:
		sc := h.Scan
		door := t("admin.history.entrance")
		if sc.Door != "" {
			door = session(sc.Door)
		}
		result := t("checkin.result." + sc.Result)
		switch sc.Result {
		case "ok":
			result = t("admin.history.admitted")
		case "undone":
			result = t("checkin.result.undone")
		}
		text := t("admin.history.scan", door, result)
		if sc.Kind == "walk_in" {
			text += t("admin.history.sentence_sep") + t("admin.history.walk_in")
		}
		if sc.Device != "" {
			text += t("admin.history.sentence_sep") + t("admin.history.device", sc.Device)
		}
		if sc.Offline {
			text += t("admin.history.sentence_sep") + t("admin.history.offline")
		}
		if sc.Note != "" {
			text += t("admin.history.sentence_sep") + t("admin.history.note", sc.Note)
		}
		return text
	}
	return h.Action
}

// answerText is an answer as the organisers' pages show it.
func answerText(lang string, e *programme.Event, q programme.Question, v any) string {
	return export.AnswerText(&q, v, lang, e.DefaultLanguage, i18n.In(lang))
}

// filterLabel names a filter parameter as the table's form labels it.
func filterLabel(lang, param string) string {
	switch param {
	case "q":
		return i18n.T(lang, "admin.list.search")
	case "status", "session", "country", "kind", "checked_in":
		return i18n.T(lang, "admin.list."+param)
	case "sort":
		return i18n.T(lang, "admin.list.sort")
	}
	return param
}
