//! Signed checkpoints of the journal (issue #24): the one line a checkpoint signs, and what a
//! set of checkpoints, their signatures checked, says of a journal. Anyone who can write the
//! database can rewrite the hash chain from the first altered entry on; a checkpoint signed
//! with a key the database does not hold pins the chain at its entry: an entry at or before it
//! cannot change without the checkpoint's hash no longer matching.
//!
//! The line, also the signature's trusted comment (`minisign -V` prints it):
//! `relais-checkpoint/1 seq=42 hash=<64 hex> at=2026-12-06T09:00:00Z reason=hourly siret=…`.

use crate::journal::EntryHash;
use std::fmt;

/// The line's format, first on the line.
pub const FORMAT: &str = "relais-checkpoint/1";

/// Why a checkpoint was signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A payment run validated.
    RunValidated,
    /// Files exported (a run's, the journal's).
    Export,
    /// At least hourly while entries are written.
    Hourly,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::RunValidated => "run_validated",
            Reason::Export => "export",
            Reason::Hourly => "hourly",
        }
    }

    fn from_code(code: &str) -> Option<Reason> {
        [Reason::RunValidated, Reason::Export, Reason::Hourly]
            .into_iter()
            .find(|r| r.code() == code)
    }

    /// In French, for agents.
    pub fn label(self) -> &'static str {
        match self {
            Reason::RunValidated => "validation d'un paiement",
            Reason::Export => "export",
            Reason::Hourly => "horaire",
        }
    }
}

/// What a checkpoint signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointLine {
    pub seq: u64,
    pub hash: EntryHash,
    /// RFC 3339 instant (UTC) of the signature.
    pub at: String,
    pub reason: Reason,
    /// The authority's SIRET.
    pub siret: String,
}

/// Why a line is not a checkpoint's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError(pub String);

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl CheckpointLine {
    pub fn to_line(&self) -> String {
        format!(
            "{FORMAT} seq={} hash={} at={} reason={} siret={}",
            self.seq,
            self.hash.to_hex(),
            self.at,
            self.reason.code(),
            self.siret
        )
    }

    /// Reads a line as [`CheckpointLine::to_line`] writes it, and only so: any other spelling
    /// is refused, so that one checkpoint has one line.
    pub fn parse(line: &str) -> Result<CheckpointLine, LineError> {
        let err = |what: &str| LineError(format!("ligne de point de contrôle illisible : {what}"));
        let mut words = line.split(' ');
        if words.next() != Some(FORMAT) {
            return Err(err("format inconnu"));
        }
        let mut field = |name: &str| {
            words
                .next()
                .and_then(|w| w.strip_prefix(name))
                .and_then(|w| w.strip_prefix('='))
                .filter(|v| !v.is_empty())
                .ok_or_else(|| err(&format!("champ {name} attendu")))
        };
        let seq = field("seq")?;
        let hash = field("hash")?;
        let at = field("at")?.to_owned();
        let reason = field("reason")?;
        let siret = field("siret")?.to_owned();
        if words.next().is_some() {
            return Err(err("champ en trop"));
        }
        let parsed = CheckpointLine {
            seq: seq
                .parse()
                .ok()
                .filter(|s| *s >= 1)
                .ok_or_else(|| err("seq"))?,
            hash: EntryHash::from_hex(hash).ok_or_else(|| err("hash"))?,
            at,
            reason: Reason::from_code(reason).ok_or_else(|| err("reason"))?,
            siret,
        };
        if parsed.to_line() != line {
            return Err(err("écriture non canonique"));
        }
        Ok(parsed)
    }
}

/// A checkpoint found (in the store, in the data folder's file, in an export), its signature
/// checked by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub line: CheckpointLine,
    pub signature_valid: bool,
}

/// What the checkpoints say of the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// Checkpoints whose signature holds and whose entry still has the signed hash.
    pub matched: usize,
    /// The last of them.
    pub last_valid: Option<CheckpointLine>,
    /// The first checkpoint, signature valid, that the journal no longer matches.
    pub broken: Option<Broken>,
    /// Entries named by checkpoints whose signature does not hold (altered files or rows).
    pub bad_signatures: Vec<u64>,
}

/// A validly signed checkpoint that the journal no longer matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The first entry after the last valid checkpoint: from it on, the journal is no longer
    /// the one that was signed.
    pub first_unmatched: u64,
    pub checkpoint: CheckpointLine,
    /// The journal has no entry `checkpoint.seq` any more (its end was removed).
    pub missing: bool,
}

impl Judgement {
    pub fn intact(&self) -> bool {
        self.broken.is_none() && self.bad_signatures.is_empty()
    }
}

/// Judges the journal by `found` (in any order, repeats allowed): `hash_at(seq)` is the hash
/// of the journal's entry `seq`, none when it has no such entry.
pub fn judge<E>(
    found: &[Found],
    mut hash_at: impl FnMut(u64) -> Result<Option<EntryHash>, E>,
) -> Result<Judgement, E> {
    let mut sorted: Vec<&Found> = found.iter().collect();
    sorted.sort_by_key(|f| f.line.seq);
    let mut judgement = Judgement {
        matched: 0,
        last_valid: None,
        broken: None,
        bad_signatures: Vec::new(),
    };
    for f in sorted {
        if !f.signature_valid {
            if judgement.bad_signatures.last() != Some(&f.line.seq) {
                judgement.bad_signatures.push(f.line.seq);
            }
            continue;
        }
        if judgement.broken.is_some() {
            continue;
        }
        match hash_at(f.line.seq)? {
            Some(h) if h == f.line.hash => {
                // The same entry's checkpoint found twice (store and file) counts once.
                if judgement.last_valid.as_ref().map(|l| l.seq) != Some(f.line.seq) {
                    judgement.matched += 1;
                }
                judgement.last_valid = Some(f.line.clone());
            }
            found_hash => {
                judgement.broken = Some(Broken {
                    first_unmatched: judgement.last_valid.as_ref().map_or(1, |l| l.seq + 1),
                    checkpoint: f.line.clone(),
                    missing: found_hash.is_none(),
                });
            }
        }
    }
    Ok(judgement)
}

#[cfg(test)]
mod tests;
