//! Input quirks of real exports that must be read without help.

use crate::support::*;
use relais_core::records::Record;
use relais_formats::extract::{Entity, MemorySource};

fn beneficiary(r: &Read, line: u64) -> relais_core::records::Beneficiary {
    match r
        .accepted(Entity::Beneficiaires)
        .into_iter()
        .find(|(l, _)| *l == line)
    {
        Some((_, Record::Beneficiary(b))) => b,
        other => panic!(
            "no beneficiary at line {line}: {other:?} in {:#?}",
            r.events
        ),
    }
}

fn right_amounts(r: &Read) -> Vec<i64> {
    r.accepted(Entity::Droits)
        .into_iter()
        .filter_map(|(_, rec)| match rec {
            Record::Right(d) => Some(d.monthly_amount.0),
            _ => None,
        })
        .collect()
}

/// People and their rights, with `sep` between fields; the amount is quoted when the
/// separator is a comma (a decimal comma would split the field otherwise).
fn people_and_rights(sep: &str) -> MemorySource {
    let amount = if sep == "," { "\"512,30\"" } else { "512,30" };
    let benef = format!(
        "{}\n{}\n",
        BENEF.replace(';', sep),
        benef_row("D1").replace(';', sep)
    );
    let tiers = format!(
        "{}\n{}\n",
        TIERS.replace(';', sep),
        tiers_row("T1").replace(';', sep)
    );
    let droits = format!(
        "{}\n{}\n",
        DROITS.replace(';', sep),
        [
            "R1",
            "D1",
            "APA_DOM",
            amount,
            "01/01/2025",
            "31/12/2026",
            "en_paiement",
            "T1",
            "6514"
        ]
        .join(sep)
    );
    MemorySource::new()
        .with("beneficiaires.csv", benef)
        .with("tiers.csv", tiers)
        .with("droits.csv", droits)
}

#[test]
fn semicolon_comma_and_tab_separators_are_detected() {
    for (sep, shown) in [(";", ';'), (",", ','), ("\t", '\t')] {
        let r = read(&people_and_rights(sep));
        assert_eq!(
            r.accepted_lines(Entity::Beneficiaires),
            vec![2],
            "{sep:?}: {:#?}",
            r.events
        );
        assert_eq!(right_amounts(&r), vec![51230], "{sep:?}: {:#?}", r.events);
        assert_eq!(r.summary(Entity::Droits).separator, shown);
    }
}

#[test]
fn separator_is_detected_outside_quotes_only() {
    // More commas inside the quoted header than semicolons outside: still `;`.
    let note = format!("note{}", ", x".repeat(20));
    let header = format!("{BENEF};\"{note}\"");
    let row = format!("{};\"a, b, c\"", benef_row("D1"));
    let source = MemorySource::new().with("beneficiaires.csv", format!("{header}\n{row}\n"));
    let r = read(&source);
    assert_eq!(r.summary(Entity::Beneficiaires).separator, ';');
    assert_eq!(beneficiary(&r, 2).extra, vec![(note, "a, b, c".to_owned())]);
}

#[test]
fn utf8_bom_is_removed_before_the_first_header() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(csv(BENEF, &[benef_row("D1")]));
    let r = read(&MemorySource::new().with("beneficiaires.csv", bytes));
    // Without stripping, the first column would be `\u{feff}dossier` and missing.
    assert_eq!(r.beneficiaries_ok(), 1, "{:#?}", r.events);
    assert_eq!(r.summary(Entity::Beneficiaires).encoding, "UTF-8 (BOM)");
    assert_eq!(beneficiary(&r, 2).dossier, "D1");
}

#[test]
fn windows_1252_accents_are_decoded() {
    // `Prénom` in the header and `Lefèvre Zoé` in a row, as Windows-1252 bytes (é = E9, è = E8).
    let mut bytes = BENEF.replace("prenom", "Pr\u{e9}nom").into_bytes();
    bytes = encode_1252(&String::from_utf8(bytes).expect("utf8"));
    bytes.extend_from_slice(b"\r\n");
    let row = benef_row("D1").replace("Dupont;Jean", "Lef\u{e8}vre;Zo\u{e9}");
    bytes.extend(encode_1252(&row));
    bytes.extend_from_slice(b"\r\n");
    assert!(bytes.contains(&0xE9) && bytes.contains(&0xE8));
    let r = read(&MemorySource::new().with("beneficiaires.csv", bytes));
    let b = beneficiary(&r, 2);
    assert_eq!(b.last_name, "Lefèvre");
    assert_eq!(b.first_name, "Zoé");
    assert_eq!(r.summary(Entity::Beneficiaires).encoding, "windows-1252");
}

/// Latin-1 range characters as single Windows-1252 bytes.
fn encode_1252(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("Latin-1 character"))
        .collect()
}

