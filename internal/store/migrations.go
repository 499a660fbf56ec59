package store

import (
	"context"
	"fmt"

	foyer "github.com/foyer-events/foyer"
)

// How the schema changes, in one place:
//
//  1. Edit schema.sql, which is always the whole latest schema: a new
//     database gets it in one go.
//  2. Append a migration below with the next number, which brings a
//     database of the previous version to the same state (ALTER TABLE,
//     CREATE TABLE, CREATE INDEX, data changes).
//
// TestMigrationsMatchSchema upgrades a database of the first version and
// compares it with a new one, so a change made in one place only fails.
// Each migration runs in its own transaction and is recorded in
// schema_version. Never edit a migration that has shipped: append another.
// When another change took your number first, renumber yours.
var migrations = []migration{
	{1, "the first schema (schema.sql as released)", ""},
	{2, "check-in: the scan log, admissions per door, roster versions", migrationCheckIn},
	{3, "forms of address: registrations.salutation and title", `
		ALTER TABLE registrations ADD COLUMN salutation TEXT NOT NULL DEFAULT '' CHECK (salutation IN ('', 'ms', 'mr'));
		ALTER TABLE registrations ADD COLUMN title TEXT NOT NULL DEFAULT '' CHECK (title IN ('', 'dr', 'prof', 'prof_dr'));`},
	{4, "venue, tracks, speakers' organisations and job titles translatable: plain text becomes a JSON string", `
		UPDATE events SET venue_name = json_quote(venue_name) WHERE venue_name <> '';
		UPDATE events SET venue_address = json_quote(venue_address) WHERE venue_address <> '';
		UPDATE sessions SET track = json_quote(track) WHERE track <> '';
		UPDATE speakers SET organisation = json_quote(organisation) WHERE organisation <> '';
		UPDATE speakers SET job_title = json_quote(job_title) WHERE job_title <> '';`},
	{5, "the countries at the top of the registration form", `
		ALTER TABLE events ADD COLUMN focus_countries TEXT NOT NULL DEFAULT '[]';`},
	{6, "sign-in throttle: failed sign-ins and locked account names", `
		CREATE TABLE login_failures (email_key TEXT NOT NULL, at TEXT NOT NULL);
		CREATE INDEX login_failures_key ON login_failures (email_key, at);
		CREATE TABLE login_locks (
		    email_key    TEXT PRIMARY KEY,
		    user_id      INTEGER REFERENCES users(id) ON DELETE CASCADE,
		    failures     INTEGER NOT NULL,
		    locked_at    TEXT NOT NULL,
		    locked_until TEXT NOT NULL
		) WITHOUT ROWID;`},
	{7, "guests correct their details: a changed language also reaches the check-in roster", `
		DROP TRIGGER registrations_roster_update;
		CREATE TRIGGER registrations_roster_update AFTER UPDATE OF status, first_name, last_name, organisation, language ON registrations BEGIN
		    UPDATE registrations SET roster_seq = (SELECT max(roster_seq) FROM registrations WHERE event_id = NEW.event_id) + 1
		    WHERE id = NEW.id;
		END;`},
	{8, "repeat registrations resend their email at most every 15 minutes: registrations.repeat_mail_at", `
		ALTER TABLE registrations ADD COLUMN repeat_mail_at TEXT;`},
	{9, "registration kinds, search and sort for the organisers' table, the history of each registration", `
ALTER TABLE registrations ADD COLUMN kind TEXT NOT NULL DEFAULT 'attendee' CHECK (kind IN ('attendee', 'speaker', 'staff', 'press'));
ALTER TABLE registrations ADD COLUMN search TEXT NOT NULL DEFAULT '';
CREATE INDEX registrations_event ON registrations (event_id);
CREATE INDEX registrations_event_name ON registrations (event_id, last_name COLLATE NOCASE, first_name COLLATE NOCASE);
CREATE INDEX registrations_event_organisation ON registrations (event_id, organisation COLLATE NOCASE);
-- SQLite's lower() folds ASCII only; the search column of registrations
-- made from now on is folded in every script by foyer itself.
UPDATE registrations SET search = lower(first_name || ' ' || last_name || ' ' || last_name || first_name || ' ' ||
    last_name || ' ' || first_name || ' ' || email || ' ' || organisation);
-- What happened to a registration after it was made: status changes and
-- seats moved up from a session's waiting list (kept by the triggers below,
-- whoever made them), and edits by organisers or by the attendee. user_id
-- is the organiser who did it; NULL for the attendee or foyer itself. Times
-- in the triggers are written in the same fixed-width form as foyer's.
CREATE TABLE registration_history (
    id              INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    at              TEXT NOT NULL,
    action          TEXT NOT NULL CHECK (action IN ('status', 'seat', 'edit', 'sessions')),
    detail          TEXT NOT NULL DEFAULT '{}',  -- JSON: {"from":…, "to":…}, {"session":…}, {"fields":[…]}
    user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX registration_history_registration ON registration_history (registration_id, id);

CREATE TRIGGER registrations_history_status AFTER UPDATE OF status ON registrations
WHEN OLD.status <> NEW.status BEGIN
    INSERT INTO registration_history (registration_id, at, action, detail)
    VALUES (NEW.id, strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z', 'status', json_object('from', OLD.status, 'to', NEW.status));
END;
CREATE TRIGGER seats_history_update AFTER UPDATE OF status ON registration_sessions
WHEN OLD.status <> NEW.status BEGIN
    INSERT INTO registration_history (registration_id, at, action, detail)
    VALUES (NEW.registration_id, strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z', 'seat',
        json_object('session', NEW.session_id, 'from', OLD.status, 'to', NEW.status));
END;
`},
	{10, "the organiser's brand and legal pages, installation settings, stored images, reminder and retention days", `
ALTER TABLE events ADD COLUMN organiser TEXT NOT NULL DEFAULT '{}';
ALTER TABLE events ADD COLUMN reminder_days INTEGER NOT NULL DEFAULT 2;
ALTER TABLE events ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 180;
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE media (
    name         TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    data         BLOB NOT NULL,
    created_at   TEXT NOT NULL
);`},
	{11, "the audit log, which refuses changes and deletions; disabled accounts; anonymised registrations and purged events", `
ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE registrations ADD COLUMN anonymised_at TEXT;
ALTER TABLE events ADD COLUMN purged_at TEXT;CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    user_id  INTEGER,                         -- NULL: nobody signed in, or foyer itself
    actor    TEXT NOT NULL DEFAULT '',        -- the account's email at the time
    origin   TEXT NOT NULL DEFAULT '',        -- the client's address
    action   TEXT NOT NULL,
    event    TEXT NOT NULL DEFAULT '',        -- the event's slug; '' for the installation
    target   TEXT NOT NULL DEFAULT '',        -- what changed: registration:42, user:3, …
    changes  TEXT NOT NULL DEFAULT '{}',
    redacted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX audit_log_event ON audit_log (event, id);
CREATE INDEX audit_log_target ON audit_log (target);
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit log entries cannot be deleted');
END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (OLD.redacted = 0 AND NEW.redacted = 1 AND NEW.id = OLD.id AND NEW.at = OLD.at
    AND NEW.user_id IS OLD.user_id AND NEW.actor = OLD.actor AND NEW.origin = OLD.origin
    AND NEW.action = OLD.action AND NEW.event = OLD.event AND NEW.target = OLD.target) BEGIN
    SELECT RAISE(ABORT, 'audit log entries cannot be changed');
END;`},
	{12, "messages to attendees and reminders before the event: the messages table, two more kinds of email", `
ALTER TABLE events ADD COLUMN reminder_sent_at TEXT;
CREATE TABLE messages (
    id         INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    audience   TEXT NOT NULL DEFAULT '{}',
    recipients INTEGER NOT NULL,
    user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX messages_event ON messages (event_id, id);
-- SQLite cannot change a CHECK: the outbox is copied into a new table.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('confirmed', 'waitlisted', 'promoted', 'pending', 'approved', 'rejected', 'cancelled',
                                                  'reminder', 'message')),
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    message_id      INTEGER REFERENCES messages(id) ON DELETE CASCADE
);
INSERT INTO outbox_new (id, registration_id, kind, status, attempts, next_attempt_at, last_error, created_at, sent_at)
    SELECT id, registration_id, kind, status, attempts, next_attempt_at, last_error, created_at, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_registration ON outbox (registration_id, id);`},
	{13, "invitations to the team by email: the invitations table, the outbox for emails that belong to no registration, users.signed_in_at", `
ALTER TABLE users ADD COLUMN signed_in_at TEXT;
-- Accounts that have a browser session signed in at least once.
UPDATE users SET signed_in_at = (SELECT max(created_at) FROM web_sessions ws WHERE ws.user_id = users.id);
CREATE TABLE invitations (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    language   TEXT NOT NULL CHECK (language IN ('en', 'de', 'zh')),
    invited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    revoked_at TEXT
);
CREATE INDEX invitations_user ON invitations (user_id, id);
-- SQLite cannot change a column's NOT NULL or a CHECK: the outbox is copied
-- into a new table, every existing row with its registration.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    registration_id INTEGER REFERENCES registrations(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('confirmed', 'waitlisted', 'promoted', 'pending', 'approved', 'rejected', 'cancelled',
                                                  'reminder', 'message', 'invitation')),
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    message_id      INTEGER REFERENCES messages(id) ON DELETE CASCADE,
    invitation_id   INTEGER REFERENCES invitations(id) ON DELETE CASCADE,
    secret          TEXT,
    CHECK ((registration_id IS NULL) <> (invitation_id IS NULL))
);
INSERT INTO outbox_new (id, registration_id, kind, status, attempts, next_attempt_at, last_error, created_at, sent_at, message_id)
    SELECT id, registration_id, kind, status, attempts, next_attempt_at, last_error, created_at, sent_at, message_id FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_registration ON outbox (registration_id, id);
CREATE INDEX outbox_invitation ON outbox (invitation_id) WHERE invitation_id IS NOT NULL;`},
}

