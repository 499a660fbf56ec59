package checkin

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/foyer-events/foyer/internal/ticket"
)

func newKey(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

// qwertz types s the way a scanner set to a US layout does on a computer
// set to German.
func qwertz(s string) string {
	return strings.NewReplacer("Y", "Z", "Z", "Y", "-", "ß").Replace(s)
}

func TestFindCode(t *testing.T) {
	_, priv := newKey(t)
	code, err := ticket.Issue(priv, 7, 1234)
	if err != nil {
		t.Fatal(err)
	}
	// A code with both Y and Z shows that the layout swap goes both ways.
	for !strings.ContainsAny(code[4:], "Y") || !strings.ContainsAny(code[4:], "Z") {
		code, _ = ticket.Issue(priv, 7, 1234)
	}
	tests := []struct {
		name, scanned, want string
	}{
		{"bare", code, code},
		{"scanner prefix and suffix", "]Q1" + code + "\r\n", code},
		{"url", "https://foyer.example/t?c=" + strings.ToLower(code) + "&x=1", code},
		{"spaces", "   " + code + "   ", code},
		{"german layout", qwertz(code), code},
		{"german layout, lower case", strings.ToLower(qwertz(code)), code},
		{"nothing", "hello", ""},
		{"empty", "", ""},
		{"prefix alone", "FY1-", ""},
		{"german prefix alone", "FZ1ß", ""},
	}
	for _, tt := range tests {
		got, err := FindCode(tt.scanned)
		if err != nil || got != tt.want {
			t.Errorf("%s: FindCode(%q) = %q, %v; want %q", tt.name, tt.scanned, got, err, tt.want)
		}
	}
	if _, err := FindCode(strings.Repeat("x", MaxScanned+1)); !errors.Is(err, ErrTooLong) {
		t.Errorf("too long: %v, want ErrTooLong", err)
	}
}

// codes are event 1's public key, the keys of events 1 and 2 by id, a
// stranger's private key, and the codes the verification tests scan:
// registration 42's genuine code, its code for event 2, and codes for each
// event signed by the stranger.
type codes struct {
	pub                                  ed25519.PublicKey
	strangerPriv                         ed25519.PrivateKey
	keyOf                                func(eventID int64) ed25519.PublicKey
	good, other, forgedOther, forgedHere string
}

func newCodes(t *testing.T) codes {
	pub, priv := newKey(t)
	otherPub, otherPriv := newKey(t)
	_, strangerPriv := newKey(t)
	keys := map[int64]ed25519.PublicKey{1: pub, 2: otherPub}
	c := codes{pub: pub, strangerPriv: strangerPriv, keyOf: func(id int64) ed25519.PublicKey { return keys[id] }}
	c.good, _ = ticket.Issue(priv, 1, 42)
	c.other, _ = ticket.Issue(otherPriv, 2, 42)
	c.forgedOther, _ = ticket.Issue(strangerPriv, 2, 42)
	c.forgedHere, _ = ticket.Issue(strangerPriv, 1, 42)
	return c
}

func TestVerify(t *testing.T) {
	k := newCodes(t)
	pub, strangerPriv, keyOf := k.pub, k.strangerPriv, k.keyOf
	good, other, forgedOther, forgedHere := k.good, k.other, k.forgedOther, k.forgedHere
	noEvent, _ := ticket.Issue(strangerPriv, 99, 1)
	// One character changed in the signature.
	flip := []byte(good)
	if flip[len(flip)-5] == 'A' {
		flip[len(flip)-5] = 'B'
	} else {
		flip[len(flip)-5] = 'A'
	}
	tests := []struct {
		name, code     string
		result, reason string
		reg            int64
	}{
		{"genuine", good, "", "", 42},
		{"empty", "", Invalid, NoCode, 0},
		{"truncated", good[:len(good)-10], Invalid, Malformed, 0},
		{"one character changed", string(flip), Invalid, Signature, 0},
		{"another event's ticket", other, WrongEvent, "", 42},
		{"forged for another event", forgedOther, Invalid, Signature, 0},
		{"forged for this event", forgedHere, Invalid, Signature, 0},
		{"for no event", noEvent, Invalid, Signature, 0},
	}
	for _, tt := range tests {
		v := Verify(tt.code, 1, pub, keyOf)
		if v.Result != tt.result || v.Reason != tt.reason || v.RegistrationID != tt.reg {
			t.Errorf("%s: %+v, want result %q reason %q registration %d", tt.name, v, tt.result, tt.reason, tt.reg)
		}
	}
	if v := Verify(other, 1, pub, keyOf); v.OtherEvent != 2 {
		t.Errorf("wrong event names event %d, want 2", v.OtherEvent)
	}
}

func TestDecide(t *testing.T) {
	entrance := Door{}
	workshop := Door{Session: "ws", SignUp: true}
	keynote := Door{Session: "keynote"}
	tests := []struct {
		status, seat string
		door         Door
		want         string
	}{
		{"confirmed", "", entrance, OK},
		{"waitlisted", "", entrance, Waitlisted},
		{"pending", "", entrance, Pending},
		{"cancelled", "", entrance, Cancelled},
		{"rejected", "", entrance, Cancelled},
		{"confirmed", "confirmed", workshop, OK},
		{"confirmed", "waitlisted", workshop, NotSignedUp},
		{"confirmed", "", workshop, NotSignedUp},
		{"confirmed", "", keynote, OK},
		{"cancelled", "", keynote, Cancelled},
		{"waitlisted", "confirmed", workshop, Waitlisted},
	}
	for _, tt := range tests {
		if got := Decide(Registration{Status: tt.status, Seat: tt.seat}, tt.door); got != tt.want {
			t.Errorf("Decide(%s, seat %q, %+v) = %s, want %s", tt.status, tt.seat, tt.door, got, tt.want)
		}
	}
}

func TestMerge(t *testing.T) {
	t0 := time.Date(2027, 4, 13, 9, 0, 0, 0, time.UTC)
	existing := Standing{At: t0}
	tests := []struct {
		name string
		a    Arrival
		want Merged
	}{
		{"online scan later", Arrival{At: t0.Add(time.Minute)}, Merged{Result: AlreadyCheckedIn}},
		{"online scan earlier", Arrival{At: t0.Add(-time.Minute)}, Merged{Result: AlreadyCheckedIn}},
		{"offline admission later", Arrival{At: t0.Add(time.Minute), Admitted: true}, Merged{Result: AlreadyCheckedIn, Duplicate: true}},
		{"offline admission earlier", Arrival{At: t0.Add(-time.Minute), Admitted: true}, Merged{Result: OK, Replace: true, DuplicateOther: true}},
		{"offline admission at the same time", Arrival{At: t0, Admitted: true}, Merged{Result: AlreadyCheckedIn, Duplicate: true}},
	}
	for _, tt := range tests {
		if got := Merge(existing, tt.a); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestDeviceTime(t *testing.T) {
	now := time.Date(2027, 4, 13, 9, 0, 0, 0, time.UTC)
	// The device's clock is 10 minutes slow; it scanned 5 minutes ago.
	slow := now.Add(-10 * time.Minute)
	if got := DeviceTime(slow.Add(-5*time.Minute), slow, now); !got.Equal(now.Add(-5 * time.Minute)) {
		t.Errorf("slow clock: %v", got)
	}
	// No send time: taken as is, but never later than now.
	if got := DeviceTime(now.Add(time.Hour), time.Time{}, now); !got.Equal(now) {
		t.Errorf("future: %v", got)
	}
	if got := DeviceTime(now.Add(-time.Hour), time.Time{}, now); !got.Equal(now.Add(-time.Hour)) {
		t.Errorf("plain: %v", got)
	}
}

func TestValidDeviceAndNonce(t *testing.T) {
	for name, ok := range map[string]bool{"Door 1": true, "北门": true, "": true, "tab\there": false,
		strings.Repeat("x", MaxDevice+1): false, "bad\xffutf8": false, "line\u2028sep": false} {
		if ValidDevice(name) != ok {
			t.Errorf("ValidDevice(%q) = %v", name, !ok)
		}
	}
	for n, ok := range map[string]bool{"0f3a-11": true, "": true, "has space": false, "ü": false, strings.Repeat("a", MaxNonce+1): false} {
		if ValidNonce(n) != ok {
			t.Errorf("ValidNonce(%q) = %v", n, !ok)
		}
	}
}

// FuzzFindCode feeds FindCode arbitrary text. Whatever it finds must look
// like a code and come from the text; a genuine code put into the text
// between separators must be found, whatever surrounds it. The seed corpus
// in testdata/fuzz/FuzzFindCode runs in every go test.
func FuzzFindCode(f *testing.F) {
	_, priv := newKey(f)
	code, err := ticket.Issue(priv, 3, 77)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"", code, "https://x/?c=" + code, "FY1-", "fy1-abc fy1-", qwertz(code), "ſ" + code,
		"\x00\xff", strings.Repeat("FY1-A", 50)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := FindCode(s)
		if len(s) > MaxScanned {
			if !errors.Is(err, ErrTooLong) {
				t.Fatalf("%d bytes: err %v, want ErrTooLong", len(s), err)
			}
			return
		}
		if err != nil {
			t.Fatalf("FindCode: %v", err)
		}
		if got != "" {
			body, ok := strings.CutPrefix(got, ticket.Prefix)
			if !ok || body == "" || strings.Trim(body, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
				t.Fatalf("FindCode(%q) = %q: not shaped like a code", s, got)
			}
			folded := strings.ToUpper(s)
			if !strings.Contains(folded, body) && !strings.Contains(folded, qwertz(body)) {
				t.Fatalf("FindCode(%q) = %q: not in the text", s, got)
			}
		}
		wrapped := s + " " + code + " " + s
		if len(wrapped) > MaxScanned {
			return
		}
		found, err := FindCode(wrapped)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ticket.Peek(found); err != nil {
			t.Fatalf("FindCode(%q) = %q, which does not decode, although %q is in it", wrapped, found, code)
		}
	})
}

// TestClaim: a code of this event is only read, forged or not; anything
// else is answered as Verify answers it.
func TestClaim(t *testing.T) {
	k := newCodes(t)
	pub, keyOf := k.pub, k.keyOf
	good, other, forgedOther, forgedHere := k.good, k.other, k.forgedOther, k.forgedHere
	tests := []struct {
		name, code     string
		result, reason string
		reg            int64
		unverified     bool
	}{
		{"genuine", good, "", "", 42, true},
		{"forged for this event", forgedHere, "", "", 42, true},
		{"empty", "", Invalid, NoCode, 0, false},
		{"truncated", good[:len(good)-10], Invalid, Malformed, 0, false},
		{"another event's ticket", other, WrongEvent, "", 42, false},
		{"forged for another event", forgedOther, Invalid, Signature, 0, false},
	}
	for _, tt := range tests {
		v := Claim(tt.code, 1, pub, keyOf)
		if v.Result != tt.result || v.Reason != tt.reason || v.RegistrationID != tt.reg || v.Unverified != tt.unverified {
			t.Errorf("%s: %+v, want result %q reason %q registration %d unverified %v", tt.name, v, tt.result, tt.reason, tt.reg, tt.unverified)
		}
	}
}

// TestIssued: only the stored code itself, byte for byte, is taken
// without its signature.
func TestIssued(t *testing.T) {
	_, priv := newKey(t)
	code, _ := ticket.Issue(priv, 1, 42)
	newer, _ := ticket.Issue(priv, 1, 42)
	tests := []struct {
		scanned, stored string
		want            bool
	}{
		{code, code, true},
		{code, newer, false},
		{code, "", false},
		{"", "", false},
		{code[:len(code)-1], code, false},
		{strings.ToLower(code), code, false},
	}
	for _, tt := range tests {
		if got := Issued(tt.scanned, tt.stored); got != tt.want {
			t.Errorf("Issued(%q, %q) = %v, want %v", tt.scanned, tt.stored, got, tt.want)
		}
	}
}
