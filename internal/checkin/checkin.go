// Package checkin holds the rules of admitting guests at the door: how a
// ticket code is found in what a scanner delivered, which answer a scan
// gets, and how scans that devices made while offline are merged.
//
// A scan is made for one event (the one the device admits to) at one door:
// the entrance, or a session. It names a guest by a ticket code (camera or
// scanner) or by a registration id (found by a search). Its answer is one
// of the Results:
//
//   - OK: the guest is in, and now recorded as in at this door.
//   - AlreadyCheckedIn: the guest was admitted at this door before; the
//     answer names that first admission (time, device, staff member).
//   - Invalid: no ticket code in the text, a code that is malformed, not
//     signed with this event's key, for no registration of the event, or
//     superseded by a newer code of the same registration.
//   - WrongEvent: a genuine ticket of another event.
//   - Cancelled, Waitlisted, Pending: the registration is in that state
//     (a rejected registration answers Cancelled: its ticket is void).
//   - NotSignedUp: a session door, and the guest has no confirmed seat in a
//     session that takes sign-ups.
//
// Every scan is logged with its answer; a check-in can be undone, which is
// logged as a scan of its own. One admission per registration and door:
// the store makes it with one conditional write, so concurrent scans of one
// code from many devices give exactly one OK.
//
// A scan may carry a nonce, the device's own id for it. A scan whose nonce
// was seen before is answered with the first answer and changes nothing, so
// a device may resend whatever it is unsure about.
//
// Devices that lose the network keep admitting from their copy of the guest
// list and send their scans later (Merge). The earliest admission wins;
// when a guest was admitted on two devices while they could not see each
// other, the later admission is marked as a duplicate, for the organisers'
// figures and the door staff.
package checkin

import (
	"crypto/ed25519"
	"crypto/subtle"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/foyer-events/foyer/internal/programme"
	"github.com/foyer-events/foyer/internal/ticket"
)

// Results of a scan.
const (
	OK               = "ok"
	AlreadyCheckedIn = "already_checked_in"
	Invalid          = "invalid"
	Cancelled        = "cancelled"
	WrongEvent       = "wrong_event"
	Waitlisted       = "waitlisted"
	Pending          = "pending"
	NotSignedUp      = "not_signed_up"
	// Undone is the logged result of an undo.
	Undone = "undone"
)

// Results lists every answer a scan can get, in the order of the doc.
var Results = []string{OK, AlreadyCheckedIn, Invalid, WrongEvent, Cancelled, Waitlisted, Pending, NotSignedUp}

// Reasons for Invalid.
const (
	NoCode     = "no_code"    // the text holds no ticket code
	Malformed  = "malformed"  // it starts like one but is not one
	Signature  = "signature"  // not signed with this event's key
	Unknown    = "unknown"    // signed, but the registration does not exist
	Superseded = "superseded" // the registration has a newer code
)

// Kinds of scan, as logged.
const (
	KindScan   = "scan"    // a ticket code from a camera or a scanner
	KindSearch = "search"  // a guest chosen from a search
	KindWalkIn = "walk_in" // registered at the door
	KindUndo   = "undo"
)

// Limits on what a device sends.
const (
	// MaxScanned is the longest scanned text looked at. A QR code of a
	// ticket is under 200 characters; a scanner's prefix and suffix or a
	// URL around it add little.
	MaxScanned = 4096
	// MaxDevice is the longest device name, in characters.
	MaxDevice = 64
	// MaxNonce is the longest nonce, in bytes.
	MaxNonce = 100
)

// Sentinel errors.
var (
	// ErrTooLong means the scanned text is longer than MaxScanned.
	ErrTooLong = errors.New("checkin: scanned text too long")
	// ErrNothingToUndo means the registration is not checked in at that door.
	ErrNothingToUndo = errors.New("checkin: not checked in")
	// ErrUnknownSession means the door names no session of the event.
	ErrUnknownSession = errors.New("checkin: unknown session")
)

// qwertzPrefix is how Prefix arrives from a scanner set to a US keyboard
// layout on a computer set to German: Y and Z trade places, and the hyphen
// comes out as ß.
const qwertzPrefix = "FZ1ß"

