//! What a receipt's code binds, and its binary layout (docs/receipts.md, "The signed code").
//!
//! Version 2 (issue #19) binds what a forger would change: both instants (received and
//! registered), the page count on 32 bits, and per kind an invoice's amount, SIRET and number,
//! a bid's deadline, an application's file and missing documents, the application that
//! additional documents complete. Version 1 codes (printed before) still read.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan, Unit};
use relais_core::Cents;
use relais_core::deposits::{ChronoNumber, Deposit, DepositKind};
use relais_core::ids::Siret;
use sha2::{Digest, Sha256};

/// Version 1: 26 bytes of summary.
pub(super) const V1_LEN: usize = 26;
/// Version 2: 56 bytes of summary (with the 64-byte signature, 120 bytes: 192 characters).
pub(super) const V2_LEN: usize = 56;
/// Where the per-kind facts start in a version 2 summary, and how many bytes they have.
pub const FACTS_AT: usize = 33;

/// The facts a receipt's code carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptSummary {
    /// The code's layout: 1 before issue #19, 2 since.
    pub version: u8,
    pub number: ChronoNumber,
    /// When it was received, to the second.
    pub received_at: Timestamp,
    /// When it was registered, to the second (version 1: not bound, the same as received).
    pub registered_at: Timestamp,
    pub kind: DepositKind,
    /// Version 1: saturated at 65,535.
    pub pages: u32,
    /// The first 8 bytes of SHA-256 of the depositor's folded name ([`depositor_digest`]).
    pub depositor_digest: [u8; 8],
    pub facts: BoundFacts,
}

/// What the code binds beyond the common facts, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoundFacts {
    /// A version 1 code, or a kind with nothing more (a letter).
    None,
    Invoice {
        amount: Cents,
        siret: Siret,
        /// [`invoice_number_digest`] of its number.
        number_digest: [u8; 8],
    },
    Bid {
        deadline: Timestamp,
    },
    Application {
        /// [`dossier_digest`] of the file number, when given.
        dossier: Option<[u8; 8]>,
        /// For an incomplete application: [`missing_digest`] of the list, and the deadline.
        missing: Option<([u8; 8], Date)>,
    },
    Documents {
        dossier: Option<[u8; 8]>,
        /// The application they complete.
        completes: Option<ChronoNumber>,
    },
}

fn digest(domain: &[u8], text: &str) -> [u8; 8] {
    let mut h = Sha256::new();
    h.update(domain);
    h.update(text.as_bytes());
    let d = h.finalize();
    let mut out = [0u8; 8];
    out.copy_from_slice(&d[..8]);
    out
}

/// The digest of a depositor's name under which `Mme DURAND` and `mme Durand` meet (accents,
/// case and spacing folded), so that the printed name can be checked against the code.
pub fn depositor_digest(name: &str) -> [u8; 8] {
    digest(b"relais-depositor\0", &relais_core::text::search_key(name))
}

/// A file number's digest (case and spaces do not matter).
pub fn dossier_digest(dossier: &str) -> [u8; 8] {
    digest(b"relais-dossier\0", &fold_reference(dossier))
}

/// An invoice number's digest (case and spaces do not matter; other characters do).
pub fn invoice_number_digest(number: &str) -> [u8; 8] {
    digest(b"relais-invoice\0", &fold_reference(number))
}

/// The missing documents' digest, in their order, exactly as printed.
pub fn missing_digest(missing: &[String]) -> [u8; 8] {
    digest(b"relais-missing\0", &missing.join("\n"))
}

fn fold_reference(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

fn second(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second()).unwrap_or(t)
}

