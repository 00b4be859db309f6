//! `relais check-id` on the cases a naive check accepts: the answer names the rule broken.

use std::process::Command;

fn check_id(kind: &str, value: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_relais"))
        .env_remove("RELAIS_DATA")
        .env_remove("RELAIS_USER")
        .args(["check-id", kind, value])
        .output()
        .expect("run relais");
    let code = out.status.code().unwrap_or(-1);
    (code, String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[test]
fn a_siret_whose_luhn_passes_but_whose_siren_fails_is_refused() {
    let (code, text) = check_id("siret", "732 829 321 00072");
    assert_eq!(code, 1, "{text}");
    assert_eq!(
        text,
        "invalide : SIRET : le SIREN (9 premiers chiffres) a une clé de contrôle fausse"
    );
}

#[test]
fn an_italian_iban_with_good_mod_97_but_wrong_cin_is_refused() {
    assert_eq!(
        check_id("iban", "IT60 X054 2811 1010 0000 0123 456"),
        (0, "IT60X0542811101000000123456".to_owned())
    );
    // Y instead of X, IBAN check digits recomputed: mod 97 passes.
    let (code, text) = check_id("iban", "IT64Y0542811101000000123456");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("CIN"), "{text}");
}

#[test]
fn unknown_countries_and_wrong_lengths_say_why() {
    let (code, text) = check_id("iban", "ZZ89370400440532013000");
    assert_eq!(code, 1);
    assert!(text.contains("code pays inconnu"), "{text}");
    let (code, text) = check_id("iban", "ES912100041845020005133");
    assert_eq!(code, 1);
    assert_eq!(text, "invalide : IBAN : longueur 23 au lieu de 24");
}
