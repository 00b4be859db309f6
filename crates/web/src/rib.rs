//! Changes of bank details on the web. Asked from a person's page, a change concerns the
//! person's own account only; an establishment's, a service's or a guardian's is asked from
//! that payee's page (`/tiers/{id}`), which shows the people it is paid for and the monthly
//! amount at stake. An ordonnateur decides on `/rib/{id}`, with the old and new details side
//! by side; `/rib` lists every detail waiting for one (requests, and changes the extracts
//! made, which hold the payee's rights out of runs until approved here). Who may do what is `relais_core::bank_change`, applied by the store for the web
//! and the command line alike; the routes' roles only keep others from the screens.

use crate::access::{BANK_ASK, BANK_DECIDE, DESK, holds};
use crate::app::Shared;
use crate::desk::person_page;
use crate::error::WebError;
use crate::pages::{euros, render, url_segment};
use crate::session::{CsrfForm, CsrfToken, SignedForm, SignedIn};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_app::AppError;
use relais_app::bank;
use relais_documents::french;
use relais_store::bank::{BankChangeError, BankChangeReview, HeldBankDetails, PayeePage};
use relais_store::sessions::Session;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "tiers.html")]
pub struct TiersPage {
    pub head: crate::pages::Head,
    pub page: PayeePage,
    pub monthly: String,
    pub csrf: String,
    pub can_request: bool,
    pub can_review: bool,
    pub can_see_people: bool,
    pub notice: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "rib.html")]
pub struct RibPage {
    pub head: crate::pages::Head,
    pub r: BankChangeReview,
    pub monthly: String,
    pub csrf: String,
    /// Pending, and not asked by this agent: the decision form is shown.
    pub can_decide: bool,
    pub own_request: bool,
}

#[derive(Deserialize)]
pub struct BankChangeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    payee_id: String,
    #[serde(default)]
    iban: String,
    #[serde(default)]
    bic: String,
    #[serde(default)]
    holder: String,
    #[serde(default)]
    proof: String,
}

impl CsrfToken for BankChangeForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl BankChangeForm {
    /// The change as typed, for the payee `payee_id`, asked from the page of `dossier`.
    fn asked<'a>(&'a self, payee_id: &'a str, dossier: Option<&'a str>) -> bank::Asked<'a> {
        bank::Asked {
            payee_id,
            dossier,
            iban: &self.iban,
            bic: &self.bic,
            holder: &self.holder,
            proof: &self.proof,
        }
    }
}

/// A decision the store refused: a request or payee it does not know is 404, the rest
/// says why (logged).
fn refused(e: AppError, what: &str) -> Result<Response, WebError> {
    match e {
        AppError::Bank(BankChangeError::NotFound(_) | BankChangeError::UnknownPayee(_)) => {
            Err(WebError::NotFound)
        }
        AppError::Bank(e) => {
            tracing::info!(error = %e, "{what}");
            Err(WebError::Refused(refusal_status(&e), e.to_string()))
        }
        other => Err(WebError::internal(what, other)),
    }
}

