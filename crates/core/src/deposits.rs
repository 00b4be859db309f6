//! Paper deposits ("courrier contre récépissé"): the kinds of deposit and their rules, the
//! chrono number, the date on which silence becomes a decision, the invoice payment deadline,
//! and late-payment interest. Pure: the clock and the store are the caller's.
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
//! - The invoice payment deadline (Code de la commande publique R2192-10 to R2192-12: 30 days
//!   for collectivités, counted from the date of receipt) is NOT moved either: interest runs
//!   "from the day after the end of the delay" (R2192-31) whatever day that is.

use crate::Cents;
use crate::ids::Siret;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use std::fmt;

// ---------------------------------------------------------------------------------------------
// Kinds and their configuration.

/// What was deposited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepositKind {
    /// Demande d'aide (APA, PCH, aide sociale…).
    DemandeAide,
    DemandeSubvention,
    Facture,
    /// Offre à un marché public.
    OffreMarche,
    /// Pièces complémentaires d'un dossier déjà déposé.
    PiecesComplementaires,
    Autre,
}

impl DepositKind {
    pub const ALL: [DepositKind; 6] = [
        DepositKind::DemandeAide,
        DepositKind::DemandeSubvention,
        DepositKind::Facture,
        DepositKind::OffreMarche,
        DepositKind::PiecesComplementaires,
        DepositKind::Autre,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DepositKind::DemandeAide => "demande_aide",
            DepositKind::DemandeSubvention => "demande_subvention",
            DepositKind::Facture => "facture",
            DepositKind::OffreMarche => "offre_marche",
            DepositKind::PiecesComplementaires => "pieces_complementaires",
            DepositKind::Autre => "autre",
        }
    }

    pub fn parse(s: &str) -> Option<DepositKind> {
        let key = s.trim().to_ascii_lowercase().replace('-', "_");
        DepositKind::ALL.into_iter().find(|k| k.as_str() == key)
    }

    /// A stable one-byte code, for the receipt's signed summary. Never renumber.
    pub fn code(self) -> u8 {
        match self {
            DepositKind::DemandeAide => 1,
            DepositKind::DemandeSubvention => 2,
            DepositKind::Facture => 3,
            DepositKind::OffreMarche => 4,
            DepositKind::PiecesComplementaires => 5,
            DepositKind::Autre => 6,
        }
    }

    pub fn from_code(code: u8) -> Option<DepositKind> {
        DepositKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Whether silence on it can become a decision (an application, CRPA L112-3).
    pub fn is_application(self) -> bool {
        matches!(
            self,
            DepositKind::DemandeAide | DepositKind::DemandeSubvention
        )
    }
}

impl fmt::Display for DepositKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What silence means at the end of the delay (CRPA L231-1: acceptance is the rule; L231-4 and
/// the decrees under L231-5 and L231-6 list the rejections and other delays).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Regime {
    /// Silence vaut acceptation.
    Sva,
    /// Silence vaut rejet.
    Svr,
    /// No implicit decision (invoices, bids, documents).
    None,
}

/// A delay, in calendar months or days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delay {
    Months(u16),
    Days(u16),
}

impl Delay {
    /// The last day of the delay that starts with `start` (the day of receipt, not counted).
    /// Months: same day number, else the month's last day (CPC 641). `None` past the calendar.
    pub fn end(self, start: Date) -> Option<Date> {
        match self {
            // jiff clamps to the last day of a shorter month, as CPC 641 says.
            Delay::Months(n) => start.checked_add(i64::from(n).months()).ok(),
            Delay::Days(n) => start.checked_add(i64::from(n).days()).ok(),
        }
    }

    pub fn label_fr(self) -> String {
        match self {
            Delay::Months(1) => "1 mois".into(),
            Delay::Months(n) => format!("{n} mois"),
            Delay::Days(1) => "1 jour".into(),
            Delay::Days(n) => format!("{n} jours"),
        }
    }
}

/// The handling service named on the receipt (CRPA L112-3, R112-5: name, postal address,
/// e-mail, phone).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceContact {
    pub name: String,
    pub address: String,
    pub email: String,
    pub phone: String,
}

impl ServiceContact {
    /// The names of the empty fields, in French.
    pub fn missing(&self) -> Vec<&'static str> {
        [
            ("nom", &self.name),
            ("adresse postale", &self.address),
            ("courriel", &self.email),
            ("téléphone", &self.phone),
        ]
        .into_iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(k, _)| k)
        .collect()
    }
}

