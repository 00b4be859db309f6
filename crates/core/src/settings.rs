//! The authority's settings: who it is, its time zone and its public holidays, and how its
//! benefits are paid (the chart of imputations per benefit and payee kind).

use crate::calendar::HolidayZone;
use crate::ids::{Bic, Iban, Siret};
use crate::imputation::{self, ImputationError, M57Account, M57Function};
use crate::records::{Benefit, PayeeKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod database;
pub use database::DatabaseSettings;

/// `settings.toml` in the data folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub authority: Authority,
    /// What payment runs need; runs refuse to start without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payments: Option<PaymentSettings>,
    /// How long a web session stays open.
    #[serde(default, skip_serializing_if = "SessionSettings::is_default")]
    pub sessions: SessionSettings,
    /// The courrier service's register; the defaults when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courrier: Option<CourrierSettings>,
    /// `[database]`: a PostgreSQL server shared by several Relais processes; absent, the
    /// folder's own SQLite file `relais.db`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseSettings>,
}

/// `[sessions]`: a session unused for `idle_minutes` is closed, and any session
/// `absolute_hours` after it was opened (a working day), however busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionSettings {
    pub idle_minutes: u32,
    pub absolute_hours: u32,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            idle_minutes: 30,
            absolute_hours: 10,
        }
    }
}

/// `[courrier]`: how the register of paper deposits behaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourrierSettings {
    /// How long before its registration a deposit may say it was received (with a reason):
    /// paper taken while the register was down is registered when it is back, within this
    /// window; a later one is refused.
    #[serde(default = "default_backdate_window_hours")]
    pub backdate_window_hours: u32,
}

impl Default for CourrierSettings {
    fn default() -> Self {
        CourrierSettings {
            backdate_window_hours: default_backdate_window_hours(),
        }
    }
}

impl SessionSettings {
    fn is_default(&self) -> bool {
        *self == SessionSettings::default()
    }

    /// Within a day, and idle no longer than the whole.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=24).contains(&self.absolute_hours) {
            return Err(format!(
                "durée maximale d'une session hors de 1 à 24 heures : {} (sessions.absolute_hours)",
                self.absolute_hours
            ));
        }
        if self.idle_minutes == 0 || self.idle_minutes > self.absolute_hours * 60 {
            return Err(format!(
                "inactivité maximale hors de 1 minute à la durée maximale d'une session : {} (sessions.idle_minutes)",
                self.idle_minutes
            ));
        }
        Ok(())
    }
}

fn default_backdate_window_hours() -> u32 {
    crate::deposits::DEFAULT_BACKDATE_WINDOW_HOURS
}

/// `[payments]`: the PES header, the account transfers are paid from, and per benefit its
/// budget imputation and pay day. Imputations are checked against the M57 lists by
/// [`PaymentSettings::validate`]; the PES writer checks their form again at export
/// (`relais_formats::payments::model`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentSettings {
    /// `CodCol`: three digits given by the DGFiP.
    pub collectivity_code: String,
    /// `CodBud`: the budget (`01` for the main budget).
    pub budget_code: String,
    /// `IdPost`: the public accountant's post (six digits).
    pub post_id: String,
    /// `LibelleColBud` (≤ 38).
    #[serde(default)]
    pub budget_label: String,
    /// The account at the Banque de France (or the Trésor) the transfers are paid from.
    pub debtor_name: String,
    pub debtor_iban: Iban,
    #[serde(default)]
    pub debtor_bic: Option<Bic>,
    /// People whose monthly total for a benefit changed by more than this many euros against
    /// the previous month are listed in the control report.
    #[serde(default = "default_change_threshold")]
    pub change_threshold_euros: u32,
    /// Bank details changed within this many days before a run are held until an
    /// ordonnateur approves them (`relais bank approve`), and shown as anomalies after.
    #[serde(default = "default_bank_change_days")]
    pub bank_change_days: u16,
    /// Per benefit (`APA_DOM`, `APA_ETAB`, `PCH`, `ASH`, `RSA`).
    pub benefits: BTreeMap<Benefit, BenefitPayment>,
    /// The CAF the RSA is paid to (CASF L262-25): a run with RSA mandates it the month's
    /// advance. Without it, RSA is not mandated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caf: Option<CafPayee>,
    /// `[payments.payroll]`: the payroll's creditors and pay day (docs/payroll.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payroll: Option<crate::payroll::PayrollSettings>,
    /// `[payments.suppliers]`: where late interest is mandated (docs/invoices.md).
    #[serde(default)]
    pub suppliers: SupplierSettings,
}

