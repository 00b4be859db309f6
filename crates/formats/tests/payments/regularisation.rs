//! Mandats émis après paiement (TypPce 05): valid against the schema with the payment they
//! regularise in each line's `RattachPiece`, read back by our checker; refused for payroll
//! (NatPce 11), without the payment, and the payment refused on any other mandate.

use crate::support::*;
use relais_formats::payments::check_pes;
use relais_formats::payments::model::{Piece, PieceKind, PieceNature, SettledPayment};

fn after_payment(id: u32, amount: i64, original: u64) -> Piece {
    let mut p = piece(
        id,
        amount,
        payee("Martin", "Jeanne", IBAN_FR, Some("BNPAFRPP")),
    );
    p.kind = PieceKind::AFTER_PAYMENT;
    p.nature = PieceNature::OPERATING;
    p.settles = Some(SettledPayment {
        year: 2026,
        payment: original,
    });
    p
}

#[test]
fn a_mandate_after_payment_names_the_payment_and_validates() {
    let bytes = write_pes(&[(
        bordereau(43),
        vec![
            after_payment(1_301, 64_218, 1_201),
            after_payment(1_302, 5_000, 1_202),
        ],
    )])
    .expect("written");
    validate(Some(&bytes), None);
    let text = latin1(&bytes).replace('\n', "");
    assert!(
        text.contains(r#"<TypPce V="05"/><NatPce V="01"/>"#),
        "{text}"
    );
    assert!(
        text.contains(
            r#"<RattachPiece><NatPceOrig V="03"/><ExerRat V="2026"/><IdPceOrig V="1201"/></RattachPiece>"#
        ),
        "{text}"
    );
    // The block sits after the line's InfoLignePce, inside BlocLignePiece (schema order).
    assert!(text.contains(r#"</InfoLignePce><RattachPiece>"#), "{text}");
    let check = check_pes(&bytes[..]).expect("read back");
    assert_eq!(check.totals().count, 2);
}

#[test]
fn payroll_may_not_be_regularised_after_payment() {
    let mut p = after_payment(1, 100, 7);
    p.nature = PieceNature::PAYROLL;
    let err = write_pes(&[(bordereau(1), vec![p])]).expect_err("NatPce 11 refused");
    assert!(err.to_string().contains("non admis pour la paie"), "{err}");
}

#[test]
fn a_mandate_after_payment_needs_its_payment_and_no_other_names_one() {
    let mut p = after_payment(1, 100, 7);
    p.settles = None;
    let err = write_pes(&[(bordereau(1), vec![p])]).expect_err("no payment");
    assert!(err.to_string().contains("RattachPiece"), "{err}");

    let mut p = after_payment(1, 100, 7);
    p.kind = PieceKind::ORDINARY_MANDATE;
    let err = write_pes(&[(bordereau(1), vec![p])]).expect_err("payment on TypPce 01");
    assert!(err.to_string().contains("TypPce 05"), "{err}");
}
