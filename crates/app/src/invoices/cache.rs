//! The list of invoices kept between a server's requests, and kept true by the journal: every
//! change of state commits with its journal entry (ARCHITECTURE's invariants), so the entries
//! written since the list was read say what changed. An invoice's step (`invoice_step`, whose
//! entry holds the step) and an invoice deposited at the courrier or cancelled there
//! (`deposit.register`, `deposit.cancel`, whose entries hold the facts) are folded into the
//! list; an entry that changes no invoice (a sign-in, a contact, the crisis cell's records…)
//! leaves it as it is; any other entry (an import, a run's validation, an entry not known here)
//! has the list read again. On a new day, every standing is computed again from the list.

use super::DueError;
use super::list::{DueList, Terms, due_list};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use relais_core::Cents;
use relais_core::calendar::local_date;
use relais_core::deposits::DepositKind;
use relais_core::invoices::EcbRate;
use relais_core::invoices::lifecycle::{InvoiceEvent, Step};
use relais_core::journal::{Entry, EntryHash};
use relais_store::deposits::DepositStore;
use relais_store::invoices::InvoiceStore;
use relais_store::{Store, StoreError};
use std::sync::{Arc, Mutex, PoisonError};

/// Entries read after the list at most: beyond, it is read again.
const FOLDED_AT_MOST: u64 = 1_000;

/// Readings of the whole list tried while entries are written meanwhile.
const READS: usize = 3;

/// Journal entries that change no invoice, no invoice's step and no deposit: sessions and
/// accounts, the desk, the crisis cell, people's bank details, the payroll's changes, runs
/// but their validation.
const UNRELATED: &[&str] = &[
    "session.open",
    "session.close",
    "user.add",
    "user.disable",
    "user.enable",
    "user.password",
    "privileged_account_created",
    "privileged_account_changed",
    "contact_log",
    "payment_certificate",
    "courante.add",
    "incident.fact",
    "cnil.notification",
    "system.status",
    "systems.import",
    "task.add",
    "task.status",
    "directory.set",
    "public.message",
    "bank_change_request",
    "bank_approve",
    "payroll_change_ask",
    "payroll_change_decide",
    // A run prepared, cancelled or exported claims, frees or writes no invoice's step (its
    // validation does: read again).
    "run_prepare",
    "run_cancel",
    "run_export",
    // A run's regularisation takes numbers and writes a file: no invoice's step.
    "run_regularise",
    // The journal exported (files only), or another site's events applied to the replica
    // (never to this folder's invoices).
    "journal_export",
    "journal_apply",
];

/// The list of a day, kept while nothing is written that changes it: a server's screens ask
/// for it on each request, and reading it whole reads every invoice and step.
#[derive(Debug, Default)]
pub struct DueCache {
    kept: Mutex<Option<Kept>>,
}

#[derive(Debug)]
struct Kept {
    /// The journal's last entry the list holds (`None`: an empty journal).
    head: Option<(u64, EntryHash)>,
    today: Date,
    payment_days: u16,
    list: Arc<DueList>,
}

/// What the entries written since the list was read ask of it.
enum Since {
    Nothing,
    /// Changes to fold into it, and the last entry read.
    Changes(Vec<Change>, (u64, EntryHash)),
    /// Read it again.
    Everything,
}

/// A change of one invoice, as its journal entry says it.
enum Change {
    Step(String, Step),
    /// An invoice deposited at the courrier: (number, invoice number, depositor, amount,
    /// received).
    Deposit(String, String, String, Cents, Date),
    Cancelled(String),
}

impl DueCache {
    /// The list as [`due_list`] gives it: the one kept, with the steps recorded since folded
    /// in, for the same day and délai; else read again (and kept). Requests at once wait for
    /// one reading rather than each making its own.
    pub fn get<S: Store + DepositStore + InvoiceStore + ?Sized>(
        &self,
        store: &S,
        payment_days: u16,
        today: Date,
        tz: &TimeZone,
        rates: &[EcbRate],
    ) -> Result<Arc<DueList>, DueError> {
        let terms = Terms {
            payment_days,
            today,
            rates,
        };
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        // A new day: every standing again, from what the list holds.
        if let Some(k) = kept.as_mut().filter(|k| k.today != today)
            && Arc::make_mut(&mut k.list).restate(&terms)
        {
            k.today = today;
        }
        if let Some(k) = kept
            .as_mut()
            .filter(|k| k.today == today && k.payment_days == payment_days)
        {
            match since(store, k.head, &k.list, tz)? {
                Since::Nothing => return Ok(Arc::clone(&k.list)),
                Since::Changes(changes, head) => {
                    // A copy only while a request still renders the list as it was.
                    let folded = changes.is_empty() || {
                        let list = Arc::make_mut(&mut k.list);
                        let all = changes.into_iter().all(|c| match c {
                            Change::Step(invoice, step) => list.record(&invoice, step, &terms),
                            Change::Deposit(number, invoice, depositor, amount, on) => {
                                list.add_deposit(&number, &invoice, &depositor, amount, on, &terms)
                            }
                            Change::Cancelled(number) => {
                                list.remove(&number);
                                true
                            }
                        });
                        list.settle();
                        all
                    };
                    if folded {
                        k.head = Some(head);
                        return Ok(Arc::clone(&k.list));
                    }
                }
                Since::Everything => {}
            }
        }
        // The list is kept only when no entry was written while it was read (its reads are
        // one each): then it is the store as of that entry, and folding what follows it
        // never counts a step twice.
        let mut known = kept.as_ref().and_then(|k| k.head);
        *kept = None;
        for _ in 0..READS {
            let before = journal_head(store, known)?;
            let list = Arc::new(due_list(store, payment_days, today, tz, rates)?);
            let after = journal_head(store, before)?;
            if before == after {
                *kept = Some(Kept {
                    head: before,
                    today,
                    payment_days,
                    list: Arc::clone(&list),
                });
                return Ok(list);
            }
            known = after;
        }
        // Written to all along: this reading is as true as any, but not kept.
        Ok(Arc::new(due_list(store, payment_days, today, tz, rates)?))
    }
}

