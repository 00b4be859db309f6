//! The control report's notes under its totals: pay dates moved to a bank day, and the RSA
//! mandated to the CAF.

use super::{Out, ReportError};
use crate::html::Esc;
use relais_core::Cents;
use relais_core::run::RunSummary;
use std::io::Write;

/// Writes the notes; the amount mandated to the CAF (zero when none), part of the run's total.
pub(super) fn pay_dates_and_caf(w: &mut Out<'_>, s: &RunSummary) -> Result<Cents, ReportError> {
    let moved: Vec<_> = s
        .benefits
        .iter()
        .filter_map(|b| b.pay_date_note.as_ref().map(|n| (b.benefit, n)))
        .collect();
    if !moved.is_empty() {
        writeln!(
            w,
            "<p>Dates de paiement avancées (date d'exécution demandée à la banque : jour ouvré de la collectivité et jour TARGET2) :</p>\n<ul>"
        )?;
        for (benefit, note) in moved {
            writeln!(w, "<li>{} : {}</li>", Esc(benefit.label_fr()), Esc(note))?;
        }
        writeln!(w, "</ul>")?;
    }
    match &s.caf_mandate {
        Some(caf) => {
            writeln!(
                w,
                "<p>RSA : mandat à la CAF de {} ({}) ; {} droits RSA dans la copie, pour {}. La liste par foyer n'est jamais transmise (elle contient des NIR).</p>",
                caf.amount,
                Esc(&caf.basis),
                s.caf_rights,
                s.caf_total
            )?;
            Ok(caf.amount)
        }
        None => Ok(Cents::ZERO),
    }
}

/// An amount, or a dash when there is none.
pub(super) fn opt_money(c: Option<Cents>) -> String {
    c.map(|c| c.to_string()).unwrap_or_else(|| "—".into())
}