#[test]
fn invalid_utf8_after_the_first_chunk_rejects_only_its_row() {
    // 64 KiB and more of valid UTF-8 rows, then a row with a Windows-1252 é (E9).
    let rows: Vec<String> = (0..1000).map(|i| benef_row(&format!("D{i}"))).collect();
    let mut bytes = csv(BENEF, &rows);
    assert!(bytes.len() > 64 * 1024);
    let bad_line = rows.len() as u64 + 2;
    let bad: Vec<u8> = benef_row("DX")
        .replace("Dupont", "Lef?vre")
        .bytes()
        .map(|b| if b == b'?' { 0xE8 } else { b })
        .collect();
    bytes.extend(bad);
    bytes.push(b'\n');
    bytes.extend(benef_row("DY").into_bytes());
    bytes.push(b'\n');
    let r = read(&MemorySource::new().with("beneficiaires.csv", bytes));
    assert_eq!(r.summary(Entity::Beneficiaires).encoding, "UTF-8");
    let row = r.rejected_at(Entity::Beneficiaires, bad_line);
    assert_eq!(row.problems.len(), 1, "{row:#?}");
    let p = &row.problems[0];
    assert_eq!(
        (p.code.as_str(), p.field.as_str(), p.column),
        ("encodage", "nom", Some(3))
    );
    assert_eq!(row.key.as_deref(), Some("DX"));
    // The raw value is kept, the bad byte shown as a replacement character.
    assert!(
        row.raw
            .contains(&("nom".to_owned(), "Lef\u{fffd}vre".to_owned())),
        "{row:#?}"
    );
    assert_eq!(r.summary(Entity::Beneficiaires).accepted, 1001);
}

#[test]
fn a_character_cut_by_the_first_chunk_does_not_make_the_file_windows_1252() {
    // Pad so that the first chunk (64 KiB) ends between the two bytes of an `é`.
    let chunk = 64 * 1024;
    let head = format!("{BENEF}\n");
    let row_prefix = "D1;;";
    let pad_len = chunk - head.len() - row_prefix.len() - 1;
    let name = format!("{}é", "a".repeat(pad_len));
    let row = format!("D1;;{name};Jean;01/02/1950;1 rue de la Paix;77000;Melun;;MDS01;");
    let bytes = format!("{head}{row}\n").into_bytes();
    assert_eq!(bytes.get(chunk - 1), Some(&0xC3), "the chunk ends inside é");
    let r = read(&MemorySource::new().with("beneficiaires.csv", bytes));
    assert_eq!(r.summary(Entity::Beneficiaires).encoding, "UTF-8");
    assert_eq!(beneficiary(&r, 2).last_name, name);
}

#[test]
fn crlf_line_ends() {
    let text = format!("{BENEF}\r\n{}\r\n{}\r\n", benef_row("D1"), benef_row("D2"));
    let r = read(&MemorySource::new().with("beneficiaires.csv", text));
    assert_eq!(r.accepted_lines(Entity::Beneficiaires), vec![2, 3]);
    // No `\r` left at the end of the last field.
    assert_eq!(beneficiary(&r, 3).death_date, None);
    assert_eq!(beneficiary(&r, 3).site, "MDS01");
}

#[test]
fn quoted_fields_with_separators_quotes_and_newlines_keep_physical_lines() {
    let text = format!(
        "{BENEF}\n\
         D1;;Dupont;Jean;01/02/1950;\"Résidence \"\"Les Lilas\"\"; bât. B\nescalier 2\r\n3e étage\";77000;Melun;;MDS01;\n\
         D2;;Durand;Luc;01/02/1950;2 rue Haute;77000;Melun;;MDS01;\n\
         D3;;\"Martin;\nDurand\";Léa;01/02/1950;3 rue Basse;77000;Melun;;MDS01;\n\
         D4;;Petit;Marc;31/02/1950;4 rue Basse;77000;Melun;;MDS01;\n"
    );
    let r = read(&MemorySource::new().with("beneficiaires.csv", text));
    // D1 spans lines 2–4, D2 is on 5, D3 on 6–7, D4 (a bad date) on 8.
    assert_eq!(r.accepted_lines(Entity::Beneficiaires), vec![2, 5, 6]);
    assert_eq!(
        beneficiary(&r, 2).address,
        "Résidence \"Les Lilas\"; bât. B\nescalier 2\r\n3e étage"
    );
    assert_eq!(beneficiary(&r, 6).last_name, "Martin;\nDurand");
    assert_eq!(r.codes_at(Entity::Beneficiaires, 8), vec!["date_invalide"]);
}

