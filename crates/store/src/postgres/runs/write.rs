//! The second pass's writes on PostgreSQL: blocks of lines by binary COPY, payees copied in
//! batches, the report's lists (rejected rights, shared accounts) and the comparison with the
//! previous month — the logic SQLite's, the rows read here.

use super::read::each_block_line_in;
use crate::FlaggedRecord;
use crate::StoreError;
use crate::postgres::queries::{FLAGGED_COLUMNS, flagged_record};
use crate::runs::{CAF_PAYEE, CafParams, PrepareRun, RunStoreError};
use crate::sort;
use crate::sqlite::blocks::{Block, BlockEncoder};
use crate::sqlite::ibans::{Sharer, flags_of};
use crate::sqlite::runs::compare::{Comparison, compare_groups};
use crate::sqlite::runs::lists::{add_flags, rejected_rights_from};
use crate::sqlite::runs::writer::Writer;
use postgres::Transaction;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::Type;
use relais_core::calendar::Month;
use relais_core::records::{Benefit, PayeeKind};
use relais_formats::extract::Severity;
use std::collections::BTreeMap;

/// Blocks kept before they are copied (each up to a thousand lines, ~40 KB compressed).
const BLOCKS_PER_COPY: usize = 64;

/// Writes the blocks of one list of a run (mandated, or the CAF's), in order, by COPY.
pub(crate) struct BlockCopy {
    run: String,
    caf: i64,
    n: i64,
    pending: Vec<Block>,
    encoder: BlockEncoder,
}

impl BlockCopy {
    pub(crate) fn new(run: &str, caf: bool) -> BlockCopy {
        BlockCopy {
            run: run.to_owned(),
            caf: i64::from(caf),
            n: 0,
            pending: Vec::new(),
            encoder: BlockEncoder::default(),
        }
    }

    /// Adds a line already in JSON.
    pub(crate) fn push_json(
        &mut self,
        tx: &mut Transaction<'_>,
        line: &[u8],
    ) -> Result<(), StoreError> {
        match self.encoder.push_json(line) {
            Some(block) => self.write(tx, block),
            None => Ok(()),
        }
    }

    /// Adds a full block (the next one).
    pub(crate) fn write(
        &mut self,
        tx: &mut Transaction<'_>,
        block: Block,
    ) -> Result<(), StoreError> {
        self.pending.push(block);
        if self.pending.len() >= BLOCKS_PER_COPY {
            self.copy(tx)?;
        }
        Ok(())
    }

    fn copy(&mut self, tx: &mut Transaction<'_>) -> Result<(), StoreError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let sink =
            tx.copy_in("COPY run_line_blocks (run_id, caf, n, lines, data) FROM STDIN BINARY")?;
        let mut w = BinaryCopyInWriter::new(
            sink,
            &[Type::TEXT, Type::INT8, Type::INT8, Type::INT8, Type::BYTEA],
        );
        for block in std::mem::take(&mut self.pending) {
            self.n += 1;
            let lines = block.lines as i64;
            w.write(&[&self.run, &self.caf, &self.n, &lines, &block.data])?;
        }
        w.finish()?;
        Ok(())
    }

    /// Writes the last block and what waits.
    pub(crate) fn finish(mut self, tx: &mut Transaction<'_>) -> Result<(), StoreError> {
        if let Some(block) = std::mem::take(&mut self.encoder).finish() {
            self.pending.push(block);
        }
        self.copy(tx)
    }
}

/// Copies payees `ids` to the run's payees, with their bank details as read now.
pub(crate) fn insert_payees(
    tx: &mut Transaction<'_>,
    run: &str,
    ids: &[String],
) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO run_payees (run_id, payee_id, kind, name, siret, iban, bic, holder, address,
             postal_code, city, legal_form)
         SELECT $1, p.id, p.kind, p.name, p.siret, p.iban, p.bic, p.holder, p.address,
             p.postal_code, p.city, p.legal_form
         FROM payees p WHERE p.id = ANY($2)",
        &[&run, &ids],
    )?;
    Ok(())
}

/// The CAF as the run's payee.
pub(crate) fn insert_caf(
    tx: &mut Transaction<'_>,
    run: &str,
    p: &CafParams,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO run_payees (run_id, payee_id, kind, name, siret, iban, bic, holder, address,
             postal_code, city)
         VALUES ($1, $2, 'caf', $3, $4, $5, $6, $3, $7, $8, $9)",
        &[
            &run,
            &CAF_PAYEE,
            &p.name,
            &p.siret.as_ref().map(|s| s.as_str().to_owned()),
            &p.iban.as_str(),
            &p.bic.as_ref().map_or("", |b| b.as_str()),
            &p.address,
            &p.postal_code,
            &p.city,
        ],
    )?;
    Ok(())
}

