//! An invoice's steps from its page: the service fait (instruction), the liquidation
//! (liquidation, not the certifier), a suspension and its letter, a resumption, a rejection,
//! and a payment recorded by hand (liquidation or ordonnateur) — each through
//! `relais_app::invoices` (`event_of`, `record_step`), which the store checks again.

use crate::Shared;
use crate::error::WebError;
use crate::fields::field;
use crate::session::{CsrfForm, SignedForm};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use relais_app::AppError;
use relais_app::invoices::{StepRequest, event_of, record_step};
use relais_core::Cents;
use relais_core::invoices::lifecycle::InvoiceEvent;
use relais_store::invoices::InvoiceError;

/// A refused step: 404 for an unknown invoice, 403 for who may not, 422 for the rest.
fn refused(e: AppError) -> WebError {
    match e {
        AppError::Invoice(InvoiceError::NotFound(_)) => WebError::NotFound,
        AppError::Refused(_) => WebError::refused(e.french()),
        _ => WebError::unprocessable(e.french()),
    }
}

fn amount(fields: &[(String, String)]) -> Result<Option<Cents>, WebError> {
    let v = field(fields, "montant").trim();
    if v.is_empty() {
        return Ok(None);
    }
    Cents::parse(v)
        .map(Some)
        .map_err(|e| WebError::unprocessable(format!("montant « {v} » : {e}")))
}

/// Records `req` for invoice `id` by the signed-in agent (and writes a suspension's letter).
async fn step(
    app: Shared,
    actor: String,
    id: String,
    req: StepRequest,
) -> Result<Response, WebError> {
    let clock = crate::paiements::web_clock(&app)?;
    let tz = app.tz();
    let done = match &req {
        StepRequest::Suspend { .. } => "suspendre",
        StepRequest::Paid { .. } => "payee",
        _ => "etape",
    };
    let invoice = id.clone();
    let letters = app.config.letters.clone();
    let authority = app.config.authority.clone();
    app.with_store(move |s| {
        let run = || -> Result<(), AppError> {
            let event = event_of(s, &invoice, req)?;
            let steps = record_step(s, &clock, &tz, &invoice, &event, &actor)?;
            if let (InvoiceEvent::Suspended { reason }, Some(last), Some(folder)) =
                (&event, steps.last(), letters.as_ref())
            {
                relais_app::invoices::write_suspension_letter(
                    s, &authority, folder, &invoice, reason, &actor, last.on,
                )?;
            }
            Ok(())
        };
        Ok(run())
    })
    .await?
    .map_err(refused)?;
    let to = format!("/factures/{}?fait={done}", crate::pages::url_segment(&id));
    Ok(Redirect::to(&to).into_response())
}

pub async fn service_fait(
    State(app): State<Shared>,
    Path(id): Path<String>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let req = StepRequest::ServiceDone {
        amount: amount(&fields)?,
        checked: field(&fields, "verifie").trim().to_owned(),
    };
    step(app, session.login, id, req).await
}

pub async fn liquider(
    State(app): State<Shared>,
    Path(id): Path<String>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let req = StepRequest::Liquidate {
        amount: amount(&fields)?,
        account: field(&fields, "nature").trim().to_owned(),
        function: field(&fields, "fonction").trim().to_owned(),
    };
    step(app, session.login, id, req).await
}

pub async fn suspendre(
    State(app): State<Shared>,
    Path(id): Path<String>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let reason = field(&fields, "motif").trim().to_owned();
    step(app, session.login, id, StepRequest::Suspend { reason }).await
}

pub async fn reprendre(
    State(app): State<Shared>,
    Path(id): Path<String>,
    SignedForm(session, _): SignedForm<CsrfForm>,
) -> Result<Response, WebError> {
    step(app, session.login, id, StepRequest::Resume).await
}

pub async fn rejeter(
    State(app): State<Shared>,
    Path(id): Path<String>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let reason = field(&fields, "motif").trim().to_owned();
    step(app, session.login, id, StepRequest::Reject { reason }).await
}

/// A mandated invoice paid, as the accountant's return or a statement says: the day typed
/// JJ/MM/AAAA and where it is read from.
pub async fn payer(
    State(app): State<Shared>,
    Path(id): Path<String>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = field(&fields, "paye_le").trim();
    let paid_on = relais_core::calendar::parse_date(typed).map_err(|_| {
        WebError::unprocessable(format!(
            "date de paiement illisible « {typed} » : attendu JJ/MM/AAAA (10/12/2026)"
        ))
    })?;
    if paid_on > app.today_date() {
        return Err(WebError::unprocessable(format!(
            "date de paiement {} dans le futur : un paiement s'enregistre une fois fait",
            paid_on.strftime("%d/%m/%Y")
        )));
    }
    let how = field(&fields, "source").trim().to_owned();
    step(app, session.login, id, StepRequest::Paid { paid_on, how }).await
}
