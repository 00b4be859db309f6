//! The restored system's extracts, read once by the extract reader: its people (names, to
//! print, in a sort by dossier; deaths, to compute what was due), its rights with what each
//! was due in the crisis months (in a sort by right id, the order of the claims' key), its
//! agents' matricules and its invoices. Files the reconciliation does not need (the payment
//! history, the payslips, the directory) are not opened.

use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::payment::{Exclusion, RightTerms};
use relais_core::reconcile::{CrisisMonths, Due, DueRight, RestoredInvoice, dues};
use relais_core::records::{Benefit, Record};
use relais_formats::extract::{
    Entity, ExtractSink, ExtractSource, FileSummary, FlaggedRow, Unreadable,
};
use relais_formats::profile::Profile;
use relais_store::sort::{self, ExternalSort, Sorted};
use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;

/// Memory each sort keeps before it writes to unnamed temporary files.
const SORT_MEMORY: usize = 32 << 20;

/// Only the files the reconciliation reads: the others look absent to the reader.
pub(super) struct Needed<'a> {
    pub(super) source: &'a dyn ExtractSource,
    pub(super) skipped: Vec<String>,
}

impl<'a> Needed<'a> {
    pub(super) fn new(source: &'a dyn ExtractSource, profile: &Profile) -> Needed<'a> {
        let skipped = [Entity::Annuaire, Entity::Paiements, Entity::Paie]
            .into_iter()
            .map(|e| {
                profile
                    .entities
                    .get(e.name())
                    .and_then(|p| p.file.clone())
                    .unwrap_or_else(|| e.file_name())
            })
            .collect();
        Needed { source, skipped }
    }
}

impl ExtractSource for Needed<'_> {
    fn open(&self, file_name: &str) -> std::io::Result<Option<Box<dyn Read + '_>>> {
        if self
            .skipped
            .iter()
            .any(|s| s.eq_ignore_ascii_case(file_name))
        {
            return Ok(None);
        }
        self.source.open(file_name)
    }
}

/// What the reader hands over, kept.
pub(super) struct Restored<'m> {
    months: &'m CrisisMonths,
    deaths: HashMap<String, jiff::civil::Date>,
    pub(super) people: ExternalSort,
    pub(super) rights: ExternalSort,
    pub(super) agents: BTreeSet<String>,
    pub(super) invoices: Vec<RestoredInvoice>,
    pub(super) rejected: u64,
    pub(super) unreadable: Vec<Unreadable>,
    pub(super) rights_file_present: bool,
}

fn by_first_field(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    sort::fields(a).take(1).cmp(sort::fields(b).take(1))
}

impl<'m> Restored<'m> {
    pub(super) fn new(months: &'m CrisisMonths, temp: &Path) -> Restored<'m> {
        Restored {
            months,
            deaths: HashMap::new(),
            people: ExternalSort::new(temp, SORT_MEMORY, by_first_field),
            rights: ExternalSort::new(temp, SORT_MEMORY, by_first_field),
            agents: BTreeSet::new(),
            invoices: Vec::new(),
            rejected: 0,
            unreadable: Vec::new(),
            rights_file_present: false,
        }
    }
}

/// A due packed: year (2 bytes), month (1), amount (8), exclusion (1: its index, or 255).
const DUE_BYTES: usize = 12;

fn pack(dues: &[Due]) -> Vec<u8> {
    let mut out = Vec::with_capacity(dues.len() * DUE_BYTES);
    for d in dues {
        out.extend_from_slice(&d.month.year().to_le_bytes());
        out.extend_from_slice(&d.month.month().to_le_bytes());
        out.extend_from_slice(&d.amount.0.to_le_bytes());
        let why = d
            .why_not
            .and_then(|w| Exclusion::ALL.iter().position(|e| *e == w))
            .and_then(|i| u8::try_from(i).ok())
            .unwrap_or(u8::MAX);
        out.push(why);
    }
    out
}

fn unpack(bytes: &[u8]) -> Option<Vec<Due>> {
    bytes
        .chunks(DUE_BYTES)
        .map(|c| {
            let year = i16::from_le_bytes(c.get(0..2)?.try_into().ok()?);
            let month = i8::from_le_bytes(c.get(2..3)?.try_into().ok()?);
            let amount = i64::from_le_bytes(c.get(3..11)?.try_into().ok()?);
            let why = *c.get(11)?;
            Some(Due {
                month: Month::new(year, month)?,
                amount: Cents(amount),
                why_not: Exclusion::ALL.get(usize::from(why)).copied(),
            })
        })
        .collect()
}

/// The sorted rights read back, one [`DueRight`] at a time.
pub(super) struct SortedRights(pub(super) Sorted);

impl Iterator for SortedRights {
    type Item = Result<DueRight, crate::AppError>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = match self.0.next() {
            Ok(Some(r)) => r,
            Ok(None) => return None,
            Err(e) => return Some(Err(temp_error(e))),
        };
        let mut f = sort::fields(record);
        let decoded = (|| {
            let right_id = f.text()?.to_owned();
            let dossier = f.text()?.to_owned();
            let benefit = Benefit::parse(f.text()?)?;
            let dues = unpack(f.next()?)?;
            Some(DueRight {
                right_id,
                dossier,
                benefit,
                dues,
            })
        })();
        Some(decoded.ok_or_else(|| {
            temp_error(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "a sorted right could not be read back",
            ))
        }))
    }
}

