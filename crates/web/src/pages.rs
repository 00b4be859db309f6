//! What every page shares: its header ([`Head`]: the authority, the title, the menu of the
//! signed-in user), rendering by askama from `templates/` (HTML escaped by default), the error
//! page, and how amounts, sizes and addresses are written. Each screen's own templates are
//! beside its handler.

use crate::access::{COURRIER, CRISE, DESK, INVOICES, PAYMENTS, REJECTS};
use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use relais_core::Cents;
use relais_core::roles::Role;
use relais_store::sessions::Session;

/// The header of every page: who is served, the page's title, the menu of the signed-in user.
pub struct Head {
    pub authority: String,
    pub title: String,
    pub nav: Option<Nav>,
}

pub struct Nav {
    pub login: String,
    pub csrf: String,
    /// (address, label, is this page)
    pub links: Vec<(&'static str, &'static str, bool)>,
}

/// The screens a user's roles open, in menu order.
const MENU: &[(&str, &str, &[Role])] = &[
    ("/", "Tableau de bord", &[]),
    ("/accueil", "Accueil", DESK),
    ("/courrier", "Courrier", COURRIER),
    ("/paiements", "Paiements", PAYMENTS),
    ("/paie", "Paie", PAYMENTS),
    ("/factures", "Factures", INVOICES),
    ("/dossiers", "Dossiers à traiter", REJECTS),
    ("/crise", "Cellule de crise", CRISE),
    ("/annuaire", "Annuaire", &[]),
];

impl Head {
    pub fn new(authority: &str, title: &str, session: Option<&Session>, current: &str) -> Head {
        Head {
            authority: authority.to_owned(),
            title: title.to_owned(),
            nav: session.map(|s| Nav {
                login: s.login.clone(),
                csrf: s.csrf.clone(),
                links: MENU
                    .iter()
                    .filter(|(_, _, roles)| roles.is_empty() || roles.iter().any(|r| s.has(*r)))
                    .map(|(href, label, _)| (*href, *label, *href == current))
                    .collect(),
            }),
        }
    }
}

/// Amounts as agents read them: `1 234,56 €`.
pub fn euros(cents: &i64) -> String {
    Cents(*cents).to_string()
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub head: Head,
    pub message: String,
}

/// Renders a page as a response.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The store's local time (`2026-12-10 09:14`) as agents read it: `10/12/2026 à 09:14`.
pub fn moment(text: &str) -> String {
    let day = relais_documents::french_days::iso_date_short(text);
    match text.get(11..16) {
        Some(time) if day != text => format!("{day} à {time}"),
        _ => day,
    }
}

/// A size as people read it: `12,3 Mo`.
pub fn size(bytes: &u64) -> String {
    match *bytes {
        b if b >= 1_000_000 => format!("{},{} Mo", b / 1_000_000, (b % 1_000_000) / 100_000),
        b if b >= 1_000 => format!("{},{} ko", b / 1_000, (b % 1_000) / 100),
        b => format!("{b} o"),
    }
}

/// A path segment with the characters a URL reserves escaped.
pub(crate) fn url_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A request made by htmx for part of a page (not a history restore, which needs all of it).
pub(crate) fn partial(headers: &HeaderMap) -> bool {
    headers.get("hx-request").is_some_and(|v| v == "true")
        && !headers.contains_key("hx-history-restore-request")
}

#[cfg(test)]
mod moment_tests {
    #[test]
    fn local_times_as_agents_read_them() {
        assert_eq!(super::moment("2026-12-10 09:14"), "10/12/2026 à 09:14");
        assert_eq!(super::moment("2026-12-10"), "10/12/2026");
        assert_eq!(super::moment("hier"), "hier");
    }
}
