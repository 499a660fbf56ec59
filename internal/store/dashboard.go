package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// An event's figures for the organisers' dashboard, read in one snapshot.

// Count is how many registrations have one value of something.
type Count struct {
	Key string
	N   int
}

// SessionFill is a session that takes sign-ups: its seats taken, its
// waiting list and its capacity.
type SessionFill struct {
	ID         string
	Confirmed  int
	Waitlisted int
	Capacity   int
}

// Dashboard are an event's figures.
type Dashboard struct {
	// Hours counts the registrations made in each hour (UTC) that had
	// any, oldest first: registrations over time.
	Hours     []HourCount
	Total     int
	ByStatus  map[string]int
	ByCountry []Count // live registrations, most first; "" is no country given
	Sessions  []SessionFill
	// Answers counts the live registrations' answers to the question asked
	// for, by option value (yes/no questions: "yes", "no"), most first.
	Answers []Count
}

// HourCount is how many registrations were made in the hour from At.
type HourCount struct {
	At time.Time
	N  int
}

// Dashboard reads ev's figures. question is a choice, multiple-choice or
// yes/no question whose answers to count ("" for none).
func (s *Store) Dashboard(ctx context.Context, ev *Event, question string) (*Dashboard, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: dashboard: %w", err)
	}
	defer tx.Rollback()
	d := &Dashboard{}
	const live = "r.status IN ('pending', 'confirmed', 'waitlisted')"
	err = eachRow(ctx, tx, `SELECT substr(r.created_at, 1, 13), count(*) FROM registrations r
		WHERE r.event_id = ? GROUP BY 1 ORDER BY 1`, []any{ev.ID}, func(rows *sql.Rows) error {
		var hour string
		var h HourCount
		if err := rows.Scan(&hour, &h.N); err != nil {
			return err
		}
		h.At, _ = time.Parse("2006-01-02T15", hour)
		d.Hours = append(d.Hours, h)
		d.Total += h.N
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: dashboard: %w", err)
	}
	d.ByStatus, err = scanMap[string, int](ctx, tx, "SELECT r.status, count(*) FROM registrations r WHERE r.event_id = ? AND r.anonymised_at IS NULL GROUP BY 1",
		[]any{ev.ID})
	if err != nil {
		return nil, fmt.Errorf("store: dashboard: %w", err)
	}
	counts := func(query string, args []any, into *[]Count) error {
		return eachRow(ctx, tx, query, args, func(rows *sql.Rows) error {
			var c Count
			if err := rows.Scan(&c.Key, &c.N); err != nil {
				return err
			}
			*into = append(*into, c)
			return nil
		})
	}
	if err := counts(`SELECT r.country, count(*) FROM registrations r WHERE r.event_id = ? AND `+live+`
		GROUP BY 1 ORDER BY 2 DESC, 1`, []any{ev.ID}, &d.ByCountry); err != nil {
		return nil, fmt.Errorf("store: dashboard: %w", err)
	}
	waiting, err := scanMap[int64, int](ctx, tx, `SELECT rs.session_id, count(*) FROM registration_sessions rs JOIN sessions se ON se.id = rs.session_id
		WHERE se.event_id = ? AND rs.status = 'waitlisted' GROUP BY 1`, []any{ev.ID})
	if err != nil {
		return nil, fmt.Errorf("store: dashboard: %w", err)
	}
	for _, se := range ev.Sessions {
		if se.Capacity == nil {
			continue
		}
		f := SessionFill{ID: se.ID, Capacity: *se.Capacity, Waitlisted: waiting[ev.SessionIDs[se.ID]]}
		if err := tx.QueryRowContext(ctx, "SELECT confirmed FROM sessions WHERE id = ?", ev.SessionIDs[se.ID]).Scan(&f.Confirmed); err != nil {
			return nil, fmt.Errorf("store: dashboard: %w", err)
		}
		d.Sessions = append(d.Sessions, f)
	}
	if q := ev.Question(question); q != nil {
		path := `$."` + q.ID + `"`
		var query string
		switch q.Type {
		case "choice":
			query = `SELECT json_extract(r.answers, ?), count(*) FROM registrations r WHERE r.event_id = ? AND ` + live + `
				AND json_extract(r.answers, ?) IS NOT NULL GROUP BY 1 ORDER BY 2 DESC`
		case "multichoice":
			query = `SELECT a.value, count(*) FROM registrations r, json_each(r.answers, ?) a WHERE r.event_id = ? AND ` + live + `
				AND ? IS NOT NULL GROUP BY 1 ORDER BY 2 DESC`
		case "yesno":
			query = `SELECT iif(coalesce(json_extract(r.answers, ?), 0), 'yes', 'no'), count(*) FROM registrations r
				WHERE r.event_id = ? AND ` + live + ` AND ? IS NOT NULL GROUP BY 1 ORDER BY 2 DESC`
		}
		if query != "" {
			if err := counts(query, []any{path, ev.ID, path}, &d.Answers); err != nil {
				return nil, fmt.Errorf("store: dashboard: %w", err)
			}
		}
	}
	return d, nil
}
