package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/foyer-events/foyer/internal/programme"
)

// Installation settings: for now the defaults of every event's organiser
// block (name, logo, colour, legal pages), which pages without an event
// (the start page, sign-in) show as well.

const settingOrganiser = "organiser"

// organiserDefaults caches the defaults: every public page reads them.
// Only this process writes them, so a write drops the copy.
type organiserDefaults struct {
	mu      sync.Mutex
	loaded  bool
	value   *programme.Organiser
	version string
}

// OrganiserDefaults returns the installation's organiser defaults (never
// nil) and a version that changes whenever they do.
func (s *Store) OrganiserDefaults(ctx context.Context) (*programme.Organiser, string, error) {
	c := &s.defaults
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded {
		return c.value, c.version, nil
	}
	var value, updated string
	err := s.read.QueryRowContext(ctx, "SELECT value, updated_at FROM settings WHERE key = ?", settingOrganiser).Scan(&value, &updated)
	o := &programme.Organiser{}
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, "", fmt.Errorf("store: organiser defaults: %w", err)
	default:
		if err := json.Unmarshal([]byte(value), o); err != nil {
			return nil, "", fmt.Errorf("store: organiser defaults: %w", err)
		}
	}
	c.value, c.version, c.loaded = o, updated, true
	return o, updated, nil
}

// SetOrganiserDefaults stores the installation's organiser defaults. The
// caller has validated them; images given as data: URIs are stored and
// replaced by their address, like a programme's.
func (s *Store) SetOrganiserDefaults(ctx context.Context, o *programme.Organiser) error {
	images, err := takeImages(&programme.Event{Organiser: o})
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(tx *writeTx) error {
		for _, img := range images {
			if err := putMedia(ctx, tx, img); err != nil {
				return err
			}
		}
		var old programme.Organiser
		var value string
		err := tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", settingOrganiser).Scan(&value)
		if err == nil {
			json.Unmarshal([]byte(value), &old)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			settingOrganiser, jsonText(o), now())
		if err != nil {
			return err
		}
		return tx.audit(ctx, AuditSettings, "", "settings:organiser", trimChanges(diff(old, o)))
	})
	s.defaults.mu.Lock()
	s.defaults.loaded = false
	s.defaults.mu.Unlock()
	if err != nil {
		return fmt.Errorf("store: set organiser defaults: %w", err)
	}
	return nil
}
