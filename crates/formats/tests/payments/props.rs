//! Random Unicode names and addresses always give files valid against the XSD, that pass our
//! checks. Cases are written first and validated in two `xmllint` runs (one per schema), so
//! that 64 cases cost two schema loads.

use crate::support::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use relais_formats::payments::model::{Bordereau, Piece, Totals, Transfer};
use relais_formats::payments::{check_pain001, check_pes};
use std::cell::RefCell;
use std::path::PathBuf;

/// Any characters (controls, emoji, CJK, non-characters), and the texts PES forbids or the
/// banks dislike.
fn wild_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(any::<char>(), 0..60).prop_map(String::from_iter),
        2 => "\\PC{0,150}",
        1 => "[ .0nNcC]{0,3}",
        1 => "[&<>\"'_ ’€Œœ]{0,6}",
    ]
}

#[derive(Debug, Clone)]
struct Person {
    civility: String,
    last: String,
    first: String,
    lines: [String; 3],
    city: String,
    holder: String,
    label: String,
    cents: i64,
    abroad: usize,
}

fn person() -> impl Strategy<Value = Person> {
    (
        (wild_text(), wild_text(), wild_text()),
        (wild_text(), wild_text(), wild_text(), wild_text()),
        (wild_text(), wild_text()),
        (1i64..=99_999_999_999, 0usize..=IBANS_ABROAD.len()),
    )
        .prop_map(
            |((civility, last, first), (l1, l2, l3, city), (holder, label), (cents, abroad))| {
                Person {
                    civility,
                    last,
                    first,
                    lines: [l1, l2, l3],
                    city,
                    holder,
                    label,
                    cents,
                    abroad,
                }
            },
        )
}

fn account(p: &Person) -> (&'static str, Option<&'static str>) {
    match IBANS_ABROAD.get(p.abroad) {
        Some((iban, bic)) => (iban, Some(bic)),
        None => (IBAN_FR, None),
    }
}

fn pes_piece(seq: u32, p: &Person) -> Piece {
    let (iban, bic) = account(p);
    let mut payee = payee(&p.last, &p.first, iban, bic);
    payee.civility = p.civility.clone();
    payee.reference = p.label.clone();
    if let Some(a) = payee.address.as_mut() {
        [a.line1, a.line2, a.line3] = p.lines.clone();
        a.city = p.city.clone();
    }
    if let Some(b) = payee.bank.as_mut() {
        b.holder = p.holder.clone();
    }
    let mut piece = piece(seq, p.cents, payee);
    piece.object = p.label.repeat(4);
    if let Some(line) = piece.lines.first_mut() {
        line.transfer_label = p.label.clone();
    }
    piece
}

fn sepa_transfer(seq: u32, p: &Person) -> Transfer {
    let (iban, bic) = account(p);
    let mut t = transfer(seq, p.cents.min(99_999_999_999), &p.last, iban, bic);
    t.remittance = format!("{}{}", p.label, p.lines.concat());
    t
}

#[test]
fn random_unicode_gives_valid_files() {
    let dir = temp_dir();
    let pes_files = RefCell::new(Vec::<(PathBuf, String)>::new());
    let pain_files = RefCell::new(Vec::<(PathBuf, String)>::new());
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&prop::collection::vec(person(), 1..4), |people| {
        let n = pes_files.borrow().len();
        let pieces: Vec<Piece> = people
            .iter()
            .zip(1..)
            .map(|(p, seq)| pes_piece(seq, p))
            .collect();
        let b: Bordereau = bordereau(1);
        let pes = write_pes(&[(b, pieces)]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let checked = check_pes(pes.as_slice()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(checked.totals().count, people.len() as u64);

        let transfers: Vec<Transfer> = people
            .iter()
            .zip(1..)
            .map(|(p, seq)| sepa_transfer(seq, p))
            .collect();
        let pain = write_pain(&transfers).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut expected = Totals::default();
        for t in &transfers {
            expected
                .add_transfer(t)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        prop_assert_eq!(check_pain001(pain.as_slice()), Ok(expected));

        let input = format!("{people:#?}");
        pes_files.borrow_mut().push((
            save(dir.path(), &format!("pes{n}.xml"), &pes),
            input.clone(),
        ));
        pain_files
            .borrow_mut()
            .push((save(dir.path(), &format!("pain{n}.xml"), &pain), input));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    for (xsd, files) in [
        (PES_XSD, pes_files.into_inner()),
        (PAIN_XSD, pain_files.into_inner()),
    ] {
        assert_eq!(files.len(), 64);
        let paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
        let (valid, report) = run_xmllint(xsd, &paths);
        if !valid {
            let inputs: Vec<&String> = files
                .iter()
                .filter(|(p, _)| {
                    report.contains(&*p.to_string_lossy())
                        && !report.contains(&format!("{} validates", p.display()))
                })
                .map(|(_, input)| input)
                .collect();
            panic!("xmllint against {xsd}:\n{report}\ninputs of the invalid files:\n{inputs:#?}");
        }
    }
}

proptest! {
    #![proptest_config(Config { cases: 256, failure_persistence: None, ..Config::default() })]

    /// A folded PES text holds only printable Latin-1, fits, has no space at either end nor
    /// two in a row, and is none of the values PES forbids.
    #[test]
    fn pes_texts_fit(text in wild_text(), max in 1usize..=100) {
        if let Some(t) = relais_formats::payments::text::pes_text(&text, max) {
            prop_assert!(t.chars().count() <= max);
            let printable = |c: char| matches!(c, ' '..='~' | '\u{a1}'..='\u{ac}' | '\u{ae}'..='\u{ff}');
            prop_assert!(t.chars().all(printable));
            prop_assert!(!t.starts_with(' ') && !t.ends_with(' ') && !t.contains("  "));
            prop_assert!(t != "." && !t.eq_ignore_ascii_case("nc") && !t.chars().all(|c| c == '0'));
        }
    }

    /// A folded EPC text holds only the EPC set and fits.
    #[test]
    fn epc_texts_fit(text in wild_text(), max in 1usize..=140) {
        if let Some(t) = relais_formats::payments::text::epc_text(&text, max) {
            prop_assert!(t.len() <= max);
            prop_assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-?:().,'+ ".contains(&b)));
            prop_assert!(!t.starts_with(' ') && !t.ends_with(' ') && !t.contains("  "));
        }
    }

    /// The checks read any bytes without panicking: a written file with one byte changed.
    #[test]
    fn checks_never_panic(at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let pes = write_pes(&[(bordereau(1), vec![piece(1, 100, payee("Martin", "Jeanne", IBAN_FR, None))])]);
        let pain = write_pain(&[transfer(1, 100, "Jeanne Martin", IBAN_FR, None)]);
        for mut bytes in [pes, pain].into_iter().flatten() {
            let i = at.index(bytes.len());
            if let Some(b) = bytes.get_mut(i) {
                *b = byte;
            }
            let _ = check_pes(bytes.as_slice());
            let _ = check_pain001(bytes.as_slice());
        }
    }
}
