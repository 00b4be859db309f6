//! `relais courante|incident|cnil|systemes|taches|annuaire|message`: the crisis cell's
//! records, through `relais_app::crisis`: arguments read, a service called, its answer
//! printed. Writing needs the role `crise` or `admin` (checked by the store); times are read
//! and shown on the authority's clock.

use super::EXIT_OK;
use crate::args::{
    CnilCommand, CnilNotifyArgs, CouranteAddArgs, CouranteCommand, CouranteExportArgs,
    IncidentCommand, IncidentSetArgs, SystemesCommand, TachesCommand,
};
use crate::data::{DataDir, agent};
use anyhow::{Result, anyhow, bail};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use relais_app::crisis::courante::{self, Export, Format};
use relais_app::crisis::incident::{self, Cnil};
use relais_app::crisis::{Cell, systems};
use relais_app::{Clock, SystemClock};
use relais_core::crisis::cnil::CnilClock;
use relais_core::crisis::systems::parse_yes_no;
use relais_core::crisis::{
    EntryContent, EntryKind, FactKind, MAX_TEXT, NewEntry, NewFact, Notification, NotificationKind,
    RANSOM_ADVICE, SystemStatus, TaskStatus, parse_sha256, parse_text,
};
use relais_core::deposits::parse_local_datetime;
use relais_documents::crisis::{fact_line, local};
use relais_store::crisis::NewTask;
use std::io::Write;
use std::path::Path;

mod directory;
pub use directory::{annuaire, message};

/// Standard output; a reader that stops early (`| head`) ends the command quietly (main).
pub(crate) fn out() -> std::io::StdoutLock<'static> {
    std::io::stdout().lock()
}

/// The store, the authority's name and time zone, and the system's clock.
struct Opened {
    store: relais_app::data::AnyStore,
    authority: String,
    tz: TimeZone,
    clock: SystemClock,
}

impl Opened {
    /// The crisis cell as the services take it.
    fn cell(&self) -> Cell<'_> {
        Cell {
            authority: &self.authority,
            tz: &self.tz,
            clock: &self.clock,
        }
    }
}

fn open(data: &Path) -> Result<Opened> {
    let data = DataDir::new(data);
    let (settings, tz) = data.time_zone()?;
    Ok(Opened {
        store: data.open_store()?,
        authority: settings.authority.name,
        tz,
        clock: SystemClock,
    })
}

/// A local date and time typed by an agent, `field` naming the option in the message.
fn instant(s: &str, tz: &TimeZone, field: &str) -> Result<Timestamp> {
    parse_local_datetime(s, tz, false).ok_or_else(|| {
        anyhow!("{field} : date et heure illisibles « {s} » (attendu AAAA-MM-JJ HH:MM)")
    })
}

/// The instant of something that happened: refused when it is after now.
fn opt_instant(s: Option<&str>, cell: &Cell<'_>, field: &'static str) -> Result<Option<Timestamp>> {
    s.map(|s| {
        let at = instant(s, cell.tz, field)?;
        cell.happened(field, at).map_err(agent)
    })
    .transpose()
}

fn opt_text(s: Option<&str>, field: &'static str) -> Result<Option<String>> {
    Ok(s.map(|t| parse_text(field, t, MAX_TEXT)).transpose()?)
}

/// Writes a document atomically, then says where.
fn write_file(
    path: &Path,
    fill: impl FnOnce(&mut dyn std::io::Write) -> Result<(), relais_documents::DocumentError>,
) -> Result<()> {
    crate::fsio::write_atomic_with(path, |w| fill(w).map_err(std::io::Error::other))?;
    writeln!(out(), "{}", path.display())?;
    Ok(())
}

pub fn courante(command: CouranteCommand) -> Result<u8> {
    match command {
        CouranteCommand::Add(a) => add_entry(a),
        CouranteCommand::List(d) => {
            let opened = open(&d.data)?;
            for e in opened.store.entries()? {
                let mut refs = String::new();
                for (label, v) in [
                    ("corrige n°", e.content.corrects.map(|c| c.to_string())),
                    ("système", e.content.system),
                    ("site", e.content.site),
                    ("document", e.content.document),
                ] {
                    if let Some(v) = v {
                        refs.push_str(&format!(" [{label} {v}]"));
                    }
                }
                writeln!(
                    out(),
                    "{}\t{}\t{}\t{}\t{}{refs}",
                    e.id,
                    local(e.at, &opened.tz),
                    e.author,
                    e.content.kind.label_fr(),
                    e.content.text.replace('\n', " / ")
                )?;
            }
            Ok(EXIT_OK)
        }
        CouranteCommand::Export(a) => export(a),
    }
}

