//! Suppliers' invoices: those Relais mandated or paid in degraded mode, against the restored
//! system's `factures.csv`. An invoice is matched by its id, else by the supplier's SIRET and
//! its number (the restored system may have numbered it again).

use crate::Cents;
use crate::text::strip_accents;
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet};

/// An invoice Relais mandated (a validated supplier run) or recorded as paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidInvoice {
    pub id: String,
    pub siret: String,
    pub supplier: String,
    pub number: String,
    pub amount: Cents,
    /// `true` when recorded as paid, `false` when only mandated.
    pub paid: bool,
    /// The day of the last of those steps.
    pub on: Date,
}

/// A row of the restored system's `factures.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoredInvoice {
    pub id: String,
    pub siret: String,
    pub number: String,
    pub amount: Cents,
    pub status: String,
}

/// Whether the restored system's status says the invoice is paid or mandated: `payee`,
/// `payé`, `paid`, `mandatee`, `soldée`, `réglée`… (accents, case and spaces ignored; any
/// status starting with `pay`, `paid`, `mandat`, `sold` or `regl`).
pub fn restored_is_paid(status: &str) -> bool {
    let s = strip_accents(status.trim()).to_ascii_lowercase();
    ["pay", "paid", "mandat", "sold", "regl"]
        .iter()
        .any(|p| s.starts_with(p))
}

/// What is wrong with an invoice between the two systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InvoiceGapKind {
    /// Relais mandated or paid it; the restored system does not know it: to enter.
    UnknownToRestored,
    /// Relais mandated or paid it; the restored system still has it to pay: to mark paid,
    /// or it would be paid twice.
    UnpaidInRestored,
    /// The restored system has it paid; Relais does not know it.
    UnknownToRelais,
}

impl InvoiceGapKind {
    pub fn code(self) -> &'static str {
        match self {
            InvoiceGapKind::UnknownToRestored => "inconnue_systeme_restaure",
            InvoiceGapKind::UnpaidInRestored => "a_payer_dans_systeme_restaure",
            InvoiceGapKind::UnknownToRelais => "inconnue_de_relais",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            InvoiceGapKind::UnknownToRestored => {
                "payée ou mandatée par Relais, inconnue du système restauré : à saisir"
            }
            InvoiceGapKind::UnpaidInRestored => {
                "payée ou mandatée par Relais, encore à payer dans le système restauré : à solder (sinon payée deux fois)"
            }
            InvoiceGapKind::UnknownToRelais => "payée dans le système restauré, inconnue de Relais",
        }
    }
}

/// One invoice that needs attention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceGap {
    pub kind: InvoiceGapKind,
    pub id: String,
    pub siret: String,
    pub supplier: String,
    pub number: String,
    /// What Relais mandated or paid (zero for [`InvoiceGapKind::UnknownToRelais`]).
    pub relais_amount: Cents,
    /// The restored system's amount (zero when it does not know it).
    pub restored_amount: Cents,
    /// The restored system's status, as it wrote it.
    pub restored_status: String,
    /// When Relais mandated or paid it.
    pub on: Option<Date>,
}

/// The invoices that differ, by kind then id. `relais_knows` says whether Relais has an invoice
/// of that id at all (imported or deposited), paid or not.
pub fn compare_invoices(
    relais: &[PaidInvoice],
    restored: &[RestoredInvoice],
    relais_knows: &mut dyn FnMut(&RestoredInvoice) -> bool,
) -> Vec<InvoiceGap> {
    let by_id: BTreeMap<&str, &RestoredInvoice> =
        restored.iter().map(|r| (r.id.as_str(), r)).collect();
    let by_number: BTreeMap<(&str, &str), &RestoredInvoice> = restored
        .iter()
        .map(|r| ((r.siret.as_str(), r.number.as_str()), r))
        .collect();
    let mut matched: BTreeSet<&str> = BTreeSet::new();
    let mut gaps = Vec::new();
    for p in relais {
        let found = by_id
            .get(p.id.as_str())
            .or_else(|| by_number.get(&(p.siret.as_str(), p.number.as_str())))
            .copied();
        let kind = match found {
            None => Some(InvoiceGapKind::UnknownToRestored),
            Some(r) => {
                matched.insert(r.id.as_str());
                (!restored_is_paid(&r.status)).then_some(InvoiceGapKind::UnpaidInRestored)
            }
        };
        if let Some(kind) = kind {
            gaps.push(InvoiceGap {
                kind,
                id: p.id.clone(),
                siret: p.siret.clone(),
                supplier: p.supplier.clone(),
                number: p.number.clone(),
                relais_amount: p.amount,
                restored_amount: found.map_or(Cents::ZERO, |r| r.amount),
                restored_status: found.map(|r| r.status.clone()).unwrap_or_default(),
                on: Some(p.on),
            });
        }
    }
    for r in restored {
        if matched.contains(r.id.as_str()) || !restored_is_paid(&r.status) || relais_knows(r) {
            continue;
        }
        gaps.push(InvoiceGap {
            kind: InvoiceGapKind::UnknownToRelais,
            id: r.id.clone(),
            siret: r.siret.clone(),
            supplier: String::new(),
            number: r.number.clone(),
            relais_amount: Cents::ZERO,
            restored_amount: r.amount,
            restored_status: r.status.clone(),
            on: None,
        });
    }
    gaps.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
    gaps
}
