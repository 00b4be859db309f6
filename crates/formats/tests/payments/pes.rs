//! The PES_Aller writer: golden file, XSD validity on hard input, our checks, refusals.

use crate::support::*;
use relais_core::Cents;
use relais_formats::payments::model::{
    BankAccount, LegalNature, LineId, PayeeCategory, PaymentMode, Totals,
};
use relais_formats::payments::{CheckError, PaymentFileError, PesWriter, Scope, check_pes};

fn two_pieces() -> Vec<relais_formats::payments::model::Piece> {
    vec![
        piece(
            101,
            64_218,
            payee("Martin", "Jeanne", IBAN_FR, Some("BNPAFRPP")),
        ),
        piece(
            102,
            60_792,
            payee(
                "Lefèvre-L’Œillet",
                "André “Dédé”",
                "DE89370400440532013000",
                Some("DEUTDEFF"),
            ),
        ),
    ]
}

#[test]
fn golden_small_file() {
    let bytes = write_pes(&[(bordereau(15), two_pieces())]).expect("written");
    validate(Some(&bytes), None);
    insta::assert_snapshot!("pes_small", latin1(&bytes));
}

#[test]
fn encoded_in_latin1() {
    let bytes = write_pes(&[(bordereau(15), two_pieces())]).expect("written");
    assert!(bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"));
    // `è` of Lefèvre is the single byte E8, not UTF-8's C3 A8.
    assert!(bytes.windows(7).any(|w| w == b"Lef\xe8vre"));
    assert!(!bytes.windows(2).any(|w| w == [0xc3, 0xa8]));
    // What Latin-1 cannot hold was replaced: ’ → ', Œ → OE, “ ” → &quot;.
    let text = latin1(&bytes);
    assert!(text.contains("Lefèvre-L'OEillet"), "{text}");
    assert!(text.contains("André &quot;Dédé&quot;"), "{text}");
}

#[test]
fn same_input_same_bytes() {
    let a = write_pes(&[(bordereau(15), two_pieces())]).expect("written");
    let b = write_pes(&[(bordereau(15), two_pieces())]).expect("written");
    assert_eq!(a, b);
}

#[test]
fn hard_names_addresses_and_amounts_stay_valid() {
    let hard = [
        ("Łukasz Żółć", "Œdipe"),
        ("Nguyễn 😀 李", "Zoë 👨‍👩‍👧"),
        ("Dupont & Fils <SARL> \"x\"", "a_b"),
        ("", ""),
        (" . ", "nc"),
        ("000", "0"),
        (&"Très-long-nom ".repeat(10), &"Prénom ".repeat(20)),
        ("Иванов", "Ольга"),
    ];
    let mut pieces = Vec::new();
    for (i, (last, first)) in hard.iter().enumerate() {
        let (account, bic) = IBANS_ABROAD[i % IBANS_ABROAD.len()];
        let mut p = payee(last, first, account, Some(bic));
        if let Some(a) = p.address.as_mut() {
            a.line1 = (*first).to_owned();
            a.line2 = (*last).to_owned();
            a.line3 = "€ – … ’".to_owned();
            a.city = (*last).to_owned();
        }
        p.civility = (*first).to_owned();
        p.reference = (*last).repeat(3);
        let id = u32::try_from(i).expect("small") + 1;
        let mut pc = piece(id, 1, p);
        pc.object = (*last).repeat(10);
        if let Some(l) = pc.lines.first_mut() {
            l.transfer_label = (*first).repeat(10);
        }
        pieces.push(pc);
    }
    // 0.01 and 1,000,000.00 euros; and the largest amount a line (and a bordereau) can hold.
    pieces.push(piece(
        20,
        100_000_000,
        payee("Grand", "Montant", IBAN_FR, None),
    ));
    let largest = vec![piece(
        1,
        99_999_999_999_999,
        payee("Plus", "Grand", IBAN_FR, None),
    )];
    let bytes = write_pes(&[(bordereau(1), pieces), (bordereau(2), largest)]).expect("written");
    validate(Some(&bytes), None);
    let text = latin1(&bytes);
    assert!(
        text.contains("<Nom V=\"INCONNU\"/>"),
        "empty names get the substitute"
    );
    assert!(!text.contains("V=\"nc\""));
    assert!(!text.contains("V=\"000\""));
    assert!(text.contains("<MtHT V=\"0.01\"/>"));
    assert!(text.contains("<MtHT V=\"1000000.00\"/>"));
    assert!(text.contains("<MtBordHT V=\"999999999999.99\"/>"));
    let checked = check_pes(bytes.as_slice()).expect("checked");
    assert_eq!(checked.bordereaux.len(), 2);
    assert_eq!(checked.totals().count, 10);
}

#[test]
fn payees_that_are_not_people() {
    let mut p = payee(
        "SAAD Aide à Domicile du Rhône",
        "ignoré",
        IBAN_FR,
        Some("BNPAFRPP"),
    );
    p.category = PayeeCategory::PRIVATE_BODY;
    p.legal_nature = LegalNature::ASSOCIATION;
    p.address = None;
    let bytes = write_pes(&[(bordereau(2), vec![piece(1, 123_456, p)])]).expect("written");
    validate(Some(&bytes), None);
    let text = latin1(&bytes);
    // Hélios rejects Civilite and Prenom for anything but a person.
    assert!(!text.contains("<Civilite"));
    assert!(!text.contains("<Prenom"));
    assert!(text.contains("<TitCpte V=\"SAAD Aide à Domicile du Rhône\"/>"));
}

#[test]
fn many_bordereaux_and_check() {
    let mut bordereaux = Vec::new();
    for b in 1..=3 {
        let pieces = (1..=5)
            .map(|i| {
                piece(
                    i,
                    i64::from(b * 1000 + i),
                    payee("Martin", "Jeanne", IBAN_FR, None),
                )
            })
            .collect();
        bordereaux.push((bordereau(b), pieces));
    }
    let bytes = write_pes(&bordereaux).expect("written");
    validate(Some(&bytes), None);
    let checked = check_pes(bytes.as_slice()).expect("checked");
    let ids: Vec<u32> = checked.bordereaux.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(
        checked.bordereaux[1].1,
        Totals {
            count: 5,
            amount: Cents(10_015)
        }
    );
    assert_eq!(checked.lines, 15);
}

#[test]
fn check_catches_a_tampered_total() {
    let bytes = write_pes(&[(bordereau(15), two_pieces())]).expect("written");
    let text = latin1(&bytes);
    let tampered = text.replace("<MtBordHT V=\"1250.10\"/>", "<MtBordHT V=\"1250.11\"/>");
    assert_ne!(tampered, text, "the total is where expected");
    let bytes: Vec<u8> = tampered
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    // Still valid for the schema: only our check sees it.
    validate(Some(&bytes), None);
    let e = check_pes(bytes.as_slice()).expect_err("tampered");
    assert_eq!(
        e,
        CheckError::TotalsMismatch {
            scope: Scope::Bordereau(15),
            declared_count: 2,
            declared_amount: Cents(125_011),
            found_count: 2,
            found_amount: Cents(125_010),
        }
    );
    assert_eq!(e.code(), "controle_totaux");
    assert!(e.to_string().contains("bordereau 15"));
    assert!(e.message_en().contains("declared"));
}

#[test]
fn check_catches_other_faults() {
    let text = latin1(&write_pes(&[(bordereau(15), two_pieces())]).expect("written"));
    let to_bytes = |s: String| -> Vec<u8> {
        s.chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
            .collect()
    };
    let one_piece = text.replace("<NbrPce V=\"2\"/>", "<NbrPce V=\"3\"/>");
    assert!(matches!(
        check_pes(to_bytes(one_piece).as_slice()),
        Err(CheckError::TotalsMismatch { .. })
    ));
    let dup = text.replace("<IdPce V=\"102\"/>", "<IdPce V=\"101\"/>");
    assert_eq!(
        check_pes(to_bytes(dup).as_slice()),
        Err(CheckError::DuplicatePiece {
            bordereau: 15,
            piece: 101
        })
    );
    let key = text.replace("FR7630006000011234567890189", "FR7630006000011234567890188");
    assert!(matches!(
        check_pes(to_bytes(key).as_slice()),
        Err(CheckError::BadIban { .. })
    ));
    let start = text.find("<CpteBancaire>").expect("bank");
    let end = text.find("</CpteBancaire>").expect("bank") + "</CpteBancaire>".len();
    let mut no_bank = text.clone();
    no_bank.replace_range(start..end, "");
    assert!(matches!(
        check_pes(to_bytes(no_bank).as_slice()),
        Err(CheckError::BankDetailsMissing {
            bordereau: 15,
            piece: 101,
            ..
        })
    ));
    assert!(matches!(
        check_pes(&b"<x/>"[..]),
        Err(CheckError::WrongRoot { .. })
    ));
    assert!(matches!(
        check_pes(&b"<n:PES_Aller xmlns:n=\"u\"><a></b>"[..]),
        Err(CheckError::Unreadable { .. })
    ));
}

#[test]
fn declared_totals_must_match() {
    let pieces = two_pieces();
    let mut w = PesWriter::new(Vec::new(), &issuer(), &pes_file()).expect("header");
    let declared = Totals {
        count: 2,
        amount: Cents(125_000),
    };
    w.begin_bordereau(&bordereau(15), declared).expect("opened");
    for p in &pieces {
        w.write_piece(p).expect("piece");
    }
    let e = w.finish().expect_err("wrong total");
    assert!(matches!(
        e,
        PaymentFileError::TotalsMismatch {
            scope: Scope::Bordereau(15),
            written_count: 2,
            ..
        }
    ));
    assert_eq!(e.code(), "paiement_totaux");
    assert!(e.to_string().contains("fichier faux"));

    // A missing mandate, found when the next bordereau opens.
    let mut w = PesWriter::new(Vec::new(), &issuer(), &pes_file()).expect("header");
    w.begin_bordereau(
        &bordereau(1),
        Totals {
            count: 2,
            amount: Cents(125_010),
        },
    )
    .expect("opened");
    w.write_piece(&pieces[0]).expect("piece");
    assert!(matches!(
        w.begin_bordereau(
            &bordereau(2),
            Totals {
                count: 1,
                amount: Cents(1)
            }
        ),
        Err(PaymentFileError::TotalsMismatch { .. })
    ));
    // Nothing more after an error.
    assert!(matches!(
        w.write_piece(&pieces[1]),
        Err(PaymentFileError::AfterError)
    ));
    assert!(matches!(w.finish(), Err(PaymentFileError::AfterError)));
}

#[test]
fn refusals() {
    let good = || piece(1, 100, payee("Martin", "Jeanne", IBAN_FR, None));
    let expect_err = |bordereaux: Vec<(
        relais_formats::payments::model::Bordereau,
        Vec<relais_formats::payments::model::Piece>,
    )>| { write_pes(&bordereaux).expect_err("refused") };
    // IdBord twice in a file.
    let e = expect_err(vec![
        (bordereau(7), vec![good()]),
        (bordereau(7), vec![good()]),
    ]);
    assert!(matches!(e, PaymentFileError::DuplicateBordereau(7)), "{e}");
    // IdPce twice in a bordereau.
    let e = expect_err(vec![(bordereau(7), vec![good(), good()])]);
    assert!(
        matches!(
            e,
            PaymentFileError::DuplicatePiece {
                bordereau: 7,
                piece: 1
            }
        ),
        "{e}"
    );
    // Same IdPce in two bordereaux is fine.
    assert!(write_pes(&[(bordereau(1), vec![good()]), (bordereau(2), vec![good()])]).is_ok());
    // Transfer without bank details.
    let mut p = good();
    std::sync::Arc::make_mut(&mut p.lines[0].payee).bank = None;
    let e = expect_err(vec![(bordereau(1), vec![p])]);
    assert!(
        matches!(e, PaymentFileError::BankDetailsRequired { mode: "03", .. }),
        "{e}"
    );
    // Cheque with bank details.
    let mut p = good();
    p.lines[0].payment_mode = PaymentMode::CHEQUE;
    let e = expect_err(vec![(bordereau(1), vec![p])]);
    assert!(
        matches!(e, PaymentFileError::BankDetailsForbidden { mode: "02", .. }),
        "{e}"
    );
    // Cheque without bank details is fine.
    let mut p = good();
    p.lines[0].payment_mode = PaymentMode::CHEQUE;
    std::sync::Arc::make_mut(&mut p.lines[0].payee).bank = None;
    let bytes = write_pes(&[(bordereau(1), vec![p])]).expect("cheque");
    validate(Some(&bytes), None);
    // Zero, negative and too large amounts.
    for amount in [0, -1, 100_000_000_000_000] {
        let p = piece(1, amount, payee("Martin", "Jeanne", IBAN_FR, None));
        let e = expect_err(vec![(bordereau(1), vec![p])]);
        assert!(
            matches!(e, PaymentFileError::AmountOutOfRange { .. }),
            "{e}"
        );
    }
    // A test BIC (0 in 7th place) that the PES pattern refuses.
    let mut p = good();
    std::sync::Arc::make_mut(&mut p.lines[0].payee).bank = Some(BankAccount {
        iban: iban(IBAN_FR),
        bic: Some(bic("BNPAFR0P")),
        holder: String::new(),
    });
    let e = expect_err(vec![(bordereau(1), vec![p])]);
    assert_eq!(e.code(), "pes_bic");
    // Two lines with the same number, and a mandate without line.
    let mut p = good();
    let line = p.lines[0].clone();
    p.lines.push(line);
    let e = expect_err(vec![(bordereau(1), vec![p.clone()])]);
    assert!(
        matches!(e, PaymentFileError::DuplicateLine { piece: 1, line: 1 }),
        "{e}"
    );
    p.lines[1].id = LineId::new(2).expect("id");
    let bytes = write_pes(&[(bordereau(1), vec![p.clone()])]).expect("two lines");
    validate(Some(&bytes), None);
    p.lines.clear();
    let mut w = PesWriter::new(Vec::new(), &issuer(), &pes_file()).expect("header");
    w.begin_bordereau(
        &bordereau(1),
        Totals {
            count: 1,
            amount: Cents(1),
        },
    )
    .expect("opened");
    assert!(matches!(
        w.write_piece(&p),
        Err(PaymentFileError::EmptyPiece(1))
    ));
    // A mandate outside any bordereau; a file without bordereau.
    let mut w = PesWriter::new(Vec::new(), &issuer(), &pes_file()).expect("header");
    assert!(matches!(
        w.write_piece(&good()),
        Err(PaymentFileError::NoOpenBordereau)
    ));
    let w = PesWriter::new(Vec::new(), &issuer(), &pes_file()).expect("header");
    assert!(matches!(w.finish(), Err(PaymentFileError::NoBordereau)));
    // NbrPce has 5 digits.
    let mut w = PesWriter::new(Vec::new(), &issuer(), &pes_file()).expect("header");
    let e = w
        .begin_bordereau(
            &bordereau(1),
            Totals {
                count: 100_000,
                amount: Cents(100_000),
            },
        )
        .expect_err("too many");
    assert!(e.to_string().contains("NbrPce"), "{e}");
}

#[test]
fn the_schema_check_is_not_vacuous() {
    // CodCol 000 and a four-digit CodBud: xmllint must refuse them, or validity proves nothing.
    let text = latin1(&write_pes(&[(bordereau(15), two_pieces())]).expect("written"));
    let bad = text.replace("<CodCol V=\"069\"/>", "<CodCol V=\"000\"/>");
    let dir = temp_dir();
    let bytes: Vec<u8> = bad
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    let (valid, report) = run_xmllint(PES_XSD, &[save(dir.path(), "bad.xml", &bytes)]);
    assert!(!valid, "{report}");
    assert!(report.contains("CodCol"), "{report}");
}

/// A mandate's lines that share their payee (one `Arc`) get its `Tiers` written once and
/// copied; a line whose payee differs, even by its IBAN alone under the same reference, gets
/// its own. A cache keyed by the reference would pay the second line to the first account.
#[test]
fn each_line_carries_its_own_payee() {
    let mut p = piece(
        101,
        10_000,
        payee("Martin", "Jeanne", IBAN_FR, Some("BNPAFRPP")),
    );
    let first = p.lines[0].clone();
    let mut same = first.clone();
    same.id = LineId::new(2).expect("id");
    let mut other = first.clone();
    other.id = LineId::new(3).expect("id");
    std::sync::Arc::make_mut(&mut other.payee).bank = Some(BankAccount {
        iban: iban("DE89370400440532013000"),
        bic: Some(bic("DEUTDEFF")),
        holder: String::new(),
    });
    let mut back = first.clone();
    back.id = LineId::new(4).expect("id");
    p.lines.extend([same, other, back]);
    let bytes = write_pes(&[(bordereau(15), vec![p])]).expect("written");
    validate(Some(&bytes), None);
    let text = latin1(&bytes);
    let ibans: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("<IBAN V=\""))
        .collect();
    assert_eq!(
        ibans,
        [
            "FR7630006000011234567890189\"/>",
            "FR7630006000011234567890189\"/>",
            "DE89370400440532013000\"/>",
            "FR7630006000011234567890189\"/>"
        ]
    );
    assert_eq!(text.matches("<Nom V=\"Martin\"/>").count(), 4, "{text}");
}

