//! The CAF statement reader (docs/caf.md): what it accepts, every reject with its line,
//! column and code, the files it cannot read, and no panic whatever the bytes.

use proptest::prelude::*;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::ids::Nir;
use relais_formats::caf::{CafReadError, CafRejectedRow, CafRow, CafSink, read_caf_statement};
use relais_formats::extract::Unreadable;
use sha2::{Digest, Sha256};

#[derive(Default)]
struct Collect {
    rows: Vec<CafRow>,
    rejected: Vec<CafRejectedRow>,
}

impl CafSink for Collect {
    type Error = std::convert::Infallible;
    fn accept(&mut self, row: CafRow) -> Result<(), Self::Error> {
        self.rows.push(row);
        Ok(())
    }
    fn reject(&mut self, row: CafRejectedRow) -> Result<(), Self::Error> {
        self.rejected.push(row);
        Ok(())
    }
}

fn november() -> Month {
    Month::parse("2026-11").expect("month")
}

fn nir(first13: &str) -> Nir {
    Nir::from_first13(first13).expect("nir")
}

fn read(bytes: &[u8]) -> (relais_formats::caf::CafSummary, Collect) {
    let mut sink = Collect::default();
    let summary = match read_caf_statement(bytes, "caf.csv", november(), &mut sink) {
        Ok(s) => s,
        Err(CafReadError::Unreadable(u)) => panic!("unreadable: {u}"),
        Err(CafReadError::Sink(never)) => match never {},
    };
    (summary, sink)
}

fn unreadable(bytes: &[u8]) -> Unreadable {
    let mut sink = Collect::default();
    match read_caf_statement(bytes, "caf.csv", november(), &mut sink) {
        Err(CafReadError::Unreadable(u)) => u,
        other => panic!("expected unreadable, got {other:?}"),
    }
}

#[test]
fn reads_columns_in_any_order_with_either_decimal_mark() {
    let a = nir("1850578006048");
    let text = format!(
        "Mois;Montant;NIR;Allocataire;Dossier;Commentaire\n\
         2026-11;607,75;{a};1234567a;D0000001;rien\n\
         \n\
         2026-11;1 012.30;;7654321;;\n\
         2026-11;12,5;;X1;  ;\n"
    );
    let (summary, sink) = read(text.as_bytes());
    assert!(sink.rejected.is_empty(), "{:?}", sink.rejected);
    assert_eq!(summary.rows, 3);
    assert_eq!(summary.accepted, 3);
    assert_eq!(summary.total, Cents(60_775 + 101_230 + 1_250));
    assert_eq!(summary.separator, ';');
    assert_eq!(summary.encoding, "UTF-8");
    assert_eq!(summary.extra_columns, vec!["Commentaire".to_owned()]);
    assert_eq!(summary.sha256, hex::encode(Sha256::digest(text.as_bytes())));
    let first = &sink.rows[0];
    assert_eq!(first.line, 2);
    assert_eq!(first.allocataire, "1234567A");
    assert_eq!(first.nir.as_ref(), Some(&a));
    assert_eq!(first.dossier.as_deref(), Some("D0000001"));
    assert_eq!(first.amount, Cents(60_775));
    // The blank line counts: the next row is on line 4.
    assert_eq!(sink.rows[1].line, 4);
    assert_eq!(sink.rows[1].nir, None);
    assert_eq!(sink.rows[2].dossier, None);
    // A row in a log never shows its NIR.
    assert!(!format!("{first:?}").contains(a.as_str()));
}

#[test]
fn windows_1252_and_commas_without_optional_columns() {
    let bytes = b"allocataire,montant,mois,libell\xe9\r\n42,\"1 200,00\",2026-11,pr\xe9vu\r\n";
    let (summary, sink) = read(bytes);
    assert_eq!(summary.encoding, "windows-1252");
    assert_eq!(summary.separator, ',');
    assert_eq!(summary.extra_columns, vec!["libellé".to_owned()]);
    assert_eq!(sink.rows.len(), 1);
    assert_eq!(sink.rows[0].amount, Cents(120_000));
}

/// (line, column, field, code) of every problem, in order.
fn problems(rejected: &[CafRejectedRow]) -> Vec<(u64, Option<u32>, String, String)> {
    rejected
        .iter()
        .flat_map(|r| {
            r.problems
                .iter()
                .map(|p| (r.line, p.column, p.field.clone(), p.code.clone()))
        })
        .collect()
}

