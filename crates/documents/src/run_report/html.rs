//! The control report: one static HTML5 file in French (inline CSS, no script, no external
//! resource, printable), for the two people who check a run before the ordonnateur validates.
//! Every text from the data is escaped; the lists are written row by row as they stream.

use super::notes::opt_money;
use super::{Out, ReportError, RunLists, above_threshold, add, bordereaux, stream};
use crate::french::{
    change_tenths_of_percent, count, count_of, date_short, month_long, payee_kind_label,
    percent_fr, signed_money,
};
use crate::html::Esc;
use relais_core::Cents;
use relais_core::run::{AmountChange, Anomaly, ExcludedRight, RunSummary};
use std::io::{BufWriter, Write};

const STYLE: &str = "\
body{font:14px/1.4 \"DejaVu Sans\",Arial,sans-serif;color:#111;background:#fff;\
max-width:1200px;margin:1.5rem auto;padding:0 1rem}\
h1{font-size:1.5rem;margin:.2rem 0 1rem}\
h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:2px solid #333}\
.authority{margin:0;font-weight:bold}\
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}\
dl.facts dt{font-weight:bold}dl.facts dd{margin:0}\
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.9rem}\
caption{text-align:left;font-weight:bold;padding:.3rem 0}\
th,td{border:1px solid #999;padding:.15rem .4rem;text-align:left;vertical-align:top}\
thead th{background:#e8e8e8}\
tfoot th,tfoot td{font-weight:bold;background:#f4f4f4}\
.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\
.empty{text-align:center;font-style:italic}\
.count{margin:0 0 1rem;font-style:italic}\
.alert{border:2px solid #b00;color:#b00;padding:.4rem .6rem;font-weight:bold}\
.visa td{height:3rem}\
@page{size:A4;margin:12mm}\
@media print{body{max-width:none;margin:0;padding:0;font-size:9pt}table{font-size:8pt}\
thead{display:table-header-group}tr{break-inside:avoid}h2,caption{break-after:avoid}}";

/// Writes the control report of a run: its header, totals per benefit, per kind of payee and
/// per budget imputation, the RSA hand-off, the rights not paid, the anomalies and the amount
/// changes above the run's threshold. Only `exclusions`, `anomalies` and `changes` of `lists`
/// are read, once each.
pub fn write_report_html(
    out: &mut dyn Write,
    summary: &RunSummary,
    lists: &mut dyn RunLists,
) -> Result<(), ReportError> {
    let mut w: Out<'_> = BufWriter::with_capacity(64 * 1024, out);
    head(&mut w, summary)?;
    writeln!(w, "<main>")?;
    benefits(&mut w, summary)?;
    kinds(&mut w, summary)?;
    imputations(&mut w, summary)?;
    caf(&mut w, summary)?;
    exclusions(&mut w, summary, lists)?;
    anomalies(&mut w, summary, lists)?;
    changes(&mut w, summary, lists)?;
    visa(&mut w)?;
    writeln!(w, "</main>")?;
    writeln!(
        w,
        "<footer><p>Rapport produit par Relais pour le paiement {} ; montants en euros. \
         Les listes sont complètes : aucune ligne n'y est omise.</p></footer>\n</body>\n</html>",
        Esc(&summary.run)
    )?;
    w.flush()?;
    Ok(())
}

