//! `rapprochement.html`: one static HTML5 page in French (inline CSS, no script, no external
//! resource), printable on A4: the totals per month and benefit checked against the runs'
//! totals, the people whose payment differs (the first ones; the CSV lists them all), the
//! agents' deferred variable elements, the invoices that differ.

use super::{MonthTotals, PersonRow, month_short};
use crate::french::{count, date_short, month_long};
use crate::html::Esc;
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::reconcile::{AgentMonth, InvoiceGap, Total};
use std::io::Write;

const STYLE: &str = "\
body{font:14px/1.4 \"DejaVu Sans\",Arial,sans-serif;color:#111;background:#fff;\
max-width:1200px;margin:1.5rem auto;padding:0 1rem}\
h1{font-size:1.5rem;margin:.2rem 0 1rem}\
h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:2px solid #333}\
.authority{margin:0;font-weight:bold}\
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}\
dl.facts dt{font-weight:bold}dl.facts dd{margin:0}\
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.9rem}\
th,td{border:1px solid #999;padding:.15rem .4rem;text-align:left;vertical-align:top}\
thead th{background:#e8e8e8}\
tr.total th,tr.total td{font-weight:bold;background:#f4f4f4}\
.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\
.empty{text-align:center;font-style:italic}\
.note{font-style:italic}\
.alert{border:2px solid #b00;color:#b00;padding:.4rem .6rem;font-weight:bold}\
@page{size:A4;margin:12mm}\
@media print{body{max-width:none;margin:0;padding:0;font-size:9pt}table{font-size:8pt}\
thead{display:table-header-group}tr{break-inside:avoid}h2{break-after:avoid}}";

/// What the page states.
#[derive(Debug, Clone)]
pub struct Report<'a> {
    pub authority: &'a str,
    pub produced_on: Date,
    /// The restored system's extracts, as named on the command line.
    pub extracts: &'a str,
    pub months: &'a [MonthTotals],
    /// The first people whose payment differs (the CSV has them all).
    pub persons: &'a [PersonRow],
    /// How many right-months differ in all.
    pub persons_count: u64,
    pub agents: &'a [AgentMonth],
    pub invoices: &'a [InvoiceGap],
    /// Rows of the restored extracts rejected by the reader: their rights look unknown.
    pub rejected_rows: u64,
}

fn money(c: Cents) -> String {
    c.to_string()
}

/// Writes the page.
pub fn write_html(out: &mut dyn Write, r: &Report<'_>) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(out);
    let all = r
        .months
        .iter()
        .fold(Total::default(), |t, m| t.plus(&m.total()));
    writeln!(
        w,
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Rapprochement après la crise</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header>\n<p class=\"authority\">{}</p>\n\
         <h1>Rapprochement : ce que Relais a payé, ce que le système restauré dit dû</h1>\n\
         <dl class=\"facts\">\n<dt>Établi le</dt><dd>{}</dd>\n\
         <dt>Extractions du système restauré</dt><dd>{}</dd>\n\
         <dt>Mois de la crise</dt><dd>{}</dd>\n\
         <dt>Payé par Relais</dt><dd>{}</dd>\n\
         <dt>Indu à récupérer</dt><dd>{} ({} droit(s)-mois)</dd>\n\
         <dt>Rappel à payer</dt><dd>{} ({} droit(s)-mois)</dd>\n</dl>\n</header>\n<main>",
        Esc(r.authority),
        date_short(r.produced_on),
        Esc(r.extracts),
        r.months
            .iter()
            .map(|m| month_long(m.month))
            .collect::<Vec<_>>()
            .join(", "),
        money(all.paid),
        money(all.indu),
        count(all.rights_indu),
        money(all.rappel),
        count(all.rights_rappel),
    )?;
    if r.rejected_rows > 0 {
        writeln!(
            w,
            "<p class=\"alert\">{} ligne(s) des extractions du système restauré ont été \
             rejetées (voir « relais extract check ») : leurs droits sont comptés comme inconnus \
             du système restauré.</p>",
            count(r.rejected_rows)
        )?;
    }
    totals(&mut w, r)?;
    persons(&mut w, r)?;
    agents(&mut w, r)?;
    invoices(&mut w, r)?;
    writeln!(
        w,
        "</main>\n<footer><p>Rapprochement produit par Relais ; montants en euros. Listes \
         complètes dans rapprochement_personnes.csv, rapprochement_totaux.csv, \
         rapprochement_agents.csv et rapprochement_fournisseurs.csv (SHA256SUMS).</p></footer>\n\
         </body>\n</html>"
    )?;
    w.flush()
}

fn total_cells(t: &Total) -> String {
    format!(
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
         <td class=\"num\">{}</td><td class=\"num\">{}</td>",
        count(t.rights_paid),
        money(t.paid),
        money(t.due),
        money(t.indu),
        money(t.rappel)
    )
}

