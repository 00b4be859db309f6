use super::*;

#[test]
fn identifiers_are_checked() {
    assert!(CollectivityCode::parse("069").is_ok());
    assert!(CollectivityCode::parse("000").is_err());
    assert!(CollectivityCode::parse("69").is_err());
    assert!(BudgetCode::parse("01").is_ok());
    assert!(BudgetCode::parse("A1").is_ok());
    assert!(BudgetCode::parse("1A").is_err());
    assert!(PostId::parse("069099").is_ok());
    assert!(PostId::parse("0690991").is_ok());
    assert!(PostId::parse("02A123").is_ok());
    assert!(PostId::parse("02C123").is_err());
    assert!(PostId::parse("12345").is_err());
    assert!(PostCode::parse("69003").is_ok());
    assert!(PostCode::parse("6900").is_err());
    assert!(SepaId::parse("RUN-2025-01/000001").is_ok());
    assert!(SepaId::parse("/X").is_err());
    assert!(SepaId::parse("A//B").is_err());
    assert!(SepaId::parse("A B").is_err());
    assert!(SepaId::parse(&"A".repeat(36)).is_err());
    assert!(PesFileName::parse("PESALR1_X.xml").is_ok());
    assert!(PesFileName::parse("a b").is_err());
    assert!(BudgetAccount::parse("651141").is_ok());
    assert!(BudgetAccount::parse("0").is_err());
    assert!(BudgetAccount::parse("1234567890123").is_err());
    assert!(BordereauId::new(0).is_err());
    assert!(BordereauId::new(9_999_999).is_ok());
    assert!(BordereauId::new(10_000_000).is_err());
    assert!(PieceId::new(100_000_000).is_err());
    assert!(LineId::new(1_000_000).is_err());
}

#[test]
fn code_lists() {
    assert_eq!(PaymentMode::parse("03").map(|m| m.code()).ok(), Some("03"));
    assert_eq!(PaymentMode::parse(" 03 ").ok(), Some(PaymentMode::TRANSFER));
    assert!(PaymentMode::parse("21").is_err());
    assert!(BordereauKind::parse("04").is_err());
    assert!(PieceNature::parse("15").is_err());
    for k in [
        PieceKind::ORDINARY_MANDATE,
        PieceKind::AFTER_PAYMENT,
        PieceKind::COLLECTIVE,
        PieceKind::PAYMENT_ORDER,
    ] {
        assert_eq!(PieceKind::parse(k.code()).ok(), Some(k));
    }
    for k in [PayeeCategory::PERSON, PayeeCategory::PRIVATE_BODY] {
        assert_eq!(PayeeCategory::parse(k.code()).ok(), Some(k));
    }
    for k in [
        LegalNature::INDIVIDUAL,
        LegalNature::COMPANY,
        LegalNature::ASSOCIATION,
        LegalNature::CAF,
    ] {
        assert_eq!(LegalNature::parse(k.code()).ok(), Some(k));
    }
    let e = PaymentMode::parse("99").expect_err("not a mode");
    assert_eq!(e.code(), "paiement_valeur");
    assert!(e.to_string().contains("ModRegl"));
    assert!(e.message_en().contains("payment mode"));
}

#[test]
fn sepa_amounts() {
    assert!(SepaAmount::new(Cents(1)).is_ok());
    assert!(SepaAmount::new(SEPA_MAX_AMOUNT).is_ok());
    assert!(SepaAmount::new(Cents(0)).is_err());
    assert!(SepaAmount::new(Cents(-5)).is_err());
    let e = SepaAmount::new(Cents(100_000_000_000)).expect_err("too large");
    assert_eq!(e.code(), "paiement_montant");
    assert!(e.to_string().contains("hors limites"));
}

#[test]
fn totals_overflow_is_an_error() {
    let mut t = Totals::default();
    assert!(t.add(Cents(i64::MAX)).is_ok());
    assert!(matches!(t.add(Cents(1)), Err(PaymentFileError::Overflow)));
}
