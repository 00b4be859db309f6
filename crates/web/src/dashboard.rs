//! The dashboard: what matters today — the next pay date of each benefit and where its run
//! stands, the deposits of the day, the rights the last run does not pay and why, bank-detail
//! changes awaiting a second agent, invoices near their legal deadline, rejected rows.

use crate::access::{BANK_DECIDE, CRISE, REJECTS, holds};
use crate::app::Shared;
use crate::crise;
use crate::error::WebError;
use crate::next_payment::coming_month;
use crate::pages::{Head, render};
use crate::session::SignedIn;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use relais_core::records::Benefit;
use relais_core::run::RunStatus;
use relais_store::deposits::DepositFilter;
use relais_store::runs::RunRecord;
use serde::Deserialize;
use std::sync::Arc;

mod charts;

/// The crisis cell's part of the dashboard.
pub(crate) struct CrisisSummary {
    pub cnil: crate::crise::CnilBlock,
    /// The CNIL deadline as a timeline (`None` while awareness is not recorded).
    pub cnil_chart: Option<String>,
    /// The systems by status, as a stacked bar.
    pub systems_chart: String,
    pub critical_not_restored: usize,
    /// (title, owner, due)
    pub overdue: Vec<(String, String, String)>,
}

/// The last run not cancelled: (run, month, [(code, reason, rights)]).
pub type NotPaid = (String, String, Vec<(String, String, u64)>);

#[derive(Template)]
#[template(path = "dashboard.html")]
pub(crate) struct Dashboard {
    pub head: Head,
    pub csrf: String,
    /// The user may approve or refuse changes of bank details.
    pub can_decide: bool,
    /// For ordonnateurs: the week's creations and changes of accounts that may pay.
    pub privileged: Vec<String>,
    pub bank_changes: Vec<relais_store::bank::BankChange>,
    /// Payees whose bank details wait for an ordonnateur (`/rib`).
    pub held_bank_details: usize,
    /// Changes of agents' situation waiting for an ordonnateur (`/paie`).
    pub payroll_changes: Vec<crate::paie::ChangeRow>,
    pub notice: Option<String>,
    pub today: String,
    pub people: u64,
    pub rights: u64,
    pub rejected: u64,
    pub pay_dates: Vec<PayDate>,
    /// For the crisis cell: the CNIL clock, systems and overdue tasks.
    pub crisis: Option<CrisisSummary>,
    /// Deposits registered today (not cancelled): (kind, count).
    pub deposits_today: Vec<(String, u64)>,
    pub not_paid: Option<NotPaid>,
    /// False when the invoices' standing could not be computed (an ECB rate is missing).
    pub invoices_known: bool,
    pub invoices_late: usize,
    pub invoices_near: usize,
    /// (deadline, when, supplier, reference, amount)
    pub invoices: Vec<(String, String, String, String, String)>,
    /// (run, month, status, lines, total)
    pub runs: Vec<(String, String, String, u64, String)>,
    /// The rows to handle by reason, as a chart and its table (`None`: there are none).
    pub pending: Option<String>,
}

/// Invoices shown when their deadline is this close (or past).
const INVOICE_WARNING_DAYS: i64 = 10;
/// Invoices listed at most (the CLI lists them all: `relais invoices due`).
const INVOICES_SHOWN: usize = 15;
/// Runs listed at most.
const RUNS_SHOWN: usize = 12;
/// Changes of accounts that may pay are shown to ordonnateurs this long.
const PRIVILEGED_DAYS: i64 = 7;

/// "Compte sensible créé : … par … le 05/12/2026 à 14:03", in the authority's time zone.
fn privileged_line(
    c: &relais_store::accounts::PrivilegedChange,
    tz: &jiff::tz::TimeZone,
) -> String {
    let at = c.at.to_zoned(tz.clone());
    format!(
        "Compte sensible {} : {} (rôles {}) par {} le {} à {}",
        match (c.created, c.change.as_str()) {
            (true, _) => "créé",
            (false, "enabled") => "réactivé",
            (false, "password_reset") => "modifié (mot de passe remplacé)",
            (false, _) => "modifié",
        },
        c.login,
        c.roles.replace(',', ", "),
        c.actor,
        at.strftime("%d/%m/%Y"),
        at.strftime("%H:%M"),
    )
}

