package web

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/foyer-events/foyer/internal/store"
	"github.com/foyer-events/foyer/internal/ticket"
)

// checkinAnswer is the JSON answer of a scan.
type checkinAnswer struct {
	Result       string `json:"result"`
	Reason       string `json:"reason"`
	Message      string `json:"message"`
	Registration *struct {
		ID           int64            `json:"id"`
		Name         string           `json:"name"`
		Organisation string           `json:"organisation"`
		Status       string           `json:"status"`
		Ticket       string           `json:"ticket"`
		Sessions     []map[string]any `json:"sessions"`
		CheckedInAt  *string          `json:"checked_in_at"`
		Email        *string          `json:"email"`
	} `json:"registration"`
	CheckedInAt *string `json:"checked_in_at"`
	Previous    *struct {
		At     string `json:"at"`
		Device string `json:"device"`
		Staff  string `json:"staff"`
	} `json:"previous"`
	Duplicate    bool `json:"duplicate"`
	Replayed     bool `json:"replayed"`
	OverCapacity bool `json:"over_capacity"`
	Created      bool `json:"created"`
	OtherEvent   *struct {
		Slug string `json:"slug"`
	} `json:"other_event"`
}

// doorForum is a forum with 3 places and a 1-seat workshop, filled as
// check-in tests need it: codes of a confirmed guest with the workshop
// seat, a confirmed guest waiting for the seat, a third confirmed guest, a
// waitlisted and a cancelled one; and a second event in approval mode with
// a pending registration.
type doorForum struct {
	ta                                          *testApp
	organiser, staff                            string
	seated, unseated, plain, waiting, cancelled string
	pending                                     string // of the event "other"
	ids                                         map[string]int64
}

func newDoorForum(t *testing.T) *doorForum {
	t.Helper()
	other := smallForum("other", nil, nil, true)
	other.Registration.Mode = "approval"
	ta := startApp(t, false, smallForum("forum", intp(3), intp(1), true), other)
	f := &doorForum{ta: ta, organiser: ta.token(t, store.RoleOrganiser), staff: ta.token(t, store.RoleStaff), ids: map[string]int64{}}
	reg := func(slug string, n int, extra map[string]any) {
		if code := ta.call(t, "POST", "/api/v1/events/"+slug+"/registrations", "", person(n, extra), nil); code != http.StatusCreated {
			t.Fatalf("register %d: %d", n, code)
		}
	}
	ws := map[string]any{"sessions": []string{"ws-maintenance"}}
	reg("forum", 1, ws)
	reg("forum", 2, ws)
	reg("forum", 3, nil)
	reg("forum", 4, nil)
	reg("forum", 5, nil)
	reg("other", 6, nil)
	codes := map[string]string{}
	for _, slug := range []string{"forum", "other"} {
		for _, r := range ta.registrations(t, slug, f.organiser, "") {
			codes[r.LastName] = *r.TicketCode
			f.ids[r.LastName] = r.ID
		}
	}
	// Number 5 was waitlisted; cancelling it frees no place.
	if code := ta.call(t, "POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", f.ids["Number 5"]), f.organiser, nil, nil); code != 200 {
		t.Fatalf("cancel: %d", code)
	}
	f.seated, f.unseated, f.plain, f.waiting, f.cancelled = codes["Number 1"], codes["Number 2"], codes["Number 3"], codes["Number 4"], codes["Number 5"]
	f.pending = codes["Number 6"]
	return f
}

// scan sends POST /api/v1/checkin and returns the status and answer.
func (f *doorForum) scan(t *testing.T, body map[string]any) (int, checkinAnswer) {
	t.Helper()
	if _, ok := body["event"]; !ok {
		body["event"] = "forum"
	}
	var a checkinAnswer
	code := f.ta.call(t, "POST", "/api/v1/checkin", f.staff, body, &a)
	return code, a
}

