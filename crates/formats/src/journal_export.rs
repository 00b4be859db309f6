//! The journal export's events file, `evenements.jsonl` (docs/journal-export.md): JSON Lines,
//! a header line then one line per journal entry, written and read over `Write` / `BufRead`.
//!
//! Each event line carries the journal entry as it was hashed (`seq`, `at`, `user`, `kind`,
//! `payload` as the exact text, `prev`, `hash`), so that a reader recomputes each hash with
//! [`relais_core::journal::entry_hash`] and checks the chain; and, for a reader that rebuilds
//! state, the entity changed and its state `before` and `after`. `after` comes last so that a
//! long one (a run's lines) is streamed into the line, never held.

mod read;
pub mod tableur;

pub use read::{ExportReader, ExportedEvent, ReadError};

use relais_core::handback::{Entity, SCHEMA};
use relais_core::journal::EntryHash;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// The events file's name in the export folder.
pub const EVENTS_FILE: &str = "evenements.jsonl";

/// The authority whose journal it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authority {
    pub siret: String,
    pub name: String,
}

/// A point of the journal: an entry's seq and hash (0 and 64 zeros: before the first entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    pub seq: u64,
    #[serde(with = "hex_hash")]
    pub hash: EntryHash,
}

/// The first line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub schema: String,
    pub authority: Authority,
    /// The events follow this entry (not included).
    pub from: Point,
    /// The last event.
    pub to: Point,
    pub count: u64,
    /// Why `from` is where it is: `since` (asked), `import` (the last import or snapshot
    /// opened), `start` (the journal's start).
    pub from_reason: String,
    /// RFC 3339, UTC.
    pub exported_at: String,
    pub exported_by: String,
}

impl Header {
    pub fn new(
        authority: Authority,
        from: Point,
        to: Point,
        from_reason: &str,
        exported_at: String,
        exported_by: &str,
    ) -> Header {
        Header {
            schema: SCHEMA.to_owned(),
            authority,
            count: to.seq.saturating_sub(from.seq),
            from,
            to,
            from_reason: from_reason.to_owned(),
            exported_at,
            exported_by: exported_by.to_owned(),
        }
    }
}

pub(crate) mod hex_hash {
    use relais_core::journal::EntryHash;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(h: &EntryHash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&h.to_hex())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<EntryHash, D::Error> {
        let text = <&str>::deserialize(d)?;
        EntryHash::from_hex(text).ok_or_else(|| {
            serde::de::Error::custom("empreinte de 64 chiffres hexadécimaux attendue")
        })
    }
}

/// Writes the header line.
pub fn write_header(w: &mut dyn Write, header: &Header) -> io::Result<()> {
    serde_json::to_writer(&mut *w, header)?;
    w.write_all(b"\n")
}

/// An event line up to its `after`, which the caller writes next (a JSON value), then
/// [`end_event`].
#[derive(Debug, Clone, Serialize)]
struct Head<'a> {
    id: &'a str,
    seq: u64,
    at: &'a str,
    user: &'a str,
    kind: &'a str,
    entity: Option<&'a Entity>,
    payload: &'a str,
    prev: String,
    hash: String,
    before: Option<&'a serde_json::Value>,
}

/// One journal entry, as the export line begins.
#[derive(Debug, Clone, Copy)]
pub struct EventHead<'a> {
    pub id: &'a str,
    pub entry: &'a relais_core::journal::Entry,
    pub entity: Option<&'a Entity>,
    pub before: Option<&'a serde_json::Value>,
}

/// Writes the event line up to `"after":`.
pub fn begin_event(w: &mut dyn Write, e: &EventHead<'_>) -> io::Result<()> {
    let head = Head {
        id: e.id,
        seq: e.entry.seq,
        at: &e.entry.at,
        user: &e.entry.actor,
        kind: &e.entry.kind,
        entity: e.entity,
        payload: &e.entry.payload,
        prev: e.entry.prev.to_hex(),
        hash: e.entry.hash.to_hex(),
        before: e.before,
    };
    let mut text = serde_json::to_vec(&head)?;
    // `{…}` becomes `{…,"after":`.
    text.pop();
    w.write_all(&text)?;
    w.write_all(b",\"after\":")
}

/// Ends the event line after its `after`.
pub fn end_event(w: &mut dyn Write) -> io::Result<()> {
    w.write_all(b"}\n")
}

/// A JSON array written one item at a time (a validated run's lines, inside its `after`).
pub struct ArrayWriter {
    first: bool,
}

impl ArrayWriter {
    pub fn begin(w: &mut dyn Write) -> io::Result<ArrayWriter> {
        w.write_all(b"[")?;
        Ok(ArrayWriter { first: true })
    }

    pub fn item<T: Serialize>(&mut self, w: &mut dyn Write, item: &T) -> io::Result<()> {
        if !self.first {
            w.write_all(b",")?;
        }
        self.first = false;
        serde_json::to_writer(&mut *w, item)?;
        Ok(())
    }

    pub fn end(self, w: &mut dyn Write) -> io::Result<()> {
        w.write_all(b"]")
    }
}

#[cfg(test)]
mod tests;
