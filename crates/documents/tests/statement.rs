//! The per-payee statement (état nominatif) as the payee reads it: the CSV byte for byte, the
//! PDF through `pdftotext -layout` (Debian `poppler-utils`, needed by these tests). No name or
//! amount may be cut; the rows must add up to the transfer; the reference must pass any bank.

use jiff::civil::date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::records::Benefit;
use relais_documents::statement::{
    MandateNumber, REFERENCE_MAX, StatementError, StatementHeader, StatementRow,
    statement_reference, write_statement_csv, write_statement_pdf, write_statements_pdf,
};
use std::convert::Infallible;
mod common;

use common::pages;

/// The EHPAD's transfer of the issue: 187 978,01 €.
const EHPAD_TOTAL: Cents = Cents(18_797_801);

fn header(reference: &str) -> StatementHeader {
    StatementHeader {
        authority: "Département de la Haute-Vienne".into(),
        run: "P2026-12-01".into(),
        month: Month::parse("2026-12").expect("month"),
        payee_id: "T0000123".into(),
        payee_name: "EHPAD Les Tilleuls — Résidence Saint-Éloi".into(),
        payee_address: vec![
            "12 rue des Écoles".into(),
            String::new(),
            "87000 Limoges".into(),
        ],
        iban_masked: "FR76 **** **** **** **** ***1 234".into(),
        pay_date: date(2026, 12, 10),
        mandate: Some(MandateNumber {
            exercice: 2026,
            bordereau: 41,
            piece: 1234,
        }),
        reference: reference.into(),
    }
}

fn reference() -> String {
    statement_reference("P2026-12-01", "T0000123")
}

fn row(dossier: &str, last: &str, first: &str, benefit: Benefit, amount: i64) -> StatementRow {
    StatementRow {
        dossier: dossier.into(),
        last_name: last.into(),
        first_name: first.into(),
        benefit,
        first_day: date(2026, 12, 1),
        last_day: date(2026, 12, 31),
        amount: Cents(amount),
    }
}

fn three_rows() -> Vec<StatementRow> {
    let mut partial = row("D0000042", "LEFÈVRE", "Hélène", Benefit::ApaEtab, 45_678);
    partial.first_day = date(2026, 12, 10);
    vec![
        row(
            "D0000001",
            "=HYPERLINK(\"x\")",
            "Zoé",
            Benefit::Ash,
            123_456,
        ),
        partial,
        row(
            "-D0000007",
            "N'DIAYE",
            "Aïssatou; Marie",
            Benefit::ApaEtab,
            -300,
        ),
    ]
}

fn ok_rows(rows: Vec<StatementRow>) -> impl Iterator<Item = Result<StatementRow, Infallible>> {
    rows.into_iter().map(Ok)
}

/// The PDF of `rows`, read by the closure the writer calls twice.
fn pdf(header: &StatementHeader, total: Cents, rows: &[StatementRow]) -> Vec<u8> {
    let mut out = Vec::new();
    let written = write_statement_pdf(&mut out, header, total, |each| {
        rows.iter().try_for_each(&mut *each)?;
        Ok::<(), Infallible>(())
    })
    .expect("pdf");
    assert_eq!(written, total);
    out
}

#[test]
fn the_csv_is_exact() {
    let mut out = Vec::new();
    let total = write_statement_csv(
        &mut out,
        &header(&reference()),
        Cents(168_834),
        ok_rows(three_rows()),
    )
    .expect("csv");
    assert_eq!(total, Cents(168_834));
    let expected = "\u{feff}dossier;nom;prenom;prestation;du;au;montant\r\n\
        D0000001;\"'=HYPERLINK(\"\"x\"\")\";Zoé;Aide sociale à l'hébergement;01/12/2026;31/12/2026;1234,56\r\n\
        D0000042;LEFÈVRE;Hélène;APA en établissement;10/12/2026;31/12/2026;456,78\r\n\
        '-D0000007;N'DIAYE;\"Aïssatou; Marie\";APA en établissement;01/12/2026;31/12/2026;-3,00\r\n\
        TOTAL;;;;;;1688,34\r\n";
    assert_eq!(String::from_utf8(out).expect("utf-8"), expected);
}