// migration is one numbered step of the schema.
type migration struct {
	version int
	about   string // what it changes, for the reader of this list
	sql     string
}

// latestVersion is the version of schema.sql.
func latestVersion() int { return migrations[len(migrations)-1].version }

// migrate applies schema.sql to a new database, or the migrations that an
// older one lacks; it refuses a database from a newer foyer.
func (s *Store) migrate(ctx context.Context) error {
	for i, m := range migrations {
		if m.version != i+1 {
			return fmt.Errorf("store: migration %d is numbered %d; number them 1, 2, 3, … in order", i+1, m.version)
		}
	}
	var exists int
	err := s.write.QueryRowContext(ctx,
		"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").Scan(&exists)
	if err != nil {
		return fmt.Errorf("store: read schema: %w", err)
	}
	if exists == 0 {
		err := s.tx(ctx, func(tx *writeTx) error {
			if _, err := tx.ExecContext(ctx, foyer.Schema); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
				latestVersion(), now())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: apply schema.sql: %w", err)
		}
		return nil
	}
	var version int
	if err := s.write.QueryRowContext(ctx, "SELECT max(version) FROM schema_version").Scan(&version); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if version > latestVersion() {
		return fmt.Errorf("store: database is at schema version %d, newer than this foyer (%d)", version, latestVersion())
	}
	for _, m := range migrations[version:] {
		err := s.tx(ctx, func(tx *writeTx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", m.version, now())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %d (%s): %w", m.version, m.about, err)
		}
	}
	return nil
}

