//! Where the deliberately bad rows fall, and what is wrong with each.
//!
//! Rows are cut into blocks of about 1000 / `bad_per_mille` rows; each block holds exactly one
//! bad row, at a position drawn from the block's own stream. So the share of bad rows is
//! exact, they are spread over the whole file rather than bunched, and whether row `j` is bad
//! depends on `j` alone — a file written again for another pass finds the same rows. The
//! flavour of the k-th bad row cycles through the file's list, so every flavour shows up as
//! soon as a file has as many bad rows as flavours.

use crate::rng::{Aspect, Streams};

/// Which file a schedule is for (part of its stream number).
#[derive(Debug, Clone, Copy)]
pub enum FileId {
    People = 1,
    Payees = 2,
    Rights = 3,
    Payments = 4,
    Agents = 5,
    Suppliers = 6,
    Invoices = 7,
}

/// The bad rows of one file.
#[derive(Debug, Clone)]
pub struct Schedule {
    streams: Streams,
    file: FileId,
    per_mille: u64,
    flavours: u64,
    offset: u64,
    /// (block, position of its bad row in the file).
    cache: Option<(u64, u64)>,
}

impl Schedule {
    pub fn new(streams: &Streams, file: FileId, bad_per_mille: u32, flavours: usize) -> Schedule {
        let offset = streams
            .stream(Aspect::BadRows, file as u64)
            .below(flavours.max(1) as u64);
        Schedule {
            streams: streams.clone(),
            file,
            per_mille: u64::from(bad_per_mille.min(1000)),
            flavours: flavours as u64,
            offset,
            cache: None,
        }
    }

    /// The flavour (index into the file's list) of row `j` (0-based), when it is a bad row.
    pub fn at(&mut self, j: u64) -> Option<usize> {
        if self.per_mille == 0 || self.flavours == 0 {
            return None;
        }
        let p = self.per_mille;
        let block = j.saturating_mul(p) / 1000;
        let bad = match self.cache {
            Some((b, pos)) if b == block => pos,
            _ => {
                // Block `b` covers rows ceil(b·1000/p) .. ceil((b+1)·1000/p).
                let start = (block * 1000).div_ceil(p);
                let end = ((block + 1) * 1000).div_ceil(p);
                let index = (block << 4) | self.file as u64;
                let pos = start
                    + self
                        .streams
                        .stream(Aspect::BadRows, index.wrapping_add(1 << 3))
                        .below(end.saturating_sub(start).max(1));
                self.cache = Some((block, pos));
                pos
            }
        };
        (j == bad).then(|| ((block + self.offset) % self.flavours) as usize)
    }
}

/// Flaws of a person (`beneficiaires.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonFlaw {
    EmptyName,
    NirKey,
    ImpossibleBirthDate,
    PostalCode,
    Phone,
    UnknownSite,
    DuplicateDossier,
    TooFewColumns,
}

impl PersonFlaw {
    pub const ALL: [PersonFlaw; 8] = [
        PersonFlaw::EmptyName,
        PersonFlaw::NirKey,
        PersonFlaw::ImpossibleBirthDate,
        PersonFlaw::PostalCode,
        PersonFlaw::Phone,
        PersonFlaw::UnknownSite,
        PersonFlaw::DuplicateDossier,
        PersonFlaw::TooFewColumns,
    ];
}

/// Flaws of a payee (`tiers.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayeeFlaw {
    EmptyHolder,
    IbanMod97,
    RibKey,
    Bic,
    UnknownKind,
    PostalCode,
    SiretKey,
    DuplicateId,
    TooFewColumns,
}

impl PayeeFlaw {
    pub const ALL: [PayeeFlaw; 9] = [
        PayeeFlaw::EmptyHolder,
        PayeeFlaw::IbanMod97,
        PayeeFlaw::RibKey,
        PayeeFlaw::Bic,
        PayeeFlaw::UnknownKind,
        PayeeFlaw::PostalCode,
        PayeeFlaw::SiretKey,
        PayeeFlaw::DuplicateId,
        PayeeFlaw::TooFewColumns,
    ];

    /// Flaws that make a payee row rejected on its own, for a right that points at it.
    pub const REJECTING: [PayeeFlaw; 4] = [
        PayeeFlaw::IbanMod97,
        PayeeFlaw::RibKey,
        PayeeFlaw::Bic,
        PayeeFlaw::EmptyHolder,
    ];
}

/// Flaws of a right (`droits.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RightFlaw {
    EmptyBenefit,
    UnknownBenefit,
    ThreeDecimals,
    NegativeAmount,
    UnknownStatus,
    EndBeforeStart,
    ImpossibleDate,
    /// The row is good and followed by a second row with the same `droit_id`.
    DuplicateId,
    UnknownDossier,
    PayeeRejected,
    TooFewColumns,
}

impl RightFlaw {
    pub const ALL: [RightFlaw; 11] = [
        RightFlaw::EmptyBenefit,
        RightFlaw::UnknownBenefit,
        RightFlaw::ThreeDecimals,
        RightFlaw::NegativeAmount,
        RightFlaw::UnknownStatus,
        RightFlaw::EndBeforeStart,
        RightFlaw::ImpossibleDate,
        RightFlaw::DuplicateId,
        RightFlaw::UnknownDossier,
        RightFlaw::PayeeRejected,
        RightFlaw::TooFewColumns,
    ];

