//! A supplier run's mandats (issue #23): one mandat per liquidated invoice, carrying the
//! supplier's invoice number and the délai global de paiement (start, end with the days the
//! clock stood still, duration, ECB rate code and late rate) so that the accountant can
//! compute interest; and, for an invoice mandated after its deadline, a mandat of the late
//! interest and the EUR 40 indemnity on the account the settings name (CCP R2192-31 to -36),
//! in the same run as the principal (so within the 45 days the law gives). Pure: the store
//! reads the invoices, the application layer folds their steps, this decides.

use super::lifecycle::{InvoiceState, Life};
use super::{EcbRate, LateCharges, invoice_standing};
use crate::Cents;
use crate::ids::{Bic, Iban, Siret};
use crate::records::LegalForm;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A supplier as `fournisseurs.csv` gives it, and whether its bank details are the
/// snapshot's or an ordonnateur approved them since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierFacts {
    pub siret: Siret,
    pub name: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub iban: Iban,
    pub bic: Bic,
    /// `forme_juridique` (an extra column of `fournisseurs.csv`): a company unless it says.
    pub form: LegalForm,
    pub bank_approved: bool,
}

/// An invoice liquidated and not yet mandated, as a supplier run reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToMandate {
    /// `factures.csv`'s id, or the courrier deposit's chrono number.
    pub invoice: String,
    /// The SIRET the invoice names (as written: a deposit's is checked, an extract's too).
    pub siret: String,
    /// The supplier's invoice number.
    pub number: String,
    /// The invoice's amount, all taxes included (the key against paying it twice).
    pub invoice_amount: Cents,
    /// The day it was received: the clock's start (CCP R2192-12).
    pub received: Date,
    /// The marché it is paid under (`marche`, an extra column of `factures.csv`): TypPce 09.
    pub market: Option<String>,
    /// The commitment or purchase order it names.
    pub commitment: Option<String>,
    pub supplier: Option<SupplierFacts>,
}

/// What a mandat pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MandateKind {
    /// The invoice's liquidated amount.
    Facture,
    /// Its late interest and the EUR 40 indemnity.
    Interets,
}

impl MandateKind {
    pub fn code(self) -> &'static str {
        match self {
            MandateKind::Facture => "facture",
            MandateKind::Interets => "interets",
        }
    }
}

/// The délai global de paiement as the PES carries it (`DGP` block).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dgp {
    /// `DteDebDgp`: the day of receipt.
    pub start: Date,
    /// `DteFinDgp`: the deadline, moved by the days the clock stood still.
    pub end: Date,
    /// `DureeDgp`: the legal duration, suspensions not counted.
    pub days: u16,
    /// `TxIntMor`: the late rate in basis points (`CodIntMor` 02, ECB rate), when known.
    pub late_rate: Option<u32>,
}

/// The interest mandated for an invoice paid late: on what, over which days, at which rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateInterest {
    /// The amount the interest runs on (the amount liquidated).
    pub base: Cents,
    pub deadline: Date,
    /// The day of mandatement: interest runs from the day after the deadline to it.
    pub until: Date,
    pub days: u32,
    pub basis_points: u32,
    pub interest: Cents,
    pub indemnity: Cents,
}

/// One mandat of a supplier run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierMandate {
    pub invoice: String,
    pub kind: MandateKind,
    pub siret: Siret,
    pub supplier: String,
    pub form: LegalForm,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub iban: Iban,
    pub bic: Bic,
    /// The supplier's invoice number (`Facture`).
    pub number: String,
    pub invoice_amount: Cents,
    pub amount: Cents,
    pub account: String,
    pub function: String,
    pub market: Option<String>,
    pub commitment: Option<String>,
    /// The invoice's délai global de paiement (an invoice's mandat).
    pub dgp: Option<Dgp>,
    /// What an interest mandat pays.
    pub late: Option<LateInterest>,
}

impl SupplierMandate {
    /// NatPce 02 investissement for an account of class 2, else 01 fonctionnement.
    pub fn investment(&self) -> bool {
        self.account.starts_with('2')
    }
}

/// Why an invoice liquidated is not mandated in this run (it stays liquidated), or why its
/// interest is not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Hold {
    /// Its SIRET names no supplier of `fournisseurs.csv`.
    SupplierUnknown { siret: String },
    /// The supplier's bank details differ from the snapshot's and no ordonnateur approved them.
    BankNotApproved { iban_end: String },
    /// Its IBAN is outside the SEPA area: no pain.001 transfer reaches it.
    NotSepa { country: String },
    /// The same invoice (SIRET, number, amount) is already mandated under another reference.
    Duplicate { other: String },
    /// Late, but the table of ECB rates does not reach the half-year: the principal is
    /// mandated, the interest is not.
    RateUnknown { deadline: Date },
}