// FindCode returns the ticket code inside scanned text, or "" when there is
// none. It takes what scanners deliver: a URL or other text around the
// code, a prefix or suffix, lower case, and the code typed through a German
// keyboard layout by a scanner set to a US one.
func FindCode(scanned string) (string, error) {
	if len(scanned) > MaxScanned {
		return "", ErrTooLong
	}
	if code := ticket.Find(scanned); code != "" {
		return code, nil
	}
	// Only ASCII letters change case here, as in ticket.Find.
	swapped := []byte(scanned)
	for i, b := range swapped {
		switch {
		case b == 'y' || b == 'Y':
			swapped[i] = 'Z'
		case b == 'z' || b == 'Z':
			swapped[i] = 'Y'
		case 'a' <= b && b <= 'z':
			swapped[i] = b - 'a' + 'A'
		}
	}
	// The prefix itself is swapped too now: FZ1ß became FY1ß.
	i := strings.Index(string(swapped), "FY1ß")
	if i < 0 {
		return "", nil
	}
	return ticket.Find(ticket.Prefix + string(swapped[i+len(qwertzPrefix):])), nil
}

// Door is where a scan is made: the entrance (Session "") or a session.
type Door struct {
	Session string // the session's id in programme JSON, "" for the entrance
	// SignUp says the session takes sign-ups (it has a capacity): only
	// guests with a confirmed seat may enter.
	SignUp bool
}

// Registration is what a decision needs to know of the registration a
// verified code or a search named.
type Registration struct {
	Status string // registration status: pending, confirmed, waitlisted, rejected, cancelled
	// Seat is the registration's seat at the door's session: "",
	// "confirmed" or "waitlisted".
	Seat string
}

// Decide returns the answer for a registration at a door before the
// conditional write: OK means "admit, unless already admitted here".
func Decide(r Registration, d Door) string {
	switch r.Status {
	case "confirmed":
	case "waitlisted":
		return Waitlisted
	case "pending":
		return Pending
	default: // cancelled, rejected
		return Cancelled
	}
	if d.Session != "" && d.SignUp && r.Seat != "confirmed" {
		return NotSignedUp
	}
	return OK
}

// Standing is the admission recorded for a guest at a door.
type Standing struct {
	At      time.Time
	Offline bool // made on a device that was offline at the time
}

// Arrival is a scan that would admit a guest who already has a Standing
// admission at that door.
type Arrival struct {
	At time.Time
	// Admitted says the device admitted the guest on its own while
	// offline (it showed green); an online scan never has.
	Admitted bool
}

// Merged is what happens when an arrival meets a standing admission.
type Merged struct {
	// Result is the arrival's answer: OK when it replaces the admission,
	// else AlreadyCheckedIn.
	Result string
	// Replace says the arrival becomes the admission (it was earlier).
	Replace bool
	// Duplicate marks the arrival as a second admission of the guest;
	// DuplicateOther marks the admission it replaces as one.
	Duplicate, DuplicateOther bool
}

// Merge applies the earliest-wins rule. An offline device that admitted a
// guest whom another device admitted too has let them in twice: whichever
// of the two came later is the duplicate. An arrival that was not admitted
// on its own (online, or shown amber offline) is simply already checked in.
func Merge(existing Standing, a Arrival) Merged {
	if !a.Admitted {
		return Merged{Result: AlreadyCheckedIn}
	}
	if a.At.Before(existing.At) {
		return Merged{Result: OK, Replace: true, DuplicateOther: true}
	}
	return Merged{Result: AlreadyCheckedIn, Duplicate: true}
}

// DeviceTime corrects the time a device says a scan was made by the
// difference between the device's clock and the server's, measured when
// the device sent it (sentAt by its clock, received by ours). A time in the
// future is taken as now: no scan can be made after it arrives.
func DeviceTime(scannedAt, sentAt, received time.Time) time.Time {
	t := scannedAt
	if !sentAt.IsZero() {
		t = scannedAt.Add(received.Sub(sentAt))
	}
	if t.After(received) {
		return received
	}
	return t
}

// ValidDevice reports whether name can name a device: at most MaxDevice
// characters of valid UTF-8 text, no control characters.
func ValidDevice(name string) bool {
	return utf8.ValidString(name) && utf8.RuneCountInString(name) <= MaxDevice &&
		!strings.ContainsFunc(name, programme.IsControl)
}

// ValidNonce reports whether a nonce is acceptable: printable ASCII, at most
// MaxNonce bytes.
func ValidNonce(n string) bool {
	if len(n) > MaxNonce {
		return false
	}
	for i := 0; i < len(n); i++ {
		if n[i] <= ' ' || n[i] > '~' {
			return false
		}
	}
	return true
}

