//! `droits.csv` (rights) and `paiements.csv` (the three months paid before `today`'s month).

use crate::bad_rows::{FileId, PaymentFlaw, RightFlaw, three_decimals};
use crate::csv_out::Table;
use crate::dates::{self, Day, MonthNo};
use crate::payees::rejected_payee_id;
use crate::people::{Context, PayeeRef, PersonPlan, RightPlan, Walker};
use relais_core::records::{Benefit, RightStatus};
use std::io;

pub const RIGHT_COLUMNS: [&str; 9] = [
    "droit_id",
    "dossier",
    "prestation",
    "montant_mensuel",
    "date_debut",
    "date_fin",
    "statut",
    "tiers_id",
    "imputation",
];

pub const PAYMENT_COLUMNS: [&str; 5] =
    ["droit_id", "mois", "montant", "date_paiement", "reference"];

/// Budget imputation (chapter, M57 account) as some source systems give it; illustrative.
/// APA's account depends on who is paid (the person, or the service or establishment): left
/// empty, the settings' imputation for the payee's kind applies.
fn imputation(benefit: Benefit) -> &'static str {
    match benefit {
        Benefit::ApaDom | Benefit::ApaEtab => "",
        Benefit::Pch => "65-6511211",
        Benefit::Ash => "65-65243",
        Benefit::Rsa => "017-65171",
    }
}

fn payee_id(ctx: &Context, plan: &PersonPlan, payee: PayeeRef) -> String {
    let pool = &ctx.pool;
    let shared = |list: &[crate::pool::Shared], i: usize| {
        list.get(i).map(|s| s.id.clone()).unwrap_or_default()
    };
    match payee {
        PayeeRef::Own => Context::person_payee_id(plan.number),
        PayeeRef::Guardian(i) => shared(&pool.guardians, i),
        PayeeRef::Service(i) => shared(&pool.services, i),
        PayeeRef::Establishment(i) => shared(&pool.establishments, i),
        PayeeRef::Rejected => rejected_payee_id(plan.number),
    }
}

fn right_row(
    ctx: &Context,
    table: &mut Table,
    plan: &PersonPlan,
    r: &RightPlan,
    flaw: Option<RightFlaw>,
) -> io::Result<()> {
    let decimal = table.style().decimal;
    table.field(&Context::right_id(plan.number, r.k));
    if flaw == Some(RightFlaw::UnknownDossier) {
        table.field(&Context::dossier(u64::from(ctx.size) + plan.number));
    } else {
        table.field(&Context::dossier(plan.number));
    }
    table.field(match flaw {
        Some(RightFlaw::EmptyBenefit) => "",
        Some(RightFlaw::UnknownBenefit) => "APA_XYZ",
        _ => r.benefit.code(),
    });
    match flaw {
        Some(RightFlaw::ThreeDecimals) => table.field(&three_decimals(r.amount, decimal)),
        Some(RightFlaw::NegativeAmount) => table.money(-r.amount),
        _ => table.money(r.amount),
    }
    if flaw == Some(RightFlaw::ImpossibleDate) {
        table.field_fmt(format_args!("31/02/{}", r.start.ymd().0));
    } else {
        table.date(r.start);
    }
    if flaw == Some(RightFlaw::TooFewColumns) {
        return table.end_row(true);
    }
    if flaw == Some(RightFlaw::EndBeforeStart) {
        table.date(r.start.plus(-31));
    } else {
        table.date(r.end);
    }
    table.field(if flaw == Some(RightFlaw::UnknownStatus) {
        "en_attente"
    } else {
        r.status.code()
    });
    table.field(&payee_id(ctx, plan, r.payee));
    table.field(if r.imputation {
        imputation(r.benefit)
    } else {
        ""
    });
    table.end_row(flaw.is_some_and(RightFlaw::rejects_row))
}

/// Writes `droits.csv`.
pub fn write_rights(ctx: &Context, table: &mut Table) -> io::Result<()> {
    table.header(&RIGHT_COLUMNS)?;
    for plan in Walker::new(ctx) {
        for r in &plan.rights {
            right_row(ctx, table, &plan, r, r.flaw)?;
            if r.flaw == Some(RightFlaw::DuplicateId) {
                // The same right exported twice, the second time with another amount.
                let mut twin = r.clone();
                twin.amount += 1000;
                right_row(ctx, table, &plan, &twin, None)?;
                // Counted as the bad row of the pair.
                table.mark_last_bad();
            }
        }
    }
    Ok(())
}

