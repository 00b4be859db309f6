//! An invoice's life: each step checked against the ones before and the actor's role, kept
//! across imports, never rewritten.

use super::TestBackend;
use super::fixtures::add_user;
use super::readiness::filled;
use jiff::civil::date;
use relais_core::Cents;
use relais_core::invoices::lifecycle::{InvoiceEvent, InvoiceState, fold};
use relais_core::roles::Role;
use relais_store::invoices::InvoiceError;

pub fn an_invoice_s_steps_follow_its_life_and_its_roles<B: TestBackend>() {
    let mut f = filled::<B>();
    let s = &mut f.store;
    add_user(s, "inst", &[Role::Instruction]);
    add_user(s, "liq", &[Role::Liquidation, Role::Instruction]);
    let day = date(2026, 12, 1);
    let done = InvoiceEvent::ServiceDone {
        amount: Cents(7_000),
        checked: "livraison".into(),
    };
    let liquidate = InvoiceEvent::Liquidated {
        amount: Cents(7_000),
        account: "6068".into(),
        function: "020".into(),
    };
    // Unknown invoice; wrong role; the certifier may not liquidate.
    assert!(matches!(
        s.record_invoice_step("F9", &done, "inst", day),
        Err(InvoiceError::NotFound(_))
    ));
    assert!(
        s.record_invoice_step("F1", &liquidate, "inst", day)
            .is_err()
    );
    s.record_invoice_step("F1", &done, "liq", day)
        .expect("service fait");
    assert!(matches!(
        s.record_invoice_step("F1", &liquidate, "liq", day),
        Err(InvoiceError::Refused(_))
    ));
    // More than the invoice is refused; nothing recorded by a refusal.
    let too_much = InvoiceEvent::ServiceDone {
        amount: Cents(9_000),
        checked: "x".into(),
    };
    assert!(s.record_invoice_step("F2", &too_much, "inst", day).is_err());
    let steps = s.invoice_steps().expect("steps");
    assert_eq!(steps.len(), 1);
    assert_eq!(fold(&steps["F1"]).state, InvoiceState::ServiceDone);
}
