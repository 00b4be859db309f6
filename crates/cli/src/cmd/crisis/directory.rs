//! `relais annuaire` and `relais message`: the directory's entries (a number typed is checked
//! as at import) and the message of the public page, written by `relais_app::crisis::directory`.

use super::{open, out};
use crate::args::{AnnuaireCommand, AnnuaireSetArgs, MessageCommand};
use crate::cmd::EXIT_OK;
use crate::data::agent;
use anyhow::{Result, anyhow, bail};
use relais_app::crisis::directory;
use relais_core::crisis::systems::parse_yes_no;
use relais_core::crisis::{MAX_TEXT, parse_text};
use relais_core::directory::DirectoryRow;
use relais_documents::crisis::local;
use std::io::Write;

pub fn annuaire(command: AnnuaireCommand) -> Result<u8> {
    let AnnuaireCommand::Set(a) = command;
    let mut opened = open(&a.data.data)?;
    let old =
        directory::entry(&*opened.store, a.site_code.trim(), a.service.trim()).map_err(agent)?;
    let row = merged(&a, old.as_ref())?;
    let change = directory::set_entry(&mut *opened.store, &a.user.user, &row).map_err(agent)?;
    writeln!(
        out(),
        "{} — {} : entrée {}.",
        change.new.site_code,
        change.new.service,
        if change.old.is_some() {
            "modifiée"
        } else {
            "ajoutée"
        }
    )?;
    Ok(EXIT_OK)
}

/// The entry asked: the options given over the old values; every field for a new entry.
fn merged(a: &AnnuaireSetArgs, old: Option<&DirectoryRow>) -> Result<DirectoryRow> {
    let field =
        |given: &Option<String>, old: Option<&String>, name: &'static str| -> Result<String> {
            match (given, old) {
                (Some(v), _) => Ok(v.trim().to_owned()),
                (None, Some(o)) => Ok(o.clone()),
                (None, None) => bail!("nouvelle entrée : {name} est obligatoire"),
            }
        };
    let flag = |given: &Option<String>, old: Option<bool>, name: &'static str| -> Result<bool> {
        match (given.as_deref(), old) {
            (Some(v), _) => {
                parse_yes_no(v).ok_or_else(|| anyhow!("{name} : « {v} » (attendu oui ou non)"))
            }
            (None, Some(o)) => Ok(o),
            (None, None) => bail!("nouvelle entrée : {name} est obligatoire"),
        }
    };
    let row = DirectoryRow {
        site_code: parse_text("--site-code", &a.site_code, 100)?,
        service: parse_text("--service", &a.service, 200)?,
        site: field(&a.site, old.map(|o| &o.site), "--site")?,
        // A number typed is checked and written as the import writes the extracts' numbers.
        phone: match &a.phone {
            Some(p) => {
                relais_core::directory::parse_phone(p).map_err(|why| anyhow!("--phone : {why}"))?
            }
            None => field(&a.phone, old.map(|o| &o.phone), "--phone")?,
        },
        email: field(&a.email, old.map(|o| &o.email), "--email")?,
        address: field(&a.address, old.map(|o| &o.address), "--address")?,
        hours: field(&a.hours, old.map(|o| &o.hours), "--hours")?,
        paper_deposit: flag(
            &a.paper_deposit,
            old.map(|o| o.paper_deposit),
            "--paper-deposit",
        )?,
        public: flag(&a.public, old.map(|o| o.public), "--public")?,
    };
    if row.public && !row.phone.is_empty() && relais_core::directory::tel_href(&row.phone).is_none()
    {
        bail!(
            "--phone : « {} » n'est pas un numéro de téléphone composable",
            row.phone
        );
    }
    Ok(row)
}

pub fn message(command: MessageCommand) -> Result<u8> {
    let MessageCommand::Set(a) = command;
    let mut opened = open(&a.data.data)?;
    let m = directory::set_message(
        &mut *opened.store,
        &a.user.user,
        &parse_text("--affected", &a.affected, MAX_TEXT)?,
        &parse_text("--guaranteed", &a.guaranteed, MAX_TEXT)?,
    )
    .map_err(agent)?;
    writeln!(
        out(),
        "Message au public mis à jour le {}.",
        local(m.updated_at, &opened.tz)
    )?;
    Ok(EXIT_OK)
}
