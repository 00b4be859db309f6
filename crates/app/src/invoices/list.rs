//! The invoices by deadline at the scale of a year of a large département (issue #23: 40,000
//! invoices, a page of the web's list in ≤ 50 ms p99): every invoice's standing computed in
//! one pass over the store's invoices and steps, sorted once, with what is at risk counted over
//! all; then a page is a slice. [`DueCache`] keeps the list between requests for as long as
//! the journal's last entry is the same: every change of state commits with its journal entry
//! (ARCHITECTURE's invariant), so an unchanged head means an unchanged list.

use super::{DueError, DueInvoice};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use relais_core::Cents;
use relais_core::calendar::local_date;
use relais_core::deposits::DepositKind;
use relais_core::invoices::lifecycle::{InvoiceState, Life, Step, fold};
use relais_core::invoices::{EcbRate, invoice_standing};
use relais_core::journal::EntryHash;
use relais_store::deposits::{DepositFilter, DepositStore};
use relais_store::invoices::InvoiceStore;
use relais_store::{Store, StoreError};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

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
        self.open
            .iter()
            .chain(&self.paid)
            .find(|d| d.id == id)
    }

    /// The steps of invoice `id`, in order.
    pub fn steps(&self, id: &str) -> &[Step] {
        self.steps.get(id.trim()).map_or(&[], Vec::as_slice)
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
    let steps = store.invoice_steps()?;
    let received = fold(&[]);
    let mut list = DueList::default();
    let mut missing_rate = false;
    let mut push = |source, id: &str, reference: String, supplier: &str, amount, on: Date| {
        let life = steps.get(id).map(|s| fold(s));
        let life: &Life = life.as_ref().unwrap_or(&received);
        let paid_on = life.paid_on.filter(|_| life.state == InvoiceState::Paid);
        let until = paid_on.unwrap_or(today);
        // The clock stood still while suspended (CCP R2192-27): the deadline moves as much.
        let still = life.still_days(until);
        let running_from = on.checked_add(jiff::Span::new().days(still)).unwrap_or(on);
        let Some(standing) = invoice_standing(amount, running_from, payment_days, until, rates)
        else {
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
    list.open.sort_by(|x, y| {
        (x.standing.days_left, &x.reference).cmp(&(y.standing.days_left, &y.reference))
    });
    for d in list.open.iter().filter(|d| d.state != InvoiceState::Rejected) {
        if let Some(l) = d.standing.late {
            list.late += 1;
            list.at_risk = list
                .at_risk
                .checked_add(l.interest)
                .and_then(|a| a.checked_add(l.indemnity))
                .unwrap_or(list.at_risk);
        }
    }
    Ok(list)
}

/// The list of a day, kept while nothing is written: a server's screens ask for it on each
/// request, and computing it reads every invoice and step.
#[derive(Debug, Default)]
pub struct DueCache {
    kept: Mutex<Option<Kept>>,
}

#[derive(Debug)]
struct Kept {
    /// The journal's last entry when the list was read (`None`: an empty journal).
    head: Option<(u64, EntryHash)>,
    today: Date,
    payment_days: u16,
    list: Arc<DueList>,
}

impl DueCache {
    /// The list as [`due_list`] gives it: the one kept when the journal's last entry, the day
    /// and the délai are the same, else read again (and kept). Requests at once wait for one
    /// reading rather than each making its own.
    pub fn get<S: Store + DepositStore + InvoiceStore + ?Sized>(
        &self,
        store: &S,
        payment_days: u16,
        today: Date,
        tz: &TimeZone,
        rates: &[EcbRate],
    ) -> Result<Arc<DueList>, DueError> {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let same_day = kept
            .as_ref()
            .filter(|k| k.today == today && k.payment_days == payment_days);
        // The head is read before the list: a change committed in between is in the list
        // kept, and its entry makes the next request read the list again.
        let head = journal_head(store, same_day.and_then(|k| k.head))?;
        if let Some(k) = same_day.filter(|k| k.head == head) {
            return Ok(Arc::clone(&k.list));
        }
        let list = Arc::new(due_list(store, payment_days, today, tz, rates)?);
        *kept = Some(Kept {
            head,
            today,
            payment_days,
            list: Arc::clone(&list),
        });
        Ok(list)
    }
}

/// The journal's last entry, found from `known` (an entry read earlier) with a few reads of
/// one entry each: is `known` still the last (one read of two entries), else doubling steps
/// past it, then halving (entries are numbered 1, 2, 3… without gaps).
fn journal_head<S: Store + ?Sized>(
    store: &S,
    known: Option<(u64, EntryHash)>,
) -> Result<Option<(u64, EntryHash)>, StoreError> {
    let at = |seq: u64| -> Result<Option<(u64, EntryHash)>, StoreError> {
        Ok(store
            .journal_entries(seq, 1)?
            .first()
            .map(|e| (e.seq, e.hash)))
    };
    let mut last = 0;
    if let Some((seq, hash)) = known {
        match store.journal_entries(seq, 2)?.as_slice() {
            [e] if e.hash == hash => return Ok(known),
            [e, ..] if e.hash == hash => last = seq,
            // The entry known is not there any more (another store): from the start.
            _ => {}
        }
    }
    let mut step = 1;
    let mut beyond = loop {
        let probe = last.saturating_add(step);
        if at(probe)?.is_none() {
            break probe;
        }
        last = probe;
        step = step.saturating_mul(2);
    };
    while beyond - last > 1 {
        let mid = last + (beyond - last) / 2;
        if at(mid)?.is_some() {
            last = mid;
        } else {
            beyond = mid;
        }
    }
    if last == 0 {
        return Ok(None);
    }
    at(last)
}
