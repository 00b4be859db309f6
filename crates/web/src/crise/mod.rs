//! The crisis cell's screens (one module each: `courante`, `facts`, `systems`, `public`; their
//! pictures in `charts`): the main courante (append-only; add, filter, export), the incident's
//! facts with the CNIL clock and the notifications, the systems' inventory and their
//! remediation status, tasks, the directory's editing and the public page (its message and a
//! preview). Every change goes through `relais_app::crisis`, the services `relais` calls too;
//! the screens read the store for what they show. Writing is for the roles `crise` and `admin`
//! (checked by the route table and again by the store); the main courante and the incident are
//! read by them only, the inventory, tasks and the public page by every agent. This file: the
//! overview, the CNIL clock, and what the screens share.

use crate::access::holds;
use crate::app::{App, Shared};
use crate::error::WebError;
use crate::fields::field;
use crate::pages::{Head, render};
use crate::session::SignedIn;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use relais_app::crisis::Cell;
use relais_app::crisis::incident::Cnil;
use relais_app::{AppError, FixedClock};
use relais_core::crisis::{Incident, MAX_TEXT, parse_text};
use relais_core::deposits::parse_local_datetime;
use relais_documents::crisis::local;
use relais_store::crisis::CrisisError;
use relais_store::sessions::Session;
use serde::Deserialize;

pub(crate) mod charts;
mod courante;
mod facts;
mod public;
mod systems;

pub use courante::{EntryRow, add_entry, courante, courante_csv, courante_pdf};
pub use facts::{incident, incident_pdf, notify_cnil, record_fact};
pub use public::{directory_form, preview, preview_css, public_screen, set_directory, set_message};
pub use systems::{
    add_task, confirm_system_status, set_system_status, set_task_status, systemes, taches,
};

pub use crate::access::CRISE;

/// The CNIL clock (a fragment: htmx refreshes it every minute).
#[derive(Template)]
#[template(path = "cnil.html")]
pub(crate) struct CnilBlock {
    /// The moment of awareness is recorded.
    pub known: bool,
    pub awareness: String,
    pub deadline: String,
    /// "reste 12 h 05 min", "dépassé de 3 h 00 min", or why it is unknown.
    pub label: String,
    pub overdue: bool,
    /// A notification was sent.
    pub notified: bool,
    /// The clock stopped: "notifiée le … à …, n h après la découverte".
    pub stopped: Option<String>,
    /// The notification went after the 72 hours.
    pub late: bool,
}

#[derive(Template)]
#[template(path = "crise.html")]
pub(crate) struct CriseHome {
    pub head: Head,
    pub cnil: CnilBlock,
    /// The CNIL deadline as a timeline (`None` while awareness is not recorded).
    pub cnil_chart: Option<String>,
    /// The systems by status, as a stacked bar.
    pub systems_chart: String,
    /// (system, status) of the critical systems not restored.
    pub critical: Vec<(String, &'static str)>,
    /// (title, owner, due)
    pub overdue: Vec<(String, String, String)>,
    /// The last entries of the main courante, the latest first.
    pub last: Vec<EntryRow>,
}

fn writes(session: &Session) -> bool {
    holds(session, CRISE)
}

fn store_error(e: CrisisError) -> relais_store::StoreError {
    match e {
        CrisisError::Store(s) => s,
        other => relais_store::StoreError::Corrupt(other.to_string()),
    }
}

/// A service's read that failed: the store's failure, shown as an internal error.
fn read_error(e: AppError) -> relais_store::StoreError {
    match e {
        AppError::Crisis(e) => store_error(e),
        AppError::Store(s) => s,
        other => relais_store::StoreError::Corrupt(other.french()),
    }
}

/// A refusal of what the agent asked (bad input, a transition the workflow forbids…), or a
/// failure of the store: the one translation of a crisis service's error into a page.
fn refused(e: AppError) -> WebError {
    match e {
        AppError::Crisis(
            e @ CrisisError::Store(
                relais_store::StoreError::Forbidden { .. }
                | relais_store::StoreError::UnknownUser(_)
                | relais_store::StoreError::DisabledUser(_),
            ),
        ) => WebError::refused(e.to_string()),
        AppError::Crisis(e @ CrisisError::Store(_)) => WebError::internal("store error", e),
        AppError::Crisis(other) => WebError::unprocessable(other.to_string()),
        other => WebError::internal("crisis cell", other),
    }
}

/// The server's clock at this request, as the services take it.
fn request_clock(app: &App) -> FixedClock {
    FixedClock(app.instant())
}

/// The crisis cell as the services take it: the authority, its time zone, this request's
/// clock.
fn cell<'a>(app: &'a App, tz: &'a TimeZone, clock: &'a FixedClock) -> Cell<'a> {
    Cell {
        authority: &app.config.authority,
        tz,
        clock,
    }
}

