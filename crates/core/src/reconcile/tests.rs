use super::*;
use crate::records::RightStatus;
use jiff::civil::date;

fn m(s: &str) -> Month {
    Month::parse(s).expect("month")
}

fn crisis() -> CrisisMonths {
    let mut c = CrisisMonths::new();
    c.add(m("2026-12"), &[Benefit::ApaDom, Benefit::Pch]);
    c.add(m("2027-01"), &[Benefit::ApaDom]);
    c
}

fn terms(amount: i64, end: Date) -> RightTerms {
    RightTerms {
        benefit: Benefit::ApaDom,
        monthly_amount: Cents(amount),
        start: date(2020, 1, 1),
        end,
        status: RightStatus::EnPaiement,
    }
}

fn restored(id: &str, t: &RightTerms) -> DueRight {
    DueRight {
        right_id: id.into(),
        dossier: format!("D{id}"),
        benefit: t.benefit,
        dues: dues(t, None, &crisis()),
    }
}

fn claim(id: &str, month: &str, amount: i64, run: Option<&str>) -> PaidClaim {
    PaidClaim {
        right_id: id.into(),
        month: m(month),
        run: run.map(str::to_owned),
        amount: Cents(amount),
        dossier: format!("D{id}"),
        benefit: Benefit::ApaDom,
    }
}

type Row = (String, Month, i64, i64, Known);

/// Runs the merge; every line as (right, month, paid, due, known), and the totals.
fn merge(restored: Vec<DueRight>, claims: &[PaidClaim]) -> Result<(Vec<Row>, Totals), OutOfOrder> {
    let mut rows = Vec::new();
    let mut each = |l: &Line<'_>| {
        rows.push((l.right_id.to_owned(), l.month, l.paid.0, l.due.0, l.known));
        Ok::<(), OutOfOrder>(())
    };
    let mut r = Reconciler::new(restored.into_iter().map(Ok::<_, OutOfOrder>));
    for c in claims {
        r.claim(c, &mut each)?;
    }
    let totals = r.finish(&mut each)?;
    Ok((rows, totals))
}

const FOREVER: Date = date(2030, 12, 31);

#[test]
fn a_right_paid_but_no_longer_due_is_an_indu_and_one_due_more_a_rappel() {
    // A: ended on 31/12/2026 in the restored system, yet Relais paid January: indu.
    // B: raised from 300 € to 350 € in the restored system: rappel of 50 € each month.
    let a = terms(40_000, date(2026, 12, 31));
    let b = terms(35_000, FOREVER);
    let claims = [
        claim("A", "2026-12", 40_000, Some("R1")),
        claim("A", "2027-01", 40_000, Some("R2")),
        claim("B", "2026-12", 30_000, Some("R1")),
        claim("B", "2027-01", 30_000, Some("R2")),
    ];
    let (rows, totals) = merge(vec![restored("A", &a), restored("B", &b)], &claims).expect("merge");
    assert_eq!(
        rows,
        vec![
            ("A".into(), m("2026-12"), 40_000, 40_000, Known::Both),
            ("A".into(), m("2027-01"), 40_000, 0, Known::Both),
            ("B".into(), m("2026-12"), 30_000, 35_000, Known::Both),
            ("B".into(), m("2027-01"), 30_000, 35_000, Known::Both),
        ]
    );
    let jan = totals[&(m("2027-01"), Benefit::ApaDom)];
    assert_eq!(jan.paid, Cents(70_000));
    assert_eq!(jan.indu, Cents(40_000));
    assert_eq!(jan.rappel, Cents(5_000));
    assert_eq!(
        (jan.rights_indu, jan.rights_rappel, jan.rights_paid),
        (1, 1, 2)
    );
    // The indu names why nothing was due.
    let line = Line {
        right_id: "A",
        dossier: "DA",
        benefit: Benefit::ApaDom,
        month: m("2027-01"),
        paid: Cents(40_000),
        due: Cents::ZERO,
        why_not_due: dues(&a, None, &crisis())[1].why_not,
        known: Known::Both,
    };
    assert_eq!(line.reason_fr(), "droit terminé avant le mois");
    assert_eq!(line.indu(), Cents(40_000));
    assert_eq!(line.rappel(), Cents::ZERO);
}

