//! Paper deposits ("courrier contre récépissé"): the kinds of deposit and their rules, the
//! chrono number, the date on which silence becomes a decision. (An invoice's payment deadline
//! and late-payment interest: [`crate::invoices`].) Pure: the clock and the store are the
//! caller's.
//!
//! Decisions on time limits (each tested below):
//! - A delay in months ends on the day of the last month that bears the same number as the day
//!   of receipt, or on that month's last day when it has none (code de procédure civile art.
//!   641, the rule the administrative courts apply to CRPA delays): received 31 December, a
//!   two-month delay ends 28 (or 29) February.
//! - The implicit decision (CRPA L231-1, L231-4, L114-3) is NOT moved when the delay ends on a
//!   Saturday, Sunday or public holiday: the extension of CPC art. 642 protects a party who must
//!   act before a deadline, while here it is the administration that is silent; the decision
//!   arises at the end of the last day (circulaire du 12 novembre 2014 on "silence vaut
//!   accord", computation of delays). The appeal delay that follows is the applicant's, and
//!   the receipt states it in words.
//! - For an incomplete application the delay runs from the day the missing documents are
//!   received (CRPA L114-5): the deposit of additional documents that completes it.
//! - A deposit has two instants: received (what the law counts) and registered (when the
//!   number was given). The first may precede the second only within a window and with a
//!   reason ([`input`]); numbers follow registration, and a bid is on time only if it was
//!   registered on time ([`BidTimeliness`]).

mod defaults;
mod input;
mod kinds;

pub use input::{
    BACKDATE_GRACE_SECONDS, DEFAULT_BACKDATE_WINDOW_HOURS, DepositError, DepositInput, Desk,
    InvoiceFacts, MAX_ADDRESS, MAX_DEPOSITOR, MAX_DOSSIER, MAX_INVOICE_CENTS, MAX_INVOICE_NUMBER,
    MAX_MISSING_ITEM, MAX_MISSING_ITEMS, MAX_MISSING_TEXT, MAX_REASON, MAX_SUBJECT, NewDeposit,
    parse_local_datetime, split_missing,
};
pub use kinds::{
    Delay, DepositKind, KindOverride, KindOverrides, KindRules, Regime, ServiceContact,
    ServiceOverride, kind_rules,
};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::fmt;

// ---------------------------------------------------------------------------------------------
// The chrono number.

/// The register's number, `YYYY-NNNNNN`: the year of receipt in the authority's time zone and
/// a sequence starting at 1 each year, with no gap and no reuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChronoNumber {
    year: i16,
    seq: u32,
}

impl ChronoNumber {
    pub const MAX_SEQ: u32 = 999_999;

    pub fn new(year: i16, seq: u32) -> Option<ChronoNumber> {
        ((1..=9999).contains(&year) && (1..=Self::MAX_SEQ).contains(&seq))
            .then_some(ChronoNumber { year, seq })
    }

    /// Exactly four digits, a dash, six digits.
    pub fn parse(s: &str) -> Result<ChronoNumber, String> {
        let t = s.trim();
        let bad = || format!("numéro chrono illisible : « {t} » (attendu AAAA-NNNNNN)");
        let (y, n) = t.split_once('-').ok_or_else(bad)?;
        let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if y.len() != 4 || n.len() != 6 || !digits(y) || !digits(n) {
            return Err(bad());
        }
        let year = y.parse().map_err(|_| bad())?;
        let seq = n.parse().map_err(|_| bad())?;
        ChronoNumber::new(year, seq).ok_or_else(bad)
    }

    pub fn year(self) -> i16 {
        self.year
    }

    pub fn seq(self) -> u32 {
        self.seq
    }
}

impl fmt::Display for ChronoNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:06}", self.year, self.seq)
    }
}

/// The numbering year of a deposit: the civil year of its instant in the authority's time zone
/// (23:59:59 on 31 December in Martinique is still that year, though 1 January in UTC).
pub fn chrono_year(at: Timestamp, tz: &TimeZone) -> i16 {
    at.to_zoned(tz.clone()).year()
}

// ---------------------------------------------------------------------------------------------
// A registered deposit.

/// A registered deposit: its number, the instants of receipt and registration, what was
/// deposited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deposit {
    pub number: ChronoNumber,
    /// When it was received: what the law counts (the same as `registered_at` unless the
    /// deposit was registered after the fact, with `facts.backdate_reason`).
    pub received_at: Timestamp,
    /// When it was registered, by the store's clock: what numbers follow.
    pub registered_at: Timestamp,
    pub registered_by: String,
    pub facts: NewDeposit,
    /// The signed code printed on the receipt.
    pub receipt_code: String,
    pub cancellation: Option<Cancellation>,
    /// For an incomplete application: the deposit of additional documents that completed it.
    pub completion: Option<Completion>,
}

/// A cancelled number stays in the register with why, when and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellation {
    pub at: Timestamp,
    pub by: String,
    pub reason: String,
}

/// The deposit that completed an incomplete application, and when it was received: the day
/// the file became complete, from which the decision delay runs (CRPA L114-5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub by: ChronoNumber,
    pub at: Timestamp,
}

/// Whether a bid meets its consultation's deadline, on its two instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BidTimeliness {
    /// Registered by the deadline.
    OnTime,
    /// Received after the deadline.
    Late,
    /// Said to be received by the deadline but registered after it: the claim is the agent's,
    /// not the register's; the buyer decides, and the receipt never says "dans le délai".
    RegisteredLate,
}

/// Whether a bid received at `received` and registered at `registered` meets `deadline` (up
/// to and including the deadline's second).
pub fn bid_timeliness(
    received: Timestamp,
    registered: Timestamp,
    deadline: Timestamp,
) -> BidTimeliness {
    if received > deadline {
        BidTimeliness::Late
    } else if registered > deadline {
        BidTimeliness::RegisteredLate
    } else {
        BidTimeliness::OnTime
    }
}

impl Deposit {
    /// Whether it was registered after the fact (received earlier than registered, past the
    /// grace of a typed minute).
    pub fn is_backdated(&self) -> bool {
        self.registered_at.as_second() - self.received_at.as_second() > BACKDATE_GRACE_SECONDS
    }

    /// For a bid: whether it meets its deadline.
    pub fn bid_timeliness(&self) -> Option<BidTimeliness> {
        match (self.facts.kind, self.facts.bid_deadline) {
            (DepositKind::OffreMarche, Some(deadline)) => Some(bid_timeliness(
                self.received_at,
                self.registered_at,
                deadline,
            )),
            _ => None,
        }
    }

    /// An application with missing documents not yet completed.
    pub fn is_incomplete(&self) -> bool {
        !self.facts.missing.is_empty() && self.completion.is_none()
    }

    /// What the register flags about it, in French.
    pub fn warnings(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        match self.bid_timeliness() {
            Some(BidTimeliness::RegisteredLate) => {
                out.push("offre enregistrée après la date limite (remise antérieure déclarée)")
            }
            Some(BidTimeliness::Late) => out.push("offre hors délai"),
            _ => {}
        }
        if self.is_backdated() {
            out.push("enregistré après coup");
        }
        if self.is_incomplete() {
            out.push("dossier incomplet");
        }
        out
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod tests_desk;