fn add_entry(a: CouranteAddArgs) -> Result<u8> {
    let mut opened = open(&a.data.data)?;
    let kind = EntryKind::parse(&a.kind).ok_or_else(|| {
        anyhow!(
            "--kind : nature inconnue « {} » (attendu : {})",
            a.kind,
            EntryKind::expected()
        )
    })?;
    let entry = NewEntry {
        at: opt_instant(a.at.as_deref(), &opened.cell(), "--at")?,
        content: EntryContent {
            kind,
            text: parse_text("--text", &a.text, MAX_TEXT)?,
            corrects: a.corrects,
            system: opt_text(a.system.as_deref(), "--system")?,
            site: opt_text(a.site.as_deref(), "--site")?,
            document: a.document.as_deref().map(parse_sha256).transpose()?,
        },
    };
    let e = courante::add(&mut *opened.store, &a.user.user, &entry).map_err(agent)?;
    writeln!(
        out(),
        "Entrée n° {} inscrite (journal n° {}).",
        e.id,
        e.journal_seq
    )?;
    Ok(EXIT_OK)
}

fn export(a: CouranteExportArgs) -> Result<u8> {
    if a.csv.is_none() && a.pdf.is_none() {
        bail!("indiquez --csv FICHIER, --pdf FICHIER, ou les deux");
    }
    let opened = open(&a.data.data)?;
    let export = Export::read(&*opened.store).map_err(agent)?;
    if let Some(path) = &a.csv {
        write_file(path, |w| export.write(&opened.cell(), Format::Csv, w))?;
    }
    if let Some(path) = &a.pdf {
        write_file(path, |w| export.write(&opened.cell(), Format::Pdf, w))?;
    }
    Ok(EXIT_OK)
}

pub fn incident(command: IncidentCommand) -> Result<u8> {
    match command {
        IncidentCommand::Set(a) => set_fact(a),
        IncidentCommand::Show(d) => show_incident(&d.data),
        IncidentCommand::Summary(a) => {
            let opened = open(&a.data.data)?;
            let incident = incident::read(&*opened.store).map_err(agent)?;
            write_file(&a.pdf, |w| {
                incident::summary_pdf(&opened.cell(), &incident, w)
            })?;
            Ok(EXIT_OK)
        }
    }
}

