//! What every page shares: its header ([`Head`]: the authority, the title, the menu of the
//! signed-in user), rendering by askama from `templates/` (HTML escaped by default), the error
//! page, and how amounts, sizes and addresses are written. Each screen's own templates are
//! beside its handler; the payment screens' are still here.

use crate::access::{COURRIER, CRISE, DESK, PAYMENTS, REJECTS};
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
#[template(path = "paiements.html")]
pub struct Paiements {
    pub head: Head,
    pub csrf: String,
    /// The user may prepare a run (role liquidation), and the month proposed.
    pub can_prepare: bool,
    /// The earliest month not yet paid (`relais_core::month_guard::first_unpaid`).
    pub next_month: String,
    /// The same, in words (`décembre 2026`).
    pub next_month_long: String,
    /// A run prepared for a later month while that one is unpaid.
    pub warning: Option<String>,
    /// (code, label)
    pub benefits: Vec<(&'static str, &'static str)>,
    /// (run, month, status, prepared by, lines, mandates, total)
    pub runs: Vec<(String, String, String, String, u64, u64, String)>,
    /// Each benefit's monthly totals over six months, as charts (`paiements_chart.rs`).
    pub monthly: String,
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

#[derive(Template)]
#[template(path = "paiement.html")]
pub struct Paiement {
    pub head: Head,
    pub csrf: String,
    pub summary: relais_core::run::RunSummary,
    pub status: String,
    /// The user may validate (role ordonnateur) and the run is still prepared.
    pub can_validate: bool,
    /// The run is still prepared (it may be cancelled).
    pub can_cancel: bool,
    /// The run is validated and this server writes files.
    pub can_export: bool,
    /// Files written: (name, SHA-256, bytes).
    pub files: Vec<(String, String, u64)>,
    /// This server writes control reports, and the files of the last one written.
    pub can_report: bool,
    pub report: Vec<(String, String, u64)>,
    pub notice: Option<String>,
    /// Prepared for a month after one not yet paid.
    pub warning: Option<String>,
}

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
    pub head: Head,
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
