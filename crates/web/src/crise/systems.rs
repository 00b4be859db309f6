//! The systems' inventory with their remediation status, and the crisis cell's tasks.

use super::*;
use crate::Shared;
use crate::pages::{Failure, SystemesPage, TachesPage, render};
use crate::routes::{Access, field, page_session};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::crisis::{MAX_TEXT, SystemStatus, TaskStatus, parse_text};
use relais_documents::crisis::local;
use relais_store::crisis::{CrisisError, CrisisStore, NewTask};

pub async fn systemes(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(done): Query<Done>,
) -> Response {
    let session = match page_session(&app, &headers, Access::SignedIn).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let data = app
        .with_reader(|s| {
            Ok((
                s.systems().map_err(store_error)?,
                s.systems_summary().map_err(store_error)?,
            ))
        })
        .await;
    let (systems, summary) = match data {
        Ok(d) => d,
        Err(f) => return app.fail(f),
    };
    let tz = app.tz();
    let page = SystemesPage {
        head: app.head(
            "Systèmes et applications",
            Some(&session),
            "/crise/systemes",
        ),
        csrf: session.csrf.clone(),
        can_write: writes(&session),
        by_status: summary
            .by_status
            .iter()
            .map(|(s, n)| (s.label_fr(), *n))
            .collect(),
        rows: systems
            .iter()
            .map(|s| crate::pages::SystemRow {
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
    render(StatusCode::OK, &page)
}

pub async fn set_system_status(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let session = match crise_form(&app, &headers, &fields).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let Some(to) = SystemStatus::parse(field(&fields, "status")) else {
        return app.unprocessable("choisissez le nouveau statut");
    };
    let note = match optional(&fields, "note") {
        Ok(n) => n,
        Err(why) => return app.unprocessable(&why),
    };
    let actor = session.login.clone();
    let system = id.clone();
    let done = app
        .with_store(move |s| Ok(s.set_system_status(&actor, &system, to, note.as_deref())))
        .await;
    match done {
        Ok(Ok(_)) => Redirect::to(&format!(
            "/crise/systemes?fait={}",
            crate::routes::url_segment(&id)
        ))
        .into_response(),
        Ok(Err(CrisisError::UnknownSystem(_))) => app.fail(Failure::NotFound),
        Ok(Err(e)) => refused(&app, e),
        Err(f) => app.fail(f),
    }
}

pub async fn taches(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(done): Query<Done>,
) -> Response {
    let session = match page_session(&app, &headers, Access::SignedIn).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let tasks = match app.with_reader(|s| s.tasks().map_err(store_error)).await {
        Ok(t) => t,
        Err(f) => return app.fail(f),
    };
    let tz = app.tz();
    let now = now(&app);
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
            .map(|t| crate::pages::TaskRow {
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
    render(StatusCode::OK, &page)
}

pub async fn add_task(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let session = match crise_form(&app, &headers, &fields).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let task = (|| -> Result<NewTask, String> {
        Ok(NewTask {
            title: parse_text("intitulé", field(&fields, "title"), MAX_TEXT)
                .map_err(|e| e.to_string())?,
            owner: parse_text("responsable", field(&fields, "owner"), 200)
                .map_err(|e| e.to_string())?,
            due: instant(&app, &fields, "due")?,
        })
    })();
    let task = match task {
        Ok(t) => t,
        Err(why) => return app.unprocessable(&why),
    };
    let actor = session.login.clone();
    write(
        &app,
        move |s| s.add_task(&actor, &task),
        "/crise/taches?fait=1",
    )
    .await
}

pub async fn set_task_status(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let session = match crise_form(&app, &headers, &fields).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let Some(status) = TaskStatus::parse(field(&fields, "status")) else {
        return app.unprocessable("choisissez le nouveau statut");
    };
    let actor = session.login.clone();
    match app
        .with_store(move |s| Ok(s.set_task_status(&actor, id, status)))
        .await
    {
        Ok(Ok(_)) => Redirect::to("/crise/taches?fait=1").into_response(),
        Ok(Err(CrisisError::UnknownTask(_))) => app.fail(Failure::NotFound),
        Ok(Err(e)) => refused(&app, e),
        Err(f) => app.fail(f),
    }
}
