//! The kinds' regimes (issue #19), and what the desk may type: times of receipt before
//! registration, missing documents, completions, bounded texts.

use super::*;
use jiff::civil::date;

fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").expect("tz")
}

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn input(kind: &str) -> DepositInput {
    DepositInput {
        kind: kind.into(),
        depositor: "Mme Durand".into(),
        ..DepositInput::default()
    }
}

/// Wednesday 2 December 2026, 10:00 in Paris.
const NOW: &str = "2026-12-02T09:00:00Z";

fn parse(i: &DepositInput) -> Result<NewDeposit, DepositError> {
    let tz = paris();
    NewDeposit::parse(
        i,
        &Desk {
            now: ts(NOW),
            tz: &tz,
            backdate_window_hours: 72,
        },
    )
}

#[test]
fn each_kind_of_aid_has_its_own_regime_delay_and_texts() {
    let apa = KindRules::default_for(DepositKind::DemandeApa);
    assert_eq!(
        (apa.regime, apa.delay),
        (Regime::Sva, Some(Delay::Months(2)))
    );
    assert!(apa.basis.as_deref().is_some_and(|b| b.contains("L232-14")));
    assert!(
        apa.acceptance
            .as_deref()
            .is_some_and(|a| a.contains("montant forfaitaire"))
    );
    assert!(
        apa.completion_basis
            .as_deref()
            .is_some_and(|b| b.contains("R232-23"))
    );
    let pch = KindRules::default_for(DepositKind::DemandePch);
    assert_eq!(
        (pch.regime, pch.delay),
        (Regime::Svr, Some(Delay::Months(4)))
    );
    assert!(
        pch.decided_by
            .as_deref()
            .is_some_and(|d| d.contains("CDAPH"))
    );
    let appeal = pch.appeal.as_deref().unwrap_or_default();
    assert!(
        appeal.contains("RAPO") && appeal.contains("tribunal judiciaire"),
        "{appeal}"
    );
    // Received 31 October: four months end on the last day of February.
    assert_eq!(
        pch.implicit_decision(date(2026, 10, 31)),
        Some((Regime::Svr, date(2027, 2, 28)))
    );
    for kind in [DepositKind::DemandeAsh, DepositKind::DemandeAide] {
        let r = KindRules::default_for(kind);
        assert_eq!((r.regime, r.delay), (Regime::Svr, Some(Delay::Months(2))));
        assert!(
            r.basis
                .as_deref()
                .is_some_and(|b| b.contains("L231-4 (3°)"))
        );
        assert!(r.appeal.as_deref().is_some_and(|a| a.contains("L134-2")));
    }
    // Every application kind names its regime's texts; the kinds' codes are distinct.
    let codes: std::collections::BTreeSet<u8> = DepositKind::ALL.map(|k| k.code()).into();
    assert_eq!(codes.len(), DepositKind::ALL.len());
    for kind in DepositKind::ALL.into_iter().filter(|k| k.is_application()) {
        assert!(KindRules::default_for(kind).basis.is_some(), "{kind}");
    }
    // Deposits registered before the split keep reading.
    assert_eq!(
        DepositKind::parse("demande_aide"),
        Some(DepositKind::DemandeAide)
    );
    assert_eq!(DepositKind::from_code(1), Some(DepositKind::DemandeAide));
}

#[test]
fn the_kinds_texts_are_settings() {
    let toml = r#"
[demande_pch]
delay_months = 3
decided_by = "la CDAPH de la MDPH de l'Ain"
basis = "décret local"

[demande_apa]
acceptance = ""
"#;
    let overrides: KindOverrides = toml::from_str(toml).expect("toml");
    let rules = kind_rules(&overrides).expect("rules");
    let pch = rules
        .iter()
        .find(|r| r.kind == DepositKind::DemandePch)
        .expect("pch");
    assert_eq!(pch.delay, Some(Delay::Months(3)));
    assert_eq!(
        pch.decided_by.as_deref(),
        Some("la CDAPH de la MDPH de l'Ain")
    );
    assert_eq!(pch.basis.as_deref(), Some("décret local"));
    let apa = rules
        .iter()
        .find(|r| r.kind == DepositKind::DemandeApa)
        .expect("apa");
    assert_eq!(apa.acceptance, None);
    // An acceptance text for a rejection makes no sense.
    let bad: KindOverrides =
        toml::from_str("[demande_ash]\nacceptance = \"accordée\"").expect("toml");
    assert!(kind_rules(&bad).is_err());
}

#[test]
fn a_deposit_received_before_its_registration_needs_a_reason_and_the_window() {
    // Within the grace of a typed minute: no reason needed.
    let mut i = input("autre");
    i.received_at = Some("2026-12-02 09:59".into());
    assert!(parse(&i).is_ok());
    // A day earlier: a reason is required…
    i.received_at = Some("01/12/2026 16:30".into());
    assert_eq!(parse(&i).expect_err("no reason").field, "--backdate-reason");
    i.backdate_reason = Some("registre indisponible (panne)".into());
    let d = parse(&i).expect("with a reason");
    assert_eq!(d.received_at, Some(ts("2026-12-01T15:30:00Z")));
    assert_eq!(
        d.backdate_reason.as_deref(),
        Some("registre indisponible (panne)")
    );
    // …and beyond the window it is refused, reason or not.
    i.received_at = Some("2026-11-29 09:59".into());
    let e = parse(&i).expect_err("beyond 72 h");
    assert!(e.field == "--at" && e.message.contains("72 h"), "{e}");
    // A reason without a time of receipt is a mistake.
    let mut j = input("autre");
    j.backdate_reason = Some("oubli".into());
    assert_eq!(
        parse(&j).expect_err("lone reason").field,
        "--backdate-reason"
    );
}

