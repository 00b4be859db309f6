//! The courrier page: the registration form of the chosen kind (htmx swaps it when the list
//! changes; the button does it without JavaScript), and the register, filtered by days of
//! receipt (JJ/MM/AAAA), kind and a searched text (number, depositor, subject, file).

use super::check::{DepositForm, check, in_form_words, label, limit};
use super::listing::{ListQuery, Listing, listing};
use super::{CourrierPage, Row, kind_label, row, window_hours};
use crate::app::Shared;
use crate::error::WebError;
use crate::form_errors::FormErrors;
use crate::pages::render;
use crate::session::{CsrfToken, SignedForm, SignedIn};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_app::AppError;
use relais_app::deposits;
use relais_core::deposits::DepositKind;
use relais_documents::french::date_short;
use relais_store::deposits::DepositStoreError;
use relais_store::sessions::Session;

/// Deposits the register shows at most.
const SHOWN: usize = 200;

struct Refusal {
    errors: FormErrors,
    error: Option<String>,
}

async fn page(
    app: &Shared,
    session: &Session,
    status: StatusCode,
    kind: DepositKind,
    form: DepositForm,
    refusal: Refusal,
    query: &ListQuery,
) -> Result<Response, WebError> {
    let listing = listing(app, query).await?;
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
    Ok(render(status, &page))
}

pub async fn courrier(
    State(app): State<Shared>,
    Query(query): Query<ListQuery>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
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
    session: &Session,
    kind: DepositKind,
    form: DepositForm,
    refusal: Refusal,
) -> Result<Response, WebError> {
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

impl CsrfToken for DepositForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

pub async fn register(
    State(app): State<Shared>,
    SignedForm(session, mut form): SignedForm<DepositForm>,
) -> Result<Response, WebError> {
    let Some(courrier) = app.config.courrier.clone() else {
        return Err(WebError::internal(
            "courrier",
            "no receipt key nor deposit rules configured",
        ));
    };
    let kind = DepositKind::parse(&form.kind).unwrap_or(DepositKind::Autre);
    let tz = app.tz();
    let desk = deposits::desk(app.config.settings.as_ref(), &tz, app.instant());
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
            Ok(deposits::register(
                s,
                &actor,
                &new,
                &store_tz,
                &courrier.rules,
                &courrier.key,
            ))
        })
        .await?;
    match done {
        Ok(d) => Ok(Redirect::to(&format!("/courrier/{}", d.number)).into_response()),
        Err(e) => {
            let mut refusal = Refusal {
                errors: FormErrors::new(),
                error: None,
            };
            match e {
                AppError::Deposit(e) => match store_field(&e) {
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
                other => {
                    refusal.error = Some(format!("Dépôt non enregistré : {}.", other.french()))
                }
            }
            refused(&app, &session, kind, form, refusal).await
        }
    }
}