/// The import's rejected rows of `entity`, in order (as `queries::each_flagged_row`, in the
/// preparation's transaction).
pub(crate) fn each_flagged(
    tx: &mut Transaction<'_>,
    entity: &str,
    each: &mut dyn FnMut(&FlaggedRecord),
) -> Result<u64, StoreError> {
    let rows = tx.query(
        &format!(
            "SELECT {FLAGGED_COLUMNS} FROM pending_rows p
             WHERE p.entity = $1 AND p.severity = 'rejet' ORDER BY p.id"
        ),
        &[&entity],
    )?;
    for row in &rows {
        each(&flagged_record(row, Severity::Reject)?);
    }
    Ok(rows.len() as u64)
}

pub(crate) fn rejected_rights(
    tx: &mut Transaction<'_>,
    w: &mut Writer<'_>,
    month: Month,
    benefits: &[Benefit],
) -> Result<(), StoreError> {
    rejected_rights_from(w, month, benefits, &mut |entity, each| {
        each_flagged(tx, entity, each)
    })
}

pub(crate) fn shared_ibans(tx: &mut Transaction<'_>, w: &mut Writer<'_>) -> Result<(), StoreError> {
    let rows = tx.query(
        "SELECT p.iban, p.payee_id, p.name, p.siret, p.kind FROM run_payees p
         WHERE p.run_id = $1 AND (p.kind = $2 OR p.iban IN (
             SELECT iban FROM run_payees WHERE run_id = $1 GROUP BY iban HAVING count(*) > 1))
         ORDER BY p.iban COLLATE \"C\", p.payee_id COLLATE \"C\"",
        &[&w.run, &PayeeKind::Tuteur.code()],
    )?;
    let sharers = rows
        .iter()
        .map(|r| -> Result<Sharer, StoreError> {
            Ok(Sharer {
                iban: r.try_get(0)?,
                id: r.try_get(1)?,
                name: r.try_get(2)?,
                siret: r.try_get(3)?,
                kind: r.try_get(4)?,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let run = w.run.clone();
    let flags = flags_of(&sharers, &mut |each| {
        each_block_line_in(tx, &run, false, each)
    })?;
    add_flags(w, flags)
}

/// The comparison with the previous month: its history and validated runs' lines grouped by
/// person and benefit (the lines decoded here, where SQLite's SQL reads them), merged with
/// this run's; the changes kept in `run_changes`.
pub(crate) fn compare(
    tx: &mut Transaction<'_>,
    people: sort::Sorted,
    req: &PrepareRun<'_>,
    run: &str,
) -> Result<Comparison, RunStoreError> {
    let previous = req.month.previous().to_string();
    let mut groups: BTreeMap<(String, String), i64> = BTreeMap::new();
    for r in tx.query(
        "SELECT r.dossier, r.benefit, sum(h.amount)::BIGINT FROM past_payments h
         JOIN rights r ON r.id = h.right_id WHERE h.month = $1 GROUP BY r.dossier, r.benefit",
        &[&previous],
    )? {
        *groups.entry((r.try_get(0)?, r.try_get(1)?)).or_default() += r.try_get::<_, i64>(2)?;
    }
    let runs: Vec<String> = tx
        .query(
            "SELECT id FROM runs WHERE month = $1 AND status = 'validated'",
            &[&previous],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    for id in &runs {
        for caf in [false, true] {
            each_block_line_in(tx, id, caf, &mut |l| {
                let g = groups
                    .entry((l.dossier.clone(), l.benefit.code().to_owned()))
                    .or_default();
                *g = g.saturating_add(l.amount.0);
                Ok(())
            })?;
        }
    }
    let mut groups = groups.into_iter();
    let mut changes: Vec<(String, String, String, i64, i64)> = Vec::new();
    let compared = compare_groups(
        people,
        &mut || Ok(groups.next().map(|((d, b), t)| (d, b, t))),
        req.params.change_threshold,
        &mut |c, before| {
            changes.push((c.dossier, c.name, c.benefit, before, c.total));
            Ok(())
        },
    )?;
    for (n, (dossier, name, benefit, before, total)) in changes.into_iter().enumerate() {
        tx.execute(
            "INSERT INTO run_changes (run_id, n, dossier, name, benefit, previous, current)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &run,
                &(n as i64 + 1),
                &dossier,
                &name,
                &benefit,
                &before,
                &total,
            ],
        )?;
    }
    Ok(compared)
}
