//! `relais reconcile` (issue #24, docs/reconciliation.md): once the authority's own software is
//! back, what Relais paid in the crisis against what the restored system's new extracts say was
//! due, per person and month, for agents and for suppliers. Read-only.
//!
//! Steps, memory bounded whatever the number of rights:
//! 1. the crisis months: the months of the validated runs of social aid, with the benefits they
//!    paid and their totals (the runs' summaries);
//! 2. the restored extracts read once (`restored.rs`): each right's dues for those months into
//!    an external sort by right id, the people's names into one by dossier;
//! 3. the claims Relais paid streamed from the store in right order and merged with the sorted
//!    rights ([`relais_core::reconcile::Reconciler`]); each right-month that differs goes to a
//!    third sort, by dossier;
//! 4. that sort merged with the names into `rapprochement_personnes.csv`; then the totals, the
//!    agents (deferred variable elements of validated payroll runs), the invoices, the page,
//!    and `SHA256SUMS`. Every file is written atomically (`fsio`).

mod others;
mod restored;

use crate::AppError;
use crate::error::IoAction;
use crate::fsio::write_atomic_with;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::reconcile::{CrisisMonths, Line, OutOfOrder, Reconciler, Totals};
use relais_core::records::Benefit;
use relais_core::run::{RunKind, RunStatus};
use relais_documents::reconcile::{
    MonthTotals, PAGE_PERSONS, PersonRow, PersonsCsv, Report, write_agents_csv, write_html,
    write_suppliers_csv, write_totals_csv,
};
use relais_formats::extract::{ExtractSource, read_extracts};
use relais_formats::profile::Profile;
use relais_store::Backend;
use relais_store::runs::RunStoreError;
use relais_store::sort::{self, ExternalSort};
use restored::{Needed, Restored, SortedRights, temp_error};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What to reconcile, and where the report goes.
#[derive(Debug, Clone)]
pub struct ReconcileRequest {
    /// The output folder (created when missing).
    pub out: PathBuf,
    /// The extracts' folder as the agent named it (printed in the report).
    pub extracts_label: String,
    pub authority: String,
    pub today: jiff::civil::Date,
    /// Every right-month in `rapprochement_personnes.csv`, not only those that differ.
    pub all_lines: bool,
}

/// What the reconciliation found.
#[derive(Debug, Clone)]
pub struct Reconciled {
    /// People (dossiers) with at least one difference.
    pub persons: u64,
    /// Right-months that differ.
    pub lines: u64,
    pub indu: Cents,
    pub rappel: Cents,
    pub months: Vec<MonthTotals>,
    pub agents: usize,
    pub invoices: usize,
    pub rejected_rows: u64,
    /// Files written, with their SHA-256, in `SHA256SUMS` order.
    pub files: Vec<(String, String)>,
}

impl From<OutOfOrder> for AppError {
    fn from(e: OutOfOrder) -> AppError {
        AppError::Store(relais_store::StoreError::Corrupt(e.to_string()))
    }
}