fn head(w: &mut Out<'_>, s: &RunSummary) -> Result<(), ReportError> {
    let month = month_long(s.month);
    writeln!(
        w,
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Contrôle du paiement {run} — {month}</title>\n<style>{STYLE}</style>\n\
         </head>\n<body>\n<header>\n<p class=\"authority\">{authority}</p>\n\
         <h1>Rapport de contrôle — paiement {run} — {month}</h1>\n<dl class=\"facts\">",
        run = Esc(&s.run),
        authority = Esc(&s.authority),
    )?;
    writeln!(w, "<dt>Paiement</dt><dd>{}</dd>", Esc(&s.run))?;
    writeln!(w, "<dt>Mois payé</dt><dd>{month} ({})</dd>", s.month)?;
    writeln!(
        w,
        "<dt>État</dt><dd><strong>{}</strong></dd>",
        s.status.label_fr()
    )?;
    writeln!(
        w,
        "<dt>Préparé par</dt><dd>{}, le {}</dd>",
        Esc(&s.prepared_by),
        Esc(&s.prepared_at)
    )?;
    match (&s.validated_by, &s.validated_at) {
        (Some(by), at) => writeln!(
            w,
            "<dt>Validé par</dt><dd>{}{}</dd>",
            Esc(by),
            at.as_deref()
                .map(|a| format!(", le {}", Esc(a)))
                .unwrap_or_default()
        )?,
        (None, _) => writeln!(w, "<dt>Validé par</dt><dd>non validé</dd>")?,
    }
    if let Some(by) = &s.cancelled_by {
        writeln!(w, "<dt>Annulé par</dt><dd>{}</dd>", Esc(by))?;
    }
    writeln!(
        w,
        "<dt>Mandaté</dt><dd>{} — {}, {}</dd>",
        s.total,
        count_of(s.lines, "ligne", "lignes"),
        count_of(s.mandates, "mandat", "mandats")
    )?;
    writeln!(w, "<dt>Bordereaux PES</dt><dd>{}</dd>", bordereaux(s))?;
    writeln!(w, "</dl>\n</header>")?;
    Ok(())
}

/// Opens a table: its caption and its header row (`true` marks a numeric column).
fn table(w: &mut Out<'_>, caption: &str, cols: &[(&str, bool)]) -> Result<(), ReportError> {
    write!(
        w,
        "<table>\n<caption>{}</caption>\n<thead><tr>",
        Esc(caption)
    )?;
    for (title, num) in cols {
        let class = if *num { " class=\"num\"" } else { "" };
        write!(w, "<th scope=\"col\"{class}>{}</th>", Esc(title))?;
    }
    writeln!(w, "</tr></thead>\n<tbody>")?;
    Ok(())
}

/// The line said when a list or a table has no row.
fn empty_row(w: &mut Out<'_>, cols: usize, text: &str) -> Result<(), ReportError> {
    writeln!(
        w,
        "<tr><td class=\"empty\" colspan=\"{cols}\">{}</td></tr>",
        Esc(text)
    )?;
    Ok(())
}

fn alert(w: &mut Out<'_>, text: &str) -> Result<(), ReportError> {
    writeln!(w, "<p class=\"alert\">Écart : {}</p>", Esc(text))?;
    Ok(())
}

fn benefits(w: &mut Out<'_>, s: &RunSummary) -> Result<(), ReportError> {
    writeln!(w, "<section>\n<h2>Totaux</h2>")?;
    table(
        w,
        "Par prestation",
        &[
            ("Prestation", false),
            ("Date de paiement", false),
            ("Droits", true),
            ("Personnes", true),
            ("Tiers", true),
            ("Montant", true),
            ("Mois précédent", true),
            ("Écart", true),
            ("Écart %", true),
        ],
    )?;
    let (mut rights, mut total, mut previous) = (0u64, Cents::ZERO, Some(Cents::ZERO));
    for b in &s.benefits {
        rights = rights.saturating_add(b.rights);
        total = add(total, b.total)?;
        previous = match (previous, b.previous_total) {
            (Some(a), Some(p)) => Some(add(a, p)?),
            _ => None,
        };
        write!(
            w,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            Esc(b.benefit.label_fr()),
            date_short(b.pay_date),
            count(b.rights),
            count(b.people),
            count(b.payees),
            b.total
        )?;
        change_cells(w, b.previous_total, b.total)?;
        writeln!(w, "</tr>")?;
    }
    if s.benefits.is_empty() {
        empty_row(w, 9, "Aucune prestation payée.")?;
    }
    write!(
        w,
        "</tbody>\n<tfoot><tr><th scope=\"row\">Ensemble</th><td></td>\
         <td class=\"num\">{}</td><td></td><td></td><td class=\"num\">{total}</td>",
        count(rights)
    )?;
    change_cells(w, previous, total)?;
    writeln!(w, "</tr></tfoot>\n</table>")?;
    let caf = super::notes::pay_dates_and_caf(w, s)?;
    let total = add(total, caf)?;
    if total != s.total {
        alert(
            w,
            &format!(
                "la somme des prestations et du mandat à la CAF ({total}) diffère du total mandaté du paiement ({}).",
                s.total
            ),
        )?;
    }
    Ok(())
}

