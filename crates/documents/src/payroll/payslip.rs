//! An agent's payslip for a repeated month: the employer, the agent, the month paid and the
//! month it repeats, each line, the net, and the variable elements deferred — in French, one
//! A4 page laid out by [`crate::flow`]. One PDF per agent, and files to print of
//! [`PRINT_BATCH`] payslips each, so that memory does not grow with the headcount.

use crate::flow::{Block, layout};
use crate::french::{date_short, month_long};
use crate::pdf::Fonts;
use crate::receipt::DocumentError;
use jiff::civil::Date;
use relais_core::payroll::{AGENT_CREDITOR, AgentPay};
use std::io::Write;

/// Payslips in one file to print.
pub const PRINT_BATCH: usize = 500;

/// The employer, as each payslip names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employer {
    pub name: String,
    pub siret: String,
    /// The run (`P2026-12-02`) and the pay date.
    pub run: String,
    pub pay_date: Option<Date>,
}

fn euros(c: relais_core::Cents) -> String {
    c.to_string()
}

/// The blocks of `pay`'s payslip.
pub fn payslip_blocks(e: &Employer, pay: &AgentPay) -> Vec<Block> {
    let mut b = vec![
        Block::Small(format!("{} — SIRET {}", e.name, e.siret)),
        Block::Title(format!("Bulletin de paie — {}", month_long(pay.month))),
        Block::Field(
            "Agent".into(),
            format!(
                "{} {} (matricule {})",
                pay.last_name, pay.first_name, pay.matricule
            ),
        ),
        Block::Field("Service".into(), pay.service.clone()),
        Block::Field(
            "Mois payé".into(),
            match pay.repeats {
                Some(m) => format!(
                    "{}, en reprise à l'identique de {} (paie de continuité)",
                    month_long(pay.month),
                    month_long(m)
                ),
                None => format!(
                    "{} : net de {} repris seul, cotisations à régulariser",
                    month_long(pay.month),
                    "votre dernier mois normal"
                ),
            },
        ),
    ];
    if pay.thirtieths < 30 {
        b.push(Block::Field(
            "Présence".into(),
            format!(
                "{}/30 du mois (entrée ou sortie en cours de mois) : chaque ligne est payée en trentièmes",
                pay.thirtieths
            ),
        ));
    }
    if let Some(d) = e.pay_date {
        b.push(Block::Field("Date de paiement".into(), date_short(d)));
    }
    b.push(Block::Heading("Éléments de paie".into()));
    for l in &pay.lines {
        let mut value = String::new();
        if let Some(base) = l.base {
            value.push_str(&format!("base {}", euros(base)));
        }
        if let Some(rate) = l.rate {
            value.push_str(&format!(" × {rate}"));
        }
        if l.employee.0 != 0 {
            let side = if l.employee.is_negative() {
                "retenue"
            } else {
                "gain"
            };
            value.push_str(&format!(" ; {side} {}", euros(l.employee)));
        }
        if l.employer.0 > 0 {
            value.push_str(&format!(" ; part employeur {}", euros(l.employer)));
        }
        if l.creditor != AGENT_CREDITOR {
            value.push_str(&format!(" ({})", l.creditor));
        }
        b.push(Block::Field(
            format!("{} {}", l.code, l.label),
            value.trim_start_matches([' ', ';']).to_owned(),
        ));
    }
    b.push(Block::Gap(6.0));
    b.push(Block::Field("Total des gains".into(), euros(pay.gross)));
    b.push(Block::Field(
        "Cotisations employeur".into(),
        euros(pay.employer),
    ));
    b.push(Block::Strong(format!("Net à payer : {}", euros(pay.net))));
    b.push(Block::Heading("Éléments variables".into()));
    b.push(Block::Text(if pay.deferred.0 == 0 {
        "Aucun élément variable n'était dû le dernier mois normal.".into()
    } else {
        format!(
            "Les éléments variables du dernier mois normal ({} : heures supplémentaires, primes, \
             retenues) ne sont pas payés par ce mois de continuité : ils sont reportés et seront \
             régularisés au retour du système de paie.",
            euros(pay.deferred)
        )
    }));
    b.push(Block::Gap(10.0));
    b.push(Block::Small(format!(
        "Bulletin établi pendant l'interruption du système d'information (paiement {}). \
         À conserver sans limitation de durée.",
        e.run
    )));
    b
}

/// Writes `pay`'s payslip as an A4 PDF.
pub fn write_payslip_pdf(
    e: &Employer,
    pay: &AgentPay,
    out: &mut dyn Write,
) -> Result<(), DocumentError> {
    let fonts = Fonts::shared().ok_or(DocumentError::Font)?;
    let pages = layout(fonts, &payslip_blocks(e, pay));
    let title = format!("Bulletin de paie {} — {}", pay.month, pay.matricule);
    super::lean::write_pages(fonts, &title, &footer(e, pay), &pages, out)?;
    Ok(())
}

fn footer(e: &Employer, pay: &AgentPay) -> String {
    format!(
        "{} — bulletin de paie {} — {}",
        e.name, pay.month, pay.matricule
    )
}

/// A file to print being written: each payslip's pages written out as it is added, so that
/// only the page being drawn is in memory (pages are numbered without their total).
pub struct PrintFile<W: Write> {
    pdf: super::lean::LeanPdf<'static, W>,
    employer: Employer,
    fonts: &'static Fonts,
    count: usize,
}

impl<W: Write> PrintFile<W> {
    /// Starts the file to print of `month`'s payslips.
    pub fn new(
        out: W,
        e: &Employer,
        month: relais_core::calendar::Month,
    ) -> Result<Self, DocumentError> {
        let fonts = Fonts::shared().ok_or(DocumentError::Font)?;
        let pdf = super::lean::LeanPdf::new(
            out,
            fonts,
            &format!("Bulletins de paie {month}"),
            &format!(
                "{} — bulletins de paie {month} (paiement {})",
                e.name, e.run
            ),
        )?;
        Ok(PrintFile {
            pdf,
            employer: e.clone(),
            fonts,
            count: 0,
        })
    }

    /// Adds `pay`'s payslip, on pages of its own.
    pub fn add(&mut self, pay: &AgentPay) -> Result<(), DocumentError> {
        for page in layout(self.fonts, &payslip_blocks(&self.employer, pay)) {
            self.pdf.page(&page, None)?;
        }
        self.count += 1;
        Ok(())
    }

    /// Payslips added so far.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Ends the file: its output.
    pub fn finish(self) -> Result<W, DocumentError> {
        Ok(self.pdf.finish()?)
    }
}
