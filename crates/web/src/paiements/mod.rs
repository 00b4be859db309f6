//! The payment screens: runs (prepare, review, validate, cancel, export and download their
//! files) and the renewal of rights by a crisis decision.

use crate::Shared;
use crate::error::WebError;
use crate::fields::field;
use crate::pages::render;
use crate::session::{CsrfToken, SignedForm, SignedIn};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_app::runs::{self, Authority, PrepareRequest};
use relais_app::{AppError, FixedClock};
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::records::Benefit;
use relais_core::roles::Role;
use relais_core::run::{RunId, RunStatus};
use relais_documents::french;
use relais_store::runs::RunStoreError;
use serde::Deserialize;

mod archive;
mod confirm;
mod files;
mod renewal;
mod suppliers;

pub use archive::download_all;
pub use confirm::confirm_validation;
use files::listed_files;
pub use files::{Exports, Folder, download, download_report, export_run, write_report};
pub use renewal::{confirm_renewal, renew, renewal_form};

#[derive(Template)]
#[template(path = "paiements.html")]
pub(crate) struct Paiements {
    pub head: crate::pages::Head,
    pub csrf: String,
    /// The user may prepare a run (role liquidation), and the month proposed.
    pub can_prepare: bool,
    /// The earliest month not yet paid (`relais_core::month_guard::first_unpaid`).
    pub next_month: String,
    /// The same, in words (`décembre 2026`).
    pub next_month_long: String,
    /// A run prepared for a later month while that one is unpaid.
    pub warning: Option<String>,
    /// (code, label)
    pub benefits: Vec<(&'static str, &'static str)>,
    /// (run, month, status, prepared by, lines, mandates, total)
    pub runs: Vec<(String, String, String, String, u64, u64, String)>,
    /// Each benefit's monthly totals over six months, as charts (`paiements_chart.rs`).
    pub monthly: String,
}

#[derive(Template)]
#[template(path = "paiement.html")]
pub(crate) struct Paiement {
    pub head: crate::pages::Head,
    pub csrf: String,
    pub summary: relais_core::run::RunSummary,
    pub status: String,
    /// The user may validate (role ordonnateur) and the run is still prepared.
    pub can_validate: bool,
    /// The run is still prepared (it may be cancelled).
    pub can_cancel: bool,
    /// The run is validated and this server writes files.
    pub can_export: bool,
    /// Files written: (name, SHA-256, bytes).
    pub files: Vec<(String, String, u64)>,
    /// This server writes control reports, and the files of the last one written.
    pub can_report: bool,
    pub report: Vec<(String, String, u64)>,
    pub notice: Option<String>,
    /// Prepared for a month after one not yet paid.
    pub warning: Option<String>,
    /// A payroll run's control figures and the agents it does not pay.
    pub payroll: Option<PayrollView>,
    /// A supplier run's invoices and interest mandated, and the invoices that wait.
    pub suppliers: Option<suppliers::SupplierView>,
}

/// What the run page adds for a payroll run.
pub(crate) struct PayrollView {
    pub summary: relais_core::payroll::PayrollSummary,
    pub excluded: Vec<relais_core::payroll::PayrollExclusion>,
}

fn benefits_of(fields: &[(String, String)]) -> Vec<Benefit> {
    let mut benefits: Vec<Benefit> = fields
        .iter()
        .filter(|(k, _)| k == "benefit")
        .filter_map(|(_, v)| Benefit::parse(v))
        .collect();
    benefits.sort();
    benefits.dedup();
    benefits
}

/// The warning for a run of a month after `first_unpaid` (an earlier month is not paid yet).
fn skipped_month(run: RunId, first_unpaid: Month) -> Option<String> {
    (run.month() > first_unpaid).then(|| {
        format!(
            "Attention : le paiement {run} est celui de {} ; {} n'est pas encore payé \
             (ni par l'historique importé, ni par un paiement validé). Vérifiez qu'il ne \
             manque pas un mois.",
            french::month_long(run.month()),
            french::month_long(first_unpaid)
        )
    })
}

/// The server's clock at this request, as the services take it.
fn clock(app: &crate::App) -> Result<FixedClock, AppError> {
    jiff::Timestamp::from_second(app.now())
        .map(FixedClock)
        .map_err(|e| AppError::Inconsistent(format!("horloge du serveur : {e}")))
}

/// The server's clock, or an internal error (logged) when it cannot be read.
pub(crate) fn web_clock(app: &crate::App) -> Result<FixedClock, WebError> {
    clock(app).map_err(|e| WebError::internal("server clock", e))
}

/// A run named in an address, or 404.
fn run_id(run: &str) -> Result<RunId, WebError> {
    run.parse().map_err(|_| WebError::NotFound)
}

