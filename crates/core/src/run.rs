//! Payment runs: their identifiers and states, the day each benefit is paid, the texts the
//! payee reads, the renewal of rights by a crisis decision, and the plain data of a run's
//! control report and bordereau (rendered by `relais-documents`, computed by the store).
//!
//! # The life of a run
//!
//! `prepare` claims, for one month, every payable right that no earlier run and no imported
//! payment has paid (the claim is a unique key on (right, month) in the store: a second claim
//! fails, whatever query led to it). A prepared run is checked (control report) and then
//! `validate`d by an ordonnateur who did not prepare it (décret GBCP art. 9, docs/domain.md "Who
//! pays"); from then on it never changes. A prepared run may be `cancel`led instead, which
//! frees its claims for another run. Only a validated run is exported.

use crate::Cents;
use crate::calendar::{HolidayZone, Month, bank_day_on_or_before, why_not_bank_day};
use crate::records::{Benefit, PayeeKind, RightStatus};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt::{self, Write as _};
use std::str::FromStr;

// ---------------------------------------------------------------------------------------------
// Identifiers and states

/// A run's identifier: `P` + the month + a sequence number within the month, `P2026-12-01`.
/// The sequence is given by the store, gap-free, so that the n-th run of a month is `…-n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunId {
    month: Month,
    seq: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("identifiant de paiement illisible « {0} » (attendu P2026-12-01)")]
pub struct RunIdError(pub String);

impl RunId {
    /// `None` when `seq` is 0 or above 99: a month never has that many runs.
    pub fn new(month: Month, seq: u16) -> Option<RunId> {
        (1..=99).contains(&seq).then_some(RunId { month, seq })
    }
    pub fn month(self) -> Month {
        self.month
    }
    pub fn seq(self) -> u16 {
        self.seq
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "P{}-{:02}", self.month, self.seq)
    }
}

impl FromStr for RunId {
    type Err = RunIdError;
    fn from_str(s: &str) -> Result<RunId, RunIdError> {
        let err = || RunIdError(s.to_owned());
        let t = s.trim();
        let rest = t.strip_prefix('P').or_else(|| t.strip_prefix('p'));
        let rest = rest.ok_or_else(err)?;
        // `YYYY-MM-NN`: the month is the first seven characters.
        let (month, seq) = (
            rest.get(..7).ok_or_else(err)?,
            rest.get(7..).ok_or_else(err)?,
        );
        let month = Month::parse(month).map_err(|_| err())?;
        let seq = seq.strip_prefix('-').ok_or_else(err)?;
        if seq.len() != 2 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let seq = seq.parse().map_err(|_| err())?;
        RunId::new(month, seq).ok_or_else(err)
    }
}

/// What a run pays: social aid (benefits) or the payroll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    #[default]
    Aides,
    Paie,
    /// Suppliers' invoices liquidated, and their late interest (issue #23).
    Fournisseurs,
}

impl RunKind {
    pub const ALL: [RunKind; 3] = [RunKind::Aides, RunKind::Paie, RunKind::Fournisseurs];
    /// `aides`, `paie`, `fournisseurs`: as stored, and as `relais run prepare --kind` takes it.
    pub fn code(self) -> &'static str {
        match self {
            RunKind::Aides => "aides",
            RunKind::Paie => "paie",
            RunKind::Fournisseurs => "fournisseurs",
        }
    }
    pub fn parse(s: &str) -> Option<RunKind> {
        RunKind::ALL.into_iter().find(|k| k.code() == s.trim())
    }
    pub fn label_fr(self) -> &'static str {
        match self {
            RunKind::Aides => "aides sociales",
            RunKind::Paie => "paie des agents",
            RunKind::Fournisseurs => "factures des fournisseurs",
        }
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Prepared, to be checked: its rights are claimed.
    Prepared,
    /// Validated by an ordonnateur: immutable, exportable.
    Validated,
    /// Cancelled before validation: its claims are freed.
    Cancelled,
}

