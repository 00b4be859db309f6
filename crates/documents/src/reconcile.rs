//! The reconciliation report (issue #24, docs/reconciliation.md): what Relais paid against
//! what the restored system says was due, per person and month, with totals per benefit and
//! month; the agents' deferred variable elements; the suppliers' invoices that differ. CSVs for
//! a French spreadsheet (as the per-payee statements: UTF-8 with a byte order mark, `;`, CRLF,
//! amounts `1234,56`, dates `10/12/2026`, texts from the data defused as formulas) and one
//! printable HTML page (`html.rs`). Over `Write`; the rows of people are streamed.

mod html;

pub use html::{PAGE_PERSONS, Report, write_html};

use crate::french::date_short;
use crate::run_report::safe;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::reconcile::{AgentMonth, InvoiceGap, Total};
use relais_core::records::Benefit;
use std::io::Write;

const BOM: &[u8] = "\u{feff}".as_bytes();

/// `1234,56`, `-3,00`.
fn amount(c: Cents) -> String {
    c.to_decimal().replace('.', ",")
}

/// `12/2026`.
pub fn month_short(m: Month) -> String {
    format!("{:02}/{}", m.month(), m.year())
}

fn writer(out: &mut dyn Write) -> std::io::Result<csv::Writer<&mut dyn Write>> {
    out.write_all(BOM)?;
    Ok(csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(out))
}

/// One right and month, with its person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub dossier: String,
    /// `NOM Prénom`, from the restored extracts (empty when they do not have the person).
    pub name: String,
    pub right_id: String,
    pub benefit: Benefit,
    pub month: Month,
    pub paid: Cents,
    pub due: Cents,
    pub indu: Cents,
    pub rappel: Cents,
    /// Why they differ (empty when they match).
    pub reason: String,
}

/// `rapprochement_personnes.csv`, written a row at a time.
pub struct PersonsCsv<'o> {
    w: csv::Writer<&'o mut dyn Write>,
}

impl<'o> PersonsCsv<'o> {
    pub fn new(out: &'o mut dyn Write) -> Result<PersonsCsv<'o>, csv::Error> {
        let mut w = writer(out)?;
        w.write_record([
            "dossier",
            "nom",
            "droit",
            "prestation",
            "mois",
            "paye_par_relais",
            "du_selon_systeme_restaure",
            "indu_a_recuperer",
            "rappel_a_payer",
            "motif",
        ])?;
        Ok(PersonsCsv { w })
    }

    pub fn row(&mut self, r: &PersonRow) -> Result<(), csv::Error> {
        self.w.write_record([
            &*safe(&r.dossier),
            &safe(&r.name),
            &safe(&r.right_id),
            r.benefit.label_fr(),
            &month_short(r.month),
            &amount(r.paid),
            &amount(r.due),
            &amount(r.indu),
            &amount(r.rappel),
            &r.reason,
        ])
    }

    pub fn finish(mut self) -> Result<(), csv::Error> {
        self.w.flush()?;
        Ok(())
    }
}

/// A month's totals: per benefit, and what the month's validated runs paid in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthTotals {
    pub month: Month,
    pub benefits: Vec<(Benefit, Total)>,
    /// What the month's validated runs paid (their mandated lines and their RSA lines), by
    /// their summaries: the benefits' `paid` add up to it.
    pub runs_total: Cents,
    /// The runs, by id.
    pub runs: Vec<String>,
}

impl MonthTotals {
    pub fn total(&self) -> Total {
        self.benefits
            .iter()
            .fold(Total::default(), |t, (_, b)| t.plus(b))
    }
}

/// `rapprochement_totaux.csv`: a row per month and benefit, then the month's total row with
/// the runs' total beside it, then the grand total.
pub fn write_totals_csv(out: &mut dyn Write, months: &[MonthTotals]) -> Result<(), csv::Error> {
    let mut w = writer(out)?;
    w.write_record([
        "mois",
        "prestation",
        "droits_payes",
        "paye_par_relais",
        "du_selon_systeme_restaure",
        "indu_a_recuperer",
        "droits_en_indu",
        "rappel_a_payer",
        "droits_en_rappel",
        "total_des_paiements_valides",
    ])?;
    let row = |w: &mut csv::Writer<&mut dyn Write>,
               month: &str,
               label: &str,
               t: &Total,
               runs: Option<Cents>| {
        w.write_record([
            month,
            label,
            &t.rights_paid.to_string(),
            &amount(t.paid),
            &amount(t.due),
            &amount(t.indu),
            &t.rights_indu.to_string(),
            &amount(t.rappel),
            &t.rights_rappel.to_string(),
            &runs.map(amount).unwrap_or_default(),
        ])
    };
    let mut all = Total::default();
    let mut runs_all = Cents::ZERO;
    for m in months {
        let month = month_short(m.month);
        for (b, t) in &m.benefits {
            row(&mut w, &month, b.label_fr(), t, None)?;
        }
        let total = m.total();
        row(&mut w, &month, "TOTAL DU MOIS", &total, Some(m.runs_total))?;
        all = all.plus(&total);
        runs_all = Cents(runs_all.0.saturating_add(m.runs_total.0));
    }
    row(&mut w, "TOTAL", "", &all, Some(runs_all))?;
    w.flush()?;
    Ok(())
}

/// `rapprochement_agents.csv`: each agent and month with variable elements deferred.
pub fn write_agents_csv(out: &mut dyn Write, agents: &[AgentMonth]) -> Result<(), csv::Error> {
    let mut w = writer(out)?;
    w.write_record([
        "matricule",
        "nom",
        "service",
        "mois",
        "net_paye_par_relais",
        "elements_variables_a_payer",
        "agent_dans_systeme_restaure",
    ])?;
    for a in agents {
        w.write_record([
            &*safe(&a.matricule),
            &safe(&a.name),
            &safe(&a.service),
            &month_short(a.month),
            &amount(a.net_paid),
            &amount(a.deferred),
            if a.known_restored { "oui" } else { "non" },
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// `rapprochement_fournisseurs.csv`: each invoice that differs between the two systems.
pub fn write_suppliers_csv(out: &mut dyn Write, gaps: &[InvoiceGap]) -> Result<(), csv::Error> {
    let mut w = writer(out)?;
    w.write_record([
        "situation",
        "facture",
        "siret",
        "fournisseur",
        "numero",
        "montant_relais",
        "montant_systeme_restaure",
        "statut_systeme_restaure",
        "date_relais",
    ])?;
    for g in gaps {
        w.write_record([
            g.kind.label_fr(),
            &safe(&g.id),
            &safe(&g.siret),
            &safe(&g.supplier),
            &safe(&g.number),
            &amount(g.relais_amount),
            &amount(g.restored_amount),
            &safe(&g.restored_status),
            &g.on.map(date_short).unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}
