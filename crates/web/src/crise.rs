//! The crisis cell's screens: the main courante (append-only; add, filter, export), the
//! incident's facts with the CNIL clock and the notifications, the systems' inventory and
//! their remediation status, tasks, the directory's editing and the public page (its message
//! and a preview). Writing is for the roles `crise` and `admin` (checked here and again by the
//! store); the main courante and the incident are read by them only, the inventory, tasks and
//! the public page by every agent.

use crate::pages::{
    AnnuaireForm, CnilBlock, CourantePage, CriseHome, Failure, IncidentPage, PublicScreen,
    SystemesPage, TachesPage, render,
};
use crate::routes::{Access, field, form_session, page_session};
use crate::{App, Shared};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use relais_core::crisis::cnil::CnilClock;
use relais_core::crisis::systems::parse_yes_no;
use relais_core::crisis::{
    Entry, EntryContent, EntryKind, FactKind, Incident, MAX_TEXT, NewEntry, NewFact, Notification,
    NotificationKind, SystemStatus, TaskStatus, parse_sha256, parse_text,
};
use relais_core::deposits::parse_local_datetime;
use relais_core::directory::DirectoryRow;
use relais_core::roles::Role;
use relais_documents::crisis::{
    Heading, local, write_courante_csv, write_courante_pdf, write_incident_pdf,
};
use relais_documents::public_page::{PUBLIC_CSS, PublicPage, write_public_html};
use relais_store::crisis::{CrisisError, CrisisStore, NewTask};
use relais_store::desk::DeskStore;
use relais_store::sessions::Session;
use serde::Deserialize;

/// Who writes the crisis cell's records, and reads the main courante and the incident.
pub const CRISE: &[Role] = &[Role::Crise, Role::Admin];

fn writes(session: &Session) -> bool {
    CRISE.iter().any(|r| session.has(*r))
}

fn store_error(e: CrisisError) -> relais_store::StoreError {
    match e {
        CrisisError::Store(s) => s,
        other => relais_store::StoreError::Corrupt(other.to_string()),
    }
}

/// A refusal of what the agent asked (bad input, a transition the workflow forbids…), or a
/// failure of the store.
fn refused(app: &App, e: CrisisError) -> Response {
    match e {
        CrisisError::Store(
            relais_store::StoreError::Forbidden { .. }
            | relais_store::StoreError::UnknownUser(_)
            | relais_store::StoreError::DisabledUser(_),
        ) => app.refuse(&e.to_string()),
        CrisisError::Store(_) => {
            tracing::error!(error = %e, "store error");
            app.fail(Failure::Internal)
        }
        other => app.unprocessable(&other.to_string()),
    }
}

/// The server's clock as an instant.
fn now(app: &App) -> Timestamp {
    Timestamp::from_second(app.now()).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The session of a crisis cell's form, or the response that refuses it.
async fn crise_form(
    app: &Shared,
    headers: &HeaderMap,
    fields: &[(String, String)],
) -> Result<Session, Response> {
    form_session(
        app,
        headers,
        Access::AnyOf(CRISE),
        field(fields, "csrf_token"),
    )
    .await
}

/// Runs a change in the store, then sends the agent to `to`, or says why it was refused.
async fn write<T: Send + 'static>(
    app: &Shared,
    change: impl FnOnce(&mut relais_store::SqliteStore) -> Result<T, CrisisError> + Send + 'static,
    to: &str,
) -> Response {
    match app.with_store(move |s| Ok(change(s))).await {
        Ok(Ok(_)) => Redirect::to(to).into_response(),
        Ok(Err(e)) => refused(app, e),
        Err(f) => app.fail(f),
    }
}

/// Text typed in a form: trimmed, `None` when empty, refused when too long.
fn optional(fields: &[(String, String)], name: &'static str) -> Result<Option<String>, String> {
    let v = field(fields, name).trim();
    if v.is_empty() {
        return Ok(None);
    }
    parse_text(name, v, MAX_TEXT)
        .map(Some)
        .map_err(|e| e.to_string())
}