#[test]
fn rows_that_do_not_make_the_transfer_are_refused() {
    let h = header(&reference());
    let mut csv = Vec::new();
    let err = write_statement_csv(&mut csv, &h, Cents(168_835), ok_rows(three_rows()))
        .expect_err("mismatch");
    assert!(
        matches!(
            err,
            StatementError::Mismatch {
                rows: 3,
                expected: Cents(168_835),
                found: Cents(168_834),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "etat_ecart");
    assert!(err.to_string().contains(&reference()), "{err}");
    assert!(!String::from_utf8_lossy(&csv).contains("TOTAL"));

    let mut pdf = Vec::new();
    let rows = three_rows();
    let err = write_statement_pdf(&mut pdf, &h, Cents(0), |each| {
        rows.iter().try_for_each(&mut *each)?;
        Ok::<(), Infallible>(())
    })
    .expect_err("mismatch");
    assert!(matches!(err, StatementError::Mismatch { .. }), "{err:?}");
    assert!(pdf.is_empty(), "nothing written");
}

#[test]
fn a_failing_source_and_changing_rows_are_errors() {
    let h = header(&reference());
    let rows: Vec<Result<StatementRow, String>> =
        vec![Ok(three_rows().remove(0)), Err("curseur interrompu".into())];
    let err = write_statement_csv(&mut Vec::new(), &h, Cents(123_456), rows).expect_err("rows");
    assert!(matches!(err, StatementError::Rows(_)), "{err:?}");
    assert!(err.to_string().contains("curseur interrompu"));

    let mut calls = 0;
    let rows = three_rows();
    let mut out = Vec::new();
    let err = write_statement_pdf(&mut out, &h, Cents(168_834), |each| {
        calls += 1;
        // The second reading loses a row.
        let n = if calls == 1 { 3 } else { 2 };
        rows.iter().take(n).try_for_each(&mut *each)?;
        Ok::<(), Infallible>(())
    })
    .expect_err("changed");
    assert!(matches!(err, StatementError::Changed { .. }), "{err:?}");
    assert!(incomplete(&out), "no complete document");

    let err = write_statement_pdf(&mut out, &h, Cents(0), |_| Err("base fermée".to_owned()))
        .expect_err("rows");
    assert!(matches!(err, StatementError::Rows(_)), "{err:?}");
}

/// `pdftotext -layout` on `pdf`; no-break spaces read as spaces.
fn pdftotext(pdf: &[u8]) -> String {
    pdftotext_of(pdf, &[])
}

/// The same, of page `n` alone (`-f n -l n`).
fn pdftotext_page(pdf: &[u8], n: usize) -> String {
    let n = n.to_string();
    pdftotext_of(pdf, &["-f", &n, "-l", &n])
}

fn pdftotext_of(pdf: &[u8], args: &[&str]) -> String {
    common::pdftotext(pdf, &[&["-layout"], args].concat())
}

fn money(c: Cents) -> String {
    c.to_string().replace('\u{a0}', " ")
}

/// `name`'s words all appear whole, in order, among the words of the text.
fn assert_whole_name(tokens: &[&str], name: &str) {
    let mut from = 0;
    for word in name.split(' ') {
        let Some(at) = tokens[from..].iter().position(|t| *t == word) else {
            panic!("{word:?} of {name:?} is missing or broken");
        };
        from += at + 1;
    }
}

#[test]
fn a_statement_of_one_row_says_what_the_transfer_is() {
    let rows = vec![row("D0000001", "MARTIN", "Zoé", Benefit::Ash, 123_456)];
    let text = pdftotext(&pdf(&header(&reference()), Cents(123_456), &rows));
    for needle in [
        "État nominatif des sommes versées",
        "Département de la Haute-Vienne",
        "EHPAD Les Tilleuls — Résidence Saint-Éloi",
        "12 rue des Écoles",
        "87000 Limoges",
        "Tiers n° T0000123",
        "Paiement P2026-12-01 — mois de décembre 2026",
        "10/12/2026",
        "EN-P2026-12-01-T0000123",
        "FR76 **** **** **** **** ***1 234",
        "n° 1234 du bordereau n° 41, exercice 2026",
        "MARTIN Zoé",
        "D0000001",
        "Aide sociale à l'hébergement",
        "01/12/2026 au 31/12/2026",
        "1 234,56 €",
        "Total — 1 ligne",
        "Arrêté le présent état à 1 ligne, pour un montant total de 1 234,56 €.",
        "page 1 / 1",
    ] {
        assert!(text.contains(needle), "{needle:?} missing in:\n{text}");
    }
    assert!(!text.contains("APA_"), "benefit codes instead of labels");
    assert!(!text.contains("reporter"), "one page carries nothing over");
}

/// A name of exactly 70 characters, unique to `i`, in words a column can hold.
fn long_name(i: usize) -> (String, String) {
    let words = [
        "DE",
        "LA",
        "ROCHEFOUCAULD",
        "MONTMORENCY",
        "ÉPOUSE",
        "BÉRANGER-DUPRÉ",
        "WWWWWWWW",
        "MMMMMMMMM",
    ];
    let mut last = format!("N{i:04}W");
    let mut k = i;
    while last.chars().count() < 50 {
        last.push(' ');
        last.push_str(words[k % words.len()]);
        k += 1;
    }
    let first = "Marie-Élisabeth Françoise Anaïs Ève Zoé Léa";
    let mut name = format!("{last} {first}");
    while name.chars().count() < 70 {
        name.push('W');
    }
    let name: String = name.chars().take(70).collect();
    let name = name.trim_end().to_owned();
    let (last, first) = name.split_at(last.len());
    (last.to_owned(), first.trim_start().to_owned())
}

/// 400 rows of 70-character names making 187 978,01 €, with amounts all different.
fn ehpad_rows() -> Vec<StatementRow> {
    let mut rows: Vec<StatementRow> = (0..400)
        .map(|i| {
            let (last, first) = long_name(i);
            let benefit = if i % 3 == 0 {
                Benefit::ApaEtab
            } else {
                Benefit::Ash
            };
            let amount = 45_000 + i64::try_from(i).expect("i") * 7;
            row(&format!("D{:07}", i + 1), &last, &first, benefit, amount)
        })
        .collect();
    let others: i64 = rows.iter().skip(1).map(|r| r.amount.0).sum();
    rows[0].amount = Cents(EHPAD_TOTAL.0 - others);
    rows
}

#[test]
fn a_statement_of_400_long_names_keeps_every_name_and_amount_whole() {
    let rows = ehpad_rows();
    for r in &rows {
        assert_eq!(
            format!("{} {}", r.last_name, r.first_name).chars().count(),
            70
        );
    }
    let text = pdftotext(&pdf(&header(&reference()), EHPAD_TOTAL, &rows));
    assert!(!text.contains('…'), "something was cut");
    let tokens: Vec<&str> = text.split_whitespace().collect();
    for r in &rows {
        assert_whole_name(&tokens, &format!("{} {}", r.last_name, r.first_name));
        assert!(tokens.contains(&r.dossier.as_str()), "{}", r.dossier);
        assert!(text.contains(&money(r.amount)), "{}", r.amount);
    }
    assert!(text.contains("187 978,01 €"));
    assert!(text.contains("Total — 400 lignes"));
    assert!(
        text.contains(
            "Arrêté le présent état à 400 lignes, pour un montant total de 187 978,01 €."
        )
    );
    assert!(text.contains(&reference()));

    let pages = pages(&text);
    let n = pages.len();
    assert!(n > 5, "{n} pages");
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains(&format!("page {} / {n}", i + 1)),
            "page {}",
            i + 1
        );
        assert!(page.contains(&reference()), "page {}", i + 1);
        if i > 0 {
            assert!(page.contains("Report"), "page {}", i + 1);
            assert!(page.contains("Personne"), "header repeated, page {}", i + 1);
        }
        if i + 1 < n {
            assert!(page.contains("À reporter"), "page {}", i + 1);
            assert!(page.contains("Total de la page"), "page {}", i + 1);
        }
    }
}

