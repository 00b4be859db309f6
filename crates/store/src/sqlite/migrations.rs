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
    (
        "invoices_by_siret",
        "CREATE INDEX invoices_by_siret ON invoices (siret)",
    ),
];