/// The previous month's total, the change in euros and in percent.
fn change_cells(
    w: &mut Out<'_>,
    previous: Option<Cents>,
    current: Cents,
) -> Result<(), ReportError> {
    match previous {
        Some(p) => {
            let diff = current.checked_sub(p).ok_or(ReportError::Overflow)?;
            let pct = change_tenths_of_percent(p, current).map(percent_fr);
            write!(
                w,
                "<td class=\"num\">{p}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                signed_money(diff),
                pct.as_deref().unwrap_or("—")
            )?;
        }
        None => write!(
            w,
            "<td class=\"num\">inconnu</td><td class=\"num\">—</td><td class=\"num\">—</td>"
        )?,
    }
    Ok(())
}

fn kinds(w: &mut Out<'_>, s: &RunSummary) -> Result<(), ReportError> {
    table(
        w,
        "Par type de tiers",
        &[
            ("Type de tiers", false),
            ("Mandats", true),
            ("Lignes", true),
            ("Montant", true),
        ],
    )?;
    let (mut mandates, mut lines, mut total) = (0u64, 0u64, Cents::ZERO);
    for k in &s.kinds {
        mandates = mandates.saturating_add(k.mandates);
        lines = lines.saturating_add(k.lines);
        total = add(total, k.total)?;
        writeln!(
            w,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td></tr>",
            Esc(payee_kind_label(k.kind)),
            count(k.mandates),
            count(k.lines),
            k.total
        )?;
    }
    if s.kinds.is_empty() {
        empty_row(w, 4, "Aucun mandat.")?;
    }
    writeln!(
        w,
        "</tbody>\n<tfoot><tr><th scope=\"row\">Ensemble</th><td class=\"num\">{}</td>\
         <td class=\"num\">{}</td><td class=\"num\">{total}</td></tr></tfoot>\n</table>",
        count(mandates),
        count(lines)
    )?;
    if total != s.total || mandates != s.mandates {
        alert(
            w,
            &format!(
                "les types de tiers totalisent {} pour {total}, le paiement {} pour {}.",
                count_of(mandates, "mandat", "mandats"),
                count_of(s.mandates, "mandat", "mandats"),
                s.total
            ),
        )?;
    }
    Ok(())
}

fn imputations(w: &mut Out<'_>, s: &RunSummary) -> Result<(), ReportError> {
    table(
        w,
        "Par imputation budgétaire",
        &[
            ("Prestation", false),
            ("Compte", false),
            ("Fonction", false),
            ("Lignes", true),
            ("Montant", true),
        ],
    )?;
    let (mut lines, mut total) = (0u64, Cents::ZERO);
    for i in &s.imputations {
        lines = lines.saturating_add(i.lines);
        total = add(total, i.total)?;
        writeln!(
            w,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td></tr>",
            Esc(i.benefit.label_fr()),
            Esc(&i.account),
            Esc(&i.function),
            count(i.lines),
            i.total
        )?;
    }
    if s.imputations.is_empty() {
        empty_row(w, 5, "Aucune imputation.")?;
    }
    writeln!(
        w,
        "</tbody>\n<tfoot><tr><th scope=\"row\">Ensemble</th><td></td><td></td>\
         <td class=\"num\">{}</td><td class=\"num\">{total}</td></tr></tfoot>\n</table>",
        count(lines)
    )?;
    if total != s.total {
        alert(
            w,
            &format!(
                "la somme des imputations ({total}) diffère du total mandaté du paiement ({}).",
                s.total
            ),
        )?;
    }
    writeln!(w, "</section>")?;
    Ok(())
}