impl ReceiptSummary {
    /// The summary of a registered deposit, signed into its receipt's code.
    pub fn of(d: &Deposit) -> ReceiptSummary {
        let f = &d.facts;
        let dossier = f.dossier.as_deref().map(dossier_digest);
        let facts = match f.kind {
            DepositKind::Facture => match &f.invoice {
                Some(i) => BoundFacts::Invoice {
                    amount: i.amount,
                    siret: i.siret.clone(),
                    number_digest: invoice_number_digest(&i.number),
                },
                None => BoundFacts::None,
            },
            DepositKind::OffreMarche => match f.bid_deadline {
                Some(deadline) => BoundFacts::Bid {
                    deadline: second(deadline),
                },
                None => BoundFacts::None,
            },
            DepositKind::PiecesComplementaires => BoundFacts::Documents {
                dossier,
                completes: f.completes,
            },
            DepositKind::Autre => BoundFacts::None,
            _ => BoundFacts::Application {
                dossier,
                missing: match (f.missing.is_empty(), f.missing_deadline) {
                    (false, Some(by)) => Some((missing_digest(&f.missing), by)),
                    _ => None,
                },
            },
        };
        ReceiptSummary {
            version: 2,
            number: d.number,
            received_at: second(d.received_at),
            registered_at: second(d.registered_at),
            kind: f.kind,
            pages: f.pages,
            depositor_digest: depositor_digest(&f.depositor),
            facts,
        }
    }

    /// Whether this summary is the one of `d` as the register holds it: every fact the code's
    /// version binds.
    pub fn matches(&self, d: &Deposit) -> bool {
        let now = ReceiptSummary::of(d);
        if self.version == 1 {
            return self.number == now.number
                && self.received_at == now.received_at
                && self.kind == now.kind
                && self.pages == now.pages.min(u32::from(u16::MAX))
                && self.depositor_digest == now.depositor_digest;
        }
        *self == now
    }
}

fn put(b: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(slot) = b.get_mut(at..at + bytes.len()) {
        slot.copy_from_slice(bytes);
    }
}

fn seconds40(t: Timestamp) -> [u8; 5] {
    // Seconds since 1970 on 40 bits: enough until the year 36812.
    let s = u64::try_from(t.as_second()).unwrap_or(0).to_be_bytes();
    [s[3], s[4], s[5], s[6], s[7]]
}

fn read_seconds40(b: &[u8], at: usize) -> Option<Timestamp> {
    let mut s = [0u8; 8];
    s[3..].copy_from_slice(b.get(at..at + 5)?);
    Timestamp::from_second(i64::try_from(u64::from_be_bytes(s)).ok()?).ok()
}

fn number_bytes(n: ChronoNumber) -> [u8; 5] {
    let y = (n.year() as u16).to_be_bytes();
    let s = n.seq().to_be_bytes();
    [y[0], y[1], s[1], s[2], s[3]]
}

fn read_number(b: &[u8], at: usize) -> Option<ChronoNumber> {
    let year = u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]);
    let seq = u32::from_be_bytes([0, *b.get(at + 2)?, *b.get(at + 3)?, *b.get(at + 4)?]);
    ChronoNumber::new(i16::try_from(year).ok()?, seq)
}

fn read8(b: &[u8], at: usize) -> Option<[u8; 8]> {
    b.get(at..at + 8)?.try_into().ok()
}

fn u48(v: u64) -> [u8; 6] {
    let b = v.to_be_bytes();
    [b[2], b[3], b[4], b[5], b[6], b[7]]
}

fn read_u48(b: &[u8], at: usize) -> Option<u64> {
    let mut s = [0u8; 8];
    s[2..].copy_from_slice(b.get(at..at + 6)?);
    Some(u64::from_be_bytes(s))
}

const EPOCH: Date = Date::constant(1970, 1, 1);

