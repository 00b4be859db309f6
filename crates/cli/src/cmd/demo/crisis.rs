//! A few crisis records in the demo store, so that the crisis screens have content: the
//! systems' inventory, incident facts (the CNIL clock running from yesterday morning), some
//! main courante entries, two tasks (one overdue) and the message to the public.

use anyhow::{Result, anyhow};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use relais_core::crisis::{EntryContent, EntryKind, FactKind, NewEntry, NewFact};
use relais_demo::crisis::{SYSTEMS_CSV, SYSTEMS_FILE};
use relais_store::crisis::NewTask;
use std::path::Path;

/// The demo's crisis cell member (a user `relais demo` creates).
const CELL: &str = "crise";

pub fn seed(
    store: &mut dyn relais_store::Backend,
    data: &Path,
    today: Date,
    tz: &TimeZone,
) -> Result<()> {
    let at = |days_back: i64, h: i8, m: i8| -> Result<jiff::Timestamp> {
        let day = today.checked_sub(jiff::Span::new().days(days_back))?;
        Ok(day.at(h, m, 0, 0).to_zoned(tz.clone())?.timestamp())
    };
    crate::fsio::write_atomic(&data.join(SYSTEMS_FILE), SYSTEMS_CSV.as_bytes())?;
    let systems = relais_formats::systems::read_systems(SYSTEMS_CSV.as_bytes(), SYSTEMS_FILE)
        .map_err(|e| anyhow!("{e:?}"))?;
    store.import_systems(CELL, &systems)?;
    let facts = [
        (FactKind::Start, at(2, 2, 0)?, true),
        (FactKind::Detection, at(1, 6, 45)?, false),
        (FactKind::Awareness, at(1, 9, 0)?, false),
    ];
    for (kind, when, estimate) in facts {
        let fact = NewFact {
            at: Some(when),
            estimate,
            ..NewFact::default()
        };
        store.record_fact(CELL, kind, &fact)?;
    }
    let entries = [
        (
            at(1, 6, 45)?,
            EntryKind::Information,
            "Écran de rançon sur les postes de la DRH ; messagerie inaccessible.",
        ),
        (
            at(1, 7, 30)?,
            EntryKind::Decision,
            "Coupure de tous les liens Internet et inter-sites. Cellule de crise ouverte (DGS, DSI, RSSI).",
        ),
        (
            at(1, 9, 0)?,
            EntryKind::Communication,
            "Signalement à l'ANSSI (CERT-FR) et au délégué à la protection des données.",
        ),
        (
            at(0, 8, 30)?,
            EntryKind::Decision,
            "Les aides APA, PCH et ASH de ce mois seront versées en mode dégradé (Relais).",
        ),
    ];
    for (when, kind, text) in entries {
        let entry = NewEntry {
            at: Some(when),
            content: EntryContent::new(kind, text),
        };
        store.add_entry(CELL, &entry)?;
    }
    for (title, owner, due) in [
        (
            "Déposer plainte au commissariat de Melun",
            "DGS",
            at(1, 17, 0)?,
        ),
        (
            "Notifier la violation de données à la CNIL",
            "DPO",
            at(-2, 9, 0)?,
        ),
    ] {
        let task = NewTask {
            title: title.to_owned(),
            owner: owner.to_owned(),
            due: Some(due),
        };
        store.add_task(CELL, &task)?;
    }
    store.set_public_message(
        CELL,
        "Messagerie et site internet des services sociaux indisponibles\nDélais allongés pour les nouvelles demandes",
        "Les aides APA, PCH et ASH seront versées à la date habituelle\nLes dossiers papier sont reçus contre récépissé dans chaque MDS",
    )?;
    Ok(())
}