/// The day a benefit's monthly run is paid: APA by the 10th (CASF R232-30), PCH and ASH with
/// it, RSA around the 5th.
fn payment_day(benefit: Benefit, month: MonthNo) -> Day {
    match benefit {
        Benefit::Rsa => dates::working_day_on_or_after(month.day(5)),
        Benefit::ApaDom | Benefit::ApaEtab => dates::working_day_on_or_before(month.day(8)),
        Benefit::Pch => dates::working_day_on_or_before(month.day(9)),
        Benefit::Ash => dates::working_day_on_or_before(month.day(10)),
    }
}

/// Whether right `r` was paid for `month`.
fn paid(plan: &PersonPlan, r: &RightPlan, month: MonthNo) -> bool {
    let good = r.flaw.is_none_or(|f| !f.rejects_row());
    let active = r.start <= month.last_day() && r.end >= month.first_day();
    let not_suspended = match (r.status, r.suspended_from) {
        (RightStatus::Suspendu, Some(from)) => month < from,
        _ => true,
    };
    let alive = plan.deceased.is_none_or(|d| month.first_day() <= d);
    good && active && not_suspended && alive
}

/// Writes `paiements.csv`.
pub fn write_payments(ctx: &Context, table: &mut Table) -> io::Result<()> {
    table.header(&PAYMENT_COLUMNS)?;
    let decimal = table.style().decimal;
    let mut schedule = ctx.schedule(FileId::Payments, PaymentFlaw::ALL.len());
    let this_month = ctx.today.month();
    // Mandate numbers run per year, in the order written.
    let mut counters: Vec<(i32, u64)> = Vec::with_capacity(2);
    let mut row: u64 = 0;
    for plan in Walker::new(ctx) {
        for r in &plan.rights {
            for back in (1..=3).rev() {
                let month = this_month.plus(-back);
                if !paid(&plan, r, month) {
                    continue;
                }
                let amount = match r.earlier_amount {
                    Some(a) if back == 3 => a,
                    _ => r.amount,
                };
                let day = payment_day(r.benefit, month);
                let year = day.ymd().0;
                let seq = match counters.iter_mut().find(|(y, _)| *y == year) {
                    Some((_, n)) => {
                        *n += 1;
                        *n
                    }
                    None => {
                        counters.push((year, 1));
                        1
                    }
                };
                let flaw = schedule.at(row).map(|f| PaymentFlaw::ALL[f]);
                row += 1;
                let payment = Payment {
                    month,
                    amount,
                    day,
                    reference_year: year,
                    seq,
                };
                payment_row(table, &plan, r, &payment, flaw, decimal)?;
            }
        }
    }
    Ok(())
}

/// One past payment of a right.
struct Payment {
    month: MonthNo,
    amount: i64,
    day: Day,
    /// Mandate number: year and rank in that year.
    reference_year: i32,
    seq: u64,
}

fn payment_row(
    table: &mut Table,
    plan: &PersonPlan,
    r: &RightPlan,
    p: &Payment,
    flaw: Option<PaymentFlaw>,
    decimal: char,
) -> io::Result<()> {
    let (month, amount, day) = (p.month, p.amount, p.day);
    if flaw == Some(PaymentFlaw::UnknownRight) {
        table.field(&Context::right_id(plan.number, 9));
    } else {
        table.field(&Context::right_id(plan.number, r.k));
    }
    if flaw == Some(PaymentFlaw::BadMonth) {
        table.field_fmt(format_args!("{}-13", month.year()));
    } else {
        let mut m = String::with_capacity(7);
        month.write(&mut m);
        table.field(&m);
    }
    match flaw {
        Some(PaymentFlaw::ThreeDecimals) => table.field(&three_decimals(amount, decimal)),
        Some(PaymentFlaw::NegativeAmount) => table.money(-amount),
        Some(PaymentFlaw::EmptyAmount) => table.field(""),
        _ => table.money(amount),
    }
    if flaw == Some(PaymentFlaw::TooFewColumns) {
        return table.end_row(true);
    }
    if flaw == Some(PaymentFlaw::ImpossibleDate) {
        table.field_fmt(format_args!("{}-02-30", month.year()));
    } else {
        table.date(day);
    }
    table.field_fmt(format_args!("MDT-{}-{:07}", p.reference_year, p.seq));
    table.end_row(flaw.is_some())
}
