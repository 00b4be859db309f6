//! A registered deposit: its page (both instants, what it flags, its missing documents and
//! what completed them), its receipt as a PDF, its cancellation with a bounded reason.

use super::{Row, row};
use crate::app::Shared;
use crate::error::WebError;
use crate::form_errors::FormErrors;
use crate::pages::{Head, render, url_segment};
use crate::session::{CsrfToken, SignedForm, SignedIn};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use relais_app::AppError;
use relais_app::deposits;
use relais_core::deposits::{Deposit, MAX_REASON};
use relais_store::deposits::DepositStoreError;
use relais_store::sessions::Session;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "depot.html")]
pub struct DepotPage {
    pub head: Head,
    pub row: Row,
    pub code: String,
    pub pages: u32,
    pub notice: Option<String>,
    pub backdate_reason: Option<String>,
    pub missing: Vec<String>,
    pub missing_deadline: Option<String>,
    /// "le 30/01/2026 par le dépôt n° 2026-000018".
    pub completion: Option<String>,
    pub completes: Option<String>,
    /// The link to register the documents that complete this application, while incomplete.
    pub complete_link: Option<String>,
}

async fn deposit_of(app: &Shared, number: &str) -> Result<Deposit, WebError> {
    let number = deposits::number(number).map_err(|_| WebError::NotFound)?;
    match app
        .with_reader(move |s| Ok(deposits::deposit(s, number)))
        .await?
    {
        Ok(d) => Ok(d),
        Err(AppError::NotFound(_)) => Err(WebError::NotFound),
        Err(e) => Err(WebError::internal("courrier: deposit not read", e)),
    }
}

#[derive(Deserialize)]
pub struct DepotNotice {
    #[serde(default)]
    annule: Option<u8>,
}

