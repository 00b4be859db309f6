//! `relais receipt verify|pubkey`, and the authority's receipt signing key in `DATA/keys/`:
//! created on first use, readable by its owner only (0600), never printed or logged.

use super::receipt_key::signing_key;
use super::{EXIT_FAILURE, EXIT_OK};
use crate::args::{ReceiptCommand, ReceiptVerifyArgs};
use crate::data::{DataDir, agent};
use anyhow::{Result, bail};
use relais_core::Cents;
use relais_core::deposits::{
    BACKDATE_GRACE_SECONDS, BidTimeliness, Deposit, KindRules, bid_timeliness,
};
use relais_documents::code::{
    BoundFacts, ReceiptSummary, VerifyingKey, depositor_digest, dossier_digest, hex_id,
    invoice_number_digest, public_key_text, verify,
};
use relais_documents::french::{date_short, datetime_long};

pub fn run(command: ReceiptCommand) -> Result<u8> {
    match command {
        ReceiptCommand::Pubkey(d) => {
            let data = DataDir::new(&d.data);
            data.load_settings()?;
            let key = signing_key(&data)?;
            print!("{}", public_key_text(&key.public()));
            Ok(EXIT_OK)
        }
        ReceiptCommand::Verify(a) => verify_cmd(a),
    }
}

fn public_key(a: &ReceiptVerifyArgs) -> Result<VerifyingKey> {
    if let Some(file) = &a.pubkey {
        return relais_app::keys::public_key_file(file).map_err(agent);
    }
    let Some(data) = &a.data else {
        bail!("indiquez --pubkey FICHIER (clé publique de la collectivité) ou --data DOSSIER");
    };
    DataDir::new(data).app().receipt_public_key().map_err(agent)
}

/// A genuine code of a cancelled deposit: the receipt no longer proves a deposit.
pub const EXIT_CANCELLED: u8 = 3;

/// What the register says of a code's deposit.
enum InRegister {
    /// Checked offline (no data folder).
    NotChecked,
    Absent,
    Differs,
    Same(Box<Deposit>),
}

