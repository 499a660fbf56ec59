package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/foyer-events/foyer/internal/checkin"
)

// Scan is one scan at a door as the store records it. Verdict says what
// the code alone says (checkin.Verify), and for a search names the
// registration. A scan's code may come unverified (checkin.Claim): the
// store then takes it only if it is the code stored for its registration,
// and otherwise answers Unverified and writes nothing.
type Scan struct {
	Kind    string // checkin.KindScan, KindSearch or KindUndo
	Door    string // session id, "" for the entrance
	Code    string // the ticket code found (KindScan), to tell a superseded one
	Verdict checkin.Verdict
	UserID  int64
	Device  string
	Nonce   string    // "" for none
	At      time.Time // when it was made, by the server's clock
	Offline bool      // made on a device that was offline
	// Admitted says the offline device showed the guest green.
	Admitted bool
	// Note is the reason given for admitting a walk-in over capacity.
	Note string
	// at is At as stored, set by scanTx.
	at string
}

// ScanAnswer is what a scan got.
type ScanAnswer struct {
	ScanID         int64
	Result, Reason string
	RegistrationID int64 // 0 when the code named no registration of the event
	OtherEvent     int64 // for wrong_event: the ticket's event
	// CheckedInAt is the admission at this door that stands after the
	// scan (zero when none does).
	CheckedInAt time.Time
	// Previous is, for already_checked_in, the admission that stands; for a
	// duplicate admission, the other one.
	Previous  *checkin.Admitter
	Duplicate bool
	// Replayed says the nonce was seen before and this is its first answer.
	Replayed bool
	// Unverified says the scan's unverified code is not the one stored
	// for a registration of the event: nothing was written, and the scan
	// must be sent again with the code's signature checked.
	Unverified bool
	// OverCapacity says a walk-in was admitted although the event was full.
	OverCapacity bool
	// Guest is the registration as the door sees it after the scan, read
	// in the scan's transaction (nil when the answer names none).
	Guest *checkin.Guest
	// card is Guest as read, decoded once the transaction is over: the
	// single writer only reads.
	card *guestRow
}

// decodeGuest sets Guest from the card read in the transaction; keys are
// the event's sessionKeys.
func (a *ScanAnswer) decodeGuest(keys map[int64]string) error {
	if a == nil || a.card == nil {
		return nil
	}
	g, err := a.card.guest(keys)
	a.Guest, a.card = g, nil
	return err
}

// scanTx records one scan inside a transaction and returns its answer.
// A first admission costs three statements: the registration read (with
// the guest for the answer and any admission standing at the door), the
// scan log insert (whose nonce conflict is the replay check) and the
// conditional insert of the admission; a repeated scan two.
func scanTx(ctx context.Context, tx *writeTx, ev *Event, sc Scan) (*ScanAnswer, error) {
	// As stored, so that a replay answers the very same time.
	sc.at = formatTime(sc.At)
	sc.At = parseTime(sc.at)
	door := int64(0)
	if sc.Door != "" {
		door = ev.SessionIDs[sc.Door]
	}
	a := &ScanAnswer{Result: sc.Verdict.Result, Reason: sc.Verdict.Reason,
		RegistrationID: sc.Verdict.RegistrationID, OtherEvent: sc.Verdict.OtherEvent}
	if a.Result == checkin.WrongEvent {
		a.RegistrationID = 0 // of another event: not ours to log
	}
	if sc.Verdict.Unverified && sc.Kind != checkin.KindScan {
		return nil, errors.New("store: check in: only a scanned code may come unverified")
	}
	if sc.Kind == checkin.KindUndo {
		return undoTx(ctx, tx, ev, sc, a, door)
	}
	d := &decision{}
	if a.Result == "" {
		var err error
		if d, err = decideTx(ctx, tx, ev, sc, a, door); err != nil {
			return nil, err
		}
		if a.Unverified {
			return a, nil
		}
	}
	id, err := logScan(ctx, tx, ev, sc, a, door, d.logged())
	if errors.Is(err, sql.ErrNoRows) {
		return replay(ctx, tx, ev.ID, sc.Nonce)
	}
	if err != nil {
		return nil, err
	}
	a.ScanID = id
	if err := d.admitTx(ctx, tx, sc, a, door); err != nil {
		return nil, err
	}
	a.card = d.guest
	return a, nil
}

// guestTx reads one guest of ev in the transaction; nil when ev has none
// with that id.
func guestTx(ctx context.Context, tx *writeTx, ev *Event, id int64) (*guestRow, error) {
	gr := &guestRow{id: id}
	err := tx.QueryRowContext(ctx, `SELECT r.first_name, r.last_name, r.organisation, r.status, r.language, r.ticket_code,
		`+guestSeatsJSON+`, `+guestAdmissionsJSON+` FROM registrations r WHERE r.id = ? AND r.event_id = ?`, id, ev.ID).Scan(
		&gr.firstName, &gr.lastName, &gr.organisation, &gr.status, &gr.language, &gr.code, &gr.seats, &gr.admissions)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return gr, err
}

