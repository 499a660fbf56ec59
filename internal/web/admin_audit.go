package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/store"
)

// auditPage reads the audit log: an event's entries in its section, or
// every entry an account may see at /admin/audit.
type auditPage struct {
	adminFrame
	Entries []auditRow
	Filter  store.AuditFilter
	Next    string // the address of the next page
}

// auditRow is an entry with its changes written out for reading.
type auditRow struct {
	store.AuditEntry
	Lines []auditLine
}

type auditLine struct{ Field, Before, After string }

func (s *Server) showAudit(c echo.Context) error {
	var ev *store.Event
	if c.Param("slug") != "" {
		var err error
		if ev, err = s.adminEvent(c); err != nil {
			return err
		}
	}
	f, err := s.auditFilter(c)
	if err != nil {
		return err
	}
	if ev != nil {
		f.Event = ev.Slug
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	entries, err := s.app.Store.AuditLog(c.Request().Context(), f)
	if err != nil {
		return err
	}
	frame, err := s.adminPageOf(c, ev, "audit", i18n.T(lang(c), "audit.title"))
	if err != nil {
		return err
	}
	p := &auditPage{adminFrame: frame, Filter: f}
	for _, e := range entries {
		row := auditRow{AuditEntry: e}
		for field, ch := range e.Changes {
			row.Lines = append(row.Lines, auditLine{Field: field, Before: auditValue(ch.Before), After: auditValue(ch.After)})
		}
		sortLines(row.Lines)
		p.Entries = append(p.Entries, row)
	}
	if len(entries) == f.Limit {
		q := c.QueryParams()
		q.Set("before", strconv.FormatInt(entries[len(entries)-1].ID, 10))
		path := "/admin/audit"
		if ev != nil {
			path = links.Admin(ev.Slug, "audit")
		}
		p.Next = path + "?" + url.Values(q).Encode()
	}
	return s.renderAdmin(c, http.StatusOK, "audit", p)
}

// auditValue writes a value of the log for reading: text as it is,
// anything else as JSON.
func auditValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	data, _ := json.Marshal(v)
	return string(data)
}

func sortLines(l []auditLine) {
	for i := 1; i < len(l); i++ {
		for j := i; j > 0 && l[j].Field < l[j-1].Field; j-- {
			l[j], l[j-1] = l[j-1], l[j]
		}
	}
}