impl RunStatus {
    pub const ALL: [RunStatus; 3] = [
        RunStatus::Prepared,
        RunStatus::Validated,
        RunStatus::Cancelled,
    ];
    pub fn code(self) -> &'static str {
        match self {
            RunStatus::Prepared => "prepared",
            RunStatus::Validated => "validated",
            RunStatus::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<RunStatus> {
        RunStatus::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn label_fr(self) -> &'static str {
        match self {
            RunStatus::Prepared => "préparé, à valider",
            RunStatus::Validated => "validé",
            RunStatus::Cancelled => "annulé",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Payment dates and texts

/// The day of the month a benefit is paid when the settings do not say: APA by the 10th
/// (CASF R232-30), the others on the 10th as well unless set otherwise, RSA around the 5th
/// (paid by the CAF: only used for the hand-off file).
pub fn default_pay_day(benefit: Benefit) -> i8 {
    match benefit {
        Benefit::Rsa => 5,
        _ => 10,
    }
}

/// The day asked for: day `day` of `month` (the last day when the month is shorter).
fn asked_pay_date(month: Month, day: i8) -> Date {
    let day = day.clamp(1, month.days());
    month
        .first_day()
        .with()
        .day(day)
        .build()
        .unwrap_or(month.last_day())
}

/// The day `benefit` is paid for `month`: day `day` of the month (the last day when the month
/// is shorter), moved to the previous day that is both a working day of `zone` and a day
/// TARGET2 settles (the transfers' requested execution date) — paying early is allowed,
/// paying late is not (APA: "au plus tard le 10").
pub fn pay_date(month: Month, day: i8, zone: HolidayZone) -> Date {
    bank_day_on_or_before(asked_pay_date(month, day), zone)
}

/// When [`pay_date`] is not the day asked for, why, in French for the control report:
/// `le 10/04/2026 (Vendredi saint, système de paiement TARGET2 fermé) : payé le 09/04/2026`.
pub fn pay_date_note(month: Month, day: i8, zone: HolidayZone) -> Option<String> {
    let asked = asked_pay_date(month, day);
    let paid = pay_date(month, day, zone);
    if paid == asked {
        return None;
    }
    let why = why_not_bank_day(asked, zone).unwrap_or_default();
    Some(format!(
        "le {} ({why}) : avancé au {}, jour ouvré et jour TARGET2",
        asked.strftime("%d/%m/%Y"),
        paid.strftime("%d/%m/%Y")
    ))
}

/// The month in French, upper case, as bank statements print it: `DECEMBRE 2026`.
pub fn month_label_upper(month: Month) -> String {
    const NAMES: [&str; 12] = [
        "JANVIER",
        "FEVRIER",
        "MARS",
        "AVRIL",
        "MAI",
        "JUIN",
        "JUILLET",
        "AOUT",
        "SEPTEMBRE",
        "OCTOBRE",
        "NOVEMBRE",
        "DECEMBRE",
    ];
    let name = NAMES
        .get(usize::try_from(month.month() - 1).unwrap_or(0))
        .copied()
        .unwrap_or("");
    format!("{name} {}", month.year())
}

/// A benefit as a bank statement or a mandate's object names it: `APA`, `PCH`, `ASH`, `RSA`.
pub fn short_label(benefit: Benefit) -> &'static str {
    match benefit {
        Benefit::ApaDom | Benefit::ApaEtab => "APA",
        Benefit::Pch => "PCH",
        Benefit::Ash => "ASH",
        Benefit::Rsa => "RSA",
    }
}

/// What the payee reads on the statement, the same in PES `LibVir1` and SEPA `RmtInf`:
/// `APA 2026-12 dossier 123456` (≤ 140 by construction of its parts; each writer cuts it to
/// its own limit).
pub fn remittance(benefit: Benefit, month: Month, dossier: &str) -> String {
    let short = short_label(benefit);
    // Built in place: a million lines call this in an export.
    let mut text = String::with_capacity(short.len() + 17 + dossier.len().min(240));
    text.push_str(short);
    text.push(' ');
    let _ = write!(text, "{month}");
    text.push_str(" dossier ");
    text.extend(dossier.chars().take(60));
    text
}

/// The budget account of a right's imputation as source systems write it: `652421`,
/// `65-652421` or `65/652421` (chapter, then account), `6514 ` — the last group of digits.
/// `None` when there is none, or it is longer than an account (12 digits).
pub fn imputation_account(imputation: &str) -> Option<&str> {
    imputation
        .split(|c: char| !c.is_ascii_digit())
        .rfind(|part| !part.is_empty())
        .filter(|part| part.len() <= 12 && part.bytes().any(|b| b != b'0'))
}

// ---------------------------------------------------------------------------------------------
// Renewal of rights

/// A crisis decision extending rights (Seine-et-Marne, 2022: rights of APA, PCH and ASH ending
/// between 2022-09-01 and 2023-08-31 extended to 2023-09-30). Read from a TOML file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenewalPolicy {
    pub benefits: Vec<Benefit>,
    /// The window of end dates renewed, both included.
    pub ends_from: Date,
    pub ends_to: Date,
    /// The new end date.
    pub new_end: Date,
    /// The decision: "arrêté n° 2022-123 du 28 novembre 2022".
    pub legal_reference: String,
    /// Who decided: "Le Président du Conseil départemental".
    pub decided_by: String,
}

/// Why a policy cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("la politique ne cite aucune prestation (benefits)")]
    NoBenefit,
    #[error("la fenêtre est inversée : ends_from ({from}) est après ends_to ({to})")]
    InvertedWindow { from: Date, to: Date },
    #[error("la nouvelle échéance new_end ({new_end}) n'est pas après la fenêtre (ends_to {to})")]
    NewEndTooEarly { new_end: Date, to: Date },
    #[error("la référence de la décision est vide (legal_reference)")]
    NoReference,
    #[error("l'auteur de la décision est vide (decided_by)")]
    NoDecider,
}

impl RenewalPolicy {
    /// What serde cannot check.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.benefits.is_empty() {
            return Err(PolicyError::NoBenefit);
        }
        if self.ends_from > self.ends_to {
            return Err(PolicyError::InvertedWindow {
                from: self.ends_from,
                to: self.ends_to,
            });
        }
        if self.new_end <= self.ends_to {
            return Err(PolicyError::NewEndTooEarly {
                new_end: self.new_end,
                to: self.ends_to,
            });
        }
        if self.legal_reference.trim().is_empty() {
            return Err(PolicyError::NoReference);
        }
        if self.decided_by.trim().is_empty() {
            return Err(PolicyError::NoDecider);
        }
        Ok(())
    }

    /// The new end of a right, when the policy renews it: a right in payment (not suspended,
    /// not closed) of one of the benefits, ending within the window. A right already renewed
    /// ends on `new_end`, outside the window: applying the policy again changes nothing.
    pub fn renews(&self, benefit: Benefit, end: Date, status: RightStatus) -> Option<Date> {
        (status == RightStatus::EnPaiement
            && self.benefits.contains(&benefit)
            && (self.ends_from..=self.ends_to).contains(&end))
        .then_some(self.new_end)
    }
}