#[test]
fn a_right_unknown_to_relais_is_owed_what_was_due_and_one_unknown_to_the_restored_system_nothing() {
    // "0" sorts before "A", "Z" after: restored rights before, between and after the claims.
    let t = terms(10_000, FOREVER);
    let claims = [
        claim("A", "2026-12", 10_000, Some("R1")),
        claim("M", "2026-12", 20_000, Some("R1")),
    ];
    let (rows, totals) = merge(
        vec![restored("0", &t), restored("A", &t), restored("Z", &t)],
        &claims,
    )
    .expect("merge");
    assert_eq!(
        rows,
        vec![
            ("0".into(), m("2026-12"), 0, 10_000, Known::RestoredOnly),
            ("0".into(), m("2027-01"), 0, 10_000, Known::RestoredOnly),
            ("A".into(), m("2026-12"), 10_000, 10_000, Known::Both),
            ("A".into(), m("2027-01"), 0, 10_000, Known::Both),
            ("M".into(), m("2026-12"), 20_000, 0, Known::RelaisOnly),
            ("Z".into(), m("2026-12"), 0, 10_000, Known::RestoredOnly),
            ("Z".into(), m("2027-01"), 0, 10_000, Known::RestoredOnly),
        ]
    );
    let dec = totals[&(m("2026-12"), Benefit::ApaDom)];
    assert_eq!(dec.paid, Cents(30_000));
    assert_eq!(dec.indu, Cents(20_000));
    assert_eq!(dec.rappel, Cents(20_000));
}

#[test]
fn a_month_or_benefit_relais_did_not_pay_and_the_history_s_months_are_not_compared() {
    // PCH was paid by Relais in December only; November is not a crisis month at all.
    let mut pch = terms(10_000, FOREVER);
    pch.benefit = Benefit::Pch;
    let d = dues(&pch, None, &crisis());
    assert_eq!(
        d.iter().map(|d| d.month).collect::<Vec<_>>(),
        vec![m("2026-12")]
    );
    // A right the history paid in December (a claim of no run) is compared in January only.
    let t = terms(10_000, FOREVER);
    let claims = [
        claim("H", "2026-12", 10_000, None),
        claim("H", "2027-01", 10_000, Some("R2")),
    ];
    let (rows, totals) = merge(vec![restored("H", &t)], &claims).expect("merge");
    assert_eq!(
        rows,
        vec![("H".into(), m("2027-01"), 10_000, 10_000, Known::Both)]
    );
    assert!(!totals.contains_key(&(m("2026-12"), Benefit::ApaDom)));
    assert!(!totals.keys().any(|(month, _)| *month == m("2026-11")));
}

#[test]
fn streams_out_of_order_stop_the_merge() {
    let t = terms(10_000, FOREVER);
    let claims = [
        claim("B", "2026-12", 10_000, Some("R1")),
        claim("A", "2026-12", 10_000, Some("R1")),
    ];
    assert!(merge(vec![], &claims).is_err());
    assert!(merge(vec![restored("B", &t), restored("A", &t)], &[]).is_err());
}

#[test]
fn invoices_differ_three_ways() {
    let paid = |id: &str, number: &str| PaidInvoice {
        id: id.into(),
        siret: "73282932000074".into(),
        supplier: "Fournisseur".into(),
        number: number.into(),
        amount: Cents(120_000),
        paid: true,
        on: date(2026, 12, 10),
    };
    let restored = |id: &str, number: &str, status: &str| RestoredInvoice {
        id: id.into(),
        siret: "73282932000074".into(),
        number: number.into(),
        amount: Cents(120_000),
        status: status.into(),
    };
    let relais = [
        paid("F1", "N1"), // unknown to the restored system
        paid("F2", "N2"), // known under another id, paid: fine
        paid("F3", "N3"), // still to pay there
    ];
    let back = [
        restored("X2", "N2", "Payée"),
        restored("F3", "N3", "a_payer"),
        restored("F4", "N4", "mandatée"), // paid there, unknown to Relais
        restored("F5", "N5", "payee"),    // paid there, Relais knows it (not paid by it)
        restored("F6", "N6", "a_payer"),  // nobody paid it
    ];
    let gaps = compare_invoices(&relais, &back, &mut |r| r.id == "F5");
    let got: Vec<(InvoiceGapKind, &str)> = gaps.iter().map(|g| (g.kind, g.id.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (InvoiceGapKind::UnknownToRestored, "F1"),
            (InvoiceGapKind::UnpaidInRestored, "F3"),
            (InvoiceGapKind::UnknownToRelais, "F4"),
        ]
    );
    assert!(restored_is_paid(" Réglée "));
    assert!(!restored_is_paid("a_payer"));
}
