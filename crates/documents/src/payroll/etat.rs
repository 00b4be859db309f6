//! The état liquidatif of a payroll month as a PDF for the accountant (CGCT D1617-19, annexe I,
//! rubrique 2: per agent down to the net payable, and the summary by budget account and
//! function), streamed page by page with [`super::lean`] so that 50,000 agents take no more
//! memory than 50.

use super::lean::LeanPdf;
use super::{Source, payslip::Employer};
use crate::french::month_long;
use crate::pdf::{Fonts, PAGE_H};
use crate::run_report::ReportError;
use crate::sheet::{Lines, Sheet};
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::payroll::{AgentPay, MandateKey, MandateTotals};
use std::io::Write;

const SIZE: f32 = 7.5;
const STEP: f32 = 9.5;
const TOP: f32 = 56.0;
const BOTTOM: f32 = PAGE_H - 52.0;

/// Column positions: left edges, or right edges for the amounts.
const CODE: f32 = 48.0;
const LABEL: f32 = 80.0;
const LABEL_W: f32 = 135.0;
const BASE_R: f32 = 272.0;
const RATE_R: f32 = 318.0;
const EMPLOYEE_R: f32 = 385.0;
const EMPLOYER_R: f32 = 445.0;
const IMPUTATION: f32 = 452.0;
const CREDITOR: f32 = 508.0;

const LINES: Lines = Lines {
    size: SIZE,
    step: STEP,
    top: TOP,
    bottom: BOTTOM,
};

/// The columns' names, at the top of each page of agents.
fn header<W: Write>(p: &mut Sheet<'_, W>) {
    p.text(CODE, "Rubr.", true);
    p.text(LABEL, "Libellé", true);
    p.right(BASE_R, "Base", true);
    p.right(RATE_R, "Taux", true);
    p.right(EMPLOYEE_R, "Salarial", true);
    p.right(EMPLOYER_R, "Patronal", true);
    p.text(IMPUTATION, "Compte/fonct.", true);
    p.text(CREDITOR, "Créancier", true);
    p.next();
    p.y += 2.0;
}

fn amount(c: Cents) -> String {
    if c == Cents::ZERO {
        String::new()
    } else {
        c.to_string()
    }
}

/// Writes the état liquidatif of `month`: `source` gives each agent paid, by matricule;
/// `mandates` the summary by account and function.
pub fn write_etat_pdf(
    out: &mut dyn Write,
    employer: &Employer,
    month: Month,
    source: Source<'_, AgentPay>,
    mandates: &[(MandateKey, MandateTotals)],
) -> Result<(), ReportError> {
    let fonts = Fonts::shared().ok_or(ReportError::Font)?;
    let title = format!("État liquidatif de la paie — {}", month_long(month));
    let footer = format!("{} — {title} — paiement {}", employer.name, employer.run);
    let mut p = Sheet::new(LeanPdf::new(out, fonts, &title, &footer)?, fonts, LINES);
    p.text(
        CODE,
        &format!("{} — SIRET {}", employer.name, employer.siret),
        false,
    );
    p.next();
    p.text(CODE, &title, true);
    p.next();
    p.text(
        CODE,
        "Paie de continuité : le dernier mois normal repris à l'identique, sans les éléments variables (reportés).",
        false,
    );
    p.next();
    p.next();
    header(&mut p);
    crate::run_report::stream(source, |pay: &AgentPay| {
        p.room(pay.lines.len() + 3, header)?;
        let repeats = match pay.repeats {
            Some(m) => format!("reprise de {}", month_long(m)),
            None => "net seul, cotisations à régulariser".into(),
        };
        let head = format!(
            "{} {} {} — {} — {}/30 — {repeats}",
            pay.matricule, pay.last_name, pay.first_name, pay.service, pay.thirtieths
        );
        let head = fonts.fit(&head, SIZE, true, 499.0).into_owned();
        p.text(CODE, &head, true);
        p.next();
        for l in &pay.lines {
            p.text(CODE, &l.code, false);
            let label = fonts.fit(&l.label, SIZE, false, LABEL_W).into_owned();
            p.text(LABEL, &label, false);
            p.right(BASE_R, &l.base.map(amount).unwrap_or_default(), false);
            p.right(
                RATE_R,
                &l.rate.map(|r| r.to_string()).unwrap_or_default(),
                false,
            );
            p.right(EMPLOYEE_R, &amount(l.employee), false);
            p.right(EMPLOYER_R, &amount(l.employer), false);
            let imputation = match &l.employer_account {
                Some(a) if l.employer.0 > 0 => format!("{}/{}", a, l.function),
                _ => format!("{}/{}", l.account, l.function),
            };
            p.text(IMPUTATION, &imputation, false);
            p.text(CREDITOR, &l.creditor, false);
            p.next();
        }
        p.text(LABEL, "Net à payer", true);
        p.right(EMPLOYEE_R, &pay.net.to_string(), true);
        p.right(EMPLOYER_R, &amount(pay.employer), true);
        p.next();
        p.y += 3.0;
        Ok(())
    })?;
    p.room(4, header)?;
    p.next();
    p.text(
        CODE,
        "Totaux par compte et fonction (un mandat chacun)",
        true,
    );
    p.next();
    for (n, (key, m)) in mandates.iter().enumerate() {
        p.room(m.creditors.len() + 3, header)?;
        p.text(
            CODE,
            &format!("Mandat {} — {}/{}", n + 1, key.account, key.function),
            true,
        );
        p.right(EMPLOYER_R, &m.total.to_string(), true);
        p.next();
        if m.agents > 0 {
            p.text(LABEL, &format!("Nets de {} agent(s)", m.agents), false);
            p.right(EMPLOYER_R, &m.nets.to_string(), false);
            p.next();
        }
        for (creditor, c) in &m.creditors {
            p.text(LABEL, creditor, false);
            p.right(EMPLOYER_R, &c.to_string(), false);
            p.next();
        }
    }
    p.finish()?;
    Ok(())
}
