//! Preparing a run, in steps: open the run, read and decide on every right (first pass), write
//! and number the lines while comparing with the previous month (second pass), then record.

use super::candidate::{
    CANDIDATES, CLAIMS_BY_RIGHT, Candidate, HISTORY_BY_RIGHT, HISTORY_CLAIMS, candidate,
};
use super::compare::{Comparison, PersonGroup, compare_with_previous};
use super::lists::{rejected_rights, shared_ibans};
use super::numbering::{caf_mandate, number_mandates, write_caf_lines};
use super::read::load;
use super::summary::summary_of;
use super::writer::{
    Accepted, DateTexts, SORT_MEMORY, Tally, Writer, covered_days, exclusion_label,
    first_two_fields, mandate_order,
};
use super::{authorize, benefits_text, corrupt, to_json};
use crate::StoreError;
use crate::runs::{MAX_NAMED_RIGHTS, PrepareRun, Prepared, RunStoreError};
use crate::sort::ExternalSort;
use crate::sqlite::journal;
use crate::sqlite::paid_months::history_months;
use crate::sqlite::person_guard::PersonGuard;
use crate::sqlite::rights;
use jiff::civil::Date;
use relais_core::calendar::Month;
use relais_core::month_guard;
use relais_core::payment;
use relais_core::records::Benefit;
use relais_core::roles::Role;
use relais_core::run::{AnomalyKind, ExcludedRight, RunId, imputation_account};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
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
    let mut w = Writer {
        claim: tx.prepare(
            "INSERT INTO run_claims (right_id, month, run_id, amount, pay_date, dossier, benefit)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?,
        accepted: ExternalSort::new(sort_dir, SORT_MEMORY, mandate_order),
        caf: ExternalSort::new(sort_dir, SORT_MEMORY, first_two_fields),
        people: ExternalSort::new(sort_dir, SORT_MEMORY, first_two_fields),
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
        run: run_text.to_owned(),
        dates: DateTexts::new(req.month, &req.params),
        tally: Tally::default(),
    };
    w.claim.raw_bind_parameter(2, month_text)?;
    w.claim.raw_bind_parameter(3, run_text)?;
    Ok(w)
}

/// What deciding on each right needs beside the writer.
struct Deciding<'a, 'c> {
    req: &'a PrepareRun<'a>,
    benefits: &'a [Benefit],
    bank_window_start: Date,
    approval: rusqlite::Statement<'c>,
    person: &'a std::cell::RefCell<Option<PersonGuard<'c>>>,
    anomalies: Vec<(AnomalyKind, String)>,
    imputation_checks: HashMap<String, Option<String>>,
    bad_imputations: (u64, Vec<(String, String, String)>),
}

