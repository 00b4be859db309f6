//! The desk: finding a person, the person's page, contacts logged. An agent bound to a site
//! (`user add --site`) finds and sees only the people of that site; the store applies it,
//! for reads (the site given) and writes (the actor's site), so no address gets around it.
//!
//! The search is sent by POST and its query kept on the server under a random id: a NIR
//! typed in the search never lands in an address (history, proxy logs, a copied link), yet
//! the results have an address of their own (`/accueil?r=…`), so back and reload work.

use crate::Shared;
use crate::courrier::{self, COURRIER};
use crate::pages::{Accueil, Failure, Personne, render};
use crate::routes::{
    Access, BANK_ASK, DESK, REJECTS, form_session, page_session, partial, url_segment,
};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use relais_store::bank::BankChangeStore;
use relais_store::desk::DeskStore;
use relais_store::sessions::Session;
use serde::Deserialize;
use std::collections::HashMap;

mod attestation;
pub use attestation::attestation;

/// Results shown by the desk search at most: a desk agent narrows down rather than reads on
/// (each result is also a lookup in the index and in the people).
const SEARCH_LIMIT: usize = 25;
/// Searches kept at most; the oldest go first (a desk types a few hundred a day).
const SEARCHES_KEPT: usize = 10_000;
/// A search is kept this long (a working day).
const SEARCH_SECONDS: i64 = 10 * 3600;

/// The searches typed, by id: whose, what, when. Only their agent gets them back.
#[derive(Debug, Default)]
pub struct Searches {
    by_id: HashMap<String, (String, String, i64)>,
}

impl Searches {
    fn keep(&mut self, login: &str, q: &str, now: i64) -> String {
        if self.by_id.len() >= SEARCHES_KEPT {
            self.by_id
                .retain(|_, (_, _, at)| now - *at < SEARCH_SECONDS);
            if self.by_id.len() >= SEARCHES_KEPT {
                let oldest = self
                    .by_id
                    .iter()
                    .min_by_key(|(_, (_, _, at))| *at)
                    .map(|(id, _)| id.clone());
                if let Some(id) = oldest {
                    self.by_id.remove(&id);
                }
            }
        }
        let id = crate::auth::random_token()[..32].to_owned();
        self.by_id
            .insert(id.clone(), (login.to_owned(), q.to_owned(), now));
        id
    }

    fn get(&self, id: &str, login: &str, now: i64) -> Option<String> {
        self.by_id
            .get(id)
            .filter(|(who, _, at)| who == login && now - at < SEARCH_SECONDS)
            .map(|(_, q, _)| q.clone())
    }
}

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

/// `GET /accueil`: the search form, with the results of search `r` when it is the agent's.
pub async fn accueil(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(id): Query<SearchId>,
) -> Response {
    let session = match page_session(&app, &headers, Access::AnyOf(DESK)).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
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
    Form(form): Form<SearchForm>,
) -> Response {
    let session = match form_session(&app, &headers, Access::AnyOf(DESK), &form.csrf_token).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let q = form.q.trim().to_owned();
    let now = app.now();
    let Some(id) = app
        .searches
        .lock()
        .ok()
        .map(|mut s| s.keep(&session.login, &q, now))
    else {
        return app.fail(Failure::Internal);
    };
    let address = format!("/accueil?r={id}");
    if partial(&headers) {
        return results(&app, &session, &headers, q, Some(address)).await;
    }
    Redirect::to(&address).into_response()
}

async fn results(
    app: &Shared,
    session: &Session,
    headers: &HeaderMap,
    q: String,
    push: Option<String>,
) -> Response {
    let query = q.clone();
    let site = session.site.clone();
    let hits = match app
        .with_reader(move |s| s.search_people(&query, SEARCH_LIMIT + 1, site.as_deref()))
        .await
    {
        Ok(h) => h,
        Err(f) => return app.fail(f),
    };
    let more = hits.len() > SEARCH_LIMIT;
    let searched = !q.trim().is_empty();
    let hits: Vec<_> = hits.into_iter().take(SEARCH_LIMIT).collect();
    if partial(headers) {
        let results = crate::pages::AccueilResultats {
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
        return response;
    }
    let page = Accueil {
        head: app.head("Accueil : trouver une personne", Some(session), "/accueil"),
        csrf: session.csrf.clone(),
        searched,
        q,
        hits,
        more,
    };
    render(StatusCode::OK, &page)
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
    headers: HeaderMap,
    Path(dossier): Path<String>,
    Query(notice): Query<PersonNotice>,
) -> Response {
    let session = match page_session(&app, &headers, Access::AnyOf(DESK)).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
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
) -> Response {
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
        .await;
    let (page, deposits, payees) = match found {
        Ok(Some(p)) => p,
        Ok(None) => return app.fail(Failure::NotFound),
        Err(f) => return app.fail(f),
    };
    let today = app.today().parse().unwrap_or(jiff::civil::Date::ZERO);
    let settings = app.config.settings.as_ref();
    let outlooks = crate::next_payment::outlooks(&page, today, settings);
    let answers = crate::next_payment::answer_lines(&outlooks, today);
    let next = crate::next_payment::next_payments(&page, today, settings);
    let title = format!("{} {}", page.person.last_name, page.person.first_name);
    render(
        status,
        &Personne {
            head: app.head(&title, Some(session), "/accueil"),
            page,
            answers,
            next,
            can_handle_rows: REJECTS.iter().any(|r| session.has(*r)),
            deposits: deposits
                .iter()
                .rev()
                .map(|d| courrier::row(app, d))
                .collect(),
            can_deposit: COURRIER.iter().any(|r| session.has(*r)),
            csrf: session.csrf.clone(),
            can_request: BANK_ASK.iter().any(|r| session.has(*r)),
            channels: relais_store::desk::CHANNELS,
            payees,
            notice,
            error,
        },
    )
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

pub async fn log_contact(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(dossier): Path<String>,
    Form(form): Form<ContactForm>,
) -> Response {
    let session =
        match form_session(&app, &headers, Access::AnyOf(BANK_ASK), &form.csrf_token).await {
            Ok(s) => s,
            Err(refused) => return refused,
        };
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
    match app
        .with_store(move |s| s.log_contact(&actor, &who, &form.channel, &note, &at))
        .await
    {
        Ok(Some(_)) => Redirect::to(&format!(
            "/personne/{}?contact=1#contacts",
            url_segment(&dossier)
        ))
        .into_response(),
        Ok(None) => app.fail(Failure::NotFound),
        Err(f) => app.fail(f),
    }
}
