//! Changes of bank details asked at the desk, with the proof seen. Nothing changes for
//! payments until an ordonnateur other than the requester approves
//! ([`relais_core::bank_change::may_decide`], the one rule for the web and the command line).
//! From a person's page only the person's own payee may be changed; an establishment, a
//! service or a guardian is changed from its own page ([`BankChangeStore::payee_page`]), which
//! shows whom it is paid for. Approving writes the new details to the payee, dated, with an
//! approval of that one request: an approval holds for the payee's details it approved, and
//! is void as soon as they change again (back to an older IBAN too), so every change needs
//! its own decision.

use crate::StoreError;
use relais_core::bank_change::{DecisionRefusal, ScopeRefusal};
use relais_core::ids::{Bic, Iban};

/// What the desk asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBankChange {
    pub payee_id: String,
    /// The person from whose page it was asked (then only the person's own payee may be
    /// changed); `None` when asked from the payee's own page.
    pub dossier: Option<String>,
    pub iban: Iban,
    pub bic: Bic,
    pub holder: String,
    /// The document seen: "RIB original présenté", "attestation bancaire du 2026-11-30"…
    pub proof: String,
}

/// A request, pending or decided, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankChange {
    pub id: i64,
    pub payee_id: String,
    pub payee_name: String,
    /// The person's page it was asked from, if any.
    pub dossier: Option<String>,
    /// The IBAN asked, masked but for its first and last four characters.
    pub iban_masked: String,
    pub holder: String,
    pub proof: String,
    pub requested_by: String,
    pub requested_at: String,
    pub status: String,
    pub decided_by: Option<String>,
}

/// A payee's bank details, in full (for the approver only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankDetails {
    pub iban: String,
    pub bic: String,
    pub holder: String,
}

/// What a payee's details pay: the people whose rights in payment it receives, and their
/// monthly amounts (cents).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Impact {
    pub people: u64,
    pub monthly_cents: i64,
}

/// Everything the approver sees of one request, side by side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankChangeReview {
    pub change: BankChange,
    pub payee_kind: String,
    pub decided_at: Option<String>,
    /// The payee's details now (before the change).
    pub old: BankDetails,
    pub new: BankDetails,
    /// The country of the new IBAN's bank, and whether it is abroad.
    pub country: &'static str,
    pub abroad: bool,
    /// Other payees already paid on the new IBAN: (id, name, kind).
    pub shared_with: Vec<(String, String, String)>,
    pub impact: Impact,
}

/// Bank details as the list of held ones shows them: the IBAN masked, but long enough to tell
/// the old one from the new ([`mask_pair`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownDetails {
    pub iban_masked: String,
    pub bic: String,
    pub holder: String,
}

/// A payee whose bank details wait for an ordonnateur: a change asked at the desk (payments
/// still go to the details now until it is approved), or details the imported extracts changed
/// recently that nobody approved (its rights are left out of every run until then, reason
/// `bank_change_unapproved`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldBankDetails {
    pub payee_id: String,
    pub payee_name: String,
    pub payee_kind: String,
    /// The pending request asked at the desk; `None` for a change the extracts made.
    pub request: Option<i64>,
    pub requested_by: Option<String>,
    /// The details paid now; `None` when the extracts changed them (the old ones are not
    /// in the extracts).
    pub old: Option<ShownDetails>,
    pub new: ShownDetails,
    /// Since when: the request's instant (RFC 3339), or the day the extracts give for the
    /// change (AAAA-MM-JJ).
    pub since: String,
    /// The rights in payment it concerns, RSA aside (the CAF pays it): people and monthly
    /// total.
    pub impact: Impact,
}

impl HeldBankDetails {
    /// Whether rights are left out of runs until a decision (a change the extracts made),
    /// rather than paid to the old details (a request).
    pub fn holds_payments(&self) -> bool {
        self.request.is_none()
    }
}

/// Two IBANs masked alike, showing their first four characters and as many of their last as
/// it takes for the two to differ (at least four): "FR76…1234" and "FR76…5678".
pub fn mask_pair(old: &str, new: &str) -> (String, String) {
    let tail = |s: &str, n: usize| s.get(s.len().saturating_sub(n)..).unwrap_or("").to_owned();
    let head = |s: &str| s.get(..4).unwrap_or("").to_owned();
    let longest = old.len().max(new.len()).saturating_sub(4);
    let mut n = 4;
    while n < longest && tail(old, n) == tail(new, n) {
        n += 1;
    }
    let show = |s: &str| {
        if s.len() <= n + 4 {
            s.to_owned()
        } else {
            format!("{}…{}", head(s), tail(s, n))
        }
    };
    (show(old), show(new))
}

/// A right paid to a payee, on the payee's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidRight {
    pub dossier: String,
    pub name: String,
    pub right_id: String,
    pub benefit: String,
    pub status: String,
    pub monthly_cents: i64,
}

