//! The accountant's return (see [`crate::pes_return`]): one transaction per file, its pieces
//! matched with the runs' mandats, each piece's state kept, then one journal entry.
//!
//! The steps are the same on every backend: [`apply_return`] runs them over a
//! [`ReturnTx`], the few reads and writes a backend gives in its own SQL (SQLite's in
//! `pes_return/sqlite.rs`, PostgreSQL's in `postgres/pes_return/`).

mod effects;
mod matching;
mod sqlite;

use super::SqliteStore;
use super::decode::{corrupt, date};
use crate::StoreError;
use crate::pes_return::{
    AppliedBefore, PesReturnStore, PieceOutcome, PieceReport, RegularisationRequest, ReturnApplied,
    ReturnFile,
};
use crate::runs::{RunLine, RunStoreError};
pub(crate) use effects::{Before, InvoiceStep};
use effects::{Plan, plan_piece};
pub(crate) use matching::{Candidate, Matched};
use matching::{match_piece, rights_of_mandates};
use relais_core::Cents;
use relais_core::invoices::lifecycle::Step;
use relais_core::journal::Entry;
use relais_core::roles::Role;
use relais_formats::pes_return::{BordereauType, LineColumn, PieceState, ReturnedPiece};
use rusqlite::TransactionBehavior;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// Who may read the accountant's return into the store.
const ROLES: &[Role] = &[Role::Liquidation, Role::Ordonnateur, Role::Admin];

/// A returned piece as kept (`pes_return_pieces`), its columns ready to bind.
pub(crate) struct PieceRow<'a> {
    pub(crate) sha256: &'a str,
    pub(crate) seq: i64,
    pub(crate) exercice: i64,
    pub(crate) bordereau: i64,
    pub(crate) typ_bord: &'a str,
    pub(crate) piece: i64,
    pub(crate) typ_pce: i64,
    pub(crate) nat_pce: i64,
    pub(crate) state: &'a str,
    pub(crate) run: Option<&'a str>,
    pub(crate) k: Option<i64>,
    pub(crate) outcome: &'a str,
    pub(crate) detail: String,
}

/// A regularisation request as kept (`pes_regularisation_requests`), ready to bind.
pub(crate) struct RequestRow<'a> {
    pub(crate) exercice: i64,
    pub(crate) bordereau: i64,
    pub(crate) piece: i64,
    pub(crate) typ_pce: i64,
    pub(crate) nat_pce: i64,
    pub(crate) object: Option<&'a str>,
    pub(crate) amount: i64,
    pub(crate) paid_on: Option<String>,
    pub(crate) sha256: &'a str,
    pub(crate) seq: i64,
}

/// A claim of a benefit run's right to release, ready to bind (`run_claim_releases`).
pub(crate) struct ReleaseRow<'a> {
    pub(crate) run: &'a str,
    pub(crate) right: &'a str,
    pub(crate) month: &'a str,
    pub(crate) exercice: i64,
    pub(crate) bordereau: i64,
    pub(crate) piece: i64,
    pub(crate) seq: i64,
}

/// A kept piece as read back: exercice, bordereau, piece, state code, detail.
pub(crate) type KeptPiece = (i64, i64, i64, String, String);

