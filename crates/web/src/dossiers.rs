//! "Dossiers à traiter": rows rejected at import, and rows imported with warnings (a phone
//! number, an e-mail, an unknown site: kept without the value), each with its reasons and the
//! row as read, and what became of it once handled by hand (journaled).

use crate::Shared;
use crate::pages::{Dossier, Dossiers, Failure, render};
use crate::routes::{Access, REJECTS, form_session, page_session};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use relais_store::pending::{OUTCOMES, PendingStore, PendingView};
use relais_store::sessions::Session;
use serde::Deserialize;

/// Rejected rows listed on the screen at most.
const SHOWN: u64 = 200;

fn outcome_label(code: &str) -> String {
    OUTCOMES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, label)| label)
        .to_owned()
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    tous: Option<String>,
}

pub async fn list(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    let session = match page_session(&app, &headers, Access::AnyOf(REJECTS)).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let all = query.tous.is_some();
    let (rows, open) = match app
        .with_reader(move |s| s.pending_views(0, SHOWN, !all))
        .await
    {
        Ok(d) => d,
        Err(f) => return app.fail(f),
    };
    let page = Dossiers {
        head: app.head("Dossiers à traiter", Some(&session), "/dossiers"),
        rows: rows
            .into_iter()
            .map(|v| {
                let problems = v
                    .row
                    .problems
                    .iter()
                    .map(|(field, _, message)| format!("{field} : {message}"))
                    .collect::<Vec<_>>()
                    .join(" ; ");
                // The screen's table has no column for it (pages::Dossiers): said first.
                let problems = match v.row.severity.code() {
                    "avertissement" => format!("Avertissement (ligne importée) — {problems}"),
                    _ => format!("Rejet — {problems}"),
                };
                (
                    v.row.id,
                    v.row.file,
                    v.row.line,
                    v.row.key.unwrap_or_default(),
                    problems,
                    v.handling.map(|h| outcome_label(&h.outcome)),
                )
            })
            .collect(),
        open,
        all,
    };
    render(StatusCode::OK, &page)
}

fn detail_page(
    app: &Shared,
    session: &Session,
    status: StatusCode,
    view: PendingView,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let title = format!("Ligne {} de {}", view.row.line, view.row.file);
    let page = Dossier {
        head: app.head(&title, Some(session), "/dossiers"),
        csrf: session.csrf.clone(),
        view,
        outcomes: OUTCOMES,
        notice,
        error,
    };
    render(status, &page)
}

#[derive(Deserialize)]
pub struct DetailQuery {
    #[serde(default)]
    fait: Option<String>,
}

pub async fn detail(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(query): Query<DetailQuery>,
) -> Response {
    let session = match page_session(&app, &headers, Access::AnyOf(REJECTS)).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    match app.with_reader(move |s| s.pending_view(id)).await {
        Ok(Some(view)) => {
            let notice = query
                .fait
                .map(|_| "Suite enregistrée (journal).".to_owned());
            detail_page(&app, &session, StatusCode::OK, view, notice, None)
        }
        Ok(None) => app.fail(Failure::NotFound),
        Err(f) => app.fail(f),
    }
}

#[derive(Deserialize)]
pub struct HandleForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    note: String,
}

/// Records what became of a rejected row.
pub async fn handle(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<HandleForm>,
) -> Response {
    let session = match form_session(&app, &headers, Access::AnyOf(REJECTS), &form.csrf_token).await
    {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let why = if !OUTCOMES.iter().any(|(c, _)| *c == form.outcome) {
        Some("choisissez ce qu'il est advenu de la ligne")
    } else if form.note.trim().is_empty() {
        Some("la note est obligatoire : dites ce qui a été fait")
    } else {
        None
    };
    if let Some(why) = why {
        return match app.with_reader(move |s| s.pending_view(id)).await {
            Ok(Some(view)) => detail_page(
                &app,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                view,
                None,
                Some(format!("Rien n'est enregistré : {why}.")),
            ),
            Ok(None) => app.fail(Failure::NotFound),
            Err(f) => app.fail(f),
        };
    }
    let actor = session.login.clone();
    let at = app.local_time();
    let done = app
        .with_store(move |s| s.handle_pending(&actor, id, &form.outcome, &form.note, &at))
        .await;
    match done {
        Ok(Some(_)) => Redirect::to(&format!("/dossiers/{id}?fait=1")).into_response(),
        Ok(None) => app.fail(Failure::NotFound),
        Err(f) => app.fail(f),
    }
}