#[test]
fn each_page_carries_over_what_its_rows_make() {
    let rows = ehpad_rows();
    let text = pdftotext(&pdf(&header(&reference()), EHPAD_TOTAL, &rows));
    let mut carried = Cents::ZERO;
    let pages = pages(&text);
    for (i, page) in pages.iter().enumerate() {
        let amounts: Cents = rows
            .iter()
            .filter(|r| page.split_whitespace().any(|t| t == r.dossier))
            .map(|r| r.amount)
            .fold(Cents::ZERO, |a, b| a.checked_add(b).expect("sum"));
        carried = carried.checked_add(amounts).expect("sum");
        if i + 1 < pages.len() {
            let line = page
                .lines()
                .find(|l| l.contains("À reporter"))
                .expect("à reporter");
            assert!(line.contains(&money(carried)), "page {}: {line}", i + 1);
            let page_total = page
                .lines()
                .find(|l| l.contains("Total de la page"))
                .expect("page total");
            assert!(
                page_total.contains(&money(amounts)),
                "page {}: {page_total}",
                i + 1
            );
        }
    }
    assert_eq!(carried, EHPAD_TOTAL);
}

#[test]
fn a_name_longer_than_a_page_goes_on_over_the_next() {
    let huge: Vec<String> = (0..900).map(|i| format!("MOT{i:03}É")).collect();
    let mut rows = three_rows();
    rows[1].last_name = huge.join(" ");
    let mut h = header(&reference());
    h.authority = "Département ".repeat(60);
    h.payee_address = vec!["Bâtiment ".repeat(80)];
    let text = pdftotext(&pdf(&h, Cents(168_834), &rows));
    let tokens: Vec<&str> = text.split_whitespace().collect();
    assert_whole_name(&tokens, &huge.join(" "));
    assert!(text.contains("456,78 €") && text.contains("1 688,34 €"));
    assert!(!text.contains('…'));
}