impl Hold {
    pub fn code(&self) -> &'static str {
        match self {
            Hold::SupplierUnknown { .. } => "fournisseur_inconnu",
            Hold::BankNotApproved { .. } => "rib_non_approuve",
            Hold::NotSepa { .. } => "iban_hors_sepa",
            Hold::Duplicate { .. } => "doublon",
            Hold::RateUnknown { .. } => "taux_bce_inconnu",
        }
    }

    /// In French, with what to do.
    pub fn label(&self) -> String {
        match self {
            Hold::SupplierUnknown { siret } => format!(
                "fournisseur inconnu (SIRET {siret} absent de fournisseurs.csv) : importez-le, \
                 puis préparez un nouveau paiement"
            ),
            Hold::BankNotApproved { iban_end } => format!(
                "coordonnées bancaires modifiées depuis l'instantané (IBAN finissant par \
                 {iban_end}) : un ordonnateur doit les approuver (relais factures approuver-rib)"
            ),
            Hold::NotSepa { country } => format!(
                "IBAN hors zone SEPA ({country}) : à payer hors virement SEPA, avec le comptable"
            ),
            Hold::Duplicate { other } => format!(
                "même facture (SIRET, numéro, montant) déjà mandatée sous la référence « {other} » : \
                 elle ne sera pas payée deux fois ; rejetez celle-ci"
            ),
            Hold::RateUnknown { deadline } => format!(
                "en retard depuis le {}, mais le taux de la BCE de ce semestre n'est pas connu : \
                 la facture est mandatée, pas les intérêts ; ajoutez le taux dans ecb-rates.toml",
                crate::text::date_fr(*deadline)
            ),
        }
    }

    /// Whether the invoice itself waits (else only its interest does).
    pub fn holds_invoice(&self) -> bool {
        !matches!(self, Hold::RateUnknown { .. })
    }
}

/// An invoice not mandated (or whose interest is not), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub invoice: String,
    pub supplier: String,
    pub amount: Cents,
    pub hold: Hold,
}

/// How a supplier run pays: its rules from the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierRules<'a> {
    /// The délai global de paiement (30 days for a collectivité).
    pub payment_days: u16,
    pub rates: &'a [EcbRate],
    /// The account late interest and indemnities are mandated on (M57 6711).
    pub interest_account: &'a str,
    /// The day of mandatement.
    pub today: Date,
}

/// The mandats of `inv`, liquidated as `life` says: the invoice's, and its interest's when it
/// is mandated after its deadline; or why it waits. The interest's own hold (an unknown ECB
/// rate) comes with the invoice's mandat.
pub fn mandates_of(
    inv: &ToMandate,
    life: &Life,
    rules: &SupplierRules<'_>,
) -> Result<(SupplierMandate, Option<SupplierMandate>, Option<Hold>), Hold> {
    let Some(s) = &inv.supplier else {
        return Err(Hold::SupplierUnknown {
            siret: inv.siret.clone(),
        });
    };
    if !s.bank_approved {
        let iban = s.iban.as_str();
        return Err(Hold::BankNotApproved {
            iban_end: iban
                .get(iban.len().saturating_sub(4)..)
                .unwrap_or("")
                .into(),
        });
    }
    if !s.iban.in_sepa_area() {
        return Err(Hold::NotSepa {
            country: s.iban.country().into(),
        });
    }
    let (amount, account, function) = match (&life.liquidation, life.state) {
        (Some((amount, account, function, _)), InvoiceState::Liquidated) => {
            (*amount, account.clone(), function.clone())
        }
        // The store only reads liquidated invoices; one that changed since is left.
        _ => {
            return Err(Hold::Duplicate {
                other: inv.invoice.clone(),
            });
        }
    };
    // The clock stood still while suspended (CCP R2192-27): its start moves as much.
    let still = life.still_days(rules.today);
    let running_from = inv
        .received
        .checked_add(jiff::Span::new().days(still))
        .unwrap_or(inv.received);
    let standing = invoice_standing(
        amount,
        running_from,
        rules.payment_days,
        rules.today,
        rules.rates,
    );
    let deadline = super::invoice_deadline(running_from, rules.payment_days);
    let late_rate = deadline
        .and_then(|d| d.tomorrow().ok())
        .and_then(|start| super::late_rate(rules.rates, start));
    let base = SupplierMandate {
        invoice: inv.invoice.clone(),
        kind: MandateKind::Facture,
        siret: s.siret.clone(),
        supplier: s.name.clone(),
        form: s.form,
        address: s.address.clone(),
        postal_code: s.postal_code.clone(),
        city: s.city.clone(),
        iban: s.iban.clone(),
        bic: s.bic.clone(),
        number: inv.number.clone(),
        invoice_amount: inv.invoice_amount,
        amount,
        account,
        function,
        market: inv.market.clone(),
        commitment: inv.commitment.clone(),
        dgp: deadline.map(|end| Dgp {
            start: inv.received,
            end,
            days: rules.payment_days,
            late_rate,
        }),
        late: None,
    };
    let late = match (standing, deadline) {
        (Some(st), Some(deadline)) => st.late.map(|l: LateCharges| LateInterest {
            base: amount,
            deadline,
            until: rules.today,
            days: l.days,
            basis_points: l.basis_points,
            interest: l.interest,
            indemnity: l.indemnity,
        }),
        // Late over a half-year the table does not cover.
        (None, Some(deadline)) if deadline < rules.today => {
            return Ok((base, None, Some(Hold::RateUnknown { deadline })));
        }
        _ => None,
    };
    let interest = late.and_then(|l| {
        let total = l.interest.checked_add(l.indemnity)?;
        Some(SupplierMandate {
            kind: MandateKind::Interets,
            amount: total,
            account: rules.interest_account.to_owned(),
            dgp: None,
            late: Some(l),
            ..base.clone()
        })
    });
    Ok((base, interest, None))
}

/// What a supplier run pays, as its page and bordereau show it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierRunSummary {
    /// Invoices mandated, and their total.
    pub invoices: u64,
    pub principal: Cents,
    /// Interest mandats (invoices paid late), and their total (interest and indemnities).
    pub interest_mandates: u64,
    pub interest: Cents,
    /// Invoices liquidated that wait, and interest not mandated, with the reason.
    pub held: Vec<Held>,
}

#[cfg(test)]
mod tests;