// scanLogged is what a scan's log entry says beyond its answer.
type scanLogged struct {
	duplicate bool  // a second admission of the guest at this door
	firstScan int64 // the scan of the other admission; 0 for none
}

// logScan writes the scan log entry and returns its id; sql.ErrNoRows
// means its nonce was seen before and nothing was written.
func logScan(ctx context.Context, tx *writeTx, ev *Event, sc Scan, a *ScanAnswer, door int64, l scanLogged) (int64, error) {
	var reg, nonce, user, first any
	if a.RegistrationID != 0 {
		reg = a.RegistrationID
	}
	if sc.Nonce != "" {
		nonce = sc.Nonce
	}
	if sc.UserID != 0 {
		user = sc.UserID
	}
	if l.firstScan != 0 {
		first = l.firstScan
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO scans (event_id, registration_id, door, kind, result, reason, user_id,
		device, nonce, scanned_at, received_at, offline, note, duplicate, first_scan_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		ev.ID, reg, door, sc.Kind, a.Result, a.Reason, user, sc.Device, nonce, sc.at, now(), sc.Offline, sc.Note,
		l.duplicate, first)
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 0, cmp.Or(err, sql.ErrNoRows)
	}
	return res.LastInsertId()
}

// decision is what decideTx read and concluded about a scan that names a
// registration of the event.
type decision struct {
	// guest is the registration as the door sees it, before the scan.
	guest *guestRow
	// staff is the name of who scans, for the admission the scan makes.
	staff string
	// merged is how an admitting scan meets the admission standing at its
	// door (nil: none stands, or the scan does not admit); standScan is
	// that admission's scan.
	merged    *checkin.Merged
	standScan int64
}

// decideTx answers a genuine code (or a search) from the registration's
// state, in one statement that also reads the guest for the answer and the
// admission standing at the door: OK means "admit", AlreadyCheckedIn that
// the admission that stands stays (checkin.Merge).
func decideTx(ctx context.Context, tx *writeTx, ev *Event, sc Scan, a *ScanAnswer, door int64) (*decision, error) {
	d := &decision{guest: &guestRow{id: a.RegistrationID}}
	gr := d.guest
	var seat string
	var standScan sql.NullInt64
	// Scalar subqueries, not joins: SQLite answers a LEFT JOIN on the
	// admissions several times slower.
	err := tx.QueryRowContext(ctx, `SELECT r.status, r.ticket_code, r.first_name, r.last_name, r.organisation, r.language,
		coalesce((SELECT rs.status FROM registration_sessions rs WHERE rs.registration_id = r.id AND rs.session_id = ?), ''),
		coalesce((SELECT name FROM users WHERE id = ?), ''),
		(SELECT scan_id FROM checkins WHERE registration_id = r.id AND door = ?),
		`+guestSeatsJSON+`, `+guestAdmissionsJSON+`
		FROM registrations r WHERE r.id = ? AND r.event_id = ?`, door, sc.UserID, door, a.RegistrationID, ev.ID).Scan(
		&gr.status, &gr.code, &gr.firstName, &gr.lastName, &gr.organisation, &gr.language, &seat, &d.staff, &standScan,
		&gr.seats, &gr.admissions)
	switch {
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return nil, err
	case sc.Verdict.Unverified && (err != nil || !checkin.Issued(sc.Code, gr.code)):
		// Not a code foyer stored: forged, superseded or for no
		// registration, which only its signature tells apart.
		a.Unverified = true
		return &decision{}, nil
	case err != nil:
		a.Result, a.Reason, a.RegistrationID = checkin.Invalid, checkin.Unknown, 0
		return &decision{}, nil
	case sc.Kind == checkin.KindScan && gr.code != sc.Code:
		a.Result, a.Reason = checkin.Invalid, checkin.Superseded
		return d, nil
	}
	dr := checkin.Door{Session: sc.Door}
	if sc.Door != "" {
		dr.SignUp = ev.Session(sc.Door).Capacity != nil
	}
	a.Result = checkin.Decide(checkin.Registration{Status: gr.status, Seat: seat}, dr)
	if !standScan.Valid || a.Result != checkin.OK {
		return d, nil
	}
	// Admitted here before: the admission that stands is among the
	// guest's admissions (its time is its scan's).
	var admissions []rawAdmission
	if err := json.Unmarshal(gr.admissions, &admissions); err != nil {
		return nil, fmt.Errorf("admissions of %d: %w", gr.id, err)
	}
	i := slices.IndexFunc(admissions, func(ad rawAdmission) bool { return ad.Door == door })
	if i < 0 {
		return nil, fmt.Errorf("admissions of %d: none at door %d", gr.id, door)
	}
	st := admissions[i]
	prev := &checkin.Admitter{At: parseTime(st.At), Device: st.Device, Staff: st.Staff, Offline: st.Offline != 0}
	m := checkin.Merge(checkin.Standing{At: prev.At, Offline: prev.Offline}, checkin.Arrival{At: sc.At, Admitted: sc.Admitted})
	d.merged, d.standScan = &m, standScan.Int64
	a.Result, a.Duplicate, a.Previous = m.Result, m.Duplicate || m.DuplicateOther, prev
	return d, nil
}

