//! Reconciliation after the crisis (issue #24): what Relais paid for each right and month of
//! the crisis, against what the restored system says was due, and the difference — an
//! overpayment to recover (**indu**) or arrears to pay (**rappel**). Pure: both sides come in
//! as streams sorted by right id (byte order, as SQLite's `BINARY` collation sorts the
//! claims' key), merged one right at a time, so that memory does not grow with the rights.
//!
//! - The months compared are the crisis months: those a validated run of Relais paid, and for
//!   each only the benefits those runs paid ([`CrisisMonths`]). Another month, or a benefit no
//!   run of Relais paid that month, is the restored system's own business.
//! - What was due is [`crate::payment::month_amount`] over the restored right — the rule the
//!   runs used to pay it (RSA included: its lines are what was handed to the CAF).
//! - A right-month the imported history had already paid (a claim of no run) is left out:
//!   neither Relais nor the crisis paid it.
//! - A right Relais paid that the restored system does not know is owed nothing (`inconnu du
//!   système restauré`: all it was paid is an indu, to examine); a right the restored system
//!   has that Relais never paid is owed what is due (a rappel).

mod invoices;

pub use invoices::{
    InvoiceGap, InvoiceGapKind, PaidInvoice, RestoredInvoice, compare_invoices, restored_is_paid,
};

use crate::Cents;
use crate::calendar::Month;
use crate::payment::{Exclusion, RightTerms, month_amount};
use crate::records::Benefit;
use jiff::civil::Date;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// The months Relais paid, each with the benefits its validated runs paid that month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrisisMonths(BTreeMap<Month, BTreeSet<Benefit>>);

impl CrisisMonths {
    pub fn new() -> CrisisMonths {
        CrisisMonths::default()
    }

    /// A validated run of `month` paid `benefits`.
    pub fn add(&mut self, month: Month, benefits: &[Benefit]) {
        self.0.entry(month).or_default().extend(benefits);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The months, in order.
    pub fn months(&self) -> Vec<Month> {
        self.0.keys().copied().collect()
    }

    /// Whether Relais paid `benefit` in `month`.
    pub fn covers(&self, month: Month, benefit: Benefit) -> bool {
        self.0.get(&month).is_some_and(|b| b.contains(&benefit))
    }
}

/// What the restored system says a right was due for one crisis month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub month: Month,
    /// Zero when nothing was due.
    pub amount: Cents,
    /// Why nothing was due, when nothing was.
    pub why_not: Option<Exclusion>,
}

/// What the restored system says `terms` (the person having died on `death`, if at all) was
/// due for each crisis month that Relais paid its benefit in.
pub fn dues(terms: &RightTerms, death: Option<Date>, months: &CrisisMonths) -> Vec<Due> {
    months
        .0
        .iter()
        .filter(|(_, benefits)| benefits.contains(&terms.benefit))
        .map(|(&month, _)| match month_amount(terms, month, death) {
            Ok(a) if a.0 > 0 => Due {
                month,
                amount: a,
                why_not: None,
            },
            Ok(_) => Due {
                month,
                amount: Cents::ZERO,
                why_not: None,
            },
            Err(why) => Due {
                month,
                amount: Cents::ZERO,
                why_not: Some(why),
            },
        })
        .collect()
}

/// A right of the restored system, with what it was due in the crisis months.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueRight {
    pub right_id: String,
    pub dossier: String,
    pub benefit: Benefit,
    pub dues: Vec<Due>,
}

/// A claim of Relais: a right paid for a month, by a validated run (`run`), or by the imported
/// history (`run: None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidClaim {
    pub right_id: String,
    pub month: Month,
    pub run: Option<String>,
    pub amount: Cents,
    pub dossier: String,
    pub benefit: Benefit,
}

/// Where a right stands in the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Known {
    /// Relais paid it and the restored system has it.
    Both,
    /// Relais paid it; the restored system does not know it.
    RelaisOnly,
    /// The restored system has it; Relais never paid it in the crisis months.
    RestoredOnly,
}

impl Known {
    pub fn label_fr(self) -> &'static str {
        match self {
            Known::Both => "",
            Known::RelaisOnly => "droit inconnu du système restauré",
            Known::RestoredOnly => "droit jamais payé par Relais",
        }
    }
}

/// One right and month compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<'a> {
    pub right_id: &'a str,
    pub dossier: &'a str,
    pub benefit: Benefit,
    pub month: Month,
    pub paid: Cents,
    pub due: Cents,
    /// Why nothing was due, when the restored right says so.
    pub why_not_due: Option<Exclusion>,
    pub known: Known,
}

