//! Renewal of rights by a crisis decision: simulated, confirmed, then applied. Applying is
//! bound to the simulation shown: the simulation's page carries a digest of the decision and
//! of what it changes, the confirmation page (`GET /renouvellement/confirmer`, stating the
//! consequence) recomputes it, and so does the POST that applies; when anything changed
//! (a field edited after the simulation, rights changed meanwhile) the new simulation is
//! shown instead, and nothing is applied.

use super::benefits_of;
use crate::error::WebError;
use crate::fields::field;
use crate::pages::render;
use crate::session::{SignedForm, SignedIn};
use crate::{App, Shared};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_app::renewals::Applied;
use relais_core::Cents;
use relais_core::calendar::parse_date;
use relais_core::records::Benefit;
use relais_core::run::RenewalPolicy;
use relais_documents::french;
use relais_store::runs::{RenewalOutcome, RunStoreError};
use relais_store::sessions::Session;

/// What the renewal form holds (kept as typed when the page comes back with an error).
#[derive(Debug, Default)]
pub struct RenewalForm {
    pub benefits: Vec<String>,
    pub ends_from: String,
    pub ends_to: String,
    pub new_end: String,
    pub legal_reference: String,
    pub decided_by: String,
}

#[derive(Template)]
#[template(path = "renouvellement.html")]
pub struct Renouvellement {
    pub head: crate::pages::Head,
    pub csrf: String,
    /// (code, label)
    pub all_benefits: Vec<(&'static str, &'static str)>,
    pub form: RenewalForm,
    /// What the policy changes, per benefit: (label, rights, monthly total).
    pub per_benefit: Vec<(&'static str, u64, String)>,
    /// (rights, monthly total), once simulated or applied.
    pub total: Option<(u64, String)>,
    pub applied: bool,
    /// The journal entry of the application, when something changed.
    pub journal: Option<u64>,
    /// After a simulation: the decision and the simulation's digest, as the address of the
    /// confirmation page (`paiements/renewal.rs`).
    pub confirm_query: Option<String>,
    pub error: Option<String>,
}

fn monthly(outcome: &RenewalOutcome) -> Cents {
    outcome
        .per_benefit
        .values()
        .fold(Cents::ZERO, |acc, (_, t)| Cents(acc.0.saturating_add(t.0)))
}

/// The decision's fields in an address (the confirmation page's), with the digest.
fn query_of(form: &RenewalForm, digest: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for b in &form.benefits {
        q.append_pair("benefit", b);
    }
    q.append_pair("ends_from", &form.ends_from)
        .append_pair("ends_to", &form.ends_to)
        .append_pair("new_end", &form.new_end)
        .append_pair("legal_reference", &form.legal_reference)
        .append_pair("decided_by", &form.decided_by)
        .append_pair("empreinte", digest);
    q.finish()
}

fn renewal_page(
    app: &App,
    session: &Session,
    status: StatusCode,
    form: RenewalForm,
    outcome: Option<(bool, RenewalOutcome)>,
    error: Option<String>,
) -> Response {
    let (applied, outcome) = match outcome {
        Some((applied, o)) => (applied, Some(o)),
        None => (false, None),
    };
    let digest = match (&outcome, policy_of(&form)) {
        (Some(o), Ok(p)) if !applied => Some(query_of(&form, &relais_app::renewals::digest(&p, o))),
        _ => None,
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
        total: outcome.as_ref().map(|o| (o.rights, monthly(o).to_string())),
        applied,
        journal: outcome
            .as_ref()
            .and_then(|o| o.entry.as_ref().map(|e| e.seq)),
        confirm_query: digest,
        form,
        error,
    };
    render(status, &page)
}

pub async fn renewal_form(State(app): State<Shared>, SignedIn(session): SignedIn) -> Response {
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

fn form_of(fields: &[(String, String)]) -> RenewalForm {
    RenewalForm {
        benefits: benefits_of(fields)
            .iter()
            .map(|b| b.code().to_owned())
            .collect(),
        ends_from: field(fields, "ends_from").trim().to_owned(),
        ends_to: field(fields, "ends_to").trim().to_owned(),
        new_end: field(fields, "new_end").trim().to_owned(),
        legal_reference: field(fields, "legal_reference").trim().to_owned(),
        decided_by: field(fields, "decided_by").trim().to_owned(),
    }
}

/// Renews rights by `policy` (`simulate`: nothing written): what it changes, or why the
/// store's rules refuse it (French, shown on the form's page with 422).
async fn renew_rights(
    app: &Shared,
    session: &Session,
    policy: RenewalPolicy,
    simulate: bool,
) -> Result<Result<RenewalOutcome, String>, WebError> {
    let actor = session.login.clone();
    match app
        .with_store(move |s| Ok(relais_app::renewals::renew(s, &policy, &actor, simulate)))
        .await?
    {
        Ok(o) => Ok(Ok(o)),
        // A database failure is shown as refused (403, its French cause), as this screen
        // always did, not as a 500: kept so that nothing changes for the agent.
        Err(e @ RunStoreError::Store(_)) => Err(WebError::refused(e.to_string())),
        Err(e) => Ok(Err(e.to_string())),
    }
}

/// The form's page again, as typed, saying why the decision is refused (422).
fn refused_page(app: &App, session: &Session, form: RenewalForm, why: String) -> Response {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    renewal_page(app, session, status, form, None, Some(why))
}

/// The new simulation, shown instead of applying one that no longer holds.
fn changed(app: &App, session: &Session, form: RenewalForm, now: RenewalOutcome) -> Response {
    let why = "La décision ou les droits qu'elle prolonge ont changé depuis la simulation \
               affichée : rien n'est appliqué. Voici la simulation d'aujourd'hui ; relisez-la \
               avant d'appliquer.";
    renewal_page(
        app,
        session,
        StatusCode::CONFLICT,
        form,
        Some((false, now)),
        Some(why.to_owned()),
    )
}

#[derive(Template)]
#[template(path = "renouvellement_confirmer.html")]
pub struct ConfirmRenewal {
    pub head: crate::pages::Head,
    pub csrf: String,
    pub form: RenewalForm,
    pub digest: String,
    pub benefits: Vec<(&'static str, String, String)>,
    pub rights: String,
    pub monthly: String,
    pub new_end: String,
    pub ends_from: String,
    pub ends_to: String,
}

/// `GET /renouvellement/confirmer`: what applying the simulated decision does, and the form
/// that applies it — only when the simulation still holds.
pub async fn confirm_renewal(
    State(app): State<Shared>,
    Query(fields): Query<Vec<(String, String)>>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let form = form_of(&fields);
    let policy = match policy_of(&form) {
        Ok(p) => p,
        Err(why) => return Ok(refused_page(&app, &session, form, why)),
    };
    let now = match renew_rights(&app, &session, policy.clone(), true).await? {
        Ok(o) => o,
        Err(why) => return Ok(refused_page(&app, &session, form, why)),
    };
    let digest = relais_app::renewals::digest(&policy, &now);
    let shown = field(&fields, "empreinte");
    if !shown.is_empty() && shown != digest {
        return Ok(changed(&app, &session, form, now));
    }
    if now.rights == 0 {
        return Ok(renewal_page(
            &app,
            &session,
            StatusCode::OK,
            form,
            Some((false, now)),
            None,
        ));
    }
    let page = ConfirmRenewal {
        head: app.head(
            "Appliquer la décision de renouvellement",
            Some(&session),
            "/paiements",
        ),
        csrf: session.csrf.clone(),
        digest,
        benefits: now
            .per_benefit
            .iter()
            .map(|(b, (n, total))| {
                (
                    b.label_fr(),
                    french::count_of(*n, "droit", "droits"),
                    total.to_string(),
                )
            })
            .collect(),
        rights: french::count_of(now.rights, "droit", "droits"),
        monthly: monthly(&now).to_string(),
        new_end: french::date_long(policy.new_end),
        ends_from: french::date_short(policy.ends_from),
        ends_to: french::date_short(policy.ends_to),
        form,
    };
    Ok(render(StatusCode::OK, &page))
}

/// Shows what a policy changes (`etape=simuler`), or applies it (`etape=appliquer`, with the
/// digest of the simulation confirmed): one journal entry listing every right changed;
/// applying it again changes nothing.
pub async fn renew(
    State(app): State<Shared>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = form_of(&fields);
    let policy = match policy_of(&form) {
        Ok(p) => p,
        Err(why) => return Ok(refused_page(&app, &session, form, why)),
    };
    let simulated = match renew_rights(&app, &session, policy.clone(), true).await? {
        Ok(o) => o,
        Err(why) => return Ok(refused_page(&app, &session, form, why)),
    };
    if field(&fields, "etape") != "appliquer" {
        return Ok(renewal_page(
            &app,
            &session,
            StatusCode::OK,
            form,
            Some((false, simulated)),
            None,
        ));
    }
    let shown = field(&fields, "empreinte");
    if shown.is_empty() {
        // Not confirmed: to the page that states the consequence.
        let digest = relais_app::renewals::digest(&policy, &simulated);
        return Ok(Redirect::to(&format!(
            "/renouvellement/confirmer?{}",
            query_of(&form, &digest)
        ))
        .into_response());
    }
    // Checked again and applied on the writer, back to back: nothing of this server comes
    // between what was confirmed and what is applied.
    let (actor, shown) = (session.login.clone(), shown.to_owned());
    let applied = app
        .with_store(move |s| {
            Ok(relais_app::renewals::apply_as_simulated(
                s, &policy, &actor, &shown,
            ))
        })
        .await?;
    let page = match applied {
        Ok(Applied::Done(outcome)) => renewal_page(
            &app,
            &session,
            StatusCode::OK,
            form,
            Some((true, outcome)),
            None,
        ),
        Ok(Applied::Changed(now)) => changed(&app, &session, form, now),
        // As renew_rights: a database failure reads as refused (403), as it always did.
        Err(e @ RunStoreError::Store(_)) => return Err(WebError::refused(e.to_string())),
        Err(e) => refused_page(&app, &session, form, e.to_string()),
    };
    Ok(page)
}
