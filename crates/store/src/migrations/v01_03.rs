//! Migrations 1 to 3: the journal, users, imported data, the register of deposits, payment
//! runs.

pub(super) const MIGRATIONS: &[&str] = &[
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
];
