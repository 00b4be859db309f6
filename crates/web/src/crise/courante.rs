//! The main courante: append-only; add, filter, export (CSV, PDF).

use super::*;
use crate::app::{App, Shared};
use crate::error::WebError;
use crate::fields::field;
use crate::pages::{Head, render};
use crate::session::{SignedForm, SignedIn};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_app::AppError;
use relais_app::crisis::courante::{self as service, Export, Format};
use relais_core::crisis::{
    Entry, EntryContent, EntryKind, MAX_TEXT, NewEntry, parse_sha256, parse_text,
};
use relais_documents::crisis::local;
use relais_store::crisis::CrisisError;
use relais_store::sessions::Session;
use serde::Deserialize;

/// (id, when, author, kind, text, references, journal seq, journal hash)
pub type EntryRow = (
    i64,
    String,
    String,
    &'static str,
    String,
    String,
    u64,
    String,
);

pub(super) fn entry_row(e: &Entry, tz: &jiff::tz::TimeZone) -> EntryRow {
    let c = &e.content;
    let refs: Vec<String> = [
        c.corrects.map(|n| format!("corrige l'entrée n° {n}")),
        c.system.as_ref().map(|s| format!("système {s}")),
        c.site.as_ref().map(|s| format!("site {s}")),
        c.document.as_ref().map(|d| format!("document {d}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    (
        e.id,
        local(e.at, tz),
        e.author.clone(),
        c.kind.label_fr(),
        c.text.clone(),
        refs.join(" ; "),
        e.journal_seq,
        e.journal_hash.clone(),
    )
}

#[derive(Template)]
#[template(path = "courante.html")]
pub(crate) struct CourantePage {
    pub head: Head,
    pub csrf: String,
    pub can_write: bool,
    /// (code, label)
    pub kinds: Vec<(&'static str, &'static str)>,
    /// The kind filtered on ("" for all), and the words searched.
    pub kind: &'static str,
    pub q: String,
    /// Entries in the main courante, whatever the filter.
    pub total: usize,
    pub rows: Vec<EntryRow>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

#[derive(Deserialize)]
pub struct CouranteQuery {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    fait: Option<i64>,
}

async fn courante_page(
    app: &Shared,
    session: &Session,
    query: CouranteQuery,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, WebError> {
    let entries = app
        .with_reader(|s| s.entries().map_err(store_error))
        .await?;
    let tz = app.tz();
    let kind = query.kind.as_deref().and_then(EntryKind::parse);
    let words = relais_core::text::search_key(query.q.as_deref().unwrap_or(""));
    let total = entries.len();
    let rows: Vec<EntryRow> = entries
        .iter()
        .filter(|e| kind.is_none_or(|k| e.content.kind == k))
        .filter(|e| {
            words.is_empty() || relais_core::text::search_key(&e.content.text).contains(&words)
        })
        .map(|e| entry_row(e, &tz))
        .collect();
    let page = CourantePage {
        head: app.head("Main courante", Some(session), "/crise"),
        csrf: session.csrf.clone(),
        can_write: writes(session),
        kinds: EntryKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_fr()))
            .collect(),
        kind: kind.map(|k| k.as_str()).unwrap_or(""),
        q: query.q.unwrap_or_default(),
        total,
        rows,
        notice: query
            .fait
            .map(|n| format!("Entrée n° {n} inscrite à la main courante.")),
        error,
    };
    Ok(render(status, &page))
}

pub async fn courante(
    State(app): State<Shared>,
    Query(query): Query<CouranteQuery>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    courante_page(&app, &session, query, StatusCode::OK, None).await
}

fn new_entry(app: &App, fields: &[(String, String)]) -> Result<NewEntry, String> {
    let kind = EntryKind::parse(field(fields, "kind"))
        .ok_or_else(|| format!("nature : choisissez parmi {}", EntryKind::expected()))?;
    let corrects = match field(fields, "corrects").trim() {
        "" => None,
        n => Some(
            n.trim_start_matches("n°")
                .trim()
                .parse::<i64>()
                .map_err(|_| format!("corrige l'entrée : numéro illisible « {n} »"))?,
        ),
    };
    Ok(NewEntry {
        at: past_instant(app, fields, "at", "quand")?,
        content: EntryContent {
            kind,
            text: parse_text("texte", field(fields, "text"), MAX_TEXT)
                .map_err(|e| e.to_string())?,
            corrects,
            system: optional(fields, "system")?,
            site: optional(fields, "site")?,
            document: match field(fields, "document").trim() {
                "" => None,
                d => Some(parse_sha256(d).map_err(|e| e.to_string())?),
            },
        },
    })
}

pub async fn add_entry(
    State(app): State<Shared>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let entry = match new_entry(&app, &fields) {
        Ok(e) => e,
        Err(why) => return courante_refused(&app, &session, why).await,
    };
    let actor = session.login.clone();
    let done = app
        .with_store(move |s| Ok(service::add(s, &actor, &entry)))
        .await?;
    match done {
        Ok(e) => Ok(Redirect::to(&format!("/crise/courante?fait={}", e.id)).into_response()),
        Err(AppError::Crisis(e @ CrisisError::Store(_))) => Err(refused(AppError::Crisis(e))),
        Err(AppError::Crisis(e)) => courante_refused(&app, &session, e.to_string()).await,
        Err(e) => Err(refused(e)),
    }
}

/// The main courante again, saying why nothing was written.
async fn courante_refused(
    app: &Shared,
    session: &Session,
    why: String,
) -> Result<Response, WebError> {
    let query = CouranteQuery {
        kind: None,
        q: None,
        fait: None,
    };
    let error = Some(format!("Rien n'est inscrit : {why}."));
    courante_page(app, session, query, StatusCode::UNPROCESSABLE_ENTITY, error).await
}

pub async fn courante_csv(
    State(app): State<Shared>,
    SignedIn(_): SignedIn,
) -> Result<Response, WebError> {
    courante_export(app, false).await
}

pub async fn courante_pdf(
    State(app): State<Shared>,
    SignedIn(_): SignedIn,
) -> Result<Response, WebError> {
    courante_export(app, true).await
}

async fn courante_export(app: Shared, pdf: bool) -> Result<Response, WebError> {
    let export = app
        .with_reader(|s| Export::read(s).map_err(read_error))
        .await?;
    let (tz, clock) = (app.tz(), request_clock(&app));
    let format = if pdf { Format::Pdf } else { Format::Csv };
    let mut out = Vec::new();
    export
        .write(&cell(&app, &tz, &clock), format, &mut out)
        .map_err(|e| WebError::internal("main courante export", e))?;
    Ok(if pdf {
        attachment("main-courante.pdf", "application/pdf", out)
    } else {
        attachment("main-courante.csv", "text/csv; charset=utf-8", out)
    })
}
