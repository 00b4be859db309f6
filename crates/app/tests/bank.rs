//! The bank-detail services on a real store: an IBAN or a BIC that cannot be read is said
//! before the store is asked, and what the store refuses keeps its own French, for the
//! command line and the web alike.

use relais_app::AppError;
use relais_app::bank::{self, Asked};
use relais_core::roles::Role;
use relais_store::bank::BankChangeError;
use relais_store::{Backend, NewUser, SqliteStore, Store};

fn store(dir: &std::path::Path) -> Box<dyn Backend> {
    let mut store = SqliteStore::open(&dir.join("relais.db")).expect("open");
    store
        .add_user(
            "system",
            &NewUser {
                login: "accueil".into(),
                roles: vec![Role::Accueil],
                site: None,
                password_hash: "not used".into(),
            },
        )
        .expect("user");
    Box::new(store)
}

fn asked<'a>(iban: &'a str, bic: &'a str) -> Asked<'a> {
    Asked {
        payee_id: "T404",
        dossier: None,
        iban,
        bic,
        holder: "Anne LEFÈVRE",
        proof: "RIB original présenté",
    }
}

#[test]
fn a_request_is_read_then_asked_and_refusals_say_why() {
    let dir = tempfile::tempdir().expect("dir");
    let mut s = store(dir.path());

    let e = bank::request(&mut *s, "accueil", &asked("FR76 0000", "BDFEFRPPCCT"))
        .expect_err("IBAN unreadable");
    assert!(
        matches!(&e, AppError::BankDetails(why) if why.starts_with("IBAN : ")),
        "{e:?}"
    );
    let e = bank::request(
        &mut *s,
        "accueil",
        &asked("FR7630001007941234567890185", "??"),
    )
    .expect_err("BIC unreadable");
    assert!(
        matches!(&e, AppError::BankDetails(why) if why.starts_with("BIC : ")),
        "{e:?}"
    );

    let e = bank::request(
        &mut *s,
        "accueil",
        &asked("FR7630001007941234567890185", "BDFEFRPPCCT"),
    )
    .expect_err("unknown payee");
    assert!(
        matches!(e, AppError::Bank(BankChangeError::UnknownPayee(_))),
        "{e:?}"
    );

    let e = bank::review(&*s, 9).expect_err("absent");
    assert!(matches!(e, AppError::Bank(BankChangeError::NotFound(9))));
    assert_eq!(e.french(), "demande n° 9 introuvable");
    assert_eq!(bank::kind_label("inconnu"), "inconnu");
}
