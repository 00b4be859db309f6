//! The payment screens: runs (prepare, review, validate, cancel, export and download their
//! files) and the renewal of rights by a crisis decision.

use crate::pages::{Failure, Paiement, Paiements, RenewalForm, Renouvellement, render};
use crate::routes::{Access, CsrfForm, PAYMENTS, RENEW, field, form_session, page_session};
use crate::{App, Shared};
use axum::Form;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::Cents;
use relais_core::calendar::{Month, parse_date};
use relais_core::records::Benefit;
use relais_core::roles::Role;
use relais_core::run::{RenewalPolicy, RunId, RunStatus};
use relais_store::runs::{PrepareRun, RunParams, RunStore, RunStoreError};
use serde::Deserialize;
use std::path::PathBuf;

/// Writes a validated run's files into a folder, by a user: the command line's
/// `relais run export`, handed to the server so that both write the same bytes.
pub type ExportFn = dyn Fn(RunId, &str, &std::path::Path) -> Result<(), String> + Send + Sync;

/// Writes a run's control report (HTML and the CSV lists) and their `SHA256SUMS` into a
/// folder, whatever the run's state: the command line's `relais run show --out`.
pub type ReportFn = dyn Fn(RunId, &std::path::Path) -> Result<(), String> + Send + Sync;

/// Where the runs' files are written (one folder per run) and how.
pub struct Exports {
    pub dir: PathBuf,
    pub export: Box<ExportFn>,
    pub report: Box<ReportFn>,
}

/// Which of a run's folders: its files for the accountant, or its control report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    Files,
    Report,
}

impl Exports {
    fn folder(&self, id: RunId, folder: Folder) -> PathBuf {
        match folder {
            Folder::Files => self.dir.join(id.to_string()),
            Folder::Report => self.dir.join(format!("{id}-controle")),
        }
    }
}

/// The files of one of a run's folders, as its `SHA256SUMS` lists them: (name, SHA-256,
/// size in bytes). Only these names are ever served, so a request cannot reach any other
/// file.
fn listed_files(dir: &std::path::Path) -> Vec<(String, String, u64)> {
    let Ok(sums) = std::fs::read_to_string(dir.join("SHA256SUMS")) else {
        return Vec::new();
    };
    let mut files: Vec<(String, String, u64)> = sums
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(digest, name)| {
            let size = std::fs::metadata(dir.join(name)).map_or(0, |m| m.len());
            (name.to_owned(), digest.to_owned(), size)
        })
        .collect();
    let size = std::fs::metadata(dir.join("SHA256SUMS")).map_or(0, |m| m.len());
    files.push(("SHA256SUMS".to_owned(), String::new(), size));
    files
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

fn store_error(e: RunStoreError) -> relais_store::StoreError {
    relais_store::StoreError::Corrupt(e.to_string())
}

