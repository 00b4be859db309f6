//! The accountant's return: a file applies once; a mandat is paid or rejected once (a
//! rejection after a payment is refused); a rejected invoice is mandated again; a rejected
//! benefit mandat's right is paid once more by a later run of the month, and never twice.

use super::TestBackend;
use super::fixtures::add_user;
use super::readiness::filled;
use super::runs::{ALL, prepared, with_rights};
use super::suppliers::{liquidate, request};
use jiff::civil::{Date, date};
use relais_core::Cents;
use relais_core::invoices::lifecycle::{InvoiceState, fold};
use relais_core::roles::Role;
use relais_core::run::RunId;
use relais_formats::pes_return::{
    BordereauType, LineColumn, Payment, PieceState, ReturnBordereau, ReturnedLine, ReturnedPiece,
};
use relais_store::numbering::SetNumbering;
use relais_store::pes_return::{MandateOf, PieceOutcome, ReturnApplied, ReturnFile};
use relais_store::runs::RunStoreError;

fn piece(bordereau: u32, id: u64, state: PieceState, paid: Option<(Date, i64)>) -> ReturnedPiece {
    ReturnedPiece {
        bordereau: ReturnBordereau {
            exercice: 2026,
            id: bordereau,
            kind: BordereauType::Ordinary,
        },
        id,
        kind: 1,
        nature: 1,
        state,
        observation: (state == PieceState::Rejected).then(|| "09".to_owned()),
        comment: (state == PieceState::Rejected).then(|| "RIB clos".to_owned()),
        object: None,
        taken_on: Some(date(2026, 12, 8)),
        rejected_on: (state == PieceState::Rejected).then(|| date(2026, 12, 9)),
        on_hold_on: None,
        lines: vec![ReturnedLine {
            id: 1,
            state: Some(1),
            amount: None,
            payments: paid
                .map(|(on, cents)| Payment {
                    origin: 1,
                    on,
                    amount: Cents(cents),
                })
                .into_iter()
                .collect(),
        }],
        at: LineColumn { line: 1, column: 1 },
    }
}

fn apply<B: TestBackend>(
    s: &mut B,
    actor: &str,
    sha: char,
    pieces: &[ReturnedPiece],
) -> ReturnApplied {
    let sha256 = sha.to_string().repeat(64);
    s.apply_pes_return(
        actor,
        &ReturnFile {
            sha256: &sha256,
            name: "retour.xml",
            pieces,
            local_time: "2026-12-12 09:00",
            today: date(2026, 12, 12),
        },
    )
    .expect("apply")
}

fn outcome_codes(a: &ReturnApplied) -> Vec<&'static str> {
    a.pieces
        .iter()
        .map(|p| match p.outcome {
            PieceOutcome::Paid { .. } => "paid",
            PieceOutcome::Rejected { .. } => "rejected",
            PieceOutcome::TakenInCharge { .. } => "taken",
            PieceOutcome::OnHold { .. } => "on_hold",
            PieceOutcome::AlreadyKnown { .. } => "known",
            PieceOutcome::Refused { .. } => "refused",
            PieceOutcome::Unknown => "unknown",
            PieceOutcome::Request { .. } => "request",
        })
        .collect()
}

/// The `IdPce` of each right's mandat in run `id`, by right.
fn pieces_of<B: TestBackend>(s: &B, id: RunId) -> Vec<(String, u32)> {
    let run = s.run(id).expect("run").expect("some");
    let mut out = Vec::new();
    s.each_run_line(id, &mut |l, _| {
        if let Some((k, _)) = l.mandate {
            out.push((l.right_id.clone(), run.piece_position(k).1));
        }
        Ok(())
    })
    .expect("lines");
    out.sort();
    out
}

fn numbering<B: TestBackend>(s: &mut B) {
    s.set_numbering(&SetNumbering {
        exercice: 2026,
        last_bordereau: 41,
        last_mandate: 1_200,
        cumul: Cents(0),
        reason: "confirmé par la paierie",
        actor: "ord",
        local_time: "2026-11-30 09:00",
    })
    .expect("numbering");
}

