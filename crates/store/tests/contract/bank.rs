//! Changes of bank details (`relais_store::bank`): the fraud of issue #18 step by step — an
//! instruction agent approving, an establishment's account changed from a person's page, an
//! approval reused — each refused; and what the approver is shown. What only SQL shows (the
//! approvals table beside its view, rewrites refused) is each backend's own test
//! (`tests/bank.rs` for SQLite).

use super::TestBackend;
use super::fixtures::{Fixture, add_user, iban, import, payee, person, right, with_admin};
use jiff::civil::{Date, date};
use relais_core::bank_change::{DecisionRefusal, ScopeRefusal};
use relais_core::ids::{Bic, Iban};
use relais_core::records::{Benefit, PayeeKind, Record};
use relais_core::roles::Role;
use relais_store::bank::{BankChangeError, NewBankChange};

fn old_iban() -> Iban {
    iban(2)
}

fn fraud_iban() -> Iban {
    Iban::parse("DE89370400440532013000").expect("iban")
}

/// The extracts: D1 and D2 live in the EHPAD T2; D1 is also paid themself (T1). T3 already
/// uses the fraudster's account. `changed` gives payees the day the extracts changed their
/// details, and T2 its account.
fn records(t2: &Iban, changed: &[(&str, Date)]) -> Vec<Record> {
    let mut records = vec![
        person("D1", "LEFÈVRE", "Anne", None),
        person("D2", "MARTIN", "Anne", None),
        payee("T1", "LEFÈVRE Anne", 1, PayeeKind::Personne),
        payee("T2", "EHPAD Les Tilleuls", 2, PayeeKind::Etablissement),
        payee("T3", "Tutelles 77", 3, PayeeKind::Tuteur),
        right("R1", "D1", "T1", Benefit::ApaEtab, 10_000),
        right("R2", "D1", "T2", Benefit::ApaEtab, 110_000),
        right("R3", "D2", "T2", Benefit::ApaEtab, 95_050),
    ];
    for r in &mut records {
        if let Record::Payee(p) = r {
            match p.id.as_str() {
                "T2" => p.iban = t2.clone(),
                "T3" => p.iban = fraud_iban(),
                _ => {}
            }
            p.iban_changed_on = changed
                .iter()
                .find(|(id, _)| *id == p.id)
                .map(|(_, day)| *day);
        }
    }
    records
}

/// Users: admin, acc (accueil), ins (instruction), ord (ordonnateur), both (instruction and
/// ordonnateur).
fn store<B: TestBackend>() -> Fixture<B> {
    let mut f = with_admin::<B>();
    for (login, roles) in [
        ("acc", vec![Role::Accueil]),
        ("ins", vec![Role::Instruction]),
        ("ord", vec![Role::Ordonnateur]),
        ("both", vec![Role::Instruction, Role::Ordonnateur]),
    ] {
        add_user(&mut f.store, login, &roles);
    }
    import(&mut f.store, &records(&old_iban(), &[]));
    f
}

fn ask(payee: &str, dossier: Option<&str>, iban: &Iban) -> NewBankChange {
    NewBankChange {
        payee_id: payee.into(),
        dossier: dossier.map(str::to_owned),
        iban: iban.clone(),
        bic: Bic::parse("COBADEFF").expect("bic"),
        holder: "EHPAD Les Tilleuls".into(),
        proof: "RIB original présenté".into(),
    }
}

/// The payees whose details wait for an ordonnateur on `today` (runs' window of 30 days):
/// (payee, pending request).
fn held<B: TestBackend>(store: &B, today: Date) -> Vec<(String, Option<i64>)> {
    store
        .held_bank_details(today, 30)
        .expect("held")
        .into_iter()
        .map(|h| (h.payee_id, h.request))
        .collect()
}

/// The last four characters of the account T2 is paid on now.
fn t2_paid_on<B: TestBackend>(store: &B) -> String {
    store
        .payee_page("T2", None)
        .expect("page")
        .expect("T2")
        .iban_end
}

fn end(iban: &Iban) -> String {
    iban.as_str()[iban.as_str().len() - 4..].to_owned()
}