/// Reconciles the store's validated runs with the restored system's extracts in `source`.
pub fn reconcile(
    store: &dyn Backend,
    source: &dyn ExtractSource,
    profile: &Profile,
    req: &ReconcileRequest,
) -> Result<Reconciled, AppError> {
    std::fs::create_dir_all(&req.out)
        .map_err(|e| AppError::io(IoAction::CreateFolder, &req.out, e))?;
    let runs = store.runs()?;
    let validated: Vec<_> = runs
        .iter()
        .filter(|r| r.status == RunStatus::Validated)
        .collect();
    let mut months = CrisisMonths::new();
    let mut run_totals: BTreeMap<Month, (Cents, Vec<String>)> = BTreeMap::new();
    for r in validated.iter().filter(|r| r.kind == RunKind::Aides) {
        months.add(r.summary.month, &r.benefits);
        let t = run_totals.entry(r.summary.month).or_default();
        // The run's lines: mandated per benefit, and the RSA handed to the CAF (the CAF's
        // advance mandate, in `summary.total`, may come from its statement instead).
        let lines = r
            .summary
            .benefits
            .iter()
            .fold(r.summary.caf_total.0, |t, b| t.saturating_add(b.total.0));
        t.0 = Cents(t.0.0.saturating_add(lines));
        t.1.push(r.id.to_string());
    }

    // 2. The restored extracts.
    let mut restored = Restored::new(&months, &req.out);
    read_extracts(&Needed::new(source, profile), profile, &mut restored).map_err(|e| match e {
        relais_formats::extract::ReadError::Sink(e) => temp_error(e),
    })?;
    if let Some(u) = restored.unreadable.first() {
        return Err(AppError::Invalid {
            field: "--extracts".into(),
            message: format!("extraction illisible : {} ({})", u.file, u.message_fr),
        });
    }
    if !restored.rights_file_present {
        return Err(AppError::Invalid {
            field: "--extracts".into(),
            message: "pas de droits.csv dans les extractions du système restauré".into(),
        });
    }

    // 3. The merge, differing lines sorted by dossier.
    let mut lines = ExternalSort::new(&req.out, 32 << 20, by_person);
    let totals = merge(store, &months, &mut restored, &mut lines, req.all_lines)?;
    let mut files = Vec::new();

    // 4. The people, with their names.
    let mut people = restored.people.finish().map_err(temp_error)?;
    let mut sorted = lines.finish().map_err(temp_error)?;
    let mut page = Vec::new();
    let (mut persons, mut count) = (0u64, 0u64);
    written(&req.out, "rapprochement_personnes.csv", &mut files, |w| {
        let mut csv = PersonsCsv::new(w).map_err(csv_io)?;
        let mut name: Option<(Vec<u8>, String)> = None;
        let mut last_dossier: Vec<u8> = Vec::new();
        while let Some(record) = sorted.next()? {
            let row = person_row(record, &mut people, &mut name)?;
            if row.indu.0 != 0 || row.rappel.0 != 0 {
                count += 1;
                if last_dossier != row.dossier.as_bytes() {
                    persons += 1;
                    last_dossier = row.dossier.as_bytes().to_vec();
                }
                if page.len() < PAGE_PERSONS {
                    page.push(row.clone());
                }
            }
            csv.row(&row).map_err(csv_io)?;
        }
        csv.finish().map_err(csv_io)
    })?;

    let mut month_totals = month_rows(&totals, &run_totals);
    // A month Relais paid only with claims not compared (all of the history) still shows.
    month_totals.sort_by_key(|m| m.month);
    written(&req.out, "rapprochement_totaux.csv", &mut files, |w| {
        write_totals_csv(w, &month_totals).map_err(csv_io)
    })?;

    let agents = others::agents(store, &validated, &restored.agents)?;
    written(&req.out, "rapprochement_agents.csv", &mut files, |w| {
        write_agents_csv(w, &agents).map_err(csv_io)
    })?;
    let invoices = others::invoices(store, &validated, &restored.invoices)?;
    written(
        &req.out,
        "rapprochement_fournisseurs.csv",
        &mut files,
        |w| write_suppliers_csv(w, &invoices).map_err(csv_io),
    )?;

    let report = Report {
        authority: &req.authority,
        produced_on: req.today,
        extracts: &req.extracts_label,
        months: &month_totals,
        persons: &page,
        persons_count: count,
        agents: &agents,
        invoices: &invoices,
        rejected_rows: restored.rejected,
    };
    written(&req.out, "rapprochement.html", &mut files, |w| {
        write_html(w, &report)
    })?;
    let sums: String = files
        .iter()
        .map(|(name, hash)| format!("{hash}  {name}\n"))
        .collect();
    crate::fsio::write_atomic(&req.out.join("SHA256SUMS"), sums.as_bytes())?;

    let all = month_totals
        .iter()
        .fold(relais_core::reconcile::Total::default(), |t, m| {
            t.plus(&m.total())
        });
    tracing::info!(
        persons,
        lines = count,
        indu = all.indu.0,
        rappel = all.rappel.0,
        "reconciliation written"
    );
    Ok(Reconciled {
        persons,
        lines: count,
        indu: all.indu,
        rappel: all.rappel,
        months: month_totals,
        agents: agents.len(),
        invoices: invoices.len(),
        rejected_rows: restored.rejected,
        files,
    })
}