/// A payee's page: who it is, whom it is paid for, its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayeePage {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub holder: String,
    /// The IBAN with all but its last four characters hidden.
    pub iban_end: String,
    pub iban_changed_on: Option<String>,
    /// Its rights, in payment first, by dossier (at most [`PAYEE_PAGE_RIGHTS`]).
    pub rights: Vec<PaidRight>,
    /// The rights in payment counted whole, whatever the list shows.
    pub impact: Impact,
    /// Its requests, the most recent first.
    pub requests: Vec<BankChange>,
}

/// The runs' window for a change of bank details when the settings have no `[payments]`
/// (`bank_change_days`'s default in `relais_core::settings`).
pub const BANK_CHANGE_DAYS: u16 = 30;

/// The runs' window for a change of bank details: `[payments] bank_change_days`.
pub fn window_days(settings: Option<&relais_core::settings::Settings>) -> u16 {
    settings
        .and_then(|s| s.payments.as_ref())
        .map_or(BANK_CHANGE_DAYS, |p| p.bank_change_days)
}

/// Rights listed at most on a payee's page (an EHPAD may be paid for hundreds of people; the
/// counts and the monthly total cover them all).
pub const PAYEE_PAGE_RIGHTS: usize = 500;

/// Why a request or a decision is refused.
#[derive(Debug, thiserror::Error)]
pub enum BankChangeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("tiers inconnu : {0}")]
    UnknownPayee(String),
    #[error("la pièce justificative vue n'est pas indiquée")]
    NoProof,
    #[error("le titulaire du compte n'est pas indiqué")]
    NoHolder,
    #[error("demande n° {0} introuvable")]
    NotFound(i64),
    #[error("la demande n° {0} est déjà traitée")]
    AlreadyDecided(i64),
    /// Who may decide ([`relais_core::bank_change::may_decide`]).
    #[error("demande n° {0} : {1}")]
    Decision(i64, DecisionRefusal),
    /// What may be asked from a person's page.
    #[error(transparent)]
    Scope(#[from] ScopeRefusal),
    #[error("le tiers {0} n'a pas de coordonnées modifiées à approuver")]
    NothingToApprove(String),
}

pub trait BankChangeStore {
    /// Records a request by `actor` (role accueil or instruction); journaled. Asked from a
    /// person's page, only the person's own payee may be changed.
    fn request_bank_change(
        &mut self,
        actor: &str,
        change: &NewBankChange,
    ) -> Result<i64, BankChangeError>;

    /// Approves (`approve`) or refuses a pending request, by an ordonnateur other than the
    /// requester; `today` dates the change of the payee's details.
    fn decide_bank_change(
        &mut self,
        actor: &str,
        id: i64,
        approve: bool,
        today: &str,
    ) -> Result<BankChange, BankChangeError>;

    /// Approves a payee's current details as the imported extracts changed them (nobody
    /// asked in Relais), by an ordonnateur; for that change only. Returns the journal's seq.
    fn approve_imported_change(
        &mut self,
        actor: &str,
        payee_id: &str,
    ) -> Result<u64, BankChangeError>;

    /// Pending requests, oldest first.
    fn pending_bank_changes(&self) -> Result<Vec<BankChange>, BankChangeError>;

    /// Every payee whose details wait for a decision, oldest first: pending requests, and
    /// details the extracts changed within `window_days` before `today` (the runs' window,
    /// `[payments] bank_change_days`) that nobody approved, for payees with a right in payment
    /// other than RSA (what a run would leave out).
    fn held_bank_details(
        &self,
        today: jiff::civil::Date,
        window_days: u16,
    ) -> Result<Vec<HeldBankDetails>, BankChangeError>;

    /// The month the next run pays by default: the earliest not yet paid, by the imported
    /// history and the validated runs ([`relais_core::month_guard::first_unpaid`]).
    fn first_unpaid_month(
        &self,
        today: jiff::civil::Date,
    ) -> Result<relais_core::calendar::Month, BankChangeError>;

    /// One request with everything its decision needs.
    fn bank_change_review(&self, id: i64) -> Result<Option<BankChangeReview>, BankChangeError>;

    /// The payees whose details may be changed from the page of the person of `dossier`
    /// ([`relais_core::bank_change::may_ask_from_person`]): (id, name), by id.
    fn own_payees(&self, dossier: &str) -> Result<Vec<(String, String)>, BankChangeError>;

    /// A payee's page; with `site` (an agent bound to a site), `None` for a payee that pays
    /// no one of that site, and only the rights of its people.
    fn payee_page(
        &self,
        payee_id: &str,
        site: Option<&str>,
    ) -> Result<Option<PayeePage>, BankChangeError>;
}

#[cfg(test)]
mod tests {
    use super::mask_pair;

    #[test]
    fn masked_ibans_stay_distinguishable() {
        let (a, b) = mask_pair("FR7630006000011234567890189", "FR7630006000011234567890289");
        assert_eq!((a.as_str(), b.as_str()), ("FR76…0189", "FR76…0289"));
        let (a, b) = mask_pair("FR7630006000011234567890189", "FR7612345000011234567890189");
        assert_ne!(a, b);
        assert!(a.starts_with("FR76…") && b.contains('…'));
        let (a, b) = mask_pair("FR7630006000011234567890189", "DE89370400440532013000");
        assert_eq!((a.as_str(), b.as_str()), ("FR76…0189", "DE89…3000"));
    }
}
