//! Changes of bank details against the store: the fraud of issue #18 step by step — an
//! instruction agent approving, an establishment's account changed from a person's page, an
//! approval reused — each refused; and what the approver is shown.

use jiff::civil::date;
use relais_core::Cents;
use relais_core::bank_change::{DecisionRefusal, ScopeRefusal};
use relais_core::ids::{Bic, Iban};
use relais_core::records::{Beneficiary, Benefit, Payee, PayeeKind, Record, Right, RightStatus};
use relais_core::roles::Role;
use relais_store::bank::{BankChangeError, BankChangeStore, NewBankChange};
use relais_store::desk::DeskStore;
use relais_store::{NewUser, SqliteStore, Store};
use serde_json::json;

fn person(dossier: &str, last: &str) -> Record {
    Record::Beneficiary(Beneficiary {
        dossier: dossier.into(),
        nir: None,
        last_name: last.into(),
        first_name: "Anne".into(),
        birth_date: date(1941, 7, 4),
        address: "1 rue de la Paix".into(),
        postal_code: "77000".into(),
        city: "Melun".into(),
        phone: String::new(),
        site: "MDS01".into(),
        death_date: None,
        civility: None,
        extra: vec![],
    })
}

fn payee(id: &str, kind: PayeeKind, name: &str, iban: &Iban) -> Record {
    Record::Payee(Payee {
        id: id.into(),
        kind,
        name: name.into(),
        siret: None,
        iban: iban.clone(),
        bic: Bic::parse("BNPAFRPP").expect("bic"),
        holder: name.into(),
        address: String::new(),
        postal_code: "77000".into(),
        city: "Melun".into(),
        iban_changed_on: None,
        legal_form: None,
        extra: vec![],
    })
}

fn right(id: &str, dossier: &str, payee: &str, cents: i64) -> Record {
    Record::Right(Right {
        id: id.into(),
        dossier: dossier.into(),
        benefit: Benefit::ApaEtab,
        monthly_amount: Cents(cents),
        start: date(2024, 1, 1),
        end: date(2027, 12, 31),
        status: RightStatus::EnPaiement,
        payee_id: payee.into(),
        imputation: None,
        extra: vec![],
    })
}

fn old_iban() -> Iban {
    Iban::from_french_rib("30004", "00001", "00000000002").expect("iban")
}

fn fraud_iban() -> Iban {
    Iban::parse("DE89370400440532013000").expect("iban")
}

/// D1 and D2 live in the EHPAD T2; D1 is also paid themself (T1). T3 already uses the
/// fraudster's account.
fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SqliteStore::open(&dir.path().join("relais.db")).expect("open");
    let user = |login: &str, roles: Vec<Role>| NewUser {
        login: login.into(),
        roles,
        site: None,
        password_hash: "x".into(),
    };
    store
        .add_user("system", &user("admin", vec![Role::Admin]))
        .expect("admin");
    for (login, roles) in [
        ("acc", vec![Role::Accueil]),
        ("ins", vec![Role::Instruction]),
        ("ord", vec![Role::Ordonnateur]),
        ("both", vec![Role::Instruction, Role::Ordonnateur]),
    ] {
        store.add_user("admin", &user(login, roles)).expect("user");
    }
    let records = vec![
        person("D1", "LEFÈVRE"),
        person("D2", "MARTIN"),
        payee(
            "T1",
            PayeeKind::Personne,
            "LEFÈVRE Anne",
            &Iban::from_french_rib("30004", "00001", "00000000001").expect("iban"),
        ),
        payee(
            "T2",
            PayeeKind::Etablissement,
            "EHPAD Les Tilleuls",
            &old_iban(),
        ),
        payee("T3", PayeeKind::Tuteur, "Tutelles 77", &fraud_iban()),
        right("R1", "D1", "T1", 10_000),
        right("R2", "D1", "T2", 110_000),
        right("R3", "D2", "T2", 95_050),
    ];
    let mut session = store.begin_import().expect("begin");
    for r in &records {
        session.insert(r).expect("insert");
    }
    session.commit("admin", json!({})).expect("commit");
    (dir, store)
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

/// What a run checks today (crates/store/src/sqlite/runs/prepare.rs), and the stricter view.
fn approved(store: &SqliteStore, payee: &str, iban: &Iban) -> (bool, bool) {
    let conn = store.raw_connection();
    let check = |table: &str| -> bool {
        conn.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE payee_id = ?1 AND iban = ?2)"),
            [payee, iban.as_str()],
            |r| r.get(0),
        )
        .expect("check")
    };
    (check("bank_approvals"), check("bank_approvals_current"))
}

