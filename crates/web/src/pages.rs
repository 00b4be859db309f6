//! The pages, rendered by askama from `templates/` (HTML escaped by default), and what a
//! request that fails becomes.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use relais_core::Cents;
use relais_core::roles::Role;
use relais_store::desk::{DirectoryRow, PersonHit, PersonPage};
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
    ("/accueil", "Accueil", crate::routes::DESK),
    ("/courrier", "Courrier", crate::courrier::COURRIER),
    ("/paiements", "Paiements", crate::routes::PAYMENTS),
    ("/dossiers", "Dossiers à traiter", crate::routes::REJECTS),
    ("/crise", "Cellule de crise", crate::crise::CRISE),
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
#[template(path = "login.html")]
pub struct LoginPage {
    pub head: Head,
    pub csrf: String,
    pub login: String,
    pub error: Option<String>,
}

/// The crisis cell's part of the dashboard.
pub struct CrisisSummary {
    pub cnil: CnilBlock,
    /// The CNIL deadline as a timeline (`None` while awareness is not recorded).
    pub cnil_chart: Option<String>,
    /// The systems by status, as a stacked bar.
    pub systems_chart: String,
    pub critical_not_restored: usize,
    /// (title, owner, due)
    pub overdue: Vec<(String, String, String)>,
}

/// The last run not cancelled: (run, month, [(code, reason, rights)]).
pub type NotPaid = (String, String, Vec<(String, String, u64)>);

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct Dashboard {
    pub head: Head,
    pub csrf: String,
    /// The user may approve or refuse changes of bank details.
    pub can_decide: bool,
    /// For ordonnateurs: the week's creations and changes of accounts that may pay.
    pub privileged: Vec<String>,
    pub bank_changes: Vec<relais_store::bank::BankChange>,
    /// Payees whose bank details wait for an ordonnateur (`/rib`).
    pub held_bank_details: usize,
    pub notice: Option<String>,
    pub today: String,
    pub people: u64,
    pub rights: u64,
    pub rejected: u64,
    pub pay_dates: Vec<crate::dashboard::PayDate>,
    /// For the crisis cell: the CNIL clock, systems and overdue tasks.
    pub crisis: Option<CrisisSummary>,
    /// Deposits registered today (not cancelled): (kind, count).
    pub deposits_today: Vec<(String, u64)>,
    pub not_paid: Option<NotPaid>,
    /// False when the invoices' standing could not be computed (an ECB rate is missing).
    pub invoices_known: bool,
    pub invoices_late: usize,
    pub invoices_near: usize,
    /// (deadline, when, supplier, reference, amount)
    pub invoices: Vec<(String, String, String, String, String)>,
    /// (run, month, status, lines, total)
    pub runs: Vec<(String, String, String, u64, String)>,
    /// The rows to handle by reason, as a chart and its table (`None`: there are none).
    pub pending: Option<String>,
}

