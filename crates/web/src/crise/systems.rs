//! The systems' inventory with their remediation status, and the crisis cell's tasks.

use super::*;
use crate::app::Shared;
use crate::error::WebError;
use crate::fields::field;
use crate::pages::{Head, render, url_segment};
use crate::session::{SignedForm, SignedIn};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_app::AppError;
use relais_app::crisis::systems as service;
use relais_core::crisis::{MAX_TEXT, SystemStatus, TaskStatus, parse_text};
use relais_documents::crisis::local;
use relais_store::crisis::{CrisisError, NewTask};
use serde::Deserialize;

pub(crate) struct SystemRow {
    pub id: String,
    pub name: String,
    pub function: String,
    pub criticality: &'static str,
    pub owner: String,
    pub site: String,
    pub status: &'static str,
    /// Since when and by whom.
    pub since: String,
    /// The statuses the workflow allows next: (code, label).
    pub next: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "systemes.html")]
pub(crate) struct SystemesPage {
    pub head: Head,
    pub can_write: bool,
    pub by_status: Vec<(&'static str, u64)>,
    pub rows: Vec<SystemRow>,
    pub notice: Option<String>,
}

pub(crate) struct TaskRow {
    pub id: i64,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub status: &'static str,
    pub overdue: bool,
    /// The other statuses: (code, label).
    pub statuses: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "taches.html")]
pub(crate) struct TachesPage {
    pub head: Head,
    pub csrf: String,
    pub can_write: bool,
    pub rows: Vec<TaskRow>,
    pub notice: Option<String>,
}

pub async fn systemes(
    State(app): State<Shared>,
    Query(done): Query<Done>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let (systems, summary) = app
        .with_reader(|s| {
            Ok((
                s.systems().map_err(store_error)?,
                s.systems_summary().map_err(store_error)?,
            ))
        })
        .await?;
    let tz = app.tz();
    let page = SystemesPage {
        head: app.head(
            "Systèmes et applications",
            Some(&session),
            "/crise/systemes",
        ),
        can_write: writes(&session),
        by_status: summary
            .by_status
            .iter()
            .map(|(s, n)| (s.label_fr(), *n))
            .collect(),
        rows: systems
            .iter()
            .map(|s| SystemRow {
                id: s.id.clone(),
                name: s.name.clone(),
                function: s.function.clone(),
                criticality: s.criticality.label_fr(),
                owner: s.owner.clone(),
                site: s.site.clone().unwrap_or_default(),
                status: s.status.label_fr(),
                since: format!("{}, {}", local(s.status_at, &tz), s.status_by),
                next: s
                    .status
                    .next()
                    .iter()
                    .map(|n| (n.as_str(), n.label_fr()))
                    .collect(),
            })
            .collect(),
        notice: done
            .fait
            .map(|id| format!("Statut de « {id} » changé ; la main courante le note.")),
    };
    Ok(render(StatusCode::OK, &page))
}

/// The new status asked on the inventory (a GET form: nothing changes yet).
#[derive(Deserialize)]
pub struct StatusQuery {
    #[serde(default)]
    status: Option<String>,
}

/// The confirmation of a status change: the system, old → new, and what the public page says.
#[derive(Template)]
#[template(path = "crise_statut.html")]
pub struct ConfirmStatus {
    pub head: Head,
    pub csrf: String,
    pub id: String,
    pub name: String,
    pub criticality: &'static str,
    pub old: &'static str,
    pub new_code: &'static str,
    pub new: &'static str,
    /// What the public page says is affected, one item a line (empty: no message yet).
    pub public_affected: Vec<String>,
    pub restored: bool,
}

