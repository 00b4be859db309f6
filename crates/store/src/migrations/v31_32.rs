//! Migrations 31 and 32: the accountant's return (issue #24, `relais pes retour`) and the
//! regularisation of a run paid before its mandat (`relais regularise`).

pub(super) const MIGRATIONS: &[&str] = &[
    // 31: the accountant's return flux (PES_DepenseRetour) read: each file once (its SHA-256),
    // with the journal entry that applied it; every piece's state as returned, kept for good
    // with what Relais made of it; the regularisation requests (TypBord 04: paid before any
    // mandat); and the claims a rejected mandat released. A claim of a validated run is
    // deleted only when a release names it, and a release is only for a mandat the return
    // rejected and never paid: so a right is payable again after a rejection, never twice.
    r#"
CREATE TABLE IF NOT EXISTS pes_returns (
    sha256  TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    name    TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    read_by TEXT NOT NULL,
    read_at TEXT NOT NULL,
    pieces  INTEGER NOT NULL CHECK (pieces >= 0)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS pes_returns_fixed BEFORE UPDATE ON pes_returns
BEGIN SELECT RAISE(ABORT, 'a return read is kept as read'); END;
CREATE TRIGGER IF NOT EXISTS pes_returns_kept BEFORE DELETE ON pes_returns
BEGIN SELECT RAISE(ABORT, 'a return read is kept as read'); END;
CREATE TABLE IF NOT EXISTS pes_return_pieces (
    id        INTEGER PRIMARY KEY,
    sha256    TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    exercice  INTEGER NOT NULL,
    bordereau INTEGER NOT NULL,
    typ_bord  TEXT NOT NULL,
    piece     INTEGER NOT NULL,
    typ_pce   INTEGER NOT NULL,
    nat_pce   INTEGER NOT NULL,
    state     TEXT NOT NULL CHECK (state IN ('01', '02', '04', '05')),
    run_id    TEXT,
    -- The mandat's number in its run (from 1), when Relais issued it.
    k         INTEGER,
    -- What Relais made of it: 'paid', 'rejected', 'taken', 'on_hold', 'known', 'refused',
    -- 'unknown', 'request'; its details as JSON.
    outcome   TEXT NOT NULL,
    detail    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pes_return_pieces_by_piece
    ON pes_return_pieces (exercice, bordereau, piece, outcome);
CREATE INDEX IF NOT EXISTS pes_return_pieces_by_file ON pes_return_pieces (sha256, id);
CREATE TRIGGER IF NOT EXISTS pes_return_pieces_fixed BEFORE UPDATE ON pes_return_pieces
BEGIN SELECT RAISE(ABORT, 'a returned piece''s state is kept as returned'); END;
CREATE TRIGGER IF NOT EXISTS pes_return_pieces_kept BEFORE DELETE ON pes_return_pieces
BEGIN SELECT RAISE(ABORT, 'a returned piece''s state is kept as returned'); END;
-- A piece paid is never rejected after, nor one rejected paid: the store refuses it.
CREATE TRIGGER IF NOT EXISTS pes_return_pieces_paid_once BEFORE INSERT ON pes_return_pieces
WHEN NEW.outcome IN ('paid', 'rejected') AND EXISTS (
    SELECT 1 FROM pes_return_pieces p
    WHERE p.exercice = NEW.exercice AND p.bordereau = NEW.bordereau AND p.piece = NEW.piece
      AND p.outcome IN ('paid', 'rejected'))
BEGIN SELECT RAISE(ABORT, 'a mandat is paid or rejected once'); END;
CREATE TABLE IF NOT EXISTS pes_regularisation_requests (
    exercice  INTEGER NOT NULL,
    bordereau INTEGER NOT NULL,
    piece     INTEGER NOT NULL,
    typ_pce   INTEGER NOT NULL,
    nat_pce   INTEGER NOT NULL,
    object    TEXT,
    amount    INTEGER NOT NULL,
    paid_on   TEXT,
    sha256    TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (exercice, bordereau, piece)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS pes_regularisation_requests_fixed
BEFORE UPDATE ON pes_regularisation_requests
BEGIN SELECT RAISE(ABORT, 'a regularisation request is kept as received'); END;
CREATE TRIGGER IF NOT EXISTS pes_regularisation_requests_kept
BEFORE DELETE ON pes_regularisation_requests
BEGIN SELECT RAISE(ABORT, 'a regularisation request is kept as received'); END;
CREATE TABLE IF NOT EXISTS run_claim_releases (
    run_id    TEXT NOT NULL REFERENCES runs (id),
    right_id  TEXT NOT NULL,
    month     TEXT NOT NULL,
    exercice  INTEGER NOT NULL,
    bordereau INTEGER NOT NULL,
    piece     INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (run_id, right_id, month)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS run_claim_releases_only_rejected
BEFORE INSERT ON run_claim_releases
WHEN NOT EXISTS (
    SELECT 1 FROM pes_return_pieces p
    WHERE p.exercice = NEW.exercice AND p.bordereau = NEW.bordereau AND p.piece = NEW.piece
      AND p.run_id = NEW.run_id AND p.outcome = 'rejected')
  OR EXISTS (
    SELECT 1 FROM pes_return_pieces p
    WHERE p.exercice = NEW.exercice AND p.bordereau = NEW.bordereau AND p.piece = NEW.piece
      AND p.outcome = 'paid')
BEGIN SELECT RAISE(ABORT, 'a claim is released only for a mandat the accountant rejected and never paid'); END;
CREATE TRIGGER IF NOT EXISTS run_claim_releases_fixed BEFORE UPDATE ON run_claim_releases
BEGIN SELECT RAISE(ABORT, 'a release is kept as made'); END;
CREATE TRIGGER IF NOT EXISTS run_claim_releases_kept BEFORE DELETE ON run_claim_releases
BEGIN SELECT RAISE(ABORT, 'a release is kept as made'); END;
DROP TRIGGER IF EXISTS run_claims_kept;
CREATE TRIGGER IF NOT EXISTS run_claims_kept BEFORE DELETE ON run_claims
WHEN (OLD.run_id IS NULL OR (SELECT status FROM runs WHERE id = OLD.run_id) <> 'prepared')
  AND NOT EXISTS (SELECT 1 FROM run_claim_releases r
      WHERE r.run_id = OLD.run_id AND r.right_id = OLD.right_id AND r.month = OLD.month)
BEGIN SELECT RAISE(ABORT, 'claims of the history, or of a validated or cancelled run, are never freed'); END;
-- A supplier run's claim goes only with its prepared run, or when the return rejected its
-- mandat.
CREATE TRIGGER IF NOT EXISTS supplier_claims_kept BEFORE DELETE ON supplier_claims
WHEN (SELECT status FROM runs WHERE id = OLD.run_id) <> 'prepared'
  AND NOT EXISTS (
    SELECT 1 FROM supplier_mandates m
    JOIN pes_return_pieces p ON p.run_id = m.run_id AND p.k = m.n AND p.outcome = 'rejected'
    WHERE m.run_id = OLD.run_id AND m.invoice = OLD.invoice AND m.kind = OLD.kind)
BEGIN SELECT RAISE(ABORT, 'claims of a validated run are freed only by the accountant''s rejection'); END;
"#,
    // 32: a run's regularisation by mandats émis après paiement (issue #24, TypPce 05): the
    // bordereau and mandate numbers it took from the exercice's numbering, the SHA-256 of the
    // PES file written with them and its journal entry. Kept for good: asking again gives the
    // same file back.
    r#"
CREATE TABLE IF NOT EXISTS run_regularisations (
    run_id         TEXT PRIMARY KEY REFERENCES runs (id),
    exercice       INTEGER NOT NULL CHECK (exercice BETWEEN 2000 AND 2999),
    bordereau      INTEGER NOT NULL CHECK (bordereau >= 1),
    last_bordereau INTEGER NOT NULL CHECK (last_bordereau >= bordereau),
    first_mandate  INTEGER NOT NULL CHECK (first_mandate >= 1),
    last_mandate   INTEGER NOT NULL CHECK (last_mandate >= first_mandate),
    sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
    journal_seq    INTEGER NOT NULL,
    regularised_by TEXT NOT NULL,
    regularised_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS run_regularisations_fixed BEFORE UPDATE ON run_regularisations
BEGIN SELECT RAISE(ABORT, 'a run''s regularisation never changes'); END;
CREATE TRIGGER IF NOT EXISTS run_regularisations_kept BEFORE DELETE ON run_regularisations
BEGIN SELECT RAISE(ABORT, 'a run''s regularisation is never deleted'); END;
"#,
];