/// The version 2 summary's bytes, signed with the key named by `key_id`.
pub(super) fn encode(s: &ReceiptSummary, key_id: &[u8; 4]) -> [u8; V2_LEN] {
    let mut b = [0u8; V2_LEN];
    b[0] = 2;
    b[1..5].copy_from_slice(key_id);
    put(&mut b, 5, &number_bytes(s.number));
    put(&mut b, 10, &seconds40(s.received_at));
    put(&mut b, 15, &seconds40(s.registered_at));
    b[20] = s.kind.code();
    put(&mut b, 21, &s.pages.to_be_bytes());
    put(&mut b, 25, &s.depositor_digest);
    let f = FACTS_AT;
    match &s.facts {
        BoundFacts::None => {}
        BoundFacts::Invoice {
            amount,
            siret,
            number_digest,
        } => {
            // Amounts are at most 14 digits (relais_core::deposits::MAX_INVOICE_CENTS) and a
            // SIRET 14 digits: both fit 48 bits.
            put(&mut b, f, &u48(u64::try_from(amount.0).unwrap_or(0)));
            put(&mut b, f + 6, &u48(siret.as_str().parse().unwrap_or(0)));
            put(&mut b, f + 12, number_digest);
        }
        BoundFacts::Bid { deadline } => put(&mut b, f, &seconds40(*deadline)),
        BoundFacts::Application { dossier, missing } => {
            b[f] = u8::from(dossier.is_some()) | (u8::from(missing.is_some()) << 1);
            put(&mut b, f + 1, &dossier.unwrap_or_default());
            if let Some((digest, by)) = missing {
                put(&mut b, f + 9, digest);
                let days = EPOCH
                    .until((Unit::Day, *by))
                    .map(|s| s.get_days())
                    .unwrap_or(0);
                put(&mut b, f + 17, &days.to_be_bytes());
            }
        }
        BoundFacts::Documents { dossier, completes } => {
            b[f] = u8::from(dossier.is_some()) | (u8::from(completes.is_some()) << 1);
            put(&mut b, f + 1, &dossier.unwrap_or_default());
            if let Some(n) = completes {
                put(&mut b, f + 9, &number_bytes(*n));
            }
        }
    }
    b
}

/// Reads a signed summary of either version (its signature already checked).
pub(super) fn decode(b: &[u8]) -> Option<ReceiptSummary> {
    match (b.first()?, b.len()) {
        (1, V1_LEN) => decode_v1(b),
        (2, V2_LEN) => decode_v2(b),
        _ => None,
    }
}

fn decode_v1(b: &[u8]) -> Option<ReceiptSummary> {
    let received_at = read_seconds40(b, 10)?;
    Some(ReceiptSummary {
        version: 1,
        number: read_number(b, 5)?,
        received_at,
        registered_at: received_at,
        kind: DepositKind::from_code(*b.get(15)?)?,
        pages: u32::from(u16::from_be_bytes([*b.get(16)?, *b.get(17)?])),
        depositor_digest: read8(b, 18)?,
        facts: BoundFacts::None,
    })
}

fn decode_v2(b: &[u8]) -> Option<ReceiptSummary> {
    let kind = DepositKind::from_code(*b.get(20)?)?;
    let f = FACTS_AT;
    let flags = *b.get(f)?;
    let dossier = (flags & 1 == 1).then(|| read8(b, f + 1)).flatten();
    let facts = match kind {
        DepositKind::Autre => BoundFacts::None,
        _ if b.get(f..)?.iter().all(|x| *x == 0) && kind == DepositKind::Facture => {
            BoundFacts::None
        }
        DepositKind::Facture => BoundFacts::Invoice {
            amount: Cents(i64::try_from(read_u48(b, f)?).ok()?),
            siret: Siret::parse(&format!("{:014}", read_u48(b, f + 6)?)).ok()?,
            number_digest: read8(b, f + 12)?,
        },
        DepositKind::OffreMarche => BoundFacts::Bid {
            deadline: read_seconds40(b, f)?,
        },
        DepositKind::PiecesComplementaires => BoundFacts::Documents {
            dossier,
            completes: match flags & 2 {
                0 => None,
                _ => Some(read_number(b, f + 9)?),
            },
        },
        _ => BoundFacts::Application {
            dossier,
            missing: match flags & 2 {
                0 => None,
                _ => {
                    let days = i32::from_be_bytes(b.get(f + 17..f + 21)?.try_into().ok()?);
                    Some((read8(b, f + 9)?, EPOCH.checked_add(days.days()).ok()?))
                }
            },
        },
    };
    Some(ReceiptSummary {
        version: 2,
        number: read_number(b, 5)?,
        received_at: read_seconds40(b, 10)?,
        registered_at: read_seconds40(b, 15)?,
        kind,
        pages: u32::from_be_bytes(b.get(21..25)?.try_into().ok()?),
        depositor_digest: read8(b, 25)?,
        facts,
    })
}