/// The one translation of a service's error into a page: 404 for a run that does not exist,
/// 403 for a rule of who may do what, `otherwise` (the screen's: 409 for a run that changed,
/// 422 for what was asked) for the rest; logged in English.
pub(crate) fn refused(
    about: &dyn std::fmt::Display,
    e: AppError,
    otherwise: StatusCode,
) -> WebError {
    tracing::info!(run = %about, error = %e, "payment run refused");
    match e {
        AppError::NotFound(_) => WebError::NotFound,
        AppError::Refused(_) => WebError::refused(e.french()),
        // A database failure is shown as refused (403, its French cause), as the payment
        // screens always did, not as a 500: kept so that nothing changes for the agent.
        AppError::Store(_) => WebError::refused(e.french()),
        _ => WebError::Refused(otherwise, e.french()),
    }
}

fn store_error(e: RunStoreError) -> relais_store::StoreError {
    relais_store::StoreError::Corrupt(e.to_string())
}

pub async fn paiements(
    State(app): State<Shared>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let today = app.today().parse().unwrap_or(jiff::civil::Date::ZERO);
    let (runs, first_unpaid) = app
        .with_reader(move |s| {
            let first = s
                .first_unpaid_month(today)
                .map_err(|e| relais_store::StoreError::Corrupt(e.to_string()))?;
            Ok((s.runs().map_err(store_error)?, first))
        })
        .await?;
    let warning = runs
        .iter()
        .filter(|r| r.status == RunStatus::Prepared)
        .find_map(|r| skipped_month(r.id, first_unpaid));
    let next_month = first_unpaid.short();
    let next_month_long = relais_documents::french::month_long(first_unpaid);
    let page = Paiements {
        monthly: crate::paiements_chart::monthly(&app, &runs).await,
        head: app.head("Paiements", Some(&session), "/paiements"),
        csrf: session.csrf.clone(),
        can_prepare: session.has(Role::Liquidation),
        next_month,
        next_month_long,
        warning,
        benefits: Benefit::ALL
            .iter()
            .map(|b| (b.code(), b.label_fr()))
            .collect(),
        runs: runs
            .iter()
            .rev()
            .map(|r| {
                (
                    r.id.to_string(),
                    r.id.month().to_string(),
                    r.status.label_fr().to_owned(),
                    r.summary.prepared_by.clone(),
                    r.summary.lines,
                    r.summary.mandates,
                    Cents(r.summary.total.0).to_string(),
                )
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// What a prepare form needs: the server's payment settings, and the month typed (`month`),
/// or why not.
pub(crate) fn settings_and_month(
    app: &crate::App,
    fields: &[(String, String)],
) -> Result<(relais_core::settings::Settings, Month), WebError> {
    let Some(settings) = app.config.settings.clone() else {
        return Err(WebError::unprocessable(
            "les paramètres de paiement de la collectivité ne sont pas chargés",
        ));
    };
    let typed = field(fields, "month").trim();
    let Ok(month) = Month::parse_typed(typed) else {
        return Err(WebError::unprocessable(format!(
            "mois illisible « {typed} » : attendu MM/AAAA (12/2026) ou en lettres (décembre 2026)"
        )));
    };
    Ok((settings, month))
}

pub async fn prepare_run(
    State(app): State<Shared>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (settings, month) = settings_and_month(&app, &fields)?;
    let benefits = benefits_of(&fields);
    if benefits.is_empty() {
        return Err(WebError::unprocessable("aucune prestation choisie"));
    }
    let clock = web_clock(&app)?;
    let tz = app.tz();
    let actor = session.login.clone();
    let prepared = app
        .with_store(move |s| {
            let at = Authority {
                settings: &settings,
                settings_path: None,
                tz: &tz,
                clock: &clock,
            };
            let req = PrepareRequest {
                month,
                benefits: &benefits,
                actor: &actor,
                arrears: None,
            };
            Ok(runs::prepare(s, &at, &req))
        })
        .await?
        .map_err(|e| refused(&month, e, StatusCode::UNPROCESSABLE_ENTITY))?;
    Ok(Redirect::to(&format!("/paiements/{}", prepared.run.id)).into_response())
}

#[derive(Deserialize)]
pub struct RunNotice {
    #[serde(default)]
    fait: Option<String>,
}

pub async fn paiement(
    State(app): State<Shared>,
    Path(run): Path<String>,
    Query(notice): Query<RunNotice>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let id = run_id(&run)?;
    let today = app.today().parse().unwrap_or(jiff::civil::Date::ZERO);
    let (record, first_unpaid, payroll, suppliers) = app
        .with_reader(move |s| {
            let first = s
                .first_unpaid_month(today)
                .map_err(|e| relais_store::StoreError::Corrupt(e.to_string()))?;
            let record = s.run(id).map_err(store_error)?;
            let payroll = match &record {
                Some(r) if r.kind == relais_core::run::RunKind::Paie => {
                    let mut excluded = Vec::new();
                    s.each_payroll_exclusion(id, &mut |x| {
                        excluded.push(x.clone());
                        Ok(())
                    })
                    .map_err(store_error)?;
                    Some(PayrollView {
                        summary: s.payroll_summary(id).map_err(store_error)?,
                        excluded,
                    })
                }
                _ => None,
            };
            let suppliers = match &record {
                Some(r) if r.kind == relais_core::run::RunKind::Fournisseurs => {
                    Some(suppliers::SupplierView::from(
                        &s.supplier_run_summary(id).map_err(store_error)?,
                    ))
                }
                _ => None,
            };
            Ok((record, first, payroll, suppliers))
        })
        .await?;
    let record = record.ok_or(WebError::NotFound)?;
    let prepared = record.status == RunStatus::Prepared;
    let validated = record.status == RunStatus::Validated;
    let files = match &app.config.exports {
        Some(exports) if validated => listed_files(&exports.folder(id, Folder::Files)),
        _ => Vec::new(),
    };
    let report = match &app.config.exports {
        Some(exports) => listed_files(&exports.folder(id, Folder::Report)),
        None => Vec::new(),
    };
    let page = Paiement {
        head: app.head(&format!("Paiement {id}"), Some(&session), "/paiements"),
        csrf: session.csrf.clone(),
        status: record.status.label_fr().to_owned(),
        can_validate: prepared && session.has(Role::Ordonnateur),
        can_cancel: prepared,
        can_export: validated && app.config.exports.is_some(),
        can_report: app.config.exports.is_some(),
        files,
        report,
        notice: notice.fait.map(|n| {
            match n.as_str() {
                "valide" => "Paiement validé : il ne changera plus.",
                "exporte" => "Fichiers écrits : téléchargez-les ci-dessous.",
                "rapport" => "Rapport de contrôle écrit : téléchargez-le ci-dessous.",
                "deja" => {
                    "Un paiement des fournisseurs attend déjà sa validation : le voici (rien \
                     n'a été réservé une seconde fois)."
                }
                _ => "Paiement annulé : ses droits redeviennent payables.",
            }
            .to_owned()
        }),
        warning: if prepared && payroll.is_none() && suppliers.is_none() {
            skipped_month(id, first_unpaid)
        } else {
            None
        },
        payroll,
        suppliers,
        summary: record.summary,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct ValidateForm {
    #[serde(default)]
    csrf_token: String,
    /// The digest of what the confirmation page stated ([`confirm::digest_of`]).
    #[serde(default)]
    empreinte: String,
}

impl CsrfToken for ValidateForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// Validates a prepared run, confirmed on `GET /paiements/{run}/valider`: without its digest
/// the request is sent to that page; with a digest that no longer matches, refused.
pub async fn validate_run(
    State(app): State<Shared>,
    Path(run): Path<String>,
    SignedForm(session, form): SignedForm<ValidateForm>,
) -> Result<Response, WebError> {
    let id = run_id(&run)?;
    if form.empreinte.is_empty() {
        return Ok(Redirect::to(&format!("/paiements/{id}/valider")).into_response());
    }
    let record = app
        .with_reader(move |s| s.run(id).map_err(store_error))
        .await?
        .ok_or(WebError::NotFound)?;
    if confirm::digest_of(&record.summary) != form.empreinte {
        return Err(WebError::conflict(format!(
            "le paiement {id} a changé depuis la page de confirmation : relisez-le \
             (/paiements/{id}/valider) avant de le valider"
        )));
    }
    let actor = session.login.clone();
    let clock = web_clock(&app)?;
    let tz = app.tz();
    let signer = app.config.checkpoints.clone();
    app.with_store(move |s| {
        Ok(match &signer {
            // The warning, if any, is logged by the signer: the page says the validation.
            Some(signer) => {
                runs::validate_signed(s, &clock, &tz, id, &actor, signer).map(|(run, _)| run)
            }
            None => runs::validate(s, &clock, &tz, id, &actor),
        })
    })
    .await?
    .map_err(|e| refused(&id, e, StatusCode::CONFLICT))?;
    Ok(Redirect::to(&format!("/paiements/{id}?fait=valide")).into_response())
}

#[derive(Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    motif: String,
}

impl CsrfToken for CancelForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// Cancels a prepared run, freeing its rights for another (role liquidation or ordonnateur).
pub async fn cancel_run(
    State(app): State<Shared>,
    Path(run): Path<String>,
    SignedForm(session, form): SignedForm<CancelForm>,
) -> Result<Response, WebError> {
    let id = run_id(&run)?;
    let reason = form.motif.trim().to_owned();
    if reason.is_empty() {
        return Err(WebError::unprocessable(
            "le motif de l'annulation est obligatoire",
        ));
    }
    let actor = session.login.clone();
    app.with_store(move |s| Ok(runs::cancel(s, id, &actor, &reason)))
        .await?
        .map_err(|e| refused(&id, e, StatusCode::CONFLICT))?;
    Ok(Redirect::to(&format!("/paiements/{id}?fait=annule")).into_response())
}
