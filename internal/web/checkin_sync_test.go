package web

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rosterAnswerJSON is GET …/checkin/roster.
type rosterAnswerJSON struct {
	Event struct {
		ID        int64  `json:"id"`
		Slug      string `json:"slug"`
		PublicKey string `json:"public_key"`
		Sessions  []struct {
			ID     string `json:"id"`
			SignUp bool   `json:"sign_up"`
		} `json:"sessions"`
	} `json:"event"`
	Version int64 `json:"version"`
	Full    bool  `json:"full"`
	Guests  []struct {
		ID          int64            `json:"id"`
		Name        string           `json:"name"`
		Status      string           `json:"status"`
		Ticket      string           `json:"ticket"`
		Sessions    []map[string]any `json:"sessions"`
		CheckedInAt *string          `json:"checked_in_at"`
		Admissions  []map[string]any `json:"admissions"`
		Email       *string          `json:"email"`
	} `json:"guests"`
}

func TestRoster(t *testing.T) {
	f := newDoorForum(t)
	var full rosterAnswerJSON
	if code := f.ta.call(t, "GET", "/api/v1/events/forum/checkin/roster", f.staff, nil, &full); code != 200 {
		t.Fatalf("roster: %d", code)
	}
	if !full.Full || len(full.Guests) != 5 || full.Version == 0 || full.Event.PublicKey == "" || full.Event.Slug != "forum" {
		t.Fatalf("full roster: %+v", full)
	}
	for _, g := range full.Guests {
		if g.Ticket == "" || g.Email != nil || g.Name == "" {
			t.Errorf("guest %+v: want a ticket nonce, a name and no email", g)
		}
	}
	// Nothing changed: nothing sent.
	var same rosterAnswerJSON
	f.ta.call(t, "GET", "/api/v1/events/forum/checkin/roster?since="+itoa(full.Version), f.staff, nil, &same)
	if same.Full || len(same.Guests) != 0 || same.Version != full.Version {
		t.Errorf("unchanged roster: full %v, %d guests, version %d", same.Full, len(same.Guests), same.Version)
	}
	// One check-in: only that guest comes, with the admission.
	f.scan(t, map[string]any{"code": f.plain, "device": "Door 1"})
	var changed rosterAnswerJSON
	f.ta.call(t, "GET", "/api/v1/events/forum/checkin/roster?since="+itoa(full.Version), f.staff, nil, &changed)
	if changed.Full || len(changed.Guests) != 1 || changed.Guests[0].Name != "Guest Number 3" ||
		changed.Guests[0].CheckedInAt == nil || len(changed.Guests[0].Admissions) != 1 || changed.Version <= full.Version {
		t.Fatalf("after a check-in: %+v", changed)
	}
	// A cancellation and a new registration come too.
	f.ta.call(t, "POST", "/api/v1/registrations/"+itoa(f.ids["Number 4"])+"/cancel", f.organiser, nil, nil)
	f.ta.call(t, "POST", "/api/v1/events/forum/registrations", "", person(7, nil), nil)
	var more rosterAnswerJSON
	f.ta.call(t, "GET", "/api/v1/events/forum/checkin/roster?since="+itoa(changed.Version), f.staff, nil, &more)
	statuses := map[string]string{}
	for _, g := range more.Guests {
		statuses[g.Name] = g.Status
	}
	if statuses["Guest Number 4"] != "cancelled" || statuses["Guest Number 7"] != "waitlisted" || len(more.Guests) != 2 {
		t.Errorf("changes after a cancellation and a registration: %v", statuses)
	}
	// A version from the future (a restored database) gets everything.
	var future rosterAnswerJSON
	f.ta.call(t, "GET", "/api/v1/events/forum/checkin/roster?since=999999", f.staff, nil, &future)
	if !future.Full || len(future.Guests) != 6 {
		t.Errorf("since beyond the version: full %v, %d guests", future.Full, len(future.Guests))
	}
	var e apiError
	if code := f.ta.call(t, "GET", "/api/v1/events/forum/checkin/roster?since=x", f.staff, nil, &e); code != 400 || e.Error.Fields["since"] == "" {
		t.Errorf("since=x: %d %+v", code, e)
	}
}

// syncAnswer is POST …/checkin/sync.
type syncAnswer struct {
	Results []struct {
		Nonce string `json:"nonce"`
		checkinAnswer
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	} `json:"results"`
}