/// Everything the receipt of one kind of deposit needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindRules {
    pub kind: DepositKind,
    pub label: String,
    /// The handling service; blank fields are filled from the directory entry `directory`.
    pub service: ServiceContact,
    /// A `site_code` of the store's `directory` table giving the service's contact details.
    pub directory: Option<String>,
    pub regime: Regime,
    pub delay: Option<Delay>,
    /// For a rejection: the appeal routes and delays, printed on the receipt.
    pub appeal: Option<String>,
    pub documents: Vec<String>,
    /// For invoices: the payment delay in days.
    pub payment_days: Option<u16>,
}

/// Appeal routes against an implicit rejection (CRPA L411-2, L112-6; CJA R421-1, R421-2).
const APPEAL_SVR: &str = "En cas de rejet implicite, vous pouvez former un recours gracieux \
auprès du président de la collectivité, et un recours contentieux devant le tribunal \
administratif territorialement compétent, dans un délai de deux mois à compter de la date \
de la décision implicite (code de justice administrative, art. R421-1 et R421-2). Le recours \
gracieux, formé dans ce délai, le proroge. Vous pouvez demander la communication des motifs \
de la décision implicite dans le même délai (CRPA, art. L232-4).";

impl KindRules {
    /// The built-in rules of `kind`. The common rule is SVA after two months (CRPA L231-1);
    /// the social-aid and subsidy procedures of a département are mostly decreed exceptions
    /// (SVR, décrets n° 2014-1273 and 2014-1274 under CRPA L231-5 and L231-6), so the defaults
    /// are SVR after two months: an authority changes them in `deposit-kinds.toml`.
    pub fn default_for(kind: DepositKind) -> KindRules {
        let courrier = Some("HDD-COURRIER".to_owned());
        let base = |label: &str, service: &str| KindRules {
            kind,
            label: label.to_owned(),
            service: ServiceContact {
                name: service.to_owned(),
                ..ServiceContact::default()
            },
            directory: courrier.clone(),
            regime: Regime::None,
            delay: None,
            appeal: None,
            documents: Vec::new(),
            payment_days: None,
        };
        let docs = |d: &[&str]| d.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        match kind {
            DepositKind::DemandeAide => KindRules {
                regime: Regime::Svr,
                delay: Some(Delay::Months(2)),
                appeal: Some(APPEAL_SVR.to_owned()),
                documents: docs(&[
                    "formulaire de demande daté et signé",
                    "pièce d'identité ou titre de séjour",
                    "justificatif de domicile",
                    "dernier avis d'imposition ou de non-imposition",
                    "relevé d'identité bancaire",
                ]),
                ..base(
                    "Demande d'aide (APA, PCH, aide sociale…)",
                    "Direction de l'autonomie et de l'action sociale",
                )
            },
            DepositKind::DemandeSubvention => KindRules {
                regime: Regime::Svr,
                delay: Some(Delay::Months(2)),
                appeal: Some(APPEAL_SVR.to_owned()),
                documents: docs(&[
                    "formulaire de demande (Cerfa n° 12156)",
                    "statuts et liste des dirigeants",
                    "budget prévisionnel de l'action",
                    "derniers comptes approuvés",
                    "relevé d'identité bancaire",
                ]),
                ..base(
                    "Demande de subvention",
                    "Direction des finances — subventions",
                )
            },
            DepositKind::Facture => KindRules {
                payment_days: Some(30),
                documents: docs(&[
                    "facture originale",
                    "bon de commande ou référence de l'engagement",
                ]),
                ..base(
                    "Facture fournisseur",
                    "Direction des finances — service des dépenses",
                )
            },
            DepositKind::OffreMarche => KindRules {
                documents: docs(&["pli cacheté portant la référence de la consultation"]),
                ..base(
                    "Offre à un marché public",
                    "Service de la commande publique",
                )
            },
            DepositKind::PiecesComplementaires => KindRules {
                documents: docs(&["pièces demandées, avec la référence du dossier"]),
                ..base("Pièces complémentaires", "Service instructeur du dossier")
            },
            DepositKind::Autre => base("Autre courrier", "Service du courrier"),
        }
    }

