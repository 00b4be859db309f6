//! Changes of bank details through the web, without a socket: the fraud of issue #18 step by
//! step — an establishment's account asked from a person's page, an instruction agent
//! approving, an agent approving their own request, a decision replayed — each refused; the
//! change asked from the payee's page, reviewed in full and approved by an ordonnateur.

use axum::http::{StatusCode, header};
use relais_core::ids::Iban;
use relais_core::records::sample;
use relais_core::records::{Benefit, PayeeKind, Record};
use relais_core::roles::Role;
use relais_store::{NewUser, SqliteStore, Store};
use relais_web::{App, Config, Shared, hash_password};
use std::sync::Arc;

mod common;
use common::*;

fn person(dossier: &str, last: &str) -> Record {
    sample::person(dossier, last, "Anne")
}

fn right(id: &str, dossier: &str, payee: &str, cents: i64) -> Record {
    sample::right(id, dossier, Benefit::ApaEtab, cents, payee)
}

const FRAUD: &str = "DE89370400440532013000";

fn ehpad_iban() -> Iban {
    Iban::from_french_rib("30004", "00001", "00000000002").expect("iban")
}

/// D1 is paid themself (T1) and lives in the EHPAD T2 with D2. Users: one per role, and
/// `u-both` (instruction and ordonnateur).
fn fixture() -> (tempfile::TempDir, Shared) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SqliteStore::open(&dir.path().join("relais.db")).expect("open");
    let hash = hash_password(PASSWORD).expect("hash");
    let mut users: Vec<(String, Vec<Role>)> = Role::ALL
        .into_iter()
        .map(|r| (format!("u-{r}"), vec![r]))
        .collect();
    users.push(("u-both".into(), vec![Role::Instruction, Role::Ordonnateur]));
    for (login, roles) in users {
        store
            .add_user(
                "system",
                &NewUser {
                    login,
                    roles,
                    site: None,
                    password_hash: hash.clone(),
                },
            )
            .expect("user");
    }
    let records = vec![
        person("D1", "LEFÈVRE"),
        person("D2", "MARTIN"),
        sample::payee(
            "T1",
            PayeeKind::Personne,
            "LEFÈVRE Anne",
            Iban::from_french_rib("30004", "00001", "00000000001").expect("iban"),
        ),
        sample::payee(
            "T2",
            PayeeKind::Etablissement,
            "EHPAD Les Tilleuls",
            ehpad_iban(),
        ),
        right("R1", "D1", "T1", 10_000),
        right("R2", "D1", "T2", 110_000),
        right("R3", "D2", "T2", 95_050),
    ];
    let mut session = store.begin_import().expect("begin");
    for r in &records {
        session.insert(r).expect("insert");
    }
    session
        .commit("u-admin", serde_json::json!({}))
        .expect("commit");
    let now = jiff::Timestamp::now().as_second();
    let app = App::new(store, Config::default(), Arc::new(move || now)).expect("app");
    (dir, app)
}

fn change(csrf: &str, payee: Option<&str>, iban: &str) -> String {
    let payee = payee.map(|p| format!("&payee_id={p}")).unwrap_or_default();
    format!(
        "csrf_token={csrf}{payee}&iban={iban}&bic=COBADEFF&holder=EHPAD+Les+Tilleuls&proof=RIB+original+pr%C3%A9sent%C3%A9"
    )
}

