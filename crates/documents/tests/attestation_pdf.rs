//! The payment certificate: its text, as `pdftotext` reads it, holds the person, the
//! authority, amounts and dates written the French way, and who issued it, where and when.

mod common;

use jiff::civil::Date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_documents::attestation::{
    CertificateInput, CertificatePayment, CertificateRight, write_certificate_pdf,
};

fn input() -> CertificateInput {
    CertificateInput {
        authority: "Département de Seine-et-Marne".into(),
        name: "LÉVÊQUE Hélène".into(),
        dossier: "D000123".into(),
        birth_date: Some(Date::constant(1972, 12, 10)),
        address: "3 rue des Écoles, 77000 Melun".into(),
        rights: vec![CertificateRight {
            benefit: "APA à domicile".into(),
            monthly: Cents(130_219),
            start: Some(Date::constant(2024, 1, 1)),
            end: Some(Date::constant(2027, 12, 31)),
            status: "en paiement".into(),
            payee: "LÉVÊQUE Hélène".into(),
        }],
        payments: vec![CertificatePayment {
            month: Month::new(2026, 11).expect("month"),
            benefit: "APA à domicile".into(),
            amount: Cents(130_219),
            date: Some(Date::constant(2026, 11, 10)),
            state: "versé".into(),
        }],
        next: vec!["Oui : 1 302,19 € le jeudi 10/12/2026 sur le compte …7576.".into()],
        place: "MDS de Melun".into(),
        issued_on: Date::constant(2026, 12, 5),
        issued_by: "accueil".into(),
    }
}

#[test]
fn the_certificate_says_who_what_when_in_french() {
    let mut pdf = Vec::new();
    write_certificate_pdf(&input(), &mut pdf).expect("pdf");
    assert!(pdf.starts_with(b"%PDF"));
    let text = common::pdftotext(&pdf, &[]);
    for expected in [
        "Attestation de paiement",
        "Département de Seine-et-Marne",
        "LÉVÊQUE Hélène",
        "D000123",
        "10/12/1972",
        "1 302,19 € par mois du 01/01/2024 au 31/12/2027",
        "novembre 2026",
        "le 10/11/2026",
        "jeudi 10/12/2026",
        "Fait à MDS de Melun, le samedi 5 décembre 2026, par accueil.",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[test]
fn a_person_without_rights_or_payments_gets_a_certificate_that_says_so() {
    let mut c = input();
    c.rights.clear();
    c.payments.clear();
    c.birth_date = None;
    let mut pdf = Vec::new();
    write_certificate_pdf(&c, &mut pdf).expect("pdf");
    let text = common::pdftotext(&pdf, &[]);
    assert!(text.contains("Aucun droit enregistré."), "{text}");
    assert!(text.contains("Aucun paiement connu."), "{text}");
}
