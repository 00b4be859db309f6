//! `relais bank`: the requests for a change of bank details asked at the desk, shown in full
//! and decided on the command line by the same rule as on the web
//! (`relais_core::bank_change::may_decide`, applied by the store): an ordonnateur, never the
//! agent who asked.

use super::EXIT_OK;
use crate::args::{
    BankApproveArgs, BankCommand, BankListArgs, BankRefuseArgs, BankShowArgs, OutputFormat,
};
use crate::data::{DataDir, agent};
use anyhow::{Result, anyhow};
use relais_app::bank::{self, kind_label};
use relais_core::Cents;
use relais_core::settings::Settings;
use relais_documents::french;
use relais_store::Backend;
use relais_store::bank::{BankChangeReview, HeldBankDetails};
use std::io::Write;

pub fn run(command: BankCommand) -> Result<u8> {
    match command {
        BankCommand::List(a) => list(a),
        BankCommand::Show(a) => show(a),
        BankCommand::Approve(a) => approve(a),
        BankCommand::Refuse(a) => refuse(a),
    }
}

/// Today on the authority's clock, its settings and time zone.
fn today(data: &DataDir) -> Result<(jiff::civil::Date, Settings, jiff::tz::TimeZone)> {
    let (settings, tz) = data.time_zone()?;
    let today = jiff::Timestamp::now().to_zoned(tz.clone()).date();
    Ok((today, settings, tz))
}

const CSV_HEADERS: [&str; 15] = [
    "tiers",
    "nom",
    "nature",
    "demande",
    "origine",
    "ancien_iban",
    "ancien_bic",
    "ancien_titulaire",
    "nouvel_iban",
    "nouveau_bic",
    "nouveau_titulaire",
    "depuis",
    "personnes",
    "montant_mensuel",
    "paiements_retenus",
];
const TABLEUR_HEADERS: [&str; 15] = [
    "Tiers",
    "Nom",
    "Nature",
    "Demande",
    "Origine",
    "Ancien IBAN",
    "Ancien BIC",
    "Ancien titulaire",
    "Nouvel IBAN",
    "Nouveau BIC",
    "Nouveau titulaire",
    "Depuis",
    "Personnes",
    "Montant mensuel",
    "Paiements retenus",
];

/// What waits for an ordonnateur, as the web's `/rib` shows it: read-only.
fn list(a: BankListArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let (today, settings, tz) = today(&data)?;
    let store = data.open_store()?;
    let bank::Held { held, next } = bank::held(&*store, today, Some(&settings)).map_err(agent)?;
    let since = |h: &HeldBankDetails| french::instant_or_date_short(&h.since, &tz);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match a.format {
        OutputFormat::Csv | OutputFormat::Tableur => {
            // The machine form (`,`, decimal point, ISO dates) or, for a French spreadsheet,
            // French headers, `;`, decimal comma and JJ/MM/AAAA (`relais_formats::tableur`).
            let french = a.format == OutputFormat::Tableur;
            let mut w = if french {
                relais_formats::tableur::writer(out)?
            } else {
                csv::Writer::from_writer(out)
            };
            w.write_record(if french { TABLEUR_HEADERS } else { CSV_HEADERS })?;
            let typed = |s: &str| {
                if french {
                    relais_formats::tableur::text(s)
                } else {
                    s.to_owned()
                }
            };
            for h in &held {
                let old = h.old.as_ref();
                w.write_record([
                    h.payee_id.as_str(),
                    &typed(&h.payee_name),
                    &kind_label(&h.payee_kind),
                    &h.request.map(|n| n.to_string()).unwrap_or_default(),
                    &origin(h),
                    old.map_or("", |o| o.iban_masked.as_str()),
                    old.map_or("", |o| o.bic.as_str()),
                    &old.map_or_else(String::new, |o| typed(&o.holder)),
                    &h.new.iban_masked,
                    &h.new.bic,
                    &typed(&h.new.holder),
                    &if french { since(h) } else { h.since.clone() },
                    &h.impact.people.to_string(),
                    &if french {
                        relais_formats::tableur::amount(Cents(h.impact.monthly_cents))
                    } else {
                        Cents(h.impact.monthly_cents).to_decimal()
                    },
                    if h.holds_payments() { "oui" } else { "non" },
                ])?;
            }
            w.flush()?;
        }
        OutputFormat::Text => {
            if held.is_empty() {
                writeln!(out, "Aucune coordonnée bancaire en attente de décision.")?;
            } else {
                let people: u64 = held.iter().map(|h| h.impact.people).sum();
                let monthly: i64 = held.iter().map(|h| h.impact.monthly_cents).sum();
                writeln!(
                    out,
                    "{} en attente de décision d'un ordonnateur ; {} concernées, {} par mois.",
                    french::count_of(held.len() as u64, "tiers", "tiers"),
                    french::count_of(people, "personne", "personnes"),
                    Cents(monthly)
                )?;
            }
            for h in &held {
                writeln!(out)?;
                writeln!(
                    out,
                    "{} ({}), {} — {}",
                    h.payee_name,
                    h.payee_id,
                    kind_label(&h.payee_kind),
                    origin(h)
                )?;
                match &h.old {
                    Some(o) => writeln!(
                        out,
                        "  actuel    {}  {}  {}",
                        o.iban_masked, o.bic, o.holder
                    )?,
                    None => writeln!(out, "  actuel    inconnu (absent des extractions)")?,
                }
                writeln!(
                    out,
                    "  nouveau   {}  {}  {}",
                    h.new.iban_masked, h.new.bic, h.new.holder
                )?;
                writeln!(
                    out,
                    "  depuis le {} ; {}, {} par mois ; {}",
                    since(h),
                    french::count_of(h.impact.people, "personne", "personnes"),
                    Cents(h.impact.monthly_cents),
                    if h.holds_payments() {
                        "leurs droits ne sont pas payés avant la décision".to_owned()
                    } else {
                        "payés sur les coordonnées actuelles avant la décision".to_owned()
                    }
                )?;
                writeln!(
                    out,
                    "  décider : {}",
                    match h.request {
                        Some(n) => format!("relais bank approve {n} (ou refuse {n})"),
                        None => format!("relais bank approve --payee {}", h.payee_id),
                    }
                )?;
            }
            if !held.is_empty() {
                writeln!(
                    out,
                    "\nUne fois approuvées, leurs droits sont payés par le prochain paiement préparé : {}.",
                    french::month_long(next)
                )?;
            }
            out.flush()?;
        }
    }
    Ok(EXIT_OK)
}

