//! The SQLite schema, as an ordered list of migrations. `PRAGMA user_version` holds how many
//! have been applied; a migration is never edited once released, only followed by another.

/// Migration N (1-based) is `MIGRATIONS[N - 1]`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: journal, users, imported data, the register of rejected rows.
    r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- The journal: append-only, hash-chained (relais_core::journal). The triggers make an UPDATE
-- or DELETE through SQL fail; a direct edit of the file is caught by `relais journal verify`.
CREATE TABLE journal (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;

CREATE TABLE users (
    login         TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    roles         TEXT NOT NULL,
    site          TEXT,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
) WITHOUT ROWID;

CREATE TABLE directory (
    site_code     TEXT NOT NULL,
    service       TEXT NOT NULL,
    site          TEXT NOT NULL,
    phone         TEXT NOT NULL,
    email         TEXT NOT NULL,
    address       TEXT NOT NULL,
    hours         TEXT NOT NULL,
    paper_deposit INTEGER NOT NULL,
    public        INTEGER NOT NULL,
    extra         TEXT,
    PRIMARY KEY (site_code, service)
) WITHOUT ROWID;

CREATE TABLE beneficiaries (
    dossier     TEXT PRIMARY KEY,
    nir         TEXT,
    last_name   TEXT NOT NULL,
    first_name  TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    address     TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    city        TEXT NOT NULL,
    phone       TEXT NOT NULL,
    site        TEXT NOT NULL,
    death_date  TEXT,
    extra       TEXT
) WITHOUT ROWID;

CREATE TABLE payees (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    siret           TEXT,
    iban            TEXT NOT NULL,
    bic             TEXT NOT NULL,
    holder          TEXT NOT NULL,
    address         TEXT NOT NULL,
    postal_code     TEXT NOT NULL,
    city            TEXT NOT NULL,
    iban_changed_on TEXT,
    extra           TEXT
) WITHOUT ROWID;

CREATE TABLE rights (
    id             TEXT PRIMARY KEY,
    dossier        TEXT NOT NULL REFERENCES beneficiaries (dossier),
    benefit        TEXT NOT NULL,
    monthly_amount INTEGER NOT NULL CHECK (monthly_amount >= 0),
    start_date     TEXT NOT NULL,
    end_date       TEXT NOT NULL,
    status         TEXT NOT NULL,
    payee_id       TEXT NOT NULL REFERENCES payees (id),
    imputation     TEXT,
    extra          TEXT
) WITHOUT ROWID;

-- Tables keyed by the source's identifiers are clustered on them (WITHOUT ROWID): one
-- B-tree per table instead of a table plus a key index, half the work of a bulk load.

-- One payment per right and month, ever: the key that later payment runs also rely on.
CREATE TABLE past_payments (
    right_id  TEXT NOT NULL REFERENCES rights (id),
    month     TEXT NOT NULL,
    amount    INTEGER NOT NULL,
    paid_on   TEXT NOT NULL,
    reference TEXT NOT NULL,
    extra     TEXT,
    PRIMARY KEY (right_id, month)
) WITHOUT ROWID;

CREATE TABLE agents (
    matricule   TEXT PRIMARY KEY,
    last_name   TEXT NOT NULL,
    first_name  TEXT NOT NULL,
    nir         TEXT NOT NULL,
    iban        TEXT NOT NULL,
    bic         TEXT NOT NULL,
    net_monthly INTEGER NOT NULL,
    variables   INTEGER NOT NULL,
    entry_date  TEXT NOT NULL,
    exit_date   TEXT,
    service     TEXT NOT NULL,
    extra       TEXT
) WITHOUT ROWID;

CREATE TABLE suppliers (
    siret       TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    iban        TEXT NOT NULL,
    bic         TEXT NOT NULL,
    address     TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    city        TEXT NOT NULL,
    extra       TEXT
) WITHOUT ROWID;

CREATE TABLE invoices (
    id              TEXT PRIMARY KEY,
    siret           TEXT NOT NULL REFERENCES suppliers (siret),
    number          TEXT NOT NULL,
    invoice_date    TEXT NOT NULL,
    received_on     TEXT NOT NULL,
    amount_incl_tax INTEGER NOT NULL,
    commitment      TEXT,
    status          TEXT NOT NULL,
    extra           TEXT
) WITHOUT ROWID;

-- Rows rejected at import: the register of "dossiers à traiter".
CREATE TABLE pending_rows (
    id       INTEGER PRIMARY KEY,
    entity   TEXT NOT NULL,
    file     TEXT NOT NULL,
    line     INTEGER NOT NULL,
    key      TEXT,
    raw      TEXT NOT NULL,
    problems TEXT NOT NULL
);
"#,
    // 2: the register of paper deposits (relais_core::deposits) and its gap-free counters.
    r#"
-- One row per numbering year: the last number given. Incremented in the same transaction as
-- the deposit and its journal entry, so a number is never lost, skipped or given twice.
CREATE TABLE chrono_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL CHECK (last >= 0)
);