/// What the entries after `head` ask of `list` (a deposit's day of receipt in `tz`).
fn since<S: Store + ?Sized>(
    store: &S,
    head: Option<(u64, EntryHash)>,
    list: &DueList,
    tz: &TimeZone,
) -> Result<Since, StoreError> {
    let Some((seq, hash)) = head else {
        return Ok(Since::Everything);
    };
    let entries = store.journal_entries(seq, FOLDED_AT_MOST + 1)?;
    let Some((first, after)) = entries.split_first() else {
        return Ok(Since::Everything);
    };
    // Not the entry the list was read at (another store): read again.
    if first.seq != seq || first.hash != hash || after.len() as u64 >= FOLDED_AT_MOST {
        return Ok(Since::Everything);
    }
    let Some(last) = after.last() else {
        return Ok(Since::Nothing);
    };
    let mut changes = Vec::new();
    for e in after {
        let change = match e.kind.as_str() {
            kind if UNRELATED.contains(&kind) => continue,
            "invoice_step" => step_of(e),
            "deposit.register" => match deposit_of(e, tz) {
                Some(Some(deposit)) => Some(deposit),
                // A deposit of another kind.
                Some(None) => continue,
                None => None,
            },
            "deposit.cancel" => match number_of(e) {
                // A deposit that is no invoice of the list.
                Some(number) if list.find(&number).is_none() => continue,
                number => number.map(Change::Cancelled),
            },
            _ => None,
        };
        match change {
            Some(c) => changes.push(c),
            None => return Ok(Since::Everything),
        }
    }
    Ok(Since::Changes(changes, (last.seq, last.hash)))
}

/// A `deposit.cancel` entry's deposit number.
fn number_of(e: &Entry) -> Option<String> {
    let payload: serde_json::Value = serde_json::from_str(&e.payload).ok()?;
    Some(payload.get("number")?.as_str()?.to_owned())
}

/// A `deposit.register` entry's invoice, `Some(None)` for a deposit of another kind, `None`
/// when the entry cannot be read: the store journals the deposit's facts (number, kind,
/// depositor, the invoice's number and amount, the instant of receipt).
fn deposit_of(e: &Entry, tz: &TimeZone) -> Option<Option<Change>> {
    #[derive(serde::Deserialize)]
    struct Payload {
        number: String,
        kind: String,
        depositor: String,
        invoice_number: Option<String>,
        amount: Option<i64>,
        received_at: jiff::Timestamp,
    }
    let p: Payload = serde_json::from_str(&e.payload).ok()?;
    if p.kind != DepositKind::Facture.as_str() {
        return Some(None);
    }
    // Without its number and amount a deposit is no invoice of the list.
    let (Some(invoice), Some(amount)) = (p.invoice_number, p.amount) else {
        return Some(None);
    };
    Some(Some(Change::Deposit(
        p.number,
        invoice,
        p.depositor,
        Cents(amount),
        local_date(p.received_at, tz),
    )))
}

/// An `invoice_step` entry's invoice and step: the store journals the step recorded
/// (`{"invoice", "step", "on"}`) by its actor.
fn step_of(e: &Entry) -> Option<Change> {
    #[derive(serde::Deserialize)]
    struct Payload {
        invoice: String,
        step: InvoiceEvent,
        on: Date,
    }
    let p: Payload = serde_json::from_str(&e.payload).ok()?;
    Some(Change::Step(
        p.invoice,
        Step {
            event: p.step,
            actor: e.actor.clone(),
            on: p.on,
        },
    ))
}

/// The journal's last entry, found from `known` (an entry read earlier) with a few reads:
/// is `known` still the last (one read of two entries), else doubling steps past it, then
/// halving (entries are numbered 1, 2, 3… without gaps).
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
