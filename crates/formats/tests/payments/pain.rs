//! The pain.001.001.09 writer: golden file, XSD validity on hard input, EPC texts, totals.

use crate::support::*;
use relais_core::Cents;
use relais_formats::payments::model::{SepaAmount, SepaId, Totals};
use relais_formats::payments::{CheckError, Pain001Writer, PaymentFileError, Scope, check_pain001};

fn three() -> Vec<relais_formats::payments::model::Transfer> {
    vec![
        transfer(1, 64_218, "Jeanne Martin", IBAN_FR, Some("BNPAFRPP")),
        transfer(
            2,
            60_792,
            "Élodie Müller-Ça & Fils",
            "DE89370400440532013000",
            None,
        ),
        transfer(3, 1, "Œdipe L’Haÿ", "BE68539007547034", Some("GEBABEBB")),
    ]
}

#[test]
fn golden_small_file() {
    let bytes = write_pain(&three()).expect("written");
    validate(None, Some(&bytes));
    let text = String::from_utf8(bytes).expect("UTF-8");
    insta::assert_snapshot!("pain_small", text);
}

#[test]
fn header_namespace_and_totals() {
    let text = String::from_utf8(write_pain(&three()).expect("written")).expect("UTF-8");
    assert!(text.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09 pain.001.001.09.xsd\">"
    ));
    // NbOfTxs and CtrlSum twice (group header, payment information), exact to the cent.
    assert_eq!(text.matches("<NbOfTxs>3</NbOfTxs>").count(), 2);
    assert_eq!(text.matches("<CtrlSum>1250.11</CtrlSum>").count(), 2);
    assert!(text.contains("<Nm>Elodie Muller-Ca Fils</Nm>"));
    assert!(text.contains("<Nm>OEdipe L'Hay</Nm>"));
    assert!(text.contains("<ChrgBr>SLEV</ChrgBr>"));
    // No BIC: no creditor agent at all.
    assert_eq!(text.matches("<CdtrAgt>").count(), 2);
    assert_eq!(
        check_pain001(text.as_bytes()).expect("checked"),
        Totals {
            count: 3,
            amount: Cents(125_011)
        }
    );
}

#[test]
fn same_input_same_bytes() {
    assert_eq!(
        write_pain(&three()).expect("a"),
        write_pain(&three()).expect("b")
    );
}

#[test]
fn hard_names_amounts_and_countries_stay_valid() {
    let names = [
        "Łukasz Żółć",
        "Nguyễn 😀 李",
        "Dupont & Fils <SARL> \"x\" a_b",
        "",
        "李小龍",
        &"Très-long-nom ".repeat(12),
        "x".repeat(140).as_str(),
        "\u{0}\u{1f}\t\n",
    ]
    .map(str::to_owned);
    let mut transfers = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let (account, bic) = IBANS_ABROAD[i % IBANS_ABROAD.len()];
        let seq = u32::try_from(i).expect("small") + 1;
        let mut t = transfer(
            seq,
            1,
            name,
            account,
            if i % 2 == 0 { Some(bic) } else { None },
        );
        t.remittance = name.repeat(3);
        transfers.push(t);
    }
    // 0.01 and 1,000,000.00 euros, and the largest SEPA amount.
    transfers.push(transfer(20, 100_000_000, "Grand Montant", IBAN_FR, None));
    transfers.push(transfer(21, 99_999_999_999, "Plus Grand", IBAN_FR, None));
    let bytes = write_pain(&transfers).expect("written");
    validate(None, Some(&bytes));
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert!(
        text.contains("<Nm>INCONNU</Nm>"),
        "empty names get the substitute"
    );
    assert!(text.contains(&format!("<Nm>{}</Nm>", "x".repeat(70))));
    assert!(text.contains(&format!("<Ustrd>{}</Ustrd>", "x".repeat(140))));
    assert!(text.contains("<InstdAmt Ccy=\"EUR\">0.01</InstdAmt>"));
    assert!(text.contains("<InstdAmt Ccy=\"EUR\">1000000.00</InstdAmt>"));
    assert!(text.contains("<InstdAmt Ccy=\"EUR\">999999999.99</InstdAmt>"));
    for bad in ["&", "<SARL", "\"x", "_", "Ł", "😀"] {
        assert!(!text.contains(bad), "{bad}");
    }
    let checked = check_pain001(text.as_bytes()).expect("checked");
    assert_eq!(checked.count, 10);
}

