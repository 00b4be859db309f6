//! The statement's reference, which the transfer's remittance information names so that the
//! payee can match the money it receives with the statement that explains it.
//!
//! It must go through every bank unchanged: at most 35 characters (an `EndToEndId`, a PES
//! reference), letters, digits and `-` only (a subset of the EPC's SEPA character set that no
//! bank transliterates). The plain form reads as what it is, `EN-P2026-12-01-T0000123`; a
//! payee identifier that is too long or has other characters is replaced by a digest.

use sha2::{Digest, Sha256};

/// The longest reference: an ISO 20022 `Max35Text`.
pub const REFERENCE_MAX: usize = 35;

const PREFIX: &str = "EN-";
/// The most of the run's identifier a digested reference keeps, leaving 16 characters of
/// digest (80 bits: no two of a run's 400,000 payees meet, with any likelihood that counts).
const RUN_KEPT: usize = REFERENCE_MAX - PREFIX.len() - 1 - 16;

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// The reference of the statement of `payee_id` in the run `run`: `EN-{run}-{payee_id}` when
/// that is at most 34 characters of `[A-Za-z0-9-]`. Otherwise the run's allowed characters
/// (the first 15) and a digest of both, in Crockford base32, exactly 35 characters: always
/// longer than a plain reference, so the two forms never meet within a run.
pub fn statement_reference(run: &str, payee_id: &str) -> String {
    let run_part: String = run.chars().filter(|c| allowed(*c)).collect();
    let plain = format!("{PREFIX}{run_part}-{payee_id}");
    let clean = !payee_id.is_empty() && payee_id.chars().all(allowed);
    if clean && plain.len() < REFERENCE_MAX {
        return plain;
    }
    let kept: String = run_part.chars().take(RUN_KEPT).collect();
    // Both, length-prefixed: a run and a payee that would print alike once cleaned still differ.
    let mut hasher = Sha256::new();
    hasher.update((run.len() as u64).to_be_bytes());
    hasher.update(run.as_bytes());
    hasher.update(payee_id.as_bytes());
    let digest = base32::encode(base32::Alphabet::Crockford, &hasher.finalize());
    let room = REFERENCE_MAX - PREFIX.len() - kept.len() - 1;
    let digest: String = digest.chars().take(room).collect();
    format!("{PREFIX}{kept}-{digest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(r: &str) -> bool {
        r.len() <= REFERENCE_MAX && r.chars().all(allowed)
    }

    #[test]
    fn a_usual_payee_reads_plainly() {
        assert_eq!(
            statement_reference("P2026-12-01", "T0000123"),
            "EN-P2026-12-01-T0000123"
        );
        assert_eq!(
            statement_reference("P2026-12-01", "ETAB-75-0042"),
            "EN-P2026-12-01-ETAB-75-0042"
        );
    }

    #[test]
    fn odd_or_long_identifiers_are_digested() {
        let long = "T".repeat(40);
        for id in [
            "T 0000123",
            "tiers/45",
            "",
            "Élodie",
            long.as_str(),
            "T0000000001234567890",
        ] {
            let r = statement_reference("P2026-12-01", id);
            assert!(valid(&r), "{id:?} → {r:?}");
            assert_eq!(r.len(), REFERENCE_MAX, "{r}");
            assert!(r.starts_with("EN-P2026-12-01-"), "{r}");
        }
        assert_ne!(
            statement_reference("P2026-12-01", "T 1"),
            statement_reference("P2026-12-01", "T/1")
        );
        let run = "P2026-12-01/relance exceptionnelle n°2";
        let r = statement_reference(run, "T0000123");
        assert!(valid(&r), "{r}");
        assert_ne!(
            r,
            statement_reference("P2026-12-01relanceexcep", "T0000123")
        );
    }
}
