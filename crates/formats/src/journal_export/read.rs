//! Reading `evenements.jsonl` back, every event's hash recomputed and the chain checked from
//! the header's `from` to its `to`: a changed, removed, added or reordered line is refused,
//! naming the file, the line and the event.

use super::{EVENTS_FILE, Header};
use relais_core::handback::{Entity, SCHEMA, event_id};
use relais_core::journal::{EntryHash, entry_hash};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::io::BufRead;

/// Where and why the events file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{EVENTS_FILE}, ligne {line}{} : {problem}", .event.as_ref().map(|e| format!(", événement {e}")).unwrap_or_default())]
pub struct ReadError {
    pub line: u64,
    /// The event's id, when the line could be read that far.
    pub event: Option<String>,
    pub problem: String,
}

/// One event as read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedEvent {
    pub line: u64,
    pub id: String,
    pub seq: u64,
    pub at: String,
    pub user: String,
    pub kind: String,
    pub entity: Option<Entity>,
    pub payload: String,
    pub prev: EntryHash,
    pub hash: EntryHash,
    /// JSON text, as written.
    pub before: Option<String>,
    pub after: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    id: String,
    seq: u64,
    at: String,
    user: String,
    kind: String,
    entity: Option<Entity>,
    payload: String,
    prev: String,
    hash: String,
    before: Option<Box<RawValue>>,
    after: Box<RawValue>,
}

/// The events of an export, read one line at a time.
pub struct ExportReader<R> {
    input: R,
    buf: String,
    line: u64,
    header: Header,
    last: (u64, EntryHash),
    count: u64,
    finished: bool,
}

impl<R: BufRead> ExportReader<R> {
    /// Reads and checks the header line.
    pub fn new(mut input: R) -> Result<ExportReader<R>, ReadError> {
        let mut buf = String::new();
        let at = |problem: String| ReadError {
            line: 1,
            event: None,
            problem,
        };
        input
            .read_line(&mut buf)
            .map_err(|e| at(format!("illisible ({e})")))?;
        #[derive(Deserialize)]
        struct Schema {
            schema: String,
        }
        let schema: Schema =
            serde_json::from_str(&buf).map_err(|e| at(format!("en-tête illisible ({e})")))?;
        if schema.schema != SCHEMA {
            return Err(at(format!(
                "schéma « {} » inconnu de cette version (attendu « {SCHEMA} »)",
                schema.schema
            )));
        }
        let header: Header =
            serde_json::from_str(&buf).map_err(|e| at(format!("en-tête illisible ({e})")))?;
        if header.to.seq < header.from.seq || header.count != header.to.seq - header.from.seq {
            return Err(at(format!(
                "en-tête incohérent : de l'entrée n° {} à la n° {}, {} événement(s)",
                header.from.seq, header.to.seq, header.count
            )));
        }
        Ok(ExportReader {
            input,
            buf,
            line: 1,
            last: (header.from.seq, header.from.hash),
            header,
            count: 0,
            finished: false,
        })
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    fn next_event(&mut self) -> Result<Option<ExportedEvent>, ReadError> {
        self.buf.clear();
        self.line += 1;
        let line = self.line;
        let n = self.input.read_line(&mut self.buf).map_err(|e| ReadError {
            line,
            event: None,
            problem: format!("illisible ({e})"),
        })?;
        if n == 0 {
            let h = &self.header;
            if self.count != h.count || self.last != (h.to.seq, h.to.hash) {
                return Err(ReadError {
                    line,
                    event: None,
                    problem: format!(
                        "le fichier s'arrête après {} événement(s) (entrée n° {}) alors que l'en-tête en annonce {} jusqu'à l'entrée n° {} (événements supprimés)",
                        self.count, self.last.0, h.count, h.to.seq
                    ),
                });
            }
            return Ok(None);
        }
        let raw: Line = serde_json::from_str(&self.buf).map_err(|e| ReadError {
            line,
            event: None,
            problem: format!("ligne illisible ({e})"),
        })?;
        let refuse = |problem: String| ReadError {
            line,
            event: Some(raw.id.clone()),
            problem,
        };
        let expected_id = event_id(&self.header.authority.siret, raw.seq);
        if raw.id != expected_id {
            return Err(refuse(format!(
                "identifiant inattendu (attendu « {expected_id} »)"
            )));
        }
        let (last_seq, last_hash) = self.last;
        if raw.seq != last_seq + 1 {
            return Err(refuse(format!(
                "événement n° {} là où le n° {} était attendu (événement supprimé, ajouté ou déplacé)",
                raw.seq,
                last_seq + 1
            )));
        }
        let hash = |text: &str, what: &str| {
            EntryHash::from_hex(text).ok_or_else(|| refuse(format!("{what} illisible")))
        };
        let prev = hash(&raw.prev, "empreinte précédente")?;
        let own = hash(&raw.hash, "empreinte")?;
        if prev != last_hash {
            return Err(refuse(format!(
                "ne suit pas l'événement précédent (empreinte précédente {}, attendue {})",
                raw.prev,
                last_hash.to_hex()
            )));
        }
        let computed = entry_hash(&prev, raw.seq, &raw.at, &raw.user, &raw.kind, &raw.payload);
        if computed != own {
            return Err(refuse(format!(
                "contenu modifié : empreinte recalculée {} au lieu de {}",
                computed.to_hex(),
                raw.hash
            )));
        }
        // The entity is not hashed: it is recomputed from what is.
        let payload: serde_json::Value =
            serde_json::from_str(&raw.payload).unwrap_or(serde_json::Value::Null);
        let entity = relais_core::handback::entity(raw.seq, &raw.kind, &payload);
        if entity != raw.entity {
            return Err(refuse(format!(
                "entité modifiée (attendue {})",
                entity.map_or("aucune".to_owned(), |e| format!("{} {}", e.kind, e.id))
            )));
        }
        self.last = (raw.seq, own);
        self.count += 1;
        if self.count > self.header.count {
            return Err(refuse(format!(
                "plus d'événements que les {} annoncés par l'en-tête",
                self.header.count
            )));
        }
        Ok(Some(ExportedEvent {
            line,
            id: raw.id,
            seq: raw.seq,
            at: raw.at,
            user: raw.user,
            kind: raw.kind,
            entity: raw.entity,
            payload: raw.payload,
            prev,
            hash: own,
            before: raw.before.map(|b| b.get().to_owned()),
            after: raw.after.get().to_owned(),
        }))
    }
}

impl<R: BufRead> Iterator for ExportReader<R> {
    type Item = Result<ExportedEvent, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        match self.next_event() {
            Ok(Some(e)) => Some(Ok(e)),
            Ok(None) => {
                self.finished = true;
                None
            }
            Err(e) => {
                self.finished = true;
                Some(Err(e))
            }
        }
    }
}