CREATE TABLE deposits (
    number         TEXT PRIMARY KEY,
    year           INTEGER NOT NULL,
    seq            INTEGER NOT NULL,
    received_at    TEXT NOT NULL,
    received_on    TEXT NOT NULL,
    kind           TEXT NOT NULL,
    depositor      TEXT NOT NULL,
    address        TEXT,
    subject        TEXT,
    pages          INTEGER NOT NULL,
    siret          TEXT,
    invoice_number TEXT,
    amount         INTEGER,
    invoice_date   TEXT,
    bid_deadline   TEXT,
    registered_by  TEXT NOT NULL,
    receipt_code   TEXT NOT NULL,
    cancelled_at   TEXT,
    cancelled_by   TEXT,
    cancel_reason  TEXT,
    UNIQUE (year, seq)
) WITHOUT ROWID;
CREATE INDEX deposits_by_received_at ON deposits (received_at);
-- A number, once given, stays: it may be cancelled (UPDATE of the cancel_* columns), never
-- removed or renumbered.
CREATE TRIGGER deposits_no_delete BEFORE DELETE ON deposits
BEGIN SELECT RAISE(ABORT, 'deposits are never deleted'); END;
CREATE TRIGGER deposits_keep_facts BEFORE UPDATE OF number, year, seq, received_at, kind,
    depositor, receipt_code ON deposits
BEGIN SELECT RAISE(ABORT, 'a deposit''s facts never change'); END;
"#,
    // 3: payment runs (relais_store::runs), approvals of changed bank details.
    r#"
CREATE TABLE runs (
    id           TEXT PRIMARY KEY,
    month        TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    benefits     TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('prepared', 'validated', 'cancelled')),
    prepared_by  TEXT NOT NULL,
    prepared_at  TEXT NOT NULL,
    validated_by TEXT,
    validated_at TEXT,
    cancelled_by TEXT,
    cancelled_at TEXT,
    cancel_reason TEXT,
    exercice     INTEGER,
    bordereau    INTEGER,
    params       TEXT NOT NULL,
    summary      TEXT NOT NULL,
    UNIQUE (month, seq),
    UNIQUE (exercice, bordereau),
    -- Separation of duties (décret GBCP art. 9): the preparer never validates.
    CHECK (validated_by IS NULL OR validated_by <> prepared_by),
    CHECK ((status = 'validated') = (validated_by IS NOT NULL AND bordereau IS NOT NULL))
) WITHOUT ROWID;
CREATE TRIGGER runs_final BEFORE UPDATE ON runs WHEN OLD.status <> 'prepared'
BEGIN SELECT RAISE(ABORT, 'a validated or cancelled run never changes'); END;
CREATE TRIGGER runs_no_delete BEFORE DELETE ON runs
BEGIN SELECT RAISE(ABORT, 'runs are never deleted'); END;

-- IdBord: 1, 2, 3… per exercice, given at validation.
CREATE TABLE bordereau_counters (
    exercice INTEGER PRIMARY KEY,
    last     INTEGER NOT NULL CHECK (last >= 0)
);

