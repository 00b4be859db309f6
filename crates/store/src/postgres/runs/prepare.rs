//! Preparing a run on PostgreSQL (as `sqlite/runs/prepare.rs`, whose deciding, sorting,
//! numbering and summary it shares): the rights streamed through a portal a chunk at a time,
//! each chunk's claims, exclusions and anomalies written by binary COPY; then the lines
//! written as blocks, numbered by SQLite's own numbering, payees copied in batches.

use super::read::{load, next_run_id};
use super::rows::{PgLookups, PgRows};
use super::write::{BlockCopy, compare, insert_caf, insert_payees, rejected_rights, shared_ibans};
use crate::StoreError;
use crate::postgres::{journal, users, write};
use crate::runs::{PrepareRun, Prepared, RunStoreError};
use crate::sort;
use crate::sqlite::decode::corrupt;
use crate::sqlite::runs::candidate::{Cols, candidate};
use crate::sqlite::runs::decide::Deciding;
use crate::sqlite::runs::numbering::{Numbered, caf_mandate, number};
use crate::sqlite::runs::prepare::prepare_payload;
use crate::sqlite::runs::summary::summary_of;
use crate::sqlite::runs::writer::Writer;
use crate::sqlite::runs::{benefits_text, to_json};
use postgres::{Client, Row, Transaction};
use relais_core::calendar::Month;
use relais_core::month_guard;
use relais_core::records::Benefit;
use relais_core::roles::Role;
use relais_core::run::RunId;

/// Rights fetched from the portal at a time (their rows then written by COPY).
const RIGHTS_PER_CHUNK: i32 = 20_000;

impl<'r> Cols<'r> for &'r Row {
    fn text_or_null(&self, i: usize) -> Result<Option<&'r str>, StoreError> {
        Ok(self.try_get(i)?)
    }
    fn int_or_null(&self, i: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(i)?)
    }
}

/// Every right with what deciding on it needs (the columns of SQLite's `CANDIDATES`, then
/// its history and claims beside), in right order (bytes, as SQLite).
const CANDIDATES: &str = "
SELECT r.id, r.dossier, r.benefit, r.monthly_amount, r.start_date, r.end_date, r.status,
       r.payee_id, r.imputation, b.nir, b.last_name, b.first_name, b.death_date,
       p.kind, p.name, p.iban_changed_on, p.iban, b.civility, h.paid, c.run
FROM rights r
JOIN beneficiaries b ON b.dossier = r.dossier
JOIN payees p ON p.id = r.payee_id
LEFT JOIN (SELECT right_id, max(CASE WHEN month = $1 THEN 1 ELSE 0 END)::BIGINT AS paid
           FROM past_payments GROUP BY right_id) h ON h.right_id = r.id
LEFT JOIN (SELECT right_id, max(CASE WHEN month = $1 THEN run_id ELSE '' END) AS run
           FROM run_claims GROUP BY right_id) c ON c.right_id = r.id
ORDER BY r.id COLLATE \"C\"";

/// The history's payments of the month as claims of no run (see SQLite's `HISTORY_CLAIMS`).
const HISTORY_CLAIMS: &str = "
INSERT INTO run_claims (right_id, month, run_id, amount, pay_date, dossier, benefit)
SELECT h.right_id, h.month, NULL, h.amount, h.paid_on, r.dossier, r.benefit
FROM past_payments h JOIN rights r ON r.id = h.right_id WHERE h.month = $1
ON CONFLICT DO NOTHING";

