//! `relais renew`: a crisis decision that extends rights (relais_core::run::RenewalPolicy),
//! shown then applied as one journal entry.

use super::EXIT_OK;
use crate::args::RenewArgs;
use crate::data::DataDir;
use anyhow::{Context, Result};
use relais_core::Cents;
use relais_core::run::RenewalPolicy;
use relais_store::runs::RenewalOutcome;

/// Reads and checks a renewal policy file.
pub fn load_policy(path: &std::path::Path) -> Result<RenewalPolicy> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("lecture de la politique {}", path.display()))?;
    let unreadable = || format!("politique de renouvellement {} illisible", path.display());
    let mut table: toml::Table = toml::from_str(&text).with_context(unreadable)?;
    // A TOML date (`ends_from = 2026-11-01`, unquoted) is a native value, not a string; the
    // core reads dates from strings, so both spellings are accepted.
    for (key, value) in table.iter_mut() {
        if let toml::Value::Datetime(date) = &*value {
            if date.date.is_none() || date.time.is_some() || date.offset.is_some() {
                anyhow::bail!(
                    "politique de renouvellement {} : {key} = {date} n'est pas une date seule \
                     (AAAA-MM-JJ attendu)",
                    path.display()
                );
            }
            *value = toml::Value::String(date.to_string());
        }
    }
    let policy: RenewalPolicy = table.try_into().with_context(unreadable)?;
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
    let outcome = relais_app::renewals::renew(&mut *store, &policy, &a.user.user, a.dry_run)?;
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

#[cfg(test)]
mod tests {
    use super::load_policy;

    fn policy_file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("politique.toml");
        std::fs::write(&path, text).expect("write");
        (dir, path)
    }

    const REST: &str = "benefits = [\"APA_DOM\", \"PCH\"]\n\
        legal_reference = \"arrêté n° 1\"\ndecided_by = \"Le Président\"\n";

    #[test]
    fn dates_may_be_toml_dates_or_strings() {
        for dates in [
            "ends_from = 2026-11-01\nends_to = 2027-06-30\nnew_end = 2027-09-30\n",
            "ends_from = \"2026-11-01\"\nends_to = \"2027-06-30\"\nnew_end = \"2027-09-30\"\n",
        ] {
            let (_dir, path) = policy_file(&format!("{dates}{REST}"));
            let policy = load_policy(&path).expect("policy");
            assert_eq!(policy.ends_from.to_string(), "2026-11-01");
            assert_eq!(policy.new_end.to_string(), "2027-09-30");
        }
    }

    #[test]
    fn a_date_with_a_time_or_an_unknown_key_is_refused() {
        let (_dir, path) = policy_file(&format!(
            "ends_from = 2026-11-01T10:00:00\nends_to = 2027-06-30\nnew_end = 2027-09-30\n{REST}"
        ));
        assert!(load_policy(&path).is_err());
        let (_dir, path) = policy_file(&format!(
            "ends_from = 2026-11-01\nends_to = 2027-06-30\nnew_end = 2027-09-30\nnew_ends = 1\n{REST}"
        ));
        let err = format!("{:#}", load_policy(&path).expect_err("unknown key"));
        assert!(err.contains("new_ends"), "{err}");
    }
}
