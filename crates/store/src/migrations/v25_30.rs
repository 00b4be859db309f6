//! Migrations 25 to 30.

pub(super) const MIGRATIONS: &[&str] = &[
    // 25: payroll (issue #22). The last good month's lines (`paie.csv`); the payroll runs (a
    // run is one when `payroll_runs` has its row: no column added to `runs`, so that a store
    // put back to an earlier version by hand migrates again); the agents' pays of a payroll
    // run, their nets per mandat, the mandats; claims that make "an agent is paid once a
    // month" a primary key; the deferred variable elements kept for the hand-back; the agents
    // not paid and why; the changes of an agent's situation.
    r#"
CREATE TABLE IF NOT EXISTS pay_lines (
    matricule        TEXT NOT NULL,
    month            TEXT NOT NULL,
    code             TEXT NOT NULL,
    label            TEXT NOT NULL,
    base             INTEGER,
    rate             INTEGER,
    employee         INTEGER NOT NULL,
    employer         INTEGER NOT NULL CHECK (employer >= 0),
    account          TEXT NOT NULL,
    employer_account TEXT,
    function         TEXT NOT NULL,
    creditor         TEXT NOT NULL,
    extra            TEXT,
    PRIMARY KEY (matricule, month, code)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS payroll_runs (
    run_id  TEXT PRIMARY KEY REFERENCES runs (id),
    summary TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS payroll_pays (
    run_id    TEXT NOT NULL REFERENCES runs (id),
    matricule TEXT NOT NULL,
    pay       TEXT NOT NULL,
    PRIMARY KEY (run_id, matricule)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS payroll_nets (
    run_id    TEXT NOT NULL REFERENCES runs (id),
    account   TEXT NOT NULL,
    function  TEXT NOT NULL,
    matricule TEXT NOT NULL,
    amount    INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (run_id, account, function, matricule)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS payroll_mandates (
    run_id   TEXT NOT NULL REFERENCES runs (id),
    n        INTEGER NOT NULL CHECK (n > 0),
    account  TEXT NOT NULL,
    function TEXT NOT NULL,
    totals   TEXT NOT NULL,
    PRIMARY KEY (run_id, n),
    UNIQUE (run_id, account, function)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS payroll_claims (
    matricule TEXT NOT NULL,
    month     TEXT NOT NULL,
    run_id    TEXT NOT NULL REFERENCES runs (id),
    PRIMARY KEY (matricule, month)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS payroll_claims_fixed BEFORE UPDATE ON payroll_claims
BEGIN SELECT RAISE(ABORT, 'claims never change'); END;
CREATE TABLE IF NOT EXISTS payroll_deferred (
    matricule TEXT NOT NULL,
    month     TEXT NOT NULL,
    run_id    TEXT NOT NULL REFERENCES runs (id),
    name      TEXT NOT NULL,
    service   TEXT NOT NULL,
    amount    INTEGER NOT NULL,
    PRIMARY KEY (matricule, month)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS payroll_exclusions (
    run_id    TEXT NOT NULL REFERENCES runs (id),
    matricule TEXT NOT NULL,
    exclusion TEXT NOT NULL,
    PRIMARY KEY (run_id, matricule)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS payroll_pays_fixed BEFORE UPDATE ON payroll_pays
BEGIN SELECT RAISE(ABORT, 'a run''s pays never change'); END;
CREATE TRIGGER IF NOT EXISTS payroll_pays_kept BEFORE DELETE ON payroll_pays
BEGIN SELECT RAISE(ABORT, 'a run''s pays are never deleted'); END;
CREATE TRIGGER IF NOT EXISTS payroll_nets_fixed BEFORE UPDATE ON payroll_nets
BEGIN SELECT RAISE(ABORT, 'a run''s pays never change'); END;
-- An agent's entry, exit, new net or bank details: asked with its proof, applied to the
-- payroll once an ordonnateur other than the asker approved it; decided once.
CREATE TABLE IF NOT EXISTS payroll_changes (
    id         INTEGER PRIMARY KEY,
    matricule  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    change     TEXT NOT NULL,
    proof      TEXT NOT NULL CHECK (trim(proof) <> ''),
    reason     TEXT NOT NULL,
    asked_by   TEXT NOT NULL,
    asked_at   TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    approved   INTEGER,
    refusal    TEXT,
    CHECK (decided_by IS NULL OR decided_by <> asked_by),
    CHECK ((approved IS NULL) = (decided_by IS NULL))
);
CREATE TRIGGER IF NOT EXISTS payroll_changes_decided_once BEFORE UPDATE ON payroll_changes
WHEN OLD.decided_by IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a change decided never changes'); END;
"#,
    // 26: an invoice's life (issue #23): each step — service fait, liquidation, suspension,
    // resumption, rejection — recorded for good, by invoice (`factures.csv`'s id or a courrier
    // deposit's chrono number), kept across imports (the imported invoices are replaced, their
    // steps are not).
    r#"
CREATE TABLE IF NOT EXISTS invoice_steps (
    id      INTEGER PRIMARY KEY,
    invoice TEXT NOT NULL,
    kind    TEXT NOT NULL,
    step    TEXT NOT NULL,
    actor   TEXT NOT NULL,
    on_date TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS invoice_steps_by_invoice ON invoice_steps (invoice, id);
CREATE TRIGGER IF NOT EXISTS invoice_steps_fixed BEFORE UPDATE ON invoice_steps
BEGIN SELECT RAISE(ABORT, 'an invoice''s steps never change'); END;
CREATE TRIGGER IF NOT EXISTS invoice_steps_kept BEFORE DELETE ON invoice_steps
BEGIN SELECT RAISE(ABORT, 'an invoice''s steps are never deleted'); END;
"#,
    // 27: supplier runs (issue #23). A run is one when `supplier_runs` has its row (as for the
    // payroll); one mandat per invoice and one per invoice's late interest, each claimed for
    // good: the claim's keys are the invoice (and the kind of mandat), and the supplier's SIRET
    // + the invoice's number + its amount, so that the same invoice under two references is
    // never mandated twice. A supplier's bank details as first imported (the snapshot's) and
    // each change an ordonnateur approved: other details are held.
    r#"
CREATE TABLE IF NOT EXISTS supplier_runs (
    run_id  TEXT PRIMARY KEY REFERENCES runs (id),
    summary TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS supplier_mandates (
    run_id  TEXT NOT NULL REFERENCES runs (id),
    n       INTEGER NOT NULL CHECK (n > 0),
    invoice TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('facture', 'interets')),
    mandate TEXT NOT NULL,
    PRIMARY KEY (run_id, n),
    UNIQUE (run_id, invoice, kind)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS supplier_mandates_fixed BEFORE UPDATE ON supplier_mandates
BEGIN SELECT RAISE(ABORT, 'a run''s mandats never change'); END;
CREATE TABLE IF NOT EXISTS supplier_claims (
    invoice TEXT NOT NULL,
    kind    TEXT NOT NULL,
    siret   TEXT NOT NULL,
    number  TEXT NOT NULL,
    amount  INTEGER NOT NULL,
    run_id  TEXT NOT NULL REFERENCES runs (id),
    PRIMARY KEY (invoice, kind),
    UNIQUE (kind, siret, number, amount)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS supplier_claims_fixed BEFORE UPDATE ON supplier_claims
BEGIN SELECT RAISE(ABORT, 'claims never change'); END;
-- The same invoice under another reference is looked for by supplier and number.
CREATE INDEX IF NOT EXISTS invoices_by_supplier_number ON invoices (siret, number);
CREATE TABLE IF NOT EXISTS supplier_banks (
    siret       TEXT NOT NULL,
    iban        TEXT NOT NULL,
    bic         TEXT NOT NULL,
    since       TEXT NOT NULL,
    approved_by TEXT,
    PRIMARY KEY (siret, iban)
) WITHOUT ROWID;
"#,
    // 28: purchase orders (issue #23). Each exercice's last order number, stepped by one in
    // the transaction that inserts the order and its journal entry (as the deposits'
    // `chrono_counters`), so that a number is never lost, skipped or given twice; an order
    // takes its exercice's number just stepped, its number spelled from it. The supplier's
    // name and address are those the order was issued to. Neither ever changes nor goes.
    r#"
CREATE TABLE IF NOT EXISTS order_counters (
    exercice INTEGER PRIMARY KEY,
    last     INTEGER NOT NULL CHECK (last >= 1)
);
CREATE TRIGGER IF NOT EXISTS order_counters_step BEFORE UPDATE ON order_counters
WHEN NEW.exercice <> OLD.exercice OR NEW.last <> OLD.last + 1
BEGIN SELECT RAISE(ABORT, 'an order counter only steps by one'); END;
CREATE TRIGGER IF NOT EXISTS order_counters_kept BEFORE DELETE ON order_counters
BEGIN SELECT RAISE(ABORT, 'an order counter is never deleted'); END;
CREATE TABLE IF NOT EXISTS orders (
    number           TEXT PRIMARY KEY,
    exercice         INTEGER NOT NULL,
    seq              INTEGER NOT NULL CHECK (seq BETWEEN 1 AND 999999),
    service          TEXT NOT NULL CHECK (trim(service) <> ''),
    siret            TEXT NOT NULL,
    supplier         TEXT NOT NULL,
    supplier_address TEXT NOT NULL,
    object           TEXT NOT NULL CHECK (trim(object) <> ''),
    amount           INTEGER NOT NULL CHECK (amount > 0),
    commitment       TEXT,
    delivery_on      TEXT,
    issued_by        TEXT NOT NULL,
    issued_on        TEXT NOT NULL,
    issued_at        TEXT NOT NULL,
    UNIQUE (exercice, seq),
    CHECK (number = printf('BC-%04d-%06d', exercice, seq))
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS orders_take_the_next_number BEFORE INSERT ON orders
WHEN NEW.seq IS NOT (SELECT last FROM order_counters WHERE exercice = NEW.exercice)
BEGIN SELECT RAISE(ABORT, 'an order takes its exercice''s next number'); END;
CREATE TRIGGER IF NOT EXISTS orders_fixed BEFORE UPDATE ON orders
BEGIN SELECT RAISE(ABORT, 'an order never changes'); END;
CREATE TRIGGER IF NOT EXISTS orders_kept BEFORE DELETE ON orders
BEGIN SELECT RAISE(ABORT, 'an order is never deleted'); END;
"#,
    // 29: the purchase order or commitment a courrier's invoice names (issue #23), kept with
    // the deposit's other facts for good (a table beside `deposits`, not a column: a store put
    // back to an earlier version by hand migrates again).
    r#"
CREATE TABLE IF NOT EXISTS deposit_commitments (
    number     TEXT PRIMARY KEY REFERENCES deposits (number),
    commitment TEXT NOT NULL CHECK (trim(commitment) <> '')
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS deposit_commitments_fixed BEFORE UPDATE ON deposit_commitments
BEGIN SELECT RAISE(ABORT, 'a deposit''s facts never change'); END;
CREATE TRIGGER IF NOT EXISTS deposit_commitments_kept BEFORE DELETE ON deposit_commitments
BEGIN SELECT RAISE(ABORT, 'a deposit''s facts never change'); END;
"#,
    // 30: signed checkpoints of the journal (issue #24): the head's sequence number and hash
    // signed with the authority's journal key (minisign). One per entry at most; never changed
    // nor deleted. Not themselves journal entries (signing the head must not move it), and
    // kept also outside the database (DATA/journal/checkpoints.log, every export).
    r#"
CREATE TABLE IF NOT EXISTS journal_checkpoints (
    seq       INTEGER PRIMARY KEY CHECK (seq >= 1),
    hash      TEXT NOT NULL CHECK (length(hash) = 64),
    at        TEXT NOT NULL,
    line      TEXT NOT NULL CHECK (instr(line, char(10)) = 0),
    signature TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS journal_checkpoints_fixed BEFORE UPDATE ON journal_checkpoints
BEGIN SELECT RAISE(ABORT, 'a checkpoint never changes'); END;
CREATE TRIGGER IF NOT EXISTS journal_checkpoints_kept BEFORE DELETE ON journal_checkpoints
BEGIN SELECT RAISE(ABORT, 'a checkpoint is never deleted'); END;
CREATE TRIGGER IF NOT EXISTS journal_checkpoints_of_the_journal BEFORE INSERT ON journal_checkpoints
WHEN NOT EXISTS (SELECT 1 FROM journal WHERE seq = NEW.seq AND hash = NEW.hash)
BEGIN SELECT RAISE(ABORT, 'a checkpoint signs an entry of the journal'); END;
"#,
];
