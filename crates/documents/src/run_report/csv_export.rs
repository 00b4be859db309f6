//! The run's CSV exports, for a spreadsheet: UTF-8, comma, a header row, RFC 4180 quoting (by
//! the `csv` crate), amounts as `1234.56`, dates ISO. Rows are written as they are streamed.
//!
//! A text cell that comes from the data and starts with `=`, `+`, `-`, `@`, a tab or a carriage
//! return is prefixed with `'`, so that a spreadsheet shows it instead of running it as a
//! formula (OWASP, "CSV injection"). Cells this module makes itself (codes, counts, amounts,
//! dates) are left as they are: a negative amount stays a number.

use super::{ListError, ReportError, RunLists, stream};
use crate::french::{change_tenths_of_percent, payee_kind_label, percent_decimal};
use relais_core::Cents;
use relais_core::run::{AmountChange, Anomaly, ExcludedRight, MandateLine, RunSummary};
use std::borrow::Cow;
use std::io::Write;

type Csv<'o> = csv::Writer<&'o mut dyn Write>;

/// `text`, made harmless for a spreadsheet (see the module's doc).
pub(crate) fn safe(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

fn start<'o>(out: &'o mut dyn Write, header: &[&str]) -> Result<Csv<'o>, ReportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(header)?;
    Ok(w)
}

/// Streams one list of `lists` into a CSV with `header`, one record per row.
fn list_csv<T: ?Sized>(
    out: &mut dyn Write,
    header: &[&str],
    source: impl FnOnce(&mut dyn FnMut(&T) -> Result<(), ListError>) -> Result<(), ListError>,
    mut record: impl FnMut(&mut Csv<'_>, &T) -> Result<(), csv::Error>,
) -> Result<(), ReportError> {
    let mut w = start(out, header)?;
    stream(source, |row| Ok(record(&mut w, row)?))?;
    w.flush()?;
    Ok(())
}

fn amount(c: Option<Cents>) -> String {
    c.map(Cents::to_decimal).unwrap_or_default()
}

/// The rights the run does not pay: `droit, dossier, nom, prestation, motif, libelle_motif,
/// montant` (the benefit and the amount are empty when they cannot be told).
pub fn write_exclusions_csv(
    out: &mut dyn Write,
    lists: &mut dyn RunLists,
) -> Result<(), ReportError> {
    list_csv(
        out,
        &[
            "droit",
            "dossier",
            "nom",
            "prestation",
            "motif",
            "libelle_motif",
            "montant",
        ],
        |f| lists.exclusions(f),
        |w, x: &ExcludedRight| {
            w.write_record([
                &*safe(&x.right_id),
                &safe(&x.dossier),
                &safe(&x.name),
                x.benefit.map(|b| b.code()).unwrap_or_default(),
                &safe(&x.reason),
                &safe(&x.reason_fr),
                &amount(x.amount),
            ])
        },
    )
}

/// Every amount change the lists give (the HTML report shows only those above the run's
/// threshold): `dossier, nom, prestation, montant_precedent, montant, ecart, ecart_pourcent`
/// (`ecart_pourcent` empty when the previous amount was 0).
pub fn write_changes_csv(out: &mut dyn Write, lists: &mut dyn RunLists) -> Result<(), ReportError> {
    list_csv(
        out,
        &[
            "dossier",
            "nom",
            "prestation",
            "montant_precedent",
            "montant",
            "ecart",
            "ecart_pourcent",
        ],
        |f| lists.changes(f),
        |w, c: &AmountChange| {
            let diff = c.current.checked_sub(c.previous);
            let pct = change_tenths_of_percent(c.previous, c.current).map(percent_decimal);
            w.write_record([
                &*safe(&c.dossier),
                &safe(&c.name),
                c.benefit.code(),
                &c.previous.to_decimal(),
                &c.current.to_decimal(),
                &amount(diff),
                &pct.unwrap_or_default(),
            ])
        },
    )
}

/// The anomalies to review: `type, libelle, droit, dossier, tiers, nom_tiers, prestation,
/// montant, constat`.
pub fn write_anomalies_csv(
    out: &mut dyn Write,
    lists: &mut dyn RunLists,
) -> Result<(), ReportError> {
    list_csv(
        out,
        &[
            "type",
            "libelle",
            "droit",
            "dossier",
            "tiers",
            "nom_tiers",
            "prestation",
            "montant",
            "constat",
        ],
        |f| lists.anomalies(f),
        |w, a: &Anomaly| {
            w.write_record([
                a.kind.code(),
                a.kind.label_fr(),
                &safe(&a.right_id),
                &safe(&a.dossier),
                &safe(&a.payee_id),
                &safe(&a.payee_name),
                a.benefit.code(),
                &a.amount.to_decimal(),
                &safe(&a.detail),
            ])
        },
    )
}

/// The mandates, as the bordereau lists them: `bordereau, mandat, tiers, nom_tiers,
/// type_tiers, prestation, compte, lignes, montant`.
pub fn write_mandates_csv(
    out: &mut dyn Write,
    lists: &mut dyn RunLists,
) -> Result<(), ReportError> {
    list_csv(
        out,
        &[
            "bordereau",
            "mandat",
            "tiers",
            "nom_tiers",
            "type_tiers",
            "prestation",
            "compte",
            "lignes",
            "montant",
        ],
        |f| lists.mandates(f),
        |w, m: &MandateLine| {
            w.write_record([
                &*m.bordereau.to_string(),
                &m.number.to_string(),
                &safe(&m.payee_id),
                &safe(&m.payee_name),
                m.kind.code(),
                m.benefit.code(),
                &safe(&m.account),
                &m.lines.to_string(),
                &m.amount.to_decimal(),
            ])
        },
    )
}

const TOTALS_HEADER: [&str; 14] = [
    "section",
    "prestation",
    "type_tiers",
    "compte",
    "fonction",
    "libelle",
    "date_paiement",
    "droits",
    "personnes",
    "tiers",
    "mandats",
    "lignes",
    "montant",
    "montant_mois_precedent",
];

/// One row of the totals CSV; a `None` is an empty cell.
#[derive(Default)]
struct TotalsRow<'a> {
    section: &'static str,
    benefit: &'static str,
    kind: &'static str,
    account: &'a str,
    function: &'a str,
    label: &'a str,
    pay_date: String,
    rights: Option<u64>,
    people: Option<u64>,
    payees: Option<u64>,
    mandates: Option<u64>,
    lines: Option<u64>,
    total: Option<Cents>,
    previous: Option<Cents>,
}