func TestCheckInResults(t *testing.T) {
	f := newDoorForum(t)
	forged := []byte(f.plain)
	// One character of the signature changed.
	if forged[len(forged)-3] == 'A' {
		forged[len(forged)-3] = 'B'
	} else {
		forged[len(forged)-3] = 'A'
	}
	if forged[len(forged)-3] == f.plain[len(f.plain)-3] {
		t.Fatal("forgery did not change the code")
	}
	tests := []struct {
		name   string
		body   map[string]any
		result string
		reason string
		guest  string // expected guest name in the answer, "" for none
	}{
		{"confirmed", map[string]any{"code": f.plain, "device": "Door 1"}, "ok", "", "Guest Number 3"},
		{"second scan", map[string]any{"code": f.plain, "device": "Door 2"}, "already_checked_in", "", "Guest Number 3"},
		{"waitlisted", map[string]any{"code": f.waiting}, "waitlisted", "", "Guest Number 4"},
		{"cancelled", map[string]any{"code": f.cancelled}, "cancelled", "", "Guest Number 5"},
		{"pending", map[string]any{"event": "other", "code": f.pending}, "pending", "", "Guest Number 6"},
		{"wrong event", map[string]any{"code": f.pending}, "wrong_event", "", ""},
		{"session with seat", map[string]any{"code": f.seated, "session": "ws-maintenance"}, "ok", "", "Guest Number 1"},
		{"session without seat", map[string]any{"code": f.unseated, "session": "ws-maintenance"}, "not_signed_up", "", "Guest Number 2"},
		{"session that needs no seat", map[string]any{"code": f.unseated, "session": "keynote-twins"}, "ok", "", "Guest Number 2"},
		{"forged", map[string]any{"code": string(forged)}, "invalid", "signature", ""},
		{"truncated", map[string]any{"code": f.seated[:len(f.seated)-6]}, "invalid", "malformed", ""},
		{"no code", map[string]any{"code": "hello"}, "invalid", "no_code", ""},
		{"empty code", map[string]any{"code": ""}, "invalid", "no_code", ""},
		{"url around it", map[string]any{"code": "https://tickets.example/?t=" + strings.ToLower(f.seated) + "&x=1"}, "ok", "", "Guest Number 1"},
		{"scanner suffix, again", map[string]any{"code": "\x02" + f.seated + "\r\n"}, "already_checked_in", "", "Guest Number 1"},
		{"by registration id", map[string]any{"registration": f.ids["Number 2"]}, "ok", "", "Guest Number 2"},
		{"unknown registration id", map[string]any{"registration": 99999}, "invalid", "unknown", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, a := f.scan(t, tt.body)
			if code != http.StatusOK || a.Result != tt.result || a.Reason != tt.reason || a.Message == "" {
				t.Fatalf("%d %+v, want result %s reason %q", code, a, tt.result, tt.reason)
			}
			switch {
			case tt.guest == "" && a.Registration != nil:
				t.Errorf("answer shows a guest: %+v", a.Registration)
			case tt.guest != "" && (a.Registration == nil || a.Registration.Name != tt.guest):
				t.Errorf("guest %+v, want %s", a.Registration, tt.guest)
			case a.Registration != nil && a.Registration.Email != nil:
				t.Errorf("the door sees the email address")
			}
			if (a.Result == "ok" || a.Result == "already_checked_in") && a.CheckedInAt == nil {
				t.Errorf("no checked_in_at in %+v", a)
			}
		})
	}

	// The second scan names the first: device and staff member.
	_, a := f.scan(t, map[string]any{"code": f.plain, "device": "Door 3"})
	if a.Previous == nil || a.Previous.Device != "Door 1" || a.Previous.Staff != "staff" || a.Previous.At != *a.CheckedInAt {
		t.Errorf("previous = %+v, checked_in_at %v", a.Previous, a.CheckedInAt)
	}
	// The other event's title travels with wrong_event.
	if _, a := f.scan(t, map[string]any{"code": f.pending}); a.OtherEvent == nil || a.OtherEvent.Slug != "other" {
		t.Errorf("other_event = %+v", a.OtherEvent)
	}
	// German messages for a German device.
	var de checkinAnswer
	f.ta.call(t, "POST", "/api/v1/checkin?lang=de", f.staff, map[string]any{"event": "forum", "code": f.waiting}, &de)
	if de.Message != "Auf der Warteliste" {
		t.Errorf("German message %q", de.Message)
	}
}

