//! Migrations 4 to 11: claims, sessions, bank-detail changes, the desk's search, rows to
//! handle, the crisis cell.

pub(super) const MIGRATIONS: &[&str] = &[
    // 4: claims in a table of their own, keyed (right, month). `prepare` reads rights in key
    // order and inserts claims in that order, so the key b-tree grows at its end; an index of
    // `run_lines` filled in payee order took a random page per line (2,000,000 rights: most of
    // the preparation's time). `run_lines.claim` stays as information only.
    r#"
CREATE TABLE run_claims (
    right_id TEXT NOT NULL,
    month    TEXT NOT NULL,
    run_id   TEXT NOT NULL REFERENCES runs (id),
    PRIMARY KEY (right_id, month)
) WITHOUT ROWID;
INSERT INTO run_claims (right_id, month, run_id)
    SELECT right_id, claim, run_id FROM run_lines WHERE claim IS NOT NULL ORDER BY right_id, claim;
DROP INDEX run_lines_claims;
DROP TRIGGER run_lines_claim_not_in_history;
CREATE TRIGGER run_claims_not_in_history BEFORE INSERT ON run_claims
WHEN EXISTS (SELECT 1 FROM past_payments p WHERE p.right_id = NEW.right_id AND p.month = NEW.month)
BEGIN SELECT RAISE(ABORT, 'right already paid for this month in the imported history'); END;
CREATE TRIGGER run_claims_fixed BEFORE UPDATE ON run_claims
BEGIN SELECT RAISE(ABORT, 'claims never change'); END;
-- Only cancelling a prepared run frees its claims (the run is still prepared when it does).
CREATE TRIGGER run_claims_kept BEFORE DELETE ON run_claims
WHEN (SELECT status FROM runs WHERE id = OLD.run_id) <> 'prepared'
BEGIN SELECT RAISE(ABORT, 'claims of a validated or cancelled run are never freed'); END;
"#,
    // 5: web sessions. The browser holds a random token; only its SHA-256 is kept here.
    r#"
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    login        TEXT NOT NULL REFERENCES users (login),
    csrf         TEXT NOT NULL,
    opened_at    INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_login ON sessions (login);

-- The words of each person's names, folded (accents and case ignored), for the desk search:
-- a prefix of any word finds the person through `person_words_by_word` (an import index).
CREATE TABLE person_words (
    word    TEXT NOT NULL,
    dossier TEXT NOT NULL
);
"#,
    // 6: changes of bank details asked at the desk, with the proof seen. The payee keeps its
    // IBAN until another agent approves: no run can use a pending change.
    r#"
CREATE TABLE bank_change_requests (
    id           INTEGER PRIMARY KEY,
    payee_id     TEXT NOT NULL,
    dossier      TEXT NOT NULL,
    iban         TEXT NOT NULL,
    bic          TEXT NOT NULL,
    holder       TEXT NOT NULL,
    proof        TEXT NOT NULL CHECK (length(trim(proof)) > 0),
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'refused')),
    decided_by   TEXT,
    decided_at   TEXT,
    CHECK (decided_by IS NULL OR decided_by <> requested_by)
);
CREATE INDEX bank_change_requests_pending ON bank_change_requests (status, id);
CREATE TRIGGER bank_change_requests_decided_once BEFORE UPDATE ON bank_change_requests
WHEN OLD.status <> 'pending' OR NEW.iban IS NOT OLD.iban OR NEW.payee_id IS NOT OLD.payee_id
  OR NEW.requested_by IS NOT OLD.requested_by
BEGIN SELECT RAISE(ABORT, 'a decided request, and what was asked, never change'); END;
CREATE TRIGGER bank_change_requests_kept BEFORE DELETE ON bank_change_requests
BEGIN SELECT RAISE(ABORT, 'requests are never deleted'); END;