#[test]
fn a_bid_registered_after_its_deadline_is_never_on_time_on_its_claim_alone() {
    let deadline = ts("2026-12-01T11:00:00Z");
    assert_eq!(
        bid_timeliness(
            ts("2026-12-01T10:00:00Z"),
            ts("2026-12-02T09:00:00Z"),
            deadline
        ),
        BidTimeliness::RegisteredLate
    );
    assert_eq!(
        bid_timeliness(
            ts("2026-12-01T10:00:00Z"),
            ts("2026-12-01T10:30:00Z"),
            deadline
        ),
        BidTimeliness::OnTime
    );
    let mut facts = NewDeposit::new(DepositKind::OffreMarche, "BTP SA");
    facts.bid_deadline = Some(deadline);
    let d = Deposit {
        number: ChronoNumber::new(2026, 5).expect("n"),
        received_at: ts("2026-12-01T10:00:00Z"),
        registered_at: ts("2026-12-02T09:00:00Z"),
        registered_by: "courrier".into(),
        facts,
        receipt_code: String::new(),
        cancellation: None,
        completion: None,
    };
    assert!(d.is_backdated());
    let w = d.warnings();
    assert!(
        w.iter().any(|w| w.contains("après la date limite")),
        "{w:?}"
    );
}

#[test]
fn an_incomplete_application_lists_its_missing_documents_and_deadline() {
    let mut i = input("demande_apa");
    i.missing = Some("justificatif de domicile ; dernier avis d'imposition\nRIB".into());
    assert_eq!(
        parse(&i).expect_err("no deadline").field,
        "--missing-deadline"
    );
    i.missing_deadline = Some("02/12/2026".into());
    assert_eq!(parse(&i).expect_err("same day").field, "--missing-deadline");
    i.missing_deadline = Some("04/01/2027".into());
    let d = parse(&i).expect("incomplete");
    assert_eq!(
        d.missing,
        vec![
            "justificatif de domicile",
            "dernier avis d'imposition",
            "RIB"
        ]
    );
    assert_eq!(d.missing_deadline, Some(date(2027, 1, 4)));
    // Not for an invoice or a letter.
    let mut other = input("autre");
    other.missing = Some("RIB".into());
    other.missing_deadline = Some("04/01/2027".into());
    assert_eq!(
        parse(&other).expect_err("not an application").field,
        "--missing"
    );
    // A deadline alone is a mistake.
    let mut lone = input("demande_pch");
    lone.missing_deadline = Some("04/01/2027".into());
    assert_eq!(parse(&lone).expect_err("lone").field, "--missing-deadline");
    // Too many documents.
    let mut many = input("demande_ash");
    many.missing = Some(vec!["pièce"; MAX_MISSING_ITEMS + 1].join(";"));
    many.missing_deadline = Some("04/01/2027".into());
    assert_eq!(parse(&many).expect_err("too many").field, "--missing");
}

#[test]
fn only_additional_documents_complete_an_application() {
    let mut i = input("pieces_complementaires");
    i.completes = Some("2026-000042".into());
    assert_eq!(
        parse(&i).expect("completes").completes,
        ChronoNumber::new(2026, 42)
    );
    i.completes = Some("42".into());
    assert_eq!(parse(&i).expect_err("unreadable").field, "--completes");
    let mut j = input("demande_apa");
    j.completes = Some("2026-000042".into());
    assert_eq!(parse(&j).expect_err("not documents").field, "--completes");
}

#[test]
fn every_free_text_is_bounded() {
    let long = |n: usize| Some("x".repeat(n));
    type Edit = Box<dyn Fn(&mut DepositInput)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "--from",
            Box::new(|i| i.depositor = "x".repeat(MAX_DEPOSITOR + 1)),
        ),
        (
            "--address",
            Box::new(move |i| i.address = long(MAX_ADDRESS + 1)),
        ),
        (
            "--subject",
            Box::new(move |i| i.subject = long(MAX_SUBJECT + 1)),
        ),
        (
            "--dossier",
            Box::new(move |i| i.dossier = long(MAX_DOSSIER + 1)),
        ),
        (
            "--backdate-reason",
            Box::new(move |i| {
                i.received_at = Some("2026-12-01 10:00".into());
                i.backdate_reason = long(MAX_REASON + 1);
            }),
        ),
        (
            "--subject",
            Box::new(|i| i.subject = Some("a\u{7}b".into())),
        ),
    ];
    for (field, set) in cases {
        let mut i = input("autre");
        set(&mut i);
        assert_eq!(parse(&i).expect_err(field).field, field);
    }
    let mut i = input("autre");
    i.subject = long(MAX_SUBJECT);
    assert!(parse(&i).is_ok());
}
