//! The directory's editing and the public page (its message and a preview).

use super::*;
use crate::app::{App, Shared};
use crate::error::WebError;
use crate::fields::field;
use crate::pages::{Head, render};
use crate::session::{SignedForm, SignedIn};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::{self};
use axum::response::{IntoResponse, Redirect, Response};
use relais_app::AppError;
use relais_app::crisis::directory as service;
use relais_core::directory::DirectoryRow;
use relais_documents::crisis::local;
use relais_documents::public_page::{PUBLIC_CSS, PublicPage, write_public_html};
use relais_store::crisis::CrisisError;
use relais_store::sessions::Session;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "public.html")]
pub(crate) struct PublicScreen {
    pub head: Head,
    pub csrf: String,
    pub can_write: bool,
    pub affected: String,
    pub guaranteed: String,
    pub updated: Option<String>,
    pub public_rows: usize,
    pub hidden_rows: usize,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "annuaire_form.html")]
pub(crate) struct AnnuaireForm {
    pub head: Head,
    pub csrf: String,
    pub row: relais_core::directory::DirectoryRow,
    pub is_new: bool,
    pub error: Option<String>,
}

#[derive(Deserialize)]
pub struct EntryKey {
    #[serde(default)]
    site: Option<String>,
    #[serde(default)]
    service: Option<String>,
}

pub async fn directory_form(
    State(app): State<Shared>,
    Query(key): Query<EntryKey>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let rows = app.with_reader(|s| s.directory()).await?;
    let found = rows.into_iter().find(|r| {
        Some(&r.site_code) == key.site.as_ref() && Some(&r.service) == key.service.as_ref()
    });
    let is_new = found.is_none();
    let row = found.unwrap_or(DirectoryRow {
        site_code: key.site.unwrap_or_default(),
        site: String::new(),
        service: key.service.unwrap_or_default(),
        phone: String::new(),
        email: String::new(),
        address: String::new(),
        hours: String::new(),
        paper_deposit: false,
        public: true,
    });
    Ok(directory_page(
        &app,
        &session,
        StatusCode::OK,
        row,
        is_new,
        None,
    ))
}

fn directory_page(
    app: &App,
    session: &Session,
    status: StatusCode,
    row: DirectoryRow,
    is_new: bool,
    error: Option<String>,
) -> Response {
    let title = if is_new {
        "Ajouter à l'annuaire"
    } else {
        "Modifier l'annuaire"
    };
    render(
        status,
        &AnnuaireForm {
            head: app.head(title, Some(session), "/annuaire"),
            csrf: session.csrf.clone(),
            row,
            is_new,
            error,
        },
    )
}

pub async fn set_directory(
    State(app): State<Shared>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let text = |name: &str| field(&fields, name).trim().to_owned();
    let row = DirectoryRow {
        site_code: text("site_code"),
        site: text("site"),
        service: text("service"),
        phone: text("phone"),
        email: text("email"),
        address: text("address"),
        hours: text("hours"),
        paper_deposit: !field(&fields, "paper_deposit").is_empty(),
        public: !field(&fields, "public").is_empty(),
    };
    let is_new = field(&fields, "is_new") == "1";
    let missing = [
        ("code du site", &row.site_code),
        ("site", &row.site),
        ("service", &row.service),
        ("téléphone", &row.phone),
    ]
    .into_iter()
    .find(|(_, v)| v.is_empty())
    .map(|(name, _)| name);
    if let Some(name) = missing {
        let error = Some(format!("Rien n'est enregistré : {name} est obligatoire."));
        return Ok(directory_page(
            &app,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            row,
            is_new,
            error,
        ));
    }
    // Checked and written as the import writes the extracts' numbers.
    let row = match relais_core::directory::parse_phone(&row.phone) {
        Ok(phone) => DirectoryRow { phone, ..row },
        Err(why) => {
            let error = Some(format!("Rien n'est enregistré : {why}."));
            return Ok(directory_page(
                &app,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                row,
                is_new,
                error,
            ));
        }
    };
    let actor = session.login.clone();
    let saved = row.clone();
    match app
        .with_store(move |s| Ok(service::set_entry(s, &actor, &saved)))
        .await?
    {
        Ok(_) => Ok(Redirect::to("/annuaire?fait=1").into_response()),
        Err(AppError::Crisis(e @ CrisisError::Store(_))) => Err(refused(AppError::Crisis(e))),
        Err(AppError::Crisis(e)) => {
            let error = Some(format!("Rien n'est enregistré : {e}."));
            Ok(directory_page(
                &app,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                row,
                is_new,
                error,
            ))
        }
        Err(e) => Err(refused(e)),
    }
}

pub async fn public_screen(
    State(app): State<Shared>,
    Query(done): Query<Done>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let (message, directory) = app
        .with_reader(|s| Ok((s.public_message().map_err(store_error)?, s.directory()?)))
        .await?;
    let tz = app.tz();
    let page = PublicScreen {
        head: app.head(
            "Page publique de continuité",
            Some(&session),
            "/crise/public",
        ),
        csrf: session.csrf.clone(),
        can_write: writes(&session),
        affected: message
            .as_ref()
            .map(|m| m.affected.clone())
            .unwrap_or_default(),
        guaranteed: message
            .as_ref()
            .map(|m| m.guaranteed.clone())
            .unwrap_or_default(),
        updated: message
            .as_ref()
            .map(|m| format!("{}, par {}", local(m.updated_at, &tz), m.updated_by)),
        public_rows: directory.iter().filter(|r| r.public).count(),
        hidden_rows: directory.iter().filter(|r| !r.public).count(),
        notice: done.fait.map(|_| {
            "Message enregistré : publiez la page (relais publish) pour le mettre en ligne."
                .to_owned()
        }),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn set_message(
    State(app): State<Shared>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let affected = field(&fields, "affected").trim().to_owned();
    let guaranteed = field(&fields, "guaranteed").trim().to_owned();
    if affected.is_empty() && guaranteed.is_empty() {
        return Err(WebError::unprocessable(
            "écrivez ce qui est touché ou ce qui est garanti",
        ));
    }
    let actor = session.login.clone();
    write(
        &app,
        move |s| service::set_message(s, &actor, &affected, &guaranteed),
        "/crise/public?fait=1",
    )
    .await
}

/// The public page as `relais publish` writes it, for a preview (the same function).
pub async fn preview(
    State(app): State<Shared>,
    SignedIn(_): SignedIn,
) -> Result<Response, WebError> {
    let (message, directory) = app
        .with_reader(|s| Ok((s.public_message().map_err(store_error)?, s.directory()?)))
        .await?;
    let tz = app.tz();
    let page = PublicPage {
        authority: &app.config.authority,
        tz: &tz,
        directory: &directory,
        message: message.as_ref(),
        published_at: app.instant(),
    };
    let mut html = Vec::new();
    write_public_html(&page, &mut html).map_err(|e| WebError::internal("public page", e))?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

pub async fn preview_css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        PUBLIC_CSS,
    )
        .into_response()
}
