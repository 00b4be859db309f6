//! Migrations 12 to 24: what claims and runs keep, PES numbering, CAF statements, and what
//! followed.

pub(super) const MIGRATIONS: &[&str] = &[
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