fn set_fact(a: IncidentSetArgs) -> Result<u8> {
    let mut opened = open(&a.data.data)?;
    let kind = FactKind::parse(&a.fact).ok_or_else(|| {
        anyhow!(
            "fait inconnu « {} » (attendu : {})",
            a.fact,
            FactKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let answer = a
        .answer
        .as_deref()
        .map(|s| parse_yes_no(s).ok_or_else(|| anyhow!("--answer : « {s} » (attendu oui ou non)")))
        .transpose()?;
    let fact = NewFact {
        at: opt_instant(a.at.as_deref(), &opened.cell(), "--at")?,
        estimate: a.estimate,
        place: opt_text(a.place.as_deref(), "--place")?,
        reference: opt_text(a.reference.as_deref(), "--reference")?,
        answer,
        note: opt_text(a.note.as_deref(), "--note")?,
    };
    if fact == NewFact::default() {
        bail!(
            "rien à enregistrer : indiquez au moins --at, --answer, --place, --reference ou --note"
        );
    }
    let recorded =
        incident::record_fact(&mut *opened.store, &opened.clock, &a.user.user, kind, &fact)
            .map_err(agent)?;
    writeln!(
        out(),
        "{} enregistré (révision n° {}).",
        kind.label_fr(),
        recorded.revision
    )?;
    if answer == Some(true) {
        writeln!(out(), "{RANSOM_ADVICE}")?;
    }
    if let Some(clock) = &recorded.cnil {
        print_clock(clock, &opened.tz)?;
    }
    Ok(EXIT_OK)
}

/// The CNIL clock running: its deadline and what is left.
fn print_clock(clock: &CnilClock, tz: &TimeZone) -> Result<()> {
    writeln!(
        out(),
        "Notification CNIL : au plus tard le {} ({})",
        local(clock.deadline, tz),
        clock.label_fr()
    )?;
    Ok(())
}

fn show_incident(data: &Path) -> Result<u8> {
    let opened = open(data)?;
    let incident = incident::read(&*opened.store).map_err(agent)?;
    for kind in FactKind::ALL {
        let revisions: Vec<_> = incident.revisions(*kind).collect();
        let Some(current) = revisions.last() else {
            writeln!(out(), "{:<28} non renseigné", kind.label_fr())?;
            continue;
        };
        let revised = if revisions.len() > 1 {
            format!(" ({} révisions)", revisions.len())
        } else {
            String::new()
        };
        writeln!(
            out(),
            "{:<28} {}{revised}",
            kind.label_fr(),
            fact_line(&current.value, &opened.tz)
        )?;
        if *kind == FactKind::Ransom {
            writeln!(out(), "{:<28} {RANSOM_ADVICE}", "")?;
        }
    }
    match Cnil::of(&incident, &opened.clock) {
        // The clock stops once the CNIL is notified.
        Cnil::Notified {
            awareness, sent, ..
        } => writeln!(
            out(),
            "Notification CNIL : {}",
            relais_core::crisis::cnil::notified_label_fr(awareness, sent, &opened.tz)
        )?,
        Cnil::Running { clock, .. } => print_clock(&clock, &opened.tz)?,
        Cnil::Unknown { .. } => writeln!(
            out(),
            "Notification CNIL : prise de connaissance non renseignée, délai inconnu"
        )?,
    }
    for n in &incident.notifications {
        let n = &n.notification;
        writeln!(
            out(),
            "Notification {} envoyée le {}{}",
            n.kind.label_fr(),
            local(n.sent_at, &opened.tz),
            n.reference
                .as_deref()
                .map(|r| format!(" (référence {r})"))
                .unwrap_or_default()
        )?;
        if let Some(reasons) = &n.delay_reasons {
            writeln!(out(), "  motifs du retard : {reasons}")?;
        }
    }
    Ok(EXIT_OK)
}

pub fn cnil(command: CnilCommand) -> Result<u8> {
    let CnilCommand::Notify(a) = command;
    notify(a)
}

fn notify(a: CnilNotifyArgs) -> Result<u8> {
    let mut opened = open(&a.data.data)?;
    let kind = NotificationKind::parse(&a.kind).ok_or_else(|| {
        anyhow!(
            "--kind : « {} » (attendu : initiale ou complementaire)",
            a.kind
        )
    })?;
    let text = |field: &'static str, s: &str| parse_text(field, s, MAX_TEXT);
    let notification = Notification {
        kind,
        nature: text("--nature", &a.nature)?,
        people_categories: text("--people-categories", &a.people_categories)?,
        people_count: a.people_count,
        record_categories: text("--record-categories", &a.record_categories)?,
        record_count: a.record_count,
        consequences: text("--consequences", &a.consequences)?,
        measures: text("--measures", &a.measures)?,
        dpo_contact: text("--dpo", &a.dpo)?,
        sent_at: opt_instant(a.sent_at.as_deref(), &opened.cell(), "--sent-at")?
            .unwrap_or_else(|| opened.clock.now()),
        reference: opt_text(a.reference.as_deref(), "--reference")?,
        delay_reasons: opt_text(a.delay_reasons.as_deref(), "--delay-reasons")?,
    };
    let id = incident::notify(&mut *opened.store, &a.user.user, &notification).map_err(agent)?;
    writeln!(
        out(),
        "Notification {} enregistrée (n° {id}).",
        kind.label_fr()
    )?;
    Ok(EXIT_OK)
}

pub fn systemes(command: SystemesCommand) -> Result<u8> {
    match command {
        SystemesCommand::Import(a) => {
            let mut opened = open(&a.data.data)?;
            let done = systems::import(&mut *opened.store, &a.user.user, &a.csv).map_err(agent)?;
            writeln!(
                out(),
                "{} système(s) ajouté(s), {} mis à jour.",
                done.added,
                done.updated
            )?;
            Ok(EXIT_OK)
        }
        SystemesCommand::Statut(a) => {
            let mut opened = open(&a.data.data)?;
            let to = SystemStatus::parse(&a.status).ok_or_else(|| {
                anyhow!(
                    "statut inconnu « {} » (attendu : {})",
                    a.status,
                    SystemStatus::expected()
                )
            })?;
            let change = systems::set_status(
                &mut *opened.store,
                &a.user.user,
                &a.system,
                to,
                a.note.as_deref(),
            )
            .map_err(agent)?;
            writeln!(
                out(),
                "{} : {} → {} (main courante n° {})",
                change.system,
                change.from.map_or("—", |s| s.label_fr()),
                change.to,
                change.entry.unwrap_or(0)
            )?;
            Ok(EXIT_OK)
        }
        SystemesCommand::List(d) => {
            let opened = open(&d.data)?;
            for s in opened.store.systems()? {
                writeln!(
                    out(),
                    "{}\t{}\t{}\t{}\t{}\t{}\t{} ({}, {})",
                    s.id,
                    s.name,
                    s.function,
                    s.criticality,
                    s.owner,
                    s.site.as_deref().unwrap_or("—"),
                    s.status,
                    local(s.status_at, &opened.tz),
                    s.status_by
                )?;
            }
            let summary = opened.store.systems_summary()?;
            let counts: Vec<String> = summary
                .by_status
                .iter()
                .map(|(s, n)| format!("{s} : {n}"))
                .collect();
            writeln!(out(), "Par statut — {}", counts.join(", "))?;
            let critical: Vec<&str> = summary
                .critical_not_restored
                .iter()
                .map(|s| s.id.as_str())
                .collect();
            writeln!(
                out(),
                "Systèmes critiques non restaurés : {}",
                if critical.is_empty() {
                    "aucun".to_owned()
                } else {
                    critical.join(", ")
                }
            )?;
            Ok(EXIT_OK)
        }
    }
}

pub fn taches(command: TachesCommand) -> Result<u8> {
    match command {
        TachesCommand::Add(a) => {
            let mut opened = open(&a.data.data)?;
            let due = a
                .due
                .as_deref()
                .map(|s| {
                    parse_local_datetime(s, &opened.tz, true).ok_or_else(|| {
                        anyhow!("--due : échéance illisible « {s} » (attendu AAAA-MM-JJ HH:MM)")
                    })
                })
                .transpose()?;
            let task = NewTask {
                title: parse_text("--title", &a.title, 500)?,
                owner: parse_text("--owner", &a.owner, 200)?,
                due,
            };
            let t = systems::add_task(&mut *opened.store, &a.user.user, &task).map_err(agent)?;
            writeln!(out(), "Tâche n° {} ajoutée.", t.id)?;
            Ok(EXIT_OK)
        }
        TachesCommand::Statut(a) => {
            let mut opened = open(&a.data.data)?;
            let status = TaskStatus::parse(&a.status).ok_or_else(|| {
                anyhow!(
                    "statut inconnu « {} » (attendu : {})",
                    a.status,
                    TaskStatus::expected()
                )
            })?;
            let t = systems::set_task_status(&mut *opened.store, &a.user.user, a.task, status)
                .map_err(agent)?;
            writeln!(out(), "Tâche n° {} : {}.", t.id, t.status)?;
            Ok(EXIT_OK)
        }
        TachesCommand::List(a) => {
            let opened = open(&a.data.data)?;
            let now = opened.clock.now();
            let tasks = if a.overdue {
                opened.store.overdue_tasks(now)?
            } else {
                opened.store.tasks()?
            };
            for t in tasks {
                writeln!(
                    out(),
                    "{}\t{}\t{}\t{}\t{}{}",
                    t.id,
                    t.status,
                    t.due
                        .map_or("sans échéance".to_owned(), |d| local(d, &opened.tz)),
                    t.owner,
                    t.title,
                    if t.is_overdue(now) { "\tEN RETARD" } else { "" }
                )?;
            }
            Ok(EXIT_OK)
        }
    }
}
