//! Whatever the bytes, the reader never panics, and every data row ends up accepted or
//! rejected exactly once.

use crate::support::*;
use proptest::prelude::*;
use relais_formats::extract::{Entity, MemorySource};

/// Rows built from pieces that look like CSV: separators, quotes, line ends, accents, bytes
/// that are not UTF-8.
fn messy_text() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b";".to_vec()),
        Just(b",".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b" ".to_vec()),
        Just("é".as_bytes().to_vec()),
        Just(vec![0xE9]),
        Just(vec![0xC3]),
        Just(b"D1".to_vec()),
        Just(b"01/02/1950".to_vec()),
        Just(b"512,30".to_vec()),
        Just(IBAN.as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 0..4),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn never_panics_and_counts_every_row(
        benef_body in messy_text(),
        droits_body in messy_text(),
        raw in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut benef = format!("{BENEF}\n").into_bytes();
        benef.extend(benef_body);
        let mut droits = format!("{DROITS}\n").into_bytes();
        droits.extend(droits_body);
        let source = MemorySource::new()
            .with("annuaire.csv", raw)
            .with("beneficiaires.csv", benef)
            .with("droits.csv", droits);
        let r = read(&source);
        for s in &r.outcome.files {
            prop_assert_eq!(s.rows, s.accepted + s.rejected);
            let handed = r.accepted(s.entity).len() + r.rejected(s.entity).len();
            prop_assert_eq!(handed as u64, s.rows);
        }
        for row in r.rejected(Entity::Beneficiaires).iter().chain(&r.rejected(Entity::Droits)) {
            prop_assert!(!row.problems.is_empty());
        }
    }
}
