//! `settings.toml` as agents write it: files from before the chart of imputations per payee
//! kind still load, overrides are read by payee kind, and unknown keys are refused.

use relais_core::records::{Benefit, PayeeKind};
use relais_core::settings::{PaymentSettings, Settings};

const AUTHORITY: &str = r#"
[authority]
name = "Département de Seine-et-Marne"
siret = "29977000800017"
time_zone = "Europe/Paris"
holiday_zone = "metropole"
"#;

const PAYMENTS: &str = r#"
[payments]
collectivity_code = "077"
budget_code = "01"
post_id = "077000"
debtor_name = "PAIERIE DEPARTEMENTALE"
debtor_iban = "FR7630001007941234567890185"
"#;

fn settings(benefits: &str) -> Result<Settings, toml::de::Error> {
    toml::from_str(&format!("{AUTHORITY}{PAYMENTS}{benefits}"))
}

fn payments(s: &Settings) -> &PaymentSettings {
    s.payments.as_ref().expect("payments")
}

#[test]
fn a_file_without_by_payee_still_loads() {
    let s = settings(
        r#"
[payments.benefits.APA_DOM]
account = "651142"
function = "431"
pay_day = 10

[payments.benefits.RSA]
account = "65171"
function = "447"
"#,
    )
    .expect("settings");
    assert_eq!(s.validate(), Ok(()));
    let p = payments(&s);
    assert!(p.benefits.values().all(|b| b.by_payee.is_empty()));
    for kind in PayeeKind::ALL {
        assert_eq!(p.imputation(Benefit::ApaDom, kind), Some(("651142", "431")));
    }
    assert_eq!(p.imputation(Benefit::Pch, PayeeKind::Personne), None);
}

#[test]
fn a_file_with_the_former_m52_codes_loads_but_is_refused_with_its_key() {
    // What `PaymentSettings::example` wrote before: M52 functions.
    let s = settings(
        r#"
[payments.benefits.APA_DOM]
account = "651141"
function = "551"
"#,
    )
    .expect("serde still reads it");
    let err = s.validate().expect_err("M52 function");
    assert!(err.contains("fonction 551"), "{err}");
    assert!(err.contains("M52"), "{err}");
    assert!(err.contains("payments.benefits.APA_DOM.function"), "{err}");
}

#[test]
fn an_override_by_payee_kind_wins_over_the_default() {
    let s = settings(
        r#"
[payments.benefits.APA_DOM]
account = "651142"
function = "431"
pay_day = 10

[payments.benefits.APA_DOM.by_payee.service]
account = "651141"
function = "431"

[payments.benefits.APA_ETAB]
account = "651143"
function = "432"

[payments.benefits.APA_ETAB.by_payee.etablissement]
account = "651144"
function = "433"
"#,
    )
    .expect("settings");
    assert_eq!(s.validate(), Ok(()));
    let p = payments(&s);
    assert_eq!(
        p.imputation(Benefit::ApaDom, PayeeKind::Service),
        Some(("651141", "431"))
    );
    assert_eq!(
        p.imputation(Benefit::ApaDom, PayeeKind::Personne),
        Some(("651142", "431"))
    );
    assert_eq!(
        p.imputation(Benefit::ApaEtab, PayeeKind::Etablissement),
        Some(("651144", "433"))
    );
    assert_eq!(
        p.imputation(Benefit::ApaEtab, PayeeKind::Tuteur),
        Some(("651143", "432"))
    );
}

#[test]
fn an_unknown_payee_kind_or_field_is_refused_by_serde() {
    let err = settings(
        r#"
[payments.benefits.APA_DOM]
account = "651142"
function = "431"

[payments.benefits.APA_DOM.by_payee.saad]
account = "651141"
function = "431"
"#,
    )
    .expect_err("unknown payee kind");
    assert!(err.to_string().contains("saad"), "{err}");

    let err = settings(
        r#"
[payments.benefits.APA_DOM]
account = "651142"
function = "431"

[payments.benefits.APA_DOM.by_payee.service]
account = "651141"
function = "431"
pay_day = 5
"#,
    )
    .expect_err("pay_day is the benefit's, not the payee kind's");
    assert!(err.to_string().contains("pay_day"), "{err}");
}

#[test]
fn a_bad_override_is_refused_with_its_key() {
    let s = settings(
        r#"
[payments.benefits.APA_DOM]
account = "651142"
function = "431"

[payments.benefits.APA_DOM.by_payee.service]
account = "651141"
function = "551"
"#,
    )
    .expect("settings");
    let err = s.validate().expect_err("M52 function");
    assert!(
        err.ends_with("(payments.benefits.APA_DOM.by_payee.service.function)"),
        "{err}"
    );
}

#[test]
fn the_example_survives_a_round_trip_through_toml() {
    // The demo writes the example with `toml::to_string_pretty` and reads it back.
    let mut s: Settings = toml::from_str(AUTHORITY).expect("settings");
    let iban = relais_core::ids::Iban::parse("FR7630001007941234567890185").expect("iban");
    s.payments = Some(PaymentSettings::example("PAIERIE DEPARTEMENTALE", iban));
    let text = toml::to_string_pretty(&s).expect("toml");
    assert!(
        text.contains("[payments.benefits.APA_DOM.by_payee.service]"),
        "{text}"
    );
    let back: Settings = toml::from_str(&text).expect("read back");
    assert_eq!(back, s);
    assert_eq!(back.validate(), Ok(()));
}

#[test]
fn the_courrier_window_is_a_setting_of_72_hours_by_default() {
    let s: Settings = toml::from_str(AUTHORITY).expect("settings");
    assert_eq!(s.courrier().backdate_window_hours, 72);
    let s: Settings = toml::from_str(&format!(
        "{AUTHORITY}\n[courrier]\nbackdate_window_hours = 24\n"
    ))
    .expect("settings");
    assert_eq!(s.courrier().backdate_window_hours, 24);
    assert_eq!(s.validate(), Ok(()));
    let back: Settings =
        toml::from_str(&toml::to_string_pretty(&s).expect("toml")).expect("read back");
    assert_eq!(back, s);
    // Unknown keys are refused; a window of zero or beyond a month is refused with its key.
    assert!(
        toml::from_str::<Settings>(&format!("{AUTHORITY}\n[courrier]\nfenetre = 3\n")).is_err()
    );
    let s: Settings = toml::from_str(&format!(
        "{AUTHORITY}\n[courrier]\nbackdate_window_hours = 0\n"
    ))
    .expect("settings");
    assert!(
        s.validate()
            .expect_err("zero")
            .contains("courrier.backdate_window_hours")
    );
}
