//! `relais bank`: the requests for a change of bank details asked at the desk, shown in full
//! and decided on the command line by the same rule as on the web
//! (`relais_core::bank_change::may_decide`, applied by the store): an ordonnateur, never the
//! agent who asked.

use super::EXIT_OK;
use super::deposit::time_zone;
use crate::args::{BankApproveArgs, BankCommand, BankRefuseArgs, BankShowArgs};
use crate::data::DataDir;
use anyhow::{Result, anyhow};
use relais_core::Cents;
use relais_store::SqliteStore;
use relais_store::bank::{BankChangeReview, BankChangeStore};

pub fn run(command: BankCommand) -> Result<u8> {
    match command {
        BankCommand::List(a) => list(&DataDir::new(&a.data.data)),
        BankCommand::Show(a) => show(a),
        BankCommand::Approve(a) => approve(a),
        BankCommand::Refuse(a) => refuse(a),
    }
}

fn list(data: &DataDir) -> Result<u8> {
    let store = data.open_store()?;
    let pending = store.pending_bank_changes()?;
    if pending.is_empty() {
        println!("Aucune demande en attente.");
    }
    for c in pending {
        let from = c
            .dossier
            .map(|d| format!("dossier {d}"))
            .unwrap_or_else(|| "page du tiers".to_owned());
        println!(
            "n° {}\t{} ({})\t{}\t{from}\tdemandé par {} le {}",
            c.id, c.payee_name, c.payee_id, c.iban_masked, c.requested_by, c.requested_at
        );
    }
    Ok(EXIT_OK)
}

fn review(store: &SqliteStore, id: i64) -> Result<BankChangeReview> {
    store
        .bank_change_review(id)?
        .ok_or_else(|| anyhow!("demande n° {id} introuvable"))
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
    print_review(&review(&store, a.request)?);
    Ok(EXIT_OK)
}

fn decide(data: &DataDir, user: &str, id: i64, approve: bool) -> Result<u8> {
    let (_, tz) = time_zone(data)?;
    let today = jiff::Timestamp::now().to_zoned(tz).date().to_string();
    let mut store = data.open_store()?;
    print_review(&review(&store, id)?);
    let done = store.decide_bank_change(user, id, approve, &today)?;
    println!(
        "Demande n° {} {} par {}.",
        done.id,
        if approve { "approuvée" } else { "refusée" },
        user
    );
    Ok(EXIT_OK)
}

fn approve(a: BankApproveArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    match (a.request, a.payee) {
        (Some(id), _) => decide(&data, &a.user.user, id, true),
        (None, Some(payee)) => {
            let mut store = data.open_store()?;
            let seq = store.approve_imported_change(&a.user.user, payee.trim())?;
            println!(
                "Coordonnées bancaires actuelles du tiers {} approuvées, pour ce changement \
                 seulement (journal n° {seq}).",
                payee.trim()
            );
            Ok(EXIT_OK)
        }
        (None, None) => Err(anyhow!("indiquez le numéro de la demande, ou --payee")),
    }
}

fn refuse(a: BankRefuseArgs) -> Result<u8> {
    decide(&DataDir::new(&a.data.data), &a.user.user, a.request, false)
}
