//! SQLite's reads and writes of a return's transaction (see [`ReturnTx`]).

use super::{
    Before, Candidate, InvoiceStep, KeptPiece, PieceRow, ReleaseRow, RequestRow, ReturnTx,
};
use crate::StoreError;
use crate::pes_return::{AppliedBefore, ReturnFile};
use crate::runs::{RunLine, RunStoreError};
use crate::sqlite::invoices::{amount_of, steps_of};
use crate::sqlite::{blocks, journal, users};
use relais_core::Cents;
use relais_core::invoices::lifecycle::Step;
use relais_core::journal::Entry;
use relais_core::roles::Role;
use rusqlite::{Connection, OptionalExtension, params};

/// The return's transaction (begun `IMMEDIATE`).
pub(super) struct Tx<'a>(pub(super) &'a Connection);

impl ReturnTx for Tx<'_> {
    fn require(&mut self, actor: &str, roles: &[Role]) -> Result<(), StoreError> {
        users::require_any(self.0, actor, roles)
    }

    fn applied_before(&mut self, sha256: &str) -> Result<Option<AppliedBefore>, StoreError> {
        Ok(self
            .0
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

    fn kept_pieces(&mut self, sha256: &str) -> Result<Vec<KeptPiece>, StoreError> {
        let mut stmt = self.0.prepare(
            "SELECT exercice, bordereau, piece, state, detail FROM pes_return_pieces
             WHERE sha256 = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([sha256], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn next_seq(&mut self) -> Result<u64, StoreError> {
        journal::next_seq(self.0)
    }

    fn append(
        &mut self,
        actor: &str,
        kind: &str,
        payload: &serde_json::Value,
    ) -> Result<Entry, StoreError> {
        journal::append(self.0, actor, kind, payload)
    }

    fn insert_return(
        &mut self,
        file: &ReturnFile<'_>,
        actor: &str,
        seq: u64,
    ) -> Result<(), StoreError> {
        self.0.execute(
            "INSERT INTO pes_returns (sha256, name, seq, read_by, read_at, pieces)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                file.sha256,
                file.name,
                seq,
                actor,
                file.local_time,
                file.pieces.len()
            ],
        )?;
        Ok(())
    }

    fn candidate(
        &mut self,
        exercice: i16,
        id: u32,
        bordereau: u32,
    ) -> Result<Option<Candidate>, StoreError> {
        Ok(self
            .0
            .prepare_cached(
                "SELECT r.id, r.bordereau, r.first_mandate,
                        coalesce(json_extract(r.summary, '$.mandates'), 0), r.month,
                        EXISTS (SELECT 1 FROM supplier_runs s WHERE s.run_id = r.id),
                        EXISTS (SELECT 1 FROM payroll_runs p WHERE p.run_id = r.id)
                 FROM runs r
                 WHERE r.exercice = ?1 AND r.status = 'validated' AND r.first_mandate <= ?2
                   AND r.bordereau <= ?3
                 ORDER BY r.first_mandate DESC LIMIT 1",
            )?
            .query_row(params![exercice, id, bordereau], |r| {
                Ok(Candidate {
                    run: r.get(0)?,
                    bordereau: r.get(1)?,
                    first_mandate: r.get(2)?,
                    mandates: r.get(3)?,
                    month: r.get(4)?,
                    supplier: r.get(5)?,
                    payroll: r.get(6)?,
                })
            })
            .optional()?)
    }

    fn each_run_line(
        &mut self,
        run: &str,
        each: &mut dyn FnMut(&RunLine) -> Result<(), RunStoreError>,
    ) -> Result<(), RunStoreError> {
        blocks::each_line(self.0, run, false, each)
    }

    fn insert_request(&mut self, row: &RequestRow<'_>) -> Result<(), StoreError> {
        self.0
            .prepare_cached(
                "INSERT OR IGNORE INTO pes_regularisation_requests (exercice, bordereau, piece,
                     typ_pce, nat_pce, object, amount, paid_on, sha256, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                row.exercice,
                row.bordereau,
                row.piece,
                row.typ_pce,
                row.nat_pce,
                row.object,
                row.amount,
                row.paid_on,
                row.sha256,
                row.seq,
            ])?;
        Ok(())
    }

    fn insert_piece(&mut self, row: &PieceRow<'_>) -> Result<(), StoreError> {
        self.0
            .prepare_cached(
                "INSERT INTO pes_return_pieces (sha256, seq, exercice, bordereau, typ_bord,
                     piece, typ_pce, nat_pce, state, run_id, k, outcome, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                row.sha256,
                row.seq,
                row.exercice,
                row.bordereau,
                row.typ_bord,
                row.piece,
                row.typ_pce,
                row.nat_pce,
                row.state,
                row.run,
                row.k,
                row.outcome,
                row.detail,
            ])?;
        Ok(())
    }

    fn before(&mut self, exercice: i64, bordereau: i64, piece: i64) -> Result<Before, StoreError> {
        let key = params![exercice, bordereau, piece];
        let settled = self
            .0
            .prepare_cached(
                "SELECT outcome, detail FROM pes_return_pieces
                 WHERE exercice = ?1 AND bordereau = ?2 AND piece = ?3
                   AND outcome IN ('paid', 'rejected')
                 LIMIT 1",
            )?
            .query_row(key, |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let last_state = self
            .0
            .prepare_cached(
                "SELECT state FROM pes_return_pieces
                 WHERE exercice = ?1 AND bordereau = ?2 AND piece = ?3
                   AND outcome NOT IN ('unknown', 'refused')
                 ORDER BY id DESC LIMIT 1",
            )?
            .query_row(key, |r| r.get(0))
            .optional()?;
        Ok(Before {
            settled,
            last_state,
        })
    }

    fn supplier_mandate(
        &mut self,
        run: &str,
        k: u32,
    ) -> Result<Option<(String, String)>, StoreError> {
        Ok(self
            .0
            .prepare_cached(
                "SELECT invoice, kind FROM supplier_mandates WHERE run_id = ?1 AND n = ?2",
            )?
            .query_row(params![run, k], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn invoice_amount(&mut self, invoice: &str) -> Result<Option<Cents>, StoreError> {
        amount_of(self.0, invoice)
    }

    fn invoice_steps(&mut self, invoice: &str) -> Result<Vec<Step>, StoreError> {
        steps_of(self.0, invoice)
    }

    fn insert_invoice_step(&mut self, s: &InvoiceStep<'_>) -> Result<(), StoreError> {
        self.0
            .prepare_cached(
                "INSERT INTO invoice_steps (invoice, kind, step, actor, on_date, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![s.invoice, s.kind, s.step, s.actor, s.on_date, s.at])?;
        Ok(())
    }

    fn release_supplier_claim(
        &mut self,
        invoice: &str,
        kind: &str,
        run: &str,
    ) -> Result<(), StoreError> {
        self.0
            .prepare_cached(
                "DELETE FROM supplier_claims WHERE invoice = ?1 AND kind = ?2 AND run_id = ?3",
            )?
            .execute(params![invoice, kind, run])?;
        Ok(())
    }

    fn release_right(&mut self, row: &ReleaseRow<'_>) -> Result<u64, StoreError> {
        self.0
            .prepare_cached(
                "INSERT INTO run_claim_releases (run_id, right_id, month, exercice, bordereau,
                     piece, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                row.run,
                row.right,
                row.month,
                row.exercice,
                row.bordereau,
                row.piece,
                row.seq
            ])?;
        let deleted = self
            .0
            .prepare_cached(
                "DELETE FROM run_claims WHERE right_id = ?1 AND month = ?2 AND run_id = ?3",
            )?
            .execute(params![row.right, row.month, row.run])?;
        Ok(deleted as u64)
    }
}