pub async fn depot(
    State(app): State<Shared>,
    Path(number): Path<String>,
    Query(notice): Query<DepotNotice>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let d = deposit_of(&app, &number).await?;
    let tz = app.tz();
    let short = |t: jiff::Timestamp| t.to_zoned(tz.clone()).strftime("%d/%m/%Y").to_string();
    let complete_link = (d.is_incomplete() && d.cancellation.is_none()).then(|| {
        let mut link = format!(
            "/courrier?type=pieces_complementaires&completes={}",
            d.number
        );
        if let Some(dossier) = &d.facts.dossier {
            link.push_str(&format!("&dossier={}", url_segment(dossier)));
        }
        link
    });
    let page = DepotPage {
        head: app.head(
            &format!("Dépôt n° {}", d.number),
            Some(&session),
            "/courrier",
        ),
        code: d.receipt_code.clone(),
        pages: d.facts.pages,
        row: row(&app, &d),
        notice: notice
            .annule
            .map(|_| "Dépôt annulé ; son numéro reste au registre.".to_owned()),
        backdate_reason: d.facts.backdate_reason.clone(),
        missing: d.facts.missing.clone(),
        missing_deadline: d
            .facts
            .missing_deadline
            .map(|x| x.strftime("%d/%m/%Y").to_string()),
        completion: d
            .completion
            .as_ref()
            .map(|c| format!("le {} par le dépôt n° {}", short(c.at), c.by)),
        completes: d.facts.completes.map(|n| n.to_string()),
        complete_link,
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn receipt(
    State(app): State<Shared>,
    Path(number): Path<String>,
    SignedIn(_): SignedIn,
) -> Result<Response, WebError> {
    let Some(courrier) = app.config.courrier.clone() else {
        return Err(WebError::internal(
            "courrier",
            "no receipt key nor deposit rules configured",
        ));
    };
    let d = deposit_of(&app, &number).await?;
    let authority = app.config.authority.clone();
    let tz = app.tz();
    let pdf = app
        .with_reader(move |s| {
            Ok(deposits::receipt_pdf(
                s,
                &authority,
                &tz,
                &courrier.rules,
                &d,
            ))
        })
        .await?;
    match pdf {
        Ok(bytes) => {
            let mut response = ([(header::CONTENT_TYPE, "application/pdf")], bytes).into_response();
            if let Ok(v) = HeaderValue::from_str(&format!(
                "attachment; filename=\"recepisse-{}.pdf\"",
                url_segment(&number)
            )) {
                response
                    .headers_mut()
                    .insert(header::CONTENT_DISPOSITION, v);
            }
            Ok(response)
        }
        Err(why) => Err(WebError::unprocessable(why.french())),
    }
}

#[derive(Template)]
#[template(path = "depot_annuler.html")]
pub struct CancelPage {
    pub head: Head,
    pub csrf: String,
    pub row: Row,
    pub reason: String,
    pub errors: FormErrors,
    pub max_reason: usize,
}

fn cancel_page(
    app: &Shared,
    session: &Session,
    status: StatusCode,
    d: &Deposit,
    reason: String,
    errors: FormErrors,
) -> Response {
    let page = CancelPage {
        head: app.head(
            &format!("Annuler le dépôt n° {}", d.number),
            Some(session),
            "/courrier",
        ),
        csrf: session.csrf.clone(),
        row: row(app, d),
        reason,
        errors,
        max_reason: MAX_REASON,
    };
    render(status, &page)
}

/// The confirmation page: what cancelling does (the number stays, the receipt verifies as
/// ANNULÉ), with the reason to give; the button posts, so no JavaScript is needed.
pub async fn cancel_confirm(
    State(app): State<Shared>,
    Path(number): Path<String>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let d = deposit_of(&app, &number).await?;
    if d.cancellation.is_some() {
        return Ok(Redirect::to(&format!("/courrier/{}", d.number)).into_response());
    }
    Ok(cancel_page(
        &app,
        &session,
        StatusCode::OK,
        &d,
        String::new(),
        FormErrors::new(),
    ))
}

#[derive(Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    reason: String,
}

impl CsrfToken for CancelForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

pub async fn cancel(
    State(app): State<Shared>,
    Path(number): Path<String>,
    SignedForm(session, form): SignedForm<CancelForm>,
) -> Result<Response, WebError> {
    let parsed = deposits::number(&number).map_err(|_| WebError::NotFound)?;
    let mut errors = FormErrors::new();
    let typed = form.reason.chars().count();
    if typed > MAX_REASON {
        errors.add(
            "reason",
            "Motif de l'annulation",
            format!("{MAX_REASON} caractères au plus ({typed} saisis)"),
        );
    } else if form.reason.trim().is_empty() {
        errors.add(
            "reason",
            "Motif de l'annulation",
            "le motif est obligatoire : dites pourquoi le dépôt est annulé",
        );
    }
    let actor = session.login.clone();
    let reason = form.reason;
    let done = if errors.is_empty() {
        let reason = reason.clone();
        app.with_store(move |s| Ok(deposits::cancel(s, &actor, parsed, &reason)))
            .await?
    } else {
        Err(AppError::Deposit(DepositStoreError::EmptyReason))
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/courrier/{parsed}?annule=1")).into_response()),
        Err(AppError::Deposit(DepositStoreError::NotFound(_))) => Err(WebError::NotFound),
        Err(AppError::Deposit(e @ DepositStoreError::NotDeskAgent(_))) => {
            Err(WebError::refused(e.to_string()))
        }
        Err(AppError::Deposit(e @ DepositStoreError::AlreadyCancelled(_))) => {
            Err(WebError::unprocessable(format!("Rien n'est fait : {e}.")))
        }
        Err(e) => {
            if errors.is_empty() {
                let why = match &e {
                    AppError::Deposit(e) => e.to_string(),
                    other => other.french(),
                };
                errors.add(
                    "reason",
                    "Motif de l'annulation",
                    why.replace(" (--reason)", ""),
                );
            }
            let reason = if reason.chars().count() > MAX_REASON {
                String::new()
            } else {
                reason
            };
            match deposit_of(&app, &number).await {
                Ok(d) => Ok(cancel_page(
                    &app,
                    &session,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &d,
                    reason,
                    errors,
                )),
                // Said before anything else, even for a number not in the register.
                Err(_) => Err(WebError::unprocessable(format!(
                    "Dépôt non annulé. Motif de l'annulation : {}",
                    errors.message("reason").unwrap_or_default()
                ))),
            }
        }
    }
}