/// `[payments.suppliers]`: how supplier runs mandate late interest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplierSettings {
    /// The account late interest and the EUR 40 indemnity are mandated on (M57 6711
    /// "intérêts moratoires et pénalités sur marchés"); the function is the invoice's.
    #[serde(default = "default_interest_account")]
    pub interest_account: String,
}

fn default_interest_account() -> String {
    "6711".into()
}

impl Default for SupplierSettings {
    fn default() -> SupplierSettings {
        SupplierSettings {
            interest_account: default_interest_account(),
        }
    }
}

/// `[payments.caf]`: the caisse d'allocations familiales as a payee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CafPayee {
    /// `CAF DE SEINE-ET-MARNE`.
    pub name: String,
    pub iban: Iban,
    #[serde(default)]
    pub bic: Option<Bic>,
    #[serde(default)]
    pub siret: Option<Siret>,
    pub address: String,
    pub postal_code: String,
    pub city: String,
}

/// How one benefit is mandated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenefitPayment {
    /// `Nature`: the budget account (M57), used when the right has no imputation of its own
    /// and `by_payee` has none for the payee's kind.
    pub account: String,
    /// `Fonction` (M57), with the same precedence.
    pub function: String,
    /// The day of the month it is paid (moved back to a working day).
    #[serde(default = "default_pay_day")]
    pub pay_day: i8,
    /// Amounts above this many euros a month are shown as anomalies.
    #[serde(default)]
    pub ceiling_euros: Option<u32>,
    /// The imputation for a kind of payee, where it differs from the default above: APA at
    /// home paid to a home-help service, APA in an establishment paid to the establishment
    /// (`[payments.benefits.APA_DOM.by_payee.service]`). Keys are `PayeeKind` codes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_payee: BTreeMap<PayeeKind, PayeeImputation>,
}

/// `[payments.benefits.<BENEFIT>.by_payee.<kind>]`: the imputation for one kind of payee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayeeImputation {
    /// `Nature` (M57).
    pub account: String,
    /// `Fonction` (M57).
    pub function: String,
}

/// The Banque de France's BIC for public-treasury accounts (`BDFEFRPPCCT`).
pub const TREASURY_BIC: &str = "BDFEFRPPCCT";

fn default_change_threshold() -> u32 {
    50
}
fn default_bank_change_days() -> u16 {
    30
}
fn default_pay_day() -> i8 {
    10
}

impl PaymentSettings {
    /// The imputation and pay day of `benefit`, when the settings name it.
    pub fn benefit(&self, benefit: Benefit) -> Option<&BenefitPayment> {
        self.benefits.get(&benefit)
    }

    /// The imputation (account, function) of `benefit` paid to a payee of kind `payee`: the
    /// override for that kind when there is one, else the benefit's default; `None` when the
    /// settings do not name the benefit. A right's own imputation (its account, from the
    /// extract) still wins over the account given here.
    pub fn imputation(&self, benefit: Benefit, payee: PayeeKind) -> Option<(&str, &str)> {
        let p = self.benefits.get(&benefit)?;
        Some(match p.by_payee.get(&payee) {
            Some(o) => (o.account.as_str(), o.function.as_str()),
            None => (p.account.as_str(), p.function.as_str()),
        })
    }