fn origin(h: &HeldBankDetails) -> String {
    match (&h.request, &h.requested_by) {
        (Some(n), Some(by)) => format!("demande n° {n} de {by}"),
        (Some(n), None) => format!("demande n° {n}"),
        _ => "changées par les extractions, non approuvées".to_owned(),
    }
}

/// After a decision: when the payee's rights are paid.
fn next_run(data: &DataDir, store: &dyn Backend, approved: bool) -> Result<()> {
    let (today, _, _) = today(data)?;
    let month = french::month_long(bank::next_month(store, today).map_err(agent)?);
    if approved {
        println!(
            "Ses droits sont payés sur ces coordonnées à partir du prochain paiement préparé : {month}."
        );
    } else {
        println!(
            "Les coordonnées ne changent pas ; le prochain paiement préparé ({month}) paie sur \
             les coordonnées actuelles."
        );
    }
    Ok(())
}

/// What the approver reads before deciding, as on the web's `/rib/{id}`.
fn print_review(r: &BankChangeReview) {
    let c = &r.change;
    println!("Demande n° {} ({})", c.id, c.status);
    println!(
        "Tiers            {} ({}), {}",
        c.payee_name, c.payee_id, r.payee_kind
    );
    match &c.dossier {
        Some(d) => println!("Demandé depuis   le dossier {d}"),
        None => println!("Demandé depuis   la page du tiers"),
    }
    println!(
        "Concerne         {} personne(s), {} par mois",
        r.impact.people,
        Cents(r.impact.monthly_cents)
    );
    println!("                 {:<36} demandé", "actuel");
    println!("IBAN             {:<36} {}", r.old.iban, r.new.iban);
    println!("BIC              {:<36} {}", r.old.bic, r.new.bic);
    println!("Titulaire        {:<36} {}", r.old.holder, r.new.holder);
    println!(
        "Pays de la banque {}{}",
        r.country,
        if r.abroad {
            " — ATTENTION : hors de France"
        } else {
            ""
        }
    );
    for (id, name, kind) in &r.shared_with {
        println!("ATTENTION : nouvel IBAN déjà celui du tiers {name} ({id}), {kind}");
    }
    println!("Pièce vue        {}", c.proof);
    println!("Demandé par      {} le {}", c.requested_by, c.requested_at);
    if let Some(d) = &c.decided_by {
        println!("Décidé par       {d}");
    }
}

fn show(a: BankShowArgs) -> Result<u8> {
    let store = DataDir::new(&a.data.data).open_store()?;
    print_review(&bank::review(&*store, a.request).map_err(agent)?);
    Ok(EXIT_OK)
}

fn decide(data: &DataDir, user: &str, id: i64, approve: bool) -> Result<u8> {
    let (today, _, _) = today(data)?;
    let mut store = data.open_store()?;
    print_review(&bank::review(&*store, id).map_err(agent)?);
    let done = bank::decide(&mut *store, user, id, approve, today).map_err(agent)?;
    println!(
        "Demande n° {} {} par {}.",
        done.id,
        if approve { "approuvée" } else { "refusée" },
        user
    );
    next_run(data, &*store, approve)?;
    Ok(EXIT_OK)
}

fn approve(a: BankApproveArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    match (a.request, a.payee) {
        (Some(id), _) => decide(&data, &a.user.user, id, true),
        (None, Some(payee)) => {
            let mut store = data.open_store()?;
            let seq = bank::approve_imported(&mut *store, &a.user.user, &payee).map_err(agent)?;
            println!(
                "Coordonnées bancaires actuelles du tiers {} approuvées, pour ce changement \
                 seulement (journal n° {seq}).",
                payee.trim()
            );
            next_run(&data, &*store, true)?;
            Ok(EXIT_OK)
        }
        (None, None) => Err(anyhow!("indiquez le numéro de la demande, ou --payee")),
    }
}

fn refuse(a: BankRefuseArgs) -> Result<u8> {
    decide(&DataDir::new(&a.data.data), &a.user.user, a.request, false)
}
