package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/registration"
	"github.com/foyer-events/foyer/internal/store"
)

// outboxPage is an event's emails: how many of each kind were sent, wait
// or failed, and a list of them, failed ones with the mail server's
// answer, to send again one by one or all at once.
type outboxPage struct {
	adminFrame
	Kinds     []string
	Counts    map[string]map[string]int // kind -> state -> n
	Totals    map[string]int            // state -> n
	Status    string
	Kind      string
	Entries   []store.OutboxEntry
	Total     int
	PageNo    int
	Pages     int
	PageLinks []pageLink
	View      string
}

// mailKinds are the kinds of email, in the order of a registration's life.
var mailKinds = []string{registration.MailConfirmed, registration.MailPending, registration.MailApproved, registration.MailWaitlisted,
	registration.MailPromoted, registration.MailRejected, registration.MailCancelled}

// showOutbox is GET /admin/events/{slug}/outbox.
func (s *Server) showOutbox(c echo.Context) error {
	ev, frame, err := s.sectionPage(c, "outbox")
	if err != nil {
		return err
	}
	p := &outboxPage{adminFrame: frame, Kinds: mailKinds, Counts: map[string]map[string]int{}, Totals: map[string]int{}}
	p.Status, p.Kind = c.QueryParam("status"), c.QueryParam("kind")
	if p.Status != "" && !slices.Contains([]string{"queued", "sent", "failed"}, p.Status) {
		return problem(c, http.StatusBadRequest, "bad_filter")
	}
	if p.Kind != "" && !slices.Contains(mailKinds, p.Kind) {
		return problem(c, http.StatusBadRequest, "bad_filter")
	}
	ctx := c.Request().Context()
	counts, err := s.app.Store.MailCounts(ctx, ev)
	if err != nil {
		return err
	}
	for _, k := range mailKinds {
		p.Counts[k] = map[string]int{}
	}
	for _, mc := range counts {
		state := mc.Status
		if state == "sending" {
			state = "queued"
		}
		if p.Counts[mc.Kind] == nil {
			p.Counts[mc.Kind] = map[string]int{}
		}
		p.Counts[mc.Kind][state] += mc.N
		p.Totals[state] += mc.N
	}
	p.PageNo, _ = strconv.Atoi(c.QueryParam("page"))
	p.PageNo = max(p.PageNo, 1)
	p.Entries, p.Total, err = s.app.Store.ListMail(ctx, ev, store.MailFilter{Status: p.Status, Kind: p.Kind, Limit: pageSize,
		Offset: (p.PageNo - 1) * pageSize})
	if err != nil {
		return err
	}
	p.Pages = max(1, (p.Total+pageSize-1)/pageSize)
	base := links.Admin(ev.Slug, "outbox")
	q := map[string][]string{}
	if p.Status != "" {
		q["status"] = []string{p.Status}
	}
	if p.Kind != "" {
		q["kind"] = []string{p.Kind}
	}
	p.View = withQuery(base, q)
	for n := 1; n <= p.Pages; n++ {
		if n != 1 && n != p.Pages && (n < p.PageNo-2 || n > p.PageNo+2) {
			if len(p.PageLinks) > 0 && p.PageLinks[len(p.PageLinks)-1].N != 0 {
				p.PageLinks = append(p.PageLinks, pageLink{})
			}
			continue
		}
		pq := map[string][]string{"page": {strconv.Itoa(n)}}
		p.PageLinks = append(p.PageLinks, pageLink{N: n, URL: trustedURL(withQuery(p.View, pq)), Current: n == p.PageNo})
	}
	return s.renderAdmin(c, http.StatusOK, "outbox", p)
}

// retryMail is POST /admin/events/{slug}/outbox/{id}/retry: one failed
// email again.
func (s *Server) retryMail(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	err = s.app.Store.RetryMail(c.Request().Context(), ev, id)
	switch {
	case errors.Is(err, store.ErrConflict):
		return problem(c, http.StatusConflict, "conflict")
	case err != nil:
		return err
	}
	s.app.Log.Info("email sent again", "event", ev.Slug, "mail", id, "user", currentUser(c).ID)
	return redirectDone(c, back(c, links.Admin(ev.Slug, "outbox")), "retried", 1)
}

// retryFailedMail is POST /admin/events/{slug}/outbox/retry-failed: every
// failed email of the event again.
func (s *Server) retryFailedMail(c echo.Context) error {
	ev, err := s.adminEvent(c)
	if err != nil {
		return err
	}
	n, err := s.app.Store.RetryFailedMail(c.Request().Context(), ev)
	if err != nil {
		return err
	}
	s.app.Log.Info("failed emails sent again", "event", ev.Slug, "emails", n, "user", currentUser(c).ID)
	return redirectDone(c, back(c, links.Admin(ev.Slug, "outbox")), "retried_all", n)
}
