//! The suppliers' invoices: the list by days left before the legal deadline (what blocks each,
//! the interest due), a page at a time with the totals over all; an invoice's page with its
//! steps and the forms of the next ones (`steps.rs`); and, for the finance roles, the supplier
//! run prepared from the list and the suppliers' bank details that wait for an ordonnateur
//! (`suppliers.rs`) — through `relais_app::invoices` and `relais_app::suppliers`, the same
//! services as `relais factures` and `relais run prepare --kind fournisseurs`.

mod steps;
mod suppliers;

use crate::Shared;
use crate::error::WebError;
use crate::pages::render;
use crate::session::SignedIn;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use relais_app::invoices::{DueInvoice, DueList};
use relais_core::deposits::DepositKind;
use relais_core::invoices::INVOICE_PAYMENT_DAYS;
use relais_core::invoices::lifecycle::{InvoiceState, Step};
use relais_core::roles::Role;
use relais_documents::french;
use serde::Deserialize;
use std::sync::Arc;

pub use steps::{liquider, payer, rejeter, reprendre, service_fait, suspendre};
pub use suppliers::{approve_bank, prepare_run};

/// Invoices on a page of the list.
pub(crate) const PER_PAGE: usize = 100;

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

fn day(d: jiff::civil::Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

impl From<&DueInvoice> for Row {
    fn from(d: &DueInvoice) -> Row {
        Row {
            id: d.id.clone(),
            reference: d.reference.clone(),
            supplier: d.supplier.clone(),
            amount: d.amount.to_string(),
            received: day(d.received),
            deadline: day(d.standing.deadline),
            when: match d.paid_on {
                Some(on) => format!("payée le {}", day(on)),
                None if d.standing.days_left >= 0 => {
                    format!("{} jour(s) restant(s)", d.standing.days_left)
                }
                None => format!("en retard de {} jour(s)", -d.standing.days_left),
            },
            state: match &d.reason {
                Some(r) => format!("{} ({r})", d.state.label_fr()),
                None => d.state.label_fr().to_owned(),
            },
        }
    }
}

/// A link of the pager: (address, text, is it this page).
pub(crate) type PageLink = (String, String, bool);

#[derive(Template)]
#[template(path = "factures.html")]
struct Factures {
    head: crate::pages::Head,
    csrf: String,
    notice: Option<String>,
    at_risk: String,
    late: String,
    total: String,
    /// "Page 3 sur 400 : factures 201 à 300", when there is more than one page.
    position: Option<String>,
    pager: Vec<PageLink>,
    rows: Vec<Row>,
    /// The user may prepare the suppliers' payment (role liquidation).
    can_prepare: bool,
    /// The supplier's bank details that wait, and whether the user may approve them.
    banks: Vec<suppliers::BankRow>,
    can_approve: bool,
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
    can_record_payment: bool,
    /// The day proposed for a payment: today, JJ/MM/AAAA.
    today: String,
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    fait: Option<String>,
    /// The page, from 1; anything else is the first.
    #[serde(default)]
    page: Option<String>,
}

#[derive(Deserialize)]
pub struct Notice {
    #[serde(default)]
    fait: Option<String>,
}

/// The délai global de paiement: the invoices' deposit rule's, else 30 days.
pub(crate) fn payment_days(app: &crate::App) -> u16 {
    app.config
        .courrier
        .as_ref()
        .and_then(|c| c.rules.iter().find(|r| r.kind == DepositKind::Facture))
        .and_then(|r| r.payment_days)
        .unwrap_or(INVOICE_PAYMENT_DAYS)
}

/// Every invoice's standing today, as `relais factures list` gives it: kept by the server
/// while nothing is written (`relais_app::invoices::DueCache`).
pub(crate) async fn due_list(app: &Shared) -> Result<Arc<DueList>, WebError> {
    let today = app.today_date();
    let tz = app.tz();
    let payment_days = payment_days(app);
    let worker = Arc::clone(app);
    app.with_reader(move |s| {
        let rates = &worker.config.ecb_rates;
        worker
            .invoices
            .get(s, payment_days, today, &tz, rates)
            .map_err(|e| relais_store::StoreError::Corrupt(e.to_string()))
    })
    .await
}

/// The pager's links around `page` of `pages`: the first, the previous, this one, the next,
/// the last (each once).
fn pager(page: usize, pages: usize) -> Vec<PageLink> {
    let mut links: Vec<PageLink> = Vec::new();
    let mut add = |n: usize, text: String| {
        if !links
            .iter()
            .any(|(href, ..)| *href == format!("/factures?page={n}"))
        {
            links.push((format!("/factures?page={n}"), text, n == page));
        }
    };
    if page > 1 {
        add(1, "Première page".into());
        add(page - 1, format!("Page précédente ({})", page - 1));
    }
    add(page, format!("Page {page}"));
    if page < pages {
        add(page + 1, format!("Page suivante ({})", page + 1));
        add(pages, format!("Dernière page ({pages})"));
    }
    links
}

pub async fn factures(
    State(app): State<Shared>,
    Query(q): Query<ListQuery>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let list = due_list(&app).await?;
    let pages = list.pages(PER_PAGE);
    let page = q
        .page
        .and_then(|p| p.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    let rows = list.page(page, PER_PAGE);
    let first = (page - 1) * PER_PAGE + 1;
    let can_approve = session.has(Role::Ordonnateur);
    let banks = suppliers::banks_waiting(&app).await?;
    let page_view = Factures {
        head: app.head("Factures", Some(&session), "/factures"),
        csrf: session.csrf.clone(),
        notice: q.fait.map(|n| suppliers::notice(&n)),
        at_risk: list.at_risk.to_string(),
        late: french::count(list.late as u64),
        total: french::count_of(list.open.len() as u64, "facture", "factures"),
        position: (pages > 1).then(|| {
            format!(
                "Page {page} sur {pages} : factures {} à {}",
                french::count(first as u64),
                french::count((first + rows.len()).saturating_sub(1) as u64)
            )
        }),
        pager: if pages > 1 {
            pager(page, pages)
        } else {
            Vec::new()
        },
        rows: rows.iter().map(Row::from).collect(),
        can_prepare: session.has(Role::Liquidation),
        banks,
        can_approve,
    };
    Ok(render(StatusCode::OK, &page_view))
}

fn describe(s: &Step) -> String {
    let what = s.event.label_fr();
    format!("{} — {what}, par {}", day(s.on), s.actor)
}

pub async fn facture(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(notice): Query<Notice>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let list = due_list(&app).await?;
    let d = list.find(&id).ok_or(WebError::NotFound)?;
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
                "payee" => "Paiement enregistré : la facture est payée.",
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
        can_record_payment: deciding && state == InvoiceState::Mandated,
        today: day(app.today_date()),
        row: Row::from(d),
        steps: list.steps(&d.id).iter().map(describe).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}