-- One line per right paid. `claim` is the month while the run is not cancelled, NULL after:
-- the unique index on (right_id, claim) is the rule "a right is paid once a month".
CREATE TABLE run_lines (
    id           INTEGER PRIMARY KEY,
    run_id       TEXT NOT NULL REFERENCES runs (id),
    right_id     TEXT NOT NULL,
    claim        TEXT,
    dossier      TEXT NOT NULL,
    nir          TEXT,
    last_name    TEXT NOT NULL,
    first_name   TEXT NOT NULL,
    benefit      TEXT NOT NULL,
    amount       INTEGER NOT NULL CHECK (amount > 0),
    first_day    TEXT NOT NULL,
    last_day     TEXT NOT NULL,
    payee_id     TEXT NOT NULL,
    account      TEXT NOT NULL,
    function     TEXT NOT NULL,
    pay_date     TEXT NOT NULL,
    mandate      INTEGER,
    mandate_line INTEGER
);
CREATE UNIQUE INDEX run_lines_claims ON run_lines (right_id, claim);
CREATE INDEX run_lines_by_run ON run_lines (run_id, id);
CREATE TRIGGER run_lines_claim_not_in_history BEFORE INSERT ON run_lines
WHEN EXISTS (SELECT 1 FROM past_payments p WHERE p.right_id = NEW.right_id AND p.month = NEW.claim)
BEGIN SELECT RAISE(ABORT, 'right already paid for this month in the imported history'); END;
CREATE TRIGGER run_lines_no_delete BEFORE DELETE ON run_lines
BEGIN SELECT RAISE(ABORT, 'run lines are never deleted'); END;
-- Only cancelling a prepared run changes its lines, and only to free their claims.
CREATE TRIGGER run_lines_frozen BEFORE UPDATE ON run_lines
WHEN NEW.claim IS NOT NULL
  OR (SELECT status FROM runs WHERE id = OLD.run_id) <> 'prepared'
  OR NEW.id IS NOT OLD.id OR NEW.run_id IS NOT OLD.run_id OR NEW.right_id IS NOT OLD.right_id
  OR NEW.amount IS NOT OLD.amount OR NEW.payee_id IS NOT OLD.payee_id
  OR NEW.mandate IS NOT OLD.mandate OR NEW.benefit IS NOT OLD.benefit
BEGIN SELECT RAISE(ABORT, 'run lines never change, except claims freed by a cancellation'); END;

-- The payees as the run pays them (bank details copied at preparation).
CREATE TABLE run_payees (
    run_id      TEXT NOT NULL REFERENCES runs (id),
    payee_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    siret       TEXT,
    iban        TEXT NOT NULL,
    bic         TEXT NOT NULL,
    holder      TEXT NOT NULL,
    address     TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    city        TEXT NOT NULL,
    PRIMARY KEY (run_id, payee_id)
) WITHOUT ROWID;

-- The control report's lists, in the order they were found.
CREATE TABLE run_exclusions (
    run_id   TEXT NOT NULL REFERENCES runs (id),
    n        INTEGER NOT NULL,
    right_id TEXT NOT NULL,
    dossier  TEXT NOT NULL,
    name     TEXT NOT NULL,
    benefit  TEXT,
    reason   TEXT NOT NULL,
    label    TEXT NOT NULL,
    amount   INTEGER,
    PRIMARY KEY (run_id, n)
) WITHOUT ROWID;
CREATE TABLE run_anomalies (
    run_id     TEXT NOT NULL REFERENCES runs (id),
    n          INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    right_id   TEXT NOT NULL,
    dossier    TEXT NOT NULL,
    payee_id   TEXT NOT NULL,
    payee_name TEXT NOT NULL,
    benefit    TEXT NOT NULL,
    amount     INTEGER NOT NULL,
    detail     TEXT NOT NULL,
    PRIMARY KEY (run_id, n)
) WITHOUT ROWID;
CREATE TABLE run_changes (
    run_id   TEXT NOT NULL REFERENCES runs (id),
    n        INTEGER NOT NULL,
    dossier  TEXT NOT NULL,
    name     TEXT NOT NULL,
    benefit  TEXT NOT NULL,
    previous INTEGER NOT NULL,
    current  INTEGER NOT NULL,
    PRIMARY KEY (run_id, n)
) WITHOUT ROWID;