// TestSyncMerge: two devices admit the same guest while offline; the
// earlier scan wins whichever arrives first, the later is a duplicate, and
// the stats say so. A scan queued twice is applied once.
func TestSyncMerge(t *testing.T) {
	f := newDoorForum(t)
	now := time.Now().UTC()
	early, late := now.Add(-10*time.Minute), now.Add(-5*time.Minute)
	send := func(device string, scans ...map[string]any) syncAnswer {
		t.Helper()
		var a syncAnswer
		body := map[string]any{"device": device, "sent_at": now, "scans": scans}
		if code := f.ta.call(t, "POST", "/api/v1/events/forum/checkin/sync", f.staff, body, &a); code != 200 || len(a.Results) != len(scans) {
			t.Fatalf("sync from %s: %d %+v", device, code, a)
		}
		return a
	}
	// The later admission arrives first.
	b := send("Phone B", map[string]any{"nonce": "b-1", "code": f.plain, "scanned_at": late, "offline": true, "admitted": true})
	if r := b.Results[0]; r.Result != "ok" || r.Duplicate {
		t.Fatalf("first arrival: %+v", r)
	}
	a := send("Phone A",
		map[string]any{"nonce": "a-1", "code": f.plain, "scanned_at": early, "offline": true, "admitted": true},
		map[string]any{"nonce": "a-2", "code": f.seated, "scanned_at": early, "offline": true, "admitted": true},
		map[string]any{"nonce": "a-3", "code": f.waiting, "scanned_at": early, "offline": true, "admitted": false},
		map[string]any{"nonce": "a-4", "code": f.plain, "session": "no-such-session", "scanned_at": early, "offline": true},
		map[string]any{"nonce": "", "code": f.plain},
	)
	first := a.Results[0]
	if first.Result != "ok" || !first.Duplicate || first.Previous == nil || first.Previous.Device != "Phone B" {
		t.Errorf("earlier admission arriving later: %+v", first)
	}
	if first.CheckedInAt == nil || !sameTime(*first.CheckedInAt, early) {
		t.Errorf("checked_in_at %v, want the earlier scan's %v", first.CheckedInAt, early)
	}
	if r := a.Results[1]; r.Result != "ok" || r.Duplicate {
		t.Errorf("plain offline admission: %+v", r)
	}
	if r := a.Results[2]; r.Result != "waitlisted" {
		t.Errorf("offline scan of a waitlisted guest: %+v", r)
	}
	if r := a.Results[3]; r.Error == nil || r.Error.Message == "" {
		t.Errorf("unknown session: %+v", r)
	}
	if r := a.Results[4]; r.Error == nil {
		t.Errorf("no nonce: %+v", r)
	}
	// Sent again (the device lost the answer): same answers, nothing new.
	again := send("Phone A", map[string]any{"nonce": "a-1", "code": f.plain, "scanned_at": early, "offline": true, "admitted": true})
	if r := again.Results[0]; r.Result != "ok" || !r.Replayed {
		t.Errorf("resent: %+v", r)
	}
	// A third device, offline and later, that showed the guest amber: no
	// duplicate, since it did not let them in.
	c := send("Phone C", map[string]any{"nonce": "c-1", "code": f.plain, "scanned_at": now, "offline": true, "admitted": false})
	if r := c.Results[0]; r.Result != "already_checked_in" || r.Duplicate || r.Previous.Device != "Phone A" {
		t.Errorf("amber offline scan: %+v", r)
	}

	var stats struct {
		CheckedIn       int `json:"checked_in"`
		Duplicates      int `json:"duplicates"`
		DuplicateGuests []struct {
			Registration struct {
				Name string `json:"name"`
			} `json:"registration"`
			Admissions []struct {
				Device string `json:"device"`
			} `json:"admissions"`
		} `json:"duplicate_guests"`
		Devices []struct {
			Device string `json:"device"`
			Scans  int    `json:"scans"`
		} `json:"devices"`
	}
	f.ta.call(t, "GET", "/api/v1/events/forum/checkin/stats", f.staff, nil, &stats)
	if stats.CheckedIn != 2 || stats.Duplicates != 1 || len(stats.DuplicateGuests) != 1 {
		t.Fatalf("stats: %+v", stats)
	}
	d := stats.DuplicateGuests[0]
	if d.Registration.Name != "Guest Number 3" || len(d.Admissions) != 2 || d.Admissions[0].Device != "Phone A" || d.Admissions[1].Device != "Phone B" {
		t.Errorf("duplicate guest: %+v", d)
	}
	if len(stats.Devices) != 3 {
		t.Errorf("devices: %+v", stats.Devices)
	}
}

