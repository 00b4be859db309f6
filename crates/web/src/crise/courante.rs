//! The main courante: append-only; add, filter, export (CSV, PDF).

use super::*;
use crate::pages::{CourantePage, Failure, render};
use crate::routes::{Access, field, page_session};
use crate::{App, Shared};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::crisis::{
    Entry, EntryContent, EntryKind, MAX_TEXT, NewEntry, parse_sha256, parse_text,
};
use relais_documents::crisis::{local, write_courante_csv, write_courante_pdf};
use relais_store::crisis::{CrisisError, CrisisStore};
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
) -> Response {
    let entries = match app.with_reader(|s| s.entries().map_err(store_error)).await {
        Ok(e) => e,
        Err(f) => return app.fail(f),
    };
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
    render(status, &page)
}

pub async fn courante(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<CouranteQuery>,
) -> Response {
    match page_session(&app, &headers, Access::AnyOf(CRISE)).await {
        Ok(session) => courante_page(&app, &session, query, StatusCode::OK, None).await,
        Err(refused) => refused,
    }
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
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let session = match crise_form(&app, &headers, &fields).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let entry = match new_entry(&app, &fields) {
        Ok(e) => e,
        Err(why) => return courante_refused(&app, &session, why).await,
    };
    let actor = session.login.clone();
    let done = app
        .with_store(move |s| Ok(s.add_entry(&actor, &entry)))
        .await;
    match done {
        Ok(Ok(e)) => Redirect::to(&format!("/crise/courante?fait={}", e.id)).into_response(),
        Ok(Err(e @ CrisisError::Store(_))) => refused(&app, e),
        Ok(Err(e)) => courante_refused(&app, &session, e.to_string()).await,
        Err(f) => app.fail(f),
    }
}

/// The main courante again, saying why nothing was written.
async fn courante_refused(app: &Shared, session: &Session, why: String) -> Response {
    let query = CouranteQuery {
        kind: None,
        q: None,
        fait: None,
    };
    let error = Some(format!("Rien n'est inscrit : {why}."));
    courante_page(app, session, query, StatusCode::UNPROCESSABLE_ENTITY, error).await
}

pub async fn courante_csv(State(app): State<Shared>, headers: HeaderMap) -> Response {
    courante_export(app, headers, false).await
}

pub async fn courante_pdf(State(app): State<Shared>, headers: HeaderMap) -> Response {
    courante_export(app, headers, true).await
}

async fn courante_export(app: Shared, headers: HeaderMap, pdf: bool) -> Response {
    if let Err(refused) = page_session(&app, &headers, Access::AnyOf(CRISE)).await {
        return refused;
    }
    let entries = match app.with_reader(|s| s.entries().map_err(store_error)).await {
        Ok(e) => e,
        Err(f) => return app.fail(f),
    };
    let tz = app.tz();
    let mut out = Vec::new();
    let written = if pdf {
        write_courante_pdf(&heading(&app, &tz), &entries, &mut out)
    } else {
        write_courante_csv(&entries, &tz, &mut out)
    };
    match (written, pdf) {
        (Ok(()), true) => attachment("main-courante.pdf", "application/pdf", out),
        (Ok(()), false) => attachment("main-courante.csv", "text/csv; charset=utf-8", out),
        (Err(e), _) => {
            tracing::error!(error = %e, "main courante export");
            app.fail(Failure::Internal)
        }
    }
}