// ---------------------------------------------------------------------------------------------
// The control report's data

/// Counts and total of one benefit in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenefitTotals {
    pub benefit: Benefit,
    /// Rights paid (lines).
    pub rights: u64,
    /// Distinct people.
    pub people: u64,
    /// Distinct payees.
    pub payees: u64,
    pub total: Cents,
    /// What was paid for the previous month (history and validated runs), when known.
    pub previous_total: Option<Cents>,
    /// The day it is paid.
    pub pay_date: Date,
    /// Why the pay date is earlier than the day of the settings, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_date_note: Option<String>,
}

/// Counts and total per kind of payee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindTotals {
    pub kind: PayeeKind,
    /// Mandates (one per payee and budget imputation).
    pub mandates: u64,
    pub lines: u64,
    pub total: Cents,
}

/// Lines and total per budget imputation (account and function).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImputationTotals {
    pub benefit: Benefit,
    pub account: String,
    pub function: String,
    pub lines: u64,
    pub total: Cents,
}

/// Everything of a run's report that is not a long list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSummary {
    pub authority: String,
    pub run: String,
    pub month: Month,
    pub status: RunStatus,
    pub prepared_by: String,
    /// Local time of the authority, `2026-12-01 09:14`.
    pub prepared_at: String,
    pub validated_by: Option<String>,
    pub validated_at: Option<String>,
    pub cancelled_by: Option<String>,
    pub benefits: Vec<BenefitTotals>,
    pub kinds: Vec<KindTotals>,
    pub imputations: Vec<ImputationTotals>,
    pub lines: u64,
    pub mandates: u64,
    pub total: Cents,
    /// Rights not paid, per reason code: (code, French label, count).
    pub excluded: Vec<(String, String, u64)>,
    /// Anomalies per kind: (code, French label, count).
    pub anomalies: Vec<(String, String, u64)>,
    /// People whose amount changed by more than this against the previous month are listed.
    pub change_threshold: Cents,
    /// RSA: what the CAF pays and the département advances (hand-off file, not mandated).
    pub caf_rights: u64,
    pub caf_total: Cents,
    /// PES bordereaux of the run: (exercice, IdBord), once exported.
    pub bordereaux: Vec<(i16, u32)>,
    /// The RSA the run mandates to the CAF, and on what basis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caf_mandate: Option<CafAdvance>,
}

