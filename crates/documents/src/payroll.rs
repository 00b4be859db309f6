//! The documents of a payroll run, for the accountant and the agents: the état liquidatif
//! (per agent down to the net, and the totals by account and function) as CSV, the deferred
//! variable elements, the agents not paid, and each agent's payslip (PDF).
//!
//! CSV as the accountant's spreadsheet reads it in France: `;`, decimal comma, UTF-8, a header
//! row, RFC 4180 quoting (the `csv` crate), cells from the data made harmless
//! ([`crate::run_report`]'s rule against formulas).

pub mod etat;
pub(crate) mod lean;
pub mod payslip;

use crate::run_report::{ListError, ReportError};
use relais_core::Cents;
use relais_core::payroll::{
    AGENT_CREDITOR, AgentPay, Deferred, MandateKey, MandateTotals, PayrollExclusion,
};
use std::io::Write;

/// A source of rows, streamed: calls `each` once per row, stops at its first error.
pub type Source<'a, T> =
    &'a mut dyn FnMut(&mut dyn FnMut(&T) -> Result<(), ListError>) -> Result<(), ListError>;

/// `1234,56`: the accountant's spreadsheet reads a decimal comma.
fn amount(c: Cents) -> String {
    c.to_decimal().replace('.', ",")
}

fn opt_amount(c: Option<Cents>) -> String {
    c.map(amount).unwrap_or_default()
}

fn writer(out: &mut dyn Write) -> csv::Writer<&mut dyn Write> {
    csv::WriterBuilder::new().delimiter(b';').from_writer(out)
}

use crate::run_report::csv_safe as safe;

/// Streams `source`, each row by `record`.
fn rows<T>(
    source: Source<'_, T>,
    mut record: impl FnMut(&T) -> Result<(), csv::Error>,
) -> Result<(), ReportError> {
    crate::run_report::stream(source, |row| Ok(record(row)?))
}

/// The état liquidatif, per agent: each line repeated for the month, then the agent's net.
pub fn write_etat_csv(
    out: &mut dyn Write,
    source: Source<'_, AgentPay>,
) -> Result<(), ReportError> {
    let mut w = writer(out);
    w.write_record([
        "matricule",
        "nom",
        "prenom",
        "service",
        "trentiemes",
        "mois_repete",
        "rubrique",
        "libelle",
        "base",
        "taux",
        "montant_salarial",
        "montant_patronal",
        "nature",
        "nature_patronale",
        "fonction",
        "creancier",
    ])?;
    rows(source, |p| {
        let repeats = p.repeats.map(|m| m.to_string()).unwrap_or_default();
        let thirtieths = p.thirtieths.to_string();
        for l in &p.lines {
            w.write_record([
                safe(&p.matricule).as_ref(),
                &safe(&p.last_name),
                &safe(&p.first_name),
                &safe(&p.service),
                &thirtieths,
                &repeats,
                &safe(&l.code),
                &safe(&l.label),
                &opt_amount(l.base),
                &l.rate.map(|r| r.decimal_fr()).unwrap_or_default(),
                &amount(l.employee),
                &amount(l.employer),
                &l.account,
                l.employer_account.as_deref().unwrap_or(""),
                &l.function,
                &safe(&l.creditor),
            ])?;
        }
        w.write_record([
            safe(&p.matricule).as_ref(),
            &safe(&p.last_name),
            &safe(&p.first_name),
            &safe(&p.service),
            &thirtieths,
            &repeats,
            "NET",
            "Net à payer",
            &amount(p.gross),
            "",
            &amount(p.net),
            &amount(p.employer),
            "",
            "",
            "",
            AGENT_CREDITOR,
        ])
    })?;
    w.flush()?;
    Ok(())
}

