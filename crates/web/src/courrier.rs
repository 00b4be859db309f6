//! The courrier screens: register a paper deposit (the form shows the fields of its kind),
//! print its receipt (PDF, signed code), list and filter the register, cancel with a reason.

mod check;
mod depot;
mod listing;
mod register;
mod tableur;

pub use check::{DepositForm, LIMITS};
pub use depot::{cancel, cancel_confirm, depot, receipt};
pub use register::{courrier, register};

pub use crate::access::COURRIER;

use crate::app::App;
use crate::form_errors::FormErrors;
use crate::pages::Head;
use askama::Template;
use relais_core::deposits::{BidTimeliness, Deposit, DepositKind, KindRules};
use relais_documents::code::ReceiptKey;

/// What registering needs beyond the store: the receipt signing key and the kinds' rules.
pub struct Courrier {
    pub key: ReceiptKey,
    pub rules: Vec<KindRules>,
}

impl std::fmt::Debug for Courrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Courrier").field("key", &self.key).finish()
    }
}

/// A deposit as the list shows it.
pub struct Row {
    pub number: String,
    pub received: String,
    pub registered: String,
    pub kind: String,
    pub depositor: String,
    pub subject: String,
    pub dossier: String,
    pub cancelled: Option<String>,
    /// A bid received, or registered, after its consultation's deadline: "HORS DÉLAI".
    pub late: bool,
    /// What the register flags (a bid registered after its deadline, a deposit registered
    /// after the fact, an incomplete file).
    pub warnings: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "courrier.html")]
pub struct CourrierPage {
    pub head: Head,
    pub csrf: String,
    /// (code, label, selected)
    pub kinds: Vec<(&'static str, String, bool)>,
    pub kind: &'static str,
    pub kind_label: String,
    pub is_invoice: bool,
    pub is_bid: bool,
    pub is_application: bool,
    pub is_documents: bool,
    /// The window within which a time of receipt may precede registration, in hours.
    pub window_hours: u32,
    pub form: DepositForm,
    /// Each field's problem, when the form was refused.
    pub errors: FormErrors,
    /// A refusal that is no field's (the register's own checks).
    pub error: Option<String>,
    pub rows: Vec<Row>,
    /// The register's filters as typed (dates JJ/MM/AAAA), and their problems.
    pub from: String,
    pub to: String,
    pub filter_kind: String,
    pub q: String,
    pub filter_errors: FormErrors,
    /// The caption of the register's table.
    pub caption: String,
}

/// The window within which a time of receipt may precede registration (settings).
fn window_hours(app: &App) -> u32 {
    relais_app::deposits::backdate_window_hours(app.config.settings.as_ref())
}

pub(crate) fn kind_label(app: &App, kind: DepositKind) -> String {
    let rules = app
        .config
        .courrier
        .as_ref()
        .map_or(&[][..], |c| &c.rules[..]);
    relais_app::deposits::kind_label(rules, kind)
}

pub(crate) fn row(app: &App, d: &Deposit) -> Row {
    let tz = app.tz();
    let local = |t: jiff::Timestamp| {
        t.to_zoned(tz.clone())
            .strftime("%d/%m/%Y %H:%M")
            .to_string()
    };
    Row {
        number: d.number.to_string(),
        received: local(d.received_at),
        registered: local(d.registered_at),
        warnings: d.warnings(),
        kind: kind_label(app, d.facts.kind),
        depositor: d.facts.depositor.clone(),
        subject: d.facts.subject.clone().unwrap_or_default(),
        dossier: d.facts.dossier.clone().unwrap_or_default(),
        late: matches!(
            d.bid_timeliness(),
            Some(BidTimeliness::Late | BidTimeliness::RegisteredLate)
        ),
        cancelled: d
            .cancellation
            .as_ref()
            .map(|c| format!("annulé par {} : {}", c.by, c.reason)),
    }
}
