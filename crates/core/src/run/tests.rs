use super::*;
use jiff::civil::date;

fn month(s: &str) -> Month {
    Month::parse(s).expect("month")
}

#[test]
fn run_ids_read_back() {
    let id = RunId::new(month("2026-12"), 3).expect("id");
    assert_eq!(id.to_string(), "P2026-12-03");
    assert_eq!("P2026-12-03".parse::<RunId>(), Ok(id));
    assert_eq!(" p2026-12-03 ".parse::<RunId>(), Ok(id));
    for bad in [
        "",
        "P",
        "P2026-12",
        "P2026-12-3",
        "P2026-13-01",
        "P2026-12-00",
        "X2026-12-01",
        "P2026-12-001",
        "P2026-12-0a",
        "Pé026-12-01",
    ] {
        assert!(bad.parse::<RunId>().is_err(), "{bad}");
    }
    assert!(RunId::new(month("2026-12"), 100).is_none());
}

#[test]
fn pay_dates_move_back_to_a_working_day() {
    let z = HolidayZone::Metropole;
    // 10 January 2027 is a Sunday: paid Friday the 8th.
    assert_eq!(pay_date(month("2027-01"), 10, z), date(2027, 1, 8));
    // 10 December 2026 is a Thursday.
    assert_eq!(pay_date(month("2026-12"), 10, z), date(2026, 12, 10));
    // 14 July 2027 (a Wednesday, holiday): the 13th.
    assert_eq!(pay_date(month("2027-07"), 14, z), date(2027, 7, 13));
    // Day 31 in February: its last day, 28 February 2027, a Sunday → Friday the 26th.
    assert_eq!(pay_date(month("2027-02"), 31, z), date(2027, 2, 26));
    // 1 May 2026 (Friday, holiday) day 1 → the last working day of April, Thursday 30.
    assert_eq!(pay_date(month("2026-05"), 1, z), date(2026, 4, 30));
}

#[test]
fn imputations_give_their_account() {
    assert_eq!(imputation_account("65-652421"), Some("652421"));
    assert_eq!(imputation_account("65/6514"), Some("6514"));
    assert_eq!(imputation_account(" 651141 "), Some("651141"));
    assert_eq!(imputation_account("chap. 016"), Some("016"));
    assert_eq!(imputation_account("000"), None);
    assert_eq!(imputation_account("aucune"), None);
    assert_eq!(imputation_account("1234567890123"), None);
}

#[test]
fn remittance_texts() {
    assert_eq!(
        remittance(Benefit::ApaDom, month("2026-12"), "123456"),
        "APA 2026-12 dossier 123456"
    );
    assert_eq!(month_label_upper(month("2026-02")), "FEVRIER 2026");
    let long = "9".repeat(300);
    assert!(
        remittance(Benefit::Pch, month("2026-12"), &long)
            .chars()
            .count()
            <= 140
    );
}

fn policy() -> RenewalPolicy {
    RenewalPolicy {
        benefits: vec![Benefit::ApaDom, Benefit::Pch],
        ends_from: date(2022, 9, 1),
        ends_to: date(2023, 8, 31),
        new_end: date(2023, 9, 30),
        legal_reference: "arrêté n° 2022-123".into(),
        decided_by: "Le Président".into(),
    }
}

#[test]
fn renewal_window_is_inclusive_and_idempotent() {
    let p = policy();
    p.validate().expect("valid");
    let ok = RightStatus::EnPaiement;
    assert_eq!(
        p.renews(Benefit::ApaDom, date(2022, 9, 1), ok),
        Some(date(2023, 9, 30))
    );
    assert_eq!(
        p.renews(Benefit::ApaDom, date(2023, 8, 31), ok),
        Some(date(2023, 9, 30))
    );
    assert_eq!(p.renews(Benefit::ApaDom, date(2022, 8, 31), ok), None);
    assert_eq!(p.renews(Benefit::ApaDom, date(2023, 9, 1), ok), None);
    // Renewed once, the right ends on new_end: outside the window, not renewed again.
    assert_eq!(p.renews(Benefit::ApaDom, date(2023, 9, 30), ok), None);
    assert_eq!(p.renews(Benefit::Ash, date(2023, 1, 1), ok), None);
    assert_eq!(
        p.renews(Benefit::Pch, date(2023, 1, 1), RightStatus::Suspendu),
        None
    );
    assert_eq!(
        p.renews(Benefit::Pch, date(2023, 1, 1), RightStatus::Clos),
        None
    );
}

#[test]
fn renewal_policies_are_checked() {
    let mut p = policy();
    p.new_end = date(2023, 8, 31);
    assert!(matches!(
        p.validate(),
        Err(PolicyError::NewEndTooEarly { .. })
    ));
    let mut p = policy();
    p.ends_from = date(2024, 1, 1);
    assert!(matches!(
        p.validate(),
        Err(PolicyError::InvertedWindow { .. })
    ));
    let mut p = policy();
    p.benefits.clear();
    assert_eq!(p.validate(), Err(PolicyError::NoBenefit));
    let mut p = policy();
    p.legal_reference = " ".into();
    assert_eq!(p.validate(), Err(PolicyError::NoReference));
}

#[test]
fn iban_sharing() {
    let person = |n| IbanHolder {
        siren: None,
        family_name: n,
    };
    let body = |s, n| IbanHolder {
        siren: Some(s),
        family_name: n,
    };
    assert!(may_share_iban(&person("Dupont"), &person("DUPONT ")));
    assert!(may_share_iban(&person("Hélène"), &person("HELENE")));
    assert!(!may_share_iban(&person("Dupont"), &person("Martin")));
    assert!(may_share_iban(
        &body("732829320", "EHPAD A"),
        &body("732829320", "EHPAD B")
    ));
    assert!(!may_share_iban(
        &body("732829320", "X"),
        &body("552100554", "X")
    ));
    assert!(!may_share_iban(
        &body("732829320", "Dupont"),
        &person("Dupont")
    ));
}