-- Recently changed bank details approved by an ordonnateur: the approval is for that IBAN.
CREATE TABLE bank_approvals (
    payee_id    TEXT NOT NULL,
    iban        TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    PRIMARY KEY (payee_id, iban)
) WITHOUT ROWID;
"#,
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
    // 12: a claim carries what it pays (amount, pay date), so that a person's page finds the
    // payments of runs through the person's rights and the claims' key instead of reading
    // every line of every run (no index of `run_lines` by person: keeping one cost the
    // preparation a random insert a line). Claims of existing runs get theirs from the lines,
    // through an index made for the copy and dropped after it.
    r#"
ALTER TABLE run_claims ADD COLUMN amount INTEGER;
ALTER TABLE run_claims ADD COLUMN pay_date TEXT;
DROP TRIGGER run_claims_fixed;
CREATE INDEX migration_12_lines ON run_lines (run_id, right_id);
UPDATE run_claims SET (amount, pay_date) = (
    SELECT l.amount, l.pay_date FROM run_lines l
    WHERE l.run_id = run_claims.run_id AND l.right_id = run_claims.right_id);
DROP INDEX migration_12_lines;
CREATE TRIGGER run_claims_fixed BEFORE UPDATE ON run_claims
BEGIN SELECT RAISE(ABORT, 'claims never change'); END;
"#,
    // 13: the imported history's payments of a month become claims of their own (no run)
    // when a run of that month is prepared, so that one primary key refuses both a second
    // run and a payment the history already made. The trigger that looked the history up for
    // every claim (two million a national run) goes. A claim of the history is never freed.
    r#"
CREATE TABLE run_claims_13 (
    right_id TEXT NOT NULL,
    month    TEXT NOT NULL,
    run_id   TEXT REFERENCES runs (id),
    amount   INTEGER,
    pay_date TEXT,
    PRIMARY KEY (right_id, month)
) WITHOUT ROWID;
INSERT INTO run_claims_13 (right_id, month, run_id, amount, pay_date)
    SELECT right_id, month, run_id, amount, pay_date FROM run_claims ORDER BY right_id, month;
DROP TABLE run_claims;
ALTER TABLE run_claims_13 RENAME TO run_claims;
CREATE TRIGGER run_claims_fixed BEFORE UPDATE ON run_claims
BEGIN SELECT RAISE(ABORT, 'claims never change'); END;
CREATE TRIGGER run_claims_kept BEFORE DELETE ON run_claims
WHEN OLD.run_id IS NULL OR (SELECT status FROM runs WHERE id = OLD.run_id) <> 'prepared'
BEGIN SELECT RAISE(ABORT, 'claims of the history, or of a validated or cancelled run, are never freed'); END;
"#,
    // 14: a run's lines are kept in blocks of up to 1,000, each a JSON array of lines (each
    // line an array: payee, pay date, right, dossier, NIR, last name, first name, benefit,
    // amount in cents, first and last day covered, account, function, mandate and line in it
    // — both null for the RSA lines handed to the CAF, `caf` = 1). A national run is two
    // million lines: as rows with their index, writing them was a third of the preparation.
    // Mandated lines are in mandate order, the CAF's by dossier and right: the order of the
    // files. Blocks are never changed nor deleted; a cancelled run's claims are freed. (No
    // `json_valid` check: it parsed the 270 MB of a national run again at each preparation;
    // the store writes them with serde_json and reads them back, a bad block is an error.)
    r#"