impl TotalsRow<'_> {
    fn write(&self, w: &mut Csv<'_>) -> Result<(), csv::Error> {
        let n = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
        w.write_record([
            self.section,
            self.benefit,
            self.kind,
            &safe(self.account),
            &safe(self.function),
            &safe(self.label),
            &self.pay_date,
            &n(self.rights),
            &n(self.people),
            &n(self.payees),
            &n(self.mandates),
            &n(self.lines),
            &amount(self.total),
            &amount(self.previous),
        ])
    }
}

/// The run's totals, one table for a spreadsheet: a `prestation` row per benefit (with its pay
/// date and the previous month's total), a `type_tiers` row per kind of payee, an
/// `imputation` row per budget account and function, the `rsa_caf` hand-off (not mandated),
/// and the `ensemble` row of the whole run.
pub fn write_totals_csv(out: &mut dyn Write, summary: &RunSummary) -> Result<(), ReportError> {
    let mut w = start(out, &TOTALS_HEADER)?;
    for b in &summary.benefits {
        TotalsRow {
            section: "prestation",
            benefit: b.benefit.code(),
            label: b.benefit.label_fr(),
            pay_date: b.pay_date.to_string(),
            rights: Some(b.rights),
            people: Some(b.people),
            payees: Some(b.payees),
            total: Some(b.total),
            previous: b.previous_total,
            ..TotalsRow::default()
        }
        .write(&mut w)?;
    }
    for k in &summary.kinds {
        TotalsRow {
            section: "type_tiers",
            kind: k.kind.code(),
            label: payee_kind_label(k.kind),
            mandates: Some(k.mandates),
            lines: Some(k.lines),
            total: Some(k.total),
            ..TotalsRow::default()
        }
        .write(&mut w)?;
    }
    for i in &summary.imputations {
        TotalsRow {
            section: "imputation",
            benefit: i.benefit.code(),
            account: &i.account,
            function: &i.function,
            label: i.benefit.label_fr(),
            lines: Some(i.lines),
            total: Some(i.total),
            ..TotalsRow::default()
        }
        .write(&mut w)?;
    }
    TotalsRow {
        section: "rsa_caf",
        benefit: relais_core::records::Benefit::Rsa.code(),
        label: "RSA versé par la CAF (avance, hors mandats)",
        rights: Some(summary.caf_rights),
        total: Some(summary.caf_total),
        ..TotalsRow::default()
    }
    .write(&mut w)?;
    TotalsRow {
        section: "ensemble",
        label: "Ensemble du paiement (mandats)",
        mandates: Some(summary.mandates),
        lines: Some(summary.lines),
        total: Some(summary.total),
        ..TotalsRow::default()
    }
    .write(&mut w)?;
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::safe;

    #[test]
    fn formulas_are_neutralised() {
        for bad in ["=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(safe(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(safe("DUPONT"), "DUPONT");
        assert_eq!(safe(""), "");
        assert_eq!(safe("a=b"), "a=b");
    }
}
