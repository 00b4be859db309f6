//! The drill's report in French, for the crisis cell: the same facts as `--json`, in sentences.

use super::Report;
use relais_core::Cents;
use std::io::{self, Write};

/// `3 j 4 h` from a number of seconds (negative: a clock ahead of the sealing machine's).
pub fn age(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    let (days, hours, minutes) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
    if days == 0 && hours == 0 {
        return format!("{sign}{minutes} min");
    }
    format!("{sign}{days} j {hours} h")
}

/// `1,25` (French decimal comma, two decimals at most).
pub fn percent(p: f64) -> String {
    let s = format!("{p:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

/// Who is paid, as the crisis cell says it.
fn payee_kind_fr(code: &str) -> &str {
    match code {
        "personne" => "la personne",
        "etablissement" => "un établissement",
        "service" => "un service à domicile",
        "tuteur" => "un tuteur",
        other => other,
    }
}

fn euros(cents: i64) -> String {
    Cents(cents).to_string()
}

pub fn print(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let s = &r.snapshot;
    let f = &r.facts;
    writeln!(out)?;
    writeln!(
        out,
        "Exercice de reprise : {} ({})",
        s.authority, s.source_system
    )?;
    writeln!(
        out,
        "Copie {} scellée le {}, il y a {} (maximum {} j) ; {} fichier(s), {} ligne(s).",
        s.file,
        s.created_at,
        age(s.age_seconds),
        r.thresholds.max_age_days,
        s.files,
        s.rows
    )?;
    writeln!(out, "Empreinte SHA-256 : {}", s.sha256)?;
    writeln!(
        out,
        "Mois de paiement examiné : {} (aujourd'hui {}).",
        r.month, r.today
    )?;

    let n = &r.numbering;
    match (n.last_bordereau, n.last_mandate) {
        (Some(b), Some(m)) if n.confirmed => writeln!(
            out,
            "Numérotation PES de l'exercice {} : confirmée (prochain bordereau {}, prochain mandat {}).",
            n.exercice,
            b + 1,
            m + 1
        )?,
        _ => writeln!(
            out,
            "Numérotation PES de l'exercice {} : NON CONFIRMÉE — à demander à la paierie avant de valider (dernier bordereau, dernier mandat, montant mandaté ; relais numbering set). L'historique de la copie montre en {} : {} date(s) de paiement, {} paiement(s), {}.",
            n.exercice,
            n.exercice,
            n.history_pay_dates,
            n.history_payments,
            euros(n.history_total_cents)
        )?,
    }

    for i in &f.imputations_outside_m57 {
        writeln!(
            out,
            "ATTENTION : imputation « {} » de {} droit(s) hors M57 ({}) : la préparation du paiement les refusera ; corrigez la colonne imputation de droits.csv.",
            i.imputation, i.rights, i.reason
        )?;
    }

    let p = &f.payable;
    writeln!(out)?;
    writeln!(out, "Droits payables en {}", r.month)?;
    writeln!(
        out,
        "  {} personne(s), {} droit(s), {} tiers payé(s) : {}",
        p.people,
        p.rights,
        p.payees,
        euros(p.total_cents)
    )?;
    for b in &p.by_benefit {
        writeln!(
            out,
            "    {:<30} {:>9} droit(s) {:>20}",
            b.label,
            b.rights,
            euros(b.total_cents)
        )?;
    }
    for k in &p.by_payee_kind {
        writeln!(
            out,
            "    versé à {:<22} {:>9} droit(s) {:>20}",
            payee_kind_fr(k.payee_kind),
            k.rights,
            euros(k.total_cents)
        )?;
    }
    writeln!(
        out,
        "  dont {} droit(s) au prorata des jours (début, fin ou décès dans le mois).",
        p.prorated_rights
    )?;
    if !f.not_due.is_empty() {
        writeln!(out, "  Non payés, comme prévu :")?;
        for n in &f.not_due {
            writeln!(
                out,
                "    {:<45} {:>9} droit(s) {:>20}",
                n.label,
                n.rights,
                euros(n.total_cents)
            )?;
        }
    }

    let u = &f.unpayable;
    writeln!(out)?;
    writeln!(
        out,
        "Droits qui ne seraient pas payés : {} sur {} ({} %, maximum {} %), {} pour le mois",
        u.rights,
        u.considered,
        percent(u.percent),
        percent(r.thresholds.max_unpayable_percent),
        euros(u.total_cents)
    )?;
    for x in &u.by_reason {
        let unknown = if x.amount_unknown > 0 {
            format!(" (+ {} montant(s) illisible(s))", x.amount_unknown)
        } else {
            String::new()
        };
        writeln!(
            out,
            "    {:<52} {:>7} droit(s) {:>18}{unknown}",
            x.label,
            x.rights,
            euros(x.total_cents)
        )?;
    }
    if u.rejected_not_due > 0 {
        writeln!(
            out,
            "  ({} autre(s) ligne(s) de droit rejetée(s) ne seraient pas payées de toute façon : clos, suspendu, RSA, hors du mois.)",
            u.rejected_not_due
        )?;
    }
    let w = &f.renewal;
    writeln!(
        out,
        "  Une prolongation de crise des droits échus depuis le {} ({} mois) en garderait {} sur {} en paiement ({} par mois).",
        w.window_start,
        w.window_months,
        w.saved_rights,
        w.expired_rights,
        euros(w.saved_total_cents)
    )?;

    let b = &f.bank_details_changed;
    writeln!(out)?;
    writeln!(
        out,
        "Coordonnées bancaires changées depuis le {} ({} jours avant la copie) : {} tiers, {} droit(s), {} à vérifier avant paiement.",
        b.since,
        r.thresholds.bank_change_days,
        b.payees,
        b.rights,
        euros(b.total_cents)
    )?;

    let pay = &f.payroll;
    writeln!(
        out,
        "Paie : {} agent(s), net {} (éléments variables reportés : {}) ; {} ligne(s) d'agents rejetée(s).",
        pay.agents,
        euros(pay.net_total_cents),
        euros(pay.variables_total_cents),
        pay.rejected_rows
    )?;
    let paid = pay.agents.saturating_sub(pay.lines_off);
    writeln!(
        out,
        "Paie de continuité de {} : {} ({paid} agent(s) payable(s) : {} avec leurs lignes de paie.csv, {} au net seul — cotisations à régulariser ; {} exclu(s), lignes différentes du net ; {} ligne(s) de paie.csv rejetée(s)).",
        r.month,
        if paid > 0 {
            "possible"
        } else {
            "impossible, aucun agent payable"
        },
        pay.with_lines.saturating_sub(pay.lines_off),
        pay.agents.saturating_sub(pay.with_lines),
        pay.lines_off,
        pay.rejected_lines
    )?;
    if !pay.creditors.is_empty() {
        writeln!(
            out,
            "  Créanciers nommés par paie.csv, à déclarer sous [payments.payroll.creditors] : {}.",
            pay.creditors.join(", ")
        )?;
    }

    let i = &f.invoices;
    writeln!(
        out,
        "Factures à payer : {} pour {} ; délai global de paiement {} jours à compter de la réception (CCP R2192-10).",
        i.open,
        euros(i.total_cents),
        i.payment_days
    )?;
    writeln!(
        out,
        "  en retard : {} ({}) ; échéance dans les {} jours : {} ({}){}.",
        i.overdue,
        euros(i.overdue_cents),
        i.due_soon_days,
        i.due_soon,
        euros(i.due_soon_cents),
        i.earliest_deadline
            .as_ref()
            .map(|d| format!(" ; première échéance le {d}"))
            .unwrap_or_default()
    )?;
    for st in &i.by_status {
        writeln!(
            out,
            "    statut {:<20} {:>7} facture(s) {:>18}",
            st.status,
            st.invoices,
            euros(st.total_cents)
        )?;
    }
    if i.rejected_rows > 0 {
        writeln!(
            out,
            "  {} ligne(s) de factures rejetée(s).",
            i.rejected_rows
        )?;
    }

    if !f.rejected_rows.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Lignes rejetées à l'import (voir « relais a-traiter ») :"
        )?;
        for c in &f.rejected_rows {
            writeln!(out, "    {:<18} {:<22} {:>7}", c.file, c.code, c.rows)?;
        }
    }

    writeln!(out)?;
    if r.ready {
        writeln!(
            out,
            "PRÊT : cette copie permettrait de payer {} ({}).",
            r.month,
            euros(p.total_cents)
        )?;
    } else {
        writeln!(out, "PAS PRÊT :")?;
        for reason in &r.reasons {
            writeln!(out, "  - {}", reason.message)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_percents_read_in_french() {
        assert_eq!(age(59), "0 min");
        assert_eq!(age(3_599), "59 min");
        assert_eq!(age(3 * 86_400 + 4 * 3_600 + 5), "3 j 4 h");
        assert_eq!(age(-120), "-2 min");
        assert_eq!(percent(2.0), "2");
        assert_eq!(percent(1.25), "1,25");
        assert_eq!(percent(0.5), "0,5");
        assert_eq!(percent(0.0), "0");
    }
}