#[test]
fn an_empty_statement_of_nothing_is_still_a_document() {
    let text = pdftotext(&pdf(&header(&reference()), Cents::ZERO, &[]));
    assert!(text.contains("Aucune ligne."), "{text}");
    assert!(text.contains("page 1 / 1"));
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let rows = ehpad_rows();
    let h = header(&reference());
    assert_eq!(pdf(&h, EHPAD_TOTAL, &rows), pdf(&h, EHPAD_TOTAL, &rows));
    let csv = || {
        let mut out = Vec::new();
        write_statement_csv(&mut out, &h, EHPAD_TOTAL, ok_rows(rows.clone())).expect("csv");
        out
    };
    assert_eq!(csv(), csv());
}

/// A small deterministic generator (no dev-dependency for it): xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).expect("n")).expect("index")
    }
}

#[test]
fn references_are_short_plain_and_distinct_whatever_the_identifiers() {
    let alphabet: Vec<char> = "ABCZaz09-_ /.:;éÉœ€\u{a0}\t\n'\"=+@ü中😀".chars().collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut seen = std::collections::HashMap::new();
    let runs = [
        "P2026-12-01",
        "P2026-12-01 bis/relance exceptionnelle de décembre",
        "",
    ];
    for _ in 0..20_000 {
        let len = rng.below(60);
        let id: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let run = runs[rng.below(runs.len())];
        let r = statement_reference(run, &id);
        assert!(r.len() <= REFERENCE_MAX, "{run:?} {id:?} → {r:?}");
        assert!(
            r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "{run:?} {id:?} → {r:?}"
        );
        if let Some(other) = seen.insert(r.clone(), (run, id.clone())) {
            assert_eq!(other, (run, id.clone()), "{r} for both");
        }
    }
    assert_eq!(
        statement_reference("P2026-12-01", "T0000123"),
        "EN-P2026-12-01-T0000123"
    );
    let long = statement_reference("P2026-12-01", &"T".repeat(200));
    assert_eq!(long.len(), REFERENCE_MAX);
    assert!(long.starts_with("EN-P2026-12-01-"));
}

/// One statement of a combined PDF: header, transfer's amount, rows.
type Whole = (StatementHeader, Cents, Vec<StatementRow>);

fn header_of(payee_id: &str, payee_name: &str) -> StatementHeader {
    let mut h = header(&statement_reference("P2026-12-01", payee_id));
    h.payee_id = payee_id.into();
    h.payee_name = payee_name.into();
    h
}