/// The same file twice changes nothing and says so; a mandat paid by one return and rejected
/// by a later one keeps its payment; only the roles that handle mandats read a return.
pub fn a_return_applies_once_and_a_paid_mandat_is_never_rejected<B: TestBackend>() {
    let mut f = with_rights::<B>();
    let s = &mut f.store;
    add_user(s, "inst", &[Role::Instruction]);
    let run = prepared(s, "2026-12");
    s.validate_run(run, "ord", "2026-12-01 10:00")
        .expect("validate");
    let ids = pieces_of(s, run);
    let r1 = u64::from(ids[0].1);
    let paid = [piece(
        42,
        r1,
        PieceState::Settled,
        Some((date(2026, 12, 10), 100_000)),
    )];
    let refused = s.apply_pes_return(
        "inst",
        &ReturnFile {
            sha256: &"a".repeat(64),
            name: "retour.xml",
            pieces: &paid,
            local_time: "2026-12-12 09:00",
            today: date(2026, 12, 12),
        },
    );
    assert!(refused.is_err(), "instruction may not read a return");
    let first = apply(s, "liq", 'a', &paid);
    assert_eq!(outcome_codes(&first), ["paid"]);
    let entries = s.verify_journal().expect("journal");
    // Again: nothing changes, and it is said.
    let again = apply(s, "ord", 'a', &paid);
    assert!(again.entry.is_none());
    let before = again.before.expect("applied before");
    assert_eq!(Some(before.seq), first.entry.map(|e| e.seq));
    assert_eq!(again.pieces, first.pieces);
    assert_eq!(s.verify_journal().expect("journal"), entries);
    // Paid, then rejected by another file: refused, and the right stays paid this month.
    let late = [piece(42, r1, PieceState::Rejected, None)];
    let second = apply(s, "liq", 'b', &late);
    assert_eq!(outcome_codes(&second), ["refused"]);
    let PieceOutcome::Refused { why, .. } = &second.pieces[0].outcome else {
        unreachable!()
    };
    assert!(why.contains("déjà payé le 10/12/2026"), "{why}");
    assert!(matches!(
        s.prepare_run(&super::runs::request("liq", "2026-12"), &ALL),
        Err(RunStoreError::NothingToPay(_))
    ));
    // Behind the store's back, the paid mandat's claim cannot be released either.
    assert!(s.release_refused(&run.to_string(), "R1", "2026-12", (2026, 42, r1)));
    // A piece of a bordereau no run sent, or a mandat number no run gave, is unknown.
    let strangers = [
        piece(42, 1_299, PieceState::Settled, None),
        piece(77, r1, PieceState::Settled, None),
    ];
    assert_eq!(
        outcome_codes(&apply(s, "liq", 'c', &strangers)),
        ["unknown", "unknown"]
    );
    assert!(s.verify_journal().is_ok());
}

/// A supplier invoice whose mandat the accountant rejected is liquidated again, with the
/// reason, mandated by the next supplier run, then paid by the return of that one.
pub fn a_rejected_invoice_is_mandated_again_then_paid<B: TestBackend>() {
    let mut f = filled::<B>();
    let s = &mut f.store;
    add_user(s, "inst", &[Role::Instruction]);
    add_user(s, "liq", &[Role::Liquidation]);
    add_user(s, "ord", &[Role::Ordonnateur]);
    numbering(s);
    liquidate(s, "F1", 7_000);
    let run = s.prepare_supplier_run(&request(s)).expect("prepare").run.id;
    s.validate_run(run, "ord", "2026-12-07 10:00")
        .expect("validate");
    // F1 is mandat 1201 of bordereau 42, its interest 1202.
    let rejected = apply(
        s,
        "liq",
        'a',
        &[piece(42, 1_201, PieceState::Rejected, None)],
    );
    let PieceOutcome::Rejected {
        of,
        invoices,
        reason,
        ..
    } = &rejected.pieces[0].outcome
    else {
        panic!("{:?}", rejected.pieces[0].outcome)
    };
    assert_eq!(
        (*of, invoices.as_slice()),
        (MandateOf::Suppliers, &["F1".to_owned()][..])
    );
    assert!(reason.contains("09 domiciliation bancaire") && reason.contains("RIB clos"));
    let life = fold(&s.invoice_steps().expect("steps")["F1"]);
    assert_eq!(life.state, InvoiceState::Liquidated);
    assert_eq!(life.reason.as_deref(), Some(reason.as_str()));
    // Mandated again by a new run (its interest mandat of the first run stands).
    let req = request(s);
    assert_eq!(req.mandates.len(), 2);
    let again = s.prepare_supplier_run(&req).expect("prepare again").run.id;
    let summary = s.supplier_run_summary(again).expect("summary");
    assert_eq!((summary.invoices, summary.interest_mandates), (1, 0));
    s.validate_run(again, "ord", "2026-12-08 10:00")
        .expect("validate again");
    let life = fold(&s.invoice_steps().expect("steps")["F1"]);
    assert_eq!(
        life.mandated.as_ref().map(|m| (m.2, m.3)),
        Some((43, 1_203))
    );
    // Its return pays it.
    let paid = apply(
        s,
        "ord",
        'b',
        &[piece(
            43,
            1_203,
            PieceState::Settled,
            Some((date(2026, 12, 10), 7_000)),
        )],
    );
    assert_eq!(outcome_codes(&paid), ["paid"]);
    let steps = &s.invoice_steps().expect("steps")["F1"];
    let life = fold(steps);
    assert_eq!(life.state, InvoiceState::Paid);
    assert_eq!(life.paid_on, Some(date(2026, 12, 10)));
    assert!(
        steps
            .last()
            .is_some_and(|st| st.event.label_fr().contains("retour du comptable"))
    );
    // The old rejection, read again in a later file, changes nothing.
    let old = apply(
        s,
        "liq",
        'c',
        &[piece(42, 1_201, PieceState::Rejected, None)],
    );
    assert_eq!(outcome_codes(&old), ["known"]);
    assert!(
        s.invoices_to_mandate(&jiff::tz::TimeZone::UTC)
            .expect("ready")
            .is_empty()
    );
}

