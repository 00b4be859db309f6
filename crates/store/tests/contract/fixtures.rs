//! What several contracts start from: a store with its users, imported records.

use super::TestBackend;
use jiff::civil::{Date, date};
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::ids::{Bic, Iban};
use relais_core::records::{Beneficiary, Benefit, Payee, PayeeKind, Record, Right, RightStatus};
use relais_core::roles::Role;
use relais_store::NewUser;
use serde_json::json;

/// A store in a folder of its own (kept while the test runs).
pub struct Fixture<B> {
    pub dir: tempfile::TempDir,
    pub store: B,
}

pub fn empty<B: TestBackend>() -> Fixture<B> {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = B::create(dir.path());
    Fixture { dir, store }
}

pub fn month(s: &str) -> Month {
    Month::parse(s).expect("month")
}

pub fn add_user<B: TestBackend>(store: &mut B, login: &str, roles: &[Role]) {
    store
        .add_user(
            "admin",
            &NewUser {
                login: login.into(),
                roles: roles.to_vec(),
                site: None,
                password_hash: "$argon2id$fake".into(),
            },
        )
        .expect("add user");
}

/// An empty store with its administrator.
pub fn with_admin<B: TestBackend>() -> Fixture<B> {
    let mut f = empty::<B>();
    add_user(&mut f.store, "admin", &[Role::Admin]);
    f
}

/// `records` imported in one import by "admin".
pub fn import<B: TestBackend>(store: &mut B, records: &[Record]) {
    let mut session = store.begin_import().expect("begin");
    for r in records {
        session.insert(r).expect("insert");
    }
    session.commit("admin", json!({})).expect("commit");
}

pub fn iban(n: u32) -> Iban {
    Iban::from_french_rib("30004", "00001", &format!("{n:011}")).expect("iban")
}

pub fn person(dossier: &str, last: &str, first: &str, death: Option<Date>) -> Record {
    Record::Beneficiary(Beneficiary {
        dossier: dossier.into(),
        nir: None,
        last_name: last.into(),
        first_name: first.into(),
        birth_date: date(1940, 1, 1),
        address: "1 rue de la Paix".into(),
        postal_code: "77000".into(),
        city: "Melun".into(),
        phone: String::new(),
        site: "MDS01".into(),
        death_date: death,
        civility: None,
        extra: vec![],
    })
}

pub fn payee(id: &str, name: &str, account: u32, kind: PayeeKind) -> Record {
    Record::Payee(Payee {
        id: id.into(),
        kind,
        name: name.into(),
        siret: None,
        iban: iban(account),
        bic: Bic::parse("BNPAFRPP").expect("bic"),
        holder: name.into(),
        address: "2 avenue Foch".into(),
        postal_code: "77000".into(),
        city: "Melun".into(),
        iban_changed_on: None,
        legal_form: None,
        extra: vec![],
    })
}

pub fn right(id: &str, dossier: &str, payee: &str, benefit: Benefit, cents: i64) -> Record {
    Record::Right(Right {
        id: id.into(),
        dossier: dossier.into(),
        benefit,
        monthly_amount: Cents(cents),
        start: date(2020, 1, 1),
        end: date(2030, 12, 31),
        status: RightStatus::EnPaiement,
        payee_id: payee.into(),
        imputation: None,
        extra: vec![],
    })
}