    /// The last day of the delay after which silence is a decision, for an application.
    pub fn implicit_decision(&self, received: Date) -> Option<(Regime, Date)> {
        match (self.regime, self.delay) {
            (Regime::None, _) | (_, None) => None,
            (regime, Some(delay)) => delay.end(received).map(|d| (regime, d)),
        }
    }
}

/// One kind's overrides in `deposit-kinds.toml`: every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindOverride {
    pub label: Option<String>,
    pub service: Option<ServiceOverride>,
    pub regime: Option<Regime>,
    pub delay_months: Option<u16>,
    pub delay_days: Option<u16>,
    pub appeal: Option<String>,
    pub documents: Option<Vec<String>>,
    pub payment_days: Option<u16>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceOverride {
    pub name: Option<String>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `site_code` in the directory; `""` for none.
    pub directory: Option<String>,
}

/// `deposit-kinds.toml`: a table per kind identifier (`[demande_aide]`, `[facture]`…).
pub type KindOverrides = std::collections::BTreeMap<DepositKind, KindOverride>;

/// The rules of every kind: the built-in ones with `overrides` applied.
pub fn kind_rules(overrides: &KindOverrides) -> Result<Vec<KindRules>, String> {
    let mut out = Vec::new();
    for kind in DepositKind::ALL {
        let mut rules = KindRules::default_for(kind);
        if let Some(o) = overrides.get(&kind) {
            apply(&mut rules, o)?;
        }
        out.push(rules);
    }
    Ok(out)
}

fn apply(rules: &mut KindRules, o: &KindOverride) -> Result<(), String> {
    let kind = rules.kind;
    if let Some(l) = &o.label {
        rules.label = l.clone();
    }
    if let Some(s) = &o.service {
        let set = |target: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                *target = v.clone();
            }
        };
        set(&mut rules.service.name, &s.name);
        set(&mut rules.service.address, &s.address);
        set(&mut rules.service.email, &s.email);
        set(&mut rules.service.phone, &s.phone);
        if let Some(d) = &s.directory {
            rules.directory = (!d.trim().is_empty()).then(|| d.clone());
        }
    }
    if let Some(r) = o.regime {
        rules.regime = r;
    }
    match (o.delay_months, o.delay_days) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "[{kind}] : delay_months et delay_days ne peuvent pas être donnés ensemble"
            ));
        }
        (Some(m), None) => rules.delay = Some(Delay::Months(m)),
        (None, Some(d)) => rules.delay = Some(Delay::Days(d)),
        (None, None) => {}
    }
    if let Some(a) = &o.appeal {
        rules.appeal = Some(a.clone());
    }
    if let Some(d) = &o.documents {
        rules.documents = d.clone();
    }
    if let Some(p) = o.payment_days {
        rules.payment_days = Some(p);
    }
    if rules.regime != Regime::None && rules.delay.is_none() {
        return Err(format!(
            "[{kind}] : un régime {} demande un délai (delay_months ou delay_days)",
            if rules.regime == Regime::Sva {
                "SVA"
            } else {
                "SVR"
            }
        ));
    }
    if rules.regime == Regime::Svr && rules.appeal.as_deref().is_none_or(|a| a.trim().is_empty()) {
        return Err(format!(
            "[{kind}] : le silence vaut rejet, la mention des voies et délais de recours (appeal) est obligatoire (CRPA L112-6)"
        ));
    }
    Ok(())
}

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
// A deposit, as typed at the desk.

/// Invoice facts, required for an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceFacts {
    pub siret: Siret,
    pub number: String,
    pub amount: Cents,
    pub date: Option<Date>,
}

/// A deposit checked and ready to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeposit {
    pub kind: DepositKind,
    pub depositor: String,
    pub address: Option<String>,
    pub subject: Option<String>,
    pub pages: u32,
    pub invoice: Option<InvoiceFacts>,
    /// For a bid: the consultation's deadline.
    pub bid_deadline: Option<Timestamp>,
    /// When the deposit was made, if not now (a deposit registered after the fact).
    pub received_at: Option<Timestamp>,
    /// The file number of the person the paper concerns, when known: the deposit then shows
    /// on the person's page at the desk.
    pub dossier: Option<String>,
}

/// A file number is at most this long.
const MAX_DOSSIER: usize = 30;

