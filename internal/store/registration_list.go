package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/foyer-events/foyer/internal/registration"
)

// Lists of registrations: the organisers' table, the API's list and the
// attendee exports, all selected by one registration.Filter.

// Filter selects registrations in a list.
type Filter = registration.Filter

// listColumns are registrationColumns for a list of one event, read
// without a join: the event's slug is the query's first argument, and the
// manage token, a secret no list shows, is left empty. The session seats
// follow, as "sessionrowid:status" pairs joined by commas, and the time of
// the check-in at the entrance, so that an export reads each registration
// with one row and no query per row.
var listColumns = strings.NewReplacer("e.slug", "?", "r.manage_token", "''").Replace(registrationColumns) + `,
	(SELECT group_concat(rs.session_id || ':' || rs.status) FROM registration_sessions rs WHERE rs.registration_id = r.id),
	(SELECT c.at FROM checkins c WHERE c.registration_id = r.id AND c.door = 0)`

// filterSQL turns f into the condition on registrations r of ev, with its
// arguments.
func filterSQL(ev *Event, f Filter) (string, []any) {
	// Anonymised registrations count in the figures but are no longer
	// anybody: no list or export shows them.
	where := []string{"r.event_id = ?", "r.anonymised_at IS NULL"}
	args := []any{ev.ID}
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if f.Status != "" {
		add("r.status = ?", f.Status)
	}
	if f.Session != "" {
		add("r.id IN (SELECT registration_id FROM registration_sessions WHERE session_id = ?)", ev.SessionIDs[f.Session])
	}
	if f.Country != "" {
		add("r.country = ?", f.Country)
	}
	if f.Kind != "" {
		add("r.kind = ?", f.Kind)
	}
	if f.CheckedIn != nil {
		add(checkedInSQL(*f.CheckedIn))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		for _, word := range strings.Fields(q) {
			add("r.search LIKE ? ESCAPE '\\'", "%"+likeEscape(registration.SearchKey(word))+"%")
		}
	}
	for _, id := range slices.Sorted(mapKeys(f.Answers)) {
		q := ev.Question(id)
		if q == nil {
			continue
		}
		path, value := `$."`+id+`"`, f.Answers[id]
		switch q.Type {
		case "choice":
			add("json_extract(r.answers, ?) = ?", path, value)
		case "multichoice":
			add("EXISTS (SELECT 1 FROM json_each(r.answers, ?) WHERE value = ?)", path, value)
		case "yesno":
			// An unticked box is stored as no answer at all.
			add("coalesce(json_extract(r.answers, ?), 0) = ?", path, value == "yes")
		default:
			add("json_extract(r.answers, ?) LIKE ? ESCAPE '\\'", path, "%"+likeEscape(value)+"%")
		}
	}
	if len(f.IDs) > 0 {
		in := make([]any, len(f.IDs))
		for i, id := range f.IDs {
			in[i] = id
		}
		add("r.id IN ("+placeholders(len(in))+")", in...)
	}
	return strings.Join(where, " AND "), args
}

// checkedInSQL is the condition of the checked_in filter: admitted at the
// entrance (checkedInCondition), or not.
func checkedInSQL(checkedIn bool) string {
	if checkedIn {
		return checkedInCondition
	}
	return "NOT " + checkedInCondition
}

// orderSQL is the ORDER BY of f's sort; the id last makes it total, so
// that pages never repeat or skip a row.
func orderSQL(f Filter) string {
	var cols []string
	switch f.Sort {
	case "name":
		cols = []string{"r.last_name COLLATE NOCASE", "r.first_name COLLATE NOCASE"}
	case "organisation":
		cols = []string{"r.organisation COLLATE NOCASE"}
	case "country":
		cols = []string{"r.country"}
	case "status":
		// Within a status, the order of its queue: a waiting list in the
		// order in which it moves up.
		cols = []string{"r.status", "r.queued_at"}
	}
	cols = append(cols, "r.id")
	if f.Desc {
		for i := range cols {
			cols[i] += " DESC"
		}
	}
	return strings.Join(cols, ", ")
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// CountRegistrations returns how many registrations of ev f selects,
// ignoring its limit and offset.
func (s *Store) CountRegistrations(ctx context.Context, ev *Event, f Filter) (int, error) {
	cond, args := filterSQL(ev, f)
	var n int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM registrations r WHERE "+cond, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count registrations: %w", err)
	}
	return n, nil
}