    /// A complete example, for the demo and for `docs/runbook.md`: pay day the 10th (APA: by
    /// the 10th, CASF R232-30), RSA on the 5th (hand-off to the CAF only), and M57 imputations
    /// per benefit and payee kind. Sources and what could not be verified: the module comment
    /// of [`crate::imputation`]; the accounts are the départements' social accounts as numbered
    /// in the M52 plan de comptes 2021 (unverified in the M57 text), to check with the paierie
    /// before a real run.
    pub fn example(debtor_name: &str, debtor_iban: Iban) -> PaymentSettings {
        let b = |account: &str,
                 function: &str,
                 pay_day,
                 ceiling,
                 by_payee: &[(PayeeKind, &str, &str)]| {
            BenefitPayment {
                account: account.into(),
                function: function.into(),
                pay_day,
                ceiling_euros: Some(ceiling),
                by_payee: by_payee
                    .iter()
                    .map(|(kind, account, function)| {
                        (
                            *kind,
                            PayeeImputation {
                                account: (*account).into(),
                                function: (*function).into(),
                            },
                        )
                    })
                    .collect(),
            }
        };
        PaymentSettings {
            collectivity_code: "077".into(),
            budget_code: "01".into(),
            post_id: "077000".into(),
            budget_label: "BUDGET PRINCIPAL".into(),
            debtor_name: debtor_name.into(),
            debtor_iban,
            // The Banque de France's BIC for the accounts of the public treasury (comptes au
            // Trésor of local authorities): the debtor agent of their SEPA transfers.
            debtor_bic: Bic::parse(TREASURY_BIC).ok(),
            change_threshold_euros: default_change_threshold(),
            bank_change_days: default_bank_change_days(),
            benefits: BTreeMap::from([
                // APA at home: 651142 "APA versée au bénéficiaire", to a home-help service
                // 651141 "APA à domicile versée au service d'aide à domicile" (M52 2021 plan de
                // comptes, chapter 016); function 431 "APA à domicile" (docs/domain.md, unverified).
                (
                    Benefit::ApaDom,
                    b(
                        "651142",
                        "431",
                        10,
                        2_500,
                        &[(PayeeKind::Service, "651141", "431")],
                    ),
                ),
                // APA in an establishment: 651143 "APA versée au bénéficiaire en l'établissement"
                // with 432 "APA versée au bénéficiaire en établissement"; to the establishment
                // 651144 "APA versée à l'établissement" with 433 (same sources).
                (
                    Benefit::ApaEtab,
                    b(
                        "651143",
                        "432",
                        10,
                        2_500,
                        &[(PayeeKind::Etablissement, "651144", "433")],
                    ),
                ),
                // PCH: 6511211 "Prestations de compensation du handicap - plus de 20 ans"
                // (6511212 under 20: a right's own imputation says so); function 425
                // "Personnes handicapées" (M57 referential, verified).
                (Benefit::Pch, b("6511211", "425", 10, 6_000, &[])),
                // ASH of elderly people: 65243 "Frais de séjour en établissements pour personnes
                // âgées"; function 423 "Personnes âgées" (M57 referential, verified). Disabled
                // adults' ASH is 65242 with 425.
                (Benefit::Ash, b("65243", "423", 10, 5_000, &[])),
                // RSA, paid by the CAF and funded by the département (CASF L262-16, L262-25): the
                // monthly payment to the CAF, 65171 "RSA - Versements pour allocations forfaitaires"
                // (chapter 017); function 447 "Allocations RSA" (docs/domain.md, unverified).
                (Benefit::Rsa, b("65171", "447", 5, 2_000, &[])),
            ]),
            // A fictitious account of the demo's CAF at the Banque de France.
            payroll: Some(crate::payroll::PayrollSettings::example()),
            suppliers: SupplierSettings::default(),
            caf: Iban::parse("FR7630001000640000004051730")
                .ok()
                .map(|iban| CafPayee {
                    name: "CAF DE SEINE-ET-MARNE".into(),
                    iban,
                    bic: Bic::parse(TREASURY_BIC).ok(),
                    siret: None,
                    address: "21 rue Paul Doumer".into(),
                    postal_code: "77000".into(),
                    city: "Melun".into(),
                }),
        }
    }