/// Streams the claims through the merge; each line (that differs, or all) into `lines`.
fn merge(
    store: &dyn Backend,
    months: &CrisisMonths,
    restored: &mut Restored<'_>,
    lines: &mut ExternalSort,
    all_lines: bool,
) -> Result<Totals, AppError> {
    let rights = SortedRights(restored.rights.finish().map_err(temp_error)?);
    let mut merger = Reconciler::new(rights);
    let mut keep = |l: &Line<'_>| -> Result<(), AppError> {
        if l.matches() && !all_lines {
            return Ok(());
        }
        let reason = l.reason_fr();
        lines
            .push(|r| {
                sort::put(r, l.dossier.as_bytes())?;
                sort::put(r, l.benefit.code().as_bytes())?;
                sort::put(r, l.month.to_string().as_bytes())?;
                sort::put(r, l.right_id.as_bytes())?;
                sort::put(r, &l.paid.0.to_le_bytes())?;
                sort::put(r, &l.due.0.to_le_bytes())?;
                sort::put(r, reason.as_bytes())
            })
            .map_err(temp_error)
    };
    let mut failure: Option<AppError> = None;
    let streamed = store.each_paid_claim(&months.months(), &mut |c| {
        merger.claim(c, &mut keep).map_err(|e| {
            failure = Some(e);
            RunStoreError::Stopped("reconciliation stopped".into())
        })
    });
    if let Some(e) = failure {
        return Err(e);
    }
    streamed?;
    merger.finish(&mut keep)
}

/// Lines by dossier, benefit, month and right.
fn by_person(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    sort::fields(a).take(4).cmp(sort::fields(b).take(4))
}

/// A sorted line as a row, its person's name found in the people sorted by dossier (both go
/// forward together; `name` keeps the last person read).
fn person_row(
    record: &[u8],
    people: &mut relais_store::sort::Sorted,
    name: &mut Option<(Vec<u8>, String)>,
) -> std::io::Result<PersonRow> {
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "a sorted line");
    let mut f = sort::fields(record);
    let dossier = f.text().ok_or_else(bad)?.to_owned();
    let benefit = f.text().and_then(Benefit::parse).ok_or_else(bad)?;
    let month = f
        .text()
        .and_then(|m| Month::parse(m).ok())
        .ok_or_else(bad)?;
    let right_id = f.text().ok_or_else(bad)?.to_owned();
    let paid = Cents(f.int().ok_or_else(bad)?);
    let due = Cents(f.int().ok_or_else(bad)?);
    let reason = f.text().ok_or_else(bad)?.to_owned();
    while name
        .as_ref()
        .is_none_or(|(d, _)| d.as_slice() < dossier.as_bytes())
    {
        let Some(p) = people.next()? else { break };
        let mut pf = sort::fields(p);
        let d = pf.next().ok_or_else(bad)?.to_vec();
        let n = pf.text().ok_or_else(bad)?.to_owned();
        *name = Some((d, n));
    }
    let found = name
        .as_ref()
        .filter(|(d, _)| d.as_slice() == dossier.as_bytes())
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    Ok(PersonRow {
        dossier,
        name: found,
        right_id,
        benefit,
        month,
        paid,
        due,
        indu: Cents((paid.0 - due.0).max(0)),
        rappel: Cents((due.0 - paid.0).max(0)),
        reason,
    })
}

/// The totals per month, each with its runs' total.
fn month_rows(totals: &Totals, runs: &BTreeMap<Month, (Cents, Vec<String>)>) -> Vec<MonthTotals> {
    runs.iter()
        .map(|(&month, (runs_total, ids))| MonthTotals {
            month,
            benefits: totals
                .iter()
                .filter(|((m, _), _)| *m == month)
                .map(|((_, b), t)| (*b, *t))
                .collect(),
            runs_total: *runs_total,
            runs: ids.clone(),
        })
        .collect()
}

fn csv_io(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// A `Write` that hashes what goes through it.
struct Hashing<'w> {
    inner: &'w mut dyn Write,
    hash: Sha256,
}

impl Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes `out/name` atomically with `fill`, and notes its SHA-256 in `files`.
fn written(
    out: &Path,
    name: &str,
    files: &mut Vec<(String, String)>,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), AppError> {
    let mut digest = None;
    write_atomic_with(&out.join(name), |w| {
        let mut h = Hashing {
            inner: w,
            hash: Sha256::new(),
        };
        fill(&mut h)?;
        digest = Some(hex::encode(h.hash.finalize()));
        Ok(())
    })?;
    files.push((name.to_owned(), digest.unwrap_or_default()));
    Ok(())
}