impl Line<'_> {
    /// Overpaid: what Relais paid beyond what was due (to recover), else zero.
    pub fn indu(&self) -> Cents {
        Cents((self.paid.0 - self.due.0).max(0))
    }

    /// Underpaid: what was due beyond what Relais paid (to pay), else zero.
    pub fn rappel(&self) -> Cents {
        Cents((self.due.0 - self.paid.0).max(0))
    }

    /// Whether Relais paid exactly what was due.
    pub fn matches(&self) -> bool {
        self.paid == self.due
    }

    /// Why the amounts differ, for agents (empty when they match).
    pub fn reason_fr(&self) -> String {
        if self.matches() {
            return String::new();
        }
        if self.known != Known::Both {
            return self.known.label_fr().to_owned();
        }
        match self.why_not_due {
            Some(why) => why.label_fr().to_owned(),
            None if self.paid.0 == 0 => "non payé par Relais".to_owned(),
            None if self.due > self.paid => "montant dû supérieur".to_owned(),
            None => "montant dû inférieur".to_owned(),
        }
    }
}

/// The totals of one benefit and month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Total {
    /// Rights Relais paid.
    pub rights_paid: u64,
    pub paid: Cents,
    pub due: Cents,
    pub indu: Cents,
    pub rappel: Cents,
    /// Rights with an indu, with a rappel.
    pub rights_indu: u64,
    pub rights_rappel: u64,
}

impl Total {
    fn add(&mut self, line: &Line<'_>) {
        if line.paid.0 != 0 {
            self.rights_paid += 1;
        }
        self.paid = Cents(self.paid.0.saturating_add(line.paid.0));
        self.due = Cents(self.due.0.saturating_add(line.due.0));
        let (indu, rappel) = (line.indu(), line.rappel());
        self.indu = Cents(self.indu.0.saturating_add(indu.0));
        self.rappel = Cents(self.rappel.0.saturating_add(rappel.0));
        self.rights_indu += u64::from(indu.0 > 0);
        self.rights_rappel += u64::from(rappel.0 > 0);
    }

    /// `other` added to this.
    pub fn plus(mut self, other: &Total) -> Total {
        self.rights_paid += other.rights_paid;
        self.paid = Cents(self.paid.0.saturating_add(other.paid.0));
        self.due = Cents(self.due.0.saturating_add(other.due.0));
        self.indu = Cents(self.indu.0.saturating_add(other.indu.0));
        self.rappel = Cents(self.rappel.0.saturating_add(other.rappel.0));
        self.rights_indu += other.rights_indu;
        self.rights_rappel += other.rights_rappel;
        self
    }
}

/// Totals per month and benefit.
pub type Totals = BTreeMap<(Month, Benefit), Total>;

/// A stream out of order: the merge would be wrong, so it stops.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{side} not sorted by right id: {after:?} came before {right:?}")]
pub struct OutOfOrder {
    pub side: &'static str,
    pub after: String,
    pub right: String,
}

/// A right being compared: its restored side and its claims, until the next right comes.
struct Pending {
    right_id: String,
    dossier: String,
    benefit: Benefit,
    restored: Option<DueRight>,
    /// (month, amount, by the history).
    paid: Vec<(Month, Cents, bool)>,
}

/// The merge: claims are pushed in (right, month) order, as the store streams them; the
/// restored rights are pulled from `restored` in right order. Each right-month compared goes to
/// the `each` given to [`Reconciler::claim`] and [`Reconciler::finish`]; totals are kept.
pub struct Reconciler<I: Iterator> {
    restored: std::iter::Peekable<I>,
    pending: Option<Pending>,
    last_restored: Option<String>,
    totals: Totals,
}

