//! PostgreSQL's reads and writes of a return's transaction (see `sqlite/pes_return.rs`,
//! [`ReturnTx`]), inside the transaction [`super::super::write`] began.

use super::super::invoices::{amount_of, steps_of};
use super::super::runs::each_block_line_in;
use super::super::{journal, users};
use crate::StoreError;
use crate::pes_return::{AppliedBefore, ReturnFile};
use crate::runs::{RunLine, RunStoreError};
use crate::sqlite::pes_return::{
    Before, Candidate, InvoiceStep, KeptPiece, PieceRow, ReleaseRow, RequestRow, ReturnTx,
};
use postgres::{Row, Transaction};
use relais_core::Cents;
use relais_core::invoices::lifecycle::Step;
use relais_core::journal::Entry;
use relais_core::roles::Role;

fn u32_of(r: &Row, i: usize, what: &str) -> Result<u32, StoreError> {
    let v: i64 = r.try_get(i)?;
    u32::try_from(v).map_err(|_| crate::sqlite::decode::corrupt(what, &v.to_string()))
}

fn u64_of(v: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| crate::sqlite::decode::corrupt(what, &v.to_string()))
}

impl ReturnTx for Transaction<'_> {
    fn require(&mut self, actor: &str, roles: &[Role]) -> Result<(), StoreError> {
        users::require_any(self, actor, roles).map(|_| ())
    }

    fn applied_before(&mut self, sha256: &str) -> Result<Option<AppliedBefore>, StoreError> {
        self.query_opt(
            "SELECT seq, read_by, read_at FROM pes_returns WHERE sha256 = $1",
            &[&sha256],
        )?
        .map(|r| {
            Ok(AppliedBefore {
                seq: u64_of(r.try_get(0)?, "return journal seq")?,
                by: r.try_get(1)?,
                at: r.try_get(2)?,
            })
        })
        .transpose()
    }

    fn kept_pieces(&mut self, sha256: &str) -> Result<Vec<KeptPiece>, StoreError> {
        self.query(
            "SELECT exercice, bordereau, piece, state, detail FROM pes_return_pieces
             WHERE sha256 = $1 ORDER BY id",
            &[&sha256],
        )?
        .iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
            ))
        })
        .collect()
    }

    fn next_seq(&mut self) -> Result<u64, StoreError> {
        journal::next_seq(self)
    }

    fn append(
        &mut self,
        actor: &str,
        kind: &str,
        payload: &serde_json::Value,
    ) -> Result<Entry, StoreError> {
        journal::append(self, actor, kind, payload)
    }

    fn insert_return(
        &mut self,
        file: &ReturnFile<'_>,
        actor: &str,
        seq: u64,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO pes_returns (sha256, name, seq, read_by, read_at, pieces)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &file.sha256,
                &file.name,
                &i64::try_from(seq).unwrap_or(i64::MAX),
                &actor,
                &file.local_time,
                &i64::try_from(file.pieces.len()).unwrap_or(i64::MAX),
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
        // The run's summary is JSON text, as on SQLite.
        self.query_opt(
            "SELECT r.id, r.bordereau, r.first_mandate,
                    coalesce((r.summary::jsonb ->> 'mandates')::BIGINT, 0), r.month,
                    EXISTS (SELECT 1 FROM supplier_runs s WHERE s.run_id = r.id),
                    EXISTS (SELECT 1 FROM payroll_runs p WHERE p.run_id = r.id)
             FROM runs r
             WHERE r.exercice = $1 AND r.status = 'validated' AND r.first_mandate <= $2
               AND r.bordereau <= $3
             ORDER BY r.first_mandate DESC LIMIT 1",
            &[&i64::from(exercice), &i64::from(id), &i64::from(bordereau)],
        )?
        .map(|r| {
            Ok(Candidate {
                run: r.try_get(0)?,
                bordereau: u32_of(&r, 1, "run bordereau")?,
                first_mandate: u32_of(&r, 2, "run first mandate")?,
                mandates: u64_of(r.try_get(3)?, "run mandates")?,
                month: r.try_get(4)?,
                supplier: r.try_get(5)?,
                payroll: r.try_get(6)?,
            })
        })
        .transpose()
    }

    fn each_run_line(
        &mut self,
        run: &str,
        each: &mut dyn FnMut(&RunLine) -> Result<(), RunStoreError>,
    ) -> Result<(), RunStoreError> {
        each_block_line_in(self, run, false, each)
    }

    fn insert_request(&mut self, row: &RequestRow<'_>) -> Result<(), StoreError> {
        // A request repeated by a later return changes nothing.
        self.execute(
            "INSERT INTO pes_regularisation_requests (exercice, bordereau, piece, typ_pce,
                 nat_pce, object, amount, paid_on, sha256, seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT DO NOTHING",
            &[
                &row.exercice,
                &row.bordereau,
                &row.piece,
                &row.typ_pce,
                &row.nat_pce,
                &row.object,
                &row.amount,
                &row.paid_on,
                &row.sha256,
                &row.seq,
            ],
        )?;
        Ok(())
    }

    fn insert_piece(&mut self, row: &PieceRow<'_>) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO pes_return_pieces (sha256, seq, exercice, bordereau, typ_bord, piece,
                 typ_pce, nat_pce, state, run_id, k, outcome, detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            &[
                &row.sha256,
                &row.seq,
                &row.exercice,
                &row.bordereau,
                &row.typ_bord,
                &row.piece,
                &row.typ_pce,
                &row.nat_pce,
                &row.state,
                &row.run,
                &row.k,
                &row.outcome,
                &row.detail,
            ],
        )?;
        Ok(())
    }

    fn before(&mut self, exercice: i64, bordereau: i64, piece: i64) -> Result<Before, StoreError> {
        let key: [&(dyn postgres::types::ToSql + Sync); 3] = [&exercice, &bordereau, &piece];
        let settled = self
            .query_opt(
                "SELECT outcome, detail FROM pes_return_pieces
                 WHERE exercice = $1 AND bordereau = $2 AND piece = $3
                   AND outcome IN ('paid', 'rejected')
                 LIMIT 1",
                &key,
            )?
            .map(|r| Ok::<_, StoreError>((r.try_get(0)?, r.try_get(1)?)))
            .transpose()?;
        let last_state = self
            .query_opt(
                "SELECT state FROM pes_return_pieces
                 WHERE exercice = $1 AND bordereau = $2 AND piece = $3
                   AND outcome NOT IN ('unknown', 'refused')
                 ORDER BY id DESC LIMIT 1",
                &key,
            )?
            .map(|r| r.try_get(0))
            .transpose()?;
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
        self.query_opt(
            "SELECT invoice, kind FROM supplier_mandates WHERE run_id = $1 AND n = $2",
            &[&run, &i64::from(k)],
        )?
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .transpose()
    }

    fn invoice_amount(&mut self, invoice: &str) -> Result<Option<Cents>, StoreError> {
        amount_of(self, invoice)
    }

    fn invoice_steps(&mut self, invoice: &str) -> Result<Vec<Step>, StoreError> {
        steps_of(self, invoice)
    }

    fn insert_invoice_step(&mut self, s: &InvoiceStep<'_>) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO invoice_steps (invoice, kind, step, actor, on_date, at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&s.invoice, &s.kind, &s.step, &s.actor, &s.on_date, &s.at],
        )?;
        Ok(())
    }

    fn release_supplier_claim(
        &mut self,
        invoice: &str,
        kind: &str,
        run: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM supplier_claims WHERE invoice = $1 AND kind = $2 AND run_id = $3",
            &[&invoice, &kind, &run],
        )?;
        Ok(())
    }

    fn release_right(&mut self, row: &ReleaseRow<'_>) -> Result<u64, StoreError> {
        self.execute(
            "INSERT INTO run_claim_releases (run_id, right_id, month, exercice, bordereau,
                 piece, seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &row.run,
                &row.right,
                &row.month,
                &row.exercice,
                &row.bordereau,
                &row.piece,
                &row.seq,
            ],
        )?;
        Ok(self.execute(
            "DELETE FROM run_claims WHERE right_id = $1 AND month = $2 AND run_id = $3",
            &[&row.right, &row.month, &row.run],
        )?)
    }
}