// migrationCheckIn adds check-in: the scan log, who is in at which door,
// and the roster sequence that lets devices fetch only what changed.
const migrationCheckIn = `
ALTER TABLE registrations ADD COLUMN roster_seq INTEGER NOT NULL DEFAULT 0;
UPDATE registrations SET roster_seq = (SELECT count(*) FROM registrations r
    WHERE r.event_id = registrations.event_id AND r.id <= registrations.id);
CREATE INDEX registrations_roster ON registrations (event_id, roster_seq);

-- Every scan at a door, refused ones included, and every undo: who, which
-- device, when, and the answer. Never deleted; an undo is a scan of its own.
CREATE TABLE scans (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    registration_id INTEGER REFERENCES registrations(id) ON DELETE SET NULL, -- NULL: the code named none
    door            INTEGER NOT NULL DEFAULT 0,  -- 0: the entrance; else a session id
    kind            TEXT NOT NULL CHECK (kind IN ('scan', 'search', 'walk_in', 'undo')),
    result          TEXT NOT NULL,               -- ok, already_checked_in, invalid, …, undone
    reason          TEXT NOT NULL DEFAULT '',    -- why invalid: malformed, signature, unknown, superseded, no_code
    user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    device          TEXT NOT NULL DEFAULT '',
    nonce           TEXT,                        -- the device's id for this scan: a repeat is answered, not applied
    scanned_at      TEXT NOT NULL,               -- when the guest stood at the door (device time, corrected)
    received_at     TEXT NOT NULL,
    offline         INTEGER NOT NULL DEFAULT 0,  -- made while the device was offline, sent later
    -- An admission on an offline device of a guest who was also admitted
    -- elsewhere: the later of the two is marked.
    duplicate       INTEGER NOT NULL DEFAULT 0,
    first_scan_id   INTEGER,                     -- for already_checked_in: the scan that admitted
    note            TEXT NOT NULL DEFAULT ''     -- the reason given for admitting over capacity
);
CREATE UNIQUE INDEX scans_nonce ON scans (event_id, nonce) WHERE nonce IS NOT NULL;
CREATE INDEX scans_event ON scans (event_id, scanned_at);
CREATE INDEX scans_registration ON scans (registration_id);

-- Who is in: one row per registration and door, made by the admitting scan.
-- The primary key makes a check-in one conditional insert.
CREATE TABLE checkins (
    registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    door            INTEGER NOT NULL,            -- 0: the entrance; else a session id
    at              TEXT NOT NULL,               -- scanned_at of the admitting scan
    scan_id         INTEGER NOT NULL REFERENCES scans(id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (registration_id, door)
) WITHOUT ROWID;
CREATE INDEX checkins_door ON checkins (door, at);

CREATE TRIGGER sessions_delete_checkins AFTER DELETE ON sessions BEGIN
    DELETE FROM checkins WHERE door = OLD.id;
END;

-- roster_seq: the event's highest plus one, for every change a door shows.
CREATE TRIGGER registrations_roster_insert AFTER INSERT ON registrations BEGIN
    UPDATE registrations SET roster_seq = (SELECT max(roster_seq) FROM registrations WHERE event_id = NEW.event_id) + 1
    WHERE id = NEW.id;
END;
CREATE TRIGGER registrations_roster_update AFTER UPDATE OF status, first_name, last_name, organisation ON registrations BEGIN
    UPDATE registrations SET roster_seq = (SELECT max(roster_seq) FROM registrations WHERE event_id = NEW.event_id) + 1
    WHERE id = NEW.id;
END;
CREATE TRIGGER seats_roster_insert AFTER INSERT ON registration_sessions BEGIN
    UPDATE registrations SET roster_seq = (SELECT max(r.roster_seq) FROM registrations r WHERE r.event_id = registrations.event_id) + 1
    WHERE id = NEW.registration_id;
END;
CREATE TRIGGER seats_roster_update AFTER UPDATE OF status ON registration_sessions BEGIN
    UPDATE registrations SET roster_seq = (SELECT max(r.roster_seq) FROM registrations r WHERE r.event_id = registrations.event_id) + 1
    WHERE id = NEW.registration_id;
END;
CREATE TRIGGER seats_roster_delete AFTER DELETE ON registration_sessions BEGIN
    UPDATE registrations SET roster_seq = (SELECT max(r.roster_seq) FROM registrations r WHERE r.event_id = registrations.event_id) + 1
    WHERE id = OLD.registration_id;
END;
CREATE TRIGGER checkins_roster_insert AFTER INSERT ON checkins BEGIN
    UPDATE registrations SET roster_seq = (SELECT max(r.roster_seq) FROM registrations r WHERE r.event_id = registrations.event_id) + 1
    WHERE id = NEW.registration_id;
END;
CREATE TRIGGER checkins_roster_update AFTER UPDATE ON checkins BEGIN
    UPDATE registrations SET roster_seq = (SELECT max(r.roster_seq) FROM registrations r WHERE r.event_id = registrations.event_id) + 1
    WHERE id = NEW.registration_id;
END;
CREATE TRIGGER checkins_roster_delete AFTER DELETE ON checkins BEGIN
    UPDATE registrations SET roster_seq = (SELECT max(r.roster_seq) FROM registrations r WHERE r.event_id = registrations.event_id) + 1
    WHERE id = OLD.registration_id;
END;
`