pub fn an_establishment_is_not_changed_from_a_persons_page<B: TestBackend>() {
    let Fixture {
        dir: _dir,
        mut store,
    } = store::<B>();
    for foreign in ["T2", "T3"] {
        assert!(
            matches!(
                store.request_bank_change("acc", &ask(foreign, Some("D1"), &fraud_iban())),
                Err(BankChangeError::Scope(ScopeRefusal::NotThePerson { .. }))
                    | Err(BankChangeError::Scope(ScopeRefusal::NotPaidForDossier(_)))
            ),
            "{foreign}"
        );
    }
    // The person's own account, from the page of another person: refused too.
    assert!(matches!(
        store.request_bank_change("acc", &ask("T1", Some("D2"), &fraud_iban())),
        Err(BankChangeError::Scope(ScopeRefusal::NotPaidForDossier(_)))
    ));
    assert!(store.pending_bank_changes().expect("pending").is_empty());
    // The person's page offers only the person's own account.
    assert_eq!(
        store.own_payees("D1").expect("own"),
        vec![("T1".to_owned(), "LEFÈVRE Anne".to_owned())]
    );
    // From the establishment's own page, which says whom it pays.
    let page = store.payee_page("T2", None).expect("page").expect("T2");
    assert_eq!(page.impact.people, 2);
    assert_eq!(page.impact.monthly_cents, 205_050);
    assert_eq!(page.rights.len(), 2);
    let id = store
        .request_bank_change("acc", &ask("T2", None, &fraud_iban()))
        .expect("asked from the payee's page");
    assert_eq!(
        store.pending_bank_changes().expect("pending")[0].dossier,
        None
    );
    assert_eq!(
        store
            .payee_page("T2", None)
            .expect("page")
            .expect("T2")
            .requests[0]
            .id,
        id
    );
}

pub fn only_an_ordonnateur_who_did_not_ask_decides<B: TestBackend>() {
    let Fixture {
        dir: _dir,
        mut store,
    } = store::<B>();
    let id = store
        .request_bank_change("acc", &ask("T2", None, &fraud_iban()))
        .expect("request");
    for (who, why) in [
        ("ins", DecisionRefusal::NotOrdonnateur),
        ("acc", DecisionRefusal::NotOrdonnateur),
        ("admin", DecisionRefusal::NotOrdonnateur),
    ] {
        assert!(
            matches!(
                store.decide_bank_change(who, id, true, "2026-12-02"),
                Err(BankChangeError::Decision(n, w)) if n == id && w == why
            ),
            "{who}"
        );
    }
    // An agent holding both roles asks, then may not decide their own request.
    let own = store
        .request_bank_change("both", &ask("T2", None, &old_iban()))
        .expect("request");
    assert!(matches!(
        store.decide_bank_change("both", own, true, "2026-12-02"),
        Err(BankChangeError::Decision(_, DecisionRefusal::SameAgent))
    ));
    // Nothing changed for payments.
    assert_eq!(t2_paid_on(&store), end(&old_iban()));
    let done = store
        .decide_bank_change("ord", id, false, "2026-12-02")
        .expect("refuse");
    assert_eq!(done.status, "refused");
    assert_eq!(t2_paid_on(&store), end(&old_iban()));
    assert!(matches!(
        store.decide_bank_change("ord", id, true, "2026-12-02"),
        Err(BankChangeError::AlreadyDecided(_))
    ));
    assert!(matches!(
        store.decide_bank_change("ord", 999, true, "2026-12-02"),
        Err(BankChangeError::NotFound(999))
    ));
    let both = store
        .decide_bank_change("ord", own, true, "2026-12-02")
        .expect("approve");
    assert_eq!(both.decided_by.as_deref(), Some("ord"));
    assert_eq!(both.status, "approved");
    assert!(store.pending_bank_changes().expect("pending").is_empty());
    let kinds: Vec<String> = store
        .journal_entries(1, 1_000)
        .expect("journal")
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| k.starts_with("bank_"))
        .collect();
    assert_eq!(
        kinds,
        [
            "bank_change_request",
            "bank_change_request",
            "bank_change_refuse",
            "bank_change_approve"
        ]
    );
    assert!(store.verify_journal().is_ok());
}

pub fn the_approver_sees_both_accounts_in_full_and_the_warnings<B: TestBackend>() {
    let Fixture {
        dir: _dir,
        mut store,
    } = store::<B>();
    let id = store
        .request_bank_change("acc", &ask("T2", None, &fraud_iban()))
        .expect("request");
    let r = store
        .bank_change_review(id)
        .expect("review")
        .expect("found");
    assert_eq!(r.old.iban, old_iban().as_str());
    assert_eq!(r.new.iban, fraud_iban().as_str());
    assert_eq!(r.new.bic, "COBADEFF");
    assert_eq!(r.old.bic, "BNPAFRPP");
    assert_eq!((r.country, r.abroad), ("Allemagne", true));
    assert_eq!(
        r.shared_with,
        vec![("T3".into(), "Tutelles 77".into(), "tuteur".into())]
    );
    assert_eq!((r.impact.people, r.impact.monthly_cents), (2, 205_050));
    assert_eq!(r.change.requested_by, "acc");
    assert_eq!(r.change.proof, "RIB original présenté");
    assert!(store.bank_change_review(999).expect("review").is_none());
}