// Verdict is what the code alone says, before the guest list is asked.
type Verdict struct {
	// Result is "" when the code is genuine and for this event; else
	// Invalid (with Reason) or WrongEvent.
	Result, Reason string
	// RegistrationID is the registration the code is for.
	RegistrationID int64
	// OtherEvent is, for WrongEvent, the event the ticket is for.
	OtherEvent int64
	// Unverified says the signature has not been checked (see Claim): the
	// code names RegistrationID of this event, and is genuine only if it
	// is the code stored for that registration (Issued).
	Unverified bool
}

// Claim is what a code found by FindCode says before its signature is
// checked. A code that names a registration of this event comes back
// Unverified: when it is the very code stored for that registration it is
// genuine, since foyer issued and stored it, and the costly signature
// check is not needed (Issued). Any other code, for example a forged or a
// superseded one or one for no registration, must then go through Verify,
// which tells them apart. A code of another event is verified here at
// once, as are codes that are no codes at all.
func Claim(code string, eventID int64, pub ed25519.PublicKey, keyOf func(eventID int64) ed25519.PublicKey) Verdict {
	claims, refused, ok := peek(code)
	if !ok {
		return refused
	}
	if claims.EventID != eventID {
		return Verify(code, eventID, pub, keyOf)
	}
	return Verdict{RegistrationID: claims.RegistrationID, Unverified: true}
}

// peek reads what a code says without checking it; when it is no code at
// all, ok is false and refused is the answer.
func peek(code string) (claims ticket.Claims, refused Verdict, ok bool) {
	if code == "" {
		return claims, Verdict{Result: Invalid, Reason: NoCode}, false
	}
	claims, err := ticket.Peek(code)
	if err != nil {
		return claims, Verdict{Result: Invalid, Reason: Malformed}, false
	}
	return claims, Verdict{}, true
}

// Issued reports whether a scanned code is the code stored for the
// registration it names, byte for byte: then it needs no signature check.
// The comparison takes the same time wherever the codes differ, so that
// answers do not reveal how much of a stored code a guess got right.
func Issued(scanned, stored string) bool {
	return stored != "" && subtle.ConstantTimeCompare([]byte(scanned), []byte(stored)) == 1
}

// Verify checks a code found by FindCode against the event's public key.
// keyOf returns another event's public key (nil if there is no such
// event), so that a genuine ticket of another event is told apart from a
// forgery.
func Verify(code string, eventID int64, pub ed25519.PublicKey, keyOf func(eventID int64) ed25519.PublicKey) Verdict {
	claims, refused, ok := peek(code)
	if !ok {
		return refused
	}
	if claims.EventID != eventID {
		if other := keyOf(claims.EventID); other != nil {
			if _, err := ticket.Verify(other, code); err == nil {
				return Verdict{Result: WrongEvent, OtherEvent: claims.EventID, RegistrationID: claims.RegistrationID}
			}
		}
		return Verdict{Result: Invalid, Reason: Signature}
	}
	if _, err := ticket.Verify(pub, code); err != nil {
		return Verdict{Result: Invalid, Reason: Signature}
	}
	return Verdict{RegistrationID: claims.RegistrationID}
}

// Admitter says who admitted a guest: when, on which device, which staff
// member, and whether the device was offline at the time.
type Admitter struct {
	At      time.Time `json:"at"`
	Device  string    `json:"device"`
	Staff   string    `json:"staff"`
	Offline bool      `json:"offline,omitempty"`
}

// Guest is a registration as the door sees it: enough to recognise and
// admit a guest, and nothing more (no email address, no answers).
type Guest struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"` // as printed on the badge
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Organisation string `json:"organisation"`
	Status       string `json:"status"`
	Language     string `json:"language"`
	// Ticket is the random part of the registration's current code (see
	// ticket.Nonce): a device tells the current code from an older one
	// with it, and cannot make a code from it.
	Ticket   string `json:"ticket"`
	Sessions []Seat `json:"sessions"`
	// CheckedInAt is the admission at the entrance, nil before it.
	CheckedInAt *time.Time `json:"checked_in_at"`
	// Admissions are the guest's admissions at every door.
	Admissions []Admission `json:"admissions"`
}

// Seat is a guest's place in a session that takes sign-ups.
type Seat struct {
	ID     string `json:"id"`
	Status string `json:"status"` // confirmed or waitlisted
}

// Admission is a guest's admission at one door.
type Admission struct {
	Door string `json:"door"` // session id, "" for the entrance
	Admitter
}