pub(crate) fn prepare(
    client: &mut Client,
    req: &PrepareRun<'_>,
    benefits: &[Benefit],
) -> Result<Prepared, RunStoreError> {
    let mut tx = write(client)?;
    let (id, wanted) = match open_run(&mut tx, req, benefits)? {
        Ok(prepared) => return Ok(prepared),
        Err(new) => new,
    };
    let (month_text, run_text) = (req.month.to_string(), id.to_string());
    let sort_dir = std::env::temp_dir();
    // The rows the writer gathers, written by COPY after each chunk.
    let rows = PgRows::default();
    let mut w = Writer::new(Box::new(rows.clone()), &sort_dir, req, &run_text);
    tx.execute(HISTORY_CLAIMS, &[&month_text])?;
    let mut lookups = PgLookups::load(&mut tx, &month_text, &run_text)?;
    {
        let mut deciding = Deciding::new(req, benefits, &mut lookups);
        let portal = tx.bind(CANDIDATES, &[&month_text])?;
        loop {
            let chunk = tx.query_portal(&portal, RIGHTS_PER_CHUNK)?;
            for r in &chunk {
                deciding.right(&mut w, &candidate(&r)?)?;
            }
            rows.flush(&mut tx, &run_text, &month_text)?;
            if chunk.len() < RIGHTS_PER_CHUNK as usize {
                break;
            }
        }
        deciding.finish()?;
    }
    // Second pass: the CAF's lines, the mandated lines numbered, the report's lists.
    let caf = w.caf.finish().map_err(StoreError::from)?;
    let mut blocks = BlockCopy::new(&run_text, true);
    let mut sorted = caf;
    while let Some(record) = sorted.next().map_err(StoreError::from)? {
        let json = sort::fields(record)
            .nth(2)
            .ok_or_else(|| corrupt("sorted CAF line", "missing line"))?;
        blocks.push_json(&mut tx, json)?;
    }
    blocks.finish(&mut tx)?;
    let caf_piece = caf_mandate(
        &mut |m| {
            let own = tx
                .query_opt(
                    "SELECT total_cents FROM caf_statements WHERE month = $1",
                    &[&m],
                )?
                .map(|r| r.try_get(0))
                .transpose()?;
            let before = tx
                .query_opt(
                    "SELECT month, total_cents FROM caf_statements WHERE month < $1
                     ORDER BY month DESC LIMIT 1",
                    &[&m],
                )?
                .map(|r| -> Result<(String, i64), StoreError> {
                    Ok((r.try_get(0)?, r.try_get(1)?))
                })
                .transpose()?;
            Ok((own, before))
        },
        req,
        benefits,
        &mut w.tally,
    )?;
    let accepted = w.accepted.finish().map_err(StoreError::from)?;
    let mut blocks = BlockCopy::new(&run_text, false);
    let mut payees: Vec<String> = Vec::new();
    let mut failed: Option<StoreError> = None;
    number(accepted, &mut w.tally, caf_piece.as_ref(), &mut |n| {
        let done = match n {
            Numbered::Payee(p) => {
                payees.push(p);
                if payees.len() >= 10_000 {
                    insert_payees(&mut tx, &run_text, &std::mem::take(&mut payees))
                } else {
                    Ok(())
                }
            }
            Numbered::Block(b) => blocks.write(&mut tx, b),
            Numbered::Caf => match &caf_piece {
                Some(c) => insert_caf(&mut tx, &run_text, c.params),
                None => Ok(()),
            },
        };
        done.map_err(|e| {
            failed.get_or_insert(e);
            corrupt("mandates", "not written")
        })
    })
    .map_err(|e| failed.take().unwrap_or(e))?;
    insert_payees(&mut tx, &run_text, &payees)?;
    blocks.finish(&mut tx)?;
    rejected_rights(&mut tx, &mut w, req.month, benefits)?;
    shared_ibans(&mut tx, &mut w)?;
    rows.flush(&mut tx, &run_text, &month_text)?;
    let people = w.people.finish().map_err(StoreError::from)?;
    let compared = compare(&mut tx, people, req, &run_text)?;
    record(tx, req, id, &wanted, w, &compared)
}

/// Checks the request, then finds the month's open run (`Ok`) or inserts a new one (`Err`
/// with its id and benefits).
fn open_run(
    tx: &mut Transaction<'_>,
    req: &PrepareRun<'_>,
    benefits: &[Benefit],
) -> Result<Result<Prepared, (RunId, String)>, RunStoreError> {
    users::require_any(tx, req.actor, &[Role::Liquidation])?;
    if req.arrears.is_some_and(|r| r.trim().is_empty()) {
        return Err(RunStoreError::EmptyReason);
    }
    month_guard::check(
        req.month,
        Month::of(req.today),
        super::misc::history_months(tx)?,
        req.arrears.is_some(),
    )?;
    let month_text = req.month.to_string();
    let wanted = benefits_text(benefits);
    let open = tx.query_opt(
        "SELECT id, benefits FROM runs WHERE month = $1 AND status = 'prepared'
             AND NOT EXISTS (SELECT 1 FROM payroll_runs p WHERE p.run_id = runs.id)
             AND NOT EXISTS (SELECT 1 FROM supplier_runs s WHERE s.run_id = runs.id)",
        &[&month_text],
    )?;
    if let Some(r) = open {
        let (id, have): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        let id: RunId = id.parse().map_err(|_| corrupt("run id", &id))?;
        if have == wanted {
            let run = load(tx, id)?.ok_or(RunStoreError::NotFound(id))?;
            return Ok(Ok(Prepared {
                run,
                created: false,
            }));
        }
        return Err(RunStoreError::OtherRunOpen {
            month: req.month,
            run: id,
        });
    }
    let (seq, id) = next_run_id(tx, req.month)?;
    tx.execute(
        "INSERT INTO runs (id, month, seq, benefits, status, prepared_by, prepared_at, params, summary)
         VALUES ($1, $2, $3, $4, 'prepared', $5, $6, $7, '{}')",
        &[
            &id.to_string(),
            &month_text,
            &seq,
            &wanted,
            &req.actor,
            &req.local_time,
            &to_json(&req.params)?,
        ],
    )?;
    Ok(Err((id, wanted)))
}

/// Keeps the summary and the totals with the run, journals it, commits.
fn record(
    mut tx: Transaction<'_>,
    req: &PrepareRun<'_>,
    id: RunId,
    wanted: &str,
    w: Writer<'_>,
    compared: &crate::sqlite::runs::compare::Comparison,
) -> Result<Prepared, RunStoreError> {
    let run_text = id.to_string();
    let tally = w.tally;
    if tally.lines == 0 && tally.caf_rights == 0 {
        // Rolled back: no run, no number used.
        return Err(RunStoreError::NothingToPay(req.month));
    }
    let summary = summary_of(req, &run_text, &tally, compared)?;
    tx.execute(
        "UPDATE runs SET summary = $2, totals = $3 WHERE id = $1",
        &[&run_text, &to_json(&summary)?, &to_json(&tally.totals)?],
    )?;
    journal::append(
        &mut tx,
        req.actor,
        "run_prepare",
        &prepare_payload(req, &run_text, wanted, &summary),
    )?;
    let run = load(&mut tx, id)?.ok_or(RunStoreError::NotFound(id))?;
    tx.commit()?;
    Ok(Prepared { run, created: true })
}