pub fn an_approval_holds_for_its_request_only<B: TestBackend>() {
    let Fixture {
        dir: _dir,
        mut store,
    } = store::<B>();
    let today = date(2026, 12, 5);
    let first = store
        .request_bank_change("acc", &ask("T2", None, &fraud_iban()))
        .expect("request");
    assert_eq!(held(&store, today), [("T2".to_owned(), Some(first))]);
    store
        .decide_bank_change("ord", first, true, "2026-12-02")
        .expect("approve");
    // Changed on the 2nd, within the runs' window, and approved: paid, not held.
    assert_eq!(t2_paid_on(&store), end(&fraud_iban()));
    assert!(held(&store, today).is_empty());
    // Back to the old account: a new request, approved on its own.
    let back = store
        .request_bank_change("ins", &ask("T2", None, &old_iban()))
        .expect("request");
    store
        .decide_bank_change("ord", back, true, "2026-12-03")
        .expect("approve");
    assert_eq!(t2_paid_on(&store), end(&old_iban()));
    assert!(held(&store, today).is_empty());
    // The first approval is spent: the fraudster's account, set again by the extracts, is
    // not approved by it.
    import(
        &mut store,
        &records(&fraud_iban(), &[("T2", date(2026, 12, 4))]),
    );
    assert_eq!(held(&store, today), [("T2".to_owned(), None)]);
    // A change made by the extracts is approved by an ordonnateur only, for that change.
    assert!(matches!(
        store.approve_imported_change("ins", "T2"),
        Err(BankChangeError::Decision(
            _,
            DecisionRefusal::NotOrdonnateur
        ))
    ));
    // A payee whose details the extracts never changed has nothing to approve.
    assert!(matches!(
        store.approve_imported_change("ord", "T1"),
        Err(BankChangeError::NothingToApprove(_))
    ));
    assert!(matches!(
        store.approve_imported_change("ord", "T9"),
        Err(BankChangeError::UnknownPayee(_))
    ));
    store.approve_imported_change("ord", "T2").expect("approve");
    assert!(held(&store, today).is_empty());
    // Same IBAN, changed again later: the approval was for the earlier change.
    import(
        &mut store,
        &records(&fraud_iban(), &[("T2", date(2026, 12, 5))]),
    );
    assert_eq!(held(&store, today), [("T2".to_owned(), None)]);
    assert!(store.verify_journal().is_ok());
}

pub fn held_details_list_requests_and_unapproved_imported_changes<B: TestBackend>() {
    let Fixture {
        dir: _dir,
        mut store,
    } = store::<B>();
    let today = date(2026, 12, 5);
    assert!(store.held_bank_details(today, 30).expect("held").is_empty());
    let asked = store
        .request_bank_change("acc", &ask("T2", None, &fraud_iban()))
        .expect("request");
    // T1 changed by the extracts 3 days ago, nobody approved; T3 long ago (outside the window).
    import(
        &mut store,
        &records(
            &old_iban(),
            &[("T1", date(2026, 12, 2)), ("T3", date(2026, 9, 1))],
        ),
    );
    let held = store.held_bank_details(today, 30).expect("held");
    assert_eq!(held.len(), 2, "{held:?}");
    let request = &held[0];
    assert_eq!(request.request, Some(asked));
    assert!(!request.holds_payments());
    assert_eq!(request.impact.people, 2);
    assert_eq!(request.impact.monthly_cents, 205_050);
    let old = request.old.as_ref().expect("old details");
    assert_ne!(old.iban_masked, request.new.iban_masked);
    assert!(request.new.iban_masked.starts_with("DE89"));
    let imported = &held[1];
    assert_eq!(
        (imported.payee_id.as_str(), imported.since.as_str()),
        ("T1", "2026-12-02")
    );
    assert!(imported.holds_payments() && imported.old.is_none());
    assert_eq!(imported.impact.monthly_cents, 10_000);
    // Decided, both leave the list.
    store
        .decide_bank_change("ord", asked, true, "2026-12-05")
        .expect("approve");
    store.approve_imported_change("ord", "T1").expect("approve");
    let held = store.held_bank_details(today, 30).expect("held");
    // T2's approved change is dated today and approved: not held.
    assert!(held.is_empty(), "{held:?}");
    // The next month to pay: no history, the current month.
    assert_eq!(
        store.first_unpaid_month(today).expect("month").to_string(),
        "2026-12"
    );
}
