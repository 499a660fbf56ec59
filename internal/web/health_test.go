package web

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/store"
)

// TestHealth: /healthz says what is wrong. Mail trouble degrades it but
// keeps 200 (a load balancer must not drop foyer while registrations still
// queue their emails); a database that does not answer is 503.
func TestHealth(t *testing.T) {
	ta := startApp(t, true, smallForum("forum", nil, nil, true))
	var h healthAnswer
	if code := ta.call(t, "GET", "/healthz", "", nil, &h); code != http.StatusOK || h != (healthAnswer{Status: "ok", Database: "ok", Mail: "ok", Version: "dev"}) {
		t.Fatalf("healthy: %d %+v", code, h)
	}

	// An email the server keeps refusing for the moment waits; once the
	// oldest has waited ten minutes, mail is degraded.
	ta.smtp.SetReject(451, "try again later")
	if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(1, nil), nil); code != http.StatusCreated {
		t.Fatalf("register: %d", code)
	}
	waitUntil(t, 20*time.Second, func() bool {
		ta.call(t, "GET", "/healthz", "", nil, &h)
		return h.MailWaiting == 1
	})
	if h.Status != "ok" || h.Mail != "ok" {
		t.Errorf("one email waiting for a moment: %+v", h)
	}
	age(t, ta, 11*time.Minute)
	if code := ta.call(t, "GET", "/healthz", "", nil, &h); code != http.StatusOK || h.Status != "degraded" || h.Mail != "degraded" ||
		!strings.Contains(h.MailReason, "11 minutes") || h.MailOldestWaiting < 660 || h.Database != "ok" {
		t.Errorf("an email waiting 11 minutes: %d %+v", code, h)
	}
	ta.smtp.SetReject(0, "")
	waitUntil(t, 60*time.Second, func() bool {
		ta.call(t, "GET", "/healthz", "", nil, &h)
		return h.Mail == "ok" && h.MailWaiting == 0
	})

	// Without a database the answer is 503.
	ta.stop()
	s, err := New(ta.app)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	ta.srv = srv
	h = healthAnswer{}
	if code := ta.call(t, "GET", "/healthz", "", nil, &h); code != http.StatusServiceUnavailable || h.Database != "unavailable" || h.Status != "unavailable" {
		t.Errorf("database closed: %d %+v", code, h)
	}
}

// age makes every waiting email of ta older by d, as if foyer had been
// trying to send it for that long.
func age(t *testing.T, ta *testApp, d time.Duration) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(ta.dir, "foyer.db")+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	then := time.Now().Add(-d).UTC().Format("2006-01-02T15:04:05.000000Z")
	if _, err := db.ExecContext(context.Background(), "UPDATE outbox SET created_at = ? WHERE status IN ('queued', 'sending')", then); err != nil {
		t.Fatal(err)
	}
}

// TestHealthDamagedDatabase: a database file that gets damaged while foyer
// runs turns /healthz to 503 once a query finds it, so that a load
// balancer or monitor sees it.
func TestHealthDamagedDatabase(t *testing.T) {
	ta := startApp(t, false, smallForum("forum", nil, nil, true))
	for i := range 300 {
		if code := ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(i, nil), nil); code != 201 {
			t.Fatalf("register: %d", code)
		}
	}
	var root int
	if err := ta.readOnly(t).QueryRow("SELECT rootpage FROM sqlite_master WHERE name = 'registrations'").Scan(&root); err != nil {
		t.Fatal(err)
	}
	// A restart writes everything into the database file itself, and the
	// check at start finds it intact.
	ta.restart(t)
	var h healthAnswer
	if code := ta.call(t, "GET", "/healthz", "", nil, &h); code != 200 || h.Database != "ok" {
		t.Fatalf("healthz before: %d %+v", code, h)
	}
	// Then the disk fails under it: the registrations' first page turns
	// to garbage.
	f, err := os.OpenFile(filepath.Join(ta.dir, "foyer.db"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	garbage := bytes.Repeat([]byte{0xff}, 4096)
	if _, err := f.WriteAt(garbage, int64(root-1)*4096); err != nil {
		t.Fatal(err)
	}
	f.Close()
	org := ta.token(t, store.RoleOrganiser)
	var e apiError
	if code := ta.call(t, "GET", "/api/v1/events/forum/registrations", org, nil, &e); code != 500 {
		t.Fatalf("list on a damaged table: %d %+v", code, e)
	}
	if code := ta.call(t, "GET", "/healthz", "", nil, &h); code != 503 || h.Database != "damaged" || h.Status != "unavailable" {
		t.Errorf("healthz after a query found damage: %d %+v", code, h)
	}
	if !strings.Contains(ta.logs.String(), "the database file is damaged") {
		t.Error("the damage is not logged")
	}
}