fn totals(w: &mut dyn Write, r: &Report<'_>) -> std::io::Result<()> {
    writeln!(
        w,
        "<h2>Totaux par mois et prestation</h2>\n<table>\n<thead><tr><th>Mois</th>\
         <th>Prestation</th><th class=\"num\">Droits payés</th><th class=\"num\">Payé par Relais</th>\
         <th class=\"num\">Dû selon le système restauré</th><th class=\"num\">Indu à récupérer</th>\
         <th class=\"num\">Rappel à payer</th></tr></thead>\n<tbody>"
    )?;
    if r.months.is_empty() {
        writeln!(
            w,
            "<tr><td colspan=\"7\" class=\"empty\">Aucun paiement validé par Relais.</td></tr>"
        )?;
    }
    for m in r.months {
        let month = month_long(m.month);
        for (b, t) in &m.benefits {
            writeln!(
                w,
                "<tr><td>{}</td><td>{}</td>{}</tr>",
                Esc(&month),
                Esc(b.label_fr()),
                total_cells(t)
            )?;
        }
        let t = m.total();
        writeln!(
            w,
            "<tr class=\"total\"><td>{}</td><td>Total du mois</td>{}</tr>",
            Esc(&month),
            total_cells(&t)
        )?;
        if t.paid != m.runs_total {
            writeln!(
                w,
                "<tr><td colspan=\"7\" class=\"alert\">Écart de contrôle : les paiements validés \
                 de {} totalisent {}, les droits comparés {}.</td></tr>",
                Esc(&month),
                money(m.runs_total),
                money(t.paid)
            )?;
        }
    }
    writeln!(w, "</tbody>\n</table>")?;
    writeln!(
        w,
        "<p class=\"note\">Chaque total « payé par Relais » d'un mois est égal au total des \
         paiements validés de ce mois ({}).</p>",
        r.months
            .iter()
            .map(|m| format!("{} : {}", month_short(m.month), money(m.runs_total)))
            .collect::<Vec<_>>()
            .join(" ; ")
    )
}

/// At most this many people in the page; the CSV has them all.
pub const PAGE_PERSONS: usize = 500;

fn persons(w: &mut dyn Write, r: &Report<'_>) -> std::io::Result<()> {
    writeln!(
        w,
        "<h2>Personnes dont le paiement diffère ({})</h2>",
        count(r.persons_count)
    )?;
    if r.persons_count > r.persons.len() as u64 {
        writeln!(
            w,
            "<p class=\"note\">Les {} premières lignes (par dossier) ; la liste complète est \
             dans rapprochement_personnes.csv.</p>",
            count(r.persons.len() as u64)
        )?;
    }
    writeln!(
        w,
        "<table>\n<thead><tr><th>Dossier</th><th>Nom</th><th>Droit</th><th>Prestation</th>\
         <th>Mois</th><th class=\"num\">Payé par Relais</th><th class=\"num\">Dû</th>\
         <th class=\"num\">Indu</th><th class=\"num\">Rappel</th><th>Motif</th></tr></thead>\n<tbody>"
    )?;
    if r.persons.is_empty() {
        writeln!(
            w,
            "<tr><td colspan=\"10\" class=\"empty\">Aucun écart : Relais a payé ce qui était dû.</td></tr>"
        )?;
    }
    for p in r.persons {
        writeln!(
            w,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            Esc(&p.dossier),
            Esc(&p.name),
            Esc(&p.right_id),
            Esc(p.benefit.label_fr()),
            Esc(&month_long(p.month)),
            money(p.paid),
            money(p.due),
            money(p.indu),
            money(p.rappel),
            Esc(&p.reason)
        )?;
    }
    writeln!(w, "</tbody>\n</table>")
}

fn agents(w: &mut dyn Write, r: &Report<'_>) -> std::io::Result<()> {
    let deferred = r
        .agents
        .iter()
        .fold(0i64, |t, a| t.saturating_add(a.deferred.0));
    writeln!(
        w,
        "<h2>Agents : éléments variables reportés, à payer ({} ; {})</h2>\n<table>\n<thead><tr>\
         <th>Matricule</th><th>Nom</th><th>Service</th><th>Mois</th>\
         <th class=\"num\">Net payé par Relais</th><th class=\"num\">Éléments variables à payer</th>\
         <th>Dans le système restauré</th></tr></thead>\n<tbody>",
        count(r.agents.len() as u64),
        money(Cents(deferred))
    )?;
    if r.agents.is_empty() {
        writeln!(
            w,
            "<tr><td colspan=\"7\" class=\"empty\">Aucun élément variable reporté.</td></tr>"
        )?;
    }
    for a in r.agents.iter().take(PAGE_PERSONS) {
        writeln!(
            w,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td>{}</td></tr>",
            Esc(&a.matricule),
            Esc(&a.name),
            Esc(&a.service),
            Esc(&month_long(a.month)),
            money(a.net_paid),
            money(a.deferred),
            if a.known_restored { "oui" } else { "non" }
        )?;
    }
    writeln!(w, "</tbody>\n</table>")
}

fn invoices(w: &mut dyn Write, r: &Report<'_>) -> std::io::Result<()> {
    writeln!(
        w,
        "<h2>Fournisseurs : factures qui diffèrent ({})</h2>\n<table>\n<thead><tr>\
         <th>Situation</th><th>Facture</th><th>SIRET</th><th>Fournisseur</th><th>Numéro</th>\
         <th class=\"num\">Montant Relais</th><th class=\"num\">Montant système restauré</th>\
         <th>Statut système restauré</th><th>Date Relais</th></tr></thead>\n<tbody>",
        count(r.invoices.len() as u64)
    )?;
    if r.invoices.is_empty() {
        writeln!(
            w,
            "<tr><td colspan=\"9\" class=\"empty\">Aucune facture ne diffère.</td></tr>"
        )?;
    }
    for g in r.invoices.iter().take(PAGE_PERSONS) {
        writeln!(
            w,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            Esc(g.kind.label_fr()),
            Esc(&g.id),
            Esc(&g.siret),
            Esc(&g.supplier),
            Esc(&g.number),
            money(g.relais_amount),
            money(g.restored_amount),
            Esc(&g.restored_status),
            g.on.map(date_short).unwrap_or_default()
        )?;
    }
    writeln!(w, "</tbody>\n</table>")
}