/// A temporary file of a sort failed.
pub(super) fn temp_error(e: std::io::Error) -> crate::AppError {
    crate::AppError::io(
        crate::error::IoAction::TemporaryFile,
        Path::new("(fichier temporaire)"),
        e,
    )
}

impl ExtractSink for Restored<'_> {
    type Error = std::io::Error;

    fn accept(&mut self, _entity: Entity, _line: u64, record: Record) -> std::io::Result<()> {
        match record {
            Record::Beneficiary(b) => {
                if let Some(d) = b.death_date {
                    self.deaths.insert(b.dossier.clone(), d);
                }
                let name = format!("{} {}", b.last_name, b.first_name);
                self.people.push(|r| {
                    sort::put(r, b.dossier.as_bytes())?;
                    sort::put(r, name.trim().as_bytes())
                })
            }
            Record::Right(right) => {
                let terms = RightTerms {
                    benefit: right.benefit,
                    monthly_amount: right.monthly_amount,
                    start: right.start,
                    end: right.end,
                    status: right.status,
                };
                let death = self.deaths.get(&right.dossier).copied();
                let due = dues(&terms, death, self.months);
                if due.is_empty() {
                    return Ok(());
                }
                let packed = pack(&due);
                self.rights.push(|r| {
                    sort::put(r, right.id.as_bytes())?;
                    sort::put(r, right.dossier.as_bytes())?;
                    sort::put(r, right.benefit.code().as_bytes())?;
                    sort::put(r, &packed)
                })
            }
            Record::Agent(a) => {
                self.agents.insert(a.matricule);
                Ok(())
            }
            Record::Invoice(i) => {
                self.invoices.push(RestoredInvoice {
                    id: i.id,
                    siret: i.siret.as_str().to_owned(),
                    number: i.number,
                    amount: i.amount_incl_tax,
                    status: i.status,
                });
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn reject(&mut self, _row: FlaggedRow) -> std::io::Result<()> {
        self.rejected += 1;
        Ok(())
    }

    fn file_done(&mut self, summary: &FileSummary) -> std::io::Result<()> {
        if summary.entity == Entity::Droits && summary.present {
            self.rights_file_present = true;
        }
        Ok(())
    }

    fn file_unreadable(&mut self, problem: &Unreadable) -> std::io::Result<()> {
        self.unreadable.push(problem.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dues_read_back_as_packed() {
        let m = |s: &str| Month::parse(s).expect("month");
        let dues = vec![
            Due {
                month: m("2026-12"),
                amount: Cents(123_456),
                why_not: None,
            },
            Due {
                month: m("2027-01"),
                amount: Cents::ZERO,
                why_not: Some(Exclusion::Ended),
            },
        ];
        assert_eq!(unpack(&pack(&dues)), Some(dues));
    }
}