func TestCheckInBadInput(t *testing.T) {
	f := newDoorForum(t)
	garbage := make([]byte, 10<<10)
	for i := range garbage {
		garbage[i] = byte(i*7 + 3)
	}
	tests := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"empty body", "", 400, "body"},
		{"10 kB of garbage", garbage, 400, ""},
		{"10 kB of garbage in the code", map[string]any{"event": "forum", "code": strings.Repeat("#", 10<<10)}, 422, "code"},
		{"broken JSON", `{"event": "forum", "code":`, 400, "body"},
		{"unknown field", `{"event": "forum", "code": "x", "admit": true}`, 400, "body"},
		{"two values", `{"event": "forum"} {"event": "forum"}`, 400, "body"},
		{"no event", map[string]any{"code": f.plain}, 422, "event"},
		{"unknown event", map[string]any{"event": "nope", "code": f.plain}, 422, "event"},
		{"unknown session", map[string]any{"event": "forum", "code": f.plain, "session": "nope"}, 422, "session"},
		{"device with a line break", map[string]any{"event": "forum", "code": f.plain, "device": "a\nb"}, 422, "device"},
		{"nonce with a space", map[string]any{"event": "forum", "code": f.plain, "nonce": "a b"}, 422, "nonce"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e apiError
			if code := f.ta.call(t, "POST", "/api/v1/checkin", f.staff, tt.body, &e); code != tt.status {
				t.Fatalf("status %d, want %d: %+v", code, tt.status, e)
			}
			if e.Error.Message == "" || (tt.field != "" && e.Error.Fields[tt.field] == "") {
				t.Errorf("error %+v, want a message for %q", e.Error, tt.field)
			}
		})
	}
	// Nothing of that was admitted.
	if _, a := f.scan(t, map[string]any{"code": f.plain}); a.Result != "ok" {
		t.Errorf("after the bad requests: %s", a.Result)
	}
}

func TestCheckInNonce(t *testing.T) {
	f := newDoorForum(t)
	_, first := f.scan(t, map[string]any{"code": f.plain, "device": "A", "nonce": "n-1"})
	_, again := f.scan(t, map[string]any{"code": f.plain, "device": "A", "nonce": "n-1"})
	if first.Result != "ok" || again.Result != "ok" || !again.Replayed || *again.CheckedInAt != *first.CheckedInAt {
		t.Errorf("first %+v, repeat %+v: want the first answer again", first, again)
	}
	// A repeat names the same answer even when the body differs: the nonce
	// is the scan.
	_, other := f.scan(t, map[string]any{"code": f.waiting, "device": "A", "nonce": "n-1"})
	if other.Result != "ok" || other.Registration.Name != "Guest Number 3" {
		t.Errorf("repeated nonce with another code: %+v", other)
	}
	_, second := f.scan(t, map[string]any{"code": f.plain, "device": "B", "nonce": "n-2"})
	_, secondAgain := f.scan(t, map[string]any{"code": f.plain, "device": "B", "nonce": "n-2"})
	if second.Result != "already_checked_in" || secondAgain.Result != "already_checked_in" || secondAgain.Previous == nil ||
		secondAgain.Previous.Device != "A" {
		t.Errorf("second %+v, again %+v", second, secondAgain)
	}
	// The log holds one scan per nonce.
	var stats struct {
		Results map[string]int `json:"results"`
	}
	f.ta.call(t, "GET", "/api/v1/events/forum/checkin/stats", f.staff, nil, &stats)
	if stats.Results["ok"] != 1 || stats.Results["already_checked_in"] != 1 || stats.Results["waitlisted"] != 0 {
		t.Errorf("results %v, want one ok and one already_checked_in", stats.Results)
	}
}