/// The raw fields typed by the agent.
#[derive(Debug, Clone, Default)]
pub struct DepositInput {
    pub kind: String,
    pub depositor: String,
    pub address: Option<String>,
    pub subject: Option<String>,
    pub pages: Option<String>,
    pub siret: Option<String>,
    pub invoice_number: Option<String>,
    pub amount: Option<String>,
    pub invoice_date: Option<String>,
    pub deadline: Option<String>,
    pub received_at: Option<String>,
    pub dossier: Option<String>,
}

/// Why a deposit cannot be registered: the field (as the agent typed it) and why, in French.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} : {message}")]
pub struct DepositError {
    pub field: &'static str,
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> DepositError {
    DepositError {
        field,
        message: message.into(),
    }
}

fn non_blank(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Reads a local date and time (`AAAA-MM-JJ HH:MM[:SS]`, `JJ/MM/AAAA HH:MM`, or a date alone
/// meaning the end of that day for a deadline, its start otherwise) in `tz`.
pub fn parse_local_datetime(s: &str, tz: &TimeZone, end_of_day: bool) -> Option<Timestamp> {
    let t = s.trim();
    let (d, time) = match t.split_once([' ', 'T']) {
        Some((d, time)) => (d, Some(time.trim())),
        None => (t, None),
    };
    let date = crate::calendar::parse_date(d).ok()?;
    let time = match time {
        Some(h) => h.replace('h', ":").parse::<jiff::civil::Time>().ok()?,
        None if end_of_day => jiff::civil::time(23, 59, 59, 0),
        None => jiff::civil::time(0, 0, 0, 0),
    };
    DateTime::from_parts(date, time)
        .to_zoned(tz.clone())
        .ok()
        .map(|z| z.timestamp())
}

impl NewDeposit {
    /// Checks the typed fields; `now` is the clock, `tz` the authority's time zone.
    pub fn parse(
        input: &DepositInput,
        now: Timestamp,
        tz: &TimeZone,
    ) -> Result<NewDeposit, DepositError> {
        let kind = DepositKind::parse(&input.kind).ok_or_else(|| {
            err(
                "--kind",
                format!(
                    "type de dépôt inconnu « {} » (attendu : {})",
                    input.kind.trim(),
                    DepositKind::ALL.map(|k| k.as_str()).join(", ")
                ),
            )
        })?;
        let depositor = input.depositor.trim().to_owned();
        if depositor.is_empty() {
            return Err(err("--from", "le nom du déposant est vide"));
        }
        if depositor.chars().count() > 200 || depositor.chars().any(char::is_control) {
            return Err(err(
                "--from",
                "nom du déposant trop long (200 caractères au plus) ou avec des caractères de contrôle",
            ));
        }
        let pages = match non_blank(&input.pages) {
            None => 1,
            Some(p) => match p.parse::<u32>() {
                Ok(n) if (1..=100_000).contains(&n) => n,
                _ => {
                    return Err(err(
                        "--pages",
                        format!("nombre de pages illisible « {p} » (un entier de 1 à 100000)"),
                    ));
                }
            },
        };
        let received_at = match non_blank(&input.received_at) {
            None => None,
            Some(s) => {
                let at = parse_local_datetime(&s, tz, false).ok_or_else(|| {
                    err(
                        "--at",
                        format!(
                            "date et heure du dépôt illisibles « {s} » (attendu AAAA-MM-JJ HH:MM)"
                        ),
                    )
                })?;
                if at > now {
                    return Err(err(
                        "--at",
                        format!("la date du dépôt « {s} » est dans le futur"),
                    ));
                }
                Some(at)
            }
        };
        let invoice = if kind == DepositKind::Facture {
            Some(parse_invoice(input, received_at.unwrap_or(now), tz)?)
        } else {
            if non_blank(&input.siret).is_some() || non_blank(&input.amount).is_some() {
                return Err(err(
                    "--siret",
                    "SIRET et montant ne se donnent que pour une facture (--kind facture)",
                ));
            }
            None
        };
        let bid_deadline = match (kind, non_blank(&input.deadline)) {
            (DepositKind::OffreMarche, None) => {
                return Err(err(
                    "--deadline",
                    "la date limite de remise des offres est obligatoire pour une offre (AAAA-MM-JJ HH:MM)",
                ));
            }
            (DepositKind::OffreMarche, Some(s)) => {
                Some(parse_local_datetime(&s, tz, true).ok_or_else(|| {
                    err(
                        "--deadline",
                        format!("date limite illisible « {s} » (attendu AAAA-MM-JJ HH:MM)"),
                    )
                })?)
            }
            (_, Some(_)) => {
                return Err(err(
                    "--deadline",
                    "une date limite ne se donne que pour une offre (--kind offre_marche)",
                ));
            }
            (_, None) => None,
        };
        let dossier = non_blank(&input.dossier);
        if let Some(d) = &dossier
            && (d.chars().count() > MAX_DOSSIER || d.chars().any(char::is_control))
        {
            return Err(err(
                "--dossier",
                format!("numéro de dossier illisible (au plus {MAX_DOSSIER} caractères)"),
            ));
        }
        Ok(NewDeposit {
            kind,
            depositor,
            address: non_blank(&input.address),
            subject: non_blank(&input.subject),
            pages,
            invoice,
            bid_deadline,
            received_at,
            dossier,
        })
    }
}

fn parse_invoice(
    input: &DepositInput,
    received: Timestamp,
    tz: &TimeZone,
) -> Result<InvoiceFacts, DepositError> {
    let siret = non_blank(&input.siret).ok_or_else(|| {
        err(
            "--siret",
            "le SIRET du fournisseur est obligatoire pour une facture",
        )
    })?;
    let siret = Siret::parse(&siret).map_err(|e| err("--siret", e.to_string()))?;
    let number = non_blank(&input.invoice_number).ok_or_else(|| {
        err(
            "--invoice-number",
            "le numéro de la facture est obligatoire pour une facture",
        )
    })?;
    let amount = non_blank(&input.amount).ok_or_else(|| {
        err(
            "--amount",
            "le montant TTC est obligatoire pour une facture",
        )
    })?;
    let amount = Cents::parse(&amount).map_err(|e| err("--amount", e.to_string()))?;
    if amount.0 <= 0 {
        return Err(err(
            "--amount",
            "le montant d'une facture doit être positif",
        ));
    }
    let date = match non_blank(&input.invoice_date) {
        None => None,
        Some(s) => {
            let d = crate::calendar::parse_date(&s)
                .map_err(|e| err("--invoice-date", e.to_string()))?;
            if d > crate::calendar::local_date(received, tz) {
                return Err(err(
                    "--invoice-date",
                    format!("la date de la facture « {s} » est postérieure à sa réception"),
                ));
            }
            Some(d)
        }
    };
    Ok(InvoiceFacts {
        siret,
        number,
        amount,
        date,
    })
}

/// A registered deposit: its number, the exact instant of receipt, and what was deposited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deposit {
    pub number: ChronoNumber,
    pub received_at: Timestamp,
    pub registered_by: String,
    pub facts: NewDeposit,
    /// The signed code printed on the receipt.
    pub receipt_code: String,
    pub cancellation: Option<Cancellation>,
}

/// A cancelled number stays in the register with why, when and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellation {
    pub at: Timestamp,
    pub by: String,
    pub reason: String,
}

/// Whether a bid received at `received` meets the consultation's `deadline` (on time up to and
/// including the deadline's minute).
pub fn bid_on_time(received: Timestamp, deadline: Timestamp) -> bool {
    received <= deadline
}

// ---------------------------------------------------------------------------------------------
// Invoices: payment deadline and late-payment interest.

/// The last day to pay an invoice received on `received` (CCP R2192-10: 30 days for the
/// collectivités; the delay runs from the date of receipt recorded by the services, R2192-12).
pub fn invoice_deadline(received: Date, payment_days: u16) -> Option<Date> {
    Delay::Days(payment_days).end(received)
}

/// The date of receipt of an invoice when the services recorded none: its date + 2 days
/// (décret n° 2013-269, art. 2; CCP R2192-12).
pub fn presumed_receipt(invoice_date: Date) -> Option<Date> {
    invoice_date.checked_add(2.days()).ok()
}

/// A rate of the ECB's main refinancing operations, in force from `from`, in basis points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcbRate {
    pub from: Date,
    pub basis_points: u32,
}