/// The checker skips an IBAN equal to the one it has just checked, never one that differs:
/// a wrong key after a good IBAN is still found.
#[test]
fn check_finds_a_bad_iban_after_a_good_one() {
    let pieces = vec![
        piece(
            101,
            100,
            payee("Martin", "Jeanne", IBAN_FR, Some("BNPAFRPP")),
        ),
        piece(102, 100, payee("Martin", "Paul", IBAN_FR, Some("BNPAFRPP"))),
        piece(103, 100, payee("Durand", "Marc", IBAN_FR, Some("BNPAFRPP"))),
    ];
    let text = latin1(&write_pes(&[(bordereau(15), pieces)]).expect("written"));
    assert!(check_pes(text.as_bytes()).is_ok());
    let last = text.rfind("FR7630006000011234567890189").expect("iban");
    let mut bad = text.clone();
    bad.replace_range(last..last + 27, "FR7630006000011234567890188");
    assert!(matches!(
        check_pes(bad.as_bytes()),
        Err(CheckError::BadIban { .. })
    ));
}

/// A mandate written line by line (a payroll's: a line per agent) gives the bytes of the same
/// mandate written whole; a line numbered out of order or a mandate without lines is refused.
#[test]
fn a_streamed_mandate_is_the_same_bytes_and_refuses_what_whole_ones_do() {
    let pieces = two_pieces();
    let whole = write_pes(&[(bordereau(15), pieces.clone())]).expect("whole");
    let totals = Totals {
        count: 2,
        amount: Cents(64_218 + 60_792),
    };
    let mut w = PesWriter::new(Vec::new(), &issuer(), &pes_file()).expect("writer");
    w.begin_bordereau(&bordereau(15), totals)
        .expect("bordereau");
    for p in &pieces {
        w.begin_piece(p).expect("begin");
        for l in &p.lines {
            w.write_line(l).expect("line");
        }
        w.end_piece().expect("end");
    }
    let (streamed, summary) = w.finish().expect("finish");
    assert_eq!(latin1(&streamed), latin1(&whole));
    assert_eq!((summary.pieces, summary.lines), (2, 2));

    let mut w = PesWriter::new(Vec::new(), &issuer(), &pes_file()).expect("writer");
    w.begin_bordereau(&bordereau(15), totals)
        .expect("bordereau");
    w.begin_piece(&pieces[0]).expect("begin");
    assert!(matches!(
        w.end_piece(),
        Err(PaymentFileError::EmptyPiece(101))
    ));
    let mut w = PesWriter::new(Vec::new(), &issuer(), &pes_file()).expect("writer");
    w.begin_bordereau(&bordereau(15), totals)
        .expect("bordereau");
    w.begin_piece(&pieces[0]).expect("begin");
    w.write_line(&pieces[0].lines[0]).expect("line");
    assert!(matches!(
        w.write_line(&pieces[0].lines[0]),
        Err(PaymentFileError::DuplicateLine { .. })
    ));
}
