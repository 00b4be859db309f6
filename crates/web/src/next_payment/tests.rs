use super::*;
use relais_store::desk::{BankRequestRow, ExclusionRow, PaymentRow, PersonHit, RightRow, RunRow};

fn page(rights: Vec<RightRow>, paid: Vec<PaymentRow>, death: Option<&str>) -> PersonPage {
    PersonPage {
        person: PersonHit {
            dossier: "D1".into(),
            last_name: "X".into(),
            first_name: "Y".into(),
            birth_date: "1940-01-01".into(),
            city: String::new(),
            deceased: death.is_some(),
        },
        nir: None,
        address: String::new(),
        postal_code: String::new(),
        phone: String::new(),
        site: String::new(),
        death_date: death.map(str::to_owned),
        rights,
        payments: paid.clone(),
        contacts: Vec::new(),
        paid_months: paid,
        runs: Vec::new(),
        exclusions: Vec::new(),
        bank_requests: Vec::new(),
        import_problems: Vec::new(),
        run_accounts: Vec::new(),
    }
}

fn right(id: &str, benefit: &str, status: &str, end: &str) -> RightRow {
    RightRow {
        id: id.into(),
        benefit: benefit.into(),
        monthly_amount: 30_219,
        start: "2020-01-01".into(),
        end: end.into(),
        status: status.into(),
        payee_id: "T1".into(),
        payee_name: "Payé".into(),
        iban_end: "7576".into(),
        iban_changed_on: None,
        iban_approved: false,
    }
}

fn apa() -> RightRow {
    right("R1", "APA_DOM", "en_paiement", "2030-12-31")
}

fn paid(right: &str, month: &str, date: &str, source: &str) -> PaymentRow {
    PaymentRow {
        right_id: right.into(),
        month: month.into(),
        amount: 30_219,
        date: date.into(),
        source: source.into(),
    }
}

fn november() -> PaymentRow {
    paid("R1", "2026-11", "2026-11-10", "historique")
}

fn run(id: &str, month: &str, benefits: &str, status: &str) -> RunRow {
    RunRow {
        id: id.into(),
        month: month.into(),
        benefits: benefits.into(),
        status: status.into(),
    }
}

fn settings() -> Settings {
    toml::from_str(include_str!("../../tests/next_payment_settings.toml")).expect("settings")
}

fn answer(p: &PersonPage, today: Date) -> Vec<String> {
    let s = settings();
    answer_lines(&outlooks(p, today, Some(&s)), today)
}

const DEC_2: Date = Date::constant(2026, 12, 2);

#[test]
fn this_month_until_its_pay_date_then_the_next() {
    let s = settings();
    let p = page(vec![apa()], vec![november()], None);
    // APA is paid on the 10th; 2026-12-10 is a Thursday.
    let before = next_payments(&p, Date::constant(2026, 12, 10), Some(&s));
    assert_eq!(
        (before[0].month.as_str(), before[0].date.as_str()),
        ("décembre 2026", "10/12/2026")
    );
    assert_eq!(before[0].amount, "302,19\u{a0}€");
    let mut p = p;
    p.paid_months.insert(
        0,
        paid("R1", "2026-12", "2026-12-10", "P2026-12-01 (validated)"),
    );
    let after = next_payments(&p, Date::constant(2026, 12, 11), Some(&s));
    // 2027-01-10 is a Sunday: paid on Friday the 8th.
    assert_eq!(
        (after[0].month.as_str(), after[0].date.as_str()),
        ("janvier 2027", "08/01/2027")
    );
}

#[test]
fn a_validated_run_says_yes_with_amount_day_and_account() {
    let p = page(
        vec![apa()],
        vec![
            paid("R1", "2026-12", "2026-12-10", "P2026-12-01 (validated)"),
            november(),
        ],
        None,
    );
    assert_eq!(
        answer(&p, DEC_2),
        ["Oui : 302,19\u{a0}€ le jeudi 10/12/2026 sur le compte …7576."]
    );
    let next = next_payments(&p, DEC_2, Some(&settings()));
    assert_eq!(next[0].status, "paiement P2026-12-01 validé");
}

