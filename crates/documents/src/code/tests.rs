use super::*;
use jiff::Timestamp;
use relais_core::Cents;
use relais_core::deposits::{ChronoNumber, DepositKind};
use relais_core::ids::Siret;

fn ts(s: &str) -> Timestamp {
    s.parse().expect("ts")
}

fn siret() -> Siret {
    Siret::from_first13("7328293200007").expect("siret")
}

fn invoice() -> ReceiptSummary {
    ReceiptSummary {
        version: 2,
        number: ChronoNumber::new(2026, 123).expect("n"),
        received_at: ts("2026-11-23T09:15:42Z"),
        registered_at: ts("2026-11-23T09:15:42Z"),
        kind: DepositKind::Facture,
        pages: 3,
        depositor_digest: depositor_digest("SARL Dupont & Fils"),
        facts: BoundFacts::Invoice {
            amount: Cents(123_456),
            siret: siret(),
            number_digest: invoice_number_digest("F-2026-118"),
        },
    }
}

/// A version 1 code as signed before issue #19 (26-byte summary).
fn sign_v1(key: &ReceiptKey, s: &ReceiptSummary) -> String {
    let mut b = [0u8; 26];
    b[0] = 1;
    b[1..5].copy_from_slice(&key_id(&key.public()));
    b[5..7].copy_from_slice(&(s.number.year() as u16).to_be_bytes());
    b[7..10].copy_from_slice(&s.number.seq().to_be_bytes()[1..]);
    let secs = u64::try_from(s.received_at.as_second()).expect("secs");
    b[10..15].copy_from_slice(&secs.to_be_bytes()[3..]);
    b[15] = s.kind.code();
    b[16..18].copy_from_slice(&u16::try_from(s.pages).unwrap_or(u16::MAX).to_be_bytes());
    b[18..26].copy_from_slice(&s.depositor_digest);
    let sig = key.0.sign(&signed_message(&b));
    code_from_bytes(&[&b[..], &sig.to_bytes()[..]].concat())
}

#[test]
fn a_signed_code_verifies_and_gives_back_the_facts() {
    let key = ReceiptKey::from_seed(&[7u8; 32]);
    let code = key.sign(&invoice());
    assert_eq!(code.chars().filter(|c| *c != '-').count(), 192);
    assert_eq!(verify(&code, &key.public()), Ok(invoice()));
    // As typed: lower case, spaces instead of dashes, O for 0.
    let typed = code.to_lowercase().replace('-', " ").replace('0', "o");
    assert_eq!(verify(&typed, &key.public()), Ok(invoice()));
    assert_eq!(
        depositor_digest("sarl dupont & fils "),
        invoice().depositor_digest
    );
    assert_eq!(
        invoice_number_digest(" f-2026-118"),
        invoice_number_digest("F-2026-118")
    );
}

#[test]
fn every_kind_s_facts_round_trip_and_pages_are_not_capped() {
    let key = ReceiptKey::from_seed(&[7u8; 32]);
    let base = invoice();
    let cases = [
        (DepositKind::Autre, BoundFacts::None),
        (
            DepositKind::OffreMarche,
            BoundFacts::Bid {
                deadline: ts("2026-12-01T11:00:00Z"),
            },
        ),
        (
            DepositKind::DemandeApa,
            BoundFacts::Application {
                dossier: Some(dossier_digest("D-00042")),
                missing: Some((
                    missing_digest(&["RIB".to_owned()]),
                    jiff::civil::date(2027, 1, 4),
                )),
            },
        ),
        (
            DepositKind::DemandePch,
            BoundFacts::Application {
                dossier: None,
                missing: None,
            },
        ),
        (
            DepositKind::PiecesComplementaires,
            BoundFacts::Documents {
                dossier: Some(dossier_digest("D-00042")),
                completes: ChronoNumber::new(2026, 41),
            },
        ),
    ];
    for (kind, facts) in cases {
        let s = ReceiptSummary {
            kind,
            facts,
            pages: 100_000,
            registered_at: ts("2026-11-25T08:00:00Z"),
            ..base.clone()
        };
        assert_eq!(verify(&key.sign(&s), &key.public()), Ok(s));
    }
}

#[test]
fn a_code_whose_amount_was_changed_does_not_verify() {
    let key = ReceiptKey::from_seed(&[7u8; 32]);
    let code = key.sign(&invoice());
    let mut bytes = code_bytes(&code).expect("bytes");
    // The amount is the first 6 bytes of the facts: 1 234,56 € becomes 12 345,60 €.
    bytes[FACTS_AT..FACTS_AT + 6].copy_from_slice(&1_234_560u64.to_be_bytes()[2..]);
    let forged = code_from_bytes(&bytes);
    assert_ne!(forged, code);
    assert_eq!(verify(&forged, &key.public()), Err(VerifyError::Altered));
    // The registration time too.
    let mut bytes = code_bytes(&code).expect("bytes");
    bytes[19] ^= 1;
    assert_eq!(
        verify(&code_from_bytes(&bytes), &key.public()),
        Err(VerifyError::Altered)
    );
}

#[test]
fn any_changed_character_is_caught() {
    let key = ReceiptKey::from_seed(&[7u8; 32]);
    let code = key.sign(&invoice());
    let chars: Vec<char> = code.chars().collect();
    for i in (0..chars.len()).filter(|&i| chars[i] != '-') {
        let mut altered = chars.clone();
        altered[i] = if chars[i] == 'Z' { 'Y' } else { 'Z' };
        let altered: String = altered.into_iter().collect();
        assert!(verify(&altered, &key.public()).is_err(), "position {i}");
    }
    assert_eq!(verify("ABCD", &key.public()), Err(VerifyError::Unreadable));
    assert_eq!(verify("", &key.public()), Err(VerifyError::Unreadable));
    assert_eq!(
        verify(&code.replacen('-', "U", 1), &key.public()),
        Err(VerifyError::Unreadable)
    );
}

#[test]
fn a_code_printed_before_version_2_still_verifies() {
    let key = ReceiptKey::from_seed(&[7u8; 32]);
    let v1 = ReceiptSummary {
        version: 1,
        facts: BoundFacts::None,
        pages: 70_000,
        ..invoice()
    };
    let code = sign_v1(&key, &v1);
    assert_eq!(code.chars().filter(|c| *c != '-').count(), 144);
    let back = verify(&code, &key.public()).expect("v1");
    assert_eq!(back.version, 1);
    assert_eq!(back.pages, 65_535, "version 1 saturated the page count");
    assert_eq!(back.registered_at, back.received_at);
}

#[test]
fn another_authoritys_key_is_refused() {
    let ours = ReceiptKey::from_seed(&[7u8; 32]);
    let theirs = ReceiptKey::from_seed(&[8u8; 32]);
    let code = theirs.sign(&invoice());
    assert_eq!(verify(&code, &ours.public()), Err(VerifyError::OtherKey));
}

#[test]
fn keys_read_back_and_never_show_the_secret() {
    let key = ReceiptKey::from_seed(&[9u8; 32]);
    let again = ReceiptKey::from_file_text(&key.to_file_text()).expect("read back");
    assert_eq!(again.public(), key.public());
    let public = parse_public_key(&public_key_text(&key.public())).expect("public");
    assert_eq!(public, key.public());
    let debug = format!("{key:?}");
    assert!(!debug.contains(&to_hex(&[9u8; 32])), "{debug}");
    assert!(debug.contains("redacted"));
    assert_eq!(
        ReceiptKey::from_file_text("zz").err(),
        Some(KeyError::Unreadable)
    );
}
