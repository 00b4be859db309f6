//! The crisis cell's documents: the main courante as CSV and as a printable PDF carrying each
//! entry's journal event (sequence and hash, so a reader can check that nothing was removed),
//! the incident's summary (facts with their revisions, the CNIL clock and notifications), and
//! a site's A4 poster for the door.

use crate::flow::{Block, write_flow_pdf};
use crate::french::datetime_short;
use crate::receipt::DocumentError;
use crate::run_report::safe;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use relais_core::crisis::cnil::CnilClock;
use relais_core::crisis::{Entry, Fact, FactKind, Incident, NewFact, PublicMessage, RANSOM_ADVICE};
use relais_core::directory::DirectoryRow;
use std::io::Write;

/// `23/11/2026 10:05` on the authority's clock.
pub fn local(at: Timestamp, tz: &TimeZone) -> String {
    datetime_short(&at.to_zoned(tz.clone()))
}

/// The main courante for a spreadsheet: UTF-8, comma, a header row, the local time with its
/// offset (RFC 3339), then each entry's journal event.
pub fn write_courante_csv(
    entries: &[Entry],
    tz: &TimeZone,
    out: &mut dyn Write,
) -> Result<(), DocumentError> {
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| DocumentError::Io(std::io::Error::other(e));
    w.write_record([
        "numero",
        "date_heure",
        "auteur",
        "nature",
        "texte",
        "corrige",
        "systeme",
        "site",
        "document_sha256",
        "journal_seq",
        "journal_empreinte",
    ])
    .map_err(io)?;
    for e in entries {
        let at = e.at.to_zoned(tz.clone());
        w.write_record([
            e.id.to_string(),
            at.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            safe(&e.author).into_owned(),
            e.content.kind.label_fr().to_owned(),
            safe(&e.content.text).into_owned(),
            e.content
                .corrects
                .map(|c| c.to_string())
                .unwrap_or_default(),
            safe(e.content.system.as_deref().unwrap_or("")).into_owned(),
            safe(e.content.site.as_deref().unwrap_or("")).into_owned(),
            e.content.document.clone().unwrap_or_default(),
            e.journal_seq.to_string(),
            e.journal_hash.clone(),
        ])
        .map_err(io)?;
    }
    w.flush()?;
    Ok(())
}

/// What heads a crisis document.
pub struct Heading<'a> {
    /// The authority's name (settings).
    pub authority: &'a str,
    pub tz: &'a TimeZone,
    /// When the document is printed.
    pub printed_at: Timestamp,
}

impl Heading<'_> {
    fn blocks(&self, title: &str) -> Vec<Block> {
        vec![
            Block::Small(self.authority.to_owned()),
            Block::Title(title.to_owned()),
            Block::Small(format!(
                "Édité le {} (heure légale, fuseau {})",
                local(self.printed_at, self.tz),
                self.tz.iana_name().unwrap_or("local")
            )),
            Block::Gap(6.0),
        ]
    }

    fn footer(&self, title: &str) -> String {
        format!("{} — {title}", self.authority)
    }
}

/// The main courante as a printable PDF, entries in order, each with its journal event.
pub fn write_courante_pdf(
    heading: &Heading<'_>,
    entries: &[Entry],
    out: &mut dyn Write,
) -> Result<(), DocumentError> {
    let title = "Main courante de la cellule de crise";
    let mut b = heading.blocks(title);
    b.push(Block::Text(format!(
        "{} entrée(s), dans l'ordre. Aucune entrée n'est modifiée ni supprimée : une correction est \
         une nouvelle entrée qui renvoie à celle qu'elle corrige. Chaque entrée est inscrite au \
         journal de Relais (n° et empreinte SHA-256 ci-dessous), où chaque empreinte couvre la \
         précédente : « relais journal verify » signale toute entrée modifiée ou supprimée.",
        entries.len()
    )));
    for e in entries {
        b.push(Block::Heading(format!(
            "N° {} — {} — {}",
            e.id,
            local(e.at, heading.tz),
            e.content.kind.label_fr()
        )));
        b.push(Block::Field("Auteur".into(), e.author.clone()));
        if let Some(c) = e.content.corrects {
            b.push(Block::Field("Corrige l'entrée".into(), format!("n° {c}")));
        }
        for (label, value) in [("Système", &e.content.system), ("Site", &e.content.site)] {
            if let Some(v) = value {
                b.push(Block::Field(label.into(), v.clone()));
            }
        }
        // Small enough for the whole hash to stand on one line, to be read and compared.
        if let Some(sha) = &e.content.document {
            b.push(Block::Small(format!("Document (SHA-256) : {sha}")));
        }
        b.push(Block::Text(e.content.text.clone()));
        b.push(Block::Small(format!(
            "Journal n° {} — empreinte {}",
            e.journal_seq, e.journal_hash
        )));
    }
    write_flow_pdf(title, &heading.footer(title), &b, out)
}

/// A fact's value in one line: its time (estimate or not), answer, place, reference, note.
pub fn fact_line(f: &NewFact, tz: &TimeZone) -> String {
    let mut parts = Vec::new();
    if let Some(at) = f.at {
        parts.push(format!(
            "{}{}",
            local(at, tz),
            if f.estimate { " (estimation)" } else { "" }
        ));
    }
    if let Some(answer) = f.answer {
        parts.push(if answer { "oui" } else { "non" }.to_owned());
    }
    for v in [&f.place, &f.reference, &f.note].into_iter().flatten() {
        parts.push(v.clone());
    }
    if parts.is_empty() {
        parts.push("—".to_owned());
    }
    parts.join(" — ")
}

