//! Preparing a run, in steps: open the run, read and decide on every right (first pass), write
//! and number the lines while comparing with the previous month (second pass), then record.

use super::candidate::{CANDIDATES, CLAIMS_BY_RIGHT, HISTORY_BY_RIGHT, HISTORY_CLAIMS, candidate};
use super::compare::{Comparison, PersonGroup, compare_with_previous};
use super::decide::{Deciding, Lookups};
use super::lists::{rejected_rights, shared_ibans};
use super::numbering::{caf_mandate, caf_statements, number_mandates, write_caf_lines};
use super::read::load;
use super::summary::summary_of;
use super::writer::{SqliteRows, Tally, Writer};
use super::{authorize, benefits_text, corrupt, to_json};
use crate::StoreError;
use crate::runs::{PrepareRun, Prepared, RunStoreError};
use crate::sqlite::journal;
use crate::sqlite::paid_months::history_months;
use crate::sqlite::person_guard::PersonGuard;
use crate::sqlite::rights;
use relais_core::calendar::Month;
use relais_core::month_guard;
use relais_core::records::Benefit;
use relais_core::roles::Role;
use relais_core::run::RunId;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;

/// What opening a run found: the same request's open run again, or a new run inserted.
enum Opened {
    Again(Box<Prepared>),
    New { id: RunId, wanted: String },
}

/// Prepares a run of `req` for `benefits` (see the module's documentation for the passes).
pub(super) fn prepare(
    conn: &mut Connection,
    req: &PrepareRun<'_>,
    benefits: &[Benefit],
) -> Result<Prepared, RunStoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (id, wanted) = match open_run(&tx, req, benefits)? {
        Opened::Again(prepared) => return Ok(*prepared),
        Opened::New { id, wanted } => (id, wanted),
    };
    let (month_text, run_text) = (req.month.to_string(), id.to_string());
    // The history's payments of the month become claims without a run (once: a later run of
    // the month finds them there): the claims' primary key then refuses them like a second
    // run, whatever query decides which rights to pay. A history payment of a right a run
    // already claimed (a restored system handing back Relais's own payments) stays paid once.
    // Done first in the transaction, while the rights' reader starts (see below).
    // The sort's temporary files (unnamed) go beside the store, on its disk.
    let sort_dir = match tx.path().map(Path::new).and_then(Path::parent) {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => std::env::temp_dir(),
    };
    let store_file = tx.path().filter(|p| !p.is_empty()).map(Path::new);
    let started = std::time::Instant::now();
    // The tally of what is paid, and the comparison with the previous month (people per
    // benefit, changes listed).
    let (tally, compared) = {
        let mut w = new_writer(&tx, &sort_dir, req, &month_text, &run_text)?;
        first_pass(&tx, &mut w, req, benefits, store_file, &month_text, started)?;
        let compared = second_pass(&tx, &mut w, req, benefits, store_file, started)?;
        (w.tally, compared)
    };
    record(tx, req, id, &wanted, tally, &compared)
}

