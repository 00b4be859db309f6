//! The desk: finding a person, the person's page, contacts logged. An agent bound to a site
//! (`user add --site`) finds and sees only the people of that site; the store applies it,
//! for reads (the site given) and writes (the actor's site), so no address gets around it.
//!
//! The search is sent by POST and its query kept on the server under a random id: a NIR
//! typed in the search never lands in an address (history, proxy logs, a copied link), yet
//! the results have an address of their own (`/accueil?r=…`), so back and reload work.

use crate::access::{BANK_ASK, COURRIER, REJECTS, holds};
use crate::app::Shared;
use crate::courrier;
use crate::error::WebError;
use crate::pages::{Head, partial, render, url_segment};
use crate::session::{CsrfToken, SignedForm, SignedIn};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use relais_store::desk::{PersonHit, PersonPage};
use relais_store::sessions::Session;
use serde::Deserialize;

mod attestation;
pub use attestation::attestation;

#[derive(Template)]
#[template(path = "accueil.html")]
pub(crate) struct Accueil {
    pub head: Head,
    pub csrf: String,
    pub q: String,
    pub searched: bool,
    pub hits: Vec<PersonHit>,
    pub more: bool,
}

/// The search's results alone, for htmx (typed searches replace them in place).
#[derive(Template)]
#[template(path = "accueil_resultats.html")]
pub(crate) struct AccueilResultats {
    pub q: String,
    pub searched: bool,
    pub hits: Vec<PersonHit>,
    pub more: bool,
}

#[derive(Template)]
#[template(path = "personne.html")]
pub(crate) struct Personne {
    pub head: Head,
    pub page: PersonPage,
    /// "Will I be paid?", one sentence per right (`next_payment::answer_lines`).
    pub answers: Vec<String>,
    pub next: Vec<crate::next_payment::NextPayment>,
    /// The user may open the register of import problems (`/dossiers/{id}`).
    pub can_handle_rows: bool,
    /// The person's deposits, the most recent first.
    pub deposits: Vec<crate::courrier::Row>,
    /// The user may register a deposit (courrier screens).
    pub can_deposit: bool,
    /// The session's CSRF token, for the bank-details form.
    pub csrf: String,
    /// The user may ask for a change of bank details, and log a contact.
    pub can_request: bool,
    pub channels: &'static [(&'static str, &'static str)],
    /// (payee id, payee name) of the person's rights.
    pub payees: Vec<(String, String)>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

/// Results shown by the desk search at most: a desk agent narrows down rather than reads on
/// (each result is also a lookup in the index and in the people).
const SEARCH_LIMIT: usize = 25;
#[derive(Deserialize)]
pub struct SearchId {
    #[serde(default)]
    r: Option<String>,
}

#[derive(Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    q: String,
}

impl CsrfToken for SearchForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// `GET /accueil`: the search form, with the results of search `r` when it is the agent's.
pub async fn accueil(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(id): Query<SearchId>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let now = app.now();
    let q =
        id.r.and_then(|id| {
            app.searches
                .lock()
                .ok()
                .and_then(|s| s.get(&id, &session.login, now))
        })
        .unwrap_or_default();
    results(&app, &session, &headers, q, None).await
}

/// `POST /accueil`: runs the search, keeps it under an id, and gives its address.
pub async fn search(
    State(app): State<Shared>,
    headers: HeaderMap,
    SignedForm(session, form): SignedForm<SearchForm>,
) -> Result<Response, WebError> {
    let q = form.q.trim().to_owned();
    let now = app.now();
    let id = app
        .searches
        .lock()
        .map(|mut s| s.keep(&session.login, &q, now))
        .map_err(|_| WebError::internal("desk searches", "lock poisoned"))?;
    let address = format!("/accueil?r={id}");
    if partial(&headers) {
        return results(&app, &session, &headers, q, Some(address)).await;
    }
    Ok(Redirect::to(&address).into_response())
}

