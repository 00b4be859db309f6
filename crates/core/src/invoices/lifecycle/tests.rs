use super::*;
use jiff::civil::date;

fn step(event: InvoiceEvent, actor: &str, on: Date) -> Step {
    Step {
        event,
        actor: actor.into(),
        on,
    }
}

fn done(amount: i64) -> InvoiceEvent {
    InvoiceEvent::ServiceDone {
        amount: Cents(amount),
        checked: "bon de livraison".into(),
    }
}

fn liquidate(amount: i64) -> InvoiceEvent {
    InvoiceEvent::Liquidated {
        amount: Cents(amount),
        account: "6068".into(),
        function: "020".into(),
    }
}

#[test]
fn the_agent_who_certified_the_service_does_not_liquidate() {
    let life = fold(&[step(done(10_000), "inst", date(2026, 12, 1))]);
    assert_eq!(life.state, InvoiceState::ServiceDone);
    assert_eq!(
        check(&life, &liquidate(10_000), "inst", Cents(12_000)),
        Err(LifecycleError::SameAgent("inst".into()))
    );
    assert_eq!(
        check(&life, &liquidate(10_000), "liq", Cents(12_000)),
        Ok(())
    );
}

#[test]
fn a_partial_service_fait_bounds_the_liquidation() {
    let fresh = fold(&[]);
    assert!(matches!(
        check(&fresh, &done(13_000), "inst", Cents(12_000)),
        Err(LifecycleError::AmountAbove { .. })
    ));
    assert!(matches!(
        check(&fresh, &liquidate(1), "liq", Cents(12_000)),
        Err(LifecycleError::WrongState { .. })
    ));
    let life = fold(&[step(done(8_000), "inst", date(2026, 12, 1))]);
    assert!(matches!(
        check(&life, &liquidate(9_000), "liq", Cents(12_000)),
        Err(LifecycleError::AmountAbove { .. })
    ));
    let charge = InvoiceEvent::Liquidated {
        amount: Cents(8_000),
        account: "65111".into(),
        function: "020".into(),
    };
    assert_eq!(check(&life, &charge, "liq", Cents(12_000)), Ok(()));
    let investment_ok = InvoiceEvent::Liquidated {
        amount: Cents(8_000),
        account: "2183".into(),
        function: "020".into(),
    };
    assert_eq!(check(&life, &investment_ok, "liq", Cents(12_000)), Ok(()));
    let revenue = InvoiceEvent::Liquidated {
        amount: Cents(8_000),
        account: "7061".into(),
        function: "020".into(),
    };
    assert!(matches!(
        check(&life, &revenue, "liq", Cents(12_000)),
        Err(LifecycleError::Imputation(_))
    ));
}

#[test]
fn a_suspension_stops_the_clock_and_resuming_gives_the_state_back() {
    let received = date(2026, 11, 2);
    let steps = [
        step(
            InvoiceEvent::Suspended {
                reason: "bon de commande manquant".into(),
            },
            "liq",
            date(2026, 11, 10),
        ),
        step(InvoiceEvent::Resumed, "liq", date(2026, 11, 20)),
    ];
    let life = fold(&steps);
    assert_eq!(life.state, InvoiceState::Received);
    assert_eq!(life.suspended_days, 10);
    // 30 days from 2 November, then 10 more.
    assert_eq!(
        deadline(received, 30, &life, date(2026, 12, 5)),
        Some(date(2026, 12, 12))
    );
    // A suspension still running moves the deadline day by day.
    let running = fold(&steps[..1]);
    assert_eq!(running.state, InvoiceState::Suspended);
    assert_eq!(
        deadline(received, 30, &running, date(2026, 11, 15)),
        Some(date(2026, 12, 7))
    );
    assert!(matches!(
        check(&running, &done(1), "inst", Cents(10)),
        Err(LifecycleError::WrongState { .. })
    ));
}

#[test]
fn a_liquidated_invoice_is_not_rejected_and_reasons_are_required() {
    let life = fold(&[
        step(done(10_000), "inst", date(2026, 12, 1)),
        step(liquidate(10_000), "liq", date(2026, 12, 2)),
    ]);
    assert_eq!(life.state, InvoiceState::Liquidated);
    let reject = InvoiceEvent::Rejected {
        reason: "doublon".into(),
    };
    assert!(matches!(
        check(&life, &reject, "liq", Cents(10_000)),
        Err(LifecycleError::WrongState { .. })
    ));
    let empty = InvoiceEvent::Suspended { reason: " ".into() };
    assert_eq!(
        check(&life, &empty, "liq", Cents(10_000)),
        Err(LifecycleError::Empty)
    );
}
