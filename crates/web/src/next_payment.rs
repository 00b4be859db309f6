//! The next payment of each of a person's rights, as the desk tells it: which month, when, how
//! much, to whom, and where it stands (in a run, left out of one and why, not prepared yet,
//! not due). Pure: everything comes from the page the store read, today and the settings.
//!
//! The month is the earliest one not paid yet, not the calendar's next: when December was
//! never paid (no run, or a run left the right out), the desk talks about December even if
//! January's run is already prepared (issue #20 §2).

mod answer;
#[cfg(test)]
mod tests;

pub use answer::{answer_lines, at_fr, benefit_fr, channel_fr, date_fr, month_fr, status_fr};

use jiff::civil::Date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::payment::{Exclusion, RightTerms, month_amount};
use relais_core::records::{Benefit, RightStatus};
use relais_core::run::pay_date;
use relais_core::settings::Settings;
use relais_store::desk::{PaymentRow, PersonPage, RightRow};

/// Months looked at, at most, after the last one paid (two years: beyond, nothing is due).
const MONTHS_LOOKED_AT: usize = 24;
/// Months before the coming one looked at, at most, for an unpaid one: a run pays only the
/// months after the imported history (`relais_core::month_guard`), and a right's status is
/// today's, not the one it had a year ago.
const MONTHS_BACK: usize = 2;

/// One line of "Prochains paiements".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextPayment {
    pub right_id: String,
    pub benefit: String,
    /// `décembre 2026`.
    pub month: String,
    /// The pay date, `10/12/2026`, when known.
    pub date: String,
    pub amount: String,
    pub payee: String,
    pub status: String,
}

/// Where the payment of one right for its month stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outlook {
    /// Claimed by run `run` (not cancelled); `validated` once an ordonnateur validated it.
    InRun { run: String, validated: bool },
    /// Run `run` of the month left the right out: `reason` its code, `label` in French.
    Excluded {
        run: String,
        reason: String,
        label: String,
    },
    /// Run `run` of the month pays the benefit but neither holds nor left out this right: the
    /// right came after it was prepared.
    Missed { run: String },
    /// Not due for the month (suspended, closed, ended, not started, death).
    NotDue(Exclusion),
    /// No run yet, and the run will leave it out: the payee's bank details changed on
    /// `changed_on` and no ordonnateur approved them.
    BankUnapproved { changed_on: Date },
    /// No run of the month for this right yet.
    NotPrepared,
}

/// The state of one right's next payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightOutlook {
    pub right_id: String,
    pub benefit: Benefit,
    /// The earliest month not paid yet.
    pub month: Month,
    /// The pay date: the run's, else the settings' for the month.
    pub date: Option<Date>,
    /// The run's amount, else what is due for the month.
    pub amount: Option<Cents>,
    pub payee: String,
    pub iban_end: String,
    pub start: Option<Date>,
    pub end: Option<Date>,
    /// The day a change of bank details was asked at the desk for this payee, still pending.
    pub bank_request: Option<String>,
    pub outlook: Outlook,
}

/// A run's status code as the agent reads it.
pub fn run_status_fr(code: &str) -> &str {
    match code {
        "prepared" => "préparé, à valider",
        "validated" => "validé",
        "cancelled" => "annulé",
        other => other,
    }
}

/// `P2026-12-01 (validated)` → `paiement P2026-12-01 validé`; `historique` stays.
pub fn source_fr(source: &str) -> String {
    match run_of(source) {
        Some((run, status)) => format!("paiement {run} {}", run_status_fr(status)),
        None => source.to_owned(),
    }
}

/// `P2026-12-01 (validated)` → `("P2026-12-01", "validated")`; `None` for the history.
fn run_of(source: &str) -> Option<(&str, &str)> {
    source
        .split_once(" (")
        .map(|(run, status)| (run, status.trim_end_matches(')')))
}

/// The month whose payment comes next for `benefit` on `today`: this month until its pay date
/// has passed, then the next one.
pub(crate) fn coming_month(today: Date, pay_day: i8, settings: &Settings) -> (Month, Date) {
    let zone = settings.authority.holiday_zone;
    let this = Month::of(today);
    let date = pay_date(this, pay_day, zone);
    if today <= date {
        (this, date)
    } else {
        let next = this.next();
        (next, pay_date(next, pay_day, zone))
    }
}

/// The next payment of each right of `page` on `today`, as table rows.
pub fn next_payments(
    page: &PersonPage,
    today: Date,
    settings: Option<&Settings>,
) -> Vec<NextPayment> {
    outlooks(page, today, settings)
        .iter()
        .map(|o| NextPayment {
            right_id: o.right_id.clone(),
            benefit: o.benefit.label_fr().to_owned(),
            month: relais_documents::french::month_long(o.month),
            date: o
                .date
                .map(relais_documents::french::date_short)
                .unwrap_or_default(),
            amount: o.amount.map_or_else(|| "—".to_owned(), |a| a.to_string()),
            payee: o.payee.clone(),
            status: answer::status_line(o),
        })
        .collect()
}

/// The state of each right's earliest unpaid month on `today`.
pub fn outlooks(page: &PersonPage, today: Date, settings: Option<&Settings>) -> Vec<RightOutlook> {
    let death = page
        .death_date
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok());
    page.rights
        .iter()
        .filter_map(|r| outlook(page, r, today, settings, death))
        .collect()
}

