use super::*;
use crate::Cents;
use crate::calendar::{HolidayZone, is_working_day};
use crate::ids::Siret;
use crate::invoices::*;
use jiff::civil::Date;
use jiff::civil::date;
use proptest::prelude::*;

fn tz(name: &str) -> TimeZone {
    TimeZone::get(name).expect("tz")
}

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

#[test]
fn chrono_numbers_print_and_parse() {
    let n = ChronoNumber::new(2026, 42).expect("n");
    assert_eq!(n.to_string(), "2026-000042");
    assert_eq!(ChronoNumber::parse(" 2026-000042 "), Ok(n));
    for bad in [
        "",
        "2026-42",
        "2026000042",
        "26-000042",
        "2026-0000042",
        "2026-000000",
        "0000-000001",
        "2026-00004a",
        "2026/000042",
        "+026-000042",
    ] {
        assert!(ChronoNumber::parse(bad).is_err(), "{bad:?}");
    }
    assert!(ChronoNumber::new(2026, 1_000_000).is_none());
    assert!(
        ChronoNumber::parse("2025-999999").expect("a")
            < ChronoNumber::parse("2026-000001").expect("b")
    );
}

proptest! {
    #[test]
    fn chrono_numbers_round_trip(year in 1i16..=9999, seq in 1u32..=999_999) {
        let n = ChronoNumber::new(year, seq).expect("valid");
        prop_assert_eq!(ChronoNumber::parse(&n.to_string()), Ok(n));
    }

    #[test]
    fn interest_is_exact(amount in 0i64..10_000_000_000, bp in 0u32..5_000, days in 0u32..3_650) {
        let c = interest(Cents(amount), bp, days).expect("fits");
        // c is the nearest integer to the exact value, ties up: |2·c·den − 2·num| ≤ den.
        let num = i128::from(amount) * i128::from(bp) * i128::from(days);
        let den = 3_650_000i128;
        let diff = 2 * i128::from(c.0) * den - 2 * num;
        prop_assert!(-den < diff && diff <= den, "{} {} {} -> {}", amount, bp, days, c.0);
    }
}

#[test]
fn the_year_is_the_authoritys() {
    // 23:59:59 on 31 December in Martinique (UTC−4) is 03:59:59 on 1 January in UTC.
    let at = ts("2026-01-01T03:59:59Z");
    assert_eq!(chrono_year(at, &tz("America/Martinique")), 2025);
    assert_eq!(chrono_year(at, &tz("Europe/Paris")), 2026);
    assert_eq!(
        chrono_year(ts("2026-01-01T04:00:00Z"), &tz("America/Martinique")),
        2026
    );
    // Paris: 23:30 on 31 December is 22:30 UTC, already the new year's eve in UTC only.
    assert_eq!(
        chrono_year(ts("2025-12-31T23:30:00Z"), &tz("Europe/Paris")),
        2026
    );
    assert_eq!(
        chrono_year(ts("2025-12-31T22:59:59Z"), &tz("Europe/Paris")),
        2025
    );
}

#[test]
fn local_times_across_daylight_saving_in_paris() {
    let paris = tz("Europe/Paris");
    // Spring forward, 29 March 2026: 02:00 CET becomes 03:00 CEST.
    let before = parse_local_datetime("2026-03-29 01:59", &paris, false).expect("t");
    assert_eq!(before, ts("2026-03-29T00:59:00Z"));
    let after = parse_local_datetime("2026-03-29 03:00", &paris, false).expect("t");
    assert_eq!(after, ts("2026-03-29T01:00:00Z"));
    // Fall back, 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:30 happens twice, the
    // earlier (summer time) is taken.
    let twice = parse_local_datetime("2026-10-25 02:30", &paris, false).expect("t");
    assert_eq!(twice, ts("2026-10-25T00:30:00Z"));
    assert_eq!(
        local_date_of(ts("2026-10-24T22:30:00Z"), &paris),
        date(2026, 10, 25)
    );
}

fn local_date_of(at: Timestamp, tz: &TimeZone) -> Date {
    crate::calendar::local_date(at, tz)
}