CREATE TABLE run_line_blocks (
    run_id TEXT NOT NULL REFERENCES runs (id),
    caf    INTEGER NOT NULL CHECK (caf IN (0, 1)),
    n      INTEGER NOT NULL CHECK (n >= 1),
    lines  INTEGER NOT NULL CHECK (lines >= 1),
    data   TEXT NOT NULL,
    PRIMARY KEY (run_id, caf, n)
);
CREATE TRIGGER run_line_blocks_fixed BEFORE UPDATE ON run_line_blocks
BEGIN SELECT RAISE(ABORT, 'run lines never change'); END;
CREATE TRIGGER run_line_blocks_kept BEFORE DELETE ON run_line_blocks
BEGIN SELECT RAISE(ABORT, 'run lines are never deleted'); END;
INSERT INTO run_line_blocks (run_id, caf, n, lines, data)
SELECT run_id, caf, block + 1, count(*), json_group_array(json(line) ORDER BY position)
FROM (
    SELECT run_id, caf, position, (position - 1) / 1000 AS block, line FROM (
        SELECT run_id, mandate IS NULL AS caf,
            row_number() OVER (PARTITION BY run_id, mandate IS NULL
                ORDER BY CASE WHEN mandate IS NULL THEN dossier END,
                         CASE WHEN mandate IS NULL THEN right_id END, id) AS position,
            json_array(payee_id, pay_date, right_id, dossier, nir, last_name, first_name,
                benefit, amount, first_day, last_day, account, function, mandate,
                mandate_line) AS line
        FROM run_lines))
GROUP BY run_id, caf, block
ORDER BY run_id, caf, block;
DROP TABLE run_lines;
-- The totals per pay date and per bordereau the files' headers declare, made as the lines are
-- numbered (JSON; NULL for the runs before: the export sums their lines).
ALTER TABLE runs ADD COLUMN totals TEXT;
"#,
    // 15: the PES numbering of each exercice continues the old system's (relais_store::
    // numbering): the last IdBord and IdPce as the paierie confirmed them, and the last given
    // since, which only grow; the confirmation is final once a number was given. A validated
    // run keeps its first IdPce (mandates are numbered across the exercice, not per
    // bordereau) and the exercice's MtCumulAnnuel before it. `bordereau_counters` (IdBord
    // from 1) is no longer used.
    r#"
CREATE TABLE numbering (
    exercice            INTEGER PRIMARY KEY CHECK (exercice BETWEEN 2000 AND 2999),
    confirmed_bordereau INTEGER NOT NULL CHECK (confirmed_bordereau BETWEEN 0 AND 9999998),
    confirmed_mandate   INTEGER NOT NULL CHECK (confirmed_mandate BETWEEN 0 AND 99999998),
    confirmed_cumul     INTEGER NOT NULL CHECK (confirmed_cumul >= 0),
    confirmed_by        TEXT NOT NULL,
    confirmed_at        TEXT NOT NULL,
    reason              TEXT NOT NULL CHECK (trim(reason) <> ''),
    last_bordereau      INTEGER NOT NULL CHECK (last_bordereau BETWEEN confirmed_bordereau AND 9999999),
    last_mandate        INTEGER NOT NULL CHECK (last_mandate BETWEEN confirmed_mandate AND 99999999),
    cumul               INTEGER NOT NULL CHECK (cumul >= confirmed_cumul)
) WITHOUT ROWID;
CREATE TRIGGER numbering_forward BEFORE UPDATE ON numbering
WHEN NEW.last_bordereau < OLD.last_bordereau OR NEW.last_mandate < OLD.last_mandate
  OR NEW.cumul < OLD.cumul
  OR ((OLD.last_bordereau > OLD.confirmed_bordereau OR OLD.last_mandate > OLD.confirmed_mandate)
      AND (NEW.confirmed_bordereau <> OLD.confirmed_bordereau
           OR NEW.confirmed_mandate <> OLD.confirmed_mandate
           OR NEW.confirmed_cumul <> OLD.confirmed_cumul))
BEGIN SELECT RAISE(ABORT, 'numbers never go back: once given, the confirmed numbering stays'); END;
CREATE TRIGGER numbering_kept BEFORE DELETE ON numbering
BEGIN SELECT RAISE(ABORT, 'an exercice''s numbering is never deleted'); END;
ALTER TABLE runs ADD COLUMN first_mandate INTEGER;
ALTER TABLE runs ADD COLUMN cumul_before INTEGER;
-- A person's civility (M, MME) from the extract, the PES Civilite of a person paid themself.
ALTER TABLE beneficiaries ADD COLUMN civility TEXT;
"#,
    // 16: the CAF's monthly statements of the RSA it paid (relais_store::caf, CASF L262-25),
    // one per month, rows and all. A month's statement is replaced whole by a new import,
    // never changed, and never once a run of that month is validated (its CAF piece was
    // mandated from it). The rows' foreign key is checked at commit, so that the rows can
    // be streamed in before the statement's totals are known. (IF NOT EXISTS: a store put
    // back to an earlier version by hand is migrated again without losing its statements.)
    r#"