#[test]
fn a_prepared_run_waits_for_its_validation() {
    let p = page(
        vec![apa()],
        vec![paid(
            "R1",
            "2026-12",
            "2026-12-10",
            "P2026-12-01 (prepared)",
        )],
        None,
    );
    assert_eq!(
        answer(&p, DEC_2),
        [
            "Oui, dès qu'un ordonnateur aura validé le paiement P2026-12-01 : 302,19\u{a0}€ le \
             jeudi 10/12/2026 sur le compte …7576."
        ]
    );
}

#[test]
fn a_january_run_says_nothing_of_an_unpaid_december() {
    // The naive reading takes the latest run line (January) and answers "yes".
    let mut p = page(
        vec![apa()],
        vec![
            paid("R1", "2027-01", "2027-01-08", "P2027-01-01 (validated)"),
            november(),
        ],
        None,
    );
    p.runs = vec![run("P2027-01-01", "2027-01", "APA_DOM", "validated")];
    assert_eq!(
        answer(&p, DEC_2),
        [
            "Pas encore de paiement préparé pour décembre 2026 ; prévu : 302,19\u{a0}€ le jeudi \
          10/12/2026 sur le compte …7576."
        ]
    );
    // After December's pay date, still December: overdue, not January.
    assert_eq!(
        answer(&p, Date::constant(2026, 12, 15)),
        [
            "Non, pas encore : décembre 2026 n'est pas payé (date prévue 10/12/2026 passée) et \
          aucun paiement de ce mois n'est préparé."
        ]
    );
    let next = next_payments(&p, Date::constant(2026, 12, 15), Some(&settings()));
    assert_eq!(next[0].month, "décembre 2026");
}

#[test]
fn a_run_that_left_the_right_out_says_why_in_words() {
    let mut p = page(vec![apa()], vec![november()], None);
    p.runs = vec![run("P2026-12-01", "2026-12", "APA_DOM,PCH", "validated")];
    p.exclusions = vec![ExclusionRow {
        run_id: "P2026-12-01".into(),
        month: "2026-12".into(),
        right_id: "R1".into(),
        reason: "bank_change_unapproved".into(),
        label: "coordonnées bancaires modifiées récemment, non approuvées (relais bank approve) \
                le 2026-12-04"
            .into(),
    }];
    assert_eq!(
        answer(&p, Date::constant(2026, 12, 5)),
        [
            "Non, pas ce mois-ci : coordonnées bancaires en attente de validation (depuis le \
          04/12/2026)."
        ]
    );
    p.exclusions[0].reason = "already_paid_other_right".into();
    p.exclusions[0].label =
        "prestation déjà payée ce mois à la personne sous un autre droit".into();
    assert_eq!(
        answer(&p, Date::constant(2026, 12, 5)),
        [
            "Non, pas pour décembre 2026 : le paiement P2026-12-01 a écarté ce droit (prestation \
          déjà payée ce mois à la personne sous un autre droit)."
        ]
    );
}

#[test]
fn bank_details_changed_and_not_approved_stop_the_coming_run() {
    let mut r = apa();
    r.iban_changed_on = Some("2026-12-04".into());
    let p = page(vec![r.clone()], vec![november()], None);
    assert_eq!(
        answer(&p, Date::constant(2026, 12, 5)),
        [
            "Non, pas ce mois-ci : coordonnées bancaires en attente de validation (depuis le \
          04/12/2026)."
        ]
    );
    r.iban_approved = true;
    let p = page(vec![r], vec![november()], None);
    assert!(answer(&p, Date::constant(2026, 12, 5))[0].starts_with("Pas encore"));
}

#[test]
fn a_change_asked_at_the_desk_is_said_but_the_payment_goes_on() {
    let mut p = page(
        vec![apa()],
        vec![paid(
            "R1",
            "2026-12",
            "2026-12-10",
            "P2026-12-01 (validated)",
        )],
        None,
    );
    p.bank_requests = vec![BankRequestRow {
        id: 3,
        payee_id: "T1".into(),
        iban_masked: "FR76…0185".into(),
        requested_by: "accueil".into(),
        requested_at: "2026-12-04 10:05".into(),
    }];
    let line = &answer(&p, DEC_2)[0];
    assert!(line.starts_with("Oui : 302,19"), "{line}");
    assert!(
        line.contains("demandé le 04/12/2026 attend la décision d'un ordonnateur"),
        "{line}"
    );
}

