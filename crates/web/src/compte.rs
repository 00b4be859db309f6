//! One's own account: changing one's password. The current password is checked like a login
//! (same throttle, same bounded hasher: a session left open on a desk is no way to guess it),
//! the new one hashed there too; the change is journaled without any secret, and closes the
//! user's other sessions.

use crate::app::{App, Shared};
use crate::auth;
use crate::error::WebError;
use crate::hasher::Busy;
use crate::login::{BUSY, BUSY_RETRY, Checked, ClientAddr, check_password, retry_after};
use crate::pages::{Head, render};
use crate::session::{CsrfToken, SignedForm, SignedIn};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use relais_store::sessions::Session;
use serde::Deserialize;

pub const PASSWORD_PATH: &str = "/compte/mot-de-passe";
/// Characters of a new password, at least (ANSSI: a long passphrase beats a complex word).
pub const MIN_CHARS: usize = 12;
/// And at most: what is hashed stays bounded.
const MAX_CHARS: usize = 256;

#[derive(Template)]
#[template(path = "compte.html")]
pub struct ComptePage {
    pub head: Head,
    pub csrf: String,
    pub login: String,
    pub min: usize,
    pub notice: Option<String>,
    pub error: Option<String>,
}

fn page(
    app: &App,
    session: &Session,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<&str>,
) -> Response {
    render(
        status,
        &ComptePage {
            head: app.head("Changer mon mot de passe", Some(session), PASSWORD_PATH),
            csrf: session.csrf.clone(),
            login: session.login.clone(),
            min: MIN_CHARS,
            notice: notice.map(str::to_owned),
            error: error.map(str::to_owned),
        },
    )
}

#[derive(Deserialize)]
pub struct Done {
    #[serde(default)]
    fait: Option<String>,
}

const DONE: &str = "Mot de passe changé : vos autres sessions sont fermées.";

pub async fn form(
    State(app): State<Shared>,
    Query(done): Query<Done>,
    SignedIn(session): SignedIn,
) -> Response {
    page(
        &app,
        &session,
        StatusCode::OK,
        done.fait.map(|_| DONE),
        None,
    )
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    actuel: String,
    #[serde(default)]
    nouveau: String,
    #[serde(default)]
    confirmation: String,
}

impl CsrfToken for PasswordForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// Why a new password is refused before anything is checked.
fn refusal(form: &PasswordForm) -> Option<String> {
    let n = form.nouveau.chars().count();
    if form.nouveau != form.confirmation {
        Some("les deux saisies du nouveau mot de passe diffèrent".to_owned())
    } else if n < MIN_CHARS {
        Some(format!(
            "le nouveau mot de passe doit compter au moins {MIN_CHARS} caractères (une phrase de plusieurs mots convient)"
        ))
    } else if n > MAX_CHARS {
        Some(format!(
            "le nouveau mot de passe doit compter au plus {MAX_CHARS} caractères"
        ))
    } else if form.nouveau == form.actuel {
        Some("le nouveau mot de passe doit différer de l'actuel".to_owned())
    } else {
        None
    }
}

pub async fn change(
    State(app): State<Shared>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    SignedForm(session, form): SignedForm<PasswordForm>,
) -> Result<Response, WebError> {
    let refuse = |status, why: &str| page(&app, &session, status, None, Some(why));
    if let Some(why) = refusal(&form) {
        return Ok(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("Mot de passe inchangé : {why}."),
        ));
    }
    match check_password(&app, &session.login, addr, form.actuel).await {
        Checked::Right(_) => {}
        Checked::Wrong => {
            return Ok(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Mot de passe inchangé : le mot de passe actuel est incorrect.",
            ));
        }
        Checked::Wait(until) => {
            let why = crate::login::wait_message(&app, until);
            let wait = until - app.now();
            return Ok(retry_after(
                refuse(StatusCode::TOO_MANY_REQUESTS, &why),
                wait,
            ));
        }
        Checked::Busy => {
            return Ok(retry_after(
                refuse(StatusCode::SERVICE_UNAVAILABLE, BUSY),
                BUSY_RETRY,
            ));
        }
        Checked::Failed(f) => return Err(f),
    }
    let hash = match app.hasher.hash(form.nouveau).await {
        Ok(Some(hash)) => hash,
        Ok(None) => return Err(WebError::Internal),
        Err(Busy) => {
            return Ok(retry_after(
                refuse(StatusCode::SERVICE_UNAVAILABLE, BUSY),
                BUSY_RETRY,
            ));
        }
    };
    let keep = auth::cookie(&headers, app.cookies().session)
        .map(auth::token_hash)
        .unwrap_or_default();
    let login = session.login.clone();
    app.with_store(move |s| s.change_own_password(&login, &hash, &keep))
        .await?;
    tracing::info!(login = %session.login, "password changed by its user");
    Ok(Redirect::to(&format!("{PASSWORD_PATH}?fait=1")).into_response())
}
