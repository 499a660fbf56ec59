-- foyer's database, the whole latest schema, applied to an empty database.
-- An existing database is brought to the same state by the numbered
-- migrations in internal/store/migrations.go, recorded in schema_version: a
-- change here needs a migration there (a test compares the two).
-- Times are UTC text of fixed width with microseconds
-- (2027-04-13T07:00:00.000000Z), so that comparing the text orders them;
-- translated text is a JSON object keyed by language
-- ({"en": "…", "de": "…", "zh": "…"}).

CREATE TABLE schema_version (
    version    INTEGER PRIMARY KEY,
    applied_at TEXT NOT NULL
);

-- Accounts: staff, organisers and admins. Attendees have no account.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'organiser', 'staff')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    -- A disabled account signs in no more and its tokens stop working; it
    -- stays, as the audit log and check-ins name it.
    disabled_at   TEXT,
    signed_in_at  TEXT                        -- the last sign-in; NULL for an account never used
);

-- API tokens, stored as SHA-256 of the token: a leaked database leaks no token.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT                         -- to the minute; NULL until first used
);

-- Invitations to set a first password, sent by email: the link's token is
-- stored as its SHA-256, valid until expires_at and good for one use. A new
-- invitation to the same account ends the open ones (revoked_at).
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

-- Browser sessions, keyed by the SHA-256 of the cookie value.
CREATE TABLE web_sessions (
    id         TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- Failed sign-ins per account name (the email as typed, trimmed and
-- lower-cased), kept for the throttle's window. Too many within it lock the
-- name for a while, whichever addresses the attempts come from. Names that
-- are no account are counted alike, so the answers tell nobody which
-- accounts exist.
CREATE TABLE login_failures (
    email_key TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (email_key, at);

-- Names locked by the throttle, shown to admins; user_id is NULL for a
-- name that is no account.
CREATE TABLE login_locks (
    email_key    TEXT PRIMARY KEY,
    user_id      INTEGER REFERENCES users(id) ON DELETE CASCADE,
    failures     INTEGER NOT NULL,
    locked_at    TEXT NOT NULL,
    locked_until TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE events (
    id               INTEGER PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,             -- translated
    subtitle         TEXT NOT NULL DEFAULT '{}',
    description      TEXT NOT NULL DEFAULT '{}',
    venue_name       TEXT NOT NULL DEFAULT '',  -- translated, or a JSON string for all languages
    venue_address    TEXT NOT NULL DEFAULT '',  -- as venue_name
    timezone         TEXT NOT NULL,
    starts_at        TEXT NOT NULL,
    ends_at          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    capacity         INTEGER,                   -- NULL: unlimited
    default_language TEXT NOT NULL CHECK (default_language IN ('en', 'de', 'zh')),
    reg_mode         TEXT NOT NULL DEFAULT 'open' CHECK (reg_mode IN ('open', 'approval')),
    reg_opens_at     TEXT,
    reg_closes_at    TEXT,
    waitlist         INTEGER NOT NULL DEFAULT 1,
    privacy_version  TEXT NOT NULL DEFAULT '1',
    privacy_text     TEXT NOT NULL DEFAULT '{}', -- translated
    -- Ed25519 key pair that signs this event's tickets. The private key never
    -- leaves the server; the public key goes to check-in devices.
    ticket_private_key BLOB NOT NULL,
    ticket_public_key  BLOB NOT NULL,
    confirmed        INTEGER NOT NULL DEFAULT 0, -- kept by the triggers below
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    -- Countries at the top of the registration form's list: a JSON array
    -- of ISO 3166 codes (["DE", "CN"]).
    focus_countries  TEXT NOT NULL DEFAULT '[]',
    -- Who runs the event as guests see it (programme.Organiser as JSON:
    -- name, contact, logo, colour, imprint and privacy policy); gaps are
    -- filled from the installation's defaults in settings.
    organiser        TEXT NOT NULL DEFAULT '{}',
    -- Days before the start that confirmed guests get a reminder with
    -- their ticket (0: none), and days after the end that their personal
    -- data is kept before organisers are reminded to remove it.
    reminder_days    INTEGER NOT NULL DEFAULT 2,
    retention_days   INTEGER NOT NULL DEFAULT 180,
    -- When the personal data of all its guests was removed.
    purged_at        TEXT,
    -- When the reminders before the event were queued; cleared when the
    -- event moves, so that guests are reminded of the new date.
    reminder_sent_at TEXT
);

-- Settings of the installation, one JSON value per key: "organiser" holds
-- the defaults of every event's organiser block.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- Images foyer stores itself (speaker photos, logos, favicons), scaled and
-- stripped of metadata by internal/media, named by the hash of their bytes
-- and served at /media/NAME. Kept in the database so that a backup holds
-- them and a programme and its images commit together.
CREATE TABLE media (
    name         TEXT PRIMARY KEY,            -- hash and extension: 3f9a….jpg
    content_type TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    data         BLOB NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE rooms (
    id       INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    slug     TEXT NOT NULL,
    name     TEXT NOT NULL,                     -- translated
    capacity INTEGER,
    position INTEGER NOT NULL,
    UNIQUE (event_id, slug)
);

CREATE TABLE speakers (
    id           INTEGER PRIMARY KEY,
    event_id     INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,                 -- the id in programme JSON
    name         TEXT NOT NULL,
    native_name  TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',      -- translated, or a JSON string for all languages
    job_title    TEXT NOT NULL DEFAULT '',      -- as organisation
    country      TEXT NOT NULL DEFAULT '',
    bio          TEXT NOT NULL DEFAULT '{}',    -- translated
    photo        TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',      -- never shown publicly
    position     INTEGER NOT NULL,
    UNIQUE (event_id, key)
);

CREATE TABLE sessions (
    id        INTEGER PRIMARY KEY,
    event_id  INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,                    -- the id in programme JSON
    kind      TEXT NOT NULL CHECK (kind IN ('keynote', 'panel', 'talk', 'workshop', 'break', 'networking')),
    room_id   INTEGER REFERENCES rooms(id) ON DELETE RESTRICT,
    track     TEXT NOT NULL DEFAULT '',         -- translated, or a JSON string for all languages
    language  TEXT NOT NULL DEFAULT '',
    capacity  INTEGER,                          -- NULL: no sign-up needed
    starts_at TEXT NOT NULL,
    ends_at   TEXT NOT NULL,
    title     TEXT NOT NULL,                    -- translated
    abstract  TEXT NOT NULL DEFAULT '{}',       -- translated
    position  INTEGER NOT NULL,
    confirmed INTEGER NOT NULL DEFAULT 0,       -- kept by the triggers below
    UNIQUE (event_id, key)
);

CREATE TABLE session_speakers (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    speaker_id INTEGER NOT NULL REFERENCES speakers(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('speaker', 'moderator', 'panellist', 'chair', 'host')),
    position   INTEGER NOT NULL,
    PRIMARY KEY (session_id, speaker_id)
);

-- Custom registration questions. options is a JSON array of
-- {"value": "…", "label": {translated}}.
CREATE TABLE questions (
    id       INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    type     TEXT NOT NULL CHECK (type IN ('text', 'choice', 'multichoice', 'yesno')),
    required INTEGER NOT NULL DEFAULT 0,
    label    TEXT NOT NULL,                     -- translated
    options  TEXT NOT NULL DEFAULT '[]',
    position INTEGER NOT NULL,
    UNIQUE (event_id, key)
);

CREATE TABLE registrations (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL REFERENCES events(id) ON DELETE RESTRICT,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'waitlisted', 'rejected', 'cancelled')),
    first_name      TEXT NOT NULL,
    last_name       TEXT NOT NULL,
    email           TEXT NOT NULL,              -- as typed
    email_key       TEXT NOT NULL,              -- NFC, case-folded: the duplicate check
    organisation    TEXT NOT NULL DEFAULT '',
    job_title       TEXT NOT NULL DEFAULT '',
    country         TEXT NOT NULL DEFAULT '',
    language        TEXT NOT NULL CHECK (language IN ('en', 'de', 'zh')),
    answers         TEXT NOT NULL DEFAULT '{}', -- {question key: value}
    consent_at      TEXT NOT NULL,
    consent_version TEXT NOT NULL,
    ticket_code     TEXT NOT NULL UNIQUE,       -- signed, holds no personal data
    manage_token    TEXT NOT NULL UNIQUE,       -- separate secret for the manage link
    -- Queue position: waitlisted registrations are promoted in this order.
    queued_at       TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    -- Check-in devices keep a copy of the guest list and ask for the changes
    -- since the last roster_seq they saw; triggers below raise it on every
    -- change a door needs to know about.
    roster_seq      INTEGER NOT NULL DEFAULT 0,
    -- Form of address for letters ("Sehr geehrte Frau Dr. …"); '' when not
    -- given. Last, where migration 3 added them.
    salutation      TEXT NOT NULL DEFAULT '' CHECK (salutation IN ('', 'ms', 'mr')),
    title           TEXT NOT NULL DEFAULT '' CHECK (title IN ('', 'dr', 'prof', 'prof_dr')),
    -- When registering again with the same address last sent the email
    -- again; it is sent at most once per registration.RepeatMailInterval.
    repeat_mail_at  TEXT,
    -- What the person is at the event, for badges and lists; set by
    -- organisers. This and search last, where migration 9 added them.
    kind            TEXT NOT NULL DEFAULT 'attendee' CHECK (kind IN ('attendee', 'speaker', 'staff', 'press')),
    -- Names, email and organisation case-folded (registration.SearchText):
    -- what the organisers' search looks in.
    search          TEXT NOT NULL DEFAULT '',
    -- When its personal data was removed (on request, or with the event's
    -- after its retention period): names, address, organisation, answers
    -- are gone, the status, seats and check-ins stay for the figures.
    -- Lists and exports leave it out.
    anonymised_at   TEXT
);

-- One live registration per email and event, enforced by the database.
CREATE UNIQUE INDEX registrations_live_email
    ON registrations (event_id, email_key)
    WHERE status IN ('pending', 'confirmed', 'waitlisted');
CREATE INDEX registrations_event_status ON registrations (event_id, status, queued_at);
CREATE INDEX registrations_roster ON registrations (event_id, roster_seq);
-- The organisers' table a page at a time: in the order of registration (the
-- rowid), by name or by organisation.
CREATE INDEX registrations_event ON registrations (event_id);
CREATE INDEX registrations_event_name ON registrations (event_id, last_name COLLATE NOCASE, first_name COLLATE NOCASE);
CREATE INDEX registrations_event_organisation ON registrations (event_id, organisation COLLATE NOCASE);

-- Session sign-ups of a registration: each seat confirmed or waitlisted.
CREATE TABLE registration_sessions (
    registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    session_id      INTEGER NOT NULL REFERENCES sessions(id) ON DELETE RESTRICT,
    status          TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted')),
    queued_at       TEXT NOT NULL,
    PRIMARY KEY (registration_id, session_id)
);
CREATE INDEX registration_sessions_queue ON registration_sessions (session_id, status, queued_at);

-- Confirmed places, counted by the database itself: every capacity check
-- reads one number instead of counting rows, whatever the change that moved
-- a registration or a seat in or out of "confirmed".
CREATE TRIGGER registrations_confirmed_insert AFTER INSERT ON registrations
WHEN NEW.status = 'confirmed' BEGIN
    UPDATE events SET confirmed = confirmed + 1 WHERE id = NEW.event_id;
END;
CREATE TRIGGER registrations_confirmed_update AFTER UPDATE OF status ON registrations
WHEN (OLD.status = 'confirmed') <> (NEW.status = 'confirmed') BEGIN
    UPDATE events SET confirmed = confirmed + iif(NEW.status = 'confirmed', 1, -1) WHERE id = NEW.event_id;
END;
CREATE TRIGGER registrations_confirmed_delete AFTER DELETE ON registrations
WHEN OLD.status = 'confirmed' BEGIN
    UPDATE events SET confirmed = confirmed - 1 WHERE id = OLD.event_id;
END;
CREATE TRIGGER seats_confirmed_insert AFTER INSERT ON registration_sessions
WHEN NEW.status = 'confirmed' BEGIN
    UPDATE sessions SET confirmed = confirmed + 1 WHERE id = NEW.session_id;
END;
CREATE TRIGGER seats_confirmed_update AFTER UPDATE OF status ON registration_sessions
WHEN (OLD.status = 'confirmed') <> (NEW.status = 'confirmed') BEGIN
    UPDATE sessions SET confirmed = confirmed + iif(NEW.status = 'confirmed', 1, -1) WHERE id = NEW.session_id;
END;
CREATE TRIGGER seats_confirmed_delete AFTER DELETE ON registration_sessions
WHEN OLD.status = 'confirmed' BEGIN
    UPDATE sessions SET confirmed = confirmed - 1 WHERE id = OLD.session_id;
END;

-- Emails organisers write to a group of an event's attendees: subject and
-- body translated, the audience as chosen ({"status", "session",
-- "checked_in"}), and how many it went to. Each recipient's copy is a row
-- of the outbox.
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

-- Outgoing email, written in the same transaction as the change that causes
-- it, and sent by the mail worker. Nothing is lost on a crash or SMTP outage.
-- kind is registration.Mail*: the registration's own emails, the reminder
-- before the event, and a message of the organisers (message_id); or an
-- invitation to the team (invitation_id), whose link's token waits in
-- secret until the email is sent or given up, and is cleared then.
CREATE TABLE outbox (
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
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
-- The last email of a registration, shown to organisers.
CREATE INDEX outbox_registration ON outbox (registration_id, id);
CREATE INDEX outbox_invitation ON outbox (invitation_id) WHERE invitation_id IS NOT NULL;

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
-- The language is among them: it decides the order of the name at the door.
CREATE TRIGGER registrations_roster_update AFTER UPDATE OF status, first_name, last_name, organisation, language ON registrations BEGIN
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
-- The audit log: every change made by an organiser or admin, and failed
-- sign-ins, with who, when, from which address and the values before and
-- after (changes: {"field": {"before": …, "after": …}}). Written in the
-- transaction of the change. foyer never changes or deletes an entry; the
-- one exception is removing an anonymised attendee's personal data from
-- the entries about them, which marks the entry redacted. user_id keeps no
-- foreign key: an entry outlives anything it names.
CREATE TABLE audit_log (
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
END;
