//! Renewal of rights by a crisis decision: simulated, then applied.

use super::benefits_of;
use crate::pages::{RenewalForm, Renouvellement, render};
use crate::routes::{Access, RENEW, field, form_session, page_session};
use crate::{App, Shared};
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use relais_core::Cents;
use relais_core::calendar::parse_date;
use relais_core::records::Benefit;
use relais_core::run::RenewalPolicy;
use relais_store::runs::{RunStore, RunStoreError};

fn renewal_page(
    app: &App,
    session: &relais_store::sessions::Session,
    status: StatusCode,
    form: RenewalForm,
    outcome: Option<(bool, relais_store::runs::RenewalOutcome)>,
    error: Option<String>,
) -> Response {
    let (applied, outcome) = match outcome {
        Some((applied, o)) => (applied, Some(o)),
        None => (false, None),
    };
    let page = Renouvellement {
        head: app.head("Renouvellement des droits", Some(session), "/paiements"),
        csrf: session.csrf.clone(),
        all_benefits: Benefit::ALL
            .iter()
            .map(|b| (b.code(), b.label_fr()))
            .collect(),
        per_benefit: outcome
            .as_ref()
            .map(|o| {
                o.per_benefit
                    .iter()
                    .map(|(b, (n, total))| (b.label_fr(), *n, total.to_string()))
                    .collect()
            })
            .unwrap_or_default(),
        total: outcome.as_ref().map(|o| {
            let monthly = o
                .per_benefit
                .values()
                .fold(Cents::ZERO, |acc, (_, t)| Cents(acc.0.saturating_add(t.0)));
            (o.rights, monthly.to_string())
        }),
        applied,
        journal: outcome
            .as_ref()
            .and_then(|o| o.entry.as_ref().map(|e| e.seq)),
        form,
        error,
    };
    render(status, &page)
}

pub async fn renewal_form(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let session = match page_session(&app, &headers, Access::AnyOf(RENEW)).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let form = RenewalForm {
        benefits: vec!["APA_DOM", "APA_ETAB", "PCH", "ASH"]
            .into_iter()
            .map(str::to_owned)
            .collect(),
        ..RenewalForm::default()
    };
    renewal_page(&app, &session, StatusCode::OK, form, None, None)
}

/// The policy the form describes, or why not (in French).
fn policy_of(form: &RenewalForm) -> Result<RenewalPolicy, String> {
    let date = |label: &str, v: &str| parse_date(v).map_err(|e| format!("{label} : {e}"));
    let policy = RenewalPolicy {
        benefits: form
            .benefits
            .iter()
            .filter_map(|b| Benefit::parse(b))
            .collect(),
        ends_from: date("fin de droit à partir du", &form.ends_from)?,
        ends_to: date("fin de droit jusqu'au", &form.ends_to)?,
        new_end: date("nouvelle date de fin", &form.new_end)?,
        legal_reference: form.legal_reference.trim().to_owned(),
        decided_by: form.decided_by.trim().to_owned(),
    };
    policy.validate().map_err(|e| e.to_string())?;
    Ok(policy)
}

/// Shows what a policy changes (`etape=simuler`), or applies it (`etape=appliquer`): one
/// journal entry listing every right changed; applying it again changes nothing.
pub async fn renew(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let session = match form_session(
        &app,
        &headers,
        Access::AnyOf(RENEW),
        field(&fields, "csrf_token"),
    )
    .await
    {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let form = RenewalForm {
        benefits: benefits_of(&fields)
            .iter()
            .map(|b| b.code().to_owned())
            .collect(),
        ends_from: field(&fields, "ends_from").trim().to_owned(),
        ends_to: field(&fields, "ends_to").trim().to_owned(),
        new_end: field(&fields, "new_end").trim().to_owned(),
        legal_reference: field(&fields, "legal_reference").trim().to_owned(),
        decided_by: field(&fields, "decided_by").trim().to_owned(),
    };
    let policy = match policy_of(&form) {
        Ok(p) => p,
        Err(why) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return renewal_page(&app, &session, status, form, None, Some(why));
        }
    };
    let apply = field(&fields, "etape") == "appliquer";
    let actor = session.login.clone();
    let done = app
        .with_store(move |s| Ok(s.renew_rights(&policy, &actor, !apply)))
        .await;
    match done {
        Ok(Ok(outcome)) => renewal_page(
            &app,
            &session,
            StatusCode::OK,
            form,
            Some((apply, outcome)),
            None,
        ),
        Ok(Err(e @ RunStoreError::Store(_))) => app.refuse(&e.to_string()),
        Ok(Err(e)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            renewal_page(&app, &session, status, form, None, Some(e.to_string()))
        }
        Err(f) => app.fail(f),
    }
}