/// Checks the request, then finds the month's open run or inserts a new one.
fn open_run(
    tx: &Connection,
    req: &PrepareRun<'_>,
    benefits: &[Benefit],
) -> Result<Opened, RunStoreError> {
    authorize(tx, req.actor, &[Role::Liquidation])?;
    if req.arrears.is_some_and(|r| r.trim().is_empty()) {
        return Err(RunStoreError::EmptyReason);
    }
    let current = Month::of(req.today);
    month_guard::check(
        req.month,
        current,
        history_months(tx)?,
        req.arrears.is_some(),
    )?;
    let month_text = req.month.to_string();
    let wanted = benefits_text(benefits);
    // A run of this month still open: the same request again (a retry, or a concurrent
    // prepare that lost the race) gets it back; another request must wait for it.
    let open: Option<(String, String)> = tx
        .query_row(
            "SELECT id, benefits FROM runs WHERE month = ?1 AND status = 'prepared'
                 AND NOT EXISTS (SELECT 1 FROM payroll_runs p WHERE p.run_id = runs.id)
                 AND NOT EXISTS (SELECT 1 FROM supplier_runs s WHERE s.run_id = runs.id)",
            [&month_text],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((id, have)) = open {
        let id: RunId = id.parse().map_err(|_| corrupt("run id", &id))?;
        if have == wanted {
            let run = load(tx, id)?.ok_or(RunStoreError::NotFound(id))?;
            return Ok(Opened::Again(Box::new(Prepared {
                run,
                created: false,
            })));
        }
        return Err(RunStoreError::OtherRunOpen {
            month: req.month,
            run: id,
        });
    }
    let (seq, id) = super::read::next_run_id(tx, req.month)?;
    let run_text = id.to_string();
    tx.execute(
        "INSERT INTO runs (id, month, seq, benefits, status, prepared_by, prepared_at, params, summary)
         VALUES (?1, ?2, ?3, ?4, 'prepared', ?5, ?6, ?7, '{}')",
        params![
            run_text,
            month_text,
            seq,
            wanted,
            req.actor,
            req.local_time,
            serde_json::to_string(&req.params).map_err(|e| StoreError::Corrupt(e.to_string()))?
        ],
    )?;
    Ok(Opened::New { id, wanted })
}

/// The first pass's writer, its statements prepared, the month and the run bound to claims.
fn new_writer<'c>(
    tx: &'c Connection,
    sort_dir: &Path,
    req: &PrepareRun<'_>,
    month_text: &str,
    run_text: &str,
) -> Result<Writer<'c>, StoreError> {
    let mut claim = tx.prepare(
        "INSERT INTO run_claims (right_id, month, run_id, amount, pay_date, dossier, benefit)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    claim.raw_bind_parameter(2, month_text)?;
    claim.raw_bind_parameter(3, run_text)?;
    let rows = SqliteRows {
        claim,
        exclusion: tx.prepare(
            "INSERT INTO run_exclusions (run_id, n, right_id, dossier, name, benefit, reason,
                 label, amount)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?,
        anomaly: tx.prepare(
            "INSERT INTO run_anomalies (run_id, n, kind, right_id, dossier, payee_id,
                 payee_name, benefit, amount, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?,
    };
    let w = Writer::new(Box::new(rows), sort_dir, req, run_text);
    Ok(w)
}

/// SQLite's [`Lookups`]: the approvals looked up by statement, the person guard once the
/// history's claims are in.
struct SqliteLookups<'c, 'a> {
    approval: rusqlite::Statement<'c>,
    person: &'a std::cell::RefCell<Option<PersonGuard<'c>>>,
}

impl Lookups for SqliteLookups<'_, '_> {
    fn approved(&mut self, payee: &str, iban: &str) -> Result<bool, StoreError> {
        Ok(self
            .approval
            .query_row(params![payee, iban], |r| r.get(0))?)
    }

    fn paid_under(
        &mut self,
        dossier: &str,
        benefit: Benefit,
        right: &str,
    ) -> Result<Option<String>, StoreError> {
        match self.person.borrow_mut().as_mut() {
            Some(guard) => guard.paid_under(dossier, benefit, right),
            None => Ok(None),
        }
    }
}

/// The first pass: every right read in key order, excluded with its reason or claimed.
fn first_pass(
    tx: &Connection,
    w: &mut Writer<'_>,
    req: &PrepareRun<'_>,
    benefits: &[Benefit],
    store_file: Option<&Path>,
    month_text: &str,
    started: std::time::Instant,
) -> Result<(), RunStoreError> {
    let run_text = w.run.clone();
    // A person paid this month under another right (see `person_guard`): looked up once
    // the history's claims of the month are in.
    let person: std::cell::RefCell<Option<PersonGuard<'_>>> = std::cell::RefCell::new(None);
    let mut lookups = SqliteLookups {
        // Looked up only for bank details changed recently (a few rights, not two million).
        approval: tx.prepare(
            "SELECT EXISTS (SELECT 1 FROM bank_approvals_current WHERE payee_id = ?1 AND iban = ?2)",
        )?,
        person: &person,
    };
    let mut deciding = Deciding::new(req, benefits, &mut lookups);
    let mut one = |cols: &[ValueRef<'_>]| -> Result<(), RunStoreError> {
        deciding.right(w, &candidate(cols)?)
    };
    rights::read(
        store_file,
        tx,
        &rights::Query {
            rows: CANDIDATES,
            beside: &[HISTORY_BY_RIGHT, CLAIMS_BY_RIGHT],
            param: month_text,
        },
        &mut || {
            // Before any claim of this run (it scans the 5.7 M past payments of a
            // national store: a third of a second the reader does not wait for).
            tx.execute(HISTORY_CLAIMS, [month_text])?;
            *person.borrow_mut() = PersonGuard::new(tx, month_text, &run_text)?;
            Ok(())
        },
        &mut one,
    )?;
    deciding.finish()?;
    tracing::debug!(elapsed = ?started.elapsed(), lines = w.tally.lines, "run prepare: rights read and claimed");
    Ok(())
}

/// The second pass: the CAF's lines and the mandated lines written, mandates numbered, the
/// report's lists made, while the comparison with the previous month runs beside.
fn second_pass(
    tx: &Connection,
    w: &mut Writer<'_>,
    req: &PrepareRun<'_>,
    benefits: &[Benefit],
    store_file: Option<&Path>,
    started: std::time::Instant,
) -> Result<Comparison, RunStoreError> {
    let run_text = w.run.clone();
    let mut people = Some(w.people.finish().map_err(StoreError::from)?);
    let (month, threshold) = (req.month, req.params.change_threshold);
    let mut insert_change = tx.prepare(
        "INSERT INTO run_changes (run_id, n, dossier, name, benefit, previous, current)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut changes = 0i64;
    let mut record_change = |c: PersonGroup, before: i64| -> Result<(), StoreError> {
        changes += 1;
        insert_change.execute(params![
            run_text, changes, c.dossier, c.name, c.benefit, before, c.total
        ])?;
        Ok(())
    };
    // The comparison with the previous month runs on another thread (a read-only
    // connection, like the rights' reader) while this one writes the lines; its changes
    // come back through a bounded channel, recorded here once the lines are written.
    let compared = std::thread::scope(|scope| -> Result<Comparison, RunStoreError> {
        let (send, receive) = mpsc::sync_channel::<(PersonGroup, i64)>(4096);
        let helper = match (store_file, people.take()) {
            (Some(file), Some(sorted)) => Some(scope.spawn(move || {
                let reader = rights::open_reader(file)?;
                compare_with_previous(&reader, sorted, month, threshold, &mut |c, before| {
                    send.send((c, before))
                        .map_err(|_| corrupt("comparison", "stopped"))
                })
            })),
            (_, sorted) => {
                people = sorted;
                drop(send);
                None
            }
        };
        let (caf, accepted) = (w.caf.finish(), w.accepted.finish());
        write_caf_lines(tx, &run_text, caf.map_err(StoreError::from)?)?;
        let caf_piece = caf_mandate(&mut |m| caf_statements(tx, m), req, benefits, &mut w.tally)?;
        number_mandates(
            tx,
            &run_text,
            accepted.map_err(StoreError::from)?,
            &mut w.tally,
            caf_piece.as_ref(),
        )?;
        tracing::debug!(elapsed = ?started.elapsed(), "run prepare: mandates numbered, payees copied");
        rejected_rights(tx, w, req.month, benefits)?;
        tracing::debug!(elapsed = ?started.elapsed(), "run prepare: rejected rights listed");
        shared_ibans(tx, w)?;
        tracing::debug!(elapsed = ?started.elapsed(), "run prepare: shared IBANs found");
        let compared = match helper {
            Some(helper) => {
                for (c, before) in receive {
                    record_change(c, before)?;
                }
                helper
                    .join()
                    .map_err(|_| corrupt("comparison", "thread panicked"))??
            }
            None => {
                let sorted = people
                    .take()
                    .ok_or_else(|| corrupt("run", "lines by person not sorted"))?;
                compare_with_previous(tx, sorted, month, threshold, &mut record_change)?
            }
        };
        tracing::debug!(elapsed = ?started.elapsed(), "run prepare: compared with the previous month");
        Ok(compared)
    })?;
    Ok(compared)
}

/// Keeps the summary and the totals with the run, journals it, commits.
fn record(
    tx: rusqlite::Transaction<'_>,
    req: &PrepareRun<'_>,
    id: RunId,
    wanted: &str,
    tally: Tally,
    compared: &Comparison,
) -> Result<Prepared, RunStoreError> {
    let run_text = id.to_string();
    if tally.lines == 0 && tally.caf_rights == 0 {
        // Rolled back: no run, no number used.
        return Err(RunStoreError::NothingToPay(req.month));
    }
    let started = std::time::Instant::now();
    let summary = summary_of(req, &run_text, &tally, compared)?;
    tracing::debug!(elapsed = ?started.elapsed(), "run prepare: summary made");
    tx.execute(
        "UPDATE runs SET summary = ?2, totals = ?3 WHERE id = ?1",
        params![run_text, to_json(&summary)?, to_json(&tally.totals)?],
    )?;
    journal::append(
        &tx,
        req.actor,
        "run_prepare",
        &prepare_payload(req, &run_text, wanted, &summary),
    )?;
    let run = load(&tx, id)?.ok_or(RunStoreError::NotFound(id))?;
    tx.commit()?;
    tracing::debug!(elapsed = ?started.elapsed(), "run prepare: committed");
    Ok(Prepared { run, created: true })
}

/// The journal payload of a run prepared (`run_prepare`).
pub(crate) fn prepare_payload(
    req: &PrepareRun<'_>,
    run_text: &str,
    wanted: &str,
    summary: &relais_core::run::RunSummary,
) -> serde_json::Value {
    json!({
        "run": run_text,
        "month": req.month.to_string(),
        "benefits": wanted,
        "arrears": req.arrears.map(str::trim),
        "lines": summary.lines,
        "mandates": summary.mandates,
        "total_cents": summary.total.0,
        "caf_rights": summary.caf_rights,
        "caf_total_cents": summary.caf_total.0,
        "excluded": summary.excluded.iter().map(|(c, _, n)| (c.clone(), *n)).collect::<BTreeMap<_, _>>(),
    })
}
