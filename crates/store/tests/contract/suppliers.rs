//! Supplier runs: an invoice liquidated is mandated once — under its reference, and under any
//! other reference with the same SIRET, number and amount —, its claim freed only by
//! cancelling; validation records it mandated.

use super::TestBackend;
use super::fixtures::add_user;
use super::readiness::filled;
use super::runs::params;
use jiff::civil::date;
use relais_core::Cents;
use relais_core::invoices::default_ecb_rates;
use relais_core::invoices::lifecycle::{InvoiceEvent, InvoiceState, fold};
use relais_core::invoices::mandate::{SupplierRules, mandates_of};
use relais_core::roles::Role;
use relais_core::run::{RunKind, RunStatus};
use relais_store::numbering::SetNumbering;
use relais_store::runs::RunStoreError;
use relais_store::suppliers::PrepareSuppliers;

pub fn liquidate<B: TestBackend>(s: &mut B, invoice: &str, cents: i64) {
    let day = date(2026, 11, 30);
    let done = InvoiceEvent::ServiceDone {
        amount: Cents(cents),
        checked: "livraison".into(),
    };
    s.record_invoice_step(invoice, &done, "inst", day)
        .expect("service fait");
    let liquidate = InvoiceEvent::Liquidated {
        amount: Cents(cents),
        account: "6068".into(),
        function: "020".into(),
    };
    s.record_invoice_step(invoice, &liquidate, "liq", day)
        .expect("liquidation");
}

/// The request a supplier run is prepared with: what the core makes of the invoices ready.
pub fn request<B: TestBackend>(s: &B) -> PrepareSuppliers<'static> {
    let today = date(2026, 12, 7);
    let rates = default_ecb_rates();
    let rules = SupplierRules {
        payment_days: 30,
        rates: &rates,
        interest_account: "6711",
        today,
    };
    let mut mandates = Vec::new();
    for (invoice, steps) in s
        .invoices_to_mandate(&jiff::tz::TimeZone::UTC)
        .expect("ready")
    {
        let (m, interest, _) = mandates_of(&invoice, &fold(&steps), &rules).expect("mandate");
        mandates.push(m);
        mandates.extend(interest);
    }
    PrepareSuppliers {
        month: relais_core::calendar::Month::of(today),
        actor: "liq",
        authority: "Département de test",
        local_time: "2026-12-07 09:00".into(),
        today,
        run_params: params(),
        mandates,
        held: Vec::new(),
    }
}

pub fn an_invoice_is_mandated_once<B: TestBackend>() {
    let mut f = filled::<B>();
    let s = &mut f.store;
    add_user(s, "inst", &[Role::Instruction]);
    add_user(s, "liq", &[Role::Liquidation]);
    add_user(s, "ord", &[Role::Ordonnateur]);
    s.set_numbering(&SetNumbering {
        exercice: 2026,
        last_bordereau: 41,
        last_mandate: 1_200,
        cumul: Cents(1_000_000),
        reason: "confirmé par la paierie",
        actor: "ord",
        local_time: "2026-11-30 09:00",
    })
    .expect("numbering");
    liquidate(s, "F1", 7_000);
    // F1, received on 2 October, is late on 7 December: its interest is mandated too.
    let req = request(s);
    assert_eq!(req.mandates.len(), 2);
    let prepared = s.prepare_supplier_run(&req).expect("prepare");
    assert!(prepared.created);
    assert_eq!(prepared.run.kind, RunKind::Fournisseurs);
    // Preparing again gives it back; the invoice is claimed, nothing is left to read.
    let again = s.prepare_supplier_run(&req).expect("again");
    assert_eq!((again.run.id, again.created), (prepared.run.id, false));
    assert!(
        s.invoices_to_mandate(&jiff::tz::TimeZone::UTC)
            .expect("ready")
            .is_empty()
    );
    // Cancelled, the invoice is free again.
    s.cancel_run(prepared.run.id, "liq", "erreur")
        .expect("cancel");
    assert_eq!(
        s.invoices_to_mandate(&jiff::tz::TimeZone::UTC)
            .expect("ready")
            .len(),
        1
    );
    let req = request(s);
    let run = s.prepare_supplier_run(&req).expect("prepare").run.id;
    let summary = s.supplier_run_summary(run).expect("summary");
    assert_eq!((summary.invoices, summary.interest_mandates), (1, 1));
    assert_eq!(summary.principal, Cents(7_000));
    // The same invoice under another reference (same SIRET, number, amount) is held.
    let mut twin = req.mandates[0].clone();
    twin.invoice = "F1-BIS".into();
    let mut again = request(s);
    again.mandates = vec![twin];
    s.validate_run(run, "ord", "2026-12-07 10:00")
        .expect("validate");
    let held = s.prepare_supplier_run(&again);
    assert!(
        matches!(&held, Err(RunStoreError::NothingToMandate(why)) if why[0].contains("déjà mandatée")),
        "{held:?}"
    );
    // Validated: the invoice is mandated, numbered from the paierie's last mandate.
    let steps = s.invoice_steps().expect("steps");
    let life = fold(&steps["F1"]);
    assert_eq!(life.state, InvoiceState::Mandated);
    assert_eq!(life.mandated.map(|m| (m.2, m.3)), Some((42, 1_201)));
    assert_eq!(
        s.run(run).expect("run").expect("some").status,
        RunStatus::Validated
    );
}