/// A rejected benefit mandat: its right is payable again that month, a second run pays it,
/// a third pays nothing; rejected again, it is not released twice.
pub fn a_rejected_benefit_mandat_pays_its_right_once_more<B: TestBackend>() {
    let mut f = with_rights::<B>();
    let s = &mut f.store;
    let first = prepared(s, "2026-12");
    s.validate_run(first, "ord", "2026-12-01 10:00")
        .expect("validate");
    let ids = pieces_of(s, first);
    let (r1, r2, r3) = (
        u64::from(ids[0].1),
        u64::from(ids[1].1),
        u64::from(ids[2].1),
    );
    let file = [
        piece(
            42,
            r1,
            PieceState::Settled,
            Some((date(2026, 12, 10), 100_000)),
        ),
        piece(42, r2, PieceState::Rejected, None),
        piece(42, r3, PieceState::TakenInCharge, None),
        piece(42, 9_999, PieceState::Settled, None),
    ];
    let applied = apply(s, "liq", 'a', &file);
    assert_eq!(
        outcome_codes(&applied),
        ["paid", "rejected", "taken", "unknown"]
    );
    let PieceOutcome::Rejected {
        released_rights,
        month,
        of,
        ..
    } = &applied.pieces[1].outcome
    else {
        unreachable!()
    };
    assert_eq!(
        (*released_rights, month.as_str(), *of),
        (1, "2026-12", MandateOf::Benefits)
    );
    // Applied twice, still one release.
    assert!(apply(s, "liq", 'a', &file).before.is_some());
    // A second run of December pays R2 alone.
    let second = s
        .prepare_run(&super::runs::request("liq2", "2026-12"), &ALL)
        .expect("second run")
        .run
        .id;
    let rights: Vec<String> = pieces_of(s, second).into_iter().map(|(r, _)| r).collect();
    assert_eq!(rights, ["R2"]);
    s.validate_run(second, "ord2", "2026-12-02 10:00")
        .expect("validate");
    // A third pays nothing.
    assert!(matches!(
        s.prepare_run(&super::runs::request("liq", "2026-12"), &ALL),
        Err(RunStoreError::NothingToPay(_))
    ));
    // The first rejection read again releases nothing more; the new claim stays.
    let again = apply(s, "liq", 'b', &[piece(42, r2, PieceState::Rejected, None)]);
    assert_eq!(outcome_codes(&again), ["known"]);
    assert!(matches!(
        s.prepare_run(&super::runs::request("liq", "2026-12"), &ALL),
        Err(RunStoreError::NothingToPay(_))
    ));
    // The second run's claim is not released by the first run's rejection.
    assert!(s.release_refused(&second.to_string(), "R2", "2026-12", (2026, 42, r2)));
    assert!(s.verify_journal().is_ok());
}
