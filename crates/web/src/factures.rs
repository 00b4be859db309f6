//! The suppliers' invoices: the list by days left before the legal deadline (what blocks each,
//! the interest due), an invoice's page with its steps, and the forms of the next ones — the
//! service fait (instruction), the liquidation (liquidation, not the certifier), a suspension
//! and its letter, a resumption, a rejection (liquidation or ordonnateur) — through
//! `relais_app::invoices`, the same services as `relais factures`.

use crate::Shared;
use crate::error::WebError;
use crate::fields::field;
use crate::pages::render;
use crate::session::{CsrfForm, SignedForm, SignedIn};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_app::AppError;
use relais_app::invoices::{DueInvoice, StepRequest, due_invoices, event_of, record_step};
use relais_core::Cents;
use relais_core::deposits::DepositKind;
use relais_core::invoices::lifecycle::{InvoiceEvent, InvoiceState, Step};
use relais_core::roles::Role;
use relais_store::invoices::InvoiceError;
use serde::Deserialize;

/// An invoice as the pages show it.
pub(crate) struct Row {
    pub id: String,
    pub reference: String,
    pub supplier: String,
    pub amount: String,
    pub received: String,
    pub deadline: String,
    pub when: String,
    pub state: String,
}

impl From<&DueInvoice> for Row {
    fn from(d: &DueInvoice) -> Row {
        Row {
            id: d.id.clone(),
            reference: d.reference.clone(),
            supplier: d.supplier.clone(),
            amount: d.amount.to_string(),
            received: d.received.strftime("%d/%m/%Y").to_string(),
            deadline: d.standing.deadline.strftime("%d/%m/%Y").to_string(),
            when: if d.standing.days_left >= 0 {
                format!("{} jour(s) restant(s)", d.standing.days_left)
            } else {
                format!("en retard de {} jour(s)", -d.standing.days_left)
            },
            state: match &d.reason {
                Some(r) => format!("{} ({r})", d.state.label_fr()),
                None => d.state.label_fr().to_owned(),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "factures.html")]
struct Factures {
    head: crate::pages::Head,
    notice: Option<String>,
    at_risk: String,
    late: usize,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "facture.html")]
struct Facture {
    head: crate::pages::Head,
    csrf: String,
    notice: Option<String>,
    row: Row,
    steps: Vec<String>,
    can_service: bool,
    can_liquidate: bool,
    can_suspend: bool,
    can_resume: bool,
    can_reject: bool,
}

#[derive(Deserialize)]
pub struct Notice {
    #[serde(default)]
    fait: Option<String>,
}

/// Every open invoice, the most urgent first, as `relais factures list` gives it.
async fn invoices(app: &Shared) -> Result<Vec<DueInvoice>, WebError> {
    let today = app.today().parse().unwrap_or(jiff::civil::Date::ZERO);
    let tz = app.tz();
    let payment_days = app
        .config
        .courrier
        .as_ref()
        .and_then(|c| c.rules.iter().find(|r| r.kind == DepositKind::Facture))
        .and_then(|r| r.payment_days)
        .unwrap_or(30);
    let rates = app.config.ecb_rates.clone();
    app.with_reader(move |s| {
        due_invoices(s, payment_days, today, &tz, &rates)
            .map_err(|e| relais_store::StoreError::Corrupt(e.to_string()))
    })
    .await
}

pub async fn factures(
    State(app): State<Shared>,
    Query(notice): Query<Notice>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let all = invoices(&app).await?;
    let mut at_risk = Cents::ZERO;
    let mut late = 0;
    for d in all.iter().filter(|d| d.state != InvoiceState::Rejected) {
        if let Some(l) = d.standing.late {
            late += 1;
            at_risk = at_risk
                .checked_add(l.interest)
                .and_then(|a| a.checked_add(l.indemnity))
                .unwrap_or(at_risk);
        }
    }
    let page = Factures {
        head: app.head("Factures", Some(&session), "/factures"),
        notice: notice.fait.map(|_| "Fait.".to_owned()),
        at_risk: at_risk.to_string(),
        late,
        rows: all.iter().map(Row::from).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

fn describe(s: &Step) -> String {
    let what = s.event.label_fr();
    format!("{} — {what}, par {}", s.on.strftime("%d/%m/%Y"), s.actor)
}

pub async fn facture(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(notice): Query<Notice>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let all = invoices(&app).await?;
    let d = all.iter().find(|d| d.id == id).ok_or(WebError::NotFound)?;
    let key = id.clone();
    let steps = app
        .with_reader(move |s| {
            s.invoice_steps()
                .map(|mut m| m.remove(&key).unwrap_or_default())
                .map_err(|e| relais_store::StoreError::Corrupt(e.to_string()))
        })
        .await?;
    let state = d.state;
    let deciding = session.has(Role::Liquidation) || session.has(Role::Ordonnateur);
    let page = Facture {
        head: app.head(
            &format!("Facture {}", d.reference),
            Some(&session),
            "/factures",
        ),
        csrf: session.csrf.clone(),
        notice: notice.fait.map(|n| {
            match n.as_str() {
                "suspendre" => "Délai suspendu : le courrier au fournisseur est écrit.",
                _ => "Étape enregistrée.",
            }
            .to_owned()
        }),
        can_service: state == InvoiceState::Received && session.has(Role::Instruction),
        can_liquidate: state == InvoiceState::ServiceDone && session.has(Role::Liquidation),
        can_suspend: deciding
            && matches!(
                state,
                InvoiceState::Received | InvoiceState::ServiceDone | InvoiceState::Liquidated
            ),
        can_resume: deciding && state == InvoiceState::Suspended,
        can_reject: deciding
            && matches!(
                state,
                InvoiceState::Received | InvoiceState::ServiceDone | InvoiceState::Suspended
            ),
        row: Row::from(d),
        steps: steps.iter().map(describe).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

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
    Ok(Redirect::to(&format!("/factures/{id}?fait={done}")).into_response())
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