#[test]
fn an_establishment_is_not_changed_from_a_persons_page() {
    let (_dir, mut store) = store();
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

#[test]
fn only_an_ordonnateur_who_did_not_ask_decides() {
    let (_dir, mut store) = store();
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
    assert_eq!(approved(&store, "T2", &fraud_iban()), (false, false));
    let done = store
        .decide_bank_change("ord", id, false, "2026-12-02")
        .expect("refuse");
    assert_eq!(done.status, "refused");
    assert!(matches!(
        store.decide_bank_change("ord", id, true, "2026-12-02"),
        Err(BankChangeError::AlreadyDecided(_))
    ));
    let both = store
        .decide_bank_change("ord", own, true, "2026-12-02")
        .expect("approve");
    assert_eq!(both.decided_by.as_deref(), Some("ord"));
    // Decisions never change, not through SQL either.
    let conn = store.raw_connection();
    assert!(
        conn.execute("UPDATE bank_change_requests SET status = 'pending'", [])
            .is_err()
    );
    assert!(conn.execute("DELETE FROM bank_approval_log", []).is_err());
    assert!(store.verify_journal().is_ok());
}

#[test]
fn the_approver_sees_both_accounts_in_full_and_the_warnings() {
    let (_dir, mut store) = store();
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

#[test]
fn an_approval_holds_for_its_request_only() {
    let (_dir, mut store) = store();
    let first = store
        .request_bank_change("acc", &ask("T2", None, &fraud_iban()))
        .expect("request");
    store
        .decide_bank_change("ord", first, true, "2026-12-02")
        .expect("approve");
    assert_eq!(approved(&store, "T2", &fraud_iban()), (true, true));
    let page = store.person("D2", None).expect("page").expect("D2");
    assert!(page.rights[0].iban_end.ends_with("3000"));
    // Back to the old account: a new request, approved on its own.
    let back = store
        .request_bank_change("ins", &ask("T2", None, &old_iban()))
        .expect("request");
    assert_eq!(approved(&store, "T2", &old_iban()), (false, false));
    store
        .decide_bank_change("ord", back, true, "2026-12-03")
        .expect("approve");
    assert_eq!(approved(&store, "T2", &old_iban()), (true, true));
    // The first approval is spent: the fraudster's account, set again (by an import, a
    // restored file…), is not approved by it.
    assert_eq!(approved(&store, "T2", &fraud_iban()), (false, false));
    store
        .raw_connection()
        .execute(
            "UPDATE payees SET iban = ?1, iban_changed_on = '2026-12-04' WHERE id = 'T2'",
            [fraud_iban().as_str()],
        )
        .expect("set");
    assert_eq!(approved(&store, "T2", &fraud_iban()), (false, false));
    // A change made by the extracts is approved by an ordonnateur only, for that change.
    assert!(matches!(
        store.approve_imported_change("ins", "T2"),
        Err(BankChangeError::Decision(
            _,
            DecisionRefusal::NotOrdonnateur
        ))
    ));
    store.approve_imported_change("ord", "T2").expect("approve");
    assert_eq!(approved(&store, "T2", &fraud_iban()), (true, true));
    // Same IBAN, changed again later: the approval was for the earlier change.
    store
        .raw_connection()
        .execute(
            "UPDATE payees SET iban_changed_on = '2026-12-05' WHERE id = 'T2'",
            [],
        )
        .expect("set");
    assert!(!approved(&store, "T2", &fraud_iban()).1);
    // Every approval is kept.
    let log: i64 = store
        .raw_connection()
        .query_row(
            "SELECT count(*) FROM bank_approval_log WHERE payee_id = 'T2'",
            [],
            |r| r.get(0),
        )
        .expect("log");
    assert_eq!(log, 3);
    assert!(store.verify_journal().is_ok());
}

#[test]
fn held_details_list_requests_and_unapproved_imported_changes() {
    let (_dir, mut store) = store();
    let today = date(2026, 12, 5);
    assert!(store.held_bank_details(today, 30).expect("held").is_empty());
    let asked = store
        .request_bank_change("acc", &ask("T2", None, &fraud_iban()))
        .expect("request");
    // T1 changed by the extracts 3 days ago, nobody approved; T3 long ago (outside the window).
    store
        .raw_connection()
        .execute_batch(
            "UPDATE payees SET iban_changed_on = '2026-12-02' WHERE id = 'T1';
             UPDATE payees SET iban_changed_on = '2026-09-01' WHERE id = 'T3';",
        )
        .expect("set");
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