    /// What serde cannot check.
    pub fn validate(&self) -> Result<(), String> {
        if self.debtor_name.trim().is_empty() {
            return Err("le nom du compte débité est vide (payments.debtor_name)".into());
        }
        for (benefit, p) in &self.benefits {
            let key = format!("payments.benefits.{}", benefit.code());
            if !(1..=31).contains(&p.pay_day) {
                return Err(format!(
                    "jour de paiement {} hors de 1 à 31 ({key}.pay_day)",
                    p.pay_day
                ));
            }
            check_keyed(&p.account, &p.function, &key)?;
            for (kind, o) in &p.by_payee {
                check_keyed(
                    &o.account,
                    &o.function,
                    &format!("{key}.by_payee.{}", kind.code()),
                )?;
            }
        }
        Ok(())
    }
}

/// An imputation of the settings, refused with the TOML key of the wrong value.
fn check_keyed(account: &str, function: &str, key: &str) -> Result<(), String> {
    M57Account::parse(account).map_err(|e| format!("{e} ({key}.account)"))?;
    M57Function::parse(function).map_err(|e| format!("{e} ({key}.function)"))?;
    Ok(())
}

/// Checks a right's imputation as an extract gives it (`651142`, `65-651142`, `65/651142`:
/// the account is its last group of digits, [`crate::run::imputation_account`]) with the
/// function the settings give for that right's benefit and payee kind
/// ([`PaymentSettings::imputation`]): the extract carries no function.
pub fn check_imputation(account: &str, function: &str) -> Result<(), ImputationError> {
    let code = crate::run::imputation_account(account)
        .ok_or_else(|| ImputationError::MalformedAccount(account.to_owned()))?;
    imputation::check(code, function)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authority {
    /// "Département de Seine-et-Marne".
    pub name: String,
    pub siret: Siret,
    /// IANA name, e.g. `Europe/Paris`, `America/Martinique`.
    pub time_zone: String,
    pub holiday_zone: HolidayZone,
}

impl Settings {
    /// The register's settings, the defaults when the file has none.
    pub fn courrier(&self) -> CourrierSettings {
        self.courrier.clone().unwrap_or_default()
    }

    /// Checks what serde cannot: a known time zone, a non-empty name.
    pub fn validate(&self) -> Result<(), String> {
        if self.authority.name.trim().is_empty() {
            return Err("le nom de la collectivité est vide (authority.name)".into());
        }
        crate::calendar::time_zone(&self.authority.time_zone)
            .map_err(|e| format!("{e} (authority.time_zone)"))?;
        if let Some(p) = &self.payments {
            p.validate()?;
        }
        if let Some(d) = &self.database {
            d.validate()?;
        }
        if let Some(c) = &self.courrier
            && !(1..=24 * 31).contains(&c.backdate_window_hours)
        {
            return Err(format!(
                "fenêtre d'enregistrement différé de {} h hors de 1 à 744 h (courrier.backdate_window_hours)",
                c.backdate_window_hours
            ));
        }
        self.sessions.validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> PaymentSettings {
        let iban = Iban::parse("FR7630001007941234567890185").expect("iban");
        PaymentSettings::example("PAIERIE DEPARTEMENTALE", iban)
    }

    #[test]
    fn every_imputation_of_the_example_is_m57() {
        let p = example();
        assert_eq!(p.validate(), Ok(()));
        for benefit in Benefit::ALL {
            for kind in PayeeKind::ALL {
                let (account, function) = p.imputation(benefit, kind).expect("named");
                assert_eq!(
                    imputation::check(account, function),
                    Ok(()),
                    "{} {}",
                    benefit.code(),
                    kind.code()
                );
            }
        }
    }

    #[test]
    fn the_example_splits_apa_by_payee() {
        let p = example();
        let at = |b, k| p.imputation(b, k).expect("named");
        assert_eq!(at(Benefit::ApaDom, PayeeKind::Personne), ("651142", "431"));
        assert_eq!(at(Benefit::ApaDom, PayeeKind::Tuteur), ("651142", "431"));
        assert_eq!(at(Benefit::ApaDom, PayeeKind::Service), ("651141", "431"));
        assert_eq!(at(Benefit::ApaEtab, PayeeKind::Personne), ("651143", "432"));
        assert_eq!(
            at(Benefit::ApaEtab, PayeeKind::Etablissement),
            ("651144", "433")
        );
        assert_eq!(at(Benefit::Ash, PayeeKind::Etablissement), ("65243", "423"));
        assert_eq!(at(Benefit::Pch, PayeeKind::Personne), ("6511211", "425"));
        assert_eq!(at(Benefit::Rsa, PayeeKind::Personne), ("65171", "447"));
    }

    #[test]
    fn an_override_wins_over_the_default_and_none_without_the_benefit() {
        let mut p = example();
        let pch = p.benefits.get_mut(&Benefit::Pch).expect("pch");
        pch.by_payee.insert(
            PayeeKind::Service,
            PayeeImputation {
                account: "6511212".into(),
                function: "425".into(),
            },
        );
        assert_eq!(
            p.imputation(Benefit::Pch, PayeeKind::Service),
            Some(("6511212", "425"))
        );
        assert_eq!(
            p.imputation(Benefit::Pch, PayeeKind::Personne),
            Some(("6511211", "425"))
        );
        p.benefits.remove(&Benefit::Pch);
        assert_eq!(p.imputation(Benefit::Pch, PayeeKind::Personne), None);
    }

    #[test]
    fn validate_refuses_m52_codes_naming_the_key() {
        let mut p = example();
        let apa = p.benefits.get_mut(&Benefit::ApaDom).expect("apa");
        apa.function = "551".into();
        let err = p.validate().expect_err("M52 function");
        assert!(err.contains("fonction 551"), "{err}");
        assert!(err.contains("M52"), "{err}");
        assert!(
            err.ends_with("(payments.benefits.APA_DOM.function)"),
            "{err}"
        );

        let mut p = example();
        let apa = p.benefits.get_mut(&Benefit::ApaDom).expect("apa");
        if let Some(o) = apa.by_payee.get_mut(&PayeeKind::Service) {
            o.function = "564".into();
        }
        let err = p.validate().expect_err("M52 function in an override");
        assert!(
            err.ends_with("(payments.benefits.APA_DOM.by_payee.service.function)"),
            "{err}"
        );

        let mut p = example();
        let ash = p.benefits.get_mut(&Benefit::Ash).expect("ash");
        ash.account = "652421".into();
        let err = p.validate().expect_err("unlisted account");
        assert!(err.contains("compte 652421"), "{err}");
        assert!(err.ends_with("(payments.benefits.ASH.account)"), "{err}");

        let mut p = example();
        let rsa = p.benefits.get_mut(&Benefit::Rsa).expect("rsa");
        rsa.account = "6517".into();
        let err = p.validate().expect_err("heading");
        assert!(err.contains("65171"), "{err}");
    }

    #[test]
    fn sessions_default_to_a_working_day_and_are_checked() {
        let d = SessionSettings::default();
        assert_eq!((d.idle_minutes, d.absolute_hours), (30, 10));
        assert_eq!(d.validate(), Ok(()));
        let read: SessionSettings = toml::from_str("absolute_hours = 8").expect("toml");
        assert_eq!((read.idle_minutes, read.absolute_hours), (30, 8));
        for bad in [(30, 0), (30, 25), (0, 10), (601, 10)] {
            let s = SessionSettings {
                idle_minutes: bad.0,
                absolute_hours: bad.1,
            };
            assert!(s.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn check_imputation_reads_the_extract_column() {
        assert_eq!(check_imputation("65-651142", "431"), Ok(()));
        assert_eq!(check_imputation("016/651141", "431"), Ok(()));
        assert!(matches!(
            check_imputation("65-652421", "423"),
            Err(ImputationError::UnknownAccount(a)) if a == "652421"
        ));
        assert!(matches!(
            check_imputation("aucune", "423"),
            Err(ImputationError::MalformedAccount(_))
        ));
        assert!(matches!(
            check_imputation("651142", "551"),
            Err(ImputationError::UnknownFunction { .. })
        ));
    }
}
