//! The courrier page: the registration form of the chosen kind (htmx swaps it when the list
//! changes; the button does it without JavaScript), and the register, filtered by days of
//! receipt (JJ/MM/AAAA), kind and a searched text (number, depositor, subject, file).

use super::check::{DepositForm, check, in_form_words, label, limit};
use super::{COURRIER, CourrierPage, Row, kind_label, row, time_zone, window_hours};
use crate::Shared;
use crate::form_errors::FormErrors;
use crate::pages::{Failure, render};
use crate::routes::{Access, form_session, page_session};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::deposits::{Deposit, DepositKind, Desk};
use relais_core::text::search_key;
use relais_documents::code::ReceiptSummary;
use relais_documents::french::date_short;
use relais_store::deposits::{DepositFilter, DepositStore, DepositStoreError, resolve_service};
use serde::Deserialize;

/// Deposits the register shows at most.
const SHOWN: usize = 200;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    du: Option<String>,
    #[serde(default)]
    au: Option<String>,
    #[serde(default)]
    filtre: Option<String>,
    /// Searched in the register: number, depositor, subject, file.
    #[serde(default)]
    q: Option<String>,
    /// A deposit for this person's file (from the person's page), or kept across a change of
    /// kind with the other common fields.
    #[serde(default)]
    dossier: Option<String>,
    /// Additional documents for this application (from the deposit's page).
    #[serde(default)]
    completes: Option<String>,
    #[serde(default)]
    depositor: Option<String>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    pages: Option<String>,
    #[serde(default)]
    received_at: Option<String>,
    #[serde(default)]
    backdate_reason: Option<String>,
    /// `tableur`: the register as the filters select it, for a French spreadsheet.
    #[serde(default)]
    format: Option<String>,
}

/// A day of the register's filters: JJ/MM/AAAA (or AAAA-MM-JJ); empty is no bound.
fn filter_day(
    typed: &str,
    field: &str,
    label: &str,
    errors: &mut FormErrors,
) -> Option<jiff::civil::Date> {
    let t = typed.trim();
    if t.is_empty() {
        return None;
    }
    match relais_core::calendar::parse_date(t) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(
                field,
                label,
                format!("date illisible « {t} » (attendu JJ/MM/AAAA, par exemple 10/12/2026)"),
            );
            None
        }
    }
}

/// Whether a deposit answers the searched text (accents and case ignored).
fn found(d: &Deposit, key: &str) -> bool {
    let hay = [
        d.number.to_string(),
        d.facts.depositor.clone(),
        d.facts.subject.clone().unwrap_or_default(),
        d.facts.dossier.clone().unwrap_or_default(),
    ];
    hay.iter().any(|h| search_key(h).contains(key))
}

struct Refusal {
    errors: FormErrors,
    error: Option<String>,
}

/// The register as the filters select it: the deposits (oldest first), the filters as typed
/// and their problems.
pub(super) struct Listing {
    pub deposits: Vec<Deposit>,
    pub key: String,
    pub q: String,
    pub from: String,
    pub to: String,
    pub from_day: Option<jiff::civil::Date>,
    pub to_day: Option<jiff::civil::Date>,
    pub filter_kind: String,
    pub filter_errors: FormErrors,
}

impl Listing {
    /// The deposits the searched text finds, most recent first.
    pub fn found(&self) -> impl Iterator<Item = &Deposit> {
        self.deposits
            .iter()
            .rev()
            .filter(|d| self.key.is_empty() || found(d, &self.key))
    }
}

pub(super) async fn listing(app: &Shared, query: &ListQuery) -> Result<Listing, Response> {
    let today = app.zoned_now().map(|z| z.date());
    let q = query.q.clone().unwrap_or_default();
    let key = search_key(&q);
    let mut filter_errors = FormErrors::new();
    // Today by default; a search looks at every day unless days are given.
    let typed_or_today = |v: &Option<String>| match v.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => s.to_owned(),
        _ if !key.is_empty() => String::new(),
        _ => today.map(date_short).unwrap_or_default(),
    };
    let from = typed_or_today(&query.du);
    let to = typed_or_today(&query.au);
    let from_day = filter_day(&from, "du", "Du", &mut filter_errors);
    let to_day = filter_day(&to, "au", "Au", &mut filter_errors);
    let filter_kind = query.filtre.clone().unwrap_or_default();
    let filter = DepositFilter {
        kind: DepositKind::parse(&filter_kind),
        from: from_day,
        to: to_day,
        dossier: None,
    };
    let deposits = if filter_errors.is_empty() {
        app.with_reader(move |s| {
            s.deposits(&filter)
                .map_err(|e| relais_store::StoreError::Corrupt(e.to_string()))
        })
        .await
    } else {
        Ok(Vec::new())
    };
    let deposits = deposits.map_err(|f| app.fail(f))?;
    Ok(Listing {
        deposits,
        key,
        q,
        from,
        to,
        from_day,
        to_day,
        filter_kind,
        filter_errors,
    })
}