/// The ECB main refinancing operations rate (fixed rate tenders), as changed since 2016.
/// Source: European Central Bank, "Key ECB interest rates", https://www.ecb.europa.eu/stats/
/// policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html (dates are those from
/// which each rate applies). Later changes are added in `DATA/ecb-rates.toml`.
pub const ECB_MRO_RATES: &[(i16, i8, i8, u32)] = &[
    (2016, 3, 16, 0),
    (2022, 7, 27, 50),
    (2022, 9, 14, 125),
    (2022, 11, 2, 200),
    (2022, 12, 21, 250),
    (2023, 2, 8, 300),
    (2023, 3, 22, 350),
    (2023, 5, 10, 375),
    (2023, 6, 21, 400),
    (2023, 8, 2, 425),
    (2023, 9, 20, 450),
    (2024, 6, 12, 425),
    (2024, 9, 18, 365),
    (2024, 10, 23, 340),
    (2024, 12, 18, 315),
    (2025, 2, 5, 290),
    (2025, 3, 12, 265),
    (2025, 4, 23, 240),
    (2025, 6, 11, 215),
];

/// The built-in table as [`EcbRate`]s.
pub fn default_ecb_rates() -> Vec<EcbRate> {
    ECB_MRO_RATES
        .iter()
        .filter_map(|&(y, m, d, bp)| {
            Date::new(y, m, d).ok().map(|from| EcbRate {
                from,
                basis_points: bp,
            })
        })
        .collect()
}

