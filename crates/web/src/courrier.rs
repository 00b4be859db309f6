//! The courrier screens: register a paper deposit (the form shows the fields of its kind),
//! print its receipt (PDF, signed code), list and filter the register, cancel with a reason.

use crate::pages::{Failure, Head, render};
use crate::routes::{Access, form_session, page_session, url_segment};
use crate::{App, Shared};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::deposits::{
    ChronoNumber, Deposit, DepositInput, DepositKind, KindRules, NewDeposit,
};
use relais_core::roles::Role;
use relais_documents::code::{ReceiptKey, ReceiptSummary};
use relais_documents::{ReceiptInput, write_receipt};
use relais_store::deposits::{DepositFilter, DepositStore, DepositStoreError, resolve_service};
use serde::Deserialize;

/// Who registers deposits: the courrier service and the desks.
pub const COURRIER: &[Role] = &[Role::Courrier, Role::Accueil];

/// What registering needs beyond the store: the receipt signing key and the kinds' rules.
pub struct Courrier {
    pub key: ReceiptKey,
    pub rules: Vec<KindRules>,
}

impl std::fmt::Debug for Courrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Courrier").field("key", &self.key).finish()
    }
}

/// A deposit as the list shows it.
pub struct Row {
    pub number: String,
    pub received: String,
    pub kind: String,
    pub depositor: String,
    pub subject: String,
    pub cancelled: Option<String>,
}

#[derive(Template)]
#[template(path = "courrier.html")]
pub struct CourrierPage {
    pub head: Head,
    pub csrf: String,
    /// (code, label, selected)
    pub kinds: Vec<(&'static str, String, bool)>,
    pub kind: &'static str,
    pub is_invoice: bool,
    pub is_bid: bool,
    pub form: DepositForm,
    pub error: Option<String>,
    pub rows: Vec<Row>,
    pub from: String,
    pub to: String,
    pub filter_kind: String,
}

#[derive(Template)]
#[template(path = "depot.html")]
pub struct DepotPage {
    pub head: Head,
    pub csrf: String,
    pub row: Row,
    pub code: String,
    pub pages: u32,
    pub notice: Option<String>,
}

/// The form's fields, as typed (sent back with the reason when refused).
#[derive(Debug, Default, Deserialize)]
pub struct DepositForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub depositor: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub pages: String,
    #[serde(default)]
    pub siret: String,
    #[serde(default)]
    pub invoice_number: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub invoice_date: String,
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub received_at: String,
    #[serde(default)]
    pub dossier: String,
}

