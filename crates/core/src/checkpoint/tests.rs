use super::*;

fn hash(n: u8) -> EntryHash {
    EntryHash([n; 32])
}

fn line(seq: u64, h: u8) -> CheckpointLine {
    CheckpointLine {
        seq,
        hash: hash(h),
        at: "2026-12-06T09:00:00Z".into(),
        reason: Reason::Hourly,
        siret: "21770001500019".into(),
    }
}

fn found(seq: u64, h: u8, signature_valid: bool) -> Found {
    Found {
        line: line(seq, h),
        signature_valid,
    }
}

/// A journal of `n` entries whose entry `k` has hash `k`, but for `changed` from which on
/// the hashes are another chain's (a rewrite from that entry).
fn journal(n: u64, changed: Option<u64>) -> impl FnMut(u64) -> Result<Option<EntryHash>, ()> {
    move |seq| {
        Ok((seq <= n).then(|| match changed {
            Some(c) if seq >= c => hash(200),
            _ => hash(seq as u8),
        }))
    }
}

#[test]
fn the_line_reads_back_and_only_in_its_one_spelling() {
    let l = line(42, 7);
    let text = l.to_line();
    assert!(
        text.starts_with("relais-checkpoint/1 seq=42 hash=0707"),
        "{text}"
    );
    assert_eq!(CheckpointLine::parse(&text), Ok(l));
    for bad in [
        text.replace("seq=42", "seq=042"),
        text.replace("seq=42", "seq=0"),
        text.replace(" at=", "  at="),
        text.replace("reason=hourly", "reason=daily"),
        format!("{text} extra=1"),
        text.replace("relais-checkpoint/1", "relais-checkpoint/2"),
        text.replace("hash=07", "hash=zz"),
        String::new(),
    ] {
        assert!(CheckpointLine::parse(&bad).is_err(), "{bad}");
    }
}

#[test]
fn an_untouched_journal_matches_every_checkpoint_counted_once() {
    let found = [found(3, 3, true), found(10, 10, true), found(3, 3, true)];
    let j = judge(&found, journal(12, None)).expect("judged");
    assert!(j.intact());
    assert_eq!(j.matched, 2);
    assert_eq!(j.last_valid.map(|l| l.seq), Some(10));
}

#[test]
fn a_rewritten_chain_is_named_from_the_first_entry_after_the_last_valid_checkpoint() {
    // Entries rewritten from 7 on, the chain recomputed: the checkpoint at 10 no longer
    // matches; the one at 5 still does: from entry 6 on, the journal is not the one signed.
    let found = [found(5, 5, true), found(10, 10, true), found(12, 12, true)];
    let j = judge(&found, journal(12, Some(7))).expect("judged");
    let broken = j.broken.expect("broken");
    assert_eq!(broken.first_unmatched, 6);
    assert_eq!(broken.checkpoint.seq, 10);
    assert!(!broken.missing);
    assert_eq!(j.matched, 1);
}

#[test]
fn a_journal_cut_short_misses_a_signed_entry() {
    let found = [found(5, 5, true), found(10, 10, true)];
    let j = judge(&found, journal(8, None)).expect("judged");
    let broken = j.broken.expect("broken");
    assert!(broken.missing);
    assert_eq!(broken.first_unmatched, 6);
}

#[test]
fn a_checkpoint_whose_signature_fails_proves_nothing_and_is_reported() {
    // A forged checkpoint (its signature fails) that would match a rewritten journal.
    let found = [found(5, 5, true), found(9, 200, false)];
    let j = judge(&found, journal(12, Some(7))).expect("judged");
    assert!(!j.intact());
    assert_eq!(j.bad_signatures, vec![9]);
    assert!(j.broken.is_none());
    assert_eq!(j.last_valid.map(|l| l.seq), Some(5));
}

#[test]
fn with_no_valid_checkpoint_the_whole_journal_is_unvouched() {
    let j = judge(&[found(4, 9, true)], journal(6, None)).expect("judged");
    assert_eq!(j.broken.expect("broken").first_unmatched, 1);
}
