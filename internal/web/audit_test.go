package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/apitest"
	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/store"
)

type auditAnswer struct {
	Entries []store.AuditEntry `json:"entries"`
	Next    int64              `json:"next"`
}

func (ta *testApp) audit(t *testing.T, token, query string) auditAnswer {
	t.Helper()
	var p auditAnswer
	if code := ta.call(t, "GET", "/api/v1/audit?"+query, token, nil, &p); code != http.StatusOK {
		t.Fatalf("GET /api/v1/audit?%s: %d", query, code)
	}
	return p
}

func TestAuditLogRecordsOrganisersChanges(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, intp(40), true))
	ctx := context.Background()
	org, _ := ta.app.Store.CreateUser(ctx, "org@example.org", "Olga Organiser", "organiser", "a long password")
	orgToken, _ := ta.app.Store.CreateToken(ctx, org.ID)
	admin := ta.token(t, "admin")
	staff := ta.token(t, "staff")

	// A programme change, described place by place.
	var ev programme.Event
	ta.call(t, "GET", "/api/v1/events/forum", orgToken, nil, &ev)
	ev.Title["de"] = "Das neue Forum"
	ev.Rooms[0].Name["en"] = "Main hall"
	if code := ta.call(t, "PUT", "/api/v1/events/forum", orgToken, ev, nil); code != http.StatusOK {
		t.Fatalf("PUT: %d", code)
	}
	// A registration the organiser cancels, and an export.
	var reg struct{ ID int64 }
	ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(1, nil), &reg)
	if code := ta.call(t, "POST", "/api/v1/registrations/"+itoa(reg.ID)+"/cancel", orgToken, nil, nil); code != http.StatusOK {
		t.Fatalf("cancel: %d", code)
	}
	if r := (apitest.Client{Base: ta.srv.URL}).Do(t, "GET", "/api/v1/events/forum/attendees.csv?status=cancelled", nil, "Authorization", "Bearer "+orgToken); r.Status != http.StatusOK {
		t.Fatalf("export: %d", r.Status)
	}
	// A failed sign-in on the organiser's account.
	c := browserish(t)
	submitForm(t, c, ta.srv.URL, "/login", "/login", url.Values{"email": {"org@example.org"}, "password": {"wrong password!"}})

	all := ta.audit(t, admin, "").Entries
	byAction := map[string]store.AuditEntry{}
	for _, e := range all {
		if _, seen := byAction[e.Action]; !seen {
			byAction[e.Action] = e
		}
	}
	upd, ok := byAction[store.AuditProgrammeUpdate]
	if !ok {
		t.Fatalf("no programme update in %+v", all)
	}
	if upd.Actor != "org@example.org" || upd.Event != "forum" || upd.From == "" || time.Since(upd.At) > time.Minute {
		t.Errorf("programme update entry %+v", upd)
	}
	if ch := upd.Changes["title.de"]; ch.After != "Das neue Forum" || ch.Before == nil {
		t.Errorf("title.de change %+v", ch)
	}
	if ch := upd.Changes[`rooms["`+ev.Rooms[0].Slug+`"].name.en`]; ch.After != "Main hall" {
		t.Errorf("room change missing: %v", upd.Changes)
	}
	cancel := byAction["registration.cancel"]
	if cancel.Target != "registration:"+itoa(reg.ID) || cancel.Changes["status"].Before != "confirmed" || cancel.Changes["status"].After != "cancelled" {
		t.Errorf("cancel entry %+v", cancel)
	}
	if exp := byAction[store.AuditExport]; exp.Target != "attendees.csv" || !strings.Contains(exp.Changes["filter"].After.(string), "status=cancelled") {
		t.Errorf("export entry %+v", exp)
	}
	if login := byAction[store.AuditLoginFailed]; login.Target != "user:"+itoa(org.ID) || login.Actor != "" || login.From == "" {
		t.Errorf("failed sign-in entry %+v", login)
	}
	// Newest first.
	for i := 1; i < len(all); i++ {
		if all[i].ID > all[i-1].ID {
			t.Fatalf("entries not newest first: %d before %d", all[i-1].ID, all[i].ID)
		}
	}

	// Organisers see the events' entries; the installation's (sign-ins,
	// accounts, tokens) only admins.
	for _, e := range ta.audit(t, orgToken, "").Entries {
		if e.Event == "" {
			t.Errorf("an organiser sees %s", e.Action)
		}
	}
	if got := ta.audit(t, orgToken, "event=forum&action=registration.").Entries; len(got) != 1 || got[0].Action != "registration.cancel" {
		t.Errorf("filtered by event and area: %+v", got)
	}
	if code := ta.call(t, "GET", "/api/v1/audit", staff, nil, nil); code != http.StatusForbidden {
		t.Errorf("staff read the audit log: %d", code)
	}
	if code := ta.call(t, "GET", "/api/v1/audit?event=nope", admin, nil, nil); code != http.StatusNotFound {
		t.Errorf("unknown event: %d", code)
	}
	if code := ta.call(t, "GET", "/api/v1/audit?limit=0", admin, nil, nil); code != http.StatusBadRequest {
		t.Errorf("limit=0: %d", code)
	}
	// Pages: limit and next.
	first := ta.audit(t, admin, "limit=2")
	second := ta.audit(t, admin, "limit=2&before="+itoa(first.Next))
	if len(first.Entries) != 2 || first.Next == 0 || len(second.Entries) == 0 || second.Entries[0].ID >= first.Entries[1].ID {
		t.Errorf("pages: %+v then %+v", first, second)
	}
}
