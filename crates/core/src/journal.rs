//! The journal's hash chain: each entry's hash covers the previous entry's hash and every field
//! of the entry, so that altering, removing or reordering any stored entry breaks the chain
//! from that entry on (docs/domain.md, "Product rules the code cites").

use sha2::{Digest, Sha256};
use std::fmt;

/// A SHA-256 digest of a journal entry.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntryHash(pub [u8; 32]);

impl EntryHash {
    /// The "previous hash" of the first entry.
    pub const GENESIS: EntryHash = EntryHash([0; 32]);

    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(s: &str) -> Option<EntryHash> {
        let bytes = hex::decode(s).ok()?;
        Some(EntryHash(bytes.try_into().ok()?))
    }
}

impl fmt::Debug for EntryHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// One entry of the journal, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1, 2, 3… without gaps.
    pub seq: u64,
    /// RFC 3339 instant (UTC) at which the change was committed.
    pub at: String,
    /// Login of the user who acted.
    pub actor: String,
    /// What happened, e.g. `import`, `user.add`.
    pub kind: String,
    /// The event's facts, as canonical JSON.
    pub payload: String,
    pub prev: EntryHash,
    pub hash: EntryHash,
}

/// The hash of an entry with these fields that follows `prev`. Fields are length-prefixed, so
/// no two different entries serialize alike.
pub fn entry_hash(
    prev: &EntryHash,
    seq: u64,
    at: &str,
    actor: &str,
    kind: &str,
    payload: &str,
) -> EntryHash {
    let mut h = Sha256::new();
    h.update(b"relais-journal-v1");
    h.update(prev.0);
    h.update(seq.to_be_bytes());
    for field in [at, actor, kind, payload] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    EntryHash(h.finalize().into())
}

/// What is wrong with a journal, naming the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error(
        "entrée n° {found} trouvée là où l'entrée n° {expected} était attendue (entrée supprimée ou déplacée)"
    )]
    Sequence { expected: u64, found: u64 },
    #[error(
        "entrée n° {seq} : elle ne suit pas l'entrée précédente (entrée précédente supprimée, modifiée ou déplacée)"
    )]
    Link { seq: u64 },
    #[error("entrée n° {seq} : son contenu a été modifié (empreinte fausse)")]
    Content { seq: u64 },
    #[error(
        "le journal s'arrête à l'entrée n° {last} alors que sa tête enregistrée est l'entrée n° {head} (entrées finales supprimées)"
    )]
    Truncated { last: u64, head: u64 },
    #[error("la dernière entrée (n° {seq}) ne correspond pas à la tête enregistrée du journal")]
    Head { seq: u64 },
}

impl ChainError {
    pub fn message_en(&self) -> String {
        match self {
            ChainError::Sequence { expected, found } => {
                format!(
                    "entry {found} found where entry {expected} was expected (entry removed or moved)"
                )
            }
            ChainError::Link { seq } => format!("entry {seq} does not follow the previous entry"),
            ChainError::Content { seq } => format!("entry {seq} was altered (hash mismatch)"),
            ChainError::Truncated { last, head } => {
                format!("journal ends at entry {last} but its recorded head is entry {head}")
            }
            ChainError::Head { seq } => {
                format!("last entry {seq} does not match the recorded head")
            }
        }
    }
}

/// Checks entries one by one, in the order read from the store.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: u64,
    prev: EntryHash,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev: EntryHash::GENESIS,
        }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, e: &Entry) -> Result<(), ChainError> {
        if e.seq != self.expected_seq {
            return Err(ChainError::Sequence {
                expected: self.expected_seq,
                found: e.seq,
            });
        }
        if e.prev != self.prev {
            return Err(ChainError::Link { seq: e.seq });
        }
        if entry_hash(&e.prev, e.seq, &e.at, &e.actor, &e.kind, &e.payload) != e.hash {
            return Err(ChainError::Content { seq: e.seq });
        }
        self.expected_seq += 1;
        self.prev = e.hash;
        Ok(())
    }

    /// Ends the check against the head recorded beside the journal (seq, hash).
    pub fn finish(self, head: Option<(u64, EntryHash)>) -> Result<u64, ChainError> {
        let last = self.expected_seq - 1;
        if let Some((head_seq, head_hash)) = head {
            if last < head_seq {
                return Err(ChainError::Truncated {
                    last,
                    head: head_seq,
                });
            }
            if last != head_seq || head_hash != self.prev {
                return Err(ChainError::Head { seq: last });
            }
        }
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u64) -> Vec<Entry> {
        let mut prev = EntryHash::GENESIS;
        (1..=n)
            .map(|seq| {
                let (at, actor, kind, payload) = (
                    "2026-11-22T08:00:00Z",
                    "admin",
                    "test",
                    format!("{{\"n\":{seq}}}"),
                );
                let hash = entry_hash(&prev, seq, at, actor, kind, &payload);
                let e = Entry {
                    seq,
                    at: at.into(),
                    actor: actor.into(),
                    kind: kind.into(),
                    payload,
                    prev,
                    hash,
                };
                prev = hash;
                e
            })
            .collect()
    }

    fn verify(entries: &[Entry], head: Option<(u64, EntryHash)>) -> Result<u64, ChainError> {
        let mut v = ChainVerifier::default();
        for e in entries {
            v.push(e)?;
        }
        v.finish(head)
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        let head = (5, c[4].hash);
        assert_eq!(verify(&c, Some(head)), Ok(5));
    }

    #[test]
    fn altered_payload_is_named() {
        let mut c = chain(5);
        c[2].payload = "{\"n\":99}".into();
        assert_eq!(verify(&c, None), Err(ChainError::Content { seq: 3 }));
    }

    #[test]
    fn removed_entry_is_named() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            verify(&c, None),
            Err(ChainError::Sequence {
                expected: 2,
                found: 3
            })
        );
    }

    #[test]
    fn reordered_entries_are_named() {
        let mut c = chain(5);
        c.swap(1, 2);
        assert_eq!(
            verify(&c, None),
            Err(ChainError::Sequence {
                expected: 2,
                found: 3
            })
        );
    }

    #[test]
    fn renumbered_after_removal_is_caught_by_the_link() {
        let mut c = chain(5);
        c.remove(1);
        for (i, e) in c.iter_mut().enumerate() {
            e.seq = i as u64 + 1;
        }
        assert_eq!(verify(&c, None), Err(ChainError::Link { seq: 2 }));
    }

    #[test]
    fn removed_tail_is_caught_by_the_head() {
        let c = chain(5);
        let head = (5, c[4].hash);
        assert_eq!(
            verify(&c[..4], Some(head)),
            Err(ChainError::Truncated { last: 4, head: 5 })
        );
    }
}