fn pending_ids(home: &str) -> Vec<String> {
    home.split("href=\"/rib/")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_ehpad_fraud_is_refused_at_every_step() {
    let (_dir, app) = fixture();
    let (desk, desk_csrf) = login(&app, "u-accueil").await;
    // Step 1: the EHPAD's account from a person's page — not offered, and refused by hand.
    let page = send(&app, get("/personne/D1", &desk)).await;
    assert!(page.body.contains("href=\"/tiers/T2\""), "{}", page.body);
    assert!(!page.body.contains("<option value=\"T2\""), "{}", page.body);
    assert!(page.body.contains("<option value=\"T1\""));
    let a = send(
        &app,
        post(
            "/personne/D1/rib",
            &desk,
            &change(&desk_csrf, Some("T2"), FRAUD),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    assert!(a.body.contains("/tiers/T2"), "{}", a.body);
    // No CSRF token, nothing either.
    let a = send(
        &app,
        post("/tiers/T2/rib", &desk, &change("x", None, FRAUD)),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let home = send(&app, get("/", &desk)).await;
    assert!(
        home.body.contains("Aucune demande faite au guichet."),
        "nothing pending: {}",
        home.body
    );
    // Asked from the EHPAD's page, which says what is at stake.
    let tiers = send(&app, get("/tiers/T2", &desk)).await;
    assert_eq!(tiers.status, StatusCode::OK);
    assert!(
        tiers.body.contains("<strong>2</strong> personne(s)"),
        "{}",
        tiers.body
    );
    assert!(tiers.body.contains("050,50"), "{}", tiers.body);
    assert!(
        !tiers.body.contains(ehpad_iban().as_str()),
        "masked for the desk"
    );
    let a = send(
        &app,
        post("/tiers/T2/rib", &desk, &change(&desk_csrf, None, FRAUD)),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    // Step 2: an instruction agent cannot see the review nor approve.
    let (ins, ins_csrf) = login(&app, "u-instruction").await;
    let (ord, ord_csrf) = login(&app, "u-ordonnateur").await;
    let ids = pending_ids(&send(&app, get("/", &ord)).await.body);
    assert_eq!(ids.len(), 1);
    let id = &ids[0];
    assert!(pending_ids(&send(&app, get("/", &ins)).await.body).is_empty());
    assert_eq!(
        send(&app, get(&format!("/rib/{id}"), &ins)).await.status,
        StatusCode::FORBIDDEN
    );
    let a = send(
        &app,
        post(
            &format!("/rib/{id}/decision"),
            &ins,
            &format!("csrf_token={ins_csrf}&decision=approuver"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // Step 3: the ordonnateur sees both accounts in full, the country, the stakes.
    let review = send(&app, get(&format!("/rib/{id}"), &ord)).await;
    assert_eq!(review.status, StatusCode::OK);
    for shown in [
        ehpad_iban().as_str(),
        FRAUD,
        "COBADEFF",
        "BNPAFRPP",
        "Allemagne",
        "hors de France",
        "RIB original présenté",
        "u-accueil",
        "<strong>2</strong> personne(s)",
        "050,50",
        "href=\"/tiers/T2\"",
    ] {
        assert!(review.body.contains(shown), "{shown}: {}", review.body);
    }
    assert!(review.headers.contains_key(header::CONTENT_SECURITY_POLICY));
    let a = send(
        &app,
        post(
            &format!("/rib/{id}/decision"),
            &ord,
            &format!("csrf_token={ord_csrf}&decision=refuser"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    // Step 4: a decision is not replayed.
    let a = send(
        &app,
        post(
            &format!("/rib/{id}/decision"),
            &ord,
            &format!("csrf_token={ord_csrf}&decision=approuver"),
        ),
    )
    .await;
    assert_ne!(a.status, StatusCode::SEE_OTHER);
    assert!(a.body.contains("déjà traitée"), "{}", a.body);
}

#[tokio::test]
async fn an_ordonnateur_never_decides_their_own_request() {
    let (_dir, app) = fixture();
    let (both, csrf) = login(&app, "u-both").await;
    let a = send(
        &app,
        post("/tiers/T2/rib", &both, &change(&csrf, None, FRAUD)),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let id = pending_ids(&send(&app, get("/", &both)).await.body)[0].clone();
    let review = send(&app, get(&format!("/rib/{id}"), &both)).await;
    assert!(
        !review.body.contains("/decision"),
        "no form: {}",
        review.body
    );
    let a = send(
        &app,
        post(
            &format!("/rib/{id}/decision"),
            &both,
            &format!("csrf_token={csrf}&decision=approuver"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.body.contains("autre agent"), "{}", a.body);
    // Another ordonnateur approves: the payee's page shows the new account's end.
    let (ord, ord_csrf) = login(&app, "u-ordonnateur").await;
    let a = send(
        &app,
        post(
            &format!("/rib/{id}/decision"),
            &ord,
            &format!("csrf_token={ord_csrf}&decision=approuver"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let tiers = send(&app, get("/tiers/T2", &ord)).await;
    assert!(tiers.body.contains("…3000"), "{}", tiers.body);
}

#[tokio::test]
async fn the_person_changes_their_own_account_from_their_page() {
    let (_dir, app) = fixture();
    let (desk, csrf) = login(&app, "u-accueil").await;
    let iban = Iban::from_french_rib("20041", "01005", "0500013M026").expect("iban");
    // A wrong IBAN comes back with the reason.
    let a = send(
        &app,
        post(
            "/personne/D1/rib",
            &desk,
            &change(&csrf, Some("T1"), "FR7630004000010000000000199"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let a = send(
        &app,
        post(
            "/personne/D1/rib",
            &desk,
            &change(&csrf, Some("T1"), iban.as_str()),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    // Not the person's own account from another person's page.
    let a = send(
        &app,
        post(
            "/personne/D2/rib",
            &desk,
            &change(&csrf, Some("T1"), iban.as_str()),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
}

/// §3 of issue #20: what the extracts changed and nobody approved is listed on `/rib` with what
/// it holds back; an ordonnateur approves it there, it leaves the list, and the page says which
/// month's run pays it. Requests are listed too, decided on their own page by the same rules.
#[tokio::test]
async fn held_details_are_listed_and_released_by_an_ordonnateur() {
    let (dir, app) = fixture();
    // The extracts changed T1's details two days ago; nobody approved them.
    let changed = jiff::Zoned::now()
        .date()
        .checked_sub(jiff::Span::new().days(2))
        .expect("date");
    SqliteStore::open(&dir.path().join("relais.db"))
        .expect("open")
        .raw_connection()
        .execute(
            "UPDATE payees SET iban_changed_on = ?1 WHERE id = 'T1'",
            [changed.to_string()],
        )
        .expect("set");
    let (desk, desk_csrf) = login(&app, "u-accueil").await;
    let a = send(
        &app,
        post("/tiers/T2/rib", &desk, &change(&desk_csrf, None, FRAUD)),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    // The desk does not see the list; the dashboard counts for everyone.
    assert_eq!(
        send(&app, get("/rib", &desk)).await.status,
        StatusCode::FORBIDDEN
    );
    let home = send(&app, get("/", &desk)).await;
    assert!(
        home.body
            .contains("droits sont retenus) : <strong>2</strong>"),
        "{}",
        home.body
    );
    let (ord, ord_csrf) = login(&app, "u-ordonnateur").await;
    let home = send(&app, get("/", &ord)).await;
    assert!(home.body.contains("href=\"/rib\""), "{}", home.body);
    let list = send(&app, get("/rib", &ord)).await;
    assert_eq!(list.status, StatusCode::OK);
    let day = format!(
        "{:02}/{:02}/{}",
        changed.day(),
        changed.month(),
        changed.year()
    );
    let (old, new) = relais_store::bank::mask_pair(ehpad_iban().as_str(), FRAUD);
    for shown in [
        old.as_str(),
        new.as_str(),
        "LEFÈVRE Anne (T1)",
        "droits retenus",
        "100,00",
        &day,
        "EHPAD Les Tilleuls (T2)",
        "Demande n° 1 de u-accueil",
        "2 personne(s), 2\u{a0}050,50\u{a0}€ par mois",
        "Examiner la demande 1",
        "action=\"/tiers/T1/approbation\"",
    ] {
        assert!(list.body.contains(shown), "{shown}: {}", list.body);
    }
    // Full IBANs only on the request's own page.
    assert!(!list.body.contains(FRAUD), "{}", list.body);
    // Only an ordonnateur approves, with the session's token.
    let (ins, ins_csrf) = login(&app, "u-instruction").await;
    let a = send(
        &app,
        post(
            "/tiers/T1/approbation",
            &ins,
            &format!("csrf_token={ins_csrf}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = send(&app, post("/tiers/T1/approbation", &ord, "csrf_token=x")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = send(
        &app,
        post(
            "/tiers/T1/approbation",
            &ord,
            &format!("csrf_token={ord_csrf}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let to = a
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_owned();
    assert!(to.starts_with("/rib?fait=approuvee&tiers=T1"), "{to}");
    let after = send(&app, get(&to, &ord)).await;
    let month = relais_documents::french::month_long(relais_core::calendar::Month::of(
        jiff::Zoned::now().date(),
    ));
    assert!(
        after
            .body
            .contains(&format!("prochain paiement préparé : celui de {month}")),
        "{}",
        after.body
    );
    assert!(!after.body.contains("action=\"/tiers/T1/approbation\""));
    // The request, decided on its page, leaves the list with the same message.
    let a = send(
        &app,
        post(
            "/rib/1/decision",
            &ord,
            &format!("csrf_token={ord_csrf}&decision=approuver"),
        ),
    )
    .await;
    let to = a
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_owned();
    let after = send(&app, get(&to, &ord)).await;
    assert!(
        after.body.contains("Demande n° 1 approuvée"),
        "{}",
        after.body
    );
    assert!(
        after.body.contains("Aucune coordonnée bancaire"),
        "{}",
        after.body
    );
}