-- Contacts with a person logged at the desk (visit, phone call, letter): never changed.
CREATE TABLE contacts (
    id        INTEGER PRIMARY KEY,
    dossier   TEXT NOT NULL,
    channel   TEXT NOT NULL CHECK (channel IN ('visite', 'telephone', 'courrier', 'courriel')),
    note      TEXT NOT NULL CHECK (length(trim(note)) > 0),
    agent     TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX contacts_by_dossier ON contacts (dossier, id);
CREATE TRIGGER contacts_no_update BEFORE UPDATE ON contacts
BEGIN SELECT RAISE(ABORT, 'contacts are never changed'); END;
CREATE TRIGGER contacts_no_delete BEFORE DELETE ON contacts
BEGIN SELECT RAISE(ABORT, 'contacts are never deleted'); END;
"#,
    // 7: the desk search checks a person's other words by file (an import index too).
    r#"
CREATE INDEX IF NOT EXISTS person_words_by_dossier ON person_words (dossier, word);
"#,
    // 8: the desk search moves to a full-text index (SQLite FTS5) of each person's folded
    // names: a query intersects the people of every word beginning inside the index (prefix
    // indexes of 1 to 4 characters), instead of checking each candidate's other words one by
    // one. Only the document's presence is kept (`detail=none`): the search needs no positions.
    r#"
DROP INDEX IF EXISTS person_words_by_word;
DROP INDEX IF EXISTS person_words_by_dossier;
DROP TABLE person_words;
CREATE VIRTUAL TABLE person_names USING fts5(
    words, dossier UNINDEXED,
    detail = none, prefix = '1 2 3 4', tokenize = 'unicode61 remove_diacritics 0'
);
"#,
    // 9: a deposit may name the file of the person it concerns (shown on the person's page);
    // the register is read by day of receipt and by kind (the dashboard, the courrier screen).
    r#"
ALTER TABLE deposits ADD COLUMN dossier TEXT;
CREATE INDEX deposits_by_dossier ON deposits (dossier, year, seq) WHERE dossier IS NOT NULL;
CREATE INDEX deposits_by_day ON deposits (received_on, kind);
CREATE INDEX deposits_by_kind ON deposits (kind, received_on);
"#,
    // 10: what became of rows rejected at import, handled by hand. Tied to the row's file and
    // content (not its id, which a new import renumbers).
    r#"
CREATE TABLE pending_outcomes (
    file       TEXT NOT NULL,
    raw        TEXT NOT NULL,
    outcome    TEXT NOT NULL
               CHECK (outcome IN ('corrige_a_la_source', 'traite_a_la_main', 'sans_suite')),
    note       TEXT NOT NULL CHECK (length(trim(note)) > 0),
    handled_by TEXT NOT NULL,
    handled_at TEXT NOT NULL,
    PRIMARY KEY (file, raw)
) WITHOUT ROWID;
"#,
    // 11: the crisis cell (relais_store::crisis). The main courante is append-only like the
    // journal: each entry is written with its journal event (`journal_seq`), whose payload
    // repeats the entry, so that `relais journal verify` also catches an entry edited or
    // removed behind the triggers' back. Facts, notifications, status changes and public
    // messages keep every revision; only systems and tasks change in place, journaled.
    r#"
CREATE TABLE courante (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    author      TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('decision', 'action', 'information', 'communication')),
    text        TEXT NOT NULL CHECK (length(trim(text)) > 0),
    corrects    INTEGER REFERENCES courante (id) CHECK (corrects IS NULL OR corrects < id),
    system_id   TEXT,
    site_code   TEXT,
    document    TEXT CHECK (document IS NULL OR (length(document) = 64
                            AND NOT document GLOB '*[^0-9a-f]*')),
    journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal (seq)
);
CREATE TRIGGER courante_no_update BEFORE UPDATE ON courante
BEGIN SELECT RAISE(ABORT, 'the main courante is append-only'); END;
CREATE TRIGGER courante_no_delete BEFORE DELETE ON courante
BEGIN SELECT RAISE(ABORT, 'the main courante is append-only'); END;

