//! Payment runs: prepare, validate, cancel, release a duplicate, export and report — the
//! same functions for `relais run …` and the web's payment screens. The rules are in
//! `relais_core::run` and `relais_core::payment`, the claims and their invariants in the store
//! (`relais_store::runs`); this module puts the steps in order (settings, clock, store) and maps
//! runs onto the payment file writers (`relais_formats::payments`) and the documents
//! (`relais_documents`).

mod documents;
pub mod export;
pub(crate) mod lists;
mod params;
pub(crate) mod payees;
mod statements;
mod tee;
pub(crate) mod written;

use crate::clock::{Clock, local_now};
use crate::data::{Data, payment_settings};
use crate::error::{AppError, IoAction, Missing};
use jiff::tz::TimeZone;
use relais_core::calendar::Month;
use relais_core::records::Benefit;
use relais_core::run::RunId;
use relais_core::settings::{PaymentSettings, Settings};
use relais_store::runs::{PrepareRun, Prepared, RunRecord, RunStore};
use std::path::Path;

pub use documents::write_report;
pub use export::{ExportPlan, Exported, plan_export, record_export, write_export};
pub use params::{MANDATES_PER_BORDEREAU, run_params};
pub use written::Written;

/// The authority a service acts for: its settings (and the file they were read from, named in
/// messages, when there is one), its time zone, and the clock.
pub struct Authority<'a> {
    pub settings: &'a Settings,
    pub settings_path: Option<&'a Path>,
    pub tz: &'a TimeZone,
    pub clock: &'a dyn Clock,
}

impl Authority<'_> {
    /// The `[payments]` settings, or a message that says where to add them.
    pub fn payments(&self) -> Result<&PaymentSettings, AppError> {
        payment_settings(self.settings, self.settings_path)
    }
}

impl Data {
    /// The data folder's authority, at `clock`.
    pub fn authority<'a>(&'a self, clock: &'a dyn Clock) -> Authority<'a> {
        Authority {
            settings: &self.settings,
            settings_path: Some(&self.settings_path),
            tz: &self.tz,
            clock,
        }
    }
}

/// A request to prepare the run of a month.
#[derive(Debug, Clone, Copy)]
pub struct PrepareRequest<'a> {
    pub month: Month,
    /// The benefits paid, in the order given (duplicates removed by the caller).
    pub benefits: &'a [Benefit],
    /// The preparer (role liquidation).
    pub actor: &'a str,
    /// An arrears run of a month before the history's latest, and why.
    pub arrears: Option<&'a str>,
}

/// Prepares the run of `req.month` for `req.benefits`: the parameters from the settings (each
/// pay date moved back to a working day), the authority's time, the store's claims in one
/// transaction. When the same run is already prepared, it is returned (`created: false`).
pub fn prepare<S: RunStore + ?Sized>(
    store: &mut S,
    at: &Authority<'_>,
    req: &PrepareRequest<'_>,
) -> Result<Prepared, AppError> {
    let payments = at.payments()?;
    let params = run_params(
        payments,
        at.settings.authority.holiday_zone,
        req.month,
        req.benefits,
    )?;
    let (local_time, today) = local_now(at.clock, at.tz);
    let run = PrepareRun {
        month: req.month,
        actor: req.actor,
        authority: &at.settings.authority.name,
        local_time,
        today,
        params,
        arrears: req.arrears,
    };
    Ok(store.prepare_run(&run, req.benefits)?)
}

/// Every run, newest first.
pub fn list<S: RunStore + ?Sized>(store: &S) -> Result<Vec<RunRecord>, AppError> {
    Ok(store.runs()?)
}

/// The run `id`, in whatever state.
pub fn show<S: RunStore + ?Sized>(store: &S, id: RunId) -> Result<RunRecord, AppError> {
    store.run(id)?.ok_or(AppError::NotFound(Missing::Run(id)))
}

/// Validates the prepared run `id` by `actor` (an ordonnateur who did not prepare it), now.
pub fn validate<S: RunStore + ?Sized>(
    store: &mut S,
    clock: &dyn Clock,
    tz: &TimeZone,
    id: RunId,
    actor: &str,
) -> Result<RunRecord, AppError> {
    let (local_time, _) = local_now(clock, tz);
    Ok(store.validate_run(id, actor, &local_time)?)
}

/// [`validate`], then the journal's head signed (a checkpoint at each run validation): the
/// run, and why the checkpoint could not be signed, if so (French; the validation stands).
pub fn validate_signed<S: RunStore + relais_store::checkpoints::CheckpointStore + ?Sized>(
    store: &mut S,
    clock: &dyn Clock,
    tz: &TimeZone,
    id: RunId,
    actor: &str,
    signer: &crate::checkpoints::Signer,
) -> Result<(RunRecord, Option<String>), AppError> {
    let run = validate(store, clock, tz, id, actor)?;
    let warning = signer.sign_or_warn(store, crate::checkpoints::Reason::RunValidated, clock.now());
    Ok((run, warning))
}

/// Cancels the prepared run `id`: its rights become payable again.
pub fn cancel<S: RunStore + ?Sized>(
    store: &mut S,
    id: RunId,
    actor: &str,
    reason: &str,
) -> Result<RunRecord, AppError> {
    Ok(store.cancel_run(id, actor, reason)?)
}

/// Makes `right` payable for `month` although its person was paid the same benefit that month
/// under another right (an ordonnateur's decision); the other right.
pub fn release<S: RunStore + ?Sized>(
    store: &mut S,
    clock: &dyn Clock,
    tz: &TimeZone,
    release: &Release<'_>,
) -> Result<String, AppError> {
    let (local_time, _) = local_now(clock, tz);
    Ok(store.release_duplicate(
        release.actor,
        release.right,
        release.month,
        release.reason,
        &local_time,
    )?)
}

/// See [`release`].
#[derive(Debug, Clone, Copy)]
pub struct Release<'a> {
    pub actor: &'a str,
    pub right: &'a str,
    pub month: Month,
    pub reason: &'a str,
}

/// Writes the control report of run `id`, in whatever state, into `out` with its
/// `SHA256SUMS` (the review before validation).
pub fn report<S: RunStore + ?Sized>(store: &S, id: RunId, out: &Path) -> Result<Written, AppError> {
    let run = show(store, id)?;
    std::fs::create_dir_all(out).map_err(|e| AppError::io(IoAction::CreateFolder, out, e))?;
    let mut written = write_report(store, &run, out)?;
    written::write_sums(out, &mut written)?;
    Ok(written)
}
