//! `[payments.payroll]`: the payroll's pay day, the imputation of a net paid alone, and the
//! creditors the lines name (docs/payroll.md).

use crate::ids::{Bic, Iban, Siret};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `[payments.payroll]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayrollSettings {
    /// The day of the month the pay reaches the agents (moved back to a working day).
    #[serde(default = "default_pay_day")]
    pub pay_day: i8,
    /// `Nature` and `Fonction` of a net repeated without its lines (no `paie.csv`): the
    /// gross's account of the titulaires (M57 6411) and the function of the authority's
    /// general administration, unless the settings say better.
    #[serde(default = "default_net_account")]
    pub net_account: String,
    #[serde(default = "default_net_function")]
    pub net_function: String,
    /// By the code `paie.csv` names them in `creancier` (`URSSAF`, `CNRACL`, `DGFIP`…).
    #[serde(default)]
    pub creditors: BTreeMap<String, Creditor>,
}

/// `[payments.payroll.creditors.<CODE>]`: a body contributions or the prélèvement à la source
/// are paid to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Creditor {
    /// `URSSAF D'ILE-DE-FRANCE`.
    pub name: String,
    #[serde(default)]
    pub siret: Option<Siret>,
    pub iban: Iban,
    #[serde(default)]
    pub bic: Option<Bic>,
    /// `CatTiers` and `NatJur` (DosTech annexe 3): URSSAF 60/04, CNRACL 70/05, IRCANTEC
    /// 71/05, the DGFiP 20/07, a mutual insurer 64/03.
    pub category: String,
    pub legal_nature: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
}

fn default_pay_day() -> i8 {
    27
}

fn default_net_account() -> String {
    "6411".into()
}

fn default_net_function() -> String {
    "020".into()
}

impl PayrollSettings {
    /// The demo's: fictitious accounts at the Banque de France for the bodies a département's
    /// payroll pays (the URSSAF, the CNRACL and the IRCANTEC — both managed by the Caisse des
    /// dépôts —, the DGFiP for the prélèvement à la source, a mutual insurer).
    pub fn example() -> PayrollSettings {
        let body = |name: &str,
                    iban: &str,
                    category: &str,
                    nature: &str,
                    address: &str,
                    city: (&str, &str)| {
            Iban::parse(iban).ok().map(|iban| Creditor {
                name: name.into(),
                siret: None,
                iban,
                bic: Bic::parse(crate::settings::TREASURY_BIC).ok(),
                category: category.into(),
                legal_nature: nature.into(),
                address: address.into(),
                postal_code: city.0.into(),
                city: city.1.into(),
            })
        };
        let creditors = [
            (
                "URSSAF",
                body(
                    "URSSAF ILE-DE-FRANCE",
                    "FR7630001000640000075010140",
                    "60",
                    "04",
                    "22 rue de Lagny",
                    ("93100", "Montreuil"),
                ),
            ),
            (
                "CNRACL",
                body(
                    "CNRACL",
                    "FR7630001000640000075020228",
                    "70",
                    "05",
                    "Rue du Vergne",
                    ("33059", "Bordeaux"),
                ),
            ),
            (
                "IRCANTEC",
                body(
                    "IRCANTEC",
                    "FR7630001000640000075030316",
                    "71",
                    "05",
                    "24 rue Louis Gain",
                    ("49939", "Angers"),
                ),
            ),
            (
                "DGFIP",
                body(
                    "DGFIP PRELEVEMENT A LA SOURCE",
                    "FR7630001000640000075040404",
                    "20",
                    "07",
                    "139 rue de Bercy",
                    ("75012", "Paris"),
                ),
            ),
            (
                "MNT",
                body(
                    "MUTUELLE NATIONALE TERRITORIALE",
                    "FR7630001000640000075050589",
                    "64",
                    "03",
                    "4 rue d'Athènes",
                    ("75009", "Paris"),
                ),
            ),
        ];
        PayrollSettings {
            creditors: creditors
                .into_iter()
                .filter_map(|(code, c)| Some((code.to_owned(), c?)))
                .collect(),
            ..PayrollSettings::default()
        }
    }
}

impl Default for PayrollSettings {
    fn default() -> PayrollSettings {
        PayrollSettings {
            pay_day: default_pay_day(),
            net_account: default_net_account(),
            net_function: default_net_function(),
            creditors: BTreeMap::new(),
        }
    }
}