#[test]
fn delays_in_months_end_on_the_same_day_or_the_months_last() {
    let two = Delay::Months(2);
    assert_eq!(two.end(date(2026, 1, 15)), Some(date(2026, 3, 15)));
    assert_eq!(two.end(date(2025, 12, 31)), Some(date(2026, 2, 28)));
    assert_eq!(two.end(date(2023, 12, 31)), Some(date(2024, 2, 29)));
    assert_eq!(two.end(date(2026, 3, 31)), Some(date(2026, 5, 31)));
    assert_eq!(two.end(date(2026, 7, 31)), Some(date(2026, 9, 30)));
    assert_eq!(two.end(date(2026, 11, 30)), Some(date(2027, 1, 30)));
    assert_eq!(
        Delay::Months(4).end(date(2026, 10, 31)),
        Some(date(2027, 2, 28))
    );
    assert_eq!(
        Delay::Days(15).end(date(2026, 2, 20)),
        Some(date(2026, 3, 7))
    );
}

#[test]
fn implicit_decisions_are_not_moved_to_a_working_day() {
    let rules = KindRules::default_for(DepositKind::DemandeAide);
    // Ends on Saturday 14 March 2026: stays there.
    let (regime, end) = rules.implicit_decision(date(2026, 1, 14)).expect("svr");
    assert_eq!((regime, end), (Regime::Svr, date(2026, 3, 14)));
    assert!(!is_working_day(end, HolidayZone::Metropole));
    // Ends on Ascension (Thursday 14 May 2026): stays there.
    let (_, end) = rules.implicit_decision(date(2026, 3, 14)).expect("svr");
    assert_eq!(end, date(2026, 5, 14));
    assert!(!is_working_day(end, HolidayZone::Metropole));
    // No decision for an invoice.
    assert_eq!(
        KindRules::default_for(DepositKind::Facture).implicit_decision(date(2026, 1, 14)),
        None
    );
}

#[test]
fn invoice_deadlines_count_calendar_days() {
    assert_eq!(
        invoice_deadline(date(2026, 1, 30), 30),
        Some(date(2026, 3, 1))
    ); // a Sunday: kept
    assert_eq!(
        invoice_deadline(date(2026, 2, 1), 30),
        Some(date(2026, 3, 3))
    );
    assert_eq!(
        invoice_deadline(date(2024, 2, 1), 30),
        Some(date(2024, 3, 2))
    );
    assert_eq!(
        invoice_deadline(date(2026, 12, 15), 30),
        Some(date(2027, 1, 14))
    );
    assert_eq!(presumed_receipt(date(2026, 2, 27)), Some(date(2026, 3, 1)));
}

#[test]
fn late_rate_is_the_semesters_first_day_rate_plus_eight_points() {
    let rates = default_ecb_rates();
    assert_eq!(late_rate(&rates, date(2026, 2, 10)), Some(215 + 800));
    assert_eq!(late_rate(&rates, date(2023, 7, 15)), Some(400 + 800));
    // 2023-06-21 rate (4.00 %) is not yet in force on 1 January 2023 (2.50 %).
    assert_eq!(late_rate(&rates, date(2023, 6, 30)), Some(250 + 800));
    assert_eq!(late_rate(&rates, date(2022, 3, 1)), Some(800));
    assert_eq!(late_rate(&rates, date(2010, 3, 1)), None);
}

#[test]
fn interest_in_cents_rounded_half_up() {
    // 1,000.00 € at 10.15 % for 10 days = 2.7808… € → 278 cents.
    assert_eq!(interest(Cents(100_000), 1015, 10), Some(Cents(278)));
    // Exactly half a cent rounds up: 1 × 1825 × 1000 / 3,650,000 = 0.5.
    assert_eq!(interest(Cents(1), 1825, 1000), Some(Cents(1)));
    assert_eq!(interest(Cents(1), 1824, 1000), Some(Cents(0)));
    assert_eq!(interest(Cents(100_000), 1015, 0), Some(Cents(0)));
    assert_eq!(interest(Cents(i64::MAX), 1015, 3650), None);
}

#[test]
fn invoice_standing_before_and_after_the_deadline() {
    let rates = default_ecb_rates();
    let s = invoice_standing(
        Cents(100_000),
        date(2026, 1, 10),
        30,
        date(2026, 2, 1),
        &rates,
    )
    .expect("standing");
    assert_eq!(
        (s.deadline, s.days_left, s.late),
        (date(2026, 2, 9), 8, None)
    );
    let s = invoice_standing(
        Cents(100_000),
        date(2026, 1, 10),
        30,
        date(2026, 2, 19),
        &rates,
    )
    .expect("standing");
    assert_eq!(s.days_left, -10);
    assert_eq!(
        s.late,
        Some(LateCharges {
            basis_points: 1015,
            days: 10,
            interest: Cents(278),
            indemnity: Cents(4000)
        })
    );
    let on_the_day = invoice_standing(
        Cents(100_000),
        date(2026, 1, 10),
        30,
        date(2026, 2, 9),
        &rates,
    )
    .expect("s");
    assert_eq!((on_the_day.days_left, on_the_day.late), (0, None));
}