CREATE TABLE IF NOT EXISTS caf_statements (
    month       TEXT PRIMARY KEY CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
    file_sha256 TEXT NOT NULL CHECK (length(file_sha256) = 64),
    rows        INTEGER NOT NULL CHECK (rows >= 1),
    total_cents INTEGER NOT NULL CHECK (total_cents >= 1),
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS caf_statement_rows (
    month       TEXT NOT NULL REFERENCES caf_statements (month) DEFERRABLE INITIALLY DEFERRED,
    line        INTEGER NOT NULL,
    allocataire TEXT NOT NULL,
    nir         TEXT,
    dossier     TEXT,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (month, line)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS caf_statements_fixed BEFORE UPDATE ON caf_statements
BEGIN SELECT RAISE(ABORT, 'a CAF statement is replaced whole, never changed'); END;
CREATE TRIGGER IF NOT EXISTS caf_statement_rows_fixed BEFORE UPDATE ON caf_statement_rows
BEGIN SELECT RAISE(ABORT, 'a CAF statement is replaced whole, never changed'); END;
CREATE TRIGGER IF NOT EXISTS caf_statements_kept BEFORE DELETE ON caf_statements
WHEN EXISTS (SELECT 1 FROM runs WHERE month = OLD.month AND status = 'validated')
BEGIN SELECT RAISE(ABORT, 'the CAF statement of a month with a validated run stays'); END;
CREATE TRIGGER IF NOT EXISTS caf_statement_rows_kept BEFORE DELETE ON caf_statement_rows
WHEN EXISTS (SELECT 1 FROM runs WHERE month = OLD.month AND status = 'validated')
BEGIN SELECT RAISE(ABORT, 'the CAF statement of a month with a validated run stays'); END;
"#,
    // 17: a payee's legal form (tiers.csv `forme_juridique`, relais_core::records::LegalForm),
    // which gives the PES CatTiers/NatJur; NULL where the extract does not say (the payee's
    // kind then gives it), and in the payees of runs prepared before.
    r#"
ALTER TABLE payees ADD COLUMN legal_form TEXT;
ALTER TABLE run_payees ADD COLUMN legal_form TEXT;
"#,
    // 18: the register of rows to handle also keeps rows accepted with warnings (a phone
    // number, an e-mail, an unknown site: relais_formats::extract::Severity), apart from the
    // rejected ones, which alone stop a payment. Rows already there were all rejected.
    r#"
ALTER TABLE pending_rows ADD COLUMN severity TEXT NOT NULL DEFAULT 'rejet'
    CHECK (severity IN ('rejet', 'avertissement'));
"#,
    // 19: a claim keeps its person and benefit (relais_store::sqlite::person_guard): a
    // person paid a benefit for a month under one right is not paid it again under another
    // (a right numbered again by the source system), unless an ordonnateur releases that
    // right for that month (duplicate_releases). Claims of rights no longer in the store keep
    // no person.
    r#"
DROP TRIGGER run_claims_fixed;
ALTER TABLE run_claims ADD COLUMN dossier TEXT;
ALTER TABLE run_claims ADD COLUMN benefit TEXT;
UPDATE run_claims SET (dossier, benefit) =
    (SELECT r.dossier, r.benefit FROM rights r WHERE r.id = run_claims.right_id);
CREATE TRIGGER run_claims_fixed BEFORE UPDATE ON run_claims
BEGIN SELECT RAISE(ABORT, 'claims never change'); END;
CREATE INDEX run_claims_by_person ON run_claims (month, dossier, benefit);
CREATE TABLE duplicate_releases (
    right_id   TEXT NOT NULL,
    month      TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    reason     TEXT NOT NULL CHECK (trim(reason) <> ''),
    PRIMARY KEY (right_id, month)
) WITHOUT ROWID;
CREATE TRIGGER duplicate_releases_fixed BEFORE UPDATE ON duplicate_releases
BEGIN SELECT RAISE(ABORT, 'a release is a decision: never changed'); END;
CREATE TRIGGER duplicate_releases_kept BEFORE DELETE ON duplicate_releases
BEGIN SELECT RAISE(ABORT, 'a release is a decision: never deleted'); END;
"#,
    // 20: an approval of bank details is for one change (relais_store::bank), never for a
    // (payee, IBAN) pair forever: it records the change it approved (the payee's
    // `iban_changed_on`, and the request when there was one), and a payee keeps only its
    // latest approval, so going back to an older IBAN needs a new one. `bank_approvals_current`
    // holds only approvals of the payees' details as they are now. Every approval is also kept,
    // never changed, in `bank_approval_log`.
    r#"
ALTER TABLE bank_approvals ADD COLUMN changed_on TEXT;
ALTER TABLE bank_approvals ADD COLUMN request_id INTEGER;
DELETE FROM bank_approvals WHERE NOT EXISTS (SELECT 1 FROM payees p
    WHERE p.id = bank_approvals.payee_id AND p.iban = bank_approvals.iban);
UPDATE bank_approvals SET changed_on =
    (SELECT p.iban_changed_on FROM payees p WHERE p.id = bank_approvals.payee_id);
CREATE TABLE bank_approval_log (
    id          INTEGER PRIMARY KEY,
    payee_id    TEXT NOT NULL,
    iban        TEXT NOT NULL,
    changed_on  TEXT,
    request_id  INTEGER UNIQUE,
    approved_by TEXT NOT NULL,
    approved_at TEXT NOT NULL
);
INSERT INTO bank_approval_log (payee_id, iban, changed_on, approved_by, approved_at)
    SELECT payee_id, iban, changed_on, approved_by, approved_at FROM bank_approvals;
CREATE TRIGGER bank_approval_log_fixed BEFORE UPDATE ON bank_approval_log
BEGIN SELECT RAISE(ABORT, 'approvals are never changed'); END;
CREATE TRIGGER bank_approval_log_kept BEFORE DELETE ON bank_approval_log
BEGIN SELECT RAISE(ABORT, 'approvals are never deleted'); END;
-- An approval given without its change's date is for the payee's details now; the latest
-- approval of a payee replaces the others.
CREATE TRIGGER bank_approvals_latest AFTER INSERT ON bank_approvals
BEGIN
    UPDATE bank_approvals
    SET changed_on = (SELECT iban_changed_on FROM payees WHERE id = NEW.payee_id)
    WHERE payee_id = NEW.payee_id AND iban = NEW.iban AND NEW.changed_on IS NULL;
    DELETE FROM bank_approvals WHERE payee_id = NEW.payee_id AND iban <> NEW.iban;
    INSERT INTO bank_approval_log
        (payee_id, iban, changed_on, request_id, approved_by, approved_at)
    VALUES (NEW.payee_id, NEW.iban,
        coalesce(NEW.changed_on, (SELECT iban_changed_on FROM payees WHERE id = NEW.payee_id)),
        NEW.request_id, NEW.approved_by, NEW.approved_at);
END;
CREATE VIEW bank_approvals_current (payee_id, iban, approved_by, approved_at, request_id) AS
SELECT a.payee_id, a.iban, a.approved_by, a.approved_at, a.request_id
FROM bank_approvals a JOIN payees p ON p.id = a.payee_id
WHERE p.iban = a.iban AND p.iban_changed_on IS a.changed_on;
"#,
    // 21: wrong passwords given to the command line, per login (relais_store::logins), so
    // that each new attempt waits longer, across processes; a success forgets them. Nothing
    // secret is kept. The journal is read by kind (the privileged account changes every
    // ordonnateur sees on the dashboard) without a scan. (IF NOT EXISTS: a store put back
    // to an earlier version by hand is migrated again.)
    r#"
CREATE TABLE IF NOT EXISTS login_failures (
    login           TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL CHECK (failures >= 0),
    last_failure_ms INTEGER NOT NULL,
    not_before_ms   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS journal_by_kind ON journal (kind, seq);
"#,
    // 22: a deposit's two instants, its missing documents and the application it completes
    // (relais_core::deposits, issue #19). `received_at` is when it was received (what the law
    // counts), `registered_at` when its number was given (by the store's clock): they differ
    // when a deposit is registered after the fact, with a reason. Deposits registered before
    // get the instant of their journal entry. An incomplete application lists its missing
    // documents (a JSON array) and the day by which to provide them (CRPA L114-5); a deposit of
    // additional documents names the application it completes, which only one deposit not
    // cancelled may do. The kind `demande_aide` stays: it reads as "other social aid".
    r#"
ALTER TABLE deposits ADD COLUMN registered_at TEXT;
ALTER TABLE deposits ADD COLUMN backdate_reason TEXT;
ALTER TABLE deposits ADD COLUMN missing TEXT;
ALTER TABLE deposits ADD COLUMN missing_deadline TEXT;
ALTER TABLE deposits ADD COLUMN completes TEXT;
UPDATE deposits SET registered_at = coalesce(
    (SELECT j.at FROM journal j WHERE j.kind = 'deposit.register'
        AND json_extract(j.payload, '$.number') = deposits.number),
    received_at);
CREATE UNIQUE INDEX deposits_completed_once ON deposits (completes)
    WHERE completes IS NOT NULL AND cancelled_at IS NULL;
DROP TRIGGER deposits_keep_facts;
CREATE TRIGGER deposits_keep_facts BEFORE UPDATE OF number, year, seq, received_at,
    registered_at, received_on, kind, depositor, address, subject, pages, siret,
    invoice_number, amount, invoice_date, bid_deadline, registered_by, receipt_code, dossier,
    backdate_reason, missing, missing_deadline, completes ON deposits
BEGIN SELECT RAISE(ABORT, 'a deposit''s facts never change'); END;
"#,
    // 23: the reasons a notification to the CNIL gives for coming after the 72 hours (RGPD
    // art. 33.1); the store requires them then (relais_core::crisis::cnil::is_late). A table
    // beside the notifications, never changed either. (IF NOT EXISTS: a store put back to an
    // earlier version by hand is migrated again without losing them.)
    r#"
CREATE TABLE IF NOT EXISTS cnil_delay_reasons (
    notification_id INTEGER PRIMARY KEY REFERENCES cnil_notifications (id),
    reasons         TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS cnil_delay_reasons_no_update BEFORE UPDATE ON cnil_delay_reasons
BEGIN SELECT RAISE(ABORT, 'a notification sent never changes'); END;
CREATE TRIGGER IF NOT EXISTS cnil_delay_reasons_no_delete BEFORE DELETE ON cnil_delay_reasons
BEGIN SELECT RAISE(ABORT, 'a notification sent never changes'); END;
"#,
    // 24: a person's page says why a run left one of their rights out (issue #20): the runs'
    // exclusions by file, so it reads the person's few rows and not every run's list (a
    // national run leaves out hundreds of thousands of closed or suspended rights).
    r#"
CREATE INDEX IF NOT EXISTS run_exclusions_by_dossier ON run_exclusions (dossier, run_id);
"#,
];

/// Secondary indexes of imported data: dropped before a bulk import and built again after it,
/// in the same transaction, which is several times faster than maintaining them row by row.
pub(crate) const IMPORT_INDEXES: &[(&str, &str)] = &[
    (
        "rights_by_dossier",
        "CREATE INDEX rights_by_dossier ON rights (dossier)",
    ),
    (
        "rights_by_payee",
        "CREATE INDEX rights_by_payee ON rights (payee_id)",
    ),
    // The history's first and latest months, which decide which month a run may pay
    // (relais_core::month_guard), without reading the whole history.
    (
        "past_payments_by_month",
        "CREATE INDEX past_payments_by_month ON past_payments (month)",
    ),
    (
        "invoices_by_siret",
        "CREATE INDEX invoices_by_siret ON invoices (siret)",
    ),
];