/// What a run that pays no benefit (a payroll, a supplier run) is prepared as: its mandats
/// and their total, without the benefit runs' tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainRun<'a> {
    pub authority: &'a str,
    pub run: &'a str,
    pub month: Month,
    pub prepared_by: &'a str,
    pub prepared_at: &'a str,
    pub lines: u64,
    pub mandates: u64,
    pub total: Cents,
    pub change_threshold: Cents,
}

impl RunSummary {
    /// The summary of `r`, prepared.
    pub fn plain(r: &PlainRun<'_>) -> RunSummary {
        RunSummary {
            authority: r.authority.to_owned(),
            run: r.run.to_owned(),
            month: r.month,
            status: RunStatus::Prepared,
            prepared_by: r.prepared_by.to_owned(),
            prepared_at: r.prepared_at.to_owned(),
            validated_by: None,
            validated_at: None,
            cancelled_by: None,
            benefits: Vec::new(),
            kinds: Vec::new(),
            imputations: Vec::new(),
            lines: r.lines,
            mandates: r.mandates,
            total: r.total,
            excluded: Vec::new(),
            anomalies: Vec::new(),
            change_threshold: r.change_threshold,
            caf_rights: 0,
            caf_total: Cents::ZERO,
            bordereaux: Vec::new(),
            caf_mandate: None,
        }
    }
}

/// The month's RSA mandated to the CAF (CASF L262-25: the CAF pays, the département funds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CafAdvance {
    pub amount: Cents,
    /// Whether it is the CAF's own statement of the month (else an advance).
    pub from_statement: bool,
    /// What it rests on, in French: `relevé CAF de 2026-12`, `avance : relevé CAF de
    /// 2026-11 (celui de 2026-12 n'est pas importé)`, `avance : droits RSA de la copie`.
    pub basis: String,
}

/// A right that the run does not pay, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcludedRight {
    pub right_id: String,
    pub dossier: String,
    /// The person's name, when the person was imported.
    pub name: String,
    /// `None` when the right's row was rejected at import and its benefit is unreadable.
    pub benefit: Option<Benefit>,
    pub reason: String,
    pub reason_fr: String,
    /// What the right would have been paid, when it can be told.
    pub amount: Option<Cents>,
}