/// `GET /crise/systemes/{id}/statut?status=…`: states the consequence of the change and asks
/// for confirmation, by a form that posts it (no JavaScript).
pub async fn confirm_system_status(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(query): Query<StatusQuery>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let (systems, message) = app
        .with_reader(|s| {
            Ok((
                s.systems().map_err(store_error)?,
                s.public_message().map_err(store_error)?,
            ))
        })
        .await?;
    let system = systems
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(WebError::NotFound)?;
    let asked = query.status.unwrap_or_default();
    let Some(to) = SystemStatus::parse(&asked) else {
        return Err(WebError::unprocessable(format!(
            "nouveau statut de « {} » : choisissez-en un dans la liste",
            system.name
        )));
    };
    system
        .status
        .check_transition(to)
        .map_err(|e| WebError::unprocessable(e.to_string()))?;
    let page = ConfirmStatus {
        head: app.head(
            "Confirmer le changement de statut",
            Some(&session),
            "/crise/systemes",
        ),
        csrf: session.csrf.clone(),
        id: system.id.clone(),
        name: system.name.clone(),
        criticality: system.criticality.label_fr(),
        old: system.status.label_fr(),
        new_code: to.as_str(),
        new: to.label_fr(),
        public_affected: message
            .map(|m| {
                m.affected
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        restored: to == SystemStatus::Restored,
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn set_system_status(
    State(app): State<Shared>,
    Path(id): Path<String>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let to = SystemStatus::parse(field(&fields, "status"))
        .ok_or_else(|| WebError::unprocessable("choisissez le nouveau statut"))?;
    let note = optional(&fields, "note").map_err(WebError::unprocessable)?;
    let actor = session.login.clone();
    let system = id.clone();
    let done = app
        .with_store(move |s| Ok(service::set_status(s, &actor, &system, to, note.as_deref())))
        .await?;
    match done {
        Ok(_) => {
            Ok(Redirect::to(&format!("/crise/systemes?fait={}", url_segment(&id))).into_response())
        }
        Err(AppError::Crisis(CrisisError::UnknownSystem(_))) => Err(WebError::NotFound),
        Err(e) => Err(refused(e)),
    }
}

pub async fn taches(
    State(app): State<Shared>,
    Query(done): Query<Done>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let tasks = app.with_reader(|s| s.tasks().map_err(store_error)).await?;
    let tz = app.tz();
    let now = app.instant();
    let page = TachesPage {
        head: app.head(
            "Tâches de la cellule de crise",
            Some(&session),
            "/crise/taches",
        ),
        csrf: session.csrf.clone(),
        can_write: writes(&session),
        rows: tasks
            .iter()
            .map(|t| TaskRow {
                id: t.id,
                title: t.title.clone(),
                owner: t.owner.clone(),
                due: t.due.map(|d| local(d, &tz)).unwrap_or_default(),
                status: t.status.label_fr(),
                overdue: t.is_overdue(now),
                statuses: TaskStatus::ALL
                    .iter()
                    .filter(|s| **s != t.status)
                    .map(|s| (s.as_str(), s.label_fr()))
                    .collect(),
            })
            .collect(),
        notice: done.fait.map(|_| "Tâche enregistrée.".to_owned()),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn add_task(
    State(app): State<Shared>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let task = (|| -> Result<NewTask, String> {
        Ok(NewTask {
            title: parse_text("intitulé", field(&fields, "title"), MAX_TEXT)
                .map_err(|e| e.to_string())?,
            owner: parse_text("responsable", field(&fields, "owner"), 200)
                .map_err(|e| e.to_string())?,
            due: instant(&app, &fields, "due")?,
        })
    })();
    let task = task.map_err(WebError::unprocessable)?;
    let actor = session.login.clone();
    write(
        &app,
        move |s| service::add_task(s, &actor, &task),
        "/crise/taches?fait=1",
    )
    .await
}

pub async fn set_task_status(
    State(app): State<Shared>,
    Path(id): Path<i64>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let status = TaskStatus::parse(field(&fields, "status"))
        .ok_or_else(|| WebError::unprocessable("choisissez le nouveau statut"))?;
    let actor = session.login.clone();
    match app
        .with_store(move |s| Ok(service::set_task_status(s, &actor, id, status)))
        .await?
    {
        Ok(_) => Ok(Redirect::to("/crise/taches?fait=1").into_response()),
        Err(AppError::Crisis(CrisisError::UnknownTask(_))) => Err(WebError::NotFound),
        Err(e) => Err(refused(e)),
    }
}
