//! The accountant's return in SQLite (see [`crate::pes_return`]): one transaction per file,
//! its pieces matched with the runs' mandats, each piece's state kept, then one journal entry.

mod effects;
mod matching;

use super::decode::{corrupt, date};
use super::{SqliteStore, journal, users};
use crate::StoreError;
use crate::pes_return::{
    AppliedBefore, PesReturnStore, PieceOutcome, PieceReport, RegularisationRequest, ReturnApplied,
    ReturnFile,
};
use effects::{Plan, plan_piece};
use matching::{Matched, match_piece, rights_of_mandates};
use relais_core::Cents;
use relais_core::roles::Role;
use relais_formats::pes_return::{BordereauType, LineColumn, PieceState, ReturnedPiece};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// Who may read the accountant's return into the store.
const ROLES: &[Role] = &[Role::Liquidation, Role::Ordonnateur, Role::Admin];

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

fn applied_before(conn: &Connection, sha256: &str) -> Result<Option<AppliedBefore>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT seq, read_by, read_at FROM pes_returns WHERE sha256 = ?1",
            [sha256],
            |r| {
                Ok(AppliedBefore {
                    seq: r.get(0)?,
                    by: r.get(1)?,
                    at: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// The pieces of the file `sha256` as they were applied.
fn reports_of(conn: &Connection, sha256: &str) -> Result<Vec<PieceReport>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT exercice, bordereau, piece, state, detail FROM pes_return_pieces
         WHERE sha256 = ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([sha256])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let detail: String = r.get(4)?;
        let (outcome, at): (PieceOutcome, (u64, u64)) = serde_json::from_str(&detail)
            .map_err(|e| corrupt("returned piece detail", &e.to_string()))?;
        out.push(PieceReport {
            exercice: r.get(0)?,
            bordereau: r.get(1)?,
            piece: r.get::<_, i64>(2)?.try_into().unwrap_or(0),
            state: state_of(&r.get::<_, String>(3)?)?,
            at: LineColumn {
                line: at.0,
                column: at.1,
            },
            outcome,
        });
    }
    Ok(out)
}

/// Keeps `piece`'s state and what became of it.
fn insert_piece(
    tx: &Connection,
    file: &ReturnFile<'_>,
    seq: u64,
    piece: &ReturnedPiece,
    run: Option<&Matched>,
    outcome: &PieceOutcome,
) -> Result<(), StoreError> {
    let detail = serde_json::to_string(&(outcome, (piece.at.line, piece.at.column)))
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO pes_return_pieces (sha256, seq, exercice, bordereau, typ_bord, piece,
             typ_pce, nat_pce, state, run_id, k, outcome, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        file.sha256,
        seq,
        piece.bordereau.exercice,
        piece.bordereau.id,
        piece.bordereau.kind.code(),
        i64::try_from(piece.id).unwrap_or(i64::MAX),
        piece.kind,
        piece.nature,
        piece.state.code(),
        run.map(|m| m.run.as_str()),
        run.map(|m| m.k),
        outcome_code(outcome),
        detail,
    ])?;
    Ok(())
}

/// Records a regularisation request (once: a later return repeating it changes nothing).
fn insert_request(
    tx: &Connection,
    file: &ReturnFile<'_>,
    seq: u64,
    piece: &ReturnedPiece,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO pes_regularisation_requests (exercice, bordereau, piece, typ_pce,
             nat_pce, object, amount, paid_on, sha256, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        piece.bordereau.exercice,
        piece.bordereau.id,
        i64::try_from(piece.id).unwrap_or(i64::MAX),
        piece.kind,
        piece.nature,
        piece.object,
        piece.amount().0,
        piece.paid().map(|(d, _)| d.to_string()),
        file.sha256,
        seq,
    ])?;
    Ok(())
}

fn apply(
    tx: &Connection,
    actor: &str,
    file: &ReturnFile<'_>,
) -> Result<(Vec<PieceReport>, serde_json::Value), StoreError> {
    let seq = journal::next_seq(tx)?;
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
        "seq_expected": seq,
    });
    Ok((reports, payload))
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
        users::require_any(&tx, actor, ROLES)?;
        if let Some(before) = applied_before(&tx, file.sha256)? {
            let pieces = reports_of(&tx, file.sha256)?;
            return Ok(ReturnApplied {
                pieces,
                entry: None,
                before: Some(before),
            });
        }
        let (pieces, mut payload) = apply(&tx, actor, file)?;
        let expected = payload["seq_expected"].as_u64().unwrap_or(0);
        if let Some(map) = payload.as_object_mut() {
            map.remove("seq_expected");
        }
        let entry = journal::append(&tx, actor, "pes_return", &payload)?;
        if entry.seq != expected {
            return Err(StoreError::Corrupt(format!(
                "return applied as journal entry {expected}, written as {}",
                entry.seq
            )));
        }
        tx.execute(
            "INSERT INTO pes_returns (sha256, name, seq, read_by, read_at, pieces)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                file.sha256,
                file.name,
                entry.seq,
                actor,
                file.local_time,
                file.pieces.len()
            ],
        )?;
        tx.commit()?;
        Ok(ReturnApplied {
            pieces,
            entry: Some(entry),
            before: None,
        })
    }

    fn regularisation_requests(&self) -> Result<Vec<RegularisationRequest>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT exercice, bordereau, piece, typ_pce, nat_pce, object, amount, paid_on,
                    sha256, seq
             FROM pes_regularisation_requests ORDER BY exercice, bordereau, piece",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(RegularisationRequest {
                exercice: r.get(0)?,
                bordereau: r.get(1)?,
                piece: r.get::<_, i64>(2)?.try_into().unwrap_or(0),
                typ_pce: r.get(3)?,
                nat_pce: r.get(4)?,
                object: r.get(5)?,
                amount: Cents(r.get(6)?),
                paid_on: r
                    .get::<_, Option<String>>(7)?
                    .map(|d| date("regularisation payment day", &d))
                    .transpose()?,
                sha256: r.get(8)?,
                seq: r.get(9)?,
            });
        }
        Ok(out)
    }
}
