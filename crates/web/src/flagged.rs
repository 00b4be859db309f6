//! "Dossiers à traiter": rows rejected at import, and rows imported with warnings (a phone
//! number, an e-mail, an unknown site: kept without the value), each with its reasons and the
//! row as read, and what became of it once handled by hand (journaled).

mod labels;

use crate::app::Shared;
use crate::error::WebError;
use crate::form_errors::FormErrors;
use crate::pages::{Head, render};
use crate::session::{CsrfToken, SignedForm, SignedIn};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_store::flagged::{FlaggedView, OUTCOMES};
use relais_store::sessions::Session;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "dossiers.html")]
pub(crate) struct Dossiers {
    pub head: Head,
    /// (id, file, line, key, problems as "field: message", outcome label if handled)
    pub rows: Vec<(i64, String, u64, String, String, Option<String>)>,
    /// Rows without an outcome.
    pub open: u64,
    /// All rows are listed (not only those without an outcome).
    pub all: bool,
}

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
    Query(query): Query<ListQuery>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let all = query.tous.is_some();
    let (rows, open) = app
        .with_reader(move |s| s.flagged_views(0, SHOWN, !all))
        .await?;
    let page = Dossiers {
        head: app.head("Dossiers à traiter", Some(&session), "/dossiers"),
        rows: rows
            .into_iter()
            .map(|v| {
                let problems = v
                    .row
                    .problems
                    .iter()
                    .map(|(field, _, message)| {
                        format!(
                            "{} : {}",
                            labels::field(field),
                            labels::message(field, message)
                        )
                    })
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
    Ok(render(StatusCode::OK, &page))
}

/// Longest note, as `limits::FIELDS` says.
const MAX_NOTE: usize = 2000;

#[derive(Template)]
#[template(path = "dossier.html")]
pub struct Dossier {
    pub head: Head,
    pub csrf: String,
    pub id: i64,
    pub warning: bool,
    /// (column's label, problem's label, message)
    pub problems: Vec<(String, String, String)>,
    /// (column's label, value as read)
    pub raw: Vec<(String, String)>,
    /// (outcome's label, note, by, at 01/12/2026 09:14)
    pub handling: Option<(String, String, String, String)>,
    pub outcomes: &'static [(&'static str, &'static str)],
    /// The form as typed, when refused.
    pub outcome: String,
    pub note: String,
    pub errors: FormErrors,
    pub notice: Option<String>,
}

/// The store's local time (`2026-12-01 09:14`) as agents read it (`01/12/2026 09:14`).
fn local_time(at: &str) -> String {
    jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", at.trim())
        .map(|t| t.strftime("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_else(|_| at.to_owned())
}

/// What was typed in the form, kept when it is refused.
struct Typed {
    outcome: String,
    note: String,
    errors: FormErrors,
}

fn detail_page(
    app: &Shared,
    session: &Session,
    status: StatusCode,
    view: FlaggedView,
    notice: Option<String>,
    typed: Typed,
) -> Response {
    let title = format!("Ligne {} de {}", view.row.line, view.row.file);
    let row = view.row;
    let page = Dossier {
        head: app.head(&title, Some(session), "/dossiers"),
        csrf: session.csrf.clone(),
        id: row.id,
        warning: row.severity.code() == "avertissement",
        problems: row
            .problems
            .iter()
            .map(|(field, code, message)| {
                (
                    labels::field(field),
                    labels::problem(code),
                    labels::message(field, message),
                )
            })
            .collect(),
        raw: row
            .raw
            .into_iter()
            .map(|(field, value)| (labels::field(&field), value))
            .collect(),
        handling: view
            .handling
            .map(|h| (outcome_label(&h.outcome), h.note, h.by, local_time(&h.at))),
        outcomes: OUTCOMES,
        outcome: typed.outcome,
        note: typed.note,
        errors: typed.errors,
        notice,
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
    Path(id): Path<i64>,
    Query(query): Query<DetailQuery>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let view = app
        .with_reader(move |s| s.flagged_view(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let notice = query
        .fait
        .map(|_| "Suite enregistrée (journal).".to_owned());
    let typed = Typed {
        outcome: String::new(),
        note: String::new(),
        errors: FormErrors::new(),
    };
    Ok(detail_page(
        &app,
        &session,
        StatusCode::OK,
        view,
        notice,
        typed,
    ))
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

impl CsrfToken for HandleForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// Records what became of a rejected row.
pub async fn handle(
    State(app): State<Shared>,
    Path(id): Path<i64>,
    SignedForm(session, form): SignedForm<HandleForm>,
) -> Result<Response, WebError> {
    // Every problem at once, each beside its field; what was typed comes back.
    let mut errors = FormErrors::new();
    if !OUTCOMES.iter().any(|(c, _)| *c == form.outcome) {
        errors.add(
            "outcome",
            "Ce qu'il en est advenu",
            "choisissez ce qu'il est advenu de la ligne",
        );
    }
    let typed_chars = form.note.chars().count();
    if form.note.trim().is_empty() {
        errors.add(
            "note",
            "Ce qui a été fait",
            "la note est obligatoire : dites ce qui a été fait",
        );
    } else if typed_chars > MAX_NOTE {
        errors.add(
            "note",
            "Ce qui a été fait",
            format!("2 000 caractères au plus ({typed_chars} saisis)"),
        );
    }
    if !errors.is_empty() {
        let typed = Typed {
            outcome: form.outcome,
            note: if typed_chars > MAX_NOTE {
                String::new()
            } else {
                form.note
            },
            errors,
        };
        let view = app
            .with_reader(move |s| s.flagged_view(id))
            .await?
            .ok_or(WebError::NotFound)?;
        return Ok(detail_page(
            &app,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            view,
            None,
            typed,
        ));
    }
    let actor = session.login.clone();
    let at = app.local_time();
    app.with_store(move |s| s.handle_flagged(&actor, id, &form.outcome, &form.note, &at))
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Redirect::to(&format!("/dossiers/{id}?fait=1")).into_response())
}