CREATE TABLE incident_facts (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('debut', 'detection', 'prise_de_connaissance',
                                              'confinement', 'plainte', 'anssi', 'rancon')),
    at          TEXT,
    estimate    INTEGER NOT NULL DEFAULT 0 CHECK (estimate IN (0, 1)),
    place       TEXT,
    reference   TEXT,
    answer      INTEGER CHECK (answer IS NULL OR answer IN (0, 1)),
    note        TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TRIGGER incident_facts_no_update BEFORE UPDATE ON incident_facts
BEGIN SELECT RAISE(ABORT, 'a fact is revised by a new row, never changed'); END;
CREATE TRIGGER incident_facts_no_delete BEFORE DELETE ON incident_facts
BEGIN SELECT RAISE(ABORT, 'every revision of a fact is kept'); END;

-- Notifications of the personal-data breach to the CNIL (RGPD art. 33).
CREATE TABLE cnil_notifications (
    id                INTEGER PRIMARY KEY,
    kind              TEXT NOT NULL CHECK (kind IN ('initiale', 'complementaire')),
    nature            TEXT NOT NULL,
    people_categories TEXT NOT NULL,
    people_count      INTEGER NOT NULL CHECK (people_count >= 0),
    record_categories TEXT NOT NULL,
    record_count      INTEGER NOT NULL CHECK (record_count >= 0),
    consequences      TEXT NOT NULL,
    measures          TEXT NOT NULL,
    dpo_contact       TEXT NOT NULL,
    sent_at           TEXT NOT NULL,
    reference         TEXT,
    recorded_by       TEXT NOT NULL
);
CREATE TRIGGER cnil_notifications_no_update BEFORE UPDATE ON cnil_notifications
BEGIN SELECT RAISE(ABORT, 'a notification sent never changes'); END;
CREATE TRIGGER cnil_notifications_no_delete BEFORE DELETE ON cnil_notifications
BEGIN SELECT RAISE(ABORT, 'a notification sent never changes'); END;

CREATE TABLE systems (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    function    TEXT NOT NULL,
    criticality TEXT NOT NULL CHECK (criticality IN ('critique', 'importante', 'normale')),
    owner       TEXT NOT NULL,
    site_code   TEXT,
    status      TEXT NOT NULL CHECK (status IN ('compromis', 'isole', 'en_analyse', 'nettoye', 'restaure')),
    status_at   TEXT NOT NULL,
    status_by   TEXT NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER systems_no_delete BEFORE DELETE ON systems
BEGIN SELECT RAISE(ABORT, 'systems are never removed from the inventory'); END;

CREATE TABLE system_status_changes (
    id          INTEGER PRIMARY KEY,
    system_id   TEXT NOT NULL REFERENCES systems (id),
    from_status TEXT,
    to_status   TEXT NOT NULL,
    at          TEXT NOT NULL,
    by          TEXT NOT NULL,
    note        TEXT,
    entry       INTEGER REFERENCES courante (id)
);
CREATE INDEX system_status_changes_by_system ON system_status_changes (system_id, id);
CREATE TRIGGER system_status_changes_no_update BEFORE UPDATE ON system_status_changes
BEGIN SELECT RAISE(ABORT, 'status changes are history'); END;
CREATE TRIGGER system_status_changes_no_delete BEFORE DELETE ON system_status_changes
BEGIN SELECT RAISE(ABORT, 'status changes are history'); END;

CREATE TABLE tasks (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL CHECK (length(trim(title)) > 0),
    owner      TEXT NOT NULL,
    due_at     TEXT,
    status     TEXT NOT NULL CHECK (status IN ('a_faire', 'en_cours', 'fait', 'abandonne')),
    created_by TEXT NOT NULL
);
CREATE TRIGGER tasks_no_delete BEFORE DELETE ON tasks
BEGIN SELECT RAISE(ABORT, 'a task is dropped (abandonné), never deleted'); END;

CREATE TABLE public_messages (
    id         INTEGER PRIMARY KEY,
    affected   TEXT NOT NULL,
    guaranteed TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE TRIGGER public_messages_no_update BEFORE UPDATE ON public_messages
BEGIN SELECT RAISE(ABORT, 'a message is replaced by a new one'); END;
"#,
];