/// Runs a change in the store, then sends the agent to `to`, or says why it was refused.
async fn write<T: Send + 'static>(
    app: &Shared,
    change: impl FnOnce(&mut dyn relais_store::Backend) -> Result<T, AppError> + Send + 'static,
    to: &str,
) -> Result<Response, WebError> {
    app.with_store(move |s| Ok(change(s)))
        .await?
        .map_err(refused)?;
    Ok(Redirect::to(to).into_response())
}

/// Text typed in a form: trimmed, `None` when empty, refused when too long.
fn optional(fields: &[(String, String)], name: &'static str) -> Result<Option<String>, String> {
    let v = field(fields, name).trim();
    if v.is_empty() {
        return Ok(None);
    }
    parse_text(name, v, MAX_TEXT)
        .map(Some)
        .map_err(|e| e.to_string())
}

fn instant(
    app: &App,
    fields: &[(String, String)],
    name: &'static str,
) -> Result<Option<Timestamp>, String> {
    let v = field(fields, name).trim();
    if v.is_empty() {
        return Ok(None);
    }
    // Typed JJ/MM/AAAA HH:MM (or 9h30); AAAA-MM-JJTHH:MM as a `datetime-local` input sent it.
    parse_local_datetime(&v.replace('T', " "), &app.tz(), false)
        .map(Some)
        .ok_or_else(|| {
            format!("{name} : date et heure illisibles « {v} » (attendu JJ/MM/AAAA HH:MM)")
        })
}

/// A date and time of something that happened, refused when it is after now on the
/// authority's clock; `label` names the field as the form shows it.
fn past_instant(
    app: &App,
    fields: &[(String, String)],
    name: &'static str,
    label: &'static str,
) -> Result<Option<Timestamp>, String> {
    let tz = app.tz();
    let clock = request_clock(app);
    instant(app, fields, name)?
        .map(|at| {
            cell(app, &tz, &clock)
                .happened(label, at)
                .map_err(|e| e.french())
        })
        .transpose()
}

/// The CNIL clock as the screens show it (`relais_app::crisis::incident::Cnil`), from the
/// current awareness fact; it stops once the CNIL is notified.
pub(crate) fn cnil_block(app: &App, incident: &Incident) -> CnilBlock {
    let tz = app.tz();
    let cnil = Cnil::of(incident, &request_clock(app));
    let label = cnil.label_fr(&tz);
    let notified = matches!(cnil, Cnil::Notified { .. });
    match &cnil {
        Cnil::Unknown { notified } => CnilBlock {
            known: false,
            awareness: String::new(),
            deadline: String::new(),
            label: "prise de connaissance non renseignée : délai inconnu".into(),
            overdue: false,
            notified: *notified,
            stopped: None,
            late: false,
        },
        Cnil::Running { awareness, clock }
        | Cnil::Notified {
            awareness, clock, ..
        } => CnilBlock {
            known: true,
            awareness: local(*awareness, &tz),
            deadline: local(clock.deadline, &tz),
            label: label.clone().unwrap_or_default(),
            overdue: cnil.is_overdue(),
            notified,
            late: cnil.is_late(),
            stopped: if notified { label } else { None },
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Overview and the CNIL clock

pub async fn home(
    State(app): State<Shared>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let now = app.instant();
    let (incident, summary, overdue, entries) = app
        .with_reader(move |s| {
            Ok((
                s.incident().map_err(store_error)?,
                s.systems_summary().map_err(store_error)?,
                s.overdue_tasks(now).map_err(store_error)?,
                s.entries().map_err(store_error)?,
            ))
        })
        .await?;
    let tz = app.tz();
    let page = CriseHome {
        head: app.head("Cellule de crise", Some(&session), "/crise"),
        cnil: cnil_block(&app, &incident),
        cnil_chart: charts::cnil(&incident, now, &tz),
        systems_chart: charts::systems(&summary),
        critical: summary
            .critical_not_restored
            .iter()
            .map(|s| (s.name.clone(), s.status.label_fr()))
            .collect(),
        overdue: overdue
            .iter()
            .map(|t| {
                (
                    t.title.clone(),
                    t.owner.clone(),
                    t.due.map(|d| local(d, &tz)).unwrap_or_default(),
                )
            })
            .collect(),
        last: entries
            .iter()
            .rev()
            .take(10)
            .map(|e| courante::entry_row(e, &tz))
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// The clock alone, refreshed every minute by htmx on the screens that show it.
pub async fn clock(State(app): State<Shared>, SignedIn(_): SignedIn) -> Result<Response, WebError> {
    let incident = app
        .with_reader(|s| s.incident().map_err(store_error))
        .await?;
    Ok(render(StatusCode::OK, &cnil_block(&app, &incident)))
}

/// A document to download, named, with its type.
fn attachment(name: &str, content_type: &'static str, bytes: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

#[derive(Deserialize)]
pub struct Done {
    #[serde(default)]
    fait: Option<String>,
}