// logged is what the scan's log entry says of the admission it met.
func (d *decision) logged() scanLogged {
	if d.merged == nil {
		return scanLogged{}
	}
	return scanLogged{duplicate: d.merged.Duplicate, firstScan: d.standScan}
}

// admitTx makes the admission a decided scan brought, once its log entry
// is written: one conditional insert, or (an earlier offline admission
// arriving) the standing admission replaced and marked a duplicate.
func (d *decision) admitTx(ctx context.Context, tx *writeTx, sc Scan, a *ScanAnswer, door int64) error {
	switch {
	case d.merged != nil && !d.merged.Replace:
		a.CheckedInAt = a.Previous.At // the admission that stands
		return nil
	case a.Result != checkin.OK:
		return nil
	case d.merged == nil:
		res, err := tx.ExecContext(ctx, "INSERT INTO checkins (registration_id, door, at, scan_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			a.RegistrationID, door, sc.at, a.ScanID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			// The writer read no admission here in this transaction.
			return cmp.Or(err, errors.New("an admission appeared during the scan"))
		}
	default:
		if _, err := tx.ExecContext(ctx, "UPDATE checkins SET at = ?, scan_id = ? WHERE registration_id = ? AND door = ?",
			sc.at, a.ScanID, a.RegistrationID, door); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE scans SET duplicate = 1, first_scan_id = ? WHERE id = ?", a.ScanID, d.standScan); err != nil {
			return err
		}
	}
	a.CheckedInAt = sc.At
	offline := 0
	if sc.Offline {
		offline = 1
	}
	d.guest.admit = &rawAdmission{Door: door, At: sc.at, Device: sc.Device, Staff: d.staff, Offline: offline}
	return nil
}

// undoTx takes back the admission of the answer's registration at a door,
// and logs the undo. Nothing to undo writes nothing (ErrNothingToUndo).
func undoTx(ctx context.Context, tx *writeTx, ev *Event, sc Scan, a *ScanAnswer, door int64) (*ScanAnswer, error) {
	if sc.Nonce != "" {
		if r, err := replay(ctx, tx, ev.ID, sc.Nonce); !errors.Is(err, sql.ErrNoRows) {
			return r, err
		}
	}
	if a.Result == "" {
		res, err := tx.ExecContext(ctx, "DELETE FROM checkins WHERE registration_id = ? AND door = ?", a.RegistrationID, door)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return a, checkin.ErrNothingToUndo
		}
		a.Result = checkin.Undone
	}
	id, err := logScan(ctx, tx, ev, sc, a, door, scanLogged{})
	a.ScanID = id
	return a, err
}

// replay answers a scan whose nonce was seen: the first answer, rebuilt
// from the scan log, and nothing written.
func replay(ctx context.Context, tx *writeTx, eventID int64, nonce string) (*ScanAnswer, error) {
	a := &ScanAnswer{Replayed: true}
	var reg, first sql.NullInt64
	var at string
	var duplicate bool
	err := tx.QueryRowContext(ctx, `SELECT id, registration_id, result, reason, duplicate, first_scan_id, scanned_at
		FROM scans WHERE event_id = ? AND nonce = ?`, eventID, nonce).Scan(&a.ScanID, &reg, &a.Result, &a.Reason,
		&duplicate, &first, &at)
	if err != nil {
		return nil, err
	}
	a.RegistrationID, a.Duplicate = reg.Int64, duplicate
	if !first.Valid {
		if a.Result == checkin.OK {
			a.CheckedInAt = parseTime(at)
		}
		return a, nil
	}
	if a.Previous, err = admitter(ctx, tx, first.Int64); err != nil {
		return nil, err
	}
	switch a.Result {
	case checkin.OK:
		// It stands, and made another admission a duplicate.
		a.CheckedInAt, a.Duplicate = parseTime(at), true
	case checkin.AlreadyCheckedIn:
		a.CheckedInAt = a.Previous.At
	}
	return a, nil
}

// admitter reads who made a scan.
func admitter(ctx context.Context, tx *writeTx, scanID int64) (*checkin.Admitter, error) {
	var ad checkin.Admitter
	var at string
	err := tx.QueryRowContext(ctx, `SELECT s.scanned_at, s.device, coalesce(u.name, ''), s.offline FROM scans s
		LEFT JOIN users u ON u.id = s.user_id WHERE s.id = ?`, scanID).Scan(&at, &ad.Device, &ad.Staff, &ad.Offline)
	if err != nil {
		return nil, err
	}
	ad.At = parseTime(at)
	return &ad, nil
}