/// The incident's facts, the CNIL clock at the time of printing and the notifications sent.
pub fn write_incident_pdf(
    heading: &Heading<'_>,
    incident: &Incident,
    out: &mut dyn Write,
) -> Result<(), DocumentError> {
    let title = "Incident : faits essentiels";
    let tz = heading.tz;
    let mut b = heading.blocks(title);
    b.push(Block::Heading("Faits".into()));
    for kind in FactKind::ALL {
        let mut revisions: Vec<&Fact> = incident.revisions(*kind).collect();
        let current = revisions.pop();
        let line = current.map_or_else(|| "non renseigné".to_owned(), |f| fact_line(&f.value, tz));
        b.push(Block::Field(capitalised(kind.label_fr()), line));
        for old in revisions.iter().rev() {
            b.push(Block::Small(format!(
                "    révision antérieure (saisie le {} par {}) : {}",
                local(old.recorded_at, tz),
                old.recorded_by,
                fact_line(&old.value, tz)
            )));
        }
        if *kind == FactKind::Ransom {
            b.push(Block::Strong(RANSOM_ADVICE.to_owned()));
        }
    }
    b.push(Block::Heading(
        "Notification à la CNIL (RGPD, art. 33)".into(),
    ));
    match incident
        .current(FactKind::Awareness)
        .and_then(|f| f.value.at)
    {
        Some(awareness) => {
            let clock = CnilClock::at(awareness, heading.printed_at);
            b.push(Block::Field(
                "Prise de connaissance".into(),
                local(awareness, tz),
            ));
            b.push(Block::Field(
                "Échéance (72 heures)".into(),
                format!("{} — {}", local(clock.deadline, tz), clock.label_fr()),
            ));
        }
        None => b.push(Block::Text(
            "La prise de connaissance n'est pas renseignée : le délai de 72 heures ne peut pas \
             être calculé."
                .into(),
        )),
    }
    if incident.notifications.is_empty() {
        b.push(Block::Text("Aucune notification envoyée.".into()));
    }
    for n in &incident.notifications {
        let n = &n.notification;
        b.push(Block::Strong(format!(
            "Notification {} envoyée le {}{}",
            n.kind.label_fr(),
            local(n.sent_at, tz),
            n.reference
                .as_deref()
                .map(|r| format!(" — référence {r}"))
                .unwrap_or_default()
        )));
        for (label, value) in [
            ("Nature de la violation", n.nature.clone()),
            (
                "Personnes concernées",
                format!("{} — environ {}", n.people_categories, n.people_count),
            ),
            (
                "Enregistrements concernés",
                format!("{} — environ {}", n.record_categories, n.record_count),
            ),
            ("Conséquences probables", n.consequences.clone()),
            ("Mesures prises", n.measures.clone()),
            ("Contact du DPO", n.dpo_contact.clone()),
        ] {
            b.push(Block::Field(label.into(), value));
        }
        if let Some(reasons) = &n.delay_reasons {
            // RGPD art. 33.1: a notification after 72 hours comes with the reasons for the delay.
            b.push(Block::Field(
                "Motifs du retard (au-delà de 72 heures)".into(),
                reasons.clone(),
            ));
        }
    }
    write_flow_pdf(title, &heading.footer(title), &b, out)
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A site's poster: its services' numbers, big, then the general numbers and the message.
pub fn write_poster_pdf(
    heading: &Heading<'_>,
    site: &[DirectoryRow],
    general: &[DirectoryRow],
    message: Option<&PublicMessage>,
    out: &mut dyn Write,
) -> Result<(), DocumentError> {
    let name = site.first().map_or("", |r| r.site.as_str());
    let title = format!("{name} : comment nous joindre");
    let mut b = vec![
        Block::Small(heading.authority.to_owned()),
        Block::Big(name.to_owned(), 28.0),
        Block::Big("Nos services restent joignables".into(), 18.0),
        Block::Gap(10.0),
    ];
    for r in site {
        b.push(Block::Big(r.service.clone(), 18.0));
        b.push(Block::Big(r.phone.clone(), 48.0));
        b.push(Block::Big(r.hours.clone(), 14.0));
        b.push(Block::Big(r.email.clone(), 12.0));
        if r.paper_deposit {
            b.push(Block::Big(
                format!("Dépôt de dossiers papier : {}", r.address),
                12.0,
            ));
        }
        b.push(Block::Gap(8.0));
    }
    if !general.is_empty() {
        b.push(Block::Gap(8.0));
        b.push(Block::Big("Numéros généraux".into(), 16.0));
        for r in general {
            b.push(Block::Big(format!("{} — {}", r.phone, r.site), 20.0));
            b.push(Block::Big(format!("{} — {}", r.service, r.hours), 11.0));
        }
    }
    if let Some(m) = message {
        b.push(Block::Gap(8.0));
        b.push(Block::Big("Ce qui est garanti".into(), 16.0));
        for item in PublicMessage::items(&m.guaranteed) {
            b.push(Block::Big(format!("• {item}"), 14.0));
        }
        b.push(Block::Big(
            format!("Mis à jour le {}", local(m.updated_at, heading.tz)),
            10.0,
        ));
    }
    write_flow_pdf(&title, &heading.footer(&title), &b, out)
}