/// A refused request's status: a rule of who may change what is 403, what was typed 422.
fn refusal_status(e: &BankChangeError) -> StatusCode {
    match e {
        BankChangeError::Store(_) | BankChangeError::Scope(_) | BankChangeError::Decision(..) => {
            StatusCode::FORBIDDEN
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// Asks the change; a refusal as its status and the sentence the page shows.
async fn ask(
    app: &Shared,
    session: &Session,
    form: BankChangeForm,
    payee_id: String,
    dossier: Option<String>,
) -> Result<Result<i64, (StatusCode, String, Option<BankChangeError>)>, WebError> {
    let actor = session.login.clone();
    let done = app
        .with_store(move |s| {
            Ok(bank::request(
                s,
                &actor,
                &form.asked(&payee_id, dossier.as_deref()),
            ))
        })
        .await?;
    Ok(done.map_err(|e| match e {
        AppError::BankDetails(why) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Demande non enregistrée. {why}"),
            None,
        ),
        AppError::Bank(e) => (
            refusal_status(&e),
            format!("Demande non enregistrée : {e}."),
            Some(e),
        ),
        other => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Demande non enregistrée : {}.", other.french()),
            None,
        ),
    }))
}

/// `POST /personne/{dossier}/rib`: the person's own account only.
pub async fn request_from_person(
    State(app): State<Shared>,
    Path(dossier): Path<String>,
    SignedForm(session, form): SignedForm<BankChangeForm>,
) -> Result<Response, WebError> {
    let payee = form.payee_id.clone();
    let (status, why) = match ask(&app, &session, form, payee, Some(dossier.clone())).await? {
        Ok(id) => {
            return Ok(Redirect::to(&format!(
                "/personne/{}?demande={id}#contenu",
                url_segment(&dossier)
            ))
            .into_response());
        }
        Err((status, why, _)) => (status, why),
    };
    person_page(&app, &session, dossier, status, None, Some(why)).await
}

#[derive(Deserialize)]
pub struct TiersNotice {
    #[serde(default)]
    demande: Option<i64>,
}

/// `GET /tiers/{id}`: who the payee is, whom it is paid for, its requests.
pub async fn tiers(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(notice): Query<TiersNotice>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let notice = notice
        .demande
        .map(|n| format!("Demande n° {n} enregistrée : elle attend la décision d'un ordonnateur."));
    tiers_page(&app, &session, id, StatusCode::OK, notice, None).await
}

async fn tiers_page(
    app: &Shared,
    session: &Session,
    id: String,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let site = session.site.clone();
    let page = app
        .with_reader(move |s| {
            s.payee_page(&id, site.as_deref())
                .map_err(|e| relais_store::StoreError::Corrupt(e.to_string()))
        })
        .await?
        .ok_or(WebError::NotFound)?;
    let title = format!("Tiers {} : {}", page.id, page.name);
    Ok(render(
        status,
        &TiersPage {
            head: app.head(&title, Some(session), "/accueil"),
            monthly: euros(&page.impact.monthly_cents),
            page,
            csrf: session.csrf.clone(),
            can_request: holds(session, BANK_ASK),
            can_review: holds(session, BANK_DECIDE),
            can_see_people: holds(session, DESK),
            notice,
            error,
        },
    ))
}

/// `POST /tiers/{id}/rib`: a change for any payee, asked from its own page.
pub async fn request_from_payee(
    State(app): State<Shared>,
    Path(id): Path<String>,
    SignedForm(session, form): SignedForm<BankChangeForm>,
) -> Result<Response, WebError> {
    let (status, why) = match ask(&app, &session, form, id.clone(), None).await? {
        Ok(n) => {
            return Ok(
                Redirect::to(&format!("/tiers/{}?demande={n}#contenu", url_segment(&id)))
                    .into_response(),
            );
        }
        Err((_, _, Some(BankChangeError::UnknownPayee(_)))) => return Err(WebError::NotFound),
        Err((status, why, _)) => (status, why),
    };
    tiers_page(&app, &session, id, status, None, Some(why)).await
}

/// `GET /rib/{id}`: the request beside the details it replaces, for the ordonnateur.
pub async fn review(
    State(app): State<Shared>,
    Path(id): Path<i64>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let r = match app.with_reader(move |s| Ok(bank::review(s, id))).await? {
        Ok(r) => r,
        Err(AppError::Bank(BankChangeError::NotFound(_))) => return Err(WebError::NotFound),
        Err(e) => return Err(WebError::internal("bank change not read", e)),
    };
    let own_request = r.change.requested_by == session.login;
    Ok(render(
        StatusCode::OK,
        &RibPage {
            head: app.head(
                &format!("Changement de coordonnées bancaires n° {id}"),
                Some(&session),
                "/",
            ),
            monthly: euros(&r.impact.monthly_cents),
            can_decide: r.change.status == "pending" && !own_request,
            own_request,
            r,
            csrf: session.csrf.clone(),
        },
    ))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    decision: String,
}

impl CsrfToken for DecisionForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// `POST /rib/{id}/decision`: approve or refuse, by an ordonnateur who did not ask.
pub async fn decide(
    State(app): State<Shared>,
    Path(id): Path<i64>,
    SignedForm(session, form): SignedForm<DecisionForm>,
) -> Result<Response, WebError> {
    let approve = match form.decision.as_str() {
        "approuver" => true,
        "refuser" => false,
        _ => return Err(WebError::NotFound),
    };
    let actor = session.login.clone();
    let today = app.today_date();
    let done = app
        .with_store(move |s| Ok(bank::decide(s, &actor, id, approve, today)))
        .await?;
    match done {
        Ok(_) => Ok(Redirect::to(&format!(
            "/rib?fait={}&demande={id}#contenu",
            if approve { "approuvee" } else { "refusee" }
        ))
        .into_response()),
        Err(e) => refused(e, "bank change decision refused"),
    }
}

/// One held payee as the list shows it.
pub struct HeldRow {
    pub h: HeldBankDetails,
    pub kind: String,
    pub since: String,
    pub monthly: String,
    /// Asked by this agent: another ordonnateur decides.
    pub own_request: bool,
}

#[derive(Template)]
#[template(path = "rib_list.html")]
pub struct RibListPage {
    pub head: crate::pages::Head,
    pub csrf: String,
    pub rows: Vec<HeldRow>,
    /// People and monthly total of the payees whose rights runs leave out.
    pub held_people: u64,
    pub held_monthly: String,
    pub next_month: String,
    pub notice: Option<String>,
}

#[derive(Deserialize)]
pub struct ListNotice {
    #[serde(default)]
    fait: Option<String>,
    #[serde(default)]
    tiers: Option<String>,
    #[serde(default)]
    demande: Option<i64>,
}

/// What was decided, and when the payee's rights are paid (`month`: the next run's).
fn decision_notice(n: &ListNotice, month: &str) -> Option<String> {
    let (what, approved) = match (&n.demande, &n.tiers) {
        (Some(d), _) => (format!("Demande n° {d}"), "approuvée"),
        (None, Some(t)) => (format!("Coordonnées du tiers {t}"), "approuvées"),
        (None, None) => return None,
    };
    Some(match n.fait.as_deref() {
        Some("approuvee") => format!(
            "{what} {approved}. Ses droits sont payés sur ces coordonnées à partir du \
             prochain paiement préparé : celui de {month}."
        ),
        Some("refusee") => format!(
            "{what} refusée : les coordonnées ne changent pas ; le prochain paiement préparé \
             ({month}) paie sur les coordonnées actuelles."
        ),
        _ => return None,
    })
}

/// `GET /rib`: every bank detail waiting for an ordonnateur — requests asked at the desk, and
/// details the extracts changed that nobody approved (their rights are left out of runs).
pub async fn list(
    State(app): State<Shared>,
    Query(notice): Query<ListNotice>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let today = app.today_date();
    let settings = app.config.settings.clone();
    let bank::Held { held, next } = app
        .with_reader(move |s| Ok(bank::held(s, today, settings.as_ref())))
        .await?
        .map_err(|e| WebError::internal("bank details held not read", e))?;
    let next_month = french::month_long(next);
    let tz = app.tz();
    let holding = held.iter().filter(|h| h.holds_payments());
    let held_people = holding.clone().map(|h| h.impact.people).sum();
    let held_monthly = euros(&holding.map(|h| h.impact.monthly_cents).sum());
    let rows = held
        .into_iter()
        .map(|h| HeldRow {
            kind: bank::kind_label(&h.payee_kind),
            since: french::instant_or_date_short(&h.since, &tz),
            monthly: euros(&h.impact.monthly_cents),
            own_request: h.requested_by.as_deref() == Some(session.login.as_str()),
            h,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &RibListPage {
            head: app.head("Coordonnées bancaires en attente", Some(&session), "/"),
            csrf: session.csrf.clone(),
            rows,
            held_people,
            held_monthly,
            notice: decision_notice(&notice, &next_month),
            next_month,
        },
    ))
}

/// `POST /tiers/{id}/approbation`: approves a payee's details as the extracts changed them
/// (no request was asked in Relais), by an ordonnateur, for that change only.
pub async fn approve_imported(
    State(app): State<Shared>,
    Path(id): Path<String>,
    SignedForm(session, CsrfForm { .. }): SignedForm<CsrfForm>,
) -> Result<Response, WebError> {
    let actor = session.login.clone();
    let payee = id.clone();
    let done = app
        .with_store(move |s| Ok(bank::approve_imported(s, &actor, &payee)))
        .await?;
    match done {
        Ok(_) => Ok(Redirect::to(&format!(
            "/rib?fait=approuvee&tiers={}#contenu",
            url_segment(&id)
        ))
        .into_response()),
        Err(e) => refused(e, "bank details approval refused"),
    }
}