/// The late-payment rate, in basis points, for interest that started to run on `start`: the
/// ECB rate in force on the first day of that calendar half-year, plus 8 points (décret
/// n° 2013-269, art. 8; CCP R2192-31). `None` when the table does not reach back that far.
pub fn late_rate(rates: &[EcbRate], start: Date) -> Option<u32> {
    let semester_start = Date::new(start.year(), if start.month() <= 6 { 1 } else { 7 }, 1).ok()?;
    rates
        .iter()
        .filter(|r| r.from <= semester_start)
        .max_by_key(|r| r.from)
        .map(|r| r.basis_points + 800)
}

/// Simple interest on `amount` at `basis_points` a year for `days` days, in cents, exactly:
/// amount × bp × days / (10,000 × 365), computed on integers (i128) and rounded half up. Year of
/// 365 days (the decree gives no day count; we follow the DGFiP's practice, "année civile").
pub fn interest(amount: Cents, basis_points: u32, days: u32) -> Option<Cents> {
    if amount.0 <= 0 || days == 0 {
        return Some(Cents::ZERO);
    }
    let num = i128::from(amount.0) * i128::from(basis_points) * i128::from(days);
    let den: i128 = 10_000 * 365;
    // Half up for a positive quotient: floor((2n + d) / 2d).
    let q = (2 * num + den) / (2 * den);
    i64::try_from(q).ok().map(Cents)
}

/// The fixed compensation for recovery costs, EUR 40 (décret n° 2013-269, art. 9; CCP R2192-35).
pub const RECOVERY_INDEMNITY: Cents = Cents(4_000);

/// Where an open invoice stands on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoiceStanding {
    pub deadline: Date,
    /// Days left before the deadline (negative: days late).
    pub days_left: i64,
    /// When late: the rate applied, the interest to `today` included, and the indemnity.
    pub late: Option<LateCharges>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LateCharges {
    pub basis_points: u32,
    pub days: u32,
    pub interest: Cents,
    pub indemnity: Cents,
}

/// The standing of an invoice received on `received`, if paid on `today`: interest runs from
/// the day after the deadline to the payment date included (CCP R2192-31).
pub fn invoice_standing(
    amount: Cents,
    received: Date,
    payment_days: u16,
    today: Date,
    rates: &[EcbRate],
) -> Option<InvoiceStanding> {
    let deadline = invoice_deadline(received, payment_days)?;
    let days_left = -i64::from(deadline.until((jiff::Unit::Day, today)).ok()?.get_days());
    let late = if days_left < 0 {
        let start = deadline.tomorrow().ok()?;
        let basis_points = late_rate(rates, start)?;
        let days = u32::try_from(-days_left).ok()?;
        Some(LateCharges {
            basis_points,
            days,
            interest: interest(amount, basis_points, days)?,
            indemnity: RECOVERY_INDEMNITY,
        })
    } else {
        None
    };
    Some(InvoiceStanding {
        deadline,
        days_left,
        late,
    })
}

#[cfg(test)]
mod tests;