#[test]
fn decimal_comma_and_point_and_thousands_spaces() {
    let rows = [
        "R1;D1;APA_DOM;512,30;01/01/2025;31/12/2026;en_paiement;T1;",
        "R2;D1;PCH;1 234,5;01/01/2025;31/12/2026;en_paiement;T1;",
        "R3;D1;ASH;99.99;01/01/2025;31/12/2026;en_paiement;T1;",
    ]
    .map(String::from);
    let source = MemorySource::new()
        .with("beneficiaires.csv", csv(BENEF, &[benef_row("D1")]))
        .with("tiers.csv", csv(TIERS, &[tiers_row("T1")]))
        .with("droits.csv", csv(DROITS, &rows));
    let r = read(&source);
    assert_eq!(right_amounts(&r), vec![51230, 123450, 9999]);
    assert_eq!(
        r.summary(Entity::Droits).amount_total.map(|c| c.0),
        Some(51230 + 123450 + 9999)
    );
}

#[test]
fn french_and_iso_dates() {
    let rows = [
        benef_row("D1"),
        benef_row("D2").replace("01/02/1950", "1950-02-01"),
        benef_row("D3").replace("01/02/1950", "1/2/1950"),
    ];
    let r = read(&MemorySource::new().with("beneficiaires.csv", csv(BENEF, &rows)));
    let dates: Vec<String> = (2..=4)
        .map(|l| beneficiary(&r, l).birth_date.to_string())
        .collect();
    assert_eq!(dates, vec!["1950-02-01"; 3]);
}

#[test]
fn spaces_around_every_field_are_trimmed() {
    let spaced: Vec<String> = benef_row("D1")
        .split(';')
        .map(|f| format!("  {f}\u{a0} "))
        .collect();
    let header: Vec<String> = BENEF.split(';').map(|h| format!(" {h} ")).collect();
    let text = format!("{}\n{}\n", header.join(";"), spaced.join(";"));
    let r = read(&MemorySource::new().with("beneficiaires.csv", text));
    let b = beneficiary(&r, 2);
    assert_eq!(
        (b.dossier.as_str(), b.last_name.as_str(), b.site.as_str()),
        ("D1", "Dupont", "MDS01")
    );
    assert_eq!(b.nir.map(|n| n.as_str().to_owned()).as_deref(), Some(NIR));
    assert_eq!(b.death_date, None);
}

#[test]
fn blank_lines_and_lines_of_separators_are_skipped_and_not_counted() {
    let text = format!(
        "\n{BENEF}\n\n{}\n;;;;;;;;;;\n   \n\r\n{}\n ; ;\t;\n",
        benef_row("D1"),
        benef_row("D2")
    );
    let r = read(&MemorySource::new().with("beneficiaires.csv", text));
    assert_eq!(r.accepted_lines(Entity::Beneficiaires), vec![4, 8]);
    let s = r.summary(Entity::Beneficiaires);
    assert_eq!((s.rows, s.accepted, s.rejected), (2, 2, 0));
}

#[test]
fn headers_match_whatever_their_case_accents_and_spacing() {
    let header = "Dossier;NIR;NOM;Prénom;Date Naissance;Adresse;Code postal;COMMUNE;Téléphone;Site;date-décès";
    let r = read(&MemorySource::new().with("beneficiaires.csv", csv(header, &[benef_row("D1")])));
    let b = beneficiary(&r, 2);
    assert_eq!(
        (b.first_name.as_str(), b.postal_code.as_str()),
        ("Jean", "77000")
    );
    assert!(r.summary(Entity::Beneficiaires).extra_columns.is_empty());
}

#[test]
fn utf16_excel_unicode_text_is_read() {
    let text = format!(
        "{}\r\n{}\r\n",
        BENEF.replace(';', "\t"),
        benef_row("D1").replace(';', "\t")
    );
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let r = read(&MemorySource::new().with("beneficiaires.csv", bytes));
    assert_eq!(beneficiary(&r, 2).dossier, "D1");
    assert_eq!(r.summary(Entity::Beneficiaires).encoding, "UTF-16LE (BOM)");
}

#[test]
fn trailing_separators_are_not_extra_fields() {
    let text = format!("{BENEF};\n{};\n{};;\n", benef_row("D1"), benef_row("D2"));
    let r = read(&MemorySource::new().with("beneficiaires.csv", text));
    assert_eq!(r.accepted_lines(Entity::Beneficiaires), vec![2, 3]);
    // An unnamed empty column is not kept as an extra value.
    assert!(beneficiary(&r, 2).extra.is_empty());
}

impl Read {
    fn beneficiaries_ok(&self) -> usize {
        self.accepted(Entity::Beneficiaires).len()
    }
}

#[test]
fn old_mac_line_ends_count_lines_too() {
    let text = format!("{BENEF}\r\r{}\r{}\r", benef_row("D1"), benef_row("D2"));
    let r = read(&MemorySource::new().with("beneficiaires.csv", text));
    assert_eq!(r.accepted_lines(Entity::Beneficiaires), vec![3, 4]);
}
