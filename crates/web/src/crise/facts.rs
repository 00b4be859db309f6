//! The incident's facts (every revision kept) and the CNIL notifications.

use super::*;
use crate::app::{App, Shared};
use crate::error::WebError;
use crate::fields::field;
use crate::pages::{Head, render};
use crate::session::{SignedForm, SignedIn};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_app::AppError;
use relais_app::crisis::incident as service;
use relais_core::crisis::systems::parse_yes_no;
use relais_core::crisis::{
    FactKind, MAX_TEXT, NewFact, Notification, NotificationKind, parse_text,
};
use relais_documents::crisis::local;
use relais_store::crisis::CrisisError;
use relais_store::sessions::Session;

#[derive(Template)]
#[template(path = "incident.html")]
pub(crate) struct IncidentPage {
    pub head: Head,
    pub csrf: String,
    pub can_write: bool,
    pub cnil: CnilBlock,
    /// (code, label, revisions oldest first, as text)
    pub facts: Vec<(&'static str, &'static str, Vec<String>)>,
    /// A ransom was demanded (the advice is then shown in full view).
    pub ransom: bool,
    pub advice: &'static str,
    /// (kind, sent at, reference, what was declared)
    pub notifications: Vec<(&'static str, String, String, String)>,
    pub fact_kinds: Vec<(&'static str, &'static str)>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

async fn incident_page(
    app: &Shared,
    session: &Session,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let incident = app
        .with_reader(|s| s.incident().map_err(store_error))
        .await?;
    let tz = app.tz();
    let facts = FactKind::ALL
        .iter()
        .map(|k| {
            let revisions: Vec<String> = incident
                .revisions(*k)
                .map(|f| {
                    format!(
                        "{} (noté par {}, {})",
                        relais_documents::crisis::fact_line(&f.value, &tz),
                        f.recorded_by,
                        local(f.recorded_at, &tz)
                    )
                })
                .collect();
            (k.as_str(), k.label_fr(), revisions)
        })
        .collect();
    let ransom = incident
        .current(FactKind::Ransom)
        .and_then(|f| f.value.answer)
        .unwrap_or(false);
    let page = IncidentPage {
        head: app.head("Incident et notification CNIL", Some(session), "/crise"),
        csrf: session.csrf.clone(),
        can_write: writes(session),
        cnil: cnil_block(app, &incident),
        facts,
        ransom,
        advice: relais_core::crisis::RANSOM_ADVICE,
        notifications: incident
            .notifications
            .iter()
            .map(|n| {
                let n = &n.notification;
                (
                    n.kind.label_fr(),
                    local(n.sent_at, &tz),
                    n.reference.clone().unwrap_or_default(),
                    format!(
                        "{} ; personnes : {} (environ {}) ; données : {} (environ {}) ; conséquences : {} ; mesures : {} ; DPO : {}",
                        n.nature,
                        n.people_categories,
                        n.people_count,
                        n.record_categories,
                        n.record_count,
                        n.consequences,
                        n.measures,
                        n.dpo_contact
                    ) + &n
                        .delay_reasons
                        .as_deref()
                        .map(|r| format!(" ; motifs du retard : {r}"))
                        .unwrap_or_default(),
                )
            })
            .collect(),
        fact_kinds: FactKind::ALL.iter().map(|k| (k.as_str(), k.label_fr())).collect(),
        notice,
        error,
    };
    Ok(render(status, &page))
}

/// The incident's page again, saying why nothing was recorded.
async fn incident_refused(
    app: &Shared,
    session: &Session,
    why: String,
) -> Result<Response, WebError> {
    let error = Some(format!("Rien n'est enregistré : {why}."));
    incident_page(app, session, StatusCode::UNPROCESSABLE_ENTITY, None, error).await
}

pub async fn incident(
    State(app): State<Shared>,
    Query(done): Query<Done>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let notice = done.fait.map(|f| match f.as_str() {
        "cnil" => "Notification à la CNIL enregistrée.".to_owned(),
        _ => "Fait enregistré ; les versions précédentes restent visibles.".to_owned(),
    });
    incident_page(&app, &session, StatusCode::OK, notice, None).await
}

fn new_fact(app: &App, fields: &[(String, String)]) -> Result<(FactKind, NewFact), String> {
    let kind = FactKind::parse(field(fields, "fact")).ok_or("choisissez le fait")?;
    let answer = match field(fields, "answer").trim() {
        "" => None,
        a => Some(parse_yes_no(a).ok_or_else(|| format!("réponse « {a} » : oui ou non"))?),
    };
    let fact = NewFact {
        at: past_instant(app, fields, "at", "date et heure")?,
        estimate: !field(fields, "estimate").is_empty(),
        place: optional(fields, "place")?,
        reference: optional(fields, "reference")?,
        answer,
        note: optional(fields, "note")?,
    };
    if fact == NewFact::default() {
        return Err(
            "rien à enregistrer : une date, une réponse, un lieu, une référence ou une note".into(),
        );
    }
    Ok((kind, fact))
}

pub async fn record_fact(
    State(app): State<Shared>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (kind, fact) = match new_fact(&app, &fields) {
        Ok(f) => f,
        Err(why) => return incident_refused(&app, &session, why).await,
    };
    let actor = session.login.clone();
    let clock = request_clock(&app);
    write(
        &app,
        move |s| service::record_fact(s, &clock, &actor, kind, &fact),
        "/crise/incident?fait=fait",
    )
    .await
}

/// The most a count of a notification may say (more people than live in France, many times).
const MAX_COUNT: u64 = 1_000_000_000;

/// An approximate count typed in a form: `422` when it is no number, `400` when out of range.
fn count(fields: &[(String, String)], name: &str) -> Result<u64, (StatusCode, String)> {
    let v = field(fields, name).trim().replace([' ', '\u{a0}', '.'], "");
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return match v.parse::<u64>() {
            Ok(n) if n <= MAX_COUNT => Ok(n),
            _ => Err((
                StatusCode::BAD_REQUEST,
                format!("{name} : nombre hors limites (au plus 1 000 000 000)"),
            )),
        };
    }
    Err((
        StatusCode::UNPROCESSABLE_ENTITY,
        format!("{name} : un nombre approximatif est demandé (« {v} »)"),
    ))
}

fn new_notification(app: &App, fields: &[(String, String)]) -> Result<Notification, String> {
    let text = |name: &'static str| {
        parse_text(name, field(fields, name), MAX_TEXT).map_err(|e| e.to_string())
    };
    let count = |name: &'static str| count(fields, name).map_err(|(_, why)| why);
    Ok(Notification {
        kind: NotificationKind::parse(field(fields, "kind")).ok_or("initiale ou complémentaire")?,
        nature: text("nature")?,
        people_categories: text("people_categories")?,
        people_count: count("people_count")?,
        record_categories: text("record_categories")?,
        record_count: count("record_count")?,
        consequences: text("consequences")?,
        measures: text("measures")?,
        dpo_contact: text("dpo_contact")?,
        sent_at: past_instant(app, fields, "sent_at", "date d'envoi")?
            .unwrap_or_else(|| app.instant()),
        reference: optional(fields, "reference")?,
        delay_reasons: optional(fields, "delay_reasons")?,
    })
}