func TestCheckInUndo(t *testing.T) {
	f := newDoorForum(t)
	var e apiError
	if code := f.ta.call(t, "POST", "/api/v1/checkin/undo", f.staff, map[string]any{"event": "forum", "code": f.plain}, &e); code != http.StatusConflict || e.Error.Code != "not_checked_in" {
		t.Errorf("undo before any check-in: %d %+v", code, e)
	}
	f.scan(t, map[string]any{"code": f.plain})
	var undone checkinAnswer
	if code := f.ta.call(t, "POST", "/api/v1/checkin/undo", f.staff, map[string]any{"event": "forum", "code": f.plain}, &undone); code != 200 || undone.Result != "undone" || undone.CheckedInAt != nil {
		t.Fatalf("undo: %d %+v", code, undone)
	}
	if _, a := f.scan(t, map[string]any{"code": f.plain}); a.Result != "ok" {
		t.Errorf("scan after undo: %s, want ok", a.Result)
	}
	// By registration id, and at a session door.
	id := f.ids["Number 3"]
	if code := f.ta.call(t, "POST", "/api/v1/checkin/undo", f.staff, map[string]any{"event": "forum", "registration": id}, &undone); code != 200 || undone.Result != "undone" {
		t.Errorf("undo by id: %d %+v", code, undone)
	}
	f.scan(t, map[string]any{"code": f.seated, "session": "ws-maintenance"})
	if code := f.ta.call(t, "POST", "/api/v1/checkin/undo", f.staff, map[string]any{"event": "forum", "code": f.seated}, &e); code != http.StatusConflict {
		t.Errorf("undo at the entrance of a session check-in: %d", code)
	}
	if code := f.ta.call(t, "POST", "/api/v1/checkin/undo", f.staff, map[string]any{"event": "forum", "code": f.seated, "session": "ws-maintenance"}, &undone); code != 200 {
		t.Errorf("undo at the session: %d", code)
	}
	for _, body := range []map[string]any{{"event": "forum"}, {"event": "forum", "code": "FY1-NOTHING"}} {
		if code := f.ta.call(t, "POST", "/api/v1/checkin/undo", f.staff, body, &e); code != 422 {
			t.Errorf("undo %v: %d %+v", body, code, e)
		}
	}
	// Undos are in the scan log, not in the results of scans.
	var stats struct {
		Results map[string]int `json:"results"`
	}
	f.ta.call(t, "GET", "/api/v1/events/forum/checkin/stats", f.staff, nil, &stats)
	if stats.Results["ok"] != 3 {
		t.Errorf("results %v", stats.Results)
	}
}

// TestCheckInConcurrent scans one code from 50 devices at once: exactly
// one of them admits the guest; the others see that first admission.
func TestCheckInConcurrent(t *testing.T) {
	f := newDoorForum(t)
	const devices = 50
	var wg sync.WaitGroup
	answers := make([]checkinAnswer, devices)
	codes := make([]int, devices)
	start := make(chan struct{})
	for i := range devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i] = f.ta.call(t, "POST", "/api/v1/checkin", f.staff,
				map[string]any{"event": "forum", "code": f.plain, "device": fmt.Sprintf("Device %d", i)}, &answers[i])
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	var winner string
	for i, a := range answers {
		if codes[i] != 200 {
			t.Fatalf("device %d: status %d", i, codes[i])
		}
		switch a.Result {
		case "ok":
			ok++
			winner = fmt.Sprintf("Device %d", i)
		case "already_checked_in":
		default:
			t.Errorf("device %d: %s", i, a.Result)
		}
	}
	if ok != 1 {
		t.Fatalf("%d devices admitted the guest, want exactly 1", ok)
	}
	for i, a := range answers {
		if a.Result == "already_checked_in" && (a.Previous == nil || a.Previous.Device != winner) {
			t.Errorf("device %d: previous %+v, want %s", i, a.Previous, winner)
		}
	}
}

func TestCheckInAuth(t *testing.T) {
	f := newDoorForum(t)
	body := map[string]any{"event": "forum", "code": f.plain}
	var e apiError
	if code := f.ta.call(t, "POST", "/api/v1/checkin", "", body, &e); code != 401 || e.Error.Code != "unauthorized" {
		t.Errorf("anonymous: %d %+v", code, e)
	}
	for _, path := range []string{"/api/v1/events/forum/checkin/stats", "/api/v1/events/forum/checkin/roster",
		"/api/v1/events/forum/checkin/search?q=x"} {
		if code := f.ta.call(t, "GET", path, "", nil, &e); code != 401 {
			t.Errorf("anonymous %s: %d", path, code)
		}
		if code := f.ta.call(t, "GET", path, f.staff, nil, nil); code != 200 {
			t.Errorf("staff %s: %d", path, code)
		}
	}
	// Staff reach no organiser route.
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/events/forum/registrations"},
		{"GET", fmt.Sprintf("/api/v1/registrations/%d", f.ids["Number 3"])},
		{"POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", f.ids["Number 3"])},
		{"PUT", "/api/v1/events/forum"},
		{"POST", "/api/v1/events"},
	} {
		if code := f.ta.call(t, r.method, r.path, f.staff, map[string]any{}, &e); code != 403 || e.Error.Code != "forbidden" {
			t.Errorf("staff %s %s: %d %+v", r.method, r.path, code, e)
		}
	}
	// Organisers may check in.
	var a checkinAnswer
	if code := f.ta.call(t, "POST", "/api/v1/checkin", f.organiser, body, &a); code != 200 || a.Result != "ok" {
		t.Errorf("organiser: %d %+v", code, a)
	}
}