/// The reads and writes of a return's transaction, in a backend's SQL (begun as a writer).
pub(crate) trait ReturnTx {
    fn require(&mut self, actor: &str, roles: &[Role]) -> Result<(), StoreError>;
    fn applied_before(&mut self, sha256: &str) -> Result<Option<AppliedBefore>, StoreError>;
    /// The pieces kept for the file `sha256`, in the order they were applied.
    fn kept_pieces(&mut self, sha256: &str) -> Result<Vec<KeptPiece>, StoreError>;
    fn next_seq(&mut self) -> Result<u64, StoreError>;
    fn append(
        &mut self,
        actor: &str,
        kind: &str,
        payload: &serde_json::Value,
    ) -> Result<Entry, StoreError>;
    fn insert_return(
        &mut self,
        file: &ReturnFile<'_>,
        actor: &str,
        seq: u64,
    ) -> Result<(), StoreError>;
    /// The validated run of `exercice` whose numbers may hold mandat `id` of bordereau
    /// `bordereau` (see [`matching`]).
    fn candidate(
        &mut self,
        exercice: i16,
        id: u32,
        bordereau: u32,
    ) -> Result<Option<Candidate>, StoreError>;
    /// Each mandated line of run `run` (not the CAF's), in order.
    fn each_run_line(
        &mut self,
        run: &str,
        each: &mut dyn FnMut(&RunLine) -> Result<(), RunStoreError>,
    ) -> Result<(), RunStoreError>;
    /// Keeps a regularisation request (a repeated one changes nothing).
    fn insert_request(&mut self, row: &RequestRow<'_>) -> Result<(), StoreError>;
    fn insert_piece(&mut self, row: &PieceRow<'_>) -> Result<(), StoreError>;
    /// What earlier returns made of mandat `piece`.
    fn before(&mut self, exercice: i64, bordereau: i64, piece: i64) -> Result<Before, StoreError>;
    /// The invoice and kind of a supplier run's mandat `k`.
    fn supplier_mandate(
        &mut self,
        run: &str,
        k: u32,
    ) -> Result<Option<(String, String)>, StoreError>;
    fn invoice_amount(&mut self, invoice: &str) -> Result<Option<Cents>, StoreError>;
    fn invoice_steps(&mut self, invoice: &str) -> Result<Vec<Step>, StoreError>;
    fn insert_invoice_step(&mut self, step: &InvoiceStep<'_>) -> Result<(), StoreError>;
    fn release_supplier_claim(
        &mut self,
        invoice: &str,
        kind: &str,
        run: &str,
    ) -> Result<(), StoreError>;
    /// Records the release, then deletes the claim; how many claims went.
    fn release_right(&mut self, row: &ReleaseRow<'_>) -> Result<u64, StoreError>;
}

fn state_of(code: &str) -> Result<PieceState, StoreError> {
    Ok(match code {
        "01" => PieceState::OnHold,
        "02" => PieceState::TakenInCharge,
        "04" => PieceState::Rejected,
        "05" => PieceState::Settled,
        other => return Err(corrupt("returned piece state", other)),
    })
}

fn outcome_code(o: &PieceOutcome) -> &'static str {
    match o {
        PieceOutcome::Paid { .. } => "paid",
        PieceOutcome::Rejected { .. } => "rejected",
        PieceOutcome::TakenInCharge { .. } => "taken",
        PieceOutcome::OnHold { .. } => "on_hold",
        PieceOutcome::AlreadyKnown { .. } => "known",
        PieceOutcome::Refused { .. } => "refused",
        PieceOutcome::Unknown => "unknown",
        PieceOutcome::Request { .. } => "request",
    }
}

fn number<T: TryFrom<i64>>(v: i64, what: &str) -> Result<T, StoreError> {
    T::try_from(v).map_err(|_| corrupt(what, &v.to_string()))
}

/// The pieces of the file `sha256` as they were applied.
fn reports_of(tx: &mut impl ReturnTx, sha256: &str) -> Result<Vec<PieceReport>, StoreError> {
    let mut out = Vec::new();
    for (exercice, bordereau, piece, state, detail) in tx.kept_pieces(sha256)? {
        let (outcome, at): (PieceOutcome, (u64, u64)) = serde_json::from_str(&detail)
            .map_err(|e| corrupt("returned piece detail", &e.to_string()))?;
        out.push(PieceReport {
            exercice: number(exercice, "returned piece exercice")?,
            bordereau: number(bordereau, "returned piece bordereau")?,
            piece: piece.try_into().unwrap_or(0),
            state: state_of(&state)?,
            at: LineColumn {
                line: at.0,
                column: at.1,
            },
            outcome,
        });
    }
    Ok(out)
}

fn piece_id(piece: &ReturnedPiece) -> i64 {
    i64::try_from(piece.id).unwrap_or(i64::MAX)
}

/// Keeps `piece`'s state and what became of it.
fn insert_piece(
    tx: &mut impl ReturnTx,
    file: &ReturnFile<'_>,
    seq: u64,
    piece: &ReturnedPiece,
    run: Option<&Matched>,
    outcome: &PieceOutcome,
) -> Result<(), StoreError> {
    let detail = serde_json::to_string(&(outcome, (piece.at.line, piece.at.column)))
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.insert_piece(&PieceRow {
        sha256: file.sha256,
        seq: i64::try_from(seq).unwrap_or(i64::MAX),
        exercice: i64::from(piece.bordereau.exercice),
        bordereau: i64::from(piece.bordereau.id),
        typ_bord: piece.bordereau.kind.code(),
        piece: piece_id(piece),
        typ_pce: i64::from(piece.kind),
        nat_pce: i64::from(piece.nature),
        state: piece.state.code(),
        run: run.map(|m| m.run.as_str()),
        k: run.map(|m| i64::from(m.k)),
        outcome: outcome_code(outcome),
        detail,
    })
}

/// Records a regularisation request (once: a later return repeating it changes nothing).
fn insert_request(
    tx: &mut impl ReturnTx,
    file: &ReturnFile<'_>,
    seq: u64,
    piece: &ReturnedPiece,
) -> Result<(), StoreError> {
    tx.insert_request(&RequestRow {
        exercice: i64::from(piece.bordereau.exercice),
        bordereau: i64::from(piece.bordereau.id),
        piece: piece_id(piece),
        typ_pce: i64::from(piece.kind),
        nat_pce: i64::from(piece.nature),
        object: piece.object.as_deref(),
        amount: piece.amount().0,
        paid_on: piece.paid().map(|(d, _)| d.to_string()),
        sha256: file.sha256,
        seq: i64::try_from(seq).unwrap_or(i64::MAX),
    })
}

fn apply(
    tx: &mut impl ReturnTx,
    actor: &str,
    file: &ReturnFile<'_>,
) -> Result<(Vec<PieceReport>, serde_json::Value, u64), StoreError> {
    let seq = tx.next_seq()?;
    // First pass: the benefit runs' mandats the file rejects, and their rights, read once
    // per run.
    let mut matched: Vec<Option<Matched>> = Vec::with_capacity(file.pieces.len());
    let mut wanted: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    for piece in file.pieces {
        let m = if piece.bordereau.kind == BordereauType::Regularisation {
            None
        } else {
            match_piece(tx, piece)?
        };
        if let Some(m) = &m
            && piece.state == PieceState::Rejected
            && m.of == crate::pes_return::MandateOf::Benefits
        {
            wanted.entry(m.run.clone()).or_default().insert(m.k);
        }
        matched.push(m);
    }
    let rights = rights_of_mandates(tx, &wanted)?;
    let mut reports = Vec::with_capacity(file.pieces.len());
    let mut journal_pieces = Vec::new();
    let mut released_total = 0u64;
    for (piece, m) in file.pieces.iter().zip(matched) {
        let outcome = if piece.is_regularisation_request() {
            insert_request(tx, file, seq, piece)?;
            let outcome = PieceOutcome::Request {
                typ_pce: piece.kind,
                amount: piece.amount(),
                object: piece.object.clone(),
            };
            insert_piece(tx, file, seq, piece, None, &outcome)?;
            outcome
        } else if let Some(m) = m {
            let plan: Plan = plan_piece(tx, file, piece, &m, &rights)?;
            insert_piece(tx, file, seq, piece, Some(&m), &plan.outcome)?;
            released_total += plan.execute(tx, actor, file, piece, &m, seq)?;
            plan.outcome
        } else {
            let outcome = PieceOutcome::Unknown;
            insert_piece(tx, file, seq, piece, None, &outcome)?;
            outcome
        };
        if !matches!(
            outcome,
            PieceOutcome::AlreadyKnown { .. } | PieceOutcome::TakenInCharge { .. }
        ) {
            journal_pieces.push(json!({
                "exercice": piece.bordereau.exercice,
                "bordereau": piece.bordereau.id,
                "piece": piece.id,
                "etat": piece.state.code(),
                "effet": outcome,
            }));
        }
        reports.push(PieceReport {
            exercice: piece.bordereau.exercice,
            bordereau: piece.bordereau.id,
            piece: piece.id,
            state: piece.state,
            at: piece.at,
            outcome,
        });
    }
    let count = |code: &str| {
        reports
            .iter()
            .filter(|r| outcome_code(&r.outcome) == code)
            .count()
    };
    let payload = json!({
        "file": file.name,
        "sha256": file.sha256,
        "pieces": file.pieces.len(),
        "paid": count("paid"),
        "rejected": count("rejected"),
        "taken_in_charge": count("taken"),
        "unknown": count("unknown"),
        "refused": count("refused"),
        "requests": count("request"),
        "released_rights": released_total,
        "changes": journal_pieces,
    });
    Ok((reports, payload, seq))
}

/// Applies the return `file` for `actor` in the caller's writing transaction, which the
/// caller commits: the file once, its journal entry, or what it made before.
pub(crate) fn apply_return(
    tx: &mut impl ReturnTx,
    actor: &str,
    file: &ReturnFile<'_>,
) -> Result<ReturnApplied, StoreError> {
    tx.require(actor, ROLES)?;
    if let Some(before) = tx.applied_before(file.sha256)? {
        let pieces = reports_of(tx, file.sha256)?;
        return Ok(ReturnApplied {
            pieces,
            entry: None,
            before: Some(before),
        });
    }
    let (pieces, payload, expected) = apply(tx, actor, file)?;
    let entry = tx.append(actor, "pes_return", &payload)?;
    if entry.seq != expected {
        return Err(StoreError::Corrupt(format!(
            "return applied as journal entry {expected}, written as {}",
            entry.seq
        )));
    }
    tx.insert_return(file, actor, entry.seq)?;
    Ok(ReturnApplied {
        pieces,
        entry: Some(entry),
        before: None,
    })
}

/// The regularisation requests, in order (no parameter: the same text on every backend).
pub(crate) const REQUESTS: &str = "
SELECT exercice, bordereau, piece, typ_pce, nat_pce, object, amount, paid_on, sha256, seq
FROM pes_regularisation_requests ORDER BY exercice, bordereau, piece";

/// A row of [`REQUESTS`], as read.
pub(crate) type RawRequest = (
    i64,
    i64,
    i64,
    i64,
    i64,
    Option<String>,
    i64,
    Option<String>,
    String,
    i64,
);

pub(crate) fn request_of(raw: RawRequest) -> Result<RegularisationRequest, StoreError> {
    let (exercice, bordereau, piece, typ_pce, nat_pce, object, amount, paid_on, sha256, seq) = raw;
    Ok(RegularisationRequest {
        exercice: number(exercice, "regularisation request exercice")?,
        bordereau: number(bordereau, "regularisation request bordereau")?,
        piece: piece.try_into().unwrap_or(0),
        typ_pce: number(typ_pce, "regularisation request TypPce")?,
        nat_pce: number(nat_pce, "regularisation request NatPce")?,
        object,
        amount: Cents(amount),
        paid_on: paid_on
            .map(|d| date("regularisation payment day", &d))
            .transpose()?,
        sha256,
        seq: number(seq, "regularisation request journal seq")?,
    })
}

impl PesReturnStore for SqliteStore {
    fn apply_pes_return(
        &mut self,
        actor: &str,
        file: &ReturnFile<'_>,
    ) -> Result<ReturnApplied, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let applied = apply_return(&mut sqlite::Tx(&tx), actor, file)?;
        tx.commit()?;
        Ok(applied)
    }

    fn regularisation_requests(&self) -> Result<Vec<RegularisationRequest>, StoreError> {
        let mut stmt = self.conn.prepare(REQUESTS)?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(request_of((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))?);
        }
        Ok(out)
    }
}