pub async fn paiements(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let session = match page_session(&app, &headers, Access::AnyOf(PAYMENTS)).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let runs = match app.with_store(|s| s.runs().map_err(store_error)).await {
        Ok(r) => r,
        Err(f) => return app.fail(f),
    };
    let next_month = Month::parse(&app.today().chars().take(7).collect::<String>())
        .map(|m| m.next().to_string())
        .unwrap_or_default();
    let page = Paiements {
        monthly: crate::paiements_chart::monthly(&app, &runs).await,
        head: app.head("Paiements", Some(&session), "/paiements"),
        csrf: session.csrf.clone(),
        can_prepare: session.has(Role::Liquidation),
        next_month,
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
    render(StatusCode::OK, &page)
}

pub async fn prepare_run(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| field(&fields, name);
    let access = Access::AnyOf(&[Role::Liquidation]);
    let session = match form_session(&app, &headers, access, field("csrf_token")).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let Some(settings) = app.config.settings.clone() else {
        return app
            .unprocessable("les paramètres de paiement de la collectivité ne sont pas chargés");
    };
    let Some(payments) = settings.payments.clone() else {
        return app
            .unprocessable("la section [payments] manque aux paramètres (voir docs/runbook.md)");
    };
    let month = match Month::parse(field("month").trim()) {
        Ok(m) => m,
        Err(e) => return app.unprocessable(&format!("mois illisible : {e}")),
    };
    let benefits = benefits_of(&fields);
    if benefits.is_empty() {
        return app.unprocessable("aucune prestation choisie");
    }
    let params = match RunParams::from_settings(
        &payments,
        settings.authority.holiday_zone,
        month,
        &benefits,
    ) {
        Ok(p) => p,
        Err(e) => return app.unprocessable(&e),
    };
    let today = match app.today().parse::<jiff::civil::Date>() {
        Ok(d) => d,
        Err(_) => return app.fail(Failure::Internal),
    };
    let local_time = app.local_time();
    let actor = session.login.clone();
    let authority = settings.authority.name.clone();
    let prepared = app
        .with_store(move |s| {
            let req = PrepareRun {
                month,
                actor: &actor,
                authority: &authority,
                local_time,
                today,
                params,
                arrears: None,
            };
            Ok(s.prepare_run(&req, &benefits))
        })
        .await;
    match prepared {
        Ok(Ok(p)) => Redirect::to(&format!("/paiements/{}", p.run.id)).into_response(),
        Ok(Err(e @ relais_store::runs::RunStoreError::Store(_))) => app.refuse(&e.to_string()),
        Ok(Err(e)) => app.unprocessable(&e.to_string()),
        Err(f) => app.fail(f),
    }
}

#[derive(Deserialize)]
pub struct RunNotice {
    #[serde(default)]
    fait: Option<String>,
}

pub async fn paiement(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(run): Path<String>,
    Query(notice): Query<RunNotice>,
) -> Response {
    let session = match page_session(&app, &headers, Access::AnyOf(PAYMENTS)).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let Ok(id) = run.parse::<RunId>() else {
        return app.fail(Failure::NotFound);
    };
    let record = match app
        .with_store(move |s| s.run(id).map_err(store_error))
        .await
    {
        Ok(Some(r)) => r,
        Ok(None) => return app.fail(Failure::NotFound),
        Err(f) => return app.fail(f),
    };
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
                _ => "Paiement annulé : ses droits redeviennent payables.",
            }
            .to_owned()
        }),
        summary: record.summary,
    };
    render(StatusCode::OK, &page)
}

pub async fn validate_run(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(run): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let session = match form_session(
        &app,
        &headers,
        Access::AnyOf(&[Role::Ordonnateur]),
        &form.csrf_token,
    )
    .await
    {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let Ok(id) = run.parse::<RunId>() else {
        return app.fail(Failure::NotFound);
    };
    let actor = session.login.clone();
    let local_time = app.local_time();
    let done = app
        .with_store(move |s| Ok(s.validate_run(id, &actor, &local_time)))
        .await;
    match done {
        Ok(Ok(_)) => Redirect::to(&format!("/paiements/{id}?fait=valide")).into_response(),
        Ok(Err(relais_store::runs::RunStoreError::NotFound(_))) => app.fail(Failure::NotFound),
        Ok(Err(e)) => {
            tracing::info!(run = %id, error = %e, "validation refused");
            match e {
                relais_store::runs::RunStoreError::Store(_)
                | relais_store::runs::RunStoreError::SamePerson(_) => app.refuse(&e.to_string()),
                _ => app.refuse_with(StatusCode::CONFLICT, &e.to_string()),
            }
        }
        Err(f) => app.fail(f),
    }
}

#[derive(Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    motif: String,
}

/// Cancels a prepared run, freeing its rights for another (role liquidation or ordonnateur).
pub async fn cancel_run(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(run): Path<String>,
    Form(form): Form<CancelForm>,
) -> Response {
    let session =
        match form_session(&app, &headers, Access::AnyOf(PAYMENTS), &form.csrf_token).await {
            Ok(s) => s,
            Err(refused) => return refused,
        };
    let Ok(id) = run.parse::<RunId>() else {
        return app.fail(Failure::NotFound);
    };
    let reason = form.motif.trim().to_owned();
    if reason.is_empty() {
        return app.unprocessable("le motif de l'annulation est obligatoire");
    }
    let actor = session.login.clone();
    let done = app
        .with_store(move |s| Ok(s.cancel_run(id, &actor, &reason)))
        .await;
    match done {
        Ok(Ok(_)) => Redirect::to(&format!("/paiements/{id}?fait=annule")).into_response(),
        Ok(Err(RunStoreError::NotFound(_))) => app.fail(Failure::NotFound),
        Ok(Err(e @ RunStoreError::Store(_))) => app.refuse(&e.to_string()),
        Ok(Err(e)) => app.refuse_with(StatusCode::CONFLICT, &e.to_string()),
        Err(f) => app.fail(f),
    }
}

