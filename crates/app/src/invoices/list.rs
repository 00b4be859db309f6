//! The invoices by deadline at the scale of a year of a large département (issue #23: 40,000
//! invoices, a page of the web's list in ≤ 50 ms p99): every invoice's standing computed in
//! one pass over the store's invoices and steps, sorted once, with what is at risk counted over
//! all; then a page is a slice. A step recorded since changes one invoice: [`DueList::record`]
//! folds it in without reading the rest again (`cache.rs` keeps the list between requests).

use super::{DueError, DueInvoice};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use relais_core::Cents;
use relais_core::calendar::local_date;
use relais_core::deposits::DepositKind;
use relais_core::invoices::lifecycle::{InvoiceState, Life, Step, fold};
use relais_core::invoices::{EcbRate, InvoiceStanding, invoice_standing};
use relais_store::Store;
use relais_store::deposits::{DepositFilter, DepositStore};
use relais_store::invoices::InvoiceStore;
use std::collections::BTreeMap;

/// Every invoice's standing as of a day, computed once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DueList {
    /// Every invoice not paid, the most urgent first (by days left, then reference).
    pub open: Vec<DueInvoice>,
    /// Invoices paid since the extracts (by hand or the accountant's return), for their page.
    pub paid: Vec<DueInvoice>,
    /// Invoices late, rejected ones aside, and their late interest and indemnities to date.
    pub late: usize,
    pub at_risk: Cents,
    /// Every invoice's steps, in order, by invoice.
    steps: BTreeMap<String, Vec<Step>>,
}

/// What the standing of every invoice of a list is computed with.
#[derive(Debug, Clone, Copy)]
pub(super) struct Terms<'a> {
    pub payment_days: u16,
    pub today: Date,
    pub rates: &'a [EcbRate],
}

impl Terms<'_> {
    /// The standing of an invoice of `amount` received on `received` after `life`, and the
    /// day it was paid: as of that day, else today. `None`: no ECB rate for its delay.
    fn standing(
        &self,
        life: &Life,
        amount: Cents,
        received: Date,
    ) -> Option<(InvoiceStanding, Option<Date>)> {
        let paid_on = life.paid_on.filter(|_| life.state == InvoiceState::Paid);
        let until = paid_on.unwrap_or(self.today);
        // The clock stood still while suspended (CCP R2192-27): the deadline moves as much.
        let still = life.still_days(until);
        let running_from = received
            .checked_add(jiff::Span::new().days(still))
            .unwrap_or(received);
        let standing =
            invoice_standing(amount, running_from, self.payment_days, until, self.rates)?;
        Some((standing, paid_on))
    }
}

impl DueList {
    /// How many pages of `per_page` the open invoices fill (one, even empty).
    pub fn pages(&self, per_page: usize) -> usize {
        self.open.len().div_ceil(per_page.max(1)).max(1)
    }

    /// Page `page` (from 1) of `per_page` open invoices; empty past the last.
    pub fn page(&self, page: usize, per_page: usize) -> &[DueInvoice] {
        let per_page = per_page.max(1);
        let start = page.saturating_sub(1).saturating_mul(per_page);
        let end = start.saturating_add(per_page).min(self.open.len());
        self.open.get(start..end).unwrap_or_default()
    }

    /// The invoice named `id` (`factures.csv`'s id or a deposit's chrono number), paid or not.
    pub fn find(&self, id: &str) -> Option<&DueInvoice> {
        let id = id.trim();
        self.open.iter().chain(&self.paid).find(|d| d.id == id)
    }

    /// The steps of invoice `id`, in order.
    pub fn steps(&self, id: &str) -> &[Step] {
        self.steps.get(id.trim()).map_or(&[], Vec::as_slice)
    }

    /// Folds `step`, recorded after the list was read, into invoice `id`: its state and
    /// standing (its place and the totals wait for [`DueList::settle`]). False when the list
    /// does not hold the invoice or its standing cannot be computed: then the list must be
    /// read again.
    pub(super) fn record(&mut self, id: &str, step: Step, terms: &Terms<'_>) -> bool {
        let Some(at) = self.open.iter().position(|d| d.id == id) else {
            return false;
        };
        let steps = self.steps.entry(id.to_owned()).or_default();
        steps.push(step);
        let life = fold(steps);
        let row = &mut self.open[at];
        let Some((standing, paid_on)) = terms.standing(&life, row.amount, row.received) else {
            return false;
        };
        row.standing = standing;
        row.state = life.state;
        row.reason = life.reason;
        row.paid_on = paid_on;
        if paid_on.is_some() {
            let row = self.open.remove(at);
            self.paid.push(row);
        }
        true
    }