// TestSyncClock: a device whose clock is an hour slow has its scan times
// corrected by the difference it shows when it sends them.
func TestSyncClock(t *testing.T) {
	f := newDoorForum(t)
	now := time.Now().UTC()
	slow := now.Add(-time.Hour)
	var a syncAnswer
	f.ta.call(t, "POST", "/api/v1/events/forum/checkin/sync", f.staff, map[string]any{"device": "Slow", "sent_at": slow,
		"scans": []map[string]any{{"nonce": "s-1", "code": f.plain, "scanned_at": slow.Add(-2 * time.Minute), "offline": true, "admitted": true}}}, &a)
	got, err := time.Parse(time.RFC3339Nano, *a.Results[0].CheckedInAt)
	if err != nil {
		t.Fatal(err)
	}
	if d := now.Add(-2 * time.Minute).Sub(got); d < -5*time.Second || d > 5*time.Second {
		t.Errorf("checked in at %v, want about %v", got, now.Add(-2*time.Minute))
	}
}

func TestWalkIn(t *testing.T) {
	f := newDoorForum(t) // 3 of 3 places taken
	path := "/api/v1/events/forum/checkin/walk-ins"
	guest := map[string]any{"first_name": "Walk", "last_name": "In", "email": "walk.in@example.org",
		"organisation": "Door GmbH", "language": "de", "consent": true, "device": "Door 1"}
	var e apiError
	if code := f.ta.call(t, "POST", path, f.staff, guest, &e); code != 409 || e.Error.Fields["over_capacity_reason"] == "" {
		t.Fatalf("full event without a reason: %d %+v", code, e)
	}
	guest["over_capacity_reason"] = "Speaker's assistant"
	var a checkinAnswer
	if code := f.ta.call(t, "POST", path, f.staff, guest, &a); code != 201 || a.Result != "ok" || !a.Created || !a.OverCapacity ||
		a.Registration == nil || a.Registration.Status != "confirmed" || a.CheckedInAt == nil {
		t.Fatalf("walk-in over capacity: %d %+v", code, a)
	}
	// The same address again: that registration, already in.
	var again checkinAnswer
	if code := f.ta.call(t, "POST", path, f.staff, guest, &again); code != 200 || again.Created || again.Result != "already_checked_in" ||
		again.Registration.ID != a.Registration.ID {
		t.Errorf("walk-in repeated: %d %+v", code, again)
	}
	// Without an address; and a nonce sent twice registers once.
	noMail := map[string]any{"first_name": "Wang", "last_name": "Fang", "consent": true, "nonce": "w-1", "over_capacity_reason": "VIP"}
	var x, y checkinAnswer
	f.ta.call(t, "POST", path, f.staff, noMail, &x)
	f.ta.call(t, "POST", path, f.staff, noMail, &y)
	if x.Result != "ok" || !y.Replayed || y.Registration == nil || x.Registration == nil || y.Registration.ID != x.Registration.ID {
		t.Errorf("walk-in without email, sent twice: %+v / %+v", x, y)
	}
	// Two without an address are two guests.
	var z checkinAnswer
	f.ta.call(t, "POST", path, f.staff, map[string]any{"first_name": "Li", "last_name": "Ming", "consent": true, "over_capacity_reason": "VIP"}, &z)
	if z.Result != "ok" || z.Registration.ID == x.Registration.ID {
		t.Errorf("second walk-in without email: %+v", z)
	}
	bad := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"last_name": "X", "consent": true}, "first_name"},
		{map[string]any{"first_name": "X", "last_name": "Y", "consent": true, "email": "nope"}, "email"},
		{map[string]any{"first_name": "X", "last_name": "Y"}, "consent"},
		{map[string]any{"first_name": "X", "last_name": "Y", "consent": true, "over_capacity_reason": "a\nb"}, "over_capacity_reason"},
	}
	for _, b := range bad {
		if code := f.ta.call(t, "POST", path, f.staff, b.body, &e); code != 422 || e.Error.Fields[b.field] == "" {
			t.Errorf("walk-in %v: %d %+v", b.body, code, e)
		}
	}
	// The email went out, with the ticket, to the one with an address only.
	deadline := time.Now().Add(10 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(f.ta.dir, "mail", "*.eml"))
		found := 0
		for _, name := range files {
			data, _ := os.ReadFile(name)
			if strings.Contains(string(data), "walk.in@example.org") {
				found++
			}
		}
		if found == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d emails to the walk-in, want 1", found)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var stats struct {
		Expected     int `json:"expected"`
		CheckedIn    int `json:"checked_in"`
		OverCapacity int `json:"over_capacity"`
	}
	f.ta.call(t, "GET", "/api/v1/events/forum/checkin/stats", f.staff, nil, &stats)
	if stats.OverCapacity != 3 || stats.CheckedIn != 3 || stats.Expected != 6 {
		t.Errorf("stats %+v", stats)
	}
}

func sameTime(s string, t time.Time) bool {
	got, err := time.Parse(time.RFC3339Nano, s)
	return err == nil && got.Sub(t).Abs() < 2*time.Second
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