fn input(kind: &str, from: &str) -> DepositInput {
    DepositInput {
        kind: kind.into(),
        depositor: from.into(),
        ..DepositInput::default()
    }
}

fn siret() -> String {
    Siret::from_first13("7328293200007")
        .expect("siret")
        .to_string()
}

#[test]
fn bad_input_names_the_field_in_french() {
    let now = ts("2026-11-22T10:00:00Z");
    let paris = tz("Europe/Paris");
    let desk = Desk {
        now,
        tz: &paris,
        backdate_window_hours: 72,
    };
    let field = |i: &DepositInput| NewDeposit::parse(i, &desk).expect_err("refused").field;
    assert_eq!(field(&input("demande_aide", "  ")), "--from");
    assert_eq!(field(&input("courrier_bizarre", "Mme Durand")), "--kind");
    let mut inv = input("facture", "SARL Dupont");
    inv.amount = Some("120,00".into());
    inv.invoice_number = Some("F-1".into());
    assert_eq!(field(&inv), "--siret");
    inv.siret = Some(siret());
    inv.amount = None;
    assert_eq!(field(&inv), "--amount");
    inv.amount = Some("12,345".into());
    let e = NewDeposit::parse(&inv, &desk).expect_err("three decimals");
    assert_eq!(e.field, "--amount");
    assert!(e.to_string().contains("décimales"), "{e}");
    inv.amount = Some("1 234,56".into());
    let ok = NewDeposit::parse(&inv, &desk).expect("valid invoice");
    assert_eq!(ok.invoice.expect("facts").amount, Cents(123_456));
    let mut future = input("autre", "M. Martin");
    future.received_at = Some("2026-11-23 09:00".into());
    let e = NewDeposit::parse(&future, &desk).expect_err("future");
    assert_eq!(e.field, "--at");
    assert!(e.to_string().contains("futur"));
    let bid = input("offre_marche", "BTP SA");
    assert_eq!(field(&bid), "--deadline");
    let mut pages = input("autre", "M. Martin");
    pages.pages = Some("0".into());
    assert_eq!(field(&pages), "--pages");
}

#[test]
fn bids_on_time_up_to_the_deadline() {
    let paris = tz("Europe/Paris");
    let deadline = parse_local_datetime("2026-11-20 12:00", &paris, true).expect("d");
    let on = |at| bid_timeliness(at, at, deadline);
    assert_eq!(on(ts("2026-11-20T11:00:00Z")), BidTimeliness::OnTime);
    assert_eq!(on(ts("2026-11-20T11:00:01Z")), BidTimeliness::Late);
    let end_of_day = parse_local_datetime("2026-11-20", &paris, true).expect("d");
    assert_eq!(end_of_day, ts("2026-11-20T22:59:59Z"));
}

#[test]
fn kinds_parse_and_overrides_apply() {
    for k in DepositKind::ALL {
        assert_eq!(DepositKind::parse(k.as_str()), Some(k));
        assert_eq!(DepositKind::from_code(k.code()), Some(k));
    }
    let mut o = KindOverrides::new();
    o.insert(
        DepositKind::DemandeAide,
        KindOverride {
            regime: Some(Regime::Sva),
            delay_days: Some(15),
            ..KindOverride::default()
        },
    );
    let rules = kind_rules(&o).expect("rules");
    let aide = rules
        .iter()
        .find(|r| r.kind == DepositKind::DemandeAide)
        .expect("aide");
    assert_eq!(
        (aide.regime, aide.delay),
        (Regime::Sva, Some(Delay::Days(15)))
    );
    let facture = rules
        .iter()
        .find(|r| r.kind == DepositKind::Facture)
        .expect("facture");
    assert_eq!(facture.payment_days, Some(30));
    let mut bad = KindOverrides::new();
    bad.insert(
        DepositKind::Autre,
        KindOverride {
            regime: Some(Regime::Svr),
            delay_months: Some(2),
            ..KindOverride::default()
        },
    );
    assert!(kind_rules(&bad).expect_err("no appeal").contains("L112-6"));
}