    /// Every invoice's standing again, as of `terms`' day (a new day): its steps are kept.
    /// False when a standing cannot be computed: then the list must be read again.
    pub(super) fn restate(&mut self, terms: &Terms<'_>) -> bool {
        let steps = &self.steps;
        let all = self.open.iter_mut().chain(self.paid.iter_mut()).all(|row| {
            let life = fold(steps.get(&row.id).map_or(&[], Vec::as_slice));
            match terms.standing(&life, row.amount, row.received) {
                Some((standing, _)) => {
                    row.standing = standing;
                    true
                }
                None => false,
            }
        });
        self.settle();
        all
    }

    /// Adds an invoice deposited at the courrier after the list was read: deposit `number`,
    /// the supplier's invoice `invoice_number` for `amount`, received on `received`. False when
    /// its standing cannot be computed.
    pub(super) fn add_deposit(
        &mut self,
        number: &str,
        invoice_number: &str,
        depositor: &str,
        amount: Cents,
        received: Date,
        terms: &Terms<'_>,
    ) -> bool {
        let life = fold(self.steps(number));
        let Some((standing, paid_on)) = terms.standing(&life, amount, received) else {
            return false;
        };
        let row = DueInvoice {
            source: "courrier",
            id: number.to_owned(),
            reference: format!("{invoice_number} ({number})"),
            supplier: depositor.to_owned(),
            amount,
            received,
            standing,
            state: life.state,
            reason: life.reason,
            paid_on,
        };
        if paid_on.is_some() {
            self.paid.push(row);
        } else {
            self.open.push(row);
        }
        true
    }

    /// Takes out a deposit cancelled after the list was read (its number stays in the
    /// register, not among the invoices).
    pub(super) fn remove(&mut self, number: &str) {
        self.open
            .retain(|d| d.source != "courrier" || d.id != number);
        self.paid
            .retain(|d| d.source != "courrier" || d.id != number);
    }

    /// Sorts the open invoices, the most urgent first (the paid ones by id), and counts what
    /// is at risk.
    pub(super) fn settle(&mut self) {
        self.open.sort_by(|x, y| {
            (x.standing.days_left, &x.reference).cmp(&(y.standing.days_left, &y.reference))
        });
        self.paid.sort_by(|x, y| x.id.cmp(&y.id));
        self.late = 0;
        self.at_risk = Cents::ZERO;
        for d in self
            .open
            .iter()
            .filter(|d| d.state != InvoiceState::Rejected)
        {
            if let Some(l) = d.standing.late {
                self.late += 1;
                self.at_risk = self
                    .at_risk
                    .checked_add(l.interest)
                    .and_then(|a| a.checked_add(l.indemnity))
                    .unwrap_or(self.at_risk);
            }
        }
    }
}

/// Every invoice of the extracts and of the courrier (deposits of an invoice not cancelled),
/// paid within `payment_days` of receipt, standing as of `today` (a paid invoice's as of its
/// payment): one read of the steps, one of the invoices, one of the deposits.
pub fn due_list<S: Store + DepositStore + InvoiceStore + ?Sized>(
    store: &S,
    payment_days: u16,
    today: Date,
    tz: &TimeZone,
    rates: &[EcbRate],
) -> Result<DueList, DueError> {
    let terms = Terms {
        payment_days,
        today,
        rates,
    };
    let steps = store.invoice_steps()?;
    let received = fold(&[]);
    let mut list = DueList::default();
    let mut missing_rate = false;
    let mut push = |source, id: &str, reference: String, supplier: &str, amount, on: Date| {
        let life = steps.get(id).map(|s| fold(s));
        let life: &Life = life.as_ref().unwrap_or(&received);
        let Some((standing, paid_on)) = terms.standing(life, amount, on) else {
            missing_rate = true;
            return;
        };
        let row = DueInvoice {
            source,
            id: id.to_owned(),
            reference,
            supplier: supplier.to_owned(),
            amount,
            received: on,
            standing,
            state: life.state,
            reason: life.reason.clone(),
            paid_on,
        };
        if paid_on.is_some() {
            list.paid.push(row);
        } else {
            list.open.push(row);
        }
    };
    store.each_open_invoice(&mut |i| {
        push(
            "extraction",
            &i.id,
            i.number.clone(),
            &i.supplier,
            i.amount_incl_tax,
            i.received_on,
        )
    })?;
    let filter = DepositFilter {
        kind: Some(DepositKind::Facture),
        ..Default::default()
    };
    for d in store.deposits(&filter)? {
        if d.cancellation.is_some() {
            continue;
        }
        if let Some(inv) = &d.facts.invoice {
            let id = d.number.to_string();
            push(
                "courrier",
                &id,
                format!("{} ({id})", inv.number),
                &d.facts.depositor,
                inv.amount,
                local_date(d.received_at, tz),
            );
        }
    }
    if missing_rate {
        return Err(DueError::MissingRate);
    }
    list.steps = steps;
    list.settle();
    Ok(list)
}