/// A person whose monthly total for a benefit changed against the previous month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AmountChange {
    pub dossier: String,
    pub name: String,
    pub benefit: Benefit,
    pub previous: Cents,
    pub current: Cents,
}

/// Kinds of anomalies the report shows for review; none blocks the run by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyKind {
    /// The payee's bank details changed in the last days (set in the settings, 30 by default).
    BankChanged,
    /// One IBAN is shared by payees of different families or establishments.
    SharedIban,
    /// One guardian's IBAN is paid for several protected people (Code civil art. 427 wants
    /// each protected person's money in an account in their own name).
    GuardianSharedIban,
    /// The amount is above the benefit's ceiling.
    AboveCeiling,
    /// The right is paid for the first time (no payment in the history or in earlier runs).
    FirstPayment,
}

impl AnomalyKind {
    pub const ALL: [AnomalyKind; 5] = [
        AnomalyKind::BankChanged,
        AnomalyKind::SharedIban,
        AnomalyKind::GuardianSharedIban,
        AnomalyKind::AboveCeiling,
        AnomalyKind::FirstPayment,
    ];
    pub fn code(self) -> &'static str {
        match self {
            AnomalyKind::BankChanged => "bank_changed",
            AnomalyKind::SharedIban => "shared_iban",
            AnomalyKind::GuardianSharedIban => "guardian_shared_iban",
            AnomalyKind::AboveCeiling => "above_ceiling",
            AnomalyKind::FirstPayment => "first_payment",
        }
    }
    pub fn label_fr(self) -> &'static str {
        match self {
            AnomalyKind::BankChanged => "coordonnées bancaires modifiées récemment",
            AnomalyKind::SharedIban => "IBAN partagé par des tiers sans lien",
            AnomalyKind::GuardianSharedIban => {
                "compte d'un tuteur commun à plusieurs personnes protégées"
            }
            AnomalyKind::AboveCeiling => "montant au-dessus du plafond de la prestation",
            AnomalyKind::FirstPayment => "droit payé pour la première fois",
        }
    }
}

/// One anomaly, on one line of the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    pub kind: AnomalyKind,
    pub right_id: String,
    pub dossier: String,
    pub payee_id: String,
    pub payee_name: String,
    pub benefit: Benefit,
    pub amount: Cents,
    /// What was seen: "IBAN modifié le 2026-11-20", "IBAN aussi utilisé par T000123 (DUPONT)".
    pub detail: String,
}

/// One mandate of the run, as the paper bordereau lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MandateLine {
    /// `IdPce` in its bordereau.
    pub number: u32,
    /// (exercice, IdBord) of its bordereau.
    pub bordereau: u32,
    pub payee_id: String,
    pub payee_name: String,
    pub kind: PayeeKind,
    pub benefit: Benefit,
    pub account: String,
    pub lines: u32,
    pub amount: Cents,
}

/// Whether two payees sharing one IBAN may legitimately do so: the same establishment
/// (same SIREN, or the same name for bodies without a SIRET), or people of the same family
/// (the same last name — a couple's joint account, a parent paid for a child). Anything else
/// is shown for review, not refused: a guardian's account is often the same for many people,
/// and the guardian is then one payee.
pub fn may_share_iban(a: &IbanHolder<'_>, b: &IbanHolder<'_>) -> bool {
    match (a.siren, b.siren) {
        (Some(x), Some(y)) => return x == y,
        (Some(_), None) | (None, Some(_)) => return false,
        (None, None) => {}
    }
    let key = |s: &str| crate::text::strip_accents(s.trim()).to_uppercase();
    key(a.family_name) == key(b.family_name)
}

/// What [`may_share_iban`] looks at.
#[derive(Debug, Clone, Copy)]
pub struct IbanHolder<'a> {
    /// The SIREN (first nine digits of the SIRET) of a body, when it has one.
    pub siren: Option<&'a str>,
    /// A person's last name, or a body's name.
    pub family_name: &'a str,
}

#[cfg(test)]
mod tests;
