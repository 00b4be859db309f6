use super::*;

#[test]
fn digests_separate_parts() {
    assert_ne!(digest(&["ab", "c"]), digest(&["a", "bc"]));
    // Joined on the stack or in a String, the same digest.
    let long = "x".repeat(200);
    assert_eq!(
        digest(&[&long, "c"]),
        xxhash_rust::xxh3::xxh3_128(format!("{long}\u{1f}c").as_bytes())
    );
    assert_eq!(
        digest(&["R1", "2026-01"]),
        xxhash_rust::xxh3::xxh3_128("R1\u{1f}2026-01".as_bytes())
    );
    assert_eq!(digest(&["a", "b", "c"]), digest(&["a\u{1f}b", "c"]));
    assert_eq!(digest(&["D1"]), digest(&["D1"]));
    assert_ne!(digest(&["D1"]), digest(&["D2"]));
}

#[test]
fn months_in_keys() {
    assert!(is_canonical_month("2026-03"));
    assert!(!is_canonical_month("2026-3"));
    assert!(!is_canonical_month("2026/03"));
    assert_eq!(
        key_part(Entity::Paiements, schema::paiements::MOIS, "2026-03"),
        "2026-03"
    );
}

#[test]
fn siret_keys_are_canonical() {
    assert_eq!(siret_key("732 829 320 00074"), "73282932000074");
    assert_eq!(siret_key("pas un siret"), "pas un siret");
}

fn budgets() -> [Budget; 3] {
    let budget = |chunk_bytes, fan_in| Budget {
        chunk_bytes,
        fan_in,
        dir: None,
    };
    [budget(48, 2), budget(200, 3), budget(1 << 20, 64)]
}

fn all<T: Fixed>(s: &Sorted<T>) -> Vec<T> {
    let mut m = s.iter().expect("iter");
    let mut out = Vec::new();
    while let Some(r) = m.next().expect("next") {
        out.push(r);
    }
    out
}

fn sorter_of<T: Fixed>(records: &[T], budget: &Budget) -> Sorter<T> {
    let mut s = Sorter::new(budget);
    for &r in records {
        s.push(r).expect("push");
    }
    s
}

#[test]
fn duplicates_name_each_other() {
    for budget in budgets() {
        // Key 7 on lines 3, 5, 9; key 8 on line 2 alone; key 6 on lines 4 and 10.
        let keys = [(7, 5), (8, 2), (7, 3), (6, 10), (7, 9), (6, 4)]
            .map(|(d, line)| KeyLine::new(d, line));
        let (dups, kept) =
            duplicates(sorter_of(&keys, &budget), true, &budget).expect("duplicates");
        assert_eq!(all(&kept), vec![6, 7, 8]);
        let dups = all(&dups);
        let seen: Vec<(u64, Vec<u64>, usize)> = dups
            .iter()
            .map(|r| {
                let o = r.others();
                (r.line, o.lines, o.count)
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (3, vec![5, 9], 2),
                (4, vec![10], 1),
                (5, vec![3, 9], 2),
                (9, vec![3, 5], 2),
                (10, vec![4], 1),
            ]
        );
        let (_, kept) = duplicates(sorter_of(&keys, &budget), false, &budget).expect("duplicates");
        assert!(all(&kept).is_empty());
    }
}

#[test]
fn a_key_on_very_many_rows_names_the_first_ones() {
    for budget in budgets() {
        let keys: Vec<KeyLine> = (2..2000).rev().map(|l| KeyLine::new(42, l)).collect();
        let (dups, _) = duplicates(sorter_of(&keys, &budget), false, &budget).expect("duplicates");
        let dups = all(&dups);
        assert_eq!(dups.len(), 1998);
        assert!(dups.iter().zip(2..).all(|(r, l)| r.line == l));
        let first = dups.first().expect("first").others();
        assert_eq!((first.lines, first.count), (vec![3, 4, 5, 6, 7, 8], 1997));
        let fifth = dups.get(4).expect("fifth").others();
        assert_eq!(fifth.lines, vec![2, 3, 4, 5, 7, 8]);
        let last = dups.last().expect("last").others();
        assert_eq!((last.lines, last.count), (vec![2, 3, 4, 5, 6, 7], 1997));
    }
}

#[test]
fn references_are_accepted_rejected_or_unknown() {
    for budget in budgets() {
        let table = Table::new(
            sorter_of(&[3u128, 1, 2], &budget).finish().expect("keys"),
            sorter_of(&[2u128, 2], &budget).finish().expect("rejected"),
        );
        let refs = [
            (1, 10),
            (2, 11),
            (4, 12),
            (2, 13),
            (0, 14),
            (3, 15),
            (9, 16),
        ]
        .map(|(d, line)| KeyLine::new(d, line));
        let mut answers = Sorter::new(&budget);
        let refs = sorter_of(&refs, &budget).finish().expect("refs");
        join(refs, &table, 1, &mut answers).expect("join");
        let got: Vec<(u64, u8, Lookup)> = all(&answers.finish().expect("answers"))
            .iter()
            .map(|a| (a.line, a.slot, a.lookup()))
            .collect();
        use Lookup::*;
        assert_eq!(
            got,
            vec![
                (11, 1, Rejected),
                (12, 1, Unknown),
                (13, 1, Rejected),
                (14, 1, Unknown),
                (16, 1, Unknown)
            ]
        );
        // An empty table: every reference is unknown.
        let refs = sorter_of(&[KeyLine::new(1, 3)], &budget)
            .finish()
            .expect("refs");
        let mut answers = Sorter::new(&budget);
        join(refs, &Table::default(), 0, &mut answers).expect("join");
        let got = all(&answers.finish().expect("answers"));
        assert_eq!(
            got.iter().map(Answer::lookup).collect::<Vec<_>>(),
            vec![Unknown]
        );
    }
}

#[test]
fn records_read_back_as_written() {
    let k = KeyLine::new(u128::MAX - 5, 77);
    let mut b = Vec::new();
    k.put(&mut b);
    assert_eq!((b.len(), KeyLine::get(&b)), (KeyLine::SIZE, k));
    assert_eq!(k.digest(), u128::MAX - 5);
    let d = DupRow {
        line: 9,
        others: 3,
        first: [1, 2, 9, 12, 0, 0, 0],
    };
    let mut b = Vec::new();
    d.put(&mut b);
    assert_eq!((b.len(), DupRow::get(&b)), (DupRow::SIZE, d));
    let a = Answer {
        line: 1 << 40,
        slot: 1,
        verdict: 2,
    };
    let mut b = Vec::new();
    a.put(&mut b);
    assert_eq!((b.len(), Answer::get(&b)), (Answer::SIZE, a));
    // Sorted by digest then line, as the u128 and the line would be.
    assert!(KeyLine::new(1 << 64, 1) > KeyLine::new((1 << 64) - 1, 2));
    assert!(KeyLine::new(5, 1) < KeyLine::new(5, 2));
}

#[test]
fn checksums_tell_rows_apart() {
    let mut a = Fold::default();
    a.row();
    a.key(2, 7);
    let mut b = Fold::default();
    b.row();
    b.key(3, 7);
    assert_ne!(a, b);
    let mut c = Fold::default();
    c.row();
    c.reference(2, 0, 7);
    assert_ne!(a, c);
}
