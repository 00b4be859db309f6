//! `relais renew`: a crisis decision that extends rights (relais_core::run::RenewalPolicy),
//! shown then applied as one journal entry; and `relais bank approve`.

use super::EXIT_OK;
use crate::args::{BankApproveArgs, RenewArgs};
use crate::data::DataDir;
use anyhow::{Context, Result};
use relais_core::Cents;
use relais_core::run::RenewalPolicy;
use relais_store::runs::{RenewalOutcome, RunStore};

/// Reads and checks a renewal policy file.
pub fn load_policy(path: &std::path::Path) -> Result<RenewalPolicy> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("lecture de la politique {}", path.display()))?;
    let policy: RenewalPolicy = toml::from_str(&text)
        .with_context(|| format!("politique de renouvellement {} illisible", path.display()))?;
    policy
        .validate()
        .with_context(|| format!("politique de renouvellement {}", path.display()))?;
    Ok(policy)
}

fn print_outcome(policy: &RenewalPolicy, outcome: &RenewalOutcome) {
    println!(
        "Décision : {} ({})",
        policy.legal_reference.trim(),
        policy.decided_by.trim()
    );
    println!(
        "Droits en paiement finissant du {} au {} prolongés au {} :",
        policy.ends_from, policy.ends_to, policy.new_end
    );
    let mut monthly = Cents::ZERO;
    for (benefit, (rights, total)) in &outcome.per_benefit {
        println!(
            "  {:<9} {:>8} droits, {:>16} par mois",
            benefit.code(),
            rights,
            total.to_string()
        );
        monthly = Cents(monthly.0.saturating_add(total.0));
    }
    println!(
        "  {:<9} {:>8} droits, {:>16} par mois",
        "total",
        outcome.rights,
        monthly.to_string()
    );
}

pub fn run(a: RenewArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let policy = load_policy(&a.policy)?;
    let mut store = data.open_store()?;
    let outcome = store.renew_rights(&policy, &a.user.user, a.dry_run)?;
    print_outcome(&policy, &outcome);
    match (&outcome.entry, a.dry_run) {
        (_, true) => println!("Simulation : rien n'a été modifié (sans --dry-run pour appliquer)."),
        (Some(entry), false) => println!(
            "Appliquée : {} droits prolongés (journal n° {}).",
            outcome.rights, entry.seq
        ),
        (None, false) => {
            println!("Rien à changer : la politique est déjà appliquée ou ne vise aucun droit.")
        }
    }
    Ok(EXIT_OK)
}

pub fn approve_bank(a: BankApproveArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let mut store = data.open_store()?;
    let entry = store.approve_bank_details(a.payee.trim(), &a.user.user)?;
    println!(
        "Coordonnées bancaires du tiers {} approuvées (journal n° {}).",
        a.payee.trim(),
        entry.seq
    );
    Ok(EXIT_OK)
}