fn caf(w: &mut Out<'_>, s: &RunSummary) -> Result<(), ReportError> {
    if s.caf_rights == 0 && s.caf_total == Cents::ZERO {
        return Ok(());
    }
    writeln!(
        w,
        "<section>\n<h2>RSA : remise à la CAF</h2>\n<p>{} pour {} : montants transmis à la \
         CAF, qui verse le RSA ; le département les finance par avance (CASF L262-16, \
         L262-25). Ils ne sont pas mandatés dans ce paiement.</p>\n</section>",
        count_of(s.caf_rights, "droit", "droits"),
        s.caf_total
    )?;
    Ok(())
}

/// Counts per code: (code, French label, count) rows and their total, in the summary's order.
fn counts_table(
    w: &mut Out<'_>,
    caption: &str,
    first: &str,
    rows: &[(String, String, u64)],
    none: &str,
) -> Result<u64, ReportError> {
    table(
        w,
        caption,
        &[(first, false), ("Code", false), ("Nombre", true)],
    )?;
    let mut sum = 0u64;
    for (code, label, n) in rows {
        sum = sum.saturating_add(*n);
        writeln!(
            w,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"num\">{}</td></tr>",
            Esc(label),
            Esc(code),
            count(*n)
        )?;
    }
    if rows.is_empty() {
        empty_row(w, 3, none)?;
    }
    writeln!(
        w,
        "</tbody>\n<tfoot><tr><th scope=\"row\">Ensemble</th><td></td>\
         <td class=\"num\">{}</td></tr></tfoot>\n</table>",
        count(sum)
    )?;
    Ok(sum)
}

/// After a streamed list: how many rows it had, and an alert when the summary said otherwise.
fn listed(
    w: &mut Out<'_>,
    n: u64,
    expected: Option<u64>,
    singular: &str,
    plural: &str,
) -> Result<(), ReportError> {
    writeln!(
        w,
        "<p class=\"count\">{}.</p>",
        count_of(n, singular, plural)
    )?;
    if let Some(e) = expected.filter(|e| *e != n) {
        alert(
            w,
            &format!(
                "la liste compte {} ; le décompte par motif ou par type en annonce {}.",
                count(n),
                count(e)
            ),
        )?;
    }
    Ok(())
}

fn exclusions(
    w: &mut Out<'_>,
    s: &RunSummary,
    lists: &mut dyn RunLists,
) -> Result<(), ReportError> {
    writeln!(w, "<section>\n<h2>Droits non payés</h2>")?;
    let expected = counts_table(w, "Par motif", "Motif", &s.excluded, "Aucun droit écarté.")?;
    table(
        w,
        "Liste des droits non payés",
        &[
            ("Droit", false),
            ("Dossier", false),
            ("Nom", false),
            ("Prestation", false),
            ("Motif", false),
            ("Montant", true),
        ],
    )?;
    let mut n = 0u64;
    stream(
        |f| lists.exclusions(f),
        |x: &ExcludedRight| {
            n += 1;
            writeln!(
                w,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td class=\"num\">{}</td></tr>",
                Esc(&x.right_id),
                Esc(&x.dossier),
                Esc(&x.name),
                Esc(x.benefit.map(|b| b.label_fr()).unwrap_or("illisible")),
                Esc(&x.reason_fr),
                opt_money(x.amount)
            )?;
            Ok(())
        },
    )?;
    if n == 0 {
        empty_row(w, 6, "Aucun droit écarté.")?;
    }
    writeln!(w, "</tbody>\n</table>")?;
    listed(w, n, Some(expected), "droit listé", "droits listés")?;
    writeln!(w, "</section>")?;
    Ok(())
}

