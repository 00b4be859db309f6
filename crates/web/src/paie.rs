//! The payroll screen: prepare a month's payroll (liquidation), and the changes of an agent's
//! situation to decide (ordonnateur). A payroll run is then reviewed, validated, exported and
//! downloaded on the payment screens (`/paiements/{run}`), like any run.

use crate::Shared;
use crate::error::WebError;
use crate::fields::field;
use crate::pages::render;
use crate::session::{CsrfForm, SignedForm, SignedIn};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_app::runs::Authority;
use relais_core::calendar::Month;
use relais_core::payroll::ChangeRecord;
use relais_core::roles::Role;
use relais_core::run::RunKind;
use serde::Deserialize;

/// A change as the table shows it.
pub(crate) struct ChangeRow {
    pub id: u64,
    pub matricule: String,
    pub what: String,
    pub proof: String,
    pub asked_by: String,
    pub asked_at: String,
    pub waiting: bool,
    pub state: String,
}

impl From<&ChangeRecord> for ChangeRow {
    fn from(r: &ChangeRecord) -> ChangeRow {
        ChangeRow {
            id: r.id,
            matricule: r.matricule.clone(),
            what: r.change.describe(),
            proof: r.proof.clone(),
            asked_by: r.asked_by.clone(),
            asked_at: r.asked_at.clone(),
            waiting: r.approved.is_none(),
            state: r.state_fr(),
        }
    }
}

#[derive(Template)]
#[template(path = "paie.html")]
struct Paie {
    head: crate::pages::Head,
    csrf: String,
    can_prepare: bool,
    can_decide: bool,
    next_month: String,
    notice: Option<String>,
    changes: Vec<ChangeRow>,
    /// (run, month, status, prepared by, mandates, total)
    runs: Vec<(String, String, String, String, u64, String)>,
}

#[derive(Deserialize)]
pub struct Notice {
    #[serde(default)]
    fait: Option<String>,
}