#[derive(Template)]
#[template(path = "accueil.html")]
pub struct Accueil {
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
pub struct AccueilResultats {
    pub q: String,
    pub searched: bool,
    pub hits: Vec<PersonHit>,
    pub more: bool,
}

#[derive(Template)]
#[template(path = "personne.html")]
pub struct Personne {
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

#[derive(Template)]
#[template(path = "annuaire.html")]
pub struct Annuaire {
    pub head: Head,
    /// The rows that answer the search, in French order.
    pub rows: Vec<DirectoryRow>,
    /// What was searched (empty: everything).
    pub q: String,
    /// How many rows answer, said in French, when something was searched.
    pub found: String,
    /// The crisis cell may edit the directory.
    pub can_edit: bool,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "dossiers.html")]
pub struct Dossiers {
    pub head: Head,
    /// (id, file, line, key, problems as "field: message", outcome label if handled)
    pub rows: Vec<(i64, String, u64, String, String, Option<String>)>,
    /// Rows without an outcome.
    pub open: u64,
    /// All rows are listed (not only those without an outcome).
    pub all: bool,
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

/// Why a request gets no page.
#[derive(Debug)]
pub enum Failure {
    /// No session: to the login page.
    Login,
    /// Signed in, but the route needs another role.
    Forbidden,
    /// A form without its CSRF token, or with another session's.
    Csrf,
    NotFound,
    Internal,
}

impl Failure {
    pub fn response(self, authority: &str) -> Response {
        let (status, message) = match self {
            Failure::Login => return Redirect::to("/login").into_response(),
            Failure::Forbidden => (
                StatusCode::FORBIDDEN,
                "Cette page demande un rôle que votre compte n'a pas.",
            ),
            Failure::Csrf => (
                StatusCode::FORBIDDEN,
                "Le formulaire a expiré ou ne vient pas de Relais : rechargez la page et recommencez.",
            ),
            Failure::NotFound => (StatusCode::NOT_FOUND, "Cette page n'existe pas."),
            Failure::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Une erreur interne est survenue ; l'incident est noté dans le journal du serveur.",
            ),
        };
        let page = ErrorPage {
            head: Head::new(authority, "Erreur", None, ""),
            message: message.to_owned(),
        };
        let mut response = render(status, &page);
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        response
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

/// The CNIL clock (a fragment: htmx refreshes it every minute).
#[derive(Template)]
#[template(path = "cnil.html")]
pub struct CnilBlock {
    /// The moment of awareness is recorded.
    pub known: bool,
    pub awareness: String,
    pub deadline: String,
    /// "reste 12 h 05 min", "dépassé de 3 h 00 min", or why it is unknown.
    pub label: String,
    pub overdue: bool,
    /// A notification was sent.
    pub notified: bool,
    /// The clock stopped: "notifiée le … à …, n h après la découverte".
    pub stopped: Option<String>,
    /// The notification went after the 72 hours.
    pub late: bool,
}

#[derive(Template)]
#[template(path = "crise.html")]
pub struct CriseHome {
    pub head: Head,
    pub cnil: CnilBlock,
    /// The CNIL deadline as a timeline (`None` while awareness is not recorded).
    pub cnil_chart: Option<String>,
    /// The systems by status, as a stacked bar.
    pub systems_chart: String,
    /// (system, status) of the critical systems not restored.
    pub critical: Vec<(String, &'static str)>,
    /// (title, owner, due)
    pub overdue: Vec<(String, String, String)>,
    /// The last entries of the main courante, the latest first.
    pub last: Vec<crate::crise::EntryRow>,
}

#[derive(Template)]
#[template(path = "courante.html")]
pub struct CourantePage {
    pub head: Head,
    pub csrf: String,
    pub can_write: bool,
    /// (code, label)
    pub kinds: Vec<(&'static str, &'static str)>,
    /// The kind filtered on ("" for all), and the words searched.
    pub kind: &'static str,
    pub q: String,
    /// Entries in the main courante, whatever the filter.
    pub total: usize,
    pub rows: Vec<crate::crise::EntryRow>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "incident.html")]
pub struct IncidentPage {
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

pub struct SystemRow {
    pub id: String,
    pub name: String,
    pub function: String,
    pub criticality: &'static str,
    pub owner: String,
    pub site: String,
    pub status: &'static str,
    /// Since when and by whom.
    pub since: String,
    /// The statuses the workflow allows next: (code, label).
    pub next: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "systemes.html")]
pub struct SystemesPage {
    pub head: Head,
    pub can_write: bool,
    pub by_status: Vec<(&'static str, u64)>,
    pub rows: Vec<SystemRow>,
    pub notice: Option<String>,
}

pub struct TaskRow {
    pub id: i64,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub status: &'static str,
    pub overdue: bool,
    /// The other statuses: (code, label).
    pub statuses: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "taches.html")]
pub struct TachesPage {
    pub head: Head,
    pub csrf: String,
    pub can_write: bool,
    pub rows: Vec<TaskRow>,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "public.html")]
pub struct PublicScreen {
    pub head: Head,
    pub csrf: String,
    pub can_write: bool,
    pub affected: String,
    pub guaranteed: String,
    pub updated: Option<String>,
    pub public_rows: usize,
    pub hidden_rows: usize,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "annuaire_form.html")]
pub struct AnnuaireForm {
    pub head: Head,
    pub csrf: String,
    pub row: relais_core::directory::DirectoryRow,
    pub is_new: bool,
    pub error: Option<String>,
}
