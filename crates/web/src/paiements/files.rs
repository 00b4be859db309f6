//! A run's files: written by `relais_app::runs` (the service `relais run export` calls), on
//! the server's own connections, listed by their `SHA256SUMS`, downloaded streamed.

use crate::error::WebError;
use crate::session::{CsrfForm, SignedForm, SignedIn};
use crate::{App, Shared};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use relais_app::AppError;
use relais_app::runs;
use relais_core::run::RunId;
use std::path::PathBuf;

/// Where the runs' files are written: one folder per run.
#[derive(Debug, Clone)]
pub struct Exports {
    pub dir: PathBuf,
}

/// Which of a run's folders: its files for the accountant, or its control report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    Files,
    Report,
}

impl Exports {
    pub(super) fn folder(&self, id: RunId, folder: Folder) -> PathBuf {
        match folder {
            Folder::Files => self.dir.join(id.to_string()),
            Folder::Report => self.dir.join(format!("{id}-controle")),
        }
    }
}

/// The files of one of a run's folders, as its `SHA256SUMS` lists them: (name, SHA-256,
/// size in bytes). Only these names are ever served, so a request cannot reach any other
/// file.
pub(super) fn listed_files(dir: &std::path::Path) -> Vec<(String, String, u64)> {
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

/// Writes a validated run's files (PES, pain.001, control report, bordereau, statements,
/// `SHA256SUMS`) into the data folder, as `relais run export` does; the page then lists them.
pub async fn export_run(
    State(app): State<Shared>,
    Path(run): Path<String>,
    SignedForm(session, _): SignedForm<CsrfForm>,
) -> Result<Response, WebError> {
    write_run_folder(
        app,
        session.login,
        run,
        "exporte",
        |app, exports, id, actor| export(app, &exports.folder(id, Folder::Files), id, actor),
    )
    .await
}

/// Writes the run's control report (the detailed lists: who is not paid and why, anomalies,
/// changes against the previous month, mandates) for review before validation.
pub async fn write_report(
    State(app): State<Shared>,
    Path(run): Path<String>,
    SignedForm(session, _): SignedForm<CsrfForm>,
) -> Result<Response, WebError> {
    write_run_folder(app, session.login, run, "rapport", |app, exports, id, _| {
        let (reader, _) = app.lock_readers().ok_or_else(poisoned)?;
        relais_app::run_files::report(&**reader, id, &exports.folder(id, Folder::Report))
            .map(|_| ())
    })
    .await
}

/// The export in three steps, so that the server's one writing connection is held only to
/// record it: checked and written on reading connections (the documents on a second one when
/// one is free), recorded on the writer. The settings are the server's, read at its start.
fn export(app: &App, out: &std::path::Path, id: RunId, actor: &str) -> Result<(), AppError> {
    let settings = app
        .config
        .settings
        .as_ref()
        .ok_or(AppError::NoPaymentSettings { settings: None })?;
    let tz = app.tz();
    let clock = super::clock(app)?;
    let at = runs::Authority {
        settings,
        settings_path: None,
        tz: &tz,
        clock: &clock,
    };
    let (plan, written) = {
        let (reader, mut second) = app.lock_readers().ok_or_else(poisoned)?;
        let second = second.as_mut().map(|guard| &mut ***guard);
        let plan = runs::plan_export(&**reader, &at, id, actor)?;
        let written = relais_app::run_files::write_export(&plan, &**reader, second, out, false)?;
        (plan, written)
    };
    // The reading connections are back (with no reader, the writer was one of them).
    let mut store = app.lock_writer().ok_or_else(poisoned)?;
    let signer = app.config.checkpoints.as_ref();
    runs::record_export(&mut **store, plan, written, signer, app.instant())?;
    Ok(())
}

fn poisoned() -> AppError {
    AppError::Inconsistent("connexion à la base indisponible".into())
}

/// Writes one of a run's folders with `relais_app::runs`, off the async runtime, then back to
/// the run's page saying `done`, or why not: 404 for a run that does not exist, 403 for who
/// may not, 422 for the rest.
async fn write_run_folder(
    app: Shared,
    actor: String,
    run: String,
    done: &str,
    write: impl FnOnce(&App, &Exports, RunId, &str) -> Result<(), AppError> + Send + 'static,
) -> Result<Response, WebError> {
    let id = super::run_id(&run)?;
    let Some(exports) = app.config.exports.clone() else {
        return Err(WebError::unprocessable(
            "l'écriture de fichiers n'est pas disponible sur ce serveur",
        ));
    };
    let worker = std::sync::Arc::clone(&app);
    tokio::task::spawn_blocking(move || write(&worker, &exports, id, &actor))
        .await
        .map_err(|e| WebError::internal("run folder task", e))?
        .map_err(|e| super::refused(&id, e, StatusCode::UNPROCESSABLE_ENTITY))?;
    Ok(Redirect::to(&format!("/paiements/{id}?fait={done}")).into_response())
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
    Path((run, name)): Path<(String, String)>,
    SignedIn(_): SignedIn,
) -> Result<Response, WebError> {
    serve_file(app, run, name, Folder::Files).await
}

/// Downloads one of the files of a run's control report.
pub async fn download_report(
    State(app): State<Shared>,
    Path((run, name)): Path<(String, String)>,
    SignedIn(_): SignedIn,
) -> Result<Response, WebError> {
    serve_file(app, run, name, Folder::Report).await
}

async fn serve_file(
    app: Shared,
    run: String,
    name: String,
    folder: Folder,
) -> Result<Response, WebError> {
    let (Ok(id), Some(exports)) = (run.parse::<RunId>(), app.config.exports.as_ref()) else {
        return Err(WebError::NotFound);
    };
    let dir = exports.folder(id, folder);
    let listed = listed_files(&dir)
        .into_iter()
        .any(|(file, _, _)| file == name);
    if !listed {
        return Err(WebError::NotFound);
    }
    let file = tokio::fs::File::open(dir.join(&name))
        .await
        .map_err(|_| WebError::NotFound)?;
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
    Ok(response)
}