/// The summary by account and function: each mandat's total, the agents' nets on it, and each
/// body's share.
pub fn write_totals_csv(
    out: &mut dyn Write,
    mandates: &[(MandateKey, MandateTotals)],
) -> Result<(), ReportError> {
    let mut w = writer(out);
    w.write_record([
        "mandat",
        "nature",
        "fonction",
        "creancier",
        "agents",
        "montant",
    ])?;
    for (n, (key, m)) in mandates.iter().enumerate() {
        let n = (n + 1).to_string();
        if m.agents > 0 {
            w.write_record([
                n.as_str(),
                &key.account,
                &key.function,
                "AGENTS (nets)",
                &m.agents.to_string(),
                &amount(m.nets),
            ])?;
        }
        for (creditor, c) in &m.creditors {
            w.write_record([
                n.as_str(),
                &key.account,
                &key.function,
                creditor,
                "",
                &amount(*c),
            ])?;
        }
        w.write_record([
            n.as_str(),
            &key.account,
            &key.function,
            "TOTAL",
            "",
            &amount(m.total),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// The variable elements deferred: per agent and month, kept for the hand-back.
pub fn write_deferred_csv(
    out: &mut dyn Write,
    source: Source<'_, Deferred>,
) -> Result<(), ReportError> {
    let mut w = writer(out);
    w.write_record(["matricule", "nom", "service", "mois", "montant_differe"])?;
    rows(source, |d| {
        w.write_record([
            safe(&d.matricule).as_ref(),
            &safe(&d.name),
            &safe(&d.service),
            &d.month.to_string(),
            &amount(d.amount),
        ])
    })?;
    w.flush()?;
    Ok(())
}

/// The agents in post not paid, and why.
pub fn write_exclusions_csv(
    out: &mut dyn Write,
    source: Source<'_, PayrollExclusion>,
) -> Result<(), ReportError> {
    let mut w = writer(out);
    w.write_record([
        "matricule",
        "nom",
        "service",
        "motif",
        "libelle_motif",
        "net_agents_csv",
    ])?;
    rows(source, |x| {
        w.write_record([
            safe(&x.matricule).as_ref(),
            &safe(&x.name),
            &safe(&x.service),
            &x.reason,
            &x.label,
            &amount(x.net),
        ])
    })?;
    w.flush()?;
    Ok(())
}

/// `FR76…0189`: enough to recognise an account, not to use it.
fn masked(iban: &str) -> String {
    format!(
        "{}…{}",
        iban.get(..4).unwrap_or(""),
        iban.get(iban.len().saturating_sub(4)..).unwrap_or("")
    )
}

/// The payroll's control report: headcount and totals against the last good month, the agents
/// paid their net alone or in thirtieths, the deferred total, then each agent whose net
/// changed and each IBAN shared by several agents. Every agent has bank details (an agent
/// without them is rejected at import: `agents.csv`'s IBAN and BIC are required), so none is
/// listed without.
pub fn write_control_csv(
    out: &mut dyn Write,
    s: &relais_core::payroll::PayrollSummary,
) -> Result<(), ReportError> {
    let mut w = writer(out);
    w.write_record(["rubrique", "indicateur", "valeur", "detail"])?;
    let mut row = |section: &str, what: &str, value: String, detail: &str| {
        w.write_record([section, what, value.as_str(), detail])
    };
    row("effectifs", "agents payés", s.agents.to_string(), "")?;
    row(
        "effectifs",
        "agents du dernier mois normal",
        s.previous_agents.to_string(),
        "",
    )?;
    row(
        "effectifs",
        "payés au net seul (cotisations à régulariser)",
        s.net_only.to_string(),
        "",
    )?;
    row(
        "effectifs",
        "payés en trentièmes",
        s.prorated.to_string(),
        "",
    )?;
    row(
        "effectifs",
        "hors poste ce mois",
        s.not_in_post.to_string(),
        "",
    )?;
    row(
        "effectifs",
        "déjà payés ce mois",
        s.already_paid.to_string(),
        "",
    )?;
    row(
        "effectifs",
        "exclus (voir agents_non_payes)",
        s.excluded.to_string(),
        "",
    )?;
    row("totaux", "net", amount(s.net), "")?;
    row(
        "totaux",
        "net du dernier mois normal",
        amount(s.previous_net),
        "",
    )?;
    row("totaux", "brut", amount(s.gross), "")?;
    row("totaux", "charges patronales", amount(s.employer), "")?;
    row(
        "totaux",
        "éléments variables reportés",
        amount(s.deferred),
        &format!("{} agent(s)", s.deferred_agents),
    )?;
    for (matricule, name, before, now) in &s.changed {
        row(
            "net changé",
            &safe(matricule),
            amount(*now),
            &format!("{} ; dernier mois normal {}", safe(name), amount(*before)),
        )?;
    }
    for (iban, agents) in &s.shared_ibans {
        row(
            "IBAN partagé",
            &masked(iban),
            agents.len().to_string(),
            &agents.join(" "),
        )?;
    }
    w.flush()?;
    Ok(())
}