fn anomalies(w: &mut Out<'_>, s: &RunSummary, lists: &mut dyn RunLists) -> Result<(), ReportError> {
    writeln!(
        w,
        "<section>\n<h2>Anomalies à examiner</h2>\n<p>Aucune ne bloque le paiement : chacune \
         est à vérifier avant la validation.</p>"
    )?;
    let expected = counts_table(w, "Par type", "Type", &s.anomalies, "Aucune anomalie.")?;
    table(
        w,
        "Liste des anomalies",
        &[
            ("Type", false),
            ("Droit", false),
            ("Dossier", false),
            ("Tiers", false),
            ("Nom du tiers", false),
            ("Prestation", false),
            ("Montant", true),
            ("Constat", false),
        ],
    )?;
    let mut n = 0u64;
    stream(
        |f| lists.anomalies(f),
        |a: &Anomaly| {
            n += 1;
            writeln!(
                w,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td class=\"num\">{}</td><td>{}</td></tr>",
                Esc(a.kind.label_fr()),
                Esc(&a.right_id),
                Esc(&a.dossier),
                Esc(&a.payee_id),
                Esc(&a.payee_name),
                Esc(a.benefit.label_fr()),
                a.amount,
                Esc(&a.detail)
            )?;
            Ok(())
        },
    )?;
    if n == 0 {
        empty_row(w, 8, "Aucune anomalie.")?;
    }
    writeln!(w, "</tbody>\n</table>")?;
    listed(w, n, Some(expected), "anomalie listée", "anomalies listées")?;
    writeln!(w, "</section>")?;
    Ok(())
}

fn changes(w: &mut Out<'_>, s: &RunSummary, lists: &mut dyn RunLists) -> Result<(), ReportError> {
    let threshold = s.change_threshold;
    writeln!(
        w,
        "<section>\n<h2>Variations de montant</h2>\n<p>Personnes dont le montant mensuel d'une \
         prestation a varié de plus de {threshold} par rapport au mois précédent.</p>"
    )?;
    table(
        w,
        "Variations au-delà du seuil",
        &[
            ("Dossier", false),
            ("Nom", false),
            ("Prestation", false),
            ("Mois précédent", true),
            ("Ce mois", true),
            ("Écart", true),
            ("Écart %", true),
        ],
    )?;
    let mut n = 0u64;
    stream(
        |f| lists.changes(f),
        |c: &AmountChange| {
            if !above_threshold(c, threshold) {
                return Ok(());
            }
            n += 1;
            let diff = c
                .current
                .checked_sub(c.previous)
                .ok_or(ReportError::Overflow)?;
            let pct = change_tenths_of_percent(c.previous, c.current).map(percent_fr);
            writeln!(
                w,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                Esc(&c.dossier),
                Esc(&c.name),
                Esc(c.benefit.label_fr()),
                c.previous,
                c.current,
                signed_money(diff),
                pct.as_deref().unwrap_or("—")
            )?;
            Ok(())
        },
    )?;
    if n == 0 {
        empty_row(w, 7, "Aucune variation au-delà du seuil.")?;
    }
    writeln!(w, "</tbody>\n</table>")?;
    listed(w, n, None, "variation listée", "variations listées")?;
    writeln!(w, "</section>")?;
    Ok(())
}

fn visa(w: &mut Out<'_>) -> Result<(), ReportError> {
    writeln!(
        w,
        "<section>\n<h2>Visa des contrôleurs</h2>\n<table class=\"visa\">\n\
         <caption>Contrôle avant validation par l'ordonnateur</caption>\n\
         <thead><tr><th scope=\"col\">Contrôle</th><th scope=\"col\">Nom</th>\
         <th scope=\"col\">Date</th><th scope=\"col\">Signature</th></tr></thead>\n<tbody>\n\
         <tr><th scope=\"row\">Premier contrôle</th><td></td><td></td><td></td></tr>\n\
         <tr><th scope=\"row\">Second contrôle</th><td></td><td></td><td></td></tr>\n\
         </tbody>\n</table>\n</section>"
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Esc;

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(
            Esc("<script>&\"'</script> é").to_string(),
            "&lt;script&gt;&amp;&quot;&#39;&lt;/script&gt; é"
        );
        assert_eq!(Esc("").to_string(), "");
        assert_eq!(Esc("DUPONT").to_string(), "DUPONT");
    }
}