#[test]
fn every_bad_row_names_its_line_column_and_reason() {
    let good = nir("2850578006048");
    let mut bad = good.as_str().to_owned();
    bad.replace_range(13.., if good.key() == "00" { "01" } else { "00" });
    let text = format!(
        "allocataire;nir;montant;mois;dossier\n\
         A1;{bad};100,00;2026-11;\n\
         A2;;0;2026-11;\n\
         A3;;100,00;2026-10;\n\
         ;;100,00;2026-11;\n\
         A-5;;-3;2026-13;\n\
         A6;;12,345;2026-11;\n\
         A7;;10,00;2026-11;;;\n\
         A8;;10,00;2026-11;D8;x\n\
         A9;;10,00\n\
         A10;;10,00;2026-11;\n\
         a10;;11,00;2026-11;\n\
         ABCDEFGHIJKLMNOPQRSTU;;1;2026-11;\n"
    );
    let (summary, sink) = read(text.as_bytes());
    let col = Some;
    let expected: Vec<(u64, Option<u32>, String, String)> = [
        (2, col(2), "nir", "id_cle"),
        (3, col(3), "montant", "montant_negatif"),
        (4, col(4), "mois", "mois_different"),
        (5, col(1), "allocataire", "champ_obligatoire"),
        (6, col(1), "allocataire", "id_caractere"),
        (6, col(3), "montant", "montant_negatif"),
        (6, col(4), "mois", "mois_invalide"),
        (7, col(3), "montant", "montant_decimales"),
        (9, None, "", "colonnes"),
        (10, None, "", "colonnes"),
        (12, col(1), "allocataire", "doublon"),
        (13, col(1), "allocataire", "id_longueur"),
    ]
    .into_iter()
    .map(|(l, c, f, code)| (l, c, f.to_owned(), code.to_owned()))
    .collect();
    assert_eq!(problems(&sink.rejected), expected);
    // Trailing empty fields are no shift; line 11 (A10) is good.
    assert_eq!(
        sink.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        vec![8, 11]
    );
    assert_eq!(summary.rejected, 10);
    assert_eq!(summary.accepted, 2);
    assert_eq!(summary.total, Cents(2_000));
    // The duplicate names the first line; the allocataire is kept when readable.
    let dup = &sink.rejected[8];
    assert!(dup.problems[0].message_fr.contains("ligne 11"), "{dup:?}");
    assert_eq!(dup.allocataire.as_deref(), Some("A10"));
    assert_eq!(sink.rejected[3].allocataire, None);
    // Neither message repeats the NIR, good or bad.
    for row in &sink.rejected {
        for p in &row.problems {
            assert!(!p.message_fr.contains(&bad) && !p.message_en.contains(&bad));
            assert!(!p.message_fr.is_empty() && !p.message_en.is_empty());
        }
    }
}

#[test]
fn bytes_that_are_not_utf8_reject_their_row_only() {
    let mut bytes = "allocataire;montant;mois;dossier\nA1;10;2026-11;D1\n"
        .as_bytes()
        .to_vec();
    // A long valid start, so that the file is taken for UTF-8.
    for i in 0..5000 {
        bytes.extend_from_slice(format!("B{i};10;2026-11;D\n").as_bytes());
    }
    bytes.extend_from_slice(b"C1;10;2026-11;D\xe9\n");
    let (summary, sink) = read(&bytes);
    assert_eq!(summary.encoding, "UTF-8");
    assert_eq!(summary.accepted, 5001);
    assert_eq!(
        problems(&sink.rejected),
        vec![(5003, Some(4), "dossier".to_owned(), "encodage".to_owned())]
    );
}

#[test]
fn files_that_cannot_be_read() {
    let u = unreadable(b"allocataire;nir;dossier\nA1;;\n");
    assert_eq!(u.code, "colonne_manquante");
    assert!(u.message_fr.contains("montant, mois"), "{}", u.message_fr);
    let u = unreadable(b"allocataire;montant;Montant;mois\n");
    assert_eq!(u.code, "colonne_double");
    assert!(u.message_fr.contains("colonnes 2 et 3"), "{}", u.message_fr);
    assert_eq!(unreadable(b"").code, "fichier_illisible");
    assert_eq!(unreadable(b"\n \n;;\n").code, "fichier_illisible");
    assert_eq!(unreadable(b"PK\x03\x04\0\0").code, "fichier_illisible");
}

#[test]
fn a_sink_error_stops_the_reading() {
    struct Refuse(u32);
    impl CafSink for Refuse {
        type Error = &'static str;
        fn accept(&mut self, _: CafRow) -> Result<(), &'static str> {
            self.0 += 1;
            Err("full")
        }
        fn reject(&mut self, _: CafRejectedRow) -> Result<(), &'static str> {
            Ok(())
        }
    }
    let mut sink = Refuse(0);
    let text = b"allocataire;montant;mois\nA;1;2026-11\nB;1;2026-11\n";
    let r = read_caf_statement(&text[..], "caf.csv", november(), &mut sink);
    assert!(matches!(r, Err(CafReadError::Sink("full"))));
    assert_eq!(sink.0, 1);
}

/// Cells a statement row may hold, good and bad.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("2026-11".to_owned()),
        Just("285057800604877".to_owned()),
        "[A-Za-z0-9]{1,24}",
        "-?[0-9 ]{0,9}([,.][0-9]{0,3})?",
        "[\"; ,\\n\\r\\t€é]{0,4}",
        any::<String>(),
    ]
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut sink = Collect::default();
        let _ = read_caf_statement(&bytes[..], "caf.csv", november(), &mut sink);
    }

    #[test]
    fn random_rows_are_accepted_or_rejected_never_lost(
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..7), 0..40),
        tail in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut bytes = b"allocataire;nir;montant;mois;dossier\n".to_vec();
        for row in &rows {
            bytes.extend_from_slice(row.join(";").as_bytes());
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(&tail);
        let mut sink = Collect::default();
        if let Ok(summary) = read_caf_statement(&bytes[..], "caf.csv", november(), &mut sink) {
            prop_assert_eq!(summary.accepted, sink.rows.len() as u64);
            prop_assert_eq!(summary.rejected, sink.rejected.len() as u64);
            prop_assert_eq!(summary.rows, summary.accepted + summary.rejected);
            let total = Cents::checked_sum(sink.rows.iter().map(|r| r.amount));
            prop_assert_eq!(Some(summary.total), total);
            for r in &sink.rows {
                prop_assert!(r.amount.0 > 0);
                prop_assert!(!r.allocataire.is_empty() && r.allocataire.len() <= 20);
            }
            for r in &sink.rejected {
                prop_assert!(!r.problems.is_empty());
            }
        }
    }
}