/// Writes a validated run's files (PES, pain.001, control report, bordereau, statements,
/// `SHA256SUMS`) into the data folder, as `relais run export` does; the page then lists them.
pub async fn export_run(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(run): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    write_run_folder(app, headers, run, form, "exporte", |exports, id, actor| {
        (exports.export)(id, actor, &exports.folder(id, Folder::Files))
    })
    .await
}

/// Writes the run's control report (the detailed lists: who is not paid and why, anomalies,
/// changes against the previous month, mandates) for review before validation.
pub async fn write_report(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(run): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    write_run_folder(app, headers, run, form, "rapport", |exports, id, _| {
        (exports.report)(id, &exports.folder(id, Folder::Report))
    })
    .await
}

/// Writes one of a run's folders with the command line's own code, off the async runtime,
/// then back to the run's page saying `done`, or why not.
async fn write_run_folder(
    app: Shared,
    headers: HeaderMap,
    run: String,
    form: CsrfForm,
    done: &str,
    write: impl FnOnce(&Exports, RunId, &str) -> Result<(), String> + Send + 'static,
) -> Response {
    let session =
        match form_session(&app, &headers, Access::AnyOf(PAYMENTS), &form.csrf_token).await {
            Ok(s) => s,
            Err(refused) => return refused,
        };
    let Ok(id) = run.parse::<RunId>() else {
        return app.fail(Failure::NotFound);
    };
    if app.config.exports.is_none() {
        return app.unprocessable("l'écriture de fichiers n'est pas disponible sur ce serveur");
    }
    let worker = std::sync::Arc::clone(&app);
    let actor = session.login.clone();
    let written = tokio::task::spawn_blocking(move || {
        let exports = worker.config.exports.as_ref().ok_or_else(String::new)?;
        write(exports, id, &actor)
    })
    .await;
    match written {
        Ok(Ok(())) => Redirect::to(&format!("/paiements/{id}?fait={done}")).into_response(),
        Ok(Err(why)) if why.starts_with("aucun paiement") => app.fail(Failure::NotFound),
        Ok(Err(why)) => {
            tracing::info!(run = %id, error = %why, "writing refused");
            app.unprocessable(&why)
        }
        Err(_) => app.fail(Failure::Internal),
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("xml") => "application/xml",
        Some("pdf") => "application/pdf",
        Some("csv") => "text/csv; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    }
}

/// Downloads one of a run's exported files, streamed (a national PES file is hundreds of
/// megabytes). Only a name listed by the run's `SHA256SUMS` (or that file) is served.
pub async fn download(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path((run, name)): Path<(String, String)>,
) -> Response {
    serve_file(app, headers, run, name, Folder::Files).await
}

/// Downloads one of the files of a run's control report.
pub async fn download_report(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path((run, name)): Path<(String, String)>,
) -> Response {
    serve_file(app, headers, run, name, Folder::Report).await
}

async fn serve_file(
    app: Shared,
    headers: HeaderMap,
    run: String,
    name: String,
    folder: Folder,
) -> Response {
    if let Err(refused) = page_session(&app, &headers, Access::AnyOf(PAYMENTS)).await {
        return refused;
    }
    let (Ok(id), Some(exports)) = (run.parse::<RunId>(), app.config.exports.as_ref()) else {
        return app.fail(Failure::NotFound);
    };
    let dir = exports.folder(id, folder);
    let listed = listed_files(&dir)
        .into_iter()
        .any(|(file, _, _)| file == name);
    if !listed {
        return app.fail(Failure::NotFound);
    }
    let file = match tokio::fs::File::open(dir.join(&name)).await {
        Ok(f) => f,
        Err(_) => return app.fail(Failure::NotFound),
    };
    let length = file.metadata().await.map_or(0, |m| m.len());
    let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(file, 1 << 16));
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&name)),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&length.to_string()) {
        h.insert(header::CONTENT_LENGTH, v);
    }
    response
}

// ---------------------------------------------------------------------------------------------
// Renewal of rights