fn verify_cmd(a: ReceiptVerifyArgs) -> Result<u8> {
    let key = public_key(&a)?;
    let code = a.code.join("");
    let summary = match verify(&code, &key) {
        Ok(s) => s,
        Err(e) => {
            println!("NON AUTHENTIQUE — {e}");
            return Ok(EXIT_FAILURE);
        }
    };
    let data = a
        .data
        .as_ref()
        .filter(|_| a.pubkey.is_none())
        .map(|d| DataDir::new(d));
    let tz = match &data {
        Some(d) => d.time_zone()?.1,
        None => jiff::tz::TimeZone::UTC,
    };
    let register = match &data {
        None => InRegister::NotChecked,
        Some(data) => match data.open_store()?.deposit(summary.number)? {
            None => InRegister::Absent,
            Some(d) if summary.matches(&d) => InRegister::Same(Box::new(d)),
            Some(_) => InRegister::Differs,
        },
    };
    let cancelled = match &register {
        InRegister::Same(d) => d.cancellation.clone(),
        _ => None,
    };
    let when = |t: jiff::Timestamp| datetime_long(&t.to_zoned(tz.clone()));
    match &cancelled {
        Some(c) => println!(
            "ANNULÉ — code authentique (clé {}), mais le dépôt n° {} a été annulé le {} : {}",
            hex_id(&key),
            summary.number,
            when(c.at),
            c.reason
        ),
        None => println!("AUTHENTIQUE — signé par la clé {}", hex_id(&key)),
    }
    println!("numéro : {}", summary.number);
    println!("reçu le : {}", when(summary.received_at));
    if summary.version >= 2 {
        println!("enregistré le : {}", when(summary.registered_at));
        if summary.registered_at.as_second() - summary.received_at.as_second()
            > BACKDATE_GRACE_SECONDS
        {
            println!("attention : enregistré après coup, heure de réception déclarée par l'agent");
        }
    } else {
        println!(
            "code de première version : l'heure d'enregistrement et les faits du dépôt n'y sont pas signés"
        );
    }
    let label = KindRules::default_for(summary.kind).label;
    println!("type : {} ({label})", summary.kind);
    println!("pages ou pièces : {}", summary.pages);
    print_facts(&summary, &when);
    let mut ok = check_offline(&a, &summary);
    match &register {
        InRegister::NotChecked => {
            if a.depositor.is_none() {
                println!(
                    "déposant : empreinte {} (comparez avec --depositor \"NOM\")",
                    hex(&summary.depositor_digest)
                );
            }
        }
        InRegister::Absent => {
            println!("faux : le numéro {} est absent du registre", summary.number);
            ok = false;
        }
        InRegister::Differs => {
            println!("modifié : le code ne correspond pas au registre pour ce numéro");
            ok = false;
        }
        InRegister::Same(d) => println!("déposant : {} (registre)", d.facts.depositor),
    }
    Ok(if !ok {
        EXIT_FAILURE
    } else if cancelled.is_some() {
        EXIT_CANCELLED
    } else {
        EXIT_OK
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The kind's facts the code carries, in clear where it can.
fn print_facts(s: &ReceiptSummary, when: &dyn Fn(jiff::Timestamp) -> String) {
    match &s.facts {
        BoundFacts::None => {}
        BoundFacts::Invoice {
            amount,
            siret,
            number_digest,
        } => {
            println!("montant TTC : {amount}");
            println!("SIRET du fournisseur : {siret}");
            println!(
                "numéro de facture : empreinte {} (comparez avec --invoice-number)",
                hex(number_digest)
            );
        }
        BoundFacts::Bid { deadline } => {
            println!("date limite : {}", when(*deadline));
            let verdict = match bid_timeliness(s.received_at, s.registered_at, *deadline) {
                BidTimeliness::OnTime => "remise dans le délai",
                BidTimeliness::Late => "remise HORS DÉLAI",
                BidTimeliness::RegisteredLate => {
                    "ENREGISTRÉE APRÈS LA DATE LIMITE (remise antérieure déclarée, non attestée)"
                }
            };
            println!("offre : {verdict}");
        }
        BoundFacts::Application { dossier, missing } => {
            if let Some(d) = dossier {
                println!("dossier : empreinte {} (comparez avec --dossier)", hex(d));
            }
            if let Some((_, by)) = missing {
                println!(
                    "dossier incomplet à son dépôt : pièces à produire avant le {}",
                    date_short(*by)
                );
            }
        }
        BoundFacts::Documents { dossier, completes } => {
            if let Some(n) = completes {
                println!("complète le dépôt n° {n}");
            }
            if let Some(d) = dossier {
                println!("dossier : empreinte {} (comparez avec --dossier)", hex(d));
            }
        }
    }
}

/// The printed facts given on the command line, against the code. Each that differs, or that
/// the code does not bind, fails the check.
fn check_offline(a: &ReceiptVerifyArgs, s: &ReceiptSummary) -> bool {
    let mut ok = true;
    let mut report = |what: &str, given: &str, same: Option<bool>| match same {
        Some(true) => println!("{what} : {given} (conforme au code)"),
        Some(false) => {
            println!("modifié : {what} « {given} » ne correspond pas au code");
            ok = false;
        }
        None => {
            println!("non vérifiable : ce code ne porte pas de {what}");
            ok = false;
        }
    };
    if let Some(name) = &a.depositor {
        report(
            "déposant",
            name,
            Some(depositor_digest(name) == s.depositor_digest),
        );
    }
    let invoice = match &s.facts {
        BoundFacts::Invoice {
            amount,
            siret,
            number_digest,
        } => Some((amount, siret, number_digest)),
        _ => None,
    };
    if let Some(given) = &a.amount {
        let same = invoice.map(|(amount, ..)| Cents::parse(given).ok() == Some(*amount));
        report("montant", given, same);
    }
    if let Some(given) = &a.siret {
        let same = invoice.map(|(_, siret, _)| {
            given
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                == siret.as_str()
        });
        report("SIRET", given, same);
    }
    if let Some(given) = &a.invoice_number {
        let same = invoice.map(|(.., digest)| invoice_number_digest(given) == *digest);
        report("numéro de facture", given, same);
    }
    if let Some(given) = &a.dossier {
        let bound = match &s.facts {
            BoundFacts::Application { dossier, .. } | BoundFacts::Documents { dossier, .. } => {
                Some(*dossier)
            }
            _ => None,
        };
        let same = bound.map(|d| d == Some(dossier_digest(given)));
        report("numéro de dossier", given, same);
    }
    ok
}