/// Three statements: three rows on one page, 400 long names over many, one row.
fn three_statements() -> Vec<Whole> {
    vec![
        (
            header_of("T0000123", "EHPAD Les Tilleuls — Résidence Saint-Éloi"),
            Cents(168_834),
            three_rows(),
        ),
        (
            header_of("T0000456", "SAAD Aide et Présence du Limousin"),
            EHPAD_TOTAL,
            ehpad_rows(),
        ),
        (
            header_of("T0000789", "Foyer d'accueil médicalisé Les Genêts"),
            Cents(123_456),
            vec![row("D0000999", "MARTIN", "Zoé", Benefit::Ash, 123_456)],
        ),
    ]
}

/// The PDF of all `statements`, and how many the writer says it wrote.
fn combined(statements: &[Whole]) -> (Vec<u8>, u64) {
    let mut out = Vec::new();
    let written = write_statements_pdf(&mut out, "États nominatifs P2026-12-01", |each| {
        for (h, total, rows) in statements {
            each(h, *total, rows)?;
        }
        Ok::<(), StatementError>(())
    })
    .expect("pdf");
    (out, written)
}

/// The `/Title` strings of a PDF written by krilla (UTF-16BE in hex, or literal), in order.
fn titles(pdf: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(pdf);
    let mut found = Vec::new();
    for part in text.split("/Title").skip(1) {
        if let Some(hex) = part.strip_prefix("<FEFF") {
            let hex = &hex[..hex.find('>').expect("end")];
            let units: Vec<u16> = (0..hex.len() / 4)
                .map(|i| u16::from_str_radix(&hex[4 * i..4 * i + 4], 16).expect("hex"))
                .collect();
            found.push(String::from_utf16(&units).expect("utf-16"));
        } else if let Some(lit) = part.strip_prefix('(') {
            found.push(lit[..lit.find(')').expect("end")].to_owned());
        }
    }
    found
}

