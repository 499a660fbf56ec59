package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/i18n"
	"github.com/foyer-events/foyer/internal/store"
)

// auditFilter reads the audit log's filter from the query string: event,
// action (or its area, "registration."), actor, target, before (an entry's
// id, for the next page) and limit. Organisers see the entries of events;
// the installation's own (accounts, tokens, sign-ins, settings) only
// admins.
func (s *Server) auditFilter(c echo.Context) (store.AuditFilter, error) {
	q := c.QueryParams()
	f := store.AuditFilter{
		Event: strings.TrimSpace(q.Get("event")), Action: strings.TrimSpace(q.Get("action")),
		Actor: strings.TrimSpace(q.Get("actor")), Target: strings.TrimSpace(q.Get("target")),
	}
	fields := map[string]string{}
	for name, dst := range map[string]*int64{"before": &f.Before} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				fields[name] = i18n.T(lang(c), "error.filter_offset")
			}
			*dst = n
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			fields["limit"] = i18n.T(lang(c), "audit.error.limit")
		}
		f.Limit = n
	}
	if len(fields) > 0 {
		p := problem(c, http.StatusBadRequest, "bad_filter")
		p.Fields = fields
		return f, p
	}
	if f.Event != "" {
		if _, err := s.app.Store.GetEvent(c.Request().Context(), f.Event); err != nil {
			return f, err
		}
	}
	if u := currentUser(c); u == nil || !u.Can(store.RoleAdmin) {
		f.Events = true
	}
	return f, nil
}

// getAudit is GET /api/v1/audit: entries newest first, a page at a time;
// next is the "before" of the following page, absent on the last.
func (s *Server) getAudit(c echo.Context) error {
	f, err := s.auditFilter(c)
	if err != nil {
		return err
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	entries, err := s.app.Store.AuditLog(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := map[string]any{"entries": entries}
	if entries == nil {
		out["entries"] = []store.AuditEntry{}
	}
	if len(entries) == f.Limit {
		out["next"] = entries[len(entries)-1].ID
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}
