//! The facts of payment readiness, read from any [`Store`]: what next month's run would pay,
//! what it would not and why, recent changes of bank details, the payroll, open invoices and
//! their legal deadlines. Rules come from `relais_core::payment`; this module only counts.

use jiff::Span;
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::invoices;
use relais_core::payment::{self, Exclusion, RightTerms};
use relais_core::records::Benefit;
use relais_store::unpayable::{Unpayable, reason, rejected_amount, rejected_payees};
use relais_store::{PaymentRight, Store, StoreError};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

/// Bank details changed this recently before the snapshot are to be checked before paying
/// (changing a payee's IBAN is the classic payment fraud, and a crisis is its best moment).
pub const BANK_CHANGE_DAYS: i64 = 30;
/// Invoices whose deadline falls within this many days are reported as due soon.
pub const DUE_SOON_DAYS: i64 = 7;

/// What the assessment depends on besides the store.
pub struct Inputs {
    pub month: Month,
    /// Today in the authority's time zone (invoice deadlines).
    pub today: Date,
    /// The day the snapshot was sealed, in the authority's time zone (recent bank changes).
    pub snapshot_date: Date,
    pub renewal_window_months: u32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Total {
    pub rights: u64,
    pub total_cents: i64,
}

impl Total {
    fn add(&mut self, amount: Cents) {
        self.rights += 1;
        self.total_cents = self.total_cents.saturating_add(amount.0);
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BenefitTotal {
    pub benefit: &'static str,
    pub label: &'static str,
    pub rights: u64,
    pub total_cents: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct KindTotal {
    pub payee_kind: &'static str,
    pub rights: u64,
    pub total_cents: i64,
}

/// What the run would pay.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Payable {
    pub people: u64,
    pub rights: u64,
    pub payees: u64,
    pub total_cents: i64,
    /// Rights paid part of the month (start, end or death within it).
    pub prorated_rights: u64,
    pub by_benefit: Vec<BenefitTotal>,
    pub by_payee_kind: Vec<KindTotal>,
}

/// Rights not paid by design (closed, suspended, not started, deceased, RSA).
#[derive(Debug, Clone, Serialize)]
pub struct NotDue {
    pub reason: &'static str,
    pub label: &'static str,
    pub rights: u64,
    /// For the RSA, what the CAF would pay for the month; otherwise the monthly amounts.
    pub total_cents: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnpayableTotal {
    pub reason: &'static str,
    pub label: &'static str,
    pub rights: u64,
    /// What they would have been paid for the month, as far as the rejected rows tell.
    pub total_cents: i64,
    /// Rejected rows whose amount could not be read (not in `total_cents`).
    pub amount_unknown: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Unpayables {
    pub rights: u64,
    pub total_cents: i64,
    /// Rights the run should pay: payable plus unpayable.
    pub considered: u64,
    pub percent: f64,
    pub by_reason: Vec<UnpayableTotal>,
    /// Rejected rights rows that would not have been paid anyway (closed, RSA, ended…).
    pub rejected_not_due: u64,
}

/// Rights a crisis renewal (extend the rights that ended within a window) would keep paid.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Renewal {
    pub window_months: u32,
    /// Rights ended on or after this day are within the window.
    pub window_start: String,
    pub expired_rights: u64,
    pub saved_rights: u64,
    /// The monthly amounts of the saved rights.
    pub saved_total_cents: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct BankChanges {
    pub since: String,
    pub payees: u64,
    pub rights: u64,
    pub total_cents: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PayrollFacts {
    pub agents: u64,
    pub net_total_cents: i64,
    pub variables_total_cents: i64,
    /// Rows of `agents.csv` rejected at import: agents the run would not pay.
    pub rejected_rows: u64,
    /// Agents in post with their lines in `paie.csv`; the others are paid their net alone.
    pub with_lines: u64,
    /// Agents whose lines do not add up to their net: excluded from the payroll.
    pub lines_off: u64,
    /// The creditors `paie.csv` names: each must be under `[payments.payroll.creditors]`.
    pub creditors: Vec<String>,
    /// Rows of `paie.csv` rejected at import.
    pub rejected_lines: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusTotal {
    pub status: String,
    pub invoices: u64,
    pub total_cents: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Invoices {
    pub open: u64,
    pub total_cents: i64,
    pub payment_days: i64,
    pub overdue: u64,
    pub overdue_cents: i64,
    pub due_soon_days: i64,
    pub due_soon: u64,
    pub due_soon_cents: i64,
    pub earliest_deadline: Option<String>,
    pub by_status: Vec<StatusTotal>,
    /// Rows of `factures.csv` rejected at import.
    pub rejected_rows: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RejectedCount {
    pub file: String,
    pub code: String,
    pub rows: u64,
}

/// Everything the drill reports about the data.
#[derive(Debug, Clone, Serialize)]
pub struct Facts {
    pub payable: Payable,
    pub not_due: Vec<NotDue>,
    pub unpayable: Unpayables,
    pub renewal: Renewal,
    pub bank_details_changed: BankChanges,
    pub payroll: PayrollFacts,
    pub invoices: Invoices,
    pub rejected_rows: Vec<RejectedCount>,
    /// Rights whose own imputation (the extract's column) is not an M57 account: a payment
    /// run refuses them until the extract is corrected.
    pub imputations_outside_m57: Vec<ImputationIssue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImputationIssue {
    pub imputation: String,
    pub rights: u64,
    pub reason: String,
}

/// A deterministic 64-bit digest of an identifier: counting distinct payees among a million
/// rights holds 8 bytes per payee, not the identifiers (a collision among a million 64-bit
/// digests has a probability below 10⁻⁷ and would undercount by one).
fn digest(id: &str) -> u64 {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(Span::new().days(days))
        .unwrap_or(if days < 0 { Date::MIN } else { Date::MAX })
}

/// Walks the rights once, in dossier order.
struct RightsPass<'a> {
    inputs: &'a Inputs,
    bank_since: Date,
    window_start: Date,
    payable: Payable,
    by_benefit: BTreeMap<Benefit, Total>,
    by_kind: BTreeMap<&'static str, Total>,
    payees: HashSet<u64>,
    person: Option<String>,
    person_paid: bool,
    not_due: BTreeMap<Exclusion, Total>,
    expired: Total,
    renewal: Renewal,
    bank: BankChanges,
    bank_payees: HashSet<String>,
    /// Each distinct imputation text: how many rights, and why it is not M57 (`None`: it is).
    imputations: BTreeMap<String, (u64, Option<String>)>,
}

impl RightsPass<'_> {
    fn person_done(&mut self) {
        if self.person_paid {
            self.payable.people += 1;
        }
        self.person_paid = false;
    }

    fn right(&mut self, r: &PaymentRight) {
        if self.person.as_deref() != Some(r.dossier.as_str()) {
            self.person_done();
            self.person = Some(r.dossier.clone());
        }
        if let Some(text) = r.imputation.as_deref().filter(|t| !t.trim().is_empty()) {
            match self.imputations.get_mut(text) {
                Some(seen) => seen.0 += 1,
                None => {
                    let why = relais_core::imputation::M57Account::parse(
                        relais_core::run::imputation_account(text).unwrap_or(text),
                    )
                    .err()
                    .map(|e| e.to_string());
                    self.imputations.insert(text.to_owned(), (1, why));
                }
            }
        }
        let terms = r.terms();
        match payment::due(&terms, self.inputs.month, r.death_date) {
            Ok(amount) => self.paid(r, &terms, amount),
            Err(Exclusion::Ended) => {
                // Closed and suspended rights are excluded before: this one is en_paiement.
                self.expired.add(r.monthly_amount);
                if r.end >= self.window_start {
                    self.renewal.saved_rights += 1;
                    self.renewal.saved_total_cents = self
                        .renewal
                        .saved_total_cents
                        .saturating_add(r.monthly_amount.0);
                }
            }
            Err(Exclusion::PaidByCaf) => {
                let amount = payment::month_amount(&terms, self.inputs.month, r.death_date)
                    .unwrap_or(Cents::ZERO);
                self.not_due
                    .entry(Exclusion::PaidByCaf)
                    .or_default()
                    .add(amount);
            }
            Err(other) => self.not_due.entry(other).or_default().add(r.monthly_amount),
        }
    }

    fn paid(&mut self, r: &PaymentRight, terms: &RightTerms, amount: Cents) {
        self.person_paid = true;
        self.payable.rights += 1;
        self.payable.total_cents = self.payable.total_cents.saturating_add(amount.0);
        if amount != terms.monthly_amount {
            self.payable.prorated_rights += 1;
        }
        self.by_benefit.entry(r.benefit).or_default().add(amount);
        self.by_kind
            .entry(r.payee_kind.code())
            .or_default()
            .add(amount);
        self.payees.insert(digest(&r.payee_id));
        if r.iban_changed_on.is_some_and(|d| d >= self.bank_since) {
            self.bank.rights += 1;
            self.bank.total_cents = self.bank.total_cents.saturating_add(amount.0);
            if !self.bank_payees.contains(&r.payee_id) {
                self.bank_payees.insert(r.payee_id.clone());
            }
        }
    }
}

pub fn assess(store: &dyn Store, inputs: &Inputs) -> Result<Facts, StoreError> {
    let window_months = i64::from(inputs.renewal_window_months);
    let window_start = inputs
        .month
        .first_day()
        .checked_sub(Span::new().months(window_months))
        .unwrap_or(Date::MIN);
    let bank_since = add_days(inputs.snapshot_date, -BANK_CHANGE_DAYS);
    let mut pass = RightsPass {
        inputs,
        bank_since,
        window_start,
        payable: Payable::default(),
        by_benefit: BTreeMap::new(),
        by_kind: BTreeMap::new(),
        payees: HashSet::new(),
        person: None,
        person_paid: false,
        not_due: BTreeMap::new(),
        expired: Total::default(),
        renewal: Renewal {
            window_months: inputs.renewal_window_months,
            window_start: window_start.to_string(),
            ..Renewal::default()
        },
        bank: BankChanges {
            since: bank_since.to_string(),
            ..BankChanges::default()
        },
        bank_payees: HashSet::new(),
        imputations: BTreeMap::new(),
    };
    store.each_payment_right(&mut |r| pass.right(r))?;
    pass.person_done();

    let mut payable = pass.payable;
    payable.payees = pass.payees.len() as u64;
    payable.by_benefit = pass
        .by_benefit
        .into_iter()
        .map(|(b, t)| BenefitTotal {
            benefit: b.code(),
            label: b.label_fr(),
            rights: t.rights,
            total_cents: t.total_cents,
        })
        .collect();
    payable.by_payee_kind = pass
        .by_kind
        .into_iter()
        .map(|(k, t)| KindTotal {
            payee_kind: k,
            rights: t.rights,
            total_cents: t.total_cents,
        })
        .collect();
    let not_due = pass
        .not_due
        .into_iter()
        .map(|(e, t)| NotDue {
            reason: e.code(),
            label: e.label_fr(),
            rights: t.rights,
            total_cents: t.total_cents,
        })
        .collect();
    let mut renewal = pass.renewal;
    renewal.expired_rights = pass.expired.rights;
    let mut bank = pass.bank;
    bank.payees = pass.bank_payees.len() as u64;

    let mut unpayable = rejected_rights(store, inputs.month)?;
    let expired = UnpayableTotal {
        reason: Unpayable::Expired.code(),
        label: Unpayable::Expired.label_fr(),
        rights: pass.expired.rights,
        total_cents: pass.expired.total_cents,
        amount_unknown: 0,
    };
    if expired.rights > 0 {
        unpayable.by_reason.insert(0, expired);
    }
    unpayable.rights = unpayable.by_reason.iter().map(|r| r.rights).sum();
    unpayable.total_cents = unpayable
        .by_reason
        .iter()
        .fold(0i64, |a, r| a.saturating_add(r.total_cents));
    unpayable.considered = payable.rights + unpayable.rights;
    unpayable.percent = percent(unpayable.rights, unpayable.considered);

    Ok(Facts {
        payable,
        not_due,
        unpayable,
        renewal,
        bank_details_changed: bank,
        payroll: payroll(store, inputs.month)?,
        invoices: invoices(store, inputs.today)?,
        imputations_outside_m57: pass
            .imputations
            .into_iter()
            .filter_map(|(imputation, (rights, why))| {
                why.map(|reason| ImputationIssue {
                    imputation,
                    rights,
                    reason,
                })
            })
            .collect(),
        rejected_rows: store
            .flagged_counts()?
            .into_iter()
            .map(|c| RejectedCount {
                file: c.file,
                code: c.code,
                rows: c.rows,
            })
            .collect(),
    })
}

/// `part` of `whole` in percent, to two decimals (for display; the counts stay exact).
fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    let hundredths = (u128::from(part) * 10_000 + u128::from(whole) / 2) / u128::from(whole);
    hundredths as f64 / 100.0
}

fn rejected_rights(store: &dyn Store, month: Month) -> Result<Unpayables, StoreError> {
    let payees = rejected_payees(store)?;
    let mut seen: HashSet<String> = HashSet::new();
    let mut by_reason: BTreeMap<Unpayable, UnpayableTotal> = BTreeMap::new();
    let mut not_due = 0u64;
    store.each_flagged_row("droits", &mut |row| {
        // Duplicates are rejected together: one right, however many rows.
        if let Some(key) = &row.key
            && !seen.insert(key.clone())
        {
            return;
        }
        let amount = match rejected_amount(row, month) {
            Ok(a) => a,
            Err(_not_due) => {
                not_due += 1;
                return;
            }
        };
        let why = reason(row, &payees);
        let total = by_reason.entry(why).or_insert_with(|| UnpayableTotal {
            reason: why.code(),
            label: why.label_fr(),
            rights: 0,
            total_cents: 0,
            amount_unknown: 0,
        });
        total.rights += 1;
        match amount {
            Some(a) => total.total_cents = total.total_cents.saturating_add(a.0),
            None => total.amount_unknown += 1,
        }
    })?;
    Ok(Unpayables {
        by_reason: by_reason.into_values().collect(),
        rejected_not_due: not_due,
        ..Unpayables::default()
    })
}

fn payroll(store: &dyn Store, month: Month) -> Result<PayrollFacts, StoreError> {
    let p = store.payroll(month)?;
    let rejected_rows = store.each_flagged_row("agents", &mut |_| {})?;
    let rejected_lines = store.each_flagged_row("paie", &mut |_| {})?;
    Ok(PayrollFacts {
        agents: p.agents,
        net_total_cents: p.net_total.0,
        variables_total_cents: p.variables_total.0,
        rejected_rows,
        with_lines: p.with_lines,
        lines_off: p.lines_off,
        creditors: p.creditors,
        rejected_lines,
    })
}

fn invoices(store: &dyn Store, today: Date) -> Result<Invoices, StoreError> {
    let soon = add_days(today, DUE_SOON_DAYS);
    let mut facts = Invoices {
        payment_days: i64::from(invoices::INVOICE_PAYMENT_DAYS),
        due_soon_days: DUE_SOON_DAYS,
        ..Invoices::default()
    };
    let mut earliest: Option<Date> = None;
    let mut by_status: BTreeMap<String, (u64, i64)> = BTreeMap::new();
    store.each_open_invoice(&mut |i| {
        let amount = i.amount_incl_tax.0;
        let deadline = invoices::invoice_deadline(i.received_on, invoices::INVOICE_PAYMENT_DAYS)
            .unwrap_or(Date::MAX);
        facts.open += 1;
        facts.total_cents = facts.total_cents.saturating_add(amount);
        if deadline < today {
            facts.overdue += 1;
            facts.overdue_cents = facts.overdue_cents.saturating_add(amount);
        } else if deadline <= soon {
            facts.due_soon += 1;
            facts.due_soon_cents = facts.due_soon_cents.saturating_add(amount);
        }
        earliest = Some(earliest.map_or(deadline, |e| e.min(deadline)));
        let s = by_status.entry(i.status.clone()).or_default();
        s.0 += 1;
        s.1 = s.1.saturating_add(amount);
    })?;
    facts.earliest_deadline = earliest.map(|d| d.to_string());
    facts.by_status = by_status
        .into_iter()
        .map(|(status, (invoices, total_cents))| StatusTotal {
            status,
            invoices,
            total_cents,
        })
        .collect();
    facts.rejected_rows = store.each_flagged_row("factures", &mut |_| {})?;
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_to_hundredths() {
        assert_eq!(percent(0, 0), 0.0);
        assert_eq!(percent(1, 3), 33.33);
        assert_eq!(percent(2, 3), 66.67);
        assert_eq!(percent(3, 3), 100.0);
    }
}