#[derive(Deserialize)]
pub struct Notice {
    #[serde(default)]
    fait: Option<String>,
}

/// A benefit's next pay date and the state of its run: (benefit, month, date, state).
pub type PayDate = (&'static str, String, String, String);

fn pay_dates(
    settings: Option<&relais_core::settings::Settings>,
    today: jiff::civil::Date,
    runs: &[RunRecord],
) -> Vec<PayDate> {
    let Some((settings, payments)) = settings.and_then(|s| s.payments.as_ref().map(|p| (s, p)))
    else {
        return Vec::new();
    };
    Benefit::ALL
        .iter()
        .filter_map(|b| {
            let p = payments.benefit(*b)?;
            let (month, date) = coming_month(today, p.pay_day, settings);
            let run = runs.iter().rev().find(|r| {
                r.id.month() == month && r.status != RunStatus::Cancelled && r.benefits.contains(b)
            });
            let state = match (run, *b) {
                (_, Benefit::Rsa) => "versé par la CAF, financé par mandat à la CAF".to_owned(),
                (None, _) => "aucun paiement préparé".to_owned(),
                (Some(r), _) => format!("{} : {}", r.id, r.status.label_fr()),
            };
            Some((b.label_fr(), month.to_string(), date.to_string(), state))
        })
        .collect()
}

pub async fn dashboard(
    State(app): State<Shared>,
    Query(notice): Query<Notice>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let today_text = app.today();
    let today = today_text.parse().unwrap_or(jiff::civil::Date::ZERO);
    let tz = jiff::tz::TimeZone::get(&app.config.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let payment_days = crate::factures::payment_days(&app);
    let worker = Arc::clone(&app);
    let crisis_cell = holds(&session, CRISE);
    let now = app.instant();
    let ordonnateur = session.has(relais_core::roles::Role::Ordonnateur);
    let since = app.now() - PRIVILEGED_DAYS * 86_400;
    let (counts, runs, pending, bank_changes, deposits, invoices, crisis, privileged) = app
        .with_reader(move |s| {
            let corrupt = |e: String| relais_store::StoreError::Corrupt(e);
            let counts = s.counts()?;
            let runs = s.runs().map_err(|e| corrupt(e.to_string()))?;
            let pending = s.flagged_counts()?;
            let changes = s
                .pending_bank_changes()
                .map_err(|e| corrupt(e.to_string()))?;
            let today_filter = DepositFilter {
                from: Some(today),
                to: Some(today),
                ..Default::default()
            };
            let deposits = s
                .deposits(&today_filter)
                .map_err(|e| corrupt(e.to_string()))?;
            // An invoice whose late interest cannot be computed still has its deadline: say
            // so on the CLI, and here list none rather than fail the whole dashboard.
            let rates = &worker.config.ecb_rates;
            let invoices = worker.invoices.get(s, payment_days, today, &tz, rates).ok();
            let crisis = if crisis_cell {
                let e = |e: relais_store::crisis::CrisisError| corrupt(e.to_string());
                Some((
                    s.incident().map_err(e)?,
                    s.systems_summary().map_err(e)?,
                    s.overdue_tasks(now).map_err(e)?,
                ))
            } else {
                None
            };
            let privileged = if ordonnateur {
                s.privileged_account_changes(since)?
            } else {
                Vec::new()
            };
            Ok((
                counts, runs, pending, changes, deposits, invoices, crisis, privileged,
            ))
        })
        .await?;
    // Bank details waiting for an ordonnateur, as `/rib` lists them.
    let window = relais_store::bank::window_days(app.config.settings.as_ref());
    let held_bank_details = app
        .with_reader(move |s| {
            s.held_bank_details(today, window)
                .map(|h| h.len())
                .map_err(|e| relais_store::StoreError::Corrupt(e.to_string()))
        })
        .await?;
    let payroll_changes = app
        .with_reader(|s| {
            s.payroll_changes(true)
                .map_err(|e| relais_store::StoreError::Corrupt(e.to_string()))
        })
        .await?
        .iter()
        .map(crate::paie::ChangeRow::from)
        .collect();
    let mut per_kind: Vec<(String, u64)> = Vec::new();
    for d in deposits.iter().filter(|d| d.cancellation.is_none()) {
        let label = crate::courrier::kind_label(&app, d.facts.kind);
        match per_kind.iter_mut().find(|(k, _)| *k == label) {
            Some((_, n)) => *n += 1,
            None => per_kind.push((label, 1)),
        }
    }
    let not_paid = runs
        .iter()
        .rev()
        .find(|r| r.status != RunStatus::Cancelled)
        .map(|r| {
            (
                r.id.to_string(),
                r.id.month().to_string(),
                r.summary.excluded.clone(),
            )
        });
    let invoices_known = invoices.is_some();
    let near: Vec<_> = invoices
        .as_ref()
        .map_or(&[][..], |l| l.open.as_slice())
        .iter()
        .take_while(|i| i.standing.days_left <= INVOICE_WARNING_DAYS)
        .collect();
    let page = Dashboard {
        head: app.head("Tableau de bord", Some(&session), "/"),
        csrf: session.csrf.clone(),
        can_decide: holds(&session, BANK_DECIDE),
        privileged: privileged
            .iter()
            .map(|c| privileged_line(c, &app.tz()))
            .collect(),
        bank_changes,
        held_bank_details,
        payroll_changes,
        notice: notice.fait.map(|n| match n.as_str() {
            "approuvee" => {
                "Demande approuvée : les nouvelles coordonnées seront utilisées.".to_owned()
            }
            _ => "Demande refusée : les coordonnées ne changent pas.".to_owned(),
        }),
        today: today_text,
        people: counts.beneficiaries,
        rights: counts.rights,
        rejected: counts.rejected_rows,
        pay_dates: pay_dates(app.config.settings.as_ref(), today, &runs),
        crisis: crisis.map(|(incident, summary, overdue)| {
            let tz = app.tz();
            CrisisSummary {
                cnil: crise::cnil_block(&app, &incident),
                cnil_chart: crise::charts::cnil(&incident, now, &tz),
                systems_chart: crise::charts::systems(&summary),
                critical_not_restored: summary.critical_not_restored.len(),
                overdue: overdue
                    .iter()
                    .map(|t| {
                        let due = t.due.map(|d| relais_documents::crisis::local(d, &tz));
                        (t.title.clone(), t.owner.clone(), due.unwrap_or_default())
                    })
                    .collect(),
            }
        }),
        deposits_today: per_kind,
        not_paid,
        invoices_known,
        invoices_late: near.iter().filter(|i| i.standing.days_left < 0).count(),
        invoices_near: near.len(),
        invoices: near
            .iter()
            .take(INVOICES_SHOWN)
            .map(|i| {
                let when = match i.standing.days_left {
                    d if d < 0 => format!("en retard de {} j", -d),
                    0 => "aujourd'hui".to_owned(),
                    d => format!("dans {d} j"),
                };
                (
                    i.standing.deadline.to_string(),
                    when,
                    i.supplier.clone(),
                    i.reference.clone(),
                    i.amount.to_string(),
                )
            })
            .collect(),
        runs: runs
            .iter()
            .rev()
            .take(RUNS_SHOWN)
            .map(|r| {
                (
                    r.id.to_string(),
                    r.id.month().to_string(),
                    r.status.label_fr().to_owned(),
                    r.summary.lines,
                    r.summary.total.to_string(),
                )
            })
            .collect(),
        pending: charts::pending(&pending, holds(&session, REJECTS)),
    };
    Ok(render(StatusCode::OK, &page))
}