impl<E, I> Reconciler<I>
where
    I: Iterator<Item = Result<DueRight, E>>,
    E: From<OutOfOrder>,
{
    pub fn new(restored: I) -> Reconciler<I> {
        Reconciler {
            restored: restored.peekable(),
            pending: None,
            last_restored: None,
            totals: Totals::new(),
        }
    }

    /// One claim of Relais, in (right, month) order.
    pub fn claim(
        &mut self,
        c: &PaidClaim,
        each: &mut dyn FnMut(&Line<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let same = self.pending.as_ref().map(|p| p.right_id.as_str());
        match same.map(|r| r.cmp(c.right_id.as_str())) {
            Some(Ordering::Equal) => {}
            Some(Ordering::Greater) => {
                return Err(OutOfOrder {
                    side: "claims",
                    after: same.unwrap_or_default().to_owned(),
                    right: c.right_id.clone(),
                }
                .into());
            }
            Some(Ordering::Less) | None => {
                self.flush(each)?;
                // Restored rights before this one were never paid by Relais.
                while let Some(r) = self.next_restored_before(&c.right_id)? {
                    self.pending = Some(Pending::restored(r));
                    self.flush(each)?;
                }
                let restored = match self.restored.peek() {
                    Some(Ok(r)) if r.right_id == c.right_id => self.pull()?,
                    _ => None,
                };
                self.pending = Some(Pending {
                    right_id: c.right_id.clone(),
                    dossier: c.dossier.clone(),
                    benefit: c.benefit,
                    restored,
                    paid: Vec::new(),
                });
            }
        }
        if let Some(p) = self.pending.as_mut() {
            p.paid.push((c.month, c.amount, c.run.is_none()));
        }
        Ok(())
    }

    /// The restored rights left (never paid by Relais), then the totals.
    pub fn finish(mut self, each: &mut dyn FnMut(&Line<'_>) -> Result<(), E>) -> Result<Totals, E> {
        self.flush(each)?;
        while let Some(r) = self.pull()? {
            self.pending = Some(Pending::restored(r));
            self.flush(each)?;
        }
        Ok(self.totals)
    }

    /// The next restored right, checked to come after the previous one.
    fn pull(&mut self) -> Result<Option<DueRight>, E> {
        let Some(next) = self.restored.next().transpose()? else {
            return Ok(None);
        };
        if let Some(last) = &self.last_restored
            && last.as_str() >= next.right_id.as_str()
        {
            return Err(OutOfOrder {
                side: "restored rights",
                after: last.clone(),
                right: next.right_id,
            }
            .into());
        }
        self.last_restored = Some(next.right_id.clone());
        Ok(Some(next))
    }

    /// The next restored right if it comes before `right`.
    fn next_restored_before(&mut self, right: &str) -> Result<Option<DueRight>, E> {
        match self.restored.peek() {
            Some(Ok(r)) if r.right_id.as_str() >= right => Ok(None),
            None => Ok(None),
            _ => self.pull(),
        }
    }

    /// Compares the pending right month by month, and forgets it.
    fn flush(&mut self, each: &mut dyn FnMut(&Line<'_>) -> Result<(), E>) -> Result<(), E> {
        let Some(p) = self.pending.take() else {
            return Ok(());
        };
        let known = match (&p.restored, p.paid.iter().any(|(_, _, history)| !history)) {
            (Some(_), true) => Known::Both,
            (Some(_), false) => Known::RestoredOnly,
            (None, _) => Known::RelaisOnly,
        };
        let dues = p.restored.as_ref().map_or(&[][..], |r| &r.dues[..]);
        let mut months: Vec<Month> = dues.iter().map(|d| d.month).collect();
        months.extend(p.paid.iter().map(|(m, _, _)| *m));
        months.sort_unstable();
        months.dedup();
        for month in months {
            let paid = p.paid.iter().find(|(m, _, _)| *m == month);
            if paid.is_some_and(|(_, _, history)| *history) {
                continue;
            }
            let due = dues.iter().find(|d| d.month == month);
            let benefit = match (paid, &p.restored) {
                (None, Some(r)) => r.benefit,
                _ => p.benefit,
            };
            let line = Line {
                right_id: &p.right_id,
                dossier: p
                    .restored
                    .as_ref()
                    .map_or(p.dossier.as_str(), |r| r.dossier.as_str()),
                benefit,
                month,
                paid: paid.map_or(Cents::ZERO, |(_, a, _)| *a),
                due: due.map_or(Cents::ZERO, |d| d.amount),
                why_not_due: due.and_then(|d| d.why_not),
                known,
            };
            if paid.is_none() && line.due.0 == 0 {
                continue;
            }
            self.totals.entry((month, benefit)).or_default().add(&line);
            each(&line)?;
        }
        Ok(())
    }
}

impl Pending {
    fn restored(r: DueRight) -> Pending {
        Pending {
            right_id: r.right_id.clone(),
            dossier: r.dossier.clone(),
            benefit: r.benefit,
            restored: Some(r),
            paid: Vec::new(),
        }
    }
}

/// A payroll month of an agent as Relais paid it, and the variable elements it deferred.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentMonth {
    pub matricule: String,
    pub name: String,
    pub service: String,
    pub month: Month,
    /// The net Relais paid (repeated from the last good month).
    pub net_paid: Cents,
    /// The variable elements Relais did not pay: the restored system still owes them.
    pub deferred: Cents,
    /// Whether the restored system's `agents.csv` still has the agent.
    pub known_restored: bool,
}

#[cfg(test)]
mod tests;