/// Where each outline entry leads: the index of its page among the document's pages.
fn outline_pages(pdf: &[u8]) -> Vec<usize> {
    let text = String::from_utf8_lossy(pdf);
    let object = |n: &str| -> String {
        let head = format!("\n{n} 0 obj\n");
        let at = text.find(&head).expect("object") + head.len();
        text[at..at + text[at..].find("endobj").expect("endobj")].to_owned()
    };
    let refs = |s: &str| -> Vec<String> {
        s.split(" 0 R")
            .filter_map(|p| p.rsplit(|c: char| !c.is_ascii_digit()).next())
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let kids = text.split("/Kids[").nth(1).expect("kids");
    let kids = refs(&kids[..kids.find(']').expect("]")]);
    text.split("/Dest ")
        .skip(1)
        .map(|p| {
            let dest = p.split(' ').next().expect("dest");
            let page = refs(&object(dest))[0].clone();
            kids.iter().position(|k| *k == page).expect("a page")
        })
        .collect()
}

#[test]
fn many_statements_go_into_one_pdf_each_as_it_prints_alone() {
    let statements = three_statements();
    let (all, written) = combined(&statements);
    assert_eq!(written, 3);
    let whole = pdftotext(&all);
    let total_pages = pages(&whole).len();

    let mut first = 1;
    let mut firsts = Vec::new();
    for (i, (h, total, rows)) in statements.iter().enumerate() {
        let alone = pdf(h, *total, rows);
        let n = pages(&pdftotext(&alone)).len();
        if i == 1 {
            assert!(n > 5, "{n} pages");
        } else {
            assert_eq!(n, 1);
        }
        firsts.push(first - 1);
        for k in 1..=n {
            let page = pdftotext_page(&all, first + k - 1);
            // Exactly the page of the statement alone: header, rows, totals, numbering.
            assert_eq!(page, pdftotext_page(&alone, k), "statement {i}, page {k}");
            assert!(page.contains(&format!("page {k} / {n}")), "{page}");
            assert!(page.contains(&h.reference), "statement {i}, page {k}");
            for (j, (other, _, _)) in statements.iter().enumerate() {
                if j != i {
                    assert!(!page.contains(&other.reference), "{j} on {i}'s page {k}");
                }
            }
            if k == 1 {
                // A statement starts on a page of its own, with its header block.
                for needle in [
                    "État nominatif des sommes versées",
                    "Bénéficiaire du virement",
                    h.payee_name.as_str(),
                    &format!("Tiers n° {}", h.payee_id),
                    &money(*total),
                ] {
                    assert!(page.contains(needle), "{needle:?} in:\n{page}");
                }
            }
            if k == n {
                let lines = count(rows.len());
                for needle in [
                    format!("Total — {lines}"),
                    format!(
                        "Arrêté le présent état à {lines}, pour un montant total de {}.",
                        money(*total)
                    ),
                ] {
                    assert!(page.contains(&needle), "{needle:?} in:\n{page}");
                }
            } else {
                assert!(page.contains("À reporter"), "statement {i}, page {k}");
            }
        }
        first += n;
    }
    assert_eq!(first - 1, total_pages);

    // A bookmark per statement, named by its payee and reference, on its first page.
    let names: Vec<String> = statements
        .iter()
        .map(|(h, _, _)| format!("{} — {}", h.payee_name, h.reference))
        .collect();
    let titles = titles(&all);
    let bookmarks: Vec<&String> = titles.iter().filter(|t| names.contains(t)).collect();
    assert_eq!(bookmarks, names.iter().collect::<Vec<_>>());
    assert_eq!(outline_pages(&all), firsts);
}

/// `n ligne(s)`.
fn count(n: usize) -> String {
    if n > 1 {
        format!("{n} lignes")
    } else {
        format!("{n} ligne")
    }
}

/// Whether `pdf` is not a whole document: pages are written out as they are drawn, so a
/// statement that fails after others leaves them there, without the end of the file (the
/// export writes to a temporary file and discards it).
fn incomplete(pdf: &[u8]) -> bool {
    !pdf.ends_with(b"%%EOF\n")
}

#[test]
fn a_mismatch_in_the_second_statement_gives_no_document() {
    let mut statements = three_statements();
    statements[1].1 = Cents(EHPAD_TOTAL.0 + 1);
    let reference = statements[1].0.reference.clone();

    // A source that stops on the error it is handed.
    let mut asked = 0;
    let mut out = Vec::new();
    let err = write_statements_pdf(&mut out, "États", |each| {
        for (h, total, rows) in &statements {
            asked += 1;
            each(h, *total, rows)?;
        }
        Ok::<(), StatementError>(())
    })
    .expect_err("mismatch");
    assert!(
        matches!(&err, StatementError::Mismatch { reference: r, rows: 400, .. } if *r == reference),
        "{err:?}"
    );
    assert_eq!(asked, 2, "the source stopped at the error");
    assert!(incomplete(&out), "no complete document");

    // One that carries on regardless: the error is still the statement's.
    let mut out = Vec::new();
    let err = write_statements_pdf(&mut out, "États", |each| {
        for (h, total, rows) in &statements {
            let _ = each(h, *total, rows);
        }
        Ok::<(), String>(())
    })
    .expect_err("mismatch");
    assert!(matches!(err, StatementError::Mismatch { .. }), "{err:?}");
    assert_eq!(err.code(), "etat_ecart");
    assert!(incomplete(&out));

    // One that fails on its own.
    let err = write_statements_pdf(&mut out, "États", |each| {
        let (h, total, rows) = &statements[0];
        each(h, *total, rows).map_err(|e| e.to_string())?;
        Err("curseur interrompu".to_owned())
    })
    .expect_err("rows");
    assert!(matches!(err, StatementError::Rows(_)), "{err:?}");
    assert!(err.to_string().contains("curseur interrompu"), "{err}");
    assert!(incomplete(&out));
}

#[test]
fn many_statements_give_the_same_bytes_twice_and_none_a_page_that_says_so() {
    let statements = three_statements();
    assert_eq!(combined(&statements).0, combined(&statements).0);

    let (none, written) = combined(&[]);
    assert_eq!(written, 0);
    let text = pdftotext(&none);
    assert_eq!(pages(&text).len(), 1);
    assert!(text.contains("Aucun état nominatif."), "{text}");
}