pub async fn notify_cnil(
    State(app): State<Shared>,
    SignedForm(session, fields): SignedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    // A number out of range is a bad request (400), said as such, never a database error.
    for name in ["people_count", "record_count"] {
        if let Err((status, why)) = count(&fields, name) {
            let error = Some(format!("Rien n'est enregistré : {why}."));
            return incident_page(&app, &session, status, None, error).await;
        }
    }
    let notification = match new_notification(&app, &fields) {
        Ok(n) => n,
        Err(why) => return incident_refused(&app, &session, why).await,
    };
    let actor = session.login.clone();
    let done = app
        .with_store(move |s| Ok(service::notify(s, &actor, &notification)))
        .await?;
    match done {
        Ok(_) => Ok(Redirect::to("/crise/incident?fait=cnil").into_response()),
        Err(AppError::Crisis(e @ CrisisError::Store(_))) => Err(refused(AppError::Crisis(e))),
        Err(AppError::Crisis(e)) => incident_refused(&app, &session, e.to_string()).await,
        Err(e) => Err(refused(e)),
    }
}

pub async fn incident_pdf(
    State(app): State<Shared>,
    SignedIn(_): SignedIn,
) -> Result<Response, WebError> {
    let incident = app
        .with_reader(|s| service::read(s).map_err(read_error))
        .await?;
    let (tz, clock) = (app.tz(), request_clock(&app));
    let mut out = Vec::new();
    service::summary_pdf(&cell(&app, &tz, &clock), &incident, &mut out)
        .map_err(|e| WebError::internal("incident summary", e))?;
    Ok(attachment("incident.pdf", "application/pdf", out))
}