    /// Whether the right's own row is rejected (a duplicate's first row is good).
    pub fn rejects_row(self) -> bool {
        self != RightFlaw::DuplicateId
    }
}

/// Flaws of a past payment (`paiements.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentFlaw {
    UnknownRight,
    ThreeDecimals,
    NegativeAmount,
    BadMonth,
    ImpossibleDate,
    EmptyAmount,
    TooFewColumns,
}

impl PaymentFlaw {
    pub const ALL: [PaymentFlaw; 7] = [
        PaymentFlaw::UnknownRight,
        PaymentFlaw::ThreeDecimals,
        PaymentFlaw::NegativeAmount,
        PaymentFlaw::BadMonth,
        PaymentFlaw::ImpossibleDate,
        PaymentFlaw::EmptyAmount,
        PaymentFlaw::TooFewColumns,
    ];
}

/// Flaws of an agent (`agents.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentFlaw {
    EmptyName,
    NirKey,
    IbanMod97,
    RibKey,
    Bic,
    NegativeAmount,
    ThreeDecimals,
    ImpossibleDate,
    DuplicateId,
    TooFewColumns,
}

impl AgentFlaw {
    pub const ALL: [AgentFlaw; 10] = [
        AgentFlaw::EmptyName,
        AgentFlaw::NirKey,
        AgentFlaw::IbanMod97,
        AgentFlaw::RibKey,
        AgentFlaw::Bic,
        AgentFlaw::NegativeAmount,
        AgentFlaw::ThreeDecimals,
        AgentFlaw::ImpossibleDate,
        AgentFlaw::DuplicateId,
        AgentFlaw::TooFewColumns,
    ];
}

/// Flaws of a supplier (`fournisseurs.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupplierFlaw {
    EmptyName,
    SiretKey,
    IbanMod97,
    RibKey,
    Bic,
    PostalCode,
    DuplicateSiret,
    TooFewColumns,
}

impl SupplierFlaw {
    pub const ALL: [SupplierFlaw; 8] = [
        SupplierFlaw::EmptyName,
        SupplierFlaw::SiretKey,
        SupplierFlaw::IbanMod97,
        SupplierFlaw::RibKey,
        SupplierFlaw::Bic,
        SupplierFlaw::PostalCode,
        SupplierFlaw::DuplicateSiret,
        SupplierFlaw::TooFewColumns,
    ];
}

/// Flaws of an invoice (`factures.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceFlaw {
    EmptyNumber,
    UnknownSiret,
    NegativeAmount,
    ThreeDecimals,
    ImpossibleDate,
    DuplicateId,
    TooFewColumns,
}

impl InvoiceFlaw {
    pub const ALL: [InvoiceFlaw; 7] = [
        InvoiceFlaw::EmptyNumber,
        InvoiceFlaw::UnknownSiret,
        InvoiceFlaw::NegativeAmount,
        InvoiceFlaw::ThreeDecimals,
        InvoiceFlaw::ImpossibleDate,
        InvoiceFlaw::DuplicateId,
        InvoiceFlaw::TooFewColumns,
    ];
}

/// `12,345`: an amount with three decimals (the euros of `cents`, then three digits).
pub fn three_decimals(cents: i64, decimal: char) -> String {
    format!(
        "{}{decimal}{:03}",
        cents.abs() / 100,
        (cents.abs() % 100) * 10 + 5
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bad_row_per_block_and_every_flavour() {
        let streams = Streams::new(3);
        let mut s = Schedule::new(&streams, FileId::Rights, 10, RightFlaw::ALL.len());
        let flavours: Vec<usize> = (0..100_000).filter_map(|j| s.at(j)).collect();
        assert_eq!(flavours.len(), 1000);
        for f in 0..RightFlaw::ALL.len() {
            assert!(flavours.contains(&f));
        }
        // Pure function of the row number.
        let mut again = Schedule::new(&streams, FileId::Rights, 10, RightFlaw::ALL.len());
        let bad: Vec<u64> = (0..5000).filter(|&j| again.at(j).is_some()).collect();
        let mut fresh = Schedule::new(&streams, FileId::Rights, 10, RightFlaw::ALL.len());
        assert!(bad.iter().rev().all(|&j| fresh.at(j).is_some()));

        let mut odd = Schedule::new(&streams, FileId::People, 7, 3);
        let n = (0..100_000).filter(|&j| odd.at(j).is_some()).count();
        assert_eq!(n, 700);
        let mut none = Schedule::new(&streams, FileId::People, 0, 3);
        assert!((0..10_000).all(|j| none.at(j).is_none()));
        let mut all = Schedule::new(&streams, FileId::People, 1000, 3);
        assert!((0..100).all(|j| all.at(j).is_some()));
    }

    #[test]
    fn three_decimal_amounts() {
        assert_eq!(three_decimals(1234, ','), "12,345");
        assert_eq!(three_decimals(-99, '.'), "0.995");
    }
}
