//! The kinds of deposit and what the receipt of each must say: who decides, what silence means
//! and after how long, on which texts, and the appeal routes. The built-in rules are in
//! [`super::defaults`]; an authority overrides them field by field in `deposit-kinds.toml`.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What was deposited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepositKind {
    /// Allocation personnalisée d'autonomie (CASF L232-1 and following): deemed granted at a
    /// flat amount after two months (L232-14).
    DemandeApa,
    /// Prestation de compensation du handicap, decided by the CDAPH of the MDPH (CASF L245-2).
    DemandePch,
    /// Aide sociale à l'hébergement (CASF L231-4 for the elderly, L344-5 for disabled adults).
    DemandeAsh,
    /// Any other social aid. Before the kinds were split (issue #19) it also held APA and PCH
    /// applications: such deposits keep this kind and read as "other social aid".
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
    /// In the order of the forms and lists.
    pub const ALL: [DepositKind; 9] = [
        DepositKind::DemandeApa,
        DepositKind::DemandePch,
        DepositKind::DemandeAsh,
        DepositKind::DemandeAide,
        DepositKind::DemandeSubvention,
        DepositKind::Facture,
        DepositKind::OffreMarche,
        DepositKind::PiecesComplementaires,
        DepositKind::Autre,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DepositKind::DemandeApa => "demande_apa",
            DepositKind::DemandePch => "demande_pch",
            DepositKind::DemandeAsh => "demande_ash",
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
            DepositKind::DemandeApa => 7,
            DepositKind::DemandePch => 8,
            DepositKind::DemandeAsh => 9,
        }
    }

    pub fn from_code(code: u8) -> Option<DepositKind> {
        DepositKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Whether silence on it can become a decision (an application, CRPA L112-3).
    pub fn is_application(self) -> bool {
        matches!(
            self,
            DepositKind::DemandeApa
                | DepositKind::DemandePch
                | DepositKind::DemandeAsh
                | DepositKind::DemandeAide
                | DepositKind::DemandeSubvention
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

impl Regime {
    pub fn label_fr(self) -> &'static str {
        match self {
            Regime::Sva => "silence vaut acceptation",
            Regime::Svr => "silence vaut rejet",
            Regime::None => "pas de décision implicite",
        }
    }
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
    /// Who decides, as printed ("la commission des droits et de l'autonomie…").
    pub decided_by: Option<String>,
    pub regime: Regime,
    pub delay: Option<Delay>,
    /// The texts that set the regime and delay, printed after the implicit decision.
    pub basis: Option<String>,
    /// What an implicit acceptance gives, when more than "the application is accepted" (APA:
    /// deemed granted at a flat amount, CASF L232-14). Printed in place of "réputée acceptée".
    pub acceptance: Option<String>,
    /// When set, the receipt of a complete file states the date it became complete, citing
    /// this text (APA: CASF R232-23).
    pub completion_basis: Option<String>,
    /// For a rejection: the appeal routes and delays, printed on the receipt.
    pub appeal: Option<String>,
    pub documents: Vec<String>,
    /// For invoices: the payment delay in days.
    pub payment_days: Option<u16>,
}

impl KindRules {
    /// The last day of the delay after which silence is a decision, the delay running from
    /// `start`: the day of receipt, or the day the file became complete (CRPA L114-5).
    pub fn implicit_decision(&self, start: Date) -> Option<(Regime, Date)> {
        match (self.regime, self.delay) {
            (Regime::None, _) | (_, None) => None,
            (regime, Some(delay)) => delay.end(start).map(|d| (regime, d)),
        }
    }
}

/// One kind's overrides in `deposit-kinds.toml`: every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindOverride {
    pub label: Option<String>,
    pub service: Option<ServiceOverride>,
    pub decided_by: Option<String>,
    pub regime: Option<Regime>,
    pub delay_months: Option<u16>,
    pub delay_days: Option<u16>,
    pub basis: Option<String>,
    pub acceptance: Option<String>,
    pub completion_basis: Option<String>,
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

/// `deposit-kinds.toml`: a table per kind identifier (`[demande_apa]`, `[facture]`…).
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

/// An optional text of the overrides: `""` removes it.
fn set_optional(target: &mut Option<String>, value: &Option<String>) {
    if let Some(v) = value {
        *target = (!v.trim().is_empty()).then(|| v.clone());
    }
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
        set_optional(&mut rules.directory, &s.directory);
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
    set_optional(&mut rules.decided_by, &o.decided_by);
    set_optional(&mut rules.basis, &o.basis);
    set_optional(&mut rules.acceptance, &o.acceptance);
    set_optional(&mut rules.completion_basis, &o.completion_basis);
    set_optional(&mut rules.appeal, &o.appeal);
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
    if rules.regime == Regime::Svr && rules.appeal.is_none() {
        return Err(format!(
            "[{kind}] : le silence vaut rejet, la mention des voies et délais de recours (appeal) est obligatoire (CRPA L112-6)"
        ));
    }
    if rules.regime != Regime::Sva && rules.acceptance.is_some() {
        return Err(format!(
            "[{kind}] : « acceptance » ne se donne que pour un régime « sva »"
        ));
    }
    Ok(())
}