impl Deciding<'_, '_> {
    /// Excludes the right with its reason, or claims it and keeps its line (with its
    /// anomalies); a right whose own imputation is not M57 is counted, not claimed.
    fn right(&mut self, w: &mut Writer<'_>, c: &Candidate<'_>) -> Result<(), RunStoreError> {
        if !self.benefits.contains(&c.benefit) {
            return Ok(());
        }
        let exclude = |w: &mut Writer<'_>, code: &str, label: &str, amount| {
            w.exclude(&ExcludedRight {
                right_id: c.right_id.to_owned(),
                dossier: c.dossier.to_owned(),
                name: format!("{} {}", c.last_name, c.first_name),
                benefit: Some(c.benefit),
                reason: code.to_owned(),
                reason_fr: label.to_owned(),
                amount,
            })
        };
        // What the right is worth this month, whoever pays it.
        let amount = match payment::month_amount(&c.terms, self.req.month, c.death) {
            Ok(a) => a,
            Err(why) => {
                exclude(w, why.code(), why.label_fr(), None)?;
                return Ok(());
            }
        };
        if c.paid_in_history {
            exclude(
                w,
                "already_paid",
                exclusion_label("already_paid"),
                Some(amount),
            )?;
            return Ok(());
        }
        if let Some(other) = c.claimed_by {
            let label = format!("{} ({other})", exclusion_label("already_in_run"));
            exclude(w, "already_in_run", &label, Some(amount))?;
            return Ok(());
        }
        if let Some(guard) = self.person.borrow_mut().as_mut()
            && let Some(other) = guard.paid_under(c.dossier, c.benefit, c.right_id)?
        {
            let code = "already_paid_other_right";
            let label = format!(
                "{} ({other}) ; un ordonnateur peut lever l'exclusion (relais run release)",
                exclusion_label(code)
            );
            exclude(w, code, &label, Some(amount))?;
            return Ok(());
        }
        if amount.0 <= 0 {
            exclude(w, "zero_amount", exclusion_label("zero_amount"), None)?;
            return Ok(());
        }
        let Some(params) = self.req.params.benefits.get(&c.benefit) else {
            exclude(
                w,
                "no_imputation",
                exclusion_label("no_imputation"),
                Some(amount),
            )?;
            return Ok(());
        };
        let recent = c
            .iban_changed_on
            .filter(|d| *d >= self.bank_window_start && *d <= self.req.today);
        self.anomalies.clear();
        if c.benefit != Benefit::Rsa {
            if let Some(changed) = recent {
                let approved: bool = self
                    .approval
                    .query_row(params![c.payee_id, c.iban], |r| r.get(0))?;
                if !approved {
                    let label =
                        format!("{} le {changed}", exclusion_label("bank_change_unapproved"));
                    exclude(w, "bank_change_unapproved", &label, Some(amount))?;
                    return Ok(());
                }
                self.anomalies.push((
                    AnomalyKind::BankChanged,
                    format!("IBAN modifié le {changed}, approuvé"),
                ));
            }
            if params.ceiling.is_some_and(|ceiling| amount > ceiling) {
                self.anomalies.push((
                    AnomalyKind::AboveCeiling,
                    format!(
                        "plafond {}",
                        params.ceiling.map(|c| c.to_string()).unwrap_or_default()
                    ),
                ));
            }
            if !c.paid_before {
                self.anomalies.push((
                    AnomalyKind::FirstPayment,
                    format!("droit ouvert le {}", c.terms.start),
                ));
            }
        }
        let (account, function) = params.imputation(c.payee_kind);
        // The right's own imputation wins over the settings' account, once checked
        // against the M57 chart of accounts.
        let own = c.imputation.filter(|i| !i.trim().is_empty());
        if let Some(text) = own {
            let why = self
                .imputation_checks
                .entry(text.to_owned())
                .or_insert_with(|| {
                    relais_core::settings::check_imputation(text, function)
                        .err()
                        .map(|e| e.to_string())
                });
            if let Some(why) = why {
                self.bad_imputations.0 += 1;
                if self.bad_imputations.1.len() < MAX_NAMED_RIGHTS {
                    self.bad_imputations.1.push((
                        c.right_id.to_owned(),
                        text.to_owned(),
                        why.clone(),
                    ));
                }
                return Ok(());
            }
        }
        let accepted = Accepted {
            c,
            amount,
            params,
            account: own.and_then(imputation_account).unwrap_or(account),
            function,
            covered: covered_days(&c.terms, self.req.month, c.death),
        };
        w.accept(&accepted)?;
        for (kind, detail) in &self.anomalies {
            w.anomaly(&accepted, *kind, detail)?;
        }
        Ok(())
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
    let bank_window_start = req
        .today
        .checked_sub(jiff::Span::new().days(i64::from(req.params.bank_change_days)))
        .unwrap_or(Date::MIN);
    // A person paid this month under another right (see `person_guard`): looked up once
    // the history's claims of the month are in.
    let person: std::cell::RefCell<Option<PersonGuard<'_>>> = std::cell::RefCell::new(None);
    let mut deciding = Deciding {
        req,
        benefits,
        bank_window_start,
        // Looked up only for bank details changed recently (a few rights, not two million).
        approval: tx.prepare(
            "SELECT EXISTS (SELECT 1 FROM bank_approvals_current WHERE payee_id = ?1 AND iban = ?2)",
        )?,
        person: &person,
        anomalies: Vec::new(),
        // Rights whose own imputation is not M57 (checked once per distinct text: a national
        // extract has a handful).
        imputation_checks: HashMap::new(),
        bad_imputations: (0, Vec::new()),
    };
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
    if deciding.bad_imputations.0 > 0 {
        // Nothing is kept: the transaction rolls back with its claims.
        return Err(RunStoreError::BadImputations {
            count: deciding.bad_imputations.0,
            rights: deciding.bad_imputations.1,
        });
    }
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
        let caf_piece = caf_mandate(tx, req, benefits, &mut w.tally)?;
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
    let (month_text, run_text) = (req.month.to_string(), id.to_string());
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
        &json!({
            "run": run_text,
            "month": month_text,
            "benefits": wanted,
            "arrears": req.arrears.map(str::trim),
            "lines": summary.lines,
            "mandates": summary.mandates,
            "total_cents": summary.total.0,
            "caf_rights": summary.caf_rights,
            "caf_total_cents": summary.caf_total.0,
            "excluded": summary.excluded.iter().map(|(c, _, n)| (c.clone(), *n)).collect::<BTreeMap<_, _>>(),
        }),
    )?;
    let run = load(&tx, id)?.ok_or(RunStoreError::NotFound(id))?;
    tx.commit()?;
    tracing::debug!(elapsed = ?started.elapsed(), "run prepare: committed");
    Ok(Prepared { run, created: true })
}