#[test]
fn debtor_without_bic_is_not_provided() {
    let mut issuer = issuer();
    issuer.debtor.bic = None;
    let transfers = three();
    let mut totals = Totals::default();
    for t in &transfers {
        totals.add_transfer(t).expect("total");
    }
    let mut w = Pain001Writer::new(Vec::new(), &issuer, &sepa_file(), totals).expect("header");
    for t in &transfers {
        w.write_transfer(t).expect("transfer");
    }
    let (bytes, written) = w.finish().expect("finished");
    assert_eq!(written, totals);
    validate(None, Some(&bytes));
    let text = String::from_utf8(bytes).expect("UTF-8");
    let agent = text
        .split("<DbtrAgt>")
        .nth(1)
        .and_then(|s| s.split("</DbtrAgt>").next())
        .expect("debtor agent");
    let agent: String = agent.split_whitespace().collect();
    assert_eq!(
        agent,
        "<FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId>"
    );
}

#[test]
fn declared_totals_must_match() {
    let transfers = three();
    for declared in [
        Totals {
            count: 3,
            amount: Cents(125_012),
        },
        Totals {
            count: 4,
            amount: Cents(125_011),
        },
        Totals {
            count: 2,
            amount: Cents(125_011),
        },
    ] {
        let mut w =
            Pain001Writer::new(Vec::new(), &issuer(), &sepa_file(), declared).expect("header");
        for t in &transfers {
            w.write_transfer(t).expect("transfer");
        }
        let e = w.finish().expect_err("mismatch");
        assert!(
            matches!(
                e,
                PaymentFileError::TotalsMismatch {
                    scope: Scope::File,
                    written_count: 3,
                    written_amount: Cents(125_011),
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.message_en().contains("1250.11"));
    }
}

#[test]
fn amounts_out_of_range_are_refused_by_the_model() {
    for cents in [0, -1, 100_000_000_000] {
        let e = SepaAmount::new(Cents(cents)).expect_err("out of range");
        assert_eq!(e.code(), "paiement_montant");
        assert!(e.to_string().contains("hors limites"), "{e}");
    }
    assert!(SepaAmount::new(Cents(1)).is_ok());
    assert!(SepaAmount::new(Cents(99_999_999_999)).is_ok());
}

#[test]
fn refusals() {
    // EndToEndIds must increase (that proves them unique).
    let mut transfers = three();
    transfers[2].end_to_end_id = SepaId::parse("APA-2025-01-00000001").expect("id");
    let e = write_pain(&transfers).expect_err("duplicate id");
    assert_eq!(e.code(), "sepa_reference_ordre");
    // An account outside the SEPA area.
    let mut transfers = three();
    transfers[0].creditor_iban = iban("BR1800360305000010009795493C1");
    let e = write_pain(&transfers).expect_err("not SEPA");
    assert_eq!(e.code(), "sepa_pays");
    // No transfer at all.
    assert!(Pain001Writer::new(Vec::new(), &issuer(), &sepa_file(), Totals::default()).is_err());
    // Nothing more after an error.
    let transfers = three();
    let mut w = Pain001Writer::new(
        Vec::new(),
        &issuer(),
        &sepa_file(),
        Totals {
            count: 3,
            amount: Cents(125_011),
        },
    )
    .expect("header");
    w.write_transfer(&transfers[1]).expect("first");
    assert!(w.write_transfer(&transfers[0]).is_err());
    assert!(matches!(
        w.write_transfer(&transfers[2]),
        Err(PaymentFileError::AfterError)
    ));
}

#[test]
fn check_catches_tampering() {
    let text = String::from_utf8(write_pain(&three()).expect("written")).expect("UTF-8");
    let once = text.replacen(
        "<CtrlSum>1250.11</CtrlSum>",
        "<CtrlSum>1250.12</CtrlSum>",
        1,
    );
    assert!(matches!(
        check_pain001(once.as_bytes()),
        Err(CheckError::TotalsMismatch { .. })
    ));
    let amount = text.replace(">642.18<", ">642.19<");
    assert!(matches!(
        check_pain001(amount.as_bytes()),
        Err(CheckError::TotalsMismatch { .. })
    ));
    let name = text.replace("<Nm>Jeanne Martin</Nm>", "<Nm>Jeanne &amp; Martin</Nm>");
    assert!(check_pain001(name.as_bytes()).is_err());
    let currency = text.replace("Ccy=\"EUR\">642.18", "Ccy=\"USD\">642.18");
    assert!(matches!(
        check_pain001(currency.as_bytes()),
        Err(CheckError::BadValue { .. })
    ));
}

#[test]
fn the_schema_check_is_not_vacuous() {
    let text = String::from_utf8(write_pain(&three()).expect("written")).expect("UTF-8");
    let bad = text.replace("<ChrgBr>SLEV</ChrgBr>", "<ChrgBr>FREE</ChrgBr>");
    let dir = temp_dir();
    let (valid, report) = run_xmllint(PAIN_XSD, &[save(dir.path(), "bad.xml", bad.as_bytes())]);
    assert!(!valid, "{report}");
    assert!(report.contains("ChrgBr"), "{report}");
}