fn some(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The form's label of a field the parser names by its command-line option.
fn label(field: &str) -> &str {
    match field {
        "--kind" => "Type de dépôt",
        "--from" => "Déposant",
        "--pages" => "Nombre de pages",
        "--at" => "Reçu le",
        "--siret" => "SIRET",
        "--amount" => "Montant TTC",
        "--invoice-date" => "Date de la facture",
        "--deadline" => "Date limite de la consultation",
        "--dossier" => "Numéro de dossier",
        other => other,
    }
}

pub(crate) fn kind_label(app: &App, kind: DepositKind) -> String {
    app.config
        .courrier
        .as_ref()
        .and_then(|c| c.rules.iter().find(|r| r.kind == kind))
        .map(|r| r.label.clone())
        .unwrap_or_else(|| kind.as_str().to_owned())
}

pub(crate) fn row(app: &App, d: &Deposit) -> Row {
    let local = |t: jiff::Timestamp| {
        let tz = jiff::tz::TimeZone::get(&app.config.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        t.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string()
    };
    Row {
        number: d.number.to_string(),
        received: local(d.received_at),
        kind: kind_label(app, d.facts.kind),
        depositor: d.facts.depositor.clone(),
        subject: d.facts.subject.clone().unwrap_or_default(),
        cancelled: d
            .cancellation
            .as_ref()
            .map(|c| format!("annulé par {} : {}", c.by, c.reason)),
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    du: Option<String>,
    #[serde(default)]
    au: Option<String>,
    #[serde(default)]
    filtre: Option<String>,
    /// A deposit for this person's file (from the person's page).
    #[serde(default)]
    dossier: Option<String>,
}

async fn page(
    app: &Shared,
    session: &relais_store::sessions::Session,
    status: StatusCode,
    kind: DepositKind,
    form: DepositForm,
    error: Option<String>,
    query: &ListQuery,
) -> Response {
    let today = app.today();
    let from = query
        .du
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| today.clone());
    let to = query
        .au
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| today.clone());
    let filter_kind = query.filtre.clone().unwrap_or_default();
    let filter = DepositFilter {
        kind: DepositKind::parse(&filter_kind),
        from: from.parse().ok(),
        to: to.parse().ok(),
        dossier: None,
    };
    let deposits = app
        .with_reader(move |s| {
            s.deposits(&filter)
                .map_err(|e| relais_store::StoreError::Corrupt(e.to_string()))
        })
        .await;
    let deposits = match deposits {
        Ok(d) => d,
        Err(f) => return app.fail(f),
    };
    let page = CourrierPage {
        head: app.head("Courrier : dépôts papier", Some(session), "/courrier"),
        csrf: session.csrf.clone(),
        kinds: DepositKind::ALL
            .iter()
            .map(|k| (k.as_str(), kind_label(app, *k), *k == kind))
            .collect(),
        kind: kind.as_str(),
        is_invoice: kind == DepositKind::Facture,
        is_bid: kind == DepositKind::OffreMarche,
        form,
        error,
        rows: deposits
            .iter()
            .rev()
            .take(200)
            .map(|d| row(app, d))
            .collect(),
        from,
        to,
        filter_kind,
    };
    render(status, &page)
}

pub async fn courrier(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    let session = match page_session(&app, &headers, Access::AnyOf(COURRIER)).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let kind = query
        .kind
        .as_deref()
        .and_then(DepositKind::parse)
        .unwrap_or(DepositKind::DemandeAide);
    page(
        &app,
        &session,
        StatusCode::OK,
        kind,
        DepositForm {
            dossier: query.dossier.clone().unwrap_or_default(),
            ..DepositForm::default()
        },
        None,
        &query,
    )
    .await
}

/// The registration form again, with what was typed and why it was refused.
async fn refused(
    app: &Shared,
    session: &relais_store::sessions::Session,
    kind: DepositKind,
    form: DepositForm,
    why: String,
) -> Response {
    let no_list = ListQuery {
        kind: None,
        du: None,
        au: None,
        filtre: None,
        dossier: None,
    };
    page(
        app,
        session,
        StatusCode::UNPROCESSABLE_ENTITY,
        kind,
        form,
        Some(why),
        &no_list,
    )
    .await
}

pub async fn register(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<DepositForm>,
) -> Response {
    let session =
        match form_session(&app, &headers, Access::AnyOf(COURRIER), &form.csrf_token).await {
            Ok(s) => s,
            Err(refused) => return refused,
        };
    let Some(courrier) = app.config.courrier.clone() else {
        return app.fail(Failure::Internal);
    };
    let kind = DepositKind::parse(&form.kind).unwrap_or(DepositKind::Autre);
    let tz = jiff::tz::TimeZone::get(&app.config.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let input = DepositInput {
        kind: form.kind.clone(),
        depositor: form.depositor.clone(),
        address: some(&form.address),
        subject: some(&form.subject),
        pages: some(&form.pages),
        siret: some(&form.siret),
        invoice_number: some(&form.invoice_number),
        amount: some(&form.amount),
        invoice_date: some(&form.invoice_date),
        deadline: some(&form.deadline),
        received_at: some(&form.received_at),
        dossier: some(&form.dossier),
    };
    let now = jiff::Timestamp::from_second(app.now()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let new = match NewDeposit::parse(&input, now, &tz) {
        Ok(n) => n,
        Err(e) => {
            let why = format!(
                "Dépôt non enregistré, rien n'est écrit. {} : {}",
                label(e.field),
                e.message
            );
            return refused(&app, &session, kind, form, why).await;
        }
    };
    let actor = session.login.clone();
    let done = app
        .with_store(move |s| {
            let result = (|| -> Result<Deposit, String> {
                let rules = courrier
                    .rules
                    .iter()
                    .find(|r| r.kind == new.kind)
                    .ok_or_else(|| format!("type de dépôt sans règles : {}", new.kind))?;
                resolve_service(&*s, rules)?;
                s.register_deposit(&actor, &new, &tz, &mut |d| {
                    Ok(courrier.key.sign(&ReceiptSummary::of(d)))
                })
                .map_err(|e| e.to_string())
            })();
            Ok(result)
        })
        .await;
    match done {
        Ok(Ok(d)) => Redirect::to(&format!("/courrier/{}", d.number)).into_response(),
        Ok(Err(why)) => {
            let why = format!("Dépôt non enregistré : {why}.");
            refused(&app, &session, kind, form, why).await
        }
        Err(f) => app.fail(f),
    }
}

async fn deposit_of(app: &Shared, number: &str) -> Result<Deposit, Response> {
    let number = ChronoNumber::parse(number).map_err(|_| app.fail(Failure::NotFound))?;
    match app
        .with_reader(move |s| {
            s.deposit(number)
                .map_err(|e| relais_store::StoreError::Corrupt(e.to_string()))
        })
        .await
    {
        Ok(Some(d)) => Ok(d),
        Ok(None) => Err(app.fail(Failure::NotFound)),
        Err(f) => Err(app.fail(f)),
    }
}

#[derive(Deserialize)]
pub struct DepotNotice {
    #[serde(default)]
    annule: Option<u8>,
}

pub async fn depot(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(number): Path<String>,
    Query(notice): Query<DepotNotice>,
) -> Response {
    let session = match page_session(&app, &headers, Access::AnyOf(COURRIER)).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let d = match deposit_of(&app, &number).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let page = DepotPage {
        head: app.head(
            &format!("Dépôt n° {}", d.number),
            Some(&session),
            "/courrier",
        ),
        csrf: session.csrf.clone(),
        code: d.receipt_code.clone(),
        pages: d.facts.pages,
        row: row(&app, &d),
        notice: notice
            .annule
            .map(|_| "Dépôt annulé ; son numéro reste au registre.".to_owned()),
    };
    render(StatusCode::OK, &page)
}

pub async fn receipt(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Response {
    if let Err(refused) = page_session(&app, &headers, Access::AnyOf(COURRIER)).await {
        return refused;
    }
    let Some(courrier) = app.config.courrier.clone() else {
        return app.fail(Failure::Internal);
    };
    let d = match deposit_of(&app, &number).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let authority = app.config.authority.clone();
    let tz = jiff::tz::TimeZone::get(&app.config.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let pdf = app
        .with_reader(move |s| {
            let made = (|| -> Result<Vec<u8>, String> {
                let rules = courrier
                    .rules
                    .iter()
                    .find(|r| r.kind == d.facts.kind)
                    .ok_or_else(|| format!("type de dépôt sans règles : {}", d.facts.kind))?;
                let service = resolve_service(s, rules)?;
                let mut out = Vec::new();
                write_receipt(
                    &ReceiptInput {
                        authority: &authority,
                        tz: &tz,
                        rules,
                        service: &service,
                        deposit: &d,
                    },
                    &mut out,
                )
                .map_err(|e| e.to_string())?;
                Ok(out)
            })();
            Ok(made)
        })
        .await;
    match pdf {
        Ok(Ok(bytes)) => {
            let mut response = ([(header::CONTENT_TYPE, "application/pdf")], bytes).into_response();
            if let Ok(v) = HeaderValue::from_str(&format!(
                "attachment; filename=\"recepisse-{}.pdf\"",
                url_segment(&number)
            )) {
                response
                    .headers_mut()
                    .insert(header::CONTENT_DISPOSITION, v);
            }
            response
        }
        Ok(Err(why)) => app.unprocessable(&why),
        Err(f) => app.fail(f),
    }
}

#[derive(Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    reason: String,
}

pub async fn cancel(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(number): Path<String>,
    Form(form): Form<CancelForm>,
) -> Response {
    let session =
        match form_session(&app, &headers, Access::AnyOf(COURRIER), &form.csrf_token).await {
            Ok(s) => s,
            Err(refused) => return refused,
        };
    let Ok(parsed) = ChronoNumber::parse(&number) else {
        return app.fail(Failure::NotFound);
    };
    let actor = session.login.clone();
    let reason = form.reason;
    let done = app
        .with_store(move |s| Ok(s.cancel_deposit(&actor, parsed, &reason)))
        .await;
    match done {
        Ok(Ok(_)) => Redirect::to(&format!("/courrier/{parsed}?annule=1")).into_response(),
        Ok(Err(DepositStoreError::NotFound(_))) => app.fail(Failure::NotFound),
        Ok(Err(e @ DepositStoreError::NotDeskAgent(_))) => app.refuse(&e.to_string()),
        Ok(Err(e)) => app.unprocessable(&e.to_string().replace(" (--reason)", "")),
        Err(f) => app.fail(f),
    }
}