#[test]
fn suspended_ended_and_rsa_rights() {
    let p = page(
        vec![
            right("R2", "PCH", "suspendu", "2030-12-31"),
            right("R3", "ASH", "en_paiement", "2026-11-30"),
            right("R4", "RSA", "en_paiement", "2030-12-31"),
            right("R5", "APA_ETAB", "en_paiement", "2024-03-31"),
        ],
        vec![],
        None,
    );
    // The right ended in 2024 says nothing about this month.
    assert_eq!(
        answer(&p, DEC_2),
        [
            "PCH — Non : droit suspendu : rien n'est versé tant qu'il n'est pas rétabli.",
            "Aide sociale à l'hébergement — Non : droit terminé le 30/11/2026.",
            "RSA — Pas encore de paiement préparé pour décembre 2026 ; prévu : 302,19\u{a0}€ le \
             vendredi 04/12/2026, versés par la CAF (CASF L262-16)."
        ]
    );
    let next = next_payments(&p, DEC_2, Some(&settings()));
    assert_eq!(next[0].status, "non payé : droit suspendu");
    assert_eq!(next[1].status, "non payé : droit terminé avant le mois");
    let old = page(
        vec![right("R5", "APA_ETAB", "en_paiement", "2024-03-31")],
        vec![],
        None,
    );
    assert_eq!(
        answer(&old, DEC_2),
        ["Non : aucun droit en cours (le dernier a pris fin le 31/03/2024)."]
    );
}

#[test]
fn a_run_prepared_before_the_right_existed() {
    let mut p = page(vec![apa()], vec![november()], None);
    p.runs = vec![run("P2026-12-01", "2026-12", "APA_DOM", "prepared")];
    assert_eq!(
        answer(&p, DEC_2),
        [
            "Non, pas encore : le paiement P2026-12-01 de décembre 2026 a été préparé sans ce \
          droit ; un paiement complémentaire doit être préparé (302,19\u{a0}€ le jeudi \
          10/12/2026 sur le compte …7576)."
        ]
    );
}

#[test]
fn words_not_codes() {
    assert_eq!(benefit_fr("APA_DOM"), "APA à domicile");
    assert_eq!(status_fr("en_paiement"), "en paiement");
    assert_eq!(date_fr("2026-12-04"), "04/12/2026");
    assert_eq!(date_fr("2026-12-04 10:05"), "04/12/2026");
    assert_eq!(month_fr("2026-12"), "décembre 2026");
    assert_eq!(
        source_fr("P2026-12-01 (prepared)"),
        "paiement P2026-12-01 préparé, à valider"
    );
}

#[test]
fn the_rsa_advanced_to_the_caf_is_paid_by_the_caf() {
    let p = page(
        vec![right("R4", "RSA", "en_paiement", "2030-12-31")],
        vec![paid(
            "R4",
            "2026-12",
            "2026-12-04",
            "P2026-12-01 (validated)",
        )],
        None,
    );
    assert_eq!(
        answer(&p, DEC_2),
        ["Oui : 302,19\u{a0}€ le vendredi 04/12/2026, versés par la CAF (CASF L262-16)."]
    );
}

#[test]
fn an_unpaid_month_is_looked_for_two_months_back_at_most() {
    // Last paid in June: July to September are not the desk's question any more (a run pays
    // only the months after the history), October is.
    let p = page(
        vec![apa()],
        vec![paid("R1", "2026-06", "2026-06-10", "historique")],
        None,
    );
    let next = next_payments(&p, DEC_2, Some(&settings()));
    assert_eq!(next[0].month, "octobre 2026");
    assert_eq!(
        answer(&p, DEC_2),
        [
            "Non, pas encore : octobre 2026 n'est pas payé (date prévue 09/10/2026 passée) et \
          aucun paiement de ce mois n'est préparé."
        ]
    );
}

#[test]
fn a_run_pays_the_account_it_copied_when_prepared() {
    // Prepared on the old account (…1111); the change to …7576 was approved since.
    let mut p = page(
        vec![apa()],
        vec![paid(
            "R1",
            "2026-12",
            "2026-12-10",
            "P2026-12-01 (validated)",
        )],
        None,
    );
    p.run_accounts = vec![("P2026-12-01".into(), "T1".into(), "1111".into())];
    assert_eq!(
        answer(&p, DEC_2),
        ["Oui : 302,19\u{a0}€ le jeudi 10/12/2026 sur le compte …1111."]
    );
}
