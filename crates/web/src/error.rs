//! What a request that gets no page becomes: one [`WebError`], which handlers return with `?`.
//!
//! The agent reads a French page (the cause of an internal error goes to the log, in English,
//! never to the page). A page needs the authority's name for its header, which only the
//! server's state knows: `into_response` leaves the page to write in the response's
//! extensions ([`Unwritten`]), and the router's `layers::error_pages` writes it.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// Why a request gets no page.
#[derive(Debug)]
pub enum WebError {
    /// No session: to the login page.
    Login,
    /// Signed in, but the route needs another role.
    Forbidden,
    /// A form without its CSRF token, or with another session's.
    Csrf,
    NotFound,
    /// What was asked is refused, and why (French, shown as "Action refusée : {why}."): `403`
    /// for a rule of who may do what (separation of duties), `409` for a state that changed
    /// meanwhile, `422` for what was asked (a month unreadable, nothing to pay…).
    Refused(StatusCode, String),
    /// Something failed on the server; the cause is in the log ([`WebError::internal`]).
    Internal,
}

impl WebError {
    /// `403`: a rule of who may do what.
    pub fn refused(why: impl Into<String>) -> Self {
        WebError::Refused(StatusCode::FORBIDDEN, why.into())
    }

    /// `422`: what was asked cannot be done as asked.
    pub fn unprocessable(why: impl Into<String>) -> Self {
        WebError::Refused(StatusCode::UNPROCESSABLE_ENTITY, why.into())
    }

    /// `409`: what was asked no longer matches what is stored.
    pub fn conflict(why: impl Into<String>) -> Self {
        WebError::Refused(StatusCode::CONFLICT, why.into())
    }

    /// An internal error, its cause logged here (`what` says in English what failed).
    pub fn internal(what: &str, cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "{what}");
        WebError::Internal
    }

    /// The page's status, title and French message.
    fn page(self) -> (StatusCode, Unwritten) {
        let error = |message: &str| Unwritten {
            title: "Erreur",
            message: message.to_owned(),
        };
        match self {
            WebError::Login => (StatusCode::SEE_OTHER, error("")),
            WebError::Forbidden => (
                StatusCode::FORBIDDEN,
                error("Cette page demande un rôle que votre compte n'a pas."),
            ),
            WebError::Csrf => (
                StatusCode::FORBIDDEN,
                error(
                    "Le formulaire a expiré ou ne vient pas de Relais : rechargez la page et recommencez.",
                ),
            ),
            WebError::NotFound => (StatusCode::NOT_FOUND, error("Cette page n'existe pas.")),
            WebError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                error(
                    "Une erreur interne est survenue ; l'incident est noté dans le journal du serveur.",
                ),
            ),
            WebError::Refused(status, why) => (
                status,
                Unwritten {
                    title: "Action refusée",
                    message: format!("Action refusée : {why}."),
                },
            ),
        }
    }
}

/// A store that fails is an internal error (what the agent asked is refused by the screens'
/// own errors: `CrisisError`, `BankChangeError`…, matched where they are asked).
impl From<relais_store::StoreError> for WebError {
    fn from(e: relais_store::StoreError) -> Self {
        WebError::internal("store error", e)
    }
}

/// An error page still to write: its title and message (`layers::error_pages` writes it).
#[derive(Debug, Clone)]
pub struct Unwritten {
    pub title: &'static str,
    pub message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::Login = self {
            return Redirect::to("/login").into_response();
        }
        let (status, page) = self.page();
        let mut response = status.into_response();
        response.extensions_mut().insert(page);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    fn page(e: WebError) -> (StatusCode, Option<Unwritten>) {
        let r = e.into_response();
        (r.status(), r.extensions().get::<Unwritten>().cloned())
    }

    #[test]
    fn each_error_has_its_status_and_its_french_page() {
        for (e, status, title, message) in [
            (
                WebError::Forbidden,
                StatusCode::FORBIDDEN,
                "Erreur",
                "Cette page demande un rôle que votre compte n'a pas.",
            ),
            (
                WebError::Csrf,
                StatusCode::FORBIDDEN,
                "Erreur",
                "Le formulaire a expiré ou ne vient pas de Relais : rechargez la page et recommencez.",
            ),
            (
                WebError::NotFound,
                StatusCode::NOT_FOUND,
                "Erreur",
                "Cette page n'existe pas.",
            ),
            (
                WebError::internal("test", "a cause for the log only"),
                StatusCode::INTERNAL_SERVER_ERROR,
                "Erreur",
                "Une erreur interne est survenue ; l'incident est noté dans le journal du serveur.",
            ),
            (
                WebError::refused("un ordonnateur décide"),
                StatusCode::FORBIDDEN,
                "Action refusée",
                "Action refusée : un ordonnateur décide.",
            ),
            (
                WebError::conflict("le paiement a changé"),
                StatusCode::CONFLICT,
                "Action refusée",
                "Action refusée : le paiement a changé.",
            ),
            (
                WebError::unprocessable("aucune prestation choisie"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "Action refusée",
                "Action refusée : aucune prestation choisie.",
            ),
        ] {
            let (got, unwritten) = page(e);
            let unwritten = unwritten.expect("a page to write");
            assert_eq!(
                (got, unwritten.title, unwritten.message.as_str()),
                (status, title, message)
            );
        }
    }

    #[test]
    fn no_session_goes_to_the_login_page_without_a_page() {
        let r = WebError::Login.into_response();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok()),
            Some("/login")
        );
        assert!(r.extensions().get::<Unwritten>().is_none());
    }
}
