use super::*;
use crate::invoices::default_ecb_rates;
use crate::invoices::lifecycle::{InvoiceEvent, Step, fold};
use jiff::civil::date;

fn supplier(iban: &str, approved: bool) -> SupplierFacts {
    SupplierFacts {
        siret: Siret::parse("73282932000074").expect("valid"),
        name: "Transports Dupont SARL".into(),
        address: "2 avenue Foch".into(),
        postal_code: "77000".into(),
        city: "Melun".into(),
        iban: Iban::parse(iban).expect("valid"),
        bic: Bic::parse("BNPAFRPP").expect("valid"),
        form: LegalForm::Societe,
        bank_approved: approved,
    }
}

fn invoice(received: Date) -> ToMandate {
    ToMandate {
        invoice: "F2026-000321".into(),
        siret: "73282932000074".into(),
        number: "FA-2026-118".into(),
        invoice_amount: Cents(120_000),
        received,
        market: None,
        commitment: None,
        supplier: Some(supplier("FR7630006000011234567890189", true)),
    }
}

fn liquidated(amount: i64, extra: &[Step]) -> Life {
    let on = date(2026, 10, 5);
    let mut steps = vec![
        Step {
            event: InvoiceEvent::ServiceDone {
                amount: Cents(amount),
                checked: "livraison".into(),
            },
            actor: "inst".into(),
            on,
        },
        Step {
            event: InvoiceEvent::Liquidated {
                amount: Cents(amount),
                account: "6068".into(),
                function: "020".into(),
            },
            actor: "liq".into(),
            on,
        },
    ];
    steps.extend_from_slice(extra);
    fold(&steps)
}

fn rules(today: Date, rates: &[EcbRate]) -> SupplierRules<'_> {
    SupplierRules {
        payment_days: 30,
        rates,
        interest_account: "6711",
        today,
    }
}

#[test]
fn an_invoice_in_time_has_its_deadline_block_and_no_interest() {
    let rates = default_ecb_rates();
    let inv = invoice(date(2026, 11, 2));
    let (m, interest, hold) = mandates_of(
        &inv,
        &liquidated(100_000, &[]),
        &rules(date(2026, 11, 20), &rates),
    )
    .expect("valid");
    assert_eq!(
        m.amount,
        Cents(100_000),
        "the amount liquidated, not the invoice's"
    );
    assert_eq!(m.kind, MandateKind::Facture);
    let dgp = m.dgp.expect("valid");
    assert_eq!(
        (dgp.start, dgp.end, dgp.days),
        (date(2026, 11, 2), date(2026, 12, 2), 30)
    );
    // 2.15 % + 8 points for a delay starting in the second half of 2026.
    assert_eq!(dgp.late_rate, Some(1015));
    assert!(interest.is_none() && hold.is_none());
}

#[test]
fn an_invoice_mandated_late_gets_an_interest_mandat_with_the_indemnity() {
    let rates = default_ecb_rates();
    let inv = invoice(date(2026, 10, 1));
    // Deadline 31 October; mandated 30 November: 30 days late.
    let (m, interest, _) = mandates_of(
        &inv,
        &liquidated(100_000, &[]),
        &rules(date(2026, 11, 30), &rates),
    )
    .expect("valid");
    let i = interest.expect("valid");
    let late = i.late.expect("valid");
    assert_eq!(late.deadline, date(2026, 10, 31));
    assert_eq!(late.days, 30);
    assert_eq!(late.basis_points, 1015);
    // 1,000.00 × 10.15 % × 30 / 365 = 8.342… → 8.34.
    assert_eq!(late.interest, Cents(834));
    assert_eq!(i.amount, Cents(834 + 4_000));
    assert_eq!(
        (i.kind, i.account.as_str()),
        (MandateKind::Interets, "6711")
    );
    assert_eq!(i.function, m.function);
    assert!(i.dgp.is_none());
}

#[test]
fn a_suspension_moves_the_deadline_and_spares_the_interest() {
    let rates = default_ecb_rates();
    let inv = invoice(date(2026, 10, 1));
    let life = liquidated(
        100_000,
        &[
            Step {
                event: InvoiceEvent::Suspended {
                    reason: "RIB manquant".into(),
                },
                actor: "liq".into(),
                on: date(2026, 10, 10),
            },
            Step {
                event: InvoiceEvent::Resumed,
                actor: "liq".into(),
                on: date(2026, 11, 9),
            },
        ],
    );
    let (m, interest, _) =
        mandates_of(&inv, &life, &rules(date(2026, 11, 30), &rates)).expect("valid");
    // 30 days stood still: 31 October becomes 30 November, the day of mandatement.
    assert_eq!(m.dgp.expect("valid").end, date(2026, 11, 30));
    assert!(interest.is_none());
}

#[test]
fn a_supplier_unknown_or_with_new_unapproved_details_waits() {
    let rates = default_ecb_rates();
    let r = rules(date(2026, 11, 20), &rates);
    let mut inv = invoice(date(2026, 11, 2));
    inv.supplier = None;
    assert!(matches!(
        mandates_of(&inv, &liquidated(1_000, &[]), &r),
        Err(Hold::SupplierUnknown { .. })
    ));
    inv.supplier = Some(supplier("FR7630006000011234567890189", false));
    let held = mandates_of(&inv, &liquidated(1_000, &[]), &r).expect_err("held");
    assert_eq!(held.code(), "rib_non_approuve");
    assert!(held.label().contains("0189"));
    // Brazil: a valid IBAN that no SEPA transfer reaches.
    inv.supplier = Some(supplier("BR1800360305000010009795493C1", true));
    assert_eq!(
        mandates_of(&inv, &liquidated(1_000, &[]), &r),
        Err(Hold::NotSepa {
            country: "BR".into()
        })
    );
}

#[test]
fn late_beyond_the_rate_table_mandates_the_invoice_and_holds_the_interest() {
    let inv = invoice(date(2026, 10, 1));
    let (m, interest, hold) = mandates_of(
        &inv,
        &liquidated(100_000, &[]),
        &rules(date(2026, 11, 30), &[]),
    )
    .expect("valid");
    assert_eq!(m.kind, MandateKind::Facture);
    assert!(interest.is_none());
    let hold = hold.expect("valid");
    assert!(!hold.holds_invoice());
    assert!(hold.label().contains("31/10/2026"), "{}", hold.label());
}
