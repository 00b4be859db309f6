//! The courrier screens: register a paper deposit (the form shows the fields of its kind),
//! print its receipt (PDF, signed code), list and filter the register, cancel with a reason.

mod depot;

pub use depot::{cancel, depot, receipt};

use crate::pages::{Failure, Head, render};
use crate::routes::{Access, form_session, page_session};
use crate::{App, Shared};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::deposits::{
    Deposit, DepositInput, DepositKind, Desk, KindRules, MAX_ADDRESS, MAX_DEPOSITOR, MAX_DOSSIER,
    MAX_INVOICE_NUMBER, MAX_MISSING_TEXT, MAX_REASON, MAX_SUBJECT, NewDeposit,
};
use relais_core::roles::Role;
use relais_documents::code::{ReceiptKey, ReceiptSummary};
use relais_store::deposits::{DepositFilter, DepositStore, resolve_service};
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
    pub registered: String,
    pub kind: String,
    pub depositor: String,
    pub subject: String,
    pub cancelled: Option<String>,
    /// What the register flags (a bid registered after its deadline, a deposit registered
    /// after the fact, an incomplete file).
    pub warnings: Vec<&'static str>,
}

/// The longest text each field of the form takes: stated in the form (`maxlength` and the
/// label), checked here before anything else. Fields with a format of their own (dates,
/// amounts, numbers) get a bound that no valid value reaches.
pub const LIMITS: &[(&str, usize)] = &[
    ("kind", 40),
    ("depositor", MAX_DEPOSITOR),
    ("address", MAX_ADDRESS),
    ("subject", MAX_SUBJECT),
    ("pages", 10),
    ("siret", 20),
    ("invoice_number", MAX_INVOICE_NUMBER),
    ("amount", 30),
    ("invoice_date", 20),
    ("deadline", 20),
    ("received_at", 20),
    ("backdate_reason", MAX_REASON),
    ("dossier", MAX_DOSSIER),
    ("missing", MAX_MISSING_TEXT),
    ("missing_deadline", 20),
    ("completes", 20),
];

/// The limit of `field` in [`LIMITS`].
fn limit(field: &str) -> usize {
    LIMITS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(0, |(_, n)| *n)
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
    pub is_application: bool,
    pub is_documents: bool,
    /// The window within which a time of receipt may precede registration, in hours.
    pub window_hours: u32,
    pub form: DepositForm,
    pub error: Option<String>,
    pub rows: Vec<Row>,
    pub from: String,
    pub to: String,
    pub filter_kind: String,
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
    pub backdate_reason: String,
    #[serde(default)]
    pub dossier: String,
    #[serde(default)]
    pub missing: String,
    #[serde(default)]
    pub missing_deadline: String,
    #[serde(default)]
    pub completes: String,
}

impl DepositForm {
    /// The fields and what was typed in them, in the order of [`LIMITS`].
    fn fields(&self) -> [(&'static str, &str); 16] {
        [
            ("kind", &self.kind),
            ("depositor", &self.depositor),
            ("address", &self.address),
            ("subject", &self.subject),
            ("pages", &self.pages),
            ("siret", &self.siret),
            ("invoice_number", &self.invoice_number),
            ("amount", &self.amount),
            ("invoice_date", &self.invoice_date),
            ("deadline", &self.deadline),
            ("received_at", &self.received_at),
            ("backdate_reason", &self.backdate_reason),
            ("dossier", &self.dossier),
            ("missing", &self.missing),
            ("missing_deadline", &self.missing_deadline),
            ("completes", &self.completes),
        ]
    }

    /// The first field longer than its limit, in the form's words; the text typed is not
    /// sent back (it may be anything).
    fn too_long(&mut self) -> Option<String> {
        let (field, _) = self
            .fields()
            .into_iter()
            .find(|(f, v)| v.chars().count() > limit(f))?;
        let why = format!(
            "Dépôt non enregistré, rien n'est écrit. {} : {} caractères au plus.",
            label(field),
            limit(field)
        );
        *self = DepositForm {
            csrf_token: std::mem::take(&mut self.csrf_token),
            ..DepositForm::default()
        };
        Some(why)
    }
}

fn some(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The form's label of a field, named by the parser's command-line option or the form's name.
fn label(field: &str) -> &str {
    match field.trim_start_matches("--").replace('-', "_").as_str() {
        "kind" => "Type de dépôt",
        "from" | "depositor" => "Déposant",
        "address" => "Adresse du déposant",
        "subject" => "Objet",
        "pages" => "Nombre de pages",
        "at" | "received_at" => "Reçu le",
        "backdate_reason" => "Motif de l'enregistrement différé",
        "siret" => "SIRET",
        "invoice_number" => "Numéro de facture",
        "amount" => "Montant TTC",
        "invoice_date" => "Date de la facture",
        "deadline" => "Date limite de la consultation",
        "dossier" => "Numéro de dossier",
        "missing" => "Pièces manquantes",
        "missing_deadline" => "Date limite pour les pièces manquantes",
        "completes" => "Complète le dépôt n°",
        _ => field,
    }
}

/// The window within which a time of receipt may precede registration (settings).
fn window_hours(app: &App) -> u32 {
    app.config
        .settings
        .as_ref()
        .map(|s| s.courrier().backdate_window_hours)
        .unwrap_or(relais_core::deposits::DEFAULT_BACKDATE_WINDOW_HOURS)
}

pub(crate) fn kind_label(app: &App, kind: DepositKind) -> String {
    app.config
        .courrier
        .as_ref()
        .and_then(|c| c.rules.iter().find(|r| r.kind == kind))
        .map(|r| r.label.clone())
        .unwrap_or_else(|| kind.as_str().to_owned())
}

fn time_zone(app: &App) -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(&app.config.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
}

pub(crate) fn row(app: &App, d: &Deposit) -> Row {
    let tz = time_zone(app);
    let local = |t: jiff::Timestamp| {
        t.to_zoned(tz.clone())
            .strftime("%d/%m/%Y %H:%M")
            .to_string()
    };
    Row {
        number: d.number.to_string(),
        received: local(d.received_at),
        registered: local(d.registered_at),
        warnings: d.warnings(),
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
    /// Additional documents for this application (from the deposit's page).
    #[serde(default)]
    completes: Option<String>,
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
        is_application: kind.is_application(),
        is_documents: kind == DepositKind::PiecesComplementaires,
        window_hours: window_hours(app),
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
        .unwrap_or(DepositKind::DemandeApa);
    let prefill = |v: &Option<String>, field| {
        v.clone()
            .filter(|v| v.chars().count() <= limit(field))
            .unwrap_or_default()
    };
    page(
        &app,
        &session,
        StatusCode::OK,
        kind,
        DepositForm {
            dossier: prefill(&query.dossier, "dossier"),
            completes: prefill(&query.completes, "completes"),
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
        completes: None,
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
    Form(mut form): Form<DepositForm>,
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
    if let Some(why) = form.too_long() {
        return refused(&app, &session, kind, form, why).await;
    }
    let tz = time_zone(&app);
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
        backdate_reason: some(&form.backdate_reason),
        dossier: some(&form.dossier),
        missing: some(&form.missing),
        missing_deadline: some(&form.missing_deadline),
        completes: some(&form.completes),
    };
    let desk = Desk {
        now: jiff::Timestamp::from_second(app.now()).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
        tz: &tz,
        backdate_window_hours: window_hours(&app),
    };
    let new = match NewDeposit::parse(&input, &desk) {
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
