//! The authority's settings: who it is, its time zone and its public holidays.

use crate::calendar::HolidayZone;
use crate::ids::{Bic, Iban, Siret};
use crate::records::Benefit;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `settings.toml` in the data folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub authority: Authority,
    /// What payment runs need; runs refuse to start without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payments: Option<PaymentSettings>,
}

/// `[payments]`: the PES header, the account transfers are paid from, and per benefit its
/// budget imputation and pay day. Codes are checked when a run is exported (their types live
/// with the PES writer, `relais_formats::payments::model`).
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
}

/// How one benefit is mandated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenefitPayment {
    /// `Nature`: the budget account (M57), used when the right has no imputation of its own.
    pub account: String,
    /// `Fonction`.
    pub function: String,
    /// The day of the month it is paid (moved back to a working day).
    #[serde(default = "default_pay_day")]
    pub pay_day: i8,
    /// Amounts above this many euros a month are shown as anomalies.
    #[serde(default)]
    pub ceiling_euros: Option<u32>,
}

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

    /// A complete example, for the demo and for `docs/runbook.md`: M57 accounts of the
    /// benefits (to check with the paierie before a real run), pay day the 10th (APA: by the
    /// 10th, CASF R232-30), RSA on the 5th (hand-off to the CAF only).
    pub fn example(debtor_name: &str, debtor_iban: Iban) -> PaymentSettings {
        let b = |account: &str, function: &str, pay_day, ceiling| BenefitPayment {
            account: account.into(),
            function: function.into(),
            pay_day,
            ceiling_euros: Some(ceiling),
        };
        PaymentSettings {
            collectivity_code: "077".into(),
            budget_code: "01".into(),
            post_id: "077000".into(),
            budget_label: "BUDGET PRINCIPAL".into(),
            debtor_name: debtor_name.into(),
            debtor_iban,
            debtor_bic: None,
            change_threshold_euros: default_change_threshold(),
            bank_change_days: default_bank_change_days(),
            benefits: BTreeMap::from([
                (Benefit::ApaDom, b("651141", "551", 10, 2_500)),
                (Benefit::ApaEtab, b("651144", "551", 10, 2_500)),
                (Benefit::Pch, b("6511211", "521", 10, 6_000)),
                (Benefit::Ash, b("652421", "551", 10, 5_000)),
                (Benefit::Rsa, b("6517", "564", 5, 2_000)),
            ]),
        }
    }

    /// What serde cannot check.
    pub fn validate(&self) -> Result<(), String> {
        if self.debtor_name.trim().is_empty() {
            return Err("le nom du compte débité est vide (payments.debtor_name)".into());
        }
        for (benefit, p) in &self.benefits {
            if !(1..=31).contains(&p.pay_day) {
                return Err(format!(
                    "jour de paiement {} hors de 1 à 31 (payments.benefits.{}.pay_day)",
                    p.pay_day,
                    benefit.code()
                ));
            }
        }
        Ok(())
    }
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
        Ok(())
    }
}