fn instant(
    app: &App,
    fields: &[(String, String)],
    name: &'static str,
) -> Result<Option<Timestamp>, String> {
    let v = field(fields, name).trim();
    if v.is_empty() {
        return Ok(None);
    }
    // `datetime-local` inputs send `2026-12-02T09:30`.
    parse_local_datetime(&v.replace('T', " "), &app.tz(), false)
        .map(Some)
        .ok_or_else(|| {
            format!("{name} : date et heure illisibles « {v} » (attendu AAAA-MM-JJ HH:MM)")
        })
}

/// The CNIL clock as the screens show it, from the current awareness fact.
pub(crate) fn cnil_block(app: &App, incident: &Incident) -> CnilBlock {
    let tz = app.tz();
    let now = now(app);
    match incident
        .current(FactKind::Awareness)
        .and_then(|f| f.value.at)
    {
        None => CnilBlock {
            known: false,
            awareness: String::new(),
            deadline: String::new(),
            label: "prise de connaissance non renseignée : délai inconnu".into(),
            overdue: false,
            notified: !incident.notifications.is_empty(),
        },
        Some(at) => {
            let clock = CnilClock::at(at, now);
            CnilBlock {
                known: true,
                awareness: local(at, &tz),
                deadline: local(clock.deadline, &tz),
                label: clock.label_fr(),
                overdue: clock.is_overdue(),
                notified: !incident.notifications.is_empty(),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Overview and the CNIL clock

pub async fn home(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let session = match page_session(&app, &headers, Access::AnyOf(CRISE)).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let now = now(&app);
    let data = app
        .with_reader(move |s| {
            Ok((
                s.incident().map_err(store_error)?,
                s.systems_summary().map_err(store_error)?,
                s.overdue_tasks(now).map_err(store_error)?,
                s.entries().map_err(store_error)?,
            ))
        })
        .await;
    let (incident, summary, overdue, entries) = match data {
        Ok(d) => d,
        Err(f) => return app.fail(f),
    };
    let tz = app.tz();
    let page = CriseHome {
        head: app.head("Cellule de crise", Some(&session), "/crise"),
        cnil: cnil_block(&app, &incident),
        by_status: summary
            .by_status
            .iter()
            .map(|(s, n)| (s.label_fr(), *n))
            .collect(),
        critical: summary
            .critical_not_restored
            .iter()
            .map(|s| (s.name.clone(), s.status.label_fr()))
            .collect(),
        overdue: overdue
            .iter()
            .map(|t| {
                (
                    t.title.clone(),
                    t.owner.clone(),
                    t.due.map(|d| local(d, &tz)).unwrap_or_default(),
                )
            })
            .collect(),
        last: entries
            .iter()
            .rev()
            .take(10)
            .map(|e| entry_row(e, &tz))
            .collect(),
    };
    render(StatusCode::OK, &page)
}

/// The clock alone, refreshed every minute by htmx on the screens that show it.
pub async fn clock(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(refused) = page_session(&app, &headers, Access::AnyOf(CRISE)).await {
        return refused;
    }
    match app.with_reader(|s| s.incident().map_err(store_error)).await {
        Ok(incident) => render(StatusCode::OK, &cnil_block(&app, &incident)),
        Err(f) => app.fail(f),
    }
}

// ---------------------------------------------------------------------------------------------
// Main courante

/// (id, when, author, kind, text, references, journal seq, journal hash)
pub type EntryRow = (
    i64,
    String,
    String,
    &'static str,
    String,
    String,
    u64,
    String,
);

fn entry_row(e: &Entry, tz: &jiff::tz::TimeZone) -> EntryRow {
    let c = &e.content;
    let refs: Vec<String> = [
        c.corrects.map(|n| format!("corrige l'entrée n° {n}")),
        c.system.as_ref().map(|s| format!("système {s}")),
        c.site.as_ref().map(|s| format!("site {s}")),
        c.document.as_ref().map(|d| format!("document {d}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    (
        e.id,
        local(e.at, tz),
        e.author.clone(),
        c.kind.label_fr(),
        c.text.clone(),
        refs.join(" ; "),
        e.journal_seq,
        e.journal_hash.clone(),
    )
}

#[derive(Deserialize)]
pub struct CouranteQuery {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    fait: Option<i64>,
}

async fn courante_page(
    app: &Shared,
    session: &Session,
    query: CouranteQuery,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let entries = match app.with_reader(|s| s.entries().map_err(store_error)).await {
        Ok(e) => e,
        Err(f) => return app.fail(f),
    };
    let tz = app.tz();
    let kind = query.kind.as_deref().and_then(EntryKind::parse);
    let words = relais_core::text::search_key(query.q.as_deref().unwrap_or(""));
    let total = entries.len();
    let rows: Vec<EntryRow> = entries
        .iter()
        .filter(|e| kind.is_none_or(|k| e.content.kind == k))
        .filter(|e| {
            words.is_empty() || relais_core::text::search_key(&e.content.text).contains(&words)
        })
        .map(|e| entry_row(e, &tz))
        .collect();
    let page = CourantePage {
        head: app.head("Main courante", Some(session), "/crise"),
        csrf: session.csrf.clone(),
        can_write: writes(session),
        kinds: EntryKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_fr()))
            .collect(),
        kind: kind.map(|k| k.as_str()).unwrap_or(""),
        q: query.q.unwrap_or_default(),
        total,
        rows,
        notice: query
            .fait
            .map(|n| format!("Entrée n° {n} inscrite à la main courante.")),
        error,
    };
    render(status, &page)
}

pub async fn courante(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<CouranteQuery>,
) -> Response {
    match page_session(&app, &headers, Access::AnyOf(CRISE)).await {
        Ok(session) => courante_page(&app, &session, query, StatusCode::OK, None).await,
        Err(refused) => refused,
    }
}

fn new_entry(app: &App, fields: &[(String, String)]) -> Result<NewEntry, String> {
    let kind = EntryKind::parse(field(fields, "kind"))
        .ok_or_else(|| format!("nature : choisissez parmi {}", EntryKind::expected()))?;
    let corrects = match field(fields, "corrects").trim() {
        "" => None,
        n => Some(
            n.trim_start_matches("n°")
                .trim()
                .parse::<i64>()
                .map_err(|_| format!("corrige l'entrée : numéro illisible « {n} »"))?,
        ),
    };
    Ok(NewEntry {
        at: instant(app, fields, "at")?,
        content: EntryContent {
            kind,
            text: parse_text("texte", field(fields, "text"), MAX_TEXT)
                .map_err(|e| e.to_string())?,
            corrects,
            system: optional(fields, "system")?,
            site: optional(fields, "site")?,
            document: match field(fields, "document").trim() {
                "" => None,
                d => Some(parse_sha256(d).map_err(|e| e.to_string())?),
            },
        },
    })
}

pub async fn add_entry(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let session = match crise_form(&app, &headers, &fields).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let entry = match new_entry(&app, &fields) {
        Ok(e) => e,
        Err(why) => return courante_refused(&app, &session, why).await,
    };
    let actor = session.login.clone();
    let done = app
        .with_store(move |s| Ok(s.add_entry(&actor, &entry)))
        .await;
    match done {
        Ok(Ok(e)) => Redirect::to(&format!("/crise/courante?fait={}", e.id)).into_response(),
        Ok(Err(e @ CrisisError::Store(_))) => refused(&app, e),
        Ok(Err(e)) => courante_refused(&app, &session, e.to_string()).await,
        Err(f) => app.fail(f),
    }
}

/// The main courante again, saying why nothing was written.
async fn courante_refused(app: &Shared, session: &Session, why: String) -> Response {
    let query = CouranteQuery {
        kind: None,
        q: None,
        fait: None,
    };
    let error = Some(format!("Rien n'est inscrit : {why}."));
    courante_page(app, session, query, StatusCode::UNPROCESSABLE_ENTITY, error).await
}

/// A document to download, named, with its type.
fn attachment(name: &str, content_type: &'static str, bytes: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

fn heading<'a>(app: &'a App, tz: &'a jiff::tz::TimeZone) -> Heading<'a> {
    Heading {
        authority: &app.config.authority,
        tz,
        printed_at: now(app),
    }
}

pub async fn courante_csv(State(app): State<Shared>, headers: HeaderMap) -> Response {
    courante_export(app, headers, false).await
}

pub async fn courante_pdf(State(app): State<Shared>, headers: HeaderMap) -> Response {
    courante_export(app, headers, true).await
}

async fn courante_export(app: Shared, headers: HeaderMap, pdf: bool) -> Response {
    if let Err(refused) = page_session(&app, &headers, Access::AnyOf(CRISE)).await {
        return refused;
    }
    let entries = match app.with_reader(|s| s.entries().map_err(store_error)).await {
        Ok(e) => e,
        Err(f) => return app.fail(f),
    };
    let tz = app.tz();
    let mut out = Vec::new();
    let written = if pdf {
        write_courante_pdf(&heading(&app, &tz), &entries, &mut out)
    } else {
        write_courante_csv(&entries, &tz, &mut out)
    };
    match (written, pdf) {
        (Ok(()), true) => attachment("main-courante.pdf", "application/pdf", out),
        (Ok(()), false) => attachment("main-courante.csv", "text/csv; charset=utf-8", out),
        (Err(e), _) => {
            tracing::error!(error = %e, "main courante export");
            app.fail(Failure::Internal)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Incident facts and CNIL notifications

#[derive(Deserialize)]
pub struct Done {
    #[serde(default)]
    fait: Option<String>,
}

async fn incident_page(
    app: &Shared,
    session: &Session,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let incident = match app.with_reader(|s| s.incident().map_err(store_error)).await {
        Ok(i) => i,
        Err(f) => return app.fail(f),
    };
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
                    ),
                )
            })
            .collect(),
        fact_kinds: FactKind::ALL.iter().map(|k| (k.as_str(), k.label_fr())).collect(),
        notice,
        error,
    };
    render(status, &page)
}

/// The incident's page again, saying why nothing was recorded.
async fn incident_refused(app: &Shared, session: &Session, why: String) -> Response {
    let error = Some(format!("Rien n'est enregistré : {why}."));
    incident_page(app, session, StatusCode::UNPROCESSABLE_ENTITY, None, error).await
}

pub async fn incident(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(done): Query<Done>,
) -> Response {
    match page_session(&app, &headers, Access::AnyOf(CRISE)).await {
        Ok(session) => {
            let notice = done.fait.map(|f| match f.as_str() {
                "cnil" => "Notification à la CNIL enregistrée.".to_owned(),
                _ => "Fait enregistré ; les versions précédentes restent visibles.".to_owned(),
            });
            incident_page(&app, &session, StatusCode::OK, notice, None).await
        }
        Err(refused) => refused,
    }
}

fn new_fact(app: &App, fields: &[(String, String)]) -> Result<(FactKind, NewFact), String> {
    let kind = FactKind::parse(field(fields, "fact")).ok_or("choisissez le fait")?;
    let answer = match field(fields, "answer").trim() {
        "" => None,
        a => Some(parse_yes_no(a).ok_or_else(|| format!("réponse « {a} » : oui ou non"))?),
    };
    let fact = NewFact {
        at: instant(app, fields, "at")?,
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
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let session = match crise_form(&app, &headers, &fields).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let (kind, fact) = match new_fact(&app, &fields) {
        Ok(f) => f,
        Err(why) => return incident_refused(&app, &session, why).await,
    };
    let actor = session.login.clone();
    write(
        &app,
        move |s| s.record_fact(&actor, kind, &fact),
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
        sent_at: instant(app, fields, "sent_at")?.unwrap_or_else(|| now(app)),
        reference: optional(fields, "reference")?,
    })
}

pub async fn notify_cnil(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let session = match crise_form(&app, &headers, &fields).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
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
    write(
        &app,
        move |s| s.record_notification(&actor, &notification),
        "/crise/incident?fait=cnil",
    )
    .await
}

pub async fn incident_pdf(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(refused) = page_session(&app, &headers, Access::AnyOf(CRISE)).await {
        return refused;
    }
    let incident = match app.with_reader(|s| s.incident().map_err(store_error)).await {
        Ok(i) => i,
        Err(f) => return app.fail(f),
    };
    let tz = app.tz();
    let mut out = Vec::new();
    match write_incident_pdf(&heading(&app, &tz), &incident, &mut out) {
        Ok(()) => attachment("incident.pdf", "application/pdf", out),
        Err(e) => {
            tracing::error!(error = %e, "incident summary");
            app.fail(Failure::Internal)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Systems and tasks

pub async fn systemes(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(done): Query<Done>,
) -> Response {
    let session = match page_session(&app, &headers, Access::SignedIn).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let data = app
        .with_reader(|s| {
            Ok((
                s.systems().map_err(store_error)?,
                s.systems_summary().map_err(store_error)?,
            ))
        })
        .await;
    let (systems, summary) = match data {
        Ok(d) => d,
        Err(f) => return app.fail(f),
    };
    let tz = app.tz();
    let page = SystemesPage {
        head: app.head(
            "Systèmes et applications",
            Some(&session),
            "/crise/systemes",
        ),
        csrf: session.csrf.clone(),
        can_write: writes(&session),
        by_status: summary
            .by_status
            .iter()
            .map(|(s, n)| (s.label_fr(), *n))
            .collect(),
        rows: systems
            .iter()
            .map(|s| crate::pages::SystemRow {
                id: s.id.clone(),
                name: s.name.clone(),
                function: s.function.clone(),
                criticality: s.criticality.label_fr(),
                owner: s.owner.clone(),
                site: s.site.clone().unwrap_or_default(),
                status: s.status.label_fr(),
                since: format!("{}, {}", local(s.status_at, &tz), s.status_by),
                next: s
                    .status
                    .next()
                    .iter()
                    .map(|n| (n.as_str(), n.label_fr()))
                    .collect(),
            })
            .collect(),
        notice: done
            .fait
            .map(|id| format!("Statut de « {id} » changé ; la main courante le note.")),
    };
    render(StatusCode::OK, &page)
}

pub async fn set_system_status(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let session = match crise_form(&app, &headers, &fields).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let Some(to) = SystemStatus::parse(field(&fields, "status")) else {
        return app.unprocessable("choisissez le nouveau statut");
    };
    let note = match optional(&fields, "note") {
        Ok(n) => n,
        Err(why) => return app.unprocessable(&why),
    };
    let actor = session.login.clone();
    let system = id.clone();
    let done = app
        .with_store(move |s| Ok(s.set_system_status(&actor, &system, to, note.as_deref())))
        .await;
    match done {
        Ok(Ok(_)) => Redirect::to(&format!(
            "/crise/systemes?fait={}",
            crate::routes::url_segment(&id)
        ))
        .into_response(),
        Ok(Err(CrisisError::UnknownSystem(_))) => app.fail(Failure::NotFound),
        Ok(Err(e)) => refused(&app, e),
        Err(f) => app.fail(f),
    }
}

pub async fn taches(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(done): Query<Done>,
) -> Response {
    let session = match page_session(&app, &headers, Access::SignedIn).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let tasks = match app.with_reader(|s| s.tasks().map_err(store_error)).await {
        Ok(t) => t,
        Err(f) => return app.fail(f),
    };
    let tz = app.tz();
    let now = now(&app);
    let page = TachesPage {
        head: app.head(
            "Tâches de la cellule de crise",
            Some(&session),
            "/crise/taches",
        ),
        csrf: session.csrf.clone(),
        can_write: writes(&session),
        rows: tasks
            .iter()
            .map(|t| crate::pages::TaskRow {
                id: t.id,
                title: t.title.clone(),
                owner: t.owner.clone(),
                due: t.due.map(|d| local(d, &tz)).unwrap_or_default(),
                status: t.status.label_fr(),
                overdue: t.is_overdue(now),
                statuses: TaskStatus::ALL
                    .iter()
                    .filter(|s| **s != t.status)
                    .map(|s| (s.as_str(), s.label_fr()))
                    .collect(),
            })
            .collect(),
        notice: done.fait.map(|_| "Tâche enregistrée.".to_owned()),
    };
    render(StatusCode::OK, &page)
}

pub async fn add_task(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let session = match crise_form(&app, &headers, &fields).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let task = (|| -> Result<NewTask, String> {
        Ok(NewTask {
            title: parse_text("intitulé", field(&fields, "title"), MAX_TEXT)
                .map_err(|e| e.to_string())?,
            owner: parse_text("responsable", field(&fields, "owner"), 200)
                .map_err(|e| e.to_string())?,
            due: instant(&app, &fields, "due")?,
        })
    })();
    let task = match task {
        Ok(t) => t,
        Err(why) => return app.unprocessable(&why),
    };
    let actor = session.login.clone();
    write(
        &app,
        move |s| s.add_task(&actor, &task),
        "/crise/taches?fait=1",
    )
    .await
}

pub async fn set_task_status(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let session = match crise_form(&app, &headers, &fields).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let Some(status) = TaskStatus::parse(field(&fields, "status")) else {
        return app.unprocessable("choisissez le nouveau statut");
    };
    let actor = session.login.clone();
    match app
        .with_store(move |s| Ok(s.set_task_status(&actor, id, status)))
        .await
    {
        Ok(Ok(_)) => Redirect::to("/crise/taches?fait=1").into_response(),
        Ok(Err(CrisisError::UnknownTask(_))) => app.fail(Failure::NotFound),
        Ok(Err(e)) => refused(&app, e),
        Err(f) => app.fail(f),
    }
}

// ---------------------------------------------------------------------------------------------
// Directory and public page

#[derive(Deserialize)]
pub struct EntryKey {
    #[serde(default)]
    site: Option<String>,
    #[serde(default)]
    service: Option<String>,
}

pub async fn directory_form(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(key): Query<EntryKey>,
) -> Response {
    let session = match page_session(&app, &headers, Access::AnyOf(CRISE)).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let rows = match app.with_reader(|s| s.directory()).await {
        Ok(r) => r,
        Err(f) => return app.fail(f),
    };
    let found = rows.into_iter().find(|r| {
        Some(&r.site_code) == key.site.as_ref() && Some(&r.service) == key.service.as_ref()
    });
    let is_new = found.is_none();
    let row = found.unwrap_or(DirectoryRow {
        site_code: key.site.unwrap_or_default(),
        site: String::new(),
        service: key.service.unwrap_or_default(),
        phone: String::new(),
        email: String::new(),
        address: String::new(),
        hours: String::new(),
        paper_deposit: false,
        public: true,
    });
    directory_page(&app, &session, StatusCode::OK, row, is_new, None)
}

fn directory_page(
    app: &App,
    session: &Session,
    status: StatusCode,
    row: DirectoryRow,
    is_new: bool,
    error: Option<String>,
) -> Response {
    let title = if is_new {
        "Ajouter à l'annuaire"
    } else {
        "Modifier l'annuaire"
    };
    render(
        status,
        &AnnuaireForm {
            head: app.head(title, Some(session), "/annuaire"),
            csrf: session.csrf.clone(),
            row,
            is_new,
            error,
        },
    )
}

pub async fn set_directory(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let session = match crise_form(&app, &headers, &fields).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let text = |name: &str| field(&fields, name).trim().to_owned();
    let row = DirectoryRow {
        site_code: text("site_code"),
        site: text("site"),
        service: text("service"),
        phone: text("phone"),
        email: text("email"),
        address: text("address"),
        hours: text("hours"),
        paper_deposit: !field(&fields, "paper_deposit").is_empty(),
        public: !field(&fields, "public").is_empty(),
    };
    let is_new = field(&fields, "is_new") == "1";
    let missing = [
        ("code du site", &row.site_code),
        ("site", &row.site),
        ("service", &row.service),
        ("téléphone", &row.phone),
    ]
    .into_iter()
    .find(|(_, v)| v.is_empty())
    .map(|(name, _)| name);
    if let Some(name) = missing {
        let error = Some(format!("Rien n'est enregistré : {name} est obligatoire."));
        return directory_page(
            &app,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            row,
            is_new,
            error,
        );
    }
    if relais_core::directory::tel_href(&row.phone).is_none() {
        let error = Some(format!(
            "Rien n'est enregistré : numéro de téléphone illisible « {} ».",
            row.phone
        ));
        return directory_page(
            &app,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            row,
            is_new,
            error,
        );
    }
    let actor = session.login.clone();
    let saved = row.clone();
    match app
        .with_store(move |s| Ok(s.set_directory_entry(&actor, &saved)))
        .await
    {
        Ok(Ok(_)) => Redirect::to("/annuaire?fait=1").into_response(),
        Ok(Err(e @ CrisisError::Store(_))) => refused(&app, e),
        Ok(Err(e)) => {
            let error = Some(format!("Rien n'est enregistré : {e}."));
            directory_page(
                &app,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                row,
                is_new,
                error,
            )
        }
        Err(f) => app.fail(f),
    }
}

pub async fn public_screen(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(done): Query<Done>,
) -> Response {
    let session = match page_session(&app, &headers, Access::SignedIn).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let data = app
        .with_reader(|s| Ok((s.public_message().map_err(store_error)?, s.directory()?)))
        .await;
    let (message, directory) = match data {
        Ok(d) => d,
        Err(f) => return app.fail(f),
    };
    let tz = app.tz();
    let page = PublicScreen {
        head: app.head(
            "Page publique de continuité",
            Some(&session),
            "/crise/public",
        ),
        csrf: session.csrf.clone(),
        can_write: writes(&session),
        affected: message
            .as_ref()
            .map(|m| m.affected.clone())
            .unwrap_or_default(),
        guaranteed: message
            .as_ref()
            .map(|m| m.guaranteed.clone())
            .unwrap_or_default(),
        updated: message
            .as_ref()
            .map(|m| format!("{}, par {}", local(m.updated_at, &tz), m.updated_by)),
        public_rows: directory.iter().filter(|r| r.public).count(),
        hidden_rows: directory.iter().filter(|r| !r.public).count(),
        notice: done.fait.map(|_| {
            "Message enregistré : publiez la page (relais publish) pour le mettre en ligne."
                .to_owned()
        }),
    };
    render(StatusCode::OK, &page)
}

pub async fn set_message(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let session = match crise_form(&app, &headers, &fields).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let affected = field(&fields, "affected").trim().to_owned();
    let guaranteed = field(&fields, "guaranteed").trim().to_owned();
    if affected.is_empty() && guaranteed.is_empty() {
        return app.unprocessable("écrivez ce qui est touché ou ce qui est garanti");
    }
    let actor = session.login.clone();
    write(
        &app,
        move |s| s.set_public_message(&actor, &affected, &guaranteed),
        "/crise/public?fait=1",
    )
    .await
}

/// The public page as `relais publish` writes it, for a preview (the same function).
pub async fn preview(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(refused) = page_session(&app, &headers, Access::SignedIn).await {
        return refused;
    }
    let data = app
        .with_reader(|s| Ok((s.public_message().map_err(store_error)?, s.directory()?)))
        .await;
    let (message, directory) = match data {
        Ok(d) => d,
        Err(f) => return app.fail(f),
    };
    let tz = app.tz();
    let page = PublicPage {
        authority: &app.config.authority,
        tz: &tz,
        directory: &directory,
        message: message.as_ref(),
        published_at: now(&app),
    };
    let mut html = Vec::new();
    if write_public_html(&page, &mut html).is_err() {
        return app.fail(Failure::Internal);
    }
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

pub async fn preview_css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        PUBLIC_CSS,
    )
        .into_response()
}