pub async fn paie(
    State(app): State<Shared>,
    Query(notice): Query<Notice>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let (runs, changes) = app
        .with_reader(|s| {
            let runs = s
                .runs()
                .map_err(|e| relais_store::StoreError::Corrupt(e.to_string()))?;
            let changes = s
                .payroll_changes(false)
                .map_err(|e| relais_store::StoreError::Corrupt(e.to_string()))?;
            Ok((runs, changes))
        })
        .await?;
    let today: jiff::civil::Date = app.today().parse().unwrap_or(jiff::civil::Date::ZERO);
    let page = Paie {
        head: app.head("Paie des agents", Some(&session), "/paie"),
        csrf: session.csrf.clone(),
        can_prepare: session.has(Role::Liquidation),
        can_decide: session.has(Role::Ordonnateur),
        next_month: Month::of(today).short(),
        notice: notice.fait.map(|n| {
            match n.as_str() {
                "approuvee" => "Demande approuvée : elle s'applique à la prochaine paie préparée.",
                "demandee" => {
                    "Demande enregistrée : elle attend la décision d'un autre ordonnateur."
                }
                "refusee" => "Demande refusée.",
                _ => "Fait.",
            }
            .to_owned()
        }),
        changes: changes.iter().map(ChangeRow::from).collect(),
        runs: runs
            .iter()
            .rev()
            .filter(|r| r.kind == RunKind::Paie)
            .map(|r| {
                (
                    r.id.to_string(),
                    r.id.month().to_string(),
                    r.status.label_fr().to_owned(),
                    r.summary.prepared_by.clone(),
                    r.summary.mandates,
                    r.summary.total.to_string(),
                )
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn prepare(
    State(app): State<Shared>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (settings, month) = crate::paiements::settings_and_month(&app, &fields)?;
    let clock = crate::paiements::web_clock(&app)?;
    let tz = app.tz();
    let actor = session.login.clone();
    let prepared = app
        .with_store(move |s| {
            let at = Authority {
                settings: &settings,
                settings_path: None,
                tz: &tz,
                clock: &clock,
            };
            Ok(relais_app::payroll::prepare(s, &at, month, &actor))
        })
        .await?
        .map_err(|e| crate::paiements::refused(&month, e, StatusCode::UNPROCESSABLE_ENTITY))?;
    Ok(Redirect::to(&format!("/paiements/{}", prepared.run.id)).into_response())
}

#[derive(Deserialize)]
pub struct RefuseForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    motif: String,
}

impl crate::session::CsrfToken for RefuseForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

async fn decide(
    app: Shared,
    actor: String,
    id: u64,
    refusal: Option<String>,
) -> Result<Response, WebError> {
    let clock = crate::paiements::web_clock(&app)?;
    let tz = app.tz();
    let done = if refusal.is_some() {
        "refusee"
    } else {
        "approuvee"
    };
    app.with_store(move |s| {
        Ok(relais_app::payroll::changes::decide(
            s,
            &clock,
            &tz,
            &actor,
            id,
            refusal.as_deref(),
        ))
    })
    .await?
    .map_err(|e| crate::paiements::refused(&id, e, StatusCode::CONFLICT))?;
    Ok(Redirect::to(&format!("/paie?fait={done}")).into_response())
}

pub async fn approve(
    State(app): State<Shared>,
    Path(id): Path<u64>,
    SignedForm(session, _): SignedForm<CsrfForm>,
) -> Result<Response, WebError> {
    decide(app, session.login, id, None).await
}

pub async fn refuse(
    State(app): State<Shared>,
    Path(id): Path<u64>,
    SignedForm(session, form): SignedForm<RefuseForm>,
) -> Result<Response, WebError> {
    let reason = form.motif.trim().to_owned();
    if reason.is_empty() {
        return Err(WebError::unprocessable("le motif du refus est obligatoire"));
    }
    decide(app, session.login, id, Some(reason)).await
}

/// An optional field of the form, parsed by `parse`, or the reason it does not parse.
fn optional<T>(
    fields: &[(String, String)],
    name: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<T>, WebError> {
    let v = field(fields, name).trim();
    if v.is_empty() {
        return Ok(None);
    }
    parse(v).map(Some).map_err(WebError::unprocessable)
}

/// Asks a change of an agent's situation (role liquidation), from the Paie page's form.
pub async fn ask(
    State(app): State<Shared>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    use relais_app::payroll::changes::{ChangeFields, ChangeRequest, change_of};
    let text = |name: &str| Some(field(&fields, name).trim().to_owned()).filter(|t| !t.is_empty());
    let change = change_of(ChangeFields {
        kind: field(&fields, "kind").trim().to_owned(),
        matricule: field(&fields, "matricule").trim().to_owned(),
        date: optional(&fields, "date", |v| {
            relais_core::calendar::parse_date(v)
                .map_err(|_| format!("date illisible « {v} » : attendu JJ/MM/AAAA"))
        })?,
        net: optional(&fields, "net", |v| {
            relais_core::Cents::parse(v).map_err(|e| format!("net « {v} » : {e}"))
        })?,
        iban: optional(&fields, "iban", |v| {
            relais_core::ids::Iban::parse(v).map_err(|e| format!("IBAN : {e}"))
        })?,
        bic: optional(&fields, "bic", |v| {
            relais_core::ids::Bic::parse(v).map_err(|e| format!("BIC : {e}"))
        })?,
        last_name: text("nom"),
        first_name: text("prenom"),
        nir: optional(&fields, "nir", |v| {
            relais_core::ids::Nir::parse(v).map_err(|e| e.to_string())
        })?,
        service: text("service"),
    })
    .map_err(|e| WebError::unprocessable(e.french()))?;
    let matricule = field(&fields, "matricule").trim().to_owned();
    let proof = field(&fields, "arrete").trim().to_owned();
    let reason = field(&fields, "motif").trim().to_owned();
    let clock = crate::paiements::web_clock(&app)?;
    let tz = app.tz();
    let actor = session.login.clone();
    app.with_store(move |s| {
        Ok(relais_app::payroll::changes::ask(
            s,
            &clock,
            &tz,
            ChangeRequest {
                actor: &actor,
                matricule: &matricule,
                change,
                proof: &proof,
                reason: &reason,
            },
        ))
    })
    .await?
    .map_err(|e| crate::paiements::refused(&"demande", e, StatusCode::UNPROCESSABLE_ENTITY))?;
    Ok(Redirect::to("/paie?fait=demandee").into_response())
}