// ListRegistrations returns a page of an event's registrations in f's order
// (100 when f sets no limit), with their last email, and the total that
// match the filter.
func (s *Store) ListRegistrations(ctx context.Context, ev *Event, f Filter) ([]*registration.Registration, int, error) {
	total, err := s.CountRegistrations(ctx, ev, f)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	regs := []*registration.Registration{}
	err = s.EachRegistration(ctx, ev, f, func(r *registration.Registration) error {
		regs = append(regs, r)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return regs, total, s.fillMail(ctx, regs)
}

// exportCacheKiB is the page cache of the connection that reads a whole
// list. An export reads every row once, so a bigger cache only holds pages
// that will not be read again, and the server's memory would grow with the
// list (up to the 32 MiB each connection may otherwise keep).
const exportCacheKiB = 2048

// EachRegistration calls fn with every registration of ev that f selects,
// in f's order, f.Limit and f.Offset applied when set. The rows come from
// one read transaction, a consistent picture however long fn takes, and
// only a few hundred are in memory at a time: exports of any size run in
// the same memory. An error from fn stops the reading and is returned.
//
// Registrations come with their seats and the time of their check-in at
// the entrance, not their last email.
func (s *Store) EachRegistration(ctx context.Context, ev *Event, f Filter, fn func(*registration.Registration) error) error {
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: list registrations: %w", err)
	}
	defer conn.Close()
	whole := f.Limit <= 0 || f.Limit > 1000
	if whole {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", exportCacheKiB)); err != nil {
			return fmt.Errorf("store: list registrations: %w", err)
		}
		// The connection goes back to the pool with its usual cache.
		defer conn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA cache_size = -%d", readerCacheKiB))
	}
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: list registrations: %w", err)
	}
	defer tx.Rollback()

	if f.Limit > 0 {
		// A page: its ids first, from the indexes alone where they can,
		// then its rows; a sort then never reads whole rows it drops.
		if f, err = pageIDs(ctx, tx, ev, f); err != nil {
			return fmt.Errorf("store: list registrations: %w", err)
		}
		if len(f.IDs) == 0 {
			return nil
		}
	}
	cond, args := filterSQL(ev, f)
	// The rows are read without ctx: go-sqlite3 steps a query whose
	// context can end in a goroutine of its own, one per row, which cost
	// an export of 100,000 rows a third of its time. An ended ctx (the
	// client went away) is noticed every few hundred rows instead.
	rows, err := tx.QueryContext(context.WithoutCancel(ctx), "SELECT "+listColumns+" FROM registrations r WHERE "+cond+" ORDER BY "+orderSQL(f),
		append([]any{ev.Slug}, args...)...)
	if err != nil {
		return fmt.Errorf("store: list registrations: %w", err)
	}
	defer rows.Close()
	seats := newSeatReader(ev)
	var pairs, checkedIn sql.NullString
	scanner := newRegistrationScanner(&pairs, &checkedIn)
	read := func() (*registration.Registration, error) {
		r, err := scanner.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list registrations: %w", err)
		}
		r.Sessions = seats.read(pairs.String)
		if checkedIn.Valid {
			at := parseTime(checkedIn.String)
			r.CheckedInAt = &at
		}
		return r, nil
	}
	if whole {
		return readAhead(ctx, rows, read, fn)
	}
	for rows.Next() {
		r, err := read()
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: list registrations: %w", err)
	}
	return nil
}

// pageIDs returns a filter that selects, in the same order, the ids of
// the page f asks for.
func pageIDs(ctx context.Context, tx *sql.Tx, ev *Event, f Filter) (Filter, error) {
	cond, args := filterSQL(ev, f)
	ids, err := scanRows(ctx, tx, "SELECT r.id FROM registrations r WHERE "+cond+" ORDER BY "+orderSQL(f)+" LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset), scanID)
	if err != nil {
		return f, err
	}
	return Filter{Sort: f.Sort, Desc: f.Desc, IDs: ids}, nil
}

// seatReader turns the seat pairs of listColumns into seats in the order of
// the programme.
type seatReader struct {
	keys     map[int64]string
	position map[string]int
}

func newSeatReader(ev *Event) *seatReader {
	sr := &seatReader{keys: ev.sessionKeys(), position: map[string]int{}}
	for i, se := range ev.Sessions {
		sr.position[se.ID] = i
	}
	return sr
}

func (sr *seatReader) read(pairs string) []registration.Seat {
	seats := []registration.Seat{}
	for _, pair := range strings.Split(pairs, ",") {
		id, status, ok := strings.Cut(pair, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(id, 10, 64)
		if key, ok := sr.keys[n]; ok {
			seats = append(seats, registration.Seat{ID: key, Status: status})
		}
	}
	slices.SortFunc(seats, func(a, b registration.Seat) int { return sr.position[a.ID] - sr.position[b.ID] })
	return seats
}
