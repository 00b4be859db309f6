//! `relais receipt verify|pubkey`, and the authority's receipt signing key in `DATA/keys/`:
//! created on first use, readable by its owner only (0600), never printed or logged.

use super::receipt_key::signing_key;
use super::{EXIT_FAILURE, EXIT_OK};
use crate::args::{ReceiptCommand, ReceiptVerifyArgs};
use crate::data::{DataDir, agent};
use anyhow::{Result, bail};
use relais_app::deposits::verify::{self, InRegister};
use relais_core::deposits::{BACKDATE_GRACE_SECONDS, BidTimeliness, KindRules, bid_timeliness};
use relais_documents::code::{BoundFacts, ReceiptSummary, VerifyingKey, hex_id, public_key_text};
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

fn verify_cmd(a: ReceiptVerifyArgs) -> Result<u8> {
    let key = public_key(&a)?;
    let code = a.code.join("");
    let summary = match verify::code(&code, &key) {
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
        Some(data) => verify::in_register(&*data.open_store()?, &summary).map_err(agent)?,
    };
    let cancelled = register.cancellation().cloned();
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
    let given = verify::Given {
        depositor: a.depositor.as_deref(),
        amount: a.amount.as_deref(),
        siret: a.siret.as_deref(),
        invoice_number: a.invoice_number.as_deref(),
        dossier: a.dossier.as_deref(),
    };
    let mut ok = true;
    for c in verify::compare(&given, s) {
        let (what, given) = (c.what, c.given);
        match c.same {
            Some(true) => println!("{what} : {given} (conforme au code)"),
            Some(false) => {
                println!("modifié : {what} « {given} » ne correspond pas au code");
                ok = false;
            }
            None => {
                println!("non vérifiable : ce code ne porte pas de {what}");
                ok = false;
            }
        }
    }
    ok
}