fn outlook(
    page: &PersonPage,
    r: &RightRow,
    today: Date,
    settings: Option<&Settings>,
    death: Option<Date>,
) -> Option<RightOutlook> {
    let benefit = Benefit::parse(&r.benefit)?;
    let (start, end) = (r.start.parse::<Date>().ok(), r.end.parse::<Date>().ok());
    let terms = RightTerms {
        benefit,
        monthly_amount: Cents(r.monthly_amount),
        start: start?,
        end: end?,
        status: RightStatus::parse(&r.status)?,
    };
    let pay_day = settings
        .and_then(|s| s.payments.as_ref())
        .and_then(|p| p.benefit(benefit))
        .map(|b| b.pay_day);
    let planned = |m: Month| match (settings, pay_day) {
        (Some(s), Some(day)) => Some(pay_date(m, day, s.authority.holiday_zone)),
        _ => None,
    };
    let coming = match (settings, pay_day) {
        (Some(s), Some(day)) => coming_month(today, day, s).0,
        _ => Month::of(today),
    };
    let paid: Vec<(Month, &PaymentRow)> = page
        .paid_months
        .iter()
        .filter(|p| p.right_id == r.id)
        .filter_map(|p| Some((Month::parse(&p.month).ok()?, p)))
        .collect();
    // From the month after the last one paid before the coming month: a later month already
    // in a run says nothing of an earlier one left unpaid.
    let mut month = paid
        .iter()
        .map(|(m, _)| *m)
        .filter(|m| *m < coming)
        .max()
        .map_or(coming, Month::next);
    let floor = (0..MONTHS_BACK).fold(coming, |m, _| m.previous());
    month = month.max(floor);
    let mut claim = None;
    for _ in 0..MONTHS_LOOKED_AT {
        claim = paid.iter().find(|(m, _)| *m == month).map(|(_, p)| *p);
        let done = match claim {
            Some(p) => done(p, today),
            // A month gone by that was not due is no arrears (a right that began later).
            None => month < coming && month_amount(&terms, month, death).is_err(),
        };
        if !done {
            break;
        }
        month = month.next();
    }
    let bank_request = page
        .bank_requests
        .iter()
        .find(|b| b.payee_id == r.payee_id)
        .map(|b| b.requested_at.clone());
    // The RSA too: the CAF pays it (CASF L262-16), and the département's run advances the
    // month to the CAF, right by right, as it does for what it pays itself.
    let amount_due = month_amount(&terms, month, death);
    let month_text = month.to_string();
    let mut iban_end = r.iban_end.clone();
    let (outlook, date, amount) = if let Some(p) = claim {
        let (run, status) = run_of(&p.source).unwrap_or((p.source.as_str(), ""));
        // The account as the run copied it: a change approved since is for later runs.
        if let Some((_, _, end)) = page
            .run_accounts
            .iter()
            .find(|(id, payee, _)| id == run && *payee == r.payee_id)
        {
            iban_end.clone_from(end);
        }
        (
            Outlook::InRun {
                run: run.to_owned(),
                validated: status == "validated",
            },
            p.date.parse().ok(),
            Some(Cents(p.amount)),
        )
    } else if let Some(e) = page
        .exclusions
        .iter()
        .find(|e| e.right_id == r.id && e.month == month_text)
    {
        let outlook = Outlook::Excluded {
            run: e.run_id.clone(),
            reason: e.reason.clone(),
            label: e.label.clone(),
        };
        (outlook, planned(month), amount_due.ok())
    } else {
        let outlook = match amount_due {
            Err(why) => Outlook::NotDue(why),
            Ok(_) => match page.runs.iter().find(|run| {
                run.month == month_text && run.benefits.split(',').any(|b| b == benefit.code())
            }) {
                Some(run) => Outlook::Missed {
                    run: run.id.clone(),
                },
                None => match unapproved_change(r, benefit, today, settings) {
                    Some(changed_on) => Outlook::BankUnapproved { changed_on },
                    None => Outlook::NotPrepared,
                },
            },
        };
        (outlook, planned(month), amount_due.ok())
    };
    Some(RightOutlook {
        right_id: r.id.clone(),
        benefit,
        month,
        date,
        amount,
        payee: r.payee_name.clone(),
        iban_end,
        start,
        end,
        bank_request,
        outlook,
    })
}

/// Whether a payment is behind the person: paid in the history, or validated and its date
/// gone by. A prepared run not validated is not paid, whatever its date.
fn done(p: &PaymentRow, today: Date) -> bool {
    match run_of(&p.source) {
        None => true,
        Some((_, status)) => {
            status == "validated" && p.date.parse::<Date>().is_ok_and(|d| d < today)
        }
    }
}

/// The day the payee's bank details changed, when the next run will leave the right out for
/// it: changed within the settings' `bank_change_days` and not approved (the run's rule, in
/// the store's preparation; RSA is not mandated, so not concerned).
fn unapproved_change(
    r: &RightRow,
    benefit: Benefit,
    today: Date,
    settings: Option<&Settings>,
) -> Option<Date> {
    if benefit == Benefit::Rsa || r.iban_approved {
        return None;
    }
    let days = settings?.payments.as_ref()?.bank_change_days;
    let changed: Date = r.iban_changed_on.as_deref()?.parse().ok()?;
    let window_start = today
        .checked_sub(jiff::Span::new().days(i64::from(days)))
        .unwrap_or(Date::MIN);
    (changed >= window_start && changed <= today).then_some(changed)
}