fn renewal_page(
    app: &App,
    session: &relais_store::sessions::Session,
    status: StatusCode,
    form: RenewalForm,
    outcome: Option<(bool, relais_store::runs::RenewalOutcome)>,
    error: Option<String>,
) -> Response {
    let (applied, outcome) = match outcome {
        Some((applied, o)) => (applied, Some(o)),
        None => (false, None),
    };
    let page = Renouvellement {
        head: app.head("Renouvellement des droits", Some(session), "/paiements"),
        csrf: session.csrf.clone(),
        all_benefits: Benefit::ALL
            .iter()
            .map(|b| (b.code(), b.label_fr()))
            .collect(),
        per_benefit: outcome
            .as_ref()
            .map(|o| {
                o.per_benefit
                    .iter()
                    .map(|(b, (n, total))| (b.label_fr(), *n, total.to_string()))
                    .collect()
            })
            .unwrap_or_default(),
        total: outcome.as_ref().map(|o| {
            let monthly = o
                .per_benefit
                .values()
                .fold(Cents::ZERO, |acc, (_, t)| Cents(acc.0.saturating_add(t.0)));
            (o.rights, monthly.to_string())
        }),
        applied,
        journal: outcome
            .as_ref()
            .and_then(|o| o.entry.as_ref().map(|e| e.seq)),
        form,
        error,
    };
    render(status, &page)
}

pub async fn renewal_form(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let session = match page_session(&app, &headers, Access::AnyOf(RENEW)).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let form = RenewalForm {
        benefits: vec!["APA_DOM", "APA_ETAB", "PCH", "ASH"]
            .into_iter()
            .map(str::to_owned)
            .collect(),
        ..RenewalForm::default()
    };
    renewal_page(&app, &session, StatusCode::OK, form, None, None)
}

/// The policy the form describes, or why not (in French).
fn policy_of(form: &RenewalForm) -> Result<RenewalPolicy, String> {
    let date = |label: &str, v: &str| parse_date(v).map_err(|e| format!("{label} : {e}"));
    let policy = RenewalPolicy {
        benefits: form
            .benefits
            .iter()
            .filter_map(|b| Benefit::parse(b))
            .collect(),
        ends_from: date("fin de droit à partir du", &form.ends_from)?,
        ends_to: date("fin de droit jusqu'au", &form.ends_to)?,
        new_end: date("nouvelle date de fin", &form.new_end)?,
        legal_reference: form.legal_reference.trim().to_owned(),
        decided_by: form.decided_by.trim().to_owned(),
    };
    policy.validate().map_err(|e| e.to_string())?;
    Ok(policy)
}

/// Shows what a policy changes (`etape=simuler`), or applies it (`etape=appliquer`): one
/// journal entry listing every right changed; applying it again changes nothing.
pub async fn renew(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let session = match form_session(
        &app,
        &headers,
        Access::AnyOf(RENEW),
        field(&fields, "csrf_token"),
    )
    .await
    {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let form = RenewalForm {
        benefits: benefits_of(&fields)
            .iter()
            .map(|b| b.code().to_owned())
            .collect(),
        ends_from: field(&fields, "ends_from").trim().to_owned(),
        ends_to: field(&fields, "ends_to").trim().to_owned(),
        new_end: field(&fields, "new_end").trim().to_owned(),
        legal_reference: field(&fields, "legal_reference").trim().to_owned(),
        decided_by: field(&fields, "decided_by").trim().to_owned(),
    };
    let policy = match policy_of(&form) {
        Ok(p) => p,
        Err(why) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return renewal_page(&app, &session, status, form, None, Some(why));
        }
    };
    let apply = field(&fields, "etape") == "appliquer";
    let actor = session.login.clone();
    let done = app
        .with_store(move |s| Ok(s.renew_rights(&policy, &actor, !apply)))
        .await;
    match done {
        Ok(Ok(outcome)) => renewal_page(
            &app,
            &session,
            StatusCode::OK,
            form,
            Some((apply, outcome)),
            None,
        ),
        Ok(Err(e @ RunStoreError::Store(_))) => app.refuse(&e.to_string()),
        Ok(Err(e)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            renewal_page(&app, &session, status, form, None, Some(e.to_string()))
        }
        Err(f) => app.fail(f),
    }
}