// TestCheckedInFilter: the registration JSON's checked_in_at and the
// organiser list's checked_in filter follow the entrance, not session doors.
func TestCheckedInFilter(t *testing.T) {
	f := newDoorForum(t)
	f.scan(t, map[string]any{"code": f.plain})
	f.scan(t, map[string]any{"code": f.seated, "session": "ws-maintenance"})
	in := f.ta.registrations(t, "forum", f.organiser, "checked_in=true")
	if len(in) != 1 || in[0].LastName != "Number 3" || in[0].CheckedInAt == nil {
		t.Fatalf("checked_in=true: %+v", in)
	}
	out := f.ta.registrations(t, "forum", f.organiser, "checked_in=false")
	if len(out) != 4 {
		t.Errorf("checked_in=false: %d registrations, want 4", len(out))
	}
	for _, r := range out {
		if r.CheckedInAt != nil {
			t.Errorf("%s has checked_in_at %s", r.LastName, *r.CheckedInAt)
		}
	}
	var one apiRegistration
	f.ta.call(t, "GET", fmt.Sprintf("/api/v1/registrations/%d", f.ids["Number 3"]), f.organiser, nil, &one)
	if one.CheckedInAt == nil {
		t.Error("GET registration: checked_in_at is null after check-in")
	}
	// Undone: null again.
	f.ta.call(t, "POST", "/api/v1/checkin/undo", f.staff, map[string]any{"event": "forum", "code": f.plain}, nil)
	if in := f.ta.registrations(t, "forum", f.organiser, "checked_in=true"); len(in) != 0 {
		t.Errorf("after undo, checked_in=true lists %d", len(in))
	}
}

// TestCheckInStoredCode: a code is taken without its signature check only
// when it is the one stored for its registration. A code that verifies but
// was replaced, one signed with another key and one for no registration
// are refused as before, each logged once, and a repeat of such a scan's
// nonce gives its first answer.
func TestCheckInStoredCode(t *testing.T) {
	f := newDoorForum(t)
	ctx := context.Background()
	ev, err := f.ta.app.Store.GetEvent(ctx, "forum")
	if err != nil {
		t.Fatal(err)
	}
	_, stranger, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	id := f.ids["Number 3"]
	newer, _ := ticket.Issue(ev.TicketKey, ev.ID, id)
	forged, _ := ticket.Issue(stranger, ev.ID, id)
	unknown, _ := ticket.Issue(ev.TicketKey, ev.ID, 99999)
	rw, err := sql.Open("sqlite3", "file:"+filepath.Join(f.ta.dir, "foyer.db")+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	if _, err := rw.Exec("UPDATE registrations SET ticket_code = ? WHERE id = ?", newer, id); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, code, result, reason string
	}{
		{"old code after a reissue", f.plain, "invalid", "superseded"},
		{"signed with another key", forged, "invalid", "signature"},
		{"no such registration", unknown, "invalid", "unknown"},
		{"the new code", newer, "ok", ""},
		{"the new code again", newer, "already_checked_in", ""},
		{"the old code once more", f.plain, "invalid", "superseded"},
	}
	db := f.ta.readOnly(t)
	for i, tt := range tests {
		var before, after int
		db.QueryRow("SELECT count(*) FROM scans").Scan(&before)
		nonce := fmt.Sprint("stored-", i)
		code, a := f.scan(t, map[string]any{"code": tt.code, "nonce": nonce})
		if code != http.StatusOK || a.Result != tt.result || a.Reason != tt.reason || a.Replayed {
			t.Errorf("%s: %d %+v, want %s %q", tt.name, code, a, tt.result, tt.reason)
		}
		db.QueryRow("SELECT count(*) FROM scans").Scan(&after)
		if after != before+1 {
			t.Errorf("%s: %d scans logged, want 1", tt.name, after-before)
		}
		code, again := f.scan(t, map[string]any{"code": tt.code, "nonce": nonce})
		if code != http.StatusOK || again.Result != tt.result || again.Reason != tt.reason || !again.Replayed {
			t.Errorf("%s, nonce repeated: %d %+v", tt.name, code, again)
		}
	}
	var logged int
	db.QueryRow("SELECT count(*) FROM scans WHERE result = 'invalid' AND reason = 'superseded' AND registration_id = ?", id).Scan(&logged)
	if logged != 2 {
		t.Errorf("%d superseded scans logged, want 2", logged)
	}
}