async fn results(
    app: &Shared,
    session: &Session,
    headers: &HeaderMap,
    q: String,
    push: Option<String>,
) -> Result<Response, WebError> {
    let query = q.clone();
    let site = session.site.clone();
    let hits = app
        .with_reader(move |s| s.search_people(&query, SEARCH_LIMIT + 1, site.as_deref()))
        .await?;
    let more = hits.len() > SEARCH_LIMIT;
    let searched = !q.trim().is_empty();
    let hits: Vec<_> = hits.into_iter().take(SEARCH_LIMIT).collect();
    if partial(headers) {
        let results = AccueilResultats {
            searched,
            q,
            hits,
            more,
        };
        let mut response = render(StatusCode::OK, &results);
        let h = response.headers_mut();
        h.insert(header::VARY, HeaderValue::from_static("HX-Request"));
        if let Some(v) = push.and_then(|p| HeaderValue::from_str(&p).ok()) {
            h.insert("hx-push-url", v);
        }
        return Ok(response);
    }
    let page = Accueil {
        head: app.head("Accueil : trouver une personne", Some(session), "/accueil"),
        csrf: session.csrf.clone(),
        searched,
        q,
        hits,
        more,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct PersonNotice {
    #[serde(default)]
    demande: Option<i64>,
    #[serde(default)]
    contact: Option<u8>,
}

pub async fn personne(
    State(app): State<Shared>,
    Path(dossier): Path<String>,
    Query(notice): Query<PersonNotice>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let notice = match (notice.demande, notice.contact) {
        (Some(n), _) => Some(format!(
            "Demande n° {n} enregistrée : elle attend la décision d'un ordonnateur."
        )),
        (None, Some(_)) => Some("Contact enregistré.".to_owned()),
        (None, None) => None,
    };
    person_page(&app, &session, dossier, StatusCode::OK, notice, None).await
}

pub(crate) async fn person_page(
    app: &Shared,
    session: &Session,
    dossier: String,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let site = session.site.clone();
    let found = app
        .with_reader(move |s| {
            let Some(page) = s.person(&dossier, site.as_deref())? else {
                return Ok(None);
            };
            let filter = relais_store::deposits::DepositFilter {
                dossier: Some(dossier),
                ..Default::default()
            };
            let deposits = relais_store::deposits::DepositStore::deposits(s, &filter)
                .map_err(|e| relais_store::StoreError::Corrupt(e.to_string()))?;
            // The payees whose details may be changed from this page (the person's own).
            let payees = s
                .own_payees(&page.person.dossier)
                .map_err(|e| relais_store::StoreError::Corrupt(e.to_string()))?;
            Ok(Some((page, deposits, payees)))
        })
        .await?;
    let (page, deposits, payees) = found.ok_or(WebError::NotFound)?;
    let today = app.today_date();
    let settings = app.config.settings.as_ref();
    let outlooks = crate::next_payment::outlooks(&page, today, settings);
    let answers = crate::next_payment::answer_lines(&outlooks, today);
    let next = crate::next_payment::next_payments(&page, today, settings);
    let title = format!("{} {}", page.person.last_name, page.person.first_name);
    Ok(render(
        status,
        &Personne {
            head: app.head(&title, Some(session), "/accueil"),
            page,
            answers,
            next,
            can_handle_rows: holds(session, REJECTS),
            deposits: deposits
                .iter()
                .rev()
                .map(|d| courrier::row(app, d))
                .collect(),
            can_deposit: holds(session, COURRIER),
            csrf: session.csrf.clone(),
            can_request: holds(session, BANK_ASK),
            channels: relais_store::desk::CHANNELS,
            payees,
            notice,
            error,
        },
    ))
}

#[derive(Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    note: String,
}

impl CsrfToken for ContactForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

pub async fn log_contact(
    State(app): State<Shared>,
    Path(dossier): Path<String>,
    SignedForm(session, form): SignedForm<ContactForm>,
) -> Result<Response, WebError> {
    let note: String = form.note.trim().chars().take(2000).collect();
    if note.is_empty()
        || !relais_store::desk::CHANNELS
            .iter()
            .any(|(c, _)| *c == form.channel)
    {
        let why = "Contact non enregistré : choisissez le canal et écrivez ce qui a été dit.";
        return person_page(
            &app,
            &session,
            dossier,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(why.to_owned()),
        )
        .await;
    }
    let actor = session.login.clone();
    let at = app.local_time();
    let who = dossier.clone();
    app.with_store(move |s| s.log_contact(&actor, &who, &form.channel, &note, &at))
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Redirect::to(&format!(
        "/personne/{}?contact=1#contacts",
        url_segment(&dossier)
    ))
    .into_response())
}