async fn page(
    app: &Shared,
    session: &relais_store::sessions::Session,
    status: StatusCode,
    kind: DepositKind,
    form: DepositForm,
    refusal: Refusal,
    query: &ListQuery,
) -> Response {
    let listing = match listing(app, query).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let rows: Vec<Row> = listing.found().take(SHOWN).map(|d| row(app, d)).collect();
    let Listing {
        q,
        from,
        to,
        from_day,
        to_day,
        filter_kind,
        filter_errors,
        ..
    } = listing;
    let days = match (from_day, to_day) {
        (Some(f), Some(t)) if f == t => format!(" du {}", date_short(f)),
        (Some(f), Some(t)) => format!(" du {} au {}", date_short(f), date_short(t)),
        (Some(f), None) => format!(" depuis le {}", date_short(f)),
        (None, Some(t)) => format!(" jusqu'au {}", date_short(t)),
        (None, None) => String::new(),
    };
    let found_for = if q.trim().is_empty() {
        String::new()
    } else {
        format!(" pour « {} »", q.trim())
    };
    let caption = format!(
        "Dépôts{days}{found_for}, les plus récents d'abord{}",
        if rows.len() == SHOWN {
            " (les 200 premiers)"
        } else {
            ""
        }
    );
    let page = CourrierPage {
        head: app.head("Courrier : dépôts papier", Some(session), "/courrier"),
        csrf: session.csrf.clone(),
        kinds: DepositKind::ALL
            .iter()
            .map(|k| (k.as_str(), kind_label(app, *k), *k == kind))
            .collect(),
        kind: kind.as_str(),
        kind_label: kind_label(app, kind),
        is_invoice: kind == DepositKind::Facture,
        is_bid: kind == DepositKind::OffreMarche,
        is_application: kind.is_application(),
        is_documents: kind == DepositKind::PiecesComplementaires,
        window_hours: window_hours(app),
        form,
        errors: refusal.errors,
        error: refusal.error,
        rows,
        from,
        to,
        filter_kind,
        q,
        filter_errors,
        caption,
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
    if query.format.as_deref() == Some("tableur") {
        return super::tableur::download(&app, &query).await;
    }
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
    let form = DepositForm {
        depositor: prefill(&query.depositor, "depositor"),
        address: prefill(&query.address, "address"),
        subject: prefill(&query.subject, "subject"),
        pages: prefill(&query.pages, "pages"),
        received_at: prefill(&query.received_at, "received_at"),
        backdate_reason: prefill(&query.backdate_reason, "backdate_reason"),
        dossier: prefill(&query.dossier, "dossier"),
        completes: prefill(&query.completes, "completes"),
        ..DepositForm::default()
    };
    let refusal = Refusal {
        errors: FormErrors::new(),
        error: None,
    };
    page(&app, &session, StatusCode::OK, kind, form, refusal, &query).await
}

/// The registration form again, with what was typed and every problem.
async fn refused(
    app: &Shared,
    session: &relais_store::sessions::Session,
    kind: DepositKind,
    form: DepositForm,
    refusal: Refusal,
) -> Response {
    page(
        app,
        session,
        StatusCode::UNPROCESSABLE_ENTITY,
        kind,
        form,
        refusal,
        &ListQuery::default(),
    )
    .await
}

/// The field a refusal of the register names, if any.
fn store_field(e: &DepositStoreError) -> Option<&'static str> {
    match e {
        DepositStoreError::UnknownDossier(_) => Some("dossier"),
        DepositStoreError::CompletedUnknown(_)
        | DepositStoreError::NotCompletable(..)
        | DepositStoreError::AlreadyCompleted(..)
        | DepositStoreError::OtherDossier(..) => Some("completes"),
        DepositStoreError::ReceivedAfterRegistration => Some("received_at"),
        _ => None,
    }
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
    let tz = time_zone(&app);
    let desk = Desk {
        now: jiff::Timestamp::from_second(app.now()).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
        tz: &tz,
        backdate_window_hours: window_hours(&app),
    };
    let new = match check(&mut form, &desk) {
        Ok(n) => n,
        Err(errors) => {
            let refusal = Refusal {
                errors,
                error: None,
            };
            return refused(&app, &session, kind, form, refusal).await;
        }
    };
    let actor = session.login.clone();
    let store_tz = tz.clone();
    let done = app
        .with_store(move |s| {
            let result = (|| -> Result<Deposit, Result<DepositStoreError, String>> {
                let rules = courrier
                    .rules
                    .iter()
                    .find(|r| r.kind == new.kind)
                    .ok_or_else(|| Err(format!("type de dépôt sans règles : {}", new.kind)))?;
                resolve_service(&*s, rules).map_err(Err)?;
                s.register_deposit(&actor, &new, &store_tz, &mut |d| {
                    Ok(courrier.key.sign(&ReceiptSummary::of(d)))
                })
                .map_err(Ok)
            })();
            Ok(result)
        })
        .await;
    match done {
        Ok(Ok(d)) => Redirect::to(&format!("/courrier/{}", d.number)).into_response(),
        Ok(Err(e)) => {
            let mut refusal = Refusal {
                errors: FormErrors::new(),
                error: None,
            };
            match e {
                Ok(e) => match store_field(&e) {
                    Some(field) => {
                        refusal
                            .errors
                            .add(field, label(field), in_form_words(&e.to_string()))
                    }
                    None => {
                        refusal.error = Some(format!(
                            "Dépôt non enregistré : {}.",
                            in_form_words(&e.to_string())
                        ))
                    }
                },
                Err(why) => refusal.error = Some(format!("Dépôt non enregistré : {why}.")),
            }
            refused(&app, &session, kind, form, refusal).await
        }
        Err(f) => app.fail(f),
    }
}
