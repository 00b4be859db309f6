//! The web interface without a socket: every route × every role × anonymous, CSRF, session
//! expiry, throttling, headers, and the desk's search and person page.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use relais_core::ids::Iban;
use relais_core::records::sample;
use relais_core::records::{Benefit, PayeeKind};
use relais_core::roles::Role;
use relais_store::{NewUser, SqliteStore, Store};
use relais_web::routes::{Access, ROUTES};
use relais_web::{App, Config, Shared, hash_password};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

mod common;
use common::*;

struct Fixture {
    _dir: tempfile::TempDir,
    app: Shared,
    clock: Arc<AtomicI64>,
}

fn fixture() -> Fixture {
    fixture_with(|_, _| {})
}

/// The fixture, with `configure` changing the server's configuration (given the fixture's
/// folder).
fn fixture_with(configure: impl FnOnce(&mut Config, &std::path::Path)) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SqliteStore::open(&dir.path().join("relais.db")).expect("open");
    let hash = hash_password(PASSWORD).expect("hash");
    for role in Role::ALL {
        store
            .add_user(
                "system",
                &NewUser {
                    login: format!("u-{role}"),
                    roles: vec![role],
                    site: None,
                    password_hash: hash.clone(),
                },
            )
            .expect("user");
    }
    let records = vec![
        sample::person("D1", "LEFÈVRE", "Jean-Marc"),
        sample::person("D2", "<script>alert(1)</script>", "Anne"),
        sample::payee(
            "T1",
            PayeeKind::Personne,
            "LEFÈVRE Jean-Marc",
            sample::iban("00000000001"),
        ),
        sample::right("R1", "D1", Benefit::ApaDom, 45_012, "T1"),
        // The supplier of the invoices the courrier registers.
        relais_core::records::Record::Supplier(relais_core::records::Supplier {
            siret: relais_core::ids::Siret::parse("73282932000074").expect("siret"),
            name: "SARL Bati".into(),
            iban: sample::iban("00000000002"),
            bic: relais_core::ids::Bic::parse("BNPAFRPP").expect("bic"),
            address: "2 avenue Foch".into(),
            postal_code: "77000".into(),
            city: "Melun".into(),
            extra: vec![],
        }),
    ];
    let mut session = store.begin_import().expect("begin");
    for r in &records {
        session.insert(r).expect("insert");
    }
    session
        .reject(&relais_formats::extract::FlaggedRow {
            entity: relais_formats::extract::Entity::Tiers,
            file: "tiers.csv".into(),
            line: 4,
            key: Some("T9".into()),
            raw: vec![
                ("tiers_id".into(), "T9".into()),
                ("iban".into(), "FR76 <b>".into()),
            ],
            problems: vec![relais_formats::extract::Problem {
                column: Some(5),
                field: "iban".into(),
                code: "iban_invalide".into(),
                message_fr: "IBAN invalide".into(),
                message_en: "invalid IBAN".into(),
            }],
        })
        .expect("reject");
    session
        .commit("u-admin", serde_json::json!({}))
        .expect("commit");
    // Now: the store dates deposits by the system clock, the screens by this one.
    let clock = Arc::new(AtomicI64::new(jiff::Timestamp::now().as_second()));
    let c = Arc::clone(&clock);
    let mut rules = relais_core::deposits::kind_rules(&Default::default()).expect("rules");
    for r in &mut rules {
        r.service = relais_core::deposits::ServiceContact {
            name: "Service courrier".into(),
            address: "Hôtel du Département, 77010 Melun".into(),
            email: "courrier@example.fr".into(),
            phone: "01 64 14 77 77".into(),
        };
    }
    let mut config = Config {
        authority: "Département de test".into(),
        courrier: Some(Arc::new(relais_web::courrier::Courrier {
            key: relais_documents::code::ReceiptKey::from_seed(&[7; 32]),
            rules,
        })),
        ..Config::default()
    };
    configure(&mut config, dir.path());
    let app = App::new(store, config, Arc::new(move || c.load(Ordering::SeqCst))).expect("app");
    Fixture {
        _dir: dir,
        app,
        clock,
    }
}

fn concrete(path: &str) -> String {
    path.replace("{number}", "2026-999999")
        .replace("{dossier}", "D1")
        .replace("{id}", "999999")
        .replace("{run}", "P2026-12-01")
        .replace("{name}", "SHA256SUMS")
        .replace("{image}", "connexion.png")
}

/// What an allowed user gets from a POST carrying only a valid CSRF token.
fn allowed_post(path: &str) -> StatusCode {
    match path {
        // Logout, and a search (to the address of its results).
        "/logout" | "/accueil" => StatusCode::SEE_OTHER,
        // No new password: the form comes back with the reason.
        "/compte/mot-de-passe" => StatusCode::UNPROCESSABLE_ENTITY,
        // No IBAN: the form comes back with the reason.
        "/personne/D1/rib" | "/personne/D1/contact" => StatusCode::UNPROCESSABLE_ENTITY,
        // No such payee.
        "/tiers/999999/rib" | "/tiers/999999/approbation" => StatusCode::NOT_FOUND,
        // No such request.
        "/rib/999999/decision" => StatusCode::NOT_FOUND,
        // No payment settings in this store's configuration: said, nothing prepared.
        "/paiements/preparer" | "/paie/preparer" => StatusCode::UNPROCESSABLE_ENTITY,
        // No such change of an agent's situation.
        "/paie/changements/999999/approuver" => StatusCode::NOT_FOUND,
        // No reason given: said before anything is looked up.
        "/paie/changements/999999/refuser" => StatusCode::UNPROCESSABLE_ENTITY,
        // Nothing typed: the reason comes back.
        "/paie/changements" => StatusCode::UNPROCESSABLE_ENTITY,
        // No day typed: said before anything is looked up.
        "/factures/999999/paiement" => StatusCode::UNPROCESSABLE_ENTITY,
        // No payment settings in this server's configuration: said, nothing prepared or
        // approved.
        "/fournisseurs/paiement" | "/fournisseurs/999999/approbation" => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        // No such invoice.
        "/factures/999999/service-fait"
        | "/factures/999999/liquider"
        | "/factures/999999/suspendre"
        | "/factures/999999/reprendre"
        | "/factures/999999/rejeter" => StatusCode::NOT_FOUND,
        // No digest of the confirmation page: sent to it.
        "/paiements/P2026-12-01/valider" => StatusCode::SEE_OTHER,
        // Nothing typed: each crisis form comes back with the reason.
        "/crise/courante"
        | "/crise/incident/fait"
        | "/crise/incident/cnil"
        | "/crise/systemes/999999/statut"
        | "/crise/taches"
        | "/crise/taches/999999/statut"
        | "/crise/public/message"
        | "/annuaire" => StatusCode::UNPROCESSABLE_ENTITY,
        // No outcome chosen, and no such row.
        "/dossiers/999999" => StatusCode::NOT_FOUND,
        // No reason given: said before anything is looked up.
        "/paiements/P2026-12-01/annuler" => StatusCode::UNPROCESSABLE_ENTITY,
        // This server writes no files (no exports configured): said.
        "/paiements/P2026-12-01/exporter" | "/paiements/P2026-12-01/rapport" => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        // No dates: the form comes back with the reason.
        "/renouvellement" => StatusCode::UNPROCESSABLE_ENTITY,
        // No kind: the form comes back with the reason.
        "/courrier" => StatusCode::UNPROCESSABLE_ENTITY,
        // No reason given: said before anything is looked up.
        "/courrier/2026-999999/annuler" => StatusCode::UNPROCESSABLE_ENTITY,
        other => panic!("no expectation for POST {other}"),
    }
}

#[tokio::test]
async fn every_route_for_every_role_and_anonymous() {
    let f = fixture();
    let mut checked = 0;
    for (method, path, access) in ROUTES {
        let path = concrete(path);
        // Anonymous.
        let a = match *method {
            "GET" => send(&f.app, get(&path, "")).await,
            _ => send(&f.app, post(&path, "", "csrf_token=x")).await,
        };
        let expected = match (access, *method) {
            (Access::Public, "GET") => StatusCode::OK,
            // The login form without its cookie-bound token.
            (Access::Public, _) => StatusCode::FORBIDDEN,
            _ => StatusCode::SEE_OTHER,
        };
        assert_eq!(a.status, expected, "anonymous {method} {path}");
        if expected == StatusCode::SEE_OTHER {
            assert_eq!(
                a.headers
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok()),
                Some("/login")
            );
        }
        checked += 1;
        for role in Role::ALL {
            let (cookie, csrf) = login(&f.app, &format!("u-{role}")).await;
            let a = match *method {
                "GET" => send(&f.app, get(&path, &cookie)).await,
                _ => send(&f.app, post(&path, &cookie, &format!("csrf_token={csrf}"))).await,
            };
            let allowed = match access {
                Access::Public | Access::SignedIn => true,
                Access::AnyOf(roles) => roles.contains(&role),
            };
            let expected = match (*method, *path == *"/login", allowed) {
                ("GET", true, _) => StatusCode::SEE_OTHER, // signed in: to the dashboard
                (_, true, _) => StatusCode::FORBIDDEN,     // POST /login: no login-form token
                // No run P2026-12-01 in this store.
                ("GET", false, true)
                    if path.starts_with("/paiements/P2026-12-01")
                        || path.starts_with("/courrier/")
                        || path.starts_with("/dossiers/")
                        || path.starts_with("/tiers/")
                        || path.starts_with("/rib/")
                        || path.starts_with("/factures/")
                        || path.starts_with("/crise/systemes/") =>
                {
                    StatusCode::NOT_FOUND
                }
                // No decision in the address: the form comes back with the reason.
                ("GET", false, true) if path == "/renouvellement/confirmer" => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                ("GET", false, true) => StatusCode::OK,
                (_, false, true) => allowed_post(&path),
                (_, _, false) => StatusCode::FORBIDDEN,
            };
            assert_eq!(a.status, expected, "{role} {method} {path}: {}", a.body);
            checked += 1;
        }
    }
    assert_eq!(checked, ROUTES.len() * (Role::ALL.len() + 1));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let f = fixture();
    for path in ["/login", "/", "/nulle-part", "/static/relais.css"] {
        let a = send(&f.app, get(path, "")).await;
        let h = |name| {
            a.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        assert!(
            h(header::CONTENT_SECURITY_POLICY).contains("script-src 'self'"),
            "{path}"
        );
        assert!(
            !h(header::CONTENT_SECURITY_POLICY).contains("unsafe-inline"),
            "{path}"
        );
        // htmx's requests: to this server only (without it, Chromium blocks every one).
        assert!(
            h(header::CONTENT_SECURITY_POLICY).contains("connect-src 'self';"),
            "{path}"
        );
        assert_eq!(h(header::X_FRAME_OPTIONS), "DENY");
        assert_eq!(h(header::REFERRER_POLICY), "no-referrer");
        assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    }
    let a = send(&f.app, get("/login", "")).await;
    let cookie = a
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    // Scripts only from the binary's own files, never inline.
    for script in a.body.split("<script").skip(1) {
        let tag = script.split("</script>").next().unwrap_or_default();
        assert!(
            tag.starts_with(" src=\"/static/") && tag.trim_end().ends_with('>'),
            "inline script: {tag}"
        );
    }
}

#[tokio::test]
async fn a_post_without_or_with_a_wrong_token_is_refused_and_changes_nothing() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-accueil").await;
    for form in [
        "",
        "csrf_token=",
        "csrf_token=0000",
        &format!("csrf_token={csrf}x"),
    ] {
        let a = send(&f.app, post("/logout", &cookie, form)).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{form}");
        // Still signed in.
        assert_eq!(send(&f.app, get("/", &cookie)).await.status, StatusCode::OK);
    }
    // Another session's token does not do either.
    let (_, other) = login(&f.app, "u-crise").await;
    let a = send(
        &f.app,
        post("/logout", &cookie, &format!("csrf_token={other}")),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // The right one signs out, and the cookie no longer opens anything.
    let a = send(
        &f.app,
        post("/logout", &cookie, &format!("csrf_token={csrf}")),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(
        send(&f.app, get("/", &cookie)).await.status,
        StatusCode::SEE_OTHER
    );
    // The login form's token is bound to its cookie.
    let form = send(&f.app, get("/login", "")).await;
    let token = csrf_in(&form.body);
    let a = send(
        &f.app,
        post(
            "/login",
            "relais_login=autre",
            &format!("login=u-admin&password={PASSWORD}&csrf_token={token}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_idle_session_expires() {
    let f = fixture();
    let (cookie, _) = login(&f.app, "u-admin").await;
    f.clock.fetch_add(29 * 60, Ordering::SeqCst);
    assert_eq!(send(&f.app, get("/", &cookie)).await.status, StatusCode::OK);
    // Used at 29 min: still open 29 min later, closed after 30 min of nothing.
    f.clock.fetch_add(29 * 60, Ordering::SeqCst);
    assert_eq!(send(&f.app, get("/", &cookie)).await.status, StatusCode::OK);
    f.clock.fetch_add(30 * 60, Ordering::SeqCst);
    assert_eq!(
        send(&f.app, get("/", &cookie)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn failures_slow_a_login_down_with_the_same_message_whoever_exists() {
    let f = fixture();
    let known = try_login(&f.app, "u-admin", "mauvais").await;
    let unknown = try_login(&f.app, "personne", "mauvais").await;
    assert_eq!(known.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(
        known
            .body
            .contains("Identifiant ou mot de passe incorrect.")
    );
    assert!(
        unknown
            .body
            .contains("Identifiant ou mot de passe incorrect.")
    );
    for _ in 0..4 {
        try_login(&f.app, "u-admin", "mauvais").await;
    }
    // Five free tries, then a wait, even with the right password; another login is not.
    let a = try_login(&f.app, "u-admin", PASSWORD).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(a.body.contains("réessayez dans 2 secondes"), "{}", a.body);
    assert_eq!(
        a.headers
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok()),
        Some("2")
    );
    assert_eq!(
        try_login(&f.app, "u-crise", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // The wait ends.
    f.clock.fetch_add(2, Ordering::SeqCst);
    assert_eq!(
        try_login(&f.app, "u-admin", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

/// A login try from `ip`.
async fn login_from(app: &Shared, ip: [u8; 4], login: &str, password: &str) -> Answer {
    let form = send(app, get("/login", "")).await;
    let pre = set_cookie(&form, "relais_login").expect("cookie");
    let mut req = post(
        "/login",
        &pre,
        &format!(
            "login={login}&password={password}&csrf_token={}",
            csrf_in(&form.body)
        ),
    );
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            ip, 40_000,
        ))));
    send(app, req).await
}

#[tokio::test]
async fn one_address_trying_many_logins_waits_and_others_do_not() {
    let f = fixture_with(|c, _| c.login_limits.address_free = 20);
    for i in 0..20 {
        let a = login_from(&f.app, [10, 0, 0, 1], &format!("inconnu{i}"), "mauvais").await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        login_from(&f.app, [10, 0, 0, 1], "u-admin", PASSWORD)
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        login_from(&f.app, [10, 0, 0, 2], "u-admin", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // A short wait, never a lockout: the site behind that address signs in again.
    f.clock.fetch_add(2, Ordering::SeqCst);
    assert_eq!(
        login_from(&f.app, [10, 0, 0, 1], "u-admin", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

/// Sends every request at once (one task each) and gives their answers' statuses.
async fn all_at_once(app: &Shared, requests: Vec<Request<Body>>) -> Vec<StatusCode> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|req| {
            let app = Arc::clone(app);
            tokio::spawn(async move { send(&app, req).await.status })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

/// A login request from `ip`, with a fresh pre-session.
async fn prepared_login(app: &Shared, ip: [u8; 4], login: &str, password: &str) -> Request<Body> {
    let form = send(app, get("/login", "")).await;
    let pre = set_cookie(&form, "relais_login").expect("cookie");
    let mut req = post(
        "/login",
        &pre,
        &format!(
            "login={login}&password={password}&csrf_token={}",
            csrf_in(&form.body)
        ),
    );
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            ip, 40_000,
        ))));
    req
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_hundred_parallel_wrong_logins_hash_five_times_and_the_agent_still_signs_in() {
    let f = fixture();
    let stats = f.app.hash_stats();
    let before = stats.verifications.load(Ordering::SeqCst);
    let mut requests = Vec::new();
    for _ in 0..300 {
        requests.push(prepared_login(&f.app, [203, 0, 113, 9], "u-ordonnateur", "devine").await);
    }
    let statuses = all_at_once(&f.app, requests).await;
    let wrong = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let waits = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(wrong + waits, 300, "{statuses:?}");
    // Each try is reserved before its hash: five free tries, five hashes, whatever the race.
    assert_eq!(wrong, 5);
    let hashed = stats.verifications.load(Ordering::SeqCst) - before;
    assert_eq!(hashed, 5);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    assert!(stats.peak.load(Ordering::SeqCst) <= cores);
    // The agent, at their own desk, is not slowed down by a stranger.
    let a = login_from(&f.app, [10, 1, 2, 3], "u-ordonnateur", PASSWORD).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_spray_from_many_addresses_waits_in_a_bounded_queue_or_is_turned_away() {
    let f = fixture_with(|c, _| c.hash_queue = 4);
    let stats = f.app.hash_stats();
    let before = stats.verifications.load(Ordering::SeqCst);
    let mut requests = Vec::new();
    for i in 0..300u32 {
        let [_, _, b, c] = i.to_be_bytes();
        requests.push(prepared_login(&f.app, [198, 51, b, c], &format!("inconnu{i}"), "x").await);
    }
    let statuses = all_at_once(&f.app, requests).await;
    let busy = statuses
        .iter()
        .filter(|s| **s == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    let wrong = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(busy + wrong, 300, "{statuses:?}");
    assert!(busy > 0, "the queue is bounded");
    let hashed = stats.verifications.load(Ordering::SeqCst) - before;
    assert_eq!(hashed, wrong as u64);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    assert!(stats.peak.load(Ordering::SeqCst) <= cores);
    // Turned away before hashing, a try does not count: the flood over, anyone signs in.
    let a = login_from(&f.app, [198, 51, 0, 1], "u-admin", PASSWORD).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
}

#[tokio::test]
async fn the_login_token_is_bound_to_its_own_pre_session_and_works_once() {
    let f = fixture();
    let first = send(&f.app, get("/login", "")).await;
    let second = send(&f.app, get("/login", "")).await;
    let (pre1, pre2) = (
        set_cookie(&first, "relais_login").expect("cookie"),
        set_cookie(&second, "relais_login").expect("cookie"),
    );
    let form = |token: &str| format!("login=u-admin&password={PASSWORD}&csrf_token={token}");
    // A forged token, or the token of another pre-session, is refused.
    let forged = send(&f.app, post("/login", &pre1, &form(&"0".repeat(64)))).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("a expiré"), "{}", forged.body);
    let crossed = send(&f.app, post("/login", &pre2, &form(&csrf_in(&first.body)))).await;
    assert_eq!(crossed.status, StatusCode::FORBIDDEN);
    // Each refusal consumed its pre-session: the right pair no longer works either.
    let spent = send(&f.app, post("/login", &pre2, &form(&csrf_in(&second.body)))).await;
    assert_eq!(spent.status, StatusCode::FORBIDDEN);
    // A cookie made up by the browser (a bare double submit) opens nothing.
    let token = "a".repeat(64);
    let made_up = send(
        &f.app,
        post("/login", &format!("relais_login={token}"), &form(&token)),
    )
    .await;
    assert_eq!(made_up.status, StatusCode::FORBIDDEN);
    // The refusal's page carries a new pre-session, which works once.
    let fresh = set_cookie(&spent, "relais_login").expect("new pre-session");
    let ok = send(&f.app, post("/login", &fresh, &form(&csrf_in(&spent.body)))).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let again = send(&f.app, post("/login", &fresh, &form(&csrf_in(&spent.body)))).await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn behind_tls_cookies_are_host_prefixed_and_hsts_is_sent() {
    let f = fixture_with(|c, _| c.secure_cookies = true);
    let form = send(&f.app, get("/login", "")).await;
    assert_eq!(
        form.headers
            .get(header::STRICT_TRANSPORT_SECURITY)
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000")
    );
    let raw = form
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(raw.starts_with("__Host-relais_login="), "{raw}");
    assert!(
        raw.contains("; Path=/") && raw.contains("; Secure"),
        "{raw}"
    );
    assert!(!raw.contains("Domain"), "{raw}");
    let pre = set_cookie(&form, "__Host-relais_login").expect("cookie");
    let a = send(
        &f.app,
        post(
            "/login",
            &pre,
            &format!(
                "login=u-admin&password={PASSWORD}&csrf_token={}",
                csrf_in(&form.body)
            ),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let session = set_cookie(&a, "__Host-relais_session").expect("session");
    assert_eq!(
        send(&f.app, get("/", &session)).await.status,
        StatusCode::OK
    );
    // The plain name opens nothing there.
    let plain = session.replace("__Host-", "");
    assert_eq!(
        send(&f.app, get("/", &plain)).await.status,
        StatusCode::SEE_OTHER
    );

    // Without the flag: plain names, no HSTS (it would lock browsers out of plain HTTP).
    let f = fixture();
    let form = send(&f.app, get("/login", "")).await;
    assert!(
        form.headers
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none()
    );
    assert!(set_cookie(&form, "relais_login").is_some());
}

#[tokio::test]
async fn a_busy_session_ends_after_a_working_day() {
    let f = fixture();
    let (cookie, _) = login(&f.app, "u-admin").await;
    // Used every 25 minutes: never idle, and still closed 10 hours after it opened.
    for _ in 0..23 {
        f.clock.fetch_add(25 * 60, Ordering::SeqCst);
        assert_eq!(send(&f.app, get("/", &cookie)).await.status, StatusCode::OK);
    }
    f.clock.fetch_add(25 * 60, Ordering::SeqCst);
    assert_eq!(
        send(&f.app, get("/", &cookie)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_agent_changes_their_password_and_their_other_sessions_close() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-accueil").await;
    let (elsewhere, _) = login(&f.app, "u-accueil").await;
    let home = send(&f.app, get("/", &cookie)).await;
    assert!(home.body.contains("href=\"/compte/mot-de-passe\""));
    let page = send(&f.app, get("/compte/mot-de-passe", &cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Mot de passe actuel"));
    let change = |old: &str, new: &str, again: &str| {
        post(
            "/compte/mot-de-passe",
            &cookie,
            &format!("csrf_token={csrf}&actuel={old}&nouveau={new}&confirmation={again}"),
        )
    };
    let new = "une-autre-phrase-longue";
    for (old, n, again, why) in [
        (PASSWORD, new, "autre-chose-longue", "diffèrent"),
        (PASSWORD, "court", "court", "au moins 12"),
        (PASSWORD, PASSWORD, PASSWORD, "différer"),
        ("mauvais", new, new, "actuel est incorrect"),
    ] {
        let a = send(&f.app, change(old, n, again)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{why}");
        assert!(a.body.contains(why), "{why}: {}", a.body);
    }
    // Without the session's token: refused.
    let a = send(
        &f.app,
        post(
            "/compte/mot-de-passe",
            &cookie,
            &format!("csrf_token=x&actuel={PASSWORD}&nouveau={new}&confirmation={new}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = send(&f.app, change(PASSWORD, new, new)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let done = send(&f.app, get("/compte/mot-de-passe?fait=1", &cookie)).await;
    assert!(done.body.contains("Mot de passe changé"), "{}", done.body);
    // This session stays, the other one is closed; the new password opens, the old does not.
    assert_eq!(
        send(&f.app, get("/", &elsewhere)).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(send(&f.app, get("/", &cookie)).await.status, StatusCode::OK);
    assert_eq!(
        try_login(&f.app, "u-accueil", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        try_login(&f.app, "u-accueil", new).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn ordonnateurs_see_the_week_s_changes_of_accounts_that_may_pay() {
    let f = fixture_with(|_, dir| {
        let store = SqliteStore::open(&dir.join("relais.db")).expect("open");
        let conn = store.raw_connection();
        // Far past the head, so that the server's own entries follow without a clash.
        let seq = 1_000_000;
        // 2026-12-05 13:03 UTC: 14:03 in Paris.
        let payload = r#"{"login":"paul","roles":"ordonnateur,liquidation","actor":"u-admin"}"#;
        // Hashes of the right form (the chain is not what this test reads).
        let hash = "0".repeat(64);
        let sql = format!(
            "INSERT INTO journal (seq, at, actor, kind, payload, prev_hash, hash)
             VALUES ({seq}, '2026-12-05T13:03:00Z', 'u-admin', 'privileged_account_created',
                     '{payload}', '{hash}', '{hash}')"
        );
        conn.execute(&sql, []).expect("journal");
    });
    // Three days later.
    let at: jiff::Timestamp = "2026-12-08T09:00:00Z".parse().expect("instant");
    f.clock.store(at.as_second(), Ordering::SeqCst);
    let (cookie, _) = login(&f.app, "u-ordonnateur").await;
    let home = send(&f.app, get("/", &cookie)).await;
    assert!(
        home.body.contains(
            "Compte sensible créé : paul (rôles ordonnateur, liquidation) par u-admin le 05/12/2026 à 14:03"
        ),
        "{}",
        home.body
    );
    let (cookie, _) = login(&f.app, "u-liquidation").await;
    let home = send(&f.app, get("/", &cookie)).await;
    assert!(!home.body.contains("Compte sensible"));
    // A week later, no longer shown.
    f.clock.fetch_add(7 * 86_400, Ordering::SeqCst);
    let (cookie, _) = login(&f.app, "u-ordonnateur").await;
    let home = send(&f.app, get("/", &cookie)).await;
    assert!(!home.body.contains("Compte sensible"));
}

#[tokio::test]
async fn the_desk_finds_a_person_and_shows_the_page_escaped() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-accueil").await;
    let a = search(&f.app, &cookie, &csrf, "lefev jean").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("href=\"/personne/D1\""), "{}", a.body);
    let a = search(&f.app, &cookie, &csrf, "anne").await;
    assert!(
        a.body.contains("&#60;script&#62;alert(1)"),
        "escaped: {}",
        a.body
    );
    assert!(!a.body.contains("<script>alert"), "never raw");
    let a = send(&f.app, get("/personne/D1", &cookie)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("450,12"), "{}", a.body);
    let iban = Iban::from_french_rib("30004", "00001", "00000000001").expect("iban");
    let iban = iban.as_str();
    assert!(!a.body.contains(iban), "the whole IBAN is never shown");
    assert!(
        a.body
            .contains(&format!("IBAN …{}", &iban[iban.len() - 4..])),
        "{}",
        a.body
    );
    assert_eq!(
        send(&f.app, get("/personne/D9", &cookie)).await.status,
        StatusCode::NOT_FOUND
    );
    // "Will I be paid?" answered at the top, in words; the certificate is one click away.
    assert!(a.body.contains("class=\"answer\""), "{}", a.body);
    assert!(
        a.body.contains("Pas encore de paiement préparé pour"),
        "{}",
        a.body
    );
    assert!(a.body.contains("/personne/D1/attestation.pdf"));
    let pdf = send(&f.app, get("/personne/D1/attestation.pdf", &cookie)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(
        pdf.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    assert!(pdf.body.starts_with("%PDF"));
    // Its issue is journaled: who, which file.
    let store = SqliteStore::open(&f._dir.path().join("relais.db")).expect("open");
    let issued = store
        .journal_entries(1, 10_000)
        .expect("journal")
        .into_iter()
        .filter(|e| e.kind == "payment_certificate")
        .collect::<Vec<_>>();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].actor, "u-accueil");
    assert!(issued[0].payload.contains("D1"), "{:?}", issued[0]);
    assert_eq!(
        send(&f.app, get("/personne/D9/attestation.pdf", &cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // A change of bank details asked: the page says since when, the new IBAN masked, and
    // that payments go on to the current account meanwhile.
    let new_iban = Iban::from_french_rib("30004", "00001", "00000000002").expect("iban");
    let asked = send(
        &f.app,
        post(
            "/personne/D1/rib",
            &cookie,
            &format!(
                "csrf_token={csrf}&payee_id=T1&iban={}&bic=BNPAFRPP&holder=X&proof=RIB",
                new_iban.as_str()
            ),
        ),
    )
    .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let page = send(&f.app, get("/personne/D1", &cookie)).await;
    assert!(
        page.body
            .contains("Changement de coordonnées bancaires en attente"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&relais_core::ids::mask_iban(new_iban.as_str())),
        "{}",
        page.body
    );
    assert!(!page.body.contains(new_iban.as_str()));
}

#[tokio::test]
async fn a_deposit_is_registered_its_receipt_printed_and_it_is_cancelled_with_a_reason() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-courrier").await;
    let form = send(&f.app, get("/courrier?type=facture", &cookie)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("SIRET du fournisseur"),
        "the form shows the invoice's fields"
    );
    let plain = send(&f.app, get("/courrier?type=demande_aide", &cookie)).await;
    assert!(!plain.body.contains("SIRET du fournisseur"));
    // Refused input comes back with the reason and what was typed; nothing is registered.
    let a = send(
        &f.app,
        post(
            "/courrier",
            &cookie,
            &format!("csrf_token={csrf}&kind=demande_aide&depositor=&subject=APA"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("Déposant"), "{}", a.body);
    let a = send(
        &f.app,
        post("/courrier", &cookie, &format!("csrf_token={csrf}&kind=demande_aide&depositor=Mme+Durand&subject=Demande+d%27APA&pages=3")),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let at = a
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(at.starts_with("/courrier/"), "{at}");
    let page = send(&f.app, get(&at, &cookie)).await;
    assert!(page.body.contains("Mme Durand"));
    let pdf = send(&f.app, get(&format!("{at}/recepisse.pdf"), &cookie)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(
        pdf.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    assert!(pdf.body.starts_with("%PDF"));
    let list = send(&f.app, get("/courrier", &cookie)).await;
    assert!(
        list.body.contains("Mme Durand"),
        "the day's register lists it"
    );
    // Cancelled only with a reason, once; the number stays in the register.
    let a = send(
        &f.app,
        post(
            &format!("{at}/annuler"),
            &cookie,
            &format!("csrf_token={csrf}&reason=+"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let a = send(
        &f.app,
        post(
            &format!("{at}/annuler"),
            &cookie,
            &format!("csrf_token={csrf}&reason=doublon"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let a = send(
        &f.app,
        post(
            &format!("{at}/annuler"),
            &cookie,
            &format!("csrf_token={csrf}&reason=doublon"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = send(&f.app, get(&at, &cookie)).await;
    assert!(
        page.body.contains("annulé par u-courrier : doublon"),
        "{}",
        page.body
    );
    // Not for finance.
    let (fin, _) = login(&f.app, "u-liquidation").await;
    assert_eq!(
        send(&f.app, get("/courrier", &fin)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_courrier_form_bounds_its_texts_and_an_incomplete_application_is_completed() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-courrier").await;
    let form = send(&f.app, get("/courrier?type=demande_apa", &cookie)).await;
    assert_eq!(form.status, StatusCode::OK);
    for needle in [
        "name=\"subject\" maxlength=\"200\"",
        "Objet (200 caractères au plus)",
        "Pièces manquantes",
        "au plus 72 h avant",
        "name=\"backdate_reason\" maxlength=\"300\"",
    ] {
        assert!(form.body.contains(needle), "{needle}: {}", form.body);
    }
    let post_form = |body: String| post("/courrier", &cookie, &body);
    // Longer than its limit: refused by the server, whatever the browser does.
    let long = "x".repeat(201);
    let a = send(
        &f.app,
        post_form(format!(
            "csrf_token={csrf}&kind=demande_apa&depositor=Mme+Durand&subject={long}"
        )),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.body.contains("Objet : 200 caractères au plus"),
        "{}",
        a.body
    );
    assert!(!a.body.contains(&long), "the long text is not sent back");
    // Received yesterday: a reason is required.
    let yesterday = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24))
        .in_tz("Europe/Paris")
        .expect("tz")
        .strftime("%Y-%m-%d+%H:%M")
        .to_string();
    let a = send(
        &f.app,
        post_form(format!(
            "csrf_token={csrf}&kind=autre&depositor=M+Martin&received_at={yesterday}"
        )),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.body.contains("Motif de l&#x27;enregistrement différé")
            || a.body.contains("Motif de l&#39;enregistrement différé"),
        "{}",
        a.body
    );
    // An incomplete APA application, then the documents that complete it.
    let a = send(
        &f.app,
        post_form(format!(
            "csrf_token={csrf}&kind=demande_apa&depositor=Mme+Durand\
             &missing=justificatif+de+domicile%0D%0ARIB&missing_deadline=31%2F12%2F2099"
        )),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let first = a
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let number = first.trim_start_matches("/courrier/").to_owned();
    let page = send(&f.app, get(&first, &cookie)).await;
    assert!(
        page.body.contains("<li>RIB</li>") && page.body.contains("dossier incomplet"),
        "{}",
        page.body
    );
    // The link to the documents' form (its `&` escaped in the page).
    let link = format!("/courrier?type=pieces_complementaires&#38;completes={number}");
    assert!(page.body.contains(&link), "{}", page.body);
    let form = send(&f.app, get(&link.replace("&#38;", "&"), &cookie)).await;
    assert!(
        form.body.contains(&format!(
            "name=\"completes\" maxlength=\"20\" value=\"{number}\""
        )),
        "{}",
        form.body
    );
    let a = send(
        &f.app,
        post_form(format!(
            "csrf_token={csrf}&kind=pieces_complementaires&depositor=Mme+Durand&completes={number}"
        )),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let docs = a
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let pdf = send(&f.app, get(&format!("{docs}/recepisse.pdf"), &cookie)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    let page = send(&f.app, get(&first, &cookie)).await;
    assert!(
        page.body.contains(&format!(
            "par le dépôt n° {}",
            docs.trim_start_matches("/courrier/")
        )),
        "{}",
        page.body
    );
    // A second completion is refused; nothing is registered.
    let a = send(
        &f.app,
        post_form(format!(
            "csrf_token={csrf}&kind=pieces_complementaires&depositor=Mme+Durand&completes={number}"
        )),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("déjà complété"), "{}", a.body);
    // A cancellation's reason is bounded too.
    let a = send(
        &f.app,
        post(
            &format!("{docs}/annuler"),
            &cookie,
            &format!("csrf_token={csrf}&reason={}", "x".repeat(301)),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_renewal_is_simulated_then_applied_once_and_journaled() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-instruction").await;
    let policy = "benefit=APA_DOM&ends_from=01%2F12%2F2027&ends_to=2027-12-31&new_end=2028-06-30\
                  &legal_reference=arr%C3%AAt%C3%A9+n%C2%B0+2027-1&decided_by=Le+Pr%C3%A9sident";
    let form = |step: &str| format!("csrf_token={csrf}&{policy}&etape={step}");
    // Refused to a role that does not renew rights.
    let (desk, desk_csrf) = login(&f.app, "u-accueil").await;
    let refused = send(
        &f.app,
        post(
            "/renouvellement",
            &desk,
            &format!("csrf_token={desk_csrf}&{policy}&etape=appliquer"),
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Simulated: shown, nothing changed.
    let shown = send(&f.app, post("/renouvellement", &cookie, &form("simuler"))).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(shown.body.contains("Simulation"), "{}", shown.body);
    assert!(shown.body.contains("450,12"), "{}", shown.body);
    assert!(shown.body.contains("Appliquer la décision simulée"));
    let person = send(&f.app, get("/personne/D1", &cookie)).await;
    assert!(person.body.contains("31/12/2027"), "{}", person.body);
    // Applied from the confirmation page, with the simulation's digest: the right ends
    // later, and the journal says so (renewal confirmation: crates/web/tests/paiements.rs).
    let confirm = shown
        .body
        .split("href=\"/renouvellement/confirmer?")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("link to the confirmation")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let digest = confirm
        .split("empreinte=")
        .nth(1)
        .expect("digest")
        .to_owned();
    let form = |step: &str| format!("csrf_token={csrf}&{policy}&etape={step}&empreinte={digest}");
    let applied = send(&f.app, post("/renouvellement", &cookie, &form("appliquer"))).await;
    assert_eq!(applied.status, StatusCode::OK);
    assert!(
        applied.body.contains("Décision appliquée"),
        "{}",
        applied.body
    );
    assert!(applied.body.contains("journal n°"), "{}", applied.body);
    let person = send(&f.app, get("/personne/D1", &cookie)).await;
    assert!(person.body.contains("30/06/2028"), "{}", person.body);
    // Again: the simulation no longer holds (nothing to change), so its new one is shown.
    let again = send(&f.app, post("/renouvellement", &cookie, &form("appliquer"))).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.body.contains("Aucun droit à prolonger"),
        "{}",
        again.body
    );
    // A window the wrong way round comes back with the reason, as typed.
    let bad = send(
        &f.app,
        post(
            "/renouvellement",
            &cookie,
            &format!("csrf_token={csrf}&benefit=PCH&ends_from=2027-12-31&ends_to=2027-01-01&new_end=2028-06-30&legal_reference=x&decided_by=y&etape=simuler"),
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("role=\"alert\""), "{}", bad.body);
    assert!(bad.body.contains("value=\"2027-12-31\""));
}

#[tokio::test]
async fn a_deposit_for_a_file_shows_on_the_person_s_page_with_the_next_payment() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-courrier").await;
    // The link from the person's page opens the form with the file number filled in.
    let form = send(&f.app, get("/courrier?dossier=D1", &cookie)).await;
    assert!(
        form.body.contains("name=\"dossier\" value=\"D1\""),
        "{}",
        form.body
    );
    // A file nobody has is refused, and nothing is registered.
    let unknown = send(
        &f.app,
        post(
            "/courrier",
            &cookie,
            &format!("csrf_token={csrf}&kind=demande_aide&depositor=M+Lefevre&dossier=D404"),
        ),
    )
    .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.body
    );
    assert!(unknown.body.contains("D404"), "{}", unknown.body);
    let done = send(
        &f.app,
        post(
            "/courrier",
            &cookie,
            &format!(
                "csrf_token={csrf}&kind=demande_aide&depositor=M+Lefevre&subject=Renouvellement+APA&dossier=D1"
            ),
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (desk, _) = login(&f.app, "u-accueil").await;
    let person = send(&f.app, get("/personne/D1", &desk)).await;
    assert!(
        person.body.contains("Renouvellement APA"),
        "{}",
        person.body
    );
    assert!(person.body.contains("Prochains paiements"));
    // R1 (APA, 450,12 € a month, in payment until 2027) is due and not yet in a run.
    assert!(person.body.contains("450,12"), "{}", person.body);
    assert!(person.body.contains("à préparer"), "{}", person.body);
    // The other person's page shows none of it.
    let other = send(&f.app, get("/personne/D2", &desk)).await;
    assert!(!other.body.contains("Renouvellement APA"));
}

#[tokio::test]
async fn the_dashboard_says_what_matters_today() {
    let f = fixture_with(|config, _| {
        let mut settings: relais_core::settings::Settings =
            toml::from_str(include_str!("next_payment_settings.toml")).expect("settings");
        // The invoice below is registered 25 days after its receipt: a window of a month.
        settings.courrier = Some(relais_core::settings::CourrierSettings {
            backdate_window_hours: 24 * 31,
        });
        config.settings = Some(settings);
    });
    let (cookie, csrf) = login(&f.app, "u-courrier").await;
    // An invoice received 25 days ago (5 days left of 30) and a request for help today.
    // In the authority's time zone, as the server counts days.
    let received = jiff::Timestamp::now()
        .in_tz("Europe/Paris")
        .expect("tz")
        .checked_sub(jiff::Span::new().days(25))
        .expect("date")
        .strftime("%Y-%m-%d 10:00")
        .to_string();
    let invoice = format!(
        "csrf_token={csrf}&kind=facture&depositor=SARL+Bati&siret=73282932000074\
         &invoice_number=F-2026-77&amount=1234%2C50&received_at={}\
         &backdate_reason=facture+retrouv%C3%A9e+dans+le+courrier+du+mois",
        received.replace(' ', "+")
    );
    let a = send(&f.app, post("/courrier", &cookie, &invoice)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let help = format!("csrf_token={csrf}&kind=demande_aide&depositor=Mme+Durand");
    let a = send(&f.app, post("/courrier", &cookie, &help)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let (finance, _) = login(&f.app, "u-liquidation").await;
    let home = send(&f.app, get("/", &finance)).await;
    assert_eq!(home.status, StatusCode::OK);
    // Each benefit's next pay date, and no run yet.
    assert!(home.body.contains("Prochains paiements"), "{}", home.body);
    assert!(
        home.body.contains("aucun paiement préparé"),
        "{}",
        home.body
    );
    // Today's deposit of a request for help (the invoice was received 25 days ago).
    let today_section = home.body.split("Dépôts du jour").nth(1).unwrap_or_default();
    let today_section = today_section.split("</section>").next().unwrap_or_default();
    assert!(
        today_section.contains("<strong>1</strong>"),
        "{today_section}"
    );
    // The invoice, 5 days from its deadline.
    assert!(home.body.contains("F-2026-77"), "{}", home.body);
    assert!(home.body.contains("dans 5 j"), "{}", home.body);
}

/// Searches `q` at the desk as a browser without JavaScript does: POST, then the address it
/// is sent to.
async fn search(app: &Shared, cookie: &str, csrf: &str, q: &str) -> Answer {
    let sent = send(
        app,
        post(
            "/accueil",
            cookie,
            &format!("csrf_token={csrf}&q={}", q.replace(' ', "+")),
        ),
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let to = sent.headers[header::LOCATION].to_str().expect("location");
    assert!(to.starts_with("/accueil?r="), "{to}");
    send(app, get(to, cookie)).await
}

#[tokio::test]
async fn typed_searches_get_only_the_results_and_htmx_is_served_from_the_binary() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-accueil").await;
    let full = search(&f.app, &cookie, &csrf, "lefev").await;
    assert!(full.body.contains("<html"), "a plain request gets the page");
    assert!(full.body.contains(relais_web::routes::HTMX_PATH));
    let req = Request::post("/accueil")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("HX-Request", "true")
        .body(Body::from(format!("csrf_token={csrf}&q=lefev+jea")))
        .expect("request");
    let part = send(&f.app, req).await;
    assert_eq!(part.status, StatusCode::OK);
    let pushed = part.headers["hx-push-url"]
        .to_str()
        .expect("push")
        .to_owned();
    assert!(pushed.starts_with("/accueil?r="), "{pushed}");
    assert!(
        part.body.starts_with("<div id=\"resultats\""),
        "{}",
        part.body
    );
    assert!(part.body.contains("LEFÈVRE"), "{}", part.body);
    assert!(!part.body.contains("<html"));
    // A history restore needs the whole page.
    let req = Request::get(pushed.as_str())
        .header(header::COOKIE, &cookie)
        .header("HX-Request", "true")
        .header("HX-History-Restore-Request", "true")
        .body(Body::empty())
        .expect("request");
    assert!(send(&f.app, req).await.body.contains("<html"));
    // The fragment still needs a session.
    let req = Request::get(pushed.as_str())
        .header("HX-Request", "true")
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&f.app, req).await.status, StatusCode::SEE_OTHER);
    let js = send(&f.app, get(relais_web::routes::HTMX_PATH, "")).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(
        js.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/javascript"))
    );
    assert!(js.body.contains("htmx"));
}

#[tokio::test]
async fn a_rejected_row_is_read_and_its_outcome_noted_by_instruction() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-instruction").await;
    let list = send(&f.app, get("/dossiers", &cookie)).await;
    assert!(list.body.contains("1 ligne(s) rejetée(s)"), "{}", list.body);
    let id = list
        .body
        .split("href=\"/dossiers/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a row link")
        .to_owned();
    let row = send(&f.app, get(&format!("/dossiers/{id}"), &cookie)).await;
    assert_eq!(row.status, StatusCode::OK);
    // The row as read, escaped.
    assert!(row.body.contains("FR76 &#60;b&#62;"), "{}", row.body);
    assert!(!row.body.contains("FR76 <b>"));
    assert!(row.body.contains("IBAN invalide"));
    // A note is required; nothing is recorded without it.
    let empty = send(
        &f.app,
        post(
            &format!("/dossiers/{id}"),
            &cookie,
            &format!("csrf_token={csrf}&outcome=sans_suite&note="),
        ),
    )
    .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = send(
        &f.app,
        post(
            &format!("/dossiers/{id}"),
            &cookie,
            &format!(
                "csrf_token={csrf}&outcome=traite_a_la_main&note=RIB+demand%C3%A9+par+courrier"
            ),
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let list = send(&f.app, get("/dossiers", &cookie)).await;
    assert!(list.body.contains("0 ligne(s) rejetée(s)"), "{}", list.body);
    let all = send(&f.app, get("/dossiers?tous=1", &cookie)).await;
    assert!(all.body.contains("Traité à la main"), "{}", all.body);
    let row = send(&f.app, get(&format!("/dossiers/{id}"), &cookie)).await;
    assert!(row.body.contains("RIB demandé par courrier"));
    assert!(row.body.contains("u-instruction"));
}

#[tokio::test]
async fn the_crisis_cell_keeps_its_main_courante_clock_systems_tasks_and_public_page() {
    use relais_core::crisis::systems::Criticality;
    use relais_core::crisis::{NewSystem, SystemStatus};
    use relais_store::crisis::CrisisStore;
    let f = fixture();
    // The inventory, imported beside the server (as `relais systemes import` does).
    let mut side = SqliteStore::open(&f._dir.path().join("relais.db")).expect("open");
    side.import_systems(
        "u-crise",
        &[NewSystem {
            id: "SIG".into(),
            name: "Progiciel financier".into(),
            function: "mandatement".into(),
            criticality: Criticality::Critical,
            owner: "DSI".into(),
            site: None,
            status: SystemStatus::Compromised,
        }],
    )
    .expect("systems");
    let (cookie, csrf) = login(&f.app, "u-crise").await;
    let post_form =
        |path: &str, form: String| post(path, &cookie, &format!("csrf_token={csrf}&{form}"));
    // Main courante: an entry, then its correction; a correction of nothing is refused.
    let a = send(
        &f.app,
        post_form(
            "/crise/courante",
            "kind=decision&text=Coupure+du+r%C3%A9seau+<b>".into(),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let a = send(
        &f.app,
        post_form(
            "/crise/courante",
            "kind=information&text=Heure+rectifi%C3%A9e&corrects=1".into(),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let a = send(
        &f.app,
        post_form(
            "/crise/courante",
            "kind=information&text=x&corrects=99".into(),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("99"), "{}", a.body);
    let list = send(&f.app, get("/crise/courante", &cookie)).await;
    assert!(
        list.body.contains("Coupure du réseau &#60;b&#62;"),
        "{}",
        list.body
    );
    assert!(
        list.body.contains("corrige l&#39;entrée n° 1"),
        "{}",
        list.body
    );
    let filtered = send(&f.app, get("/crise/courante?type=decision", &cookie)).await;
    assert!(!filtered.body.contains("Heure rectifiée"));
    let csv = send(&f.app, get("/crise/courante.csv", &cookie)).await;
    assert!(csv.body.contains("Heure rectifiée"), "{}", csv.body);
    let pdf = send(&f.app, get("/crise/courante.pdf", &cookie)).await;
    assert!(pdf.body.starts_with("%PDF"));
    // The desk reads neither the main courante nor the incident.
    let (desk, desk_csrf) = login(&f.app, "u-accueil").await;
    assert_eq!(
        send(&f.app, get("/crise/courante", &desk)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&f.app, get("/crise/incident", &desk)).await.status,
        StatusCode::FORBIDDEN
    );
    // The CNIL clock starts at the awareness, 2 hours ago: 70 hours left.
    let two_hours_ago = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(2))
        .expect("time")
        .in_tz("Europe/Paris")
        .expect("tz")
        .strftime("%Y-%m-%dT%H:%M")
        .to_string();
    let a = send(
        &f.app,
        post_form(
            "/crise/incident/fait",
            format!("fact=prise_de_connaissance&at={two_hours_ago}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let a = send(
        &f.app,
        post_form("/crise/incident/fait", "fact=rancon&answer=oui".into()),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let incident = send(&f.app, get("/crise/incident", &cookie)).await;
    assert!(
        incident.body.contains("reste 69 h") || incident.body.contains("reste 70 h"),
        "{}",
        incident.body
    );
    assert!(incident.body.contains("Ne jamais payer la rançon"));
    let clock = send(&f.app, get("/crise/horloge", &cookie)).await;
    assert!(
        clock.body.starts_with("<section id=\"cnil\""),
        "{}",
        clock.body
    );
    // The dashboard shows the clock to the crisis cell, not to the desk.
    assert!(
        send(&f.app, get("/", &cookie))
            .await
            .body
            .contains("Notification à la CNIL")
    );
    assert!(
        !send(&f.app, get("/", &desk))
            .await
            .body
            .contains("Notification à la CNIL")
    );
    // A system follows the workflow; a skipped step is refused with the reason.
    let a = send(
        &f.app,
        post_form("/crise/systemes/SIG/statut", "status=restaure".into()),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("refusé"), "{}", a.body);
    let a = send(
        &f.app,
        post_form(
            "/crise/systemes/SIG/statut",
            "status=isole&note=c%C3%A2ble+retir%C3%A9".into(),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let systems = send(&f.app, get("/crise/systemes", &desk)).await;
    assert!(
        systems.body.contains("isolé"),
        "the desk reads the inventory"
    );
    assert!(!systems.body.contains("Changer"), "but cannot change it");
    let a = send(
        &f.app,
        post(
            "/crise/systemes/SIG/statut",
            &desk,
            &format!("csrf_token={desk_csrf}&status=en_analyse"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(
        send(&f.app, get("/crise/courante", &cookie))
            .await
            .body
            .contains("SIG"),
        "the change is in the main courante"
    );
    // A task already late stands out.
    let a = send(
        &f.app,
        post_form(
            "/crise/taches",
            "title=Appeler+l%27assureur&owner=DGS&due=05%2F01%2F2026+10%3A00".into(),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert!(
        send(&f.app, get("/crise/taches", &cookie))
            .await
            .body
            .contains("en retard")
    );
    assert!(
        send(&f.app, get("/", &cookie))
            .await
            .body
            .contains("Appeler l&#39;assureur")
    );
    // The directory: a public mobile number and a private one; only the first is published.
    for (code, phone, public) in [
        ("S1", "06+12+34+56+78", "&public=1"),
        ("S2", "06+98+76+54+32", ""),
    ] {
        let form = format!(
            "is_new=1&site_code={code}&site=Site+{code}&service=Accueil&phone={phone}{public}"
        );
        let a = send(&f.app, post_form("/annuaire", form)).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    }
    let bad = send(
        &f.app,
        post_form(
            "/annuaire",
            "is_new=1&site_code=S3&site=X&service=Y&phone=abc".into(),
        ),
    )
    .await;
    // The directory is searched by a word's beginning or a number's digits, by any agent.
    let found = send(&f.app, get("/annuaire?q=site+s2", &desk)).await;
    assert!(
        found.body.contains("Site S2") && !found.body.contains("Site S1"),
        "{}",
        found.body
    );
    assert!(
        found.body.contains("1 entrée sur 2 répond à « site s2 »"),
        "{}",
        found.body
    );
    let found = send(&f.app, get("/annuaire?q=12+34", &desk)).await;
    assert!(
        found.body.contains("Site S1") && !found.body.contains("Site S2"),
        "{}",
        found.body
    );
    let none = send(&f.app, get("/annuaire?q=ozoir", &desk)).await;
    assert!(
        none.body.contains("Aucune entrée ne répond à « ozoir »"),
        "{}",
        none.body
    );
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("téléphone « abc » : ce n&#39;est pas un numéro français"),
        "{}",
        bad.body
    );
    let a = send(
        &f.app,
        post_form(
            "/crise/public/message",
            "affected=Messagerie&guaranteed=Les+aides+APA+seront+vers%C3%A9es".into(),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let page = send(&f.app, get("/crise/public/apercu", &desk)).await;
    assert!(page.body.contains("tel:+33612345678"), "{}", page.body);
    assert!(!page.body.contains("+33698765432"));
    assert!(page.body.contains("Les aides APA seront versées"));
}

/// A local time of the fixture's clock `hours` from now, as a `datetime-local` input sends it.
fn local_input(f: &Fixture, hours: i64) -> String {
    jiff::Timestamp::from_second(f.clock.load(Ordering::SeqCst) + hours * 3600)
        .expect("time")
        .in_tz("Europe/Paris")
        .expect("tz")
        .strftime("%Y-%m-%dT%H%%3A%M")
        .to_string()
}

#[tokio::test]
async fn the_cnil_clock_stops_once_notified_and_a_late_notification_gives_its_reasons() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-crise").await;
    let post_form =
        |path: &str, form: String| post(path, &cookie, &format!("csrf_token={csrf}&{form}"));
    // Facts that happened cannot be dated after now, whichever form types them.
    for (path, form, field) in [
        (
            "/crise/incident/fait",
            format!("fact=prise_de_connaissance&at={}", local_input(&f, 2)),
            "date et heure : le ",
        ),
        (
            "/crise/courante",
            format!("kind=information&text=x&at={}", local_input(&f, 30)),
            "quand : le ",
        ),
    ] {
        let a = send(&f.app, post_form(path, form)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
        assert!(a.body.contains(field), "{}", a.body);
        assert!(a.body.contains("est dans le futur"), "{}", a.body);
    }
    // Awareness 80 hours ago: the 72 hours are past.
    let a = send(
        &f.app,
        post_form(
            "/crise/incident/fait",
            format!("fact=prise_de_connaissance&at={}", local_input(&f, -80)),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let page = send(&f.app, get("/crise/incident", &cookie)).await;
    assert!(page.body.contains("dépassé de 8 h"), "{}", page.body);
    assert!(
        page.body
            .contains("obligatoires : les 72 heures sont dépassées")
    );
    let notification = "kind=initiale&nature=Ran%C3%A7ongiciel&people_categories=b%C3%A9n%C3%A9ficiaires&people_count=1000&record_categories=dossiers&record_count=2000&consequences=retards&measures=isolement&dpo_contact=dpo%40example.fr";
    let future = send(
        &f.app,
        post_form(
            "/crise/incident/cnil",
            format!("{notification}&sent_at={}", local_input(&f, 1)),
        ),
    )
    .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        future.body.contains("date d&#39;envoi : le "),
        "{}",
        future.body
    );
    let late = send(
        &f.app,
        post_form("/crise/incident/cnil", notification.to_owned()),
    )
    .await;
    assert_eq!(
        late.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        late.body
    );
    assert!(
        late.body
            .contains("motifs du retard : la notification part 80 h"),
        "{}",
        late.body
    );
    assert!(
        send(&f.app, get("/crise/incident", &cookie))
            .await
            .body
            .contains("Aucune notification enregistrée")
    );
    let sent = send(
        &f.app,
        post_form(
            "/crise/incident/cnil",
            format!("{notification}&delay_reasons=Messagerie+chiffr%C3%A9e+par+l%27attaquant"),
        ),
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    // The clock stops: it says when and how long after, and is no longer refreshed.
    f.clock.fetch_add(20 * 60, Ordering::SeqCst);
    let clock = send(&f.app, get("/crise/horloge", &cookie)).await;
    assert!(clock.body.contains("notifiée le "), "{}", clock.body);
    assert!(
        clock.body.contains(", 80 h après la découverte"),
        "{}",
        clock.body
    );
    assert!(!clock.body.contains("hx-trigger"), "{}", clock.body);
    assert!(!clock.body.contains("dépassé de"), "{}", clock.body);
    let page = send(&f.app, get("/crise/incident", &cookie)).await;
    assert!(
        page.body
            .contains("motifs du retard : Messagerie chiffrée par l&#39;attaquant"),
        "{}",
        page.body
    );
    // The dashboard draws the deadline, the systems and the rows to handle, each with its table.
    let home = send(&f.app, get("/", &cookie)).await;
    for expected in [
        r#"<title id="graphique-cnil-t">Délai de notification à la CNIL</title>"#,
        r#"<title id="graphique-systemes-t">Remédiation des systèmes, par statut</title>"#,
        r#"<title id="graphique-rejets-t">Lignes rejetées à l&#39;import, par motif</title>"#,
        "<td>IBAN invalide</td>",
    ] {
        assert!(home.body.contains(expected), "{expected}: {}", home.body);
    }
    // The payments page draws each benefit's monthly totals (none here: it says so).
    let (liquidation, _) = login(&f.app, "u-liquidation").await;
    let payments = send(&f.app, get("/paiements", &liquidation)).await;
    assert!(
        payments.body.contains(r#"<h2 id="mensuel">"#)
            && payments.body.contains("Aucun paiement de "),
        "{}",
        payments.body
    );
    // The link to the rows' screen is for who may handle them.
    assert!(!home.body.contains(r#"<a href="/dossiers">"#));
    let (instruction, _) = login(&f.app, "u-instruction").await;
    let theirs = send(&f.app, get("/", &instruction)).await;
    assert!(
        theirs.body.contains(r#"<a href="/dossiers">"#),
        "{}",
        theirs.body
    );
    assert!(
        !home.body.contains("style="),
        "the CSP refuses style attributes"
    );
}

#[tokio::test]
async fn a_system_s_status_changes_only_after_a_page_states_the_consequence() {
    use relais_core::crisis::systems::Criticality;
    use relais_core::crisis::{NewSystem, SystemStatus};
    use relais_store::crisis::CrisisStore;
    let f = fixture();
    let mut side = SqliteStore::open(&f._dir.path().join("relais.db")).expect("open");
    side.import_systems(
        "u-crise",
        &[NewSystem {
            id: "SIG".into(),
            name: "Progiciel financier".into(),
            function: "mandatement".into(),
            criticality: Criticality::Critical,
            owner: "DSI".into(),
            site: None,
            status: SystemStatus::Compromised,
        }],
    )
    .expect("systems");
    side.set_public_message("u-crise", "Messagerie\nProgiciel financier", "APA versée")
        .expect("message");
    let (cookie, csrf) = login(&f.app, "u-crise").await;
    // The inventory asks for a new status with nothing chosen in advance.
    let list = send(&f.app, get("/crise/systemes", &cookie)).await;
    assert!(
        list.body
            .contains(r#"name="status" required><option value="">"#),
        "{}",
        list.body
    );
    assert!(
        list.body
            .contains(r#"method="get" action="/crise/systemes/SIG/statut""#)
    );
    // No status chosen, or one the workflow forbids: said, nothing changes.
    let none = send(&f.app, get("/crise/systemes/SIG/statut?status=", &cookie)).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        none.body
            .contains("nouveau statut de « Progiciel financier »"),
        "{}",
        none.body
    );
    let skip = send(
        &f.app,
        get("/crise/systemes/SIG/statut?status=restaure", &cookie),
    )
    .await;
    assert_eq!(skip.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The confirmation states the system, old → new, and what the public page says.
    let confirm = send(
        &f.app,
        get("/crise/systemes/SIG/statut?status=isole", &cookie),
    )
    .await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert!(
        confirm
            .body
            .contains("Progiciel financier : compromis → isolé"),
        "{}",
        confirm.body
    );
    assert!(
        confirm.body.contains("<li>Progiciel financier</li>"),
        "{}",
        confirm.body
    );
    assert!(confirm.body.contains(r#"name="status" value="isole""#));
    let unchanged = send(&f.app, get("/crise/systemes", &cookie)).await;
    assert!(!unchanged.body.contains("Statut de « SIG » changé"));
    // Confirmed: changed, and the desk may read but not confirm.
    let (desk, _) = login(&f.app, "u-accueil").await;
    assert_eq!(
        send(
            &f.app,
            get("/crise/systemes/SIG/statut?status=isole", &desk)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let done = send(
        &f.app,
        post(
            "/crise/systemes/SIG/statut",
            &cookie,
            &format!("csrf_token={csrf}&status=isole&note=c%C3%A2ble+retir%C3%A9"),
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let after = send(&f.app, get("/crise/systemes?fait=SIG", &cookie)).await;
    assert!(
        after.body.contains("Statut de « SIG » changé"),
        "{}",
        after.body
    );
}

/// Adds `login`, holding `roles`, bound to `site`, beside the fixture's server.
fn add_site_agent(f: &Fixture, login: &str, roles: Vec<Role>, site: &str) {
    let mut store = SqliteStore::open(&f._dir.path().join("relais.db")).expect("open");
    store
        .add_user(
            "system",
            &NewUser {
                login: login.into(),
                roles,
                site: Some(site.into()),
                password_hash: hash_password(PASSWORD).expect("hash"),
            },
        )
        .expect("user");
}

/// IDOR: an agent bound to another site knows a file number (D1, of MDS01) and tries every
/// door — search, the person's page, a contact, a change of bank details, the payee's page.
/// Each answers as for a person who does not exist, and nothing is written; an agent of
/// MDS01, and an agent bound to no site, see D1.
#[tokio::test]
async fn a_site_bound_agent_sees_and_changes_only_the_people_of_its_site() {
    let f = fixture();
    let desk = vec![Role::Accueil, Role::Instruction];
    add_site_agent(&f, "u-mds02", desk.clone(), "MDS02");
    add_site_agent(&f, "u-mds01", desk, "MDS01");
    let (other, csrf) = login(&f.app, "u-mds02").await;
    let found = search(&f.app, &other, &csrf, "lefev").await;
    assert!(
        found.body.contains("Personne ne correspond"),
        "{}",
        found.body
    );
    assert!(!found.body.contains("/personne/D1"));
    assert!(
        !search(&f.app, &other, &csrf, "D1")
            .await
            .body
            .contains("LEFÈVRE")
    );
    for path in ["/personne/D1", "/personne/D1/attestation.pdf", "/tiers/T1"] {
        assert_eq!(
            send(&f.app, get(path, &other)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let contact = send(
        &f.app,
        post(
            "/personne/D1/contact",
            &other,
            &format!("csrf_token={csrf}&channel=visite&note=vu"),
        ),
    )
    .await;
    assert_eq!(contact.status, StatusCode::NOT_FOUND, "{}", contact.body);
    let iban = Iban::from_french_rib("30004", "00001", "00000000002").expect("iban");
    let change = format!(
        "csrf_token={csrf}&payee_id=T1&iban={}&bic=BNPAFRPP&holder=X&proof=RIB",
        iban.as_str()
    );
    for path in ["/personne/D1/rib", "/tiers/T1/rib"] {
        let asked = send(&f.app, post(path, &other, &change)).await;
        assert_ne!(
            asked.status,
            StatusCode::SEE_OTHER,
            "{path}: {}",
            asked.body
        );
        assert!(!asked.body.contains("enregistrée"), "{path}");
    }
    // Nothing was written for D1.
    let (mine, csrf1) = login(&f.app, "u-mds01").await;
    let page = send(&f.app, get("/personne/D1", &mine)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Demande n°"), "{}", page.body);
    assert!(
        search(&f.app, &mine, &csrf1, "lefev")
            .await
            .body
            .contains("/personne/D1")
    );
    assert_eq!(
        send(&f.app, get("/tiers/T1", &mine)).await.status,
        StatusCode::OK
    );
    let (all, csrf_all) = login(&f.app, "u-accueil").await;
    assert!(
        search(&f.app, &all, &csrf_all, "lefev")
            .await
            .body
            .contains("/personne/D1")
    );
}

/// What is typed in the desk search (a NIR) never lands in an address; the search's address
/// is only its agent's.
#[tokio::test]
async fn a_search_never_puts_what_was_typed_in_an_address() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-accueil").await;
    let nir = "141077505601259";
    let sent = send(
        &f.app,
        post("/accueil", &cookie, &format!("csrf_token={csrf}&q={nir}")),
    )
    .await;
    let to = sent.headers[header::LOCATION].to_str().expect("location");
    assert!(!to.contains(nir) && !to.contains("q="), "{to}");
    let form = send(&f.app, get("/accueil", &cookie)).await;
    assert!(
        form.body.contains("method=\"post\" action=\"/accueil\""),
        "{}",
        form.body
    );
    // An old address with the query in it searches nothing.
    let old = send(&f.app, get("/accueil?q=lefev", &cookie)).await;
    assert!(!old.body.contains("/personne/D1"), "{}", old.body);
    // Another agent given the address gets the empty form.
    let lefev = send(
        &f.app,
        post("/accueil", &cookie, &format!("csrf_token={csrf}&q=lefev")),
    )
    .await;
    let to = lefev.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(
        send(&f.app, get(&to, &cookie))
            .await
            .body
            .contains("/personne/D1")
    );
    let (other, _) = login(&f.app, "u-instruction").await;
    assert!(
        !send(&f.app, get(&to, &other))
            .await
            .body
            .contains("/personne/D1")
    );
    // Without its CSRF token, no search.
    let forged = send(&f.app, post("/accueil", &cookie, "q=lefev")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

/// Every typed field has a limit checked by the server; a number out of range is a 400 with
/// a message, never a 500.
#[tokio::test]
async fn long_texts_and_numbers_out_of_range_are_refused_with_a_message() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-crise").await;
    let long = "x".repeat(2001);
    let public = send(
        &f.app,
        post(
            "/crise/public/message",
            &cookie,
            &format!("csrf_token={csrf}&affected={long}&guaranteed=RSA"),
        ),
    )
    .await;
    assert_eq!(public.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(public.body.contains("Ce qui est touché"), "{}", public.body);
    let huge = "x".repeat(2 * 1024 * 1024);
    let public = send(
        &f.app,
        post(
            "/crise/public/message",
            &cookie,
            &format!("csrf_token={csrf}&affected={huge}"),
        ),
    )
    .await;
    assert_eq!(public.status, StatusCode::PAYLOAD_TOO_LARGE);
    let screen = send(&f.app, get("/crise/public", &cookie)).await;
    assert!(!screen.body.contains("xxxxxxxxxx"), "nothing was published");
    let cnil = send(
        &f.app,
        post(
            "/crise/incident/cnil",
            &cookie,
            &format!(
                "csrf_token={csrf}&kind=initiale&nature=n&people_categories=usagers\
                 &people_count=18446744073709551615&record_categories=r&record_count=10\
                 &consequences=c&measures=m&dpo_contact=d"
            ),
        ),
    )
    .await;
    assert_eq!(cnil.status, StatusCode::BAD_REQUEST, "{}", cnil.body);
    assert!(cnil.body.contains("hors limites"), "{}", cnil.body);
}

// Forms (#20 §5): every problem at once, values kept, focus on the first, French words.

fn location(a: &Answer) -> String {
    a.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn a_refused_deposit_says_every_problem_beside_its_field_and_keeps_what_was_typed() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-courrier").await;
    let a = send(
        &f.app,
        post(
            "/courrier",
            &cookie,
            &format!(
                "csrf_token={csrf}&kind=demande_apa&depositor=+&subject=Demande+d%27APA\
                 &pages=trois&missing_deadline=31%2F12%2F2099&received_at=hier"
            ),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &a.body;
    // Four problems, all said, each on its field.
    assert!(body.contains("4 problèmes à corriger"), "{body}");
    for field in ["depositor", "pages", "missing_deadline", "received_at"] {
        assert!(
            body.contains(&format!(
                "name=\"{field}\" maxlength=\"{}\"",
                match field {
                    "depositor" => "200",
                    "pages" => "10",
                    _ => "20",
                }
            )) || body.contains(&format!("id=\"{field}\" name=\"{field}\"")),
            "{field}"
        );
        assert!(
            body.contains(&format!("aria-describedby=\"{field}-erreur\"")),
            "{field}: {body}"
        );
        assert!(body.contains(&format!("id=\"{field}-erreur\"")), "{field}");
    }
    assert_eq!(body.matches("aria-invalid=\"true\"").count(), 4, "{body}");
    // The focus on the first, without JavaScript.
    assert_eq!(body.matches(" autofocus").count(), 1);
    assert!(body.contains("aria-describedby=\"depositor-erreur\" autofocus"));
    // What was typed comes back.
    assert!(body.contains("value=\"Demande d&#39;APA\""), "{body}");
    assert!(body.contains("value=\"trois\""));
    assert!(body.contains("value=\"31/12/2099\""));
    // In the form's words.
    assert!(!body.contains("--"), "{body}");
    assert!(body.contains("Nombre de pages : nombre de pages illisible"));
    assert!(body.contains("attendu JJ/MM/AAAA HH:MM"));
}

#[tokio::test]
async fn an_aid_form_sent_as_an_invoice_is_refused_and_nothing_is_registered() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-courrier").await;
    let a = send(
        &f.app,
        post(
            "/courrier",
            &cookie,
            &format!(
                "csrf_token={csrf}&kind=facture&depositor=Mme+Invoice&subject=Aide\
                 &missing=RIB&missing_deadline=31%2F12%2F2099"
            ),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.body
            .contains("le formulaire envoyé n&#39;est pas celui de ce type"),
        "{}",
        a.body
    );
    assert!(a.body.contains("« Pièces manquantes »"), "{}", a.body);
    // The invoice's own fields are asked for as well.
    assert!(a.body.contains("aria-describedby=\"siret-erreur\""));
    assert!(a.body.contains("value=\"Mme Invoice\""));
    let list = send(&f.app, get("/courrier", &cookie)).await;
    assert!(!list.body.contains("<td>Mme Invoice</td>"), "{}", list.body);
    // The kind's list swaps the form with htmx, keeping the common fields; the button is
    // for browsers without JavaScript.
    let form = send(
        &f.app,
        get("/courrier?type=facture&depositor=Mme+Garde", &cookie),
    )
    .await;
    assert!(
        form.body
            .contains("hx-get=\"/courrier\" hx-trigger=\"change\"")
    );
    assert!(form.body.contains("hx-select=\"#saisie-form\""));
    assert!(form.body.contains("<noscript><button"));
    assert!(form.body.contains("value=\"Mme Garde\""));
    assert!(form.body.contains("SIRET du fournisseur"));
}

#[tokio::test]
async fn a_file_number_is_matched_whatever_its_case() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-courrier").await;
    let done = send(
        &f.app,
        post(
            "/courrier",
            &cookie,
            &format!(
                "csrf_token={csrf}&kind=demande_aide&depositor=M+Casse&subject=Dossier+en+minuscules&dossier=d1"
            ),
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (desk, _) = login(&f.app, "u-accueil").await;
    let person = send(&f.app, get("/personne/D1", &desk)).await;
    assert!(
        person.body.contains("Dossier en minuscules"),
        "{}",
        person.body
    );
    // The register finds it by name, whatever the case and accents.
    let found = send(&f.app, get("/courrier?q=casse", &cookie)).await;
    assert!(found.body.contains("<td>M Casse</td>"), "{}", found.body);
    let none = send(&f.app, get("/courrier?q=personne+d%27autre", &cookie)).await;
    assert!(!none.body.contains("<td>M Casse</td>"));
}

#[tokio::test]
async fn the_register_reads_french_dates_and_flags_a_late_bid() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-courrier").await;
    let late = send(
        &f.app,
        post(
            "/courrier",
            &cookie,
            &format!(
                "csrf_token={csrf}&kind=offre_marche&depositor=SARL+Tardive\
                 &deadline=02%2F01%2F2020+12%3A00"
            ),
        ),
    )
    .await;
    assert_eq!(late.status, StatusCode::SEE_OTHER, "{}", late.body);
    let page = send(&f.app, get(&location(&late), &cookie)).await;
    assert!(page.body.contains("HORS DÉLAI"), "{}", page.body);
    let list = send(&f.app, get("/courrier", &cookie)).await;
    assert!(list.body.contains("HORS DÉLAI"));
    // Today's filters say JJ/MM/AAAA, and take it.
    let today = jiff::Zoned::now()
        .in_tz("Europe/Paris")
        .expect("tz")
        .strftime("%d/%m/%Y")
        .to_string();
    assert!(
        list.body
            .contains(&format!("id=\"du\" name=\"du\" value=\"{today}\""))
    );
    assert!(list.body.contains("Du (JJ/MM/AAAA)"));
    let by_day = send(
        &f.app,
        get(&format!("/courrier?du={today}&au={today}"), &cookie),
    )
    .await;
    assert!(by_day.body.contains("SARL Tardive"));
    let bad = send(&f.app, get("/courrier?du=32%2F13%2F2026", &cookie)).await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("Du : date illisible"), "{}", bad.body);
}

#[tokio::test]
async fn cancelling_asks_on_a_page_that_states_the_consequence() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-courrier").await;
    let done = send(
        &f.app,
        post(
            "/courrier",
            &cookie,
            &format!("csrf_token={csrf}&kind=autre&depositor=Mme+Annule"),
        ),
    )
    .await;
    let at = location(&done);
    let page = send(&f.app, get(&at, &cookie)).await;
    assert!(page.body.contains(&format!("href=\"{at}/annuler\"")));
    let confirm = send(&f.app, get(&format!("{at}/annuler"), &cookie)).await;
    assert_eq!(confirm.status, StatusCode::OK);
    let number = at.trim_start_matches("/courrier/");
    for needle in [number, "Mme Annule", "ANNULÉ", "Confirmer l'annulation"] {
        assert!(confirm.body.contains(needle), "{needle}: {}", confirm.body);
    }
    let empty = send(
        &f.app,
        post(
            &format!("{at}/annuler"),
            &cookie,
            &format!("csrf_token={csrf}&reason=+"),
        ),
    )
    .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty
            .body
            .contains("aria-describedby=\"reason-erreur\" autofocus")
    );
    assert!(empty.body.contains("ANNULÉ"));
}

#[tokio::test]
async fn a_refused_rejected_row_form_says_both_problems_and_keeps_the_choice() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-instruction").await;
    let list = send(&f.app, get("/dossiers", &cookie)).await;
    let id = list
        .body
        .split("href=\"/dossiers/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a row link")
        .to_owned();
    let both = send(
        &f.app,
        post(
            &format!("/dossiers/{id}"),
            &cookie,
            &format!("csrf_token={csrf}&outcome=&note=+"),
        ),
    )
    .await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        both.body.contains("2 problèmes à corriger"),
        "{}",
        both.body
    );
    assert!(both.body.contains("id=\"outcome-erreur\""));
    assert!(both.body.contains("id=\"note-erreur\""));
    let note_only = send(
        &f.app,
        post(
            &format!("/dossiers/{id}"),
            &cookie,
            &format!("csrf_token={csrf}&outcome=sans_suite&note=+"),
        ),
    )
    .await;
    assert!(
        note_only
            .body
            .contains("value=\"sans_suite\" required checked")
    );
    assert!(
        note_only
            .body
            .contains("aria-describedby=\"note-erreur note-max\" autofocus")
    );
    // Columns and problems in words, never codes.
    let row = send(&f.app, get(&format!("/dossiers/{id}"), &cookie)).await;
    assert!(!row.body.contains("(id_cle)"), "{}", row.body);
    assert!(!row.body.contains("<td>tiers_id</td>"), "{}", row.body);
}

#[tokio::test]
async fn the_help_link_opens_the_agents_guide_with_a_section_per_role() {
    let f = fixture();
    let sign_in = send(&f.app, get("/login", "")).await;
    assert!(
        sign_in.body.contains("<a href=\"/aide\""),
        "{}",
        sign_in.body
    );
    let guide = send(&f.app, get("/aide", "")).await;
    assert_eq!(guide.status, StatusCode::OK);
    for role in [
        "Accueil",
        "Courrier",
        "Instruction",
        "Liquidation",
        "Ordonnateur",
        "Cellule de crise",
        "Administration",
    ] {
        assert!(
            guide.body.contains(&format!("<h2>{role}</h2>")),
            "{role}: {}",
            guide.body
        );
    }
    assert_eq!(guide.body.matches("<h1>").count(), 1, "one title");
    assert!(
        guide
            .body
            .contains("src=\"/aide/img/courrier-erreurs.png\"")
    );
    let image = send(&f.app, get("/aide/img/courrier-erreurs.png", "")).await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(
        image
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    assert_eq!(
        send(&f.app, get("/aide/img/..%2Fguide.md", ""))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let (cookie, _) = login(&f.app, "u-courrier").await;
    let signed_in = send(&f.app, get("/courrier", &cookie)).await;
    assert!(signed_in.body.contains("<a href=\"/aide\""));
}

#[tokio::test]
async fn the_register_downloads_for_a_french_spreadsheet() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-courrier").await;
    let done = send(
        &f.app,
        post(
            "/courrier",
            &cookie,
            &format!(
                "csrf_token={csrf}&kind=facture&depositor=%3DSARL+Dupont%3B+fils\
                 &siret=73282932000074&invoice_number=F-1&amount=1234%2C56"
            ),
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = send(&f.app, get("/courrier", &cookie)).await;
    assert!(
        page.body.contains("/courrier?format=tableur&amp;du="),
        "{}",
        page.body
    );
    let csv = send(&f.app, get("/courrier?format=tableur&q=dupont", &cookie)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(
        csv.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/csv; charset=utf-8")
    );
    assert!(
        csv.body.starts_with("\u{feff}Numéro;Reçu le;"),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains(";\"'=SARL Dupont; fils\";"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains(";1234,56;"), "{}", csv.body);
    let bad = send(&f.app, get("/courrier?format=tableur&du=hier", &cookie)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A supplier's invoice registered at the courrier is listed on the Factures page, its
/// service fait certified by an instruction agent and liquidated by a liquidation agent from
/// its page; a revenue account is refused with the reason.
#[tokio::test]
async fn an_invoice_is_certified_then_liquidated_from_its_page() {
    let f = fixture();
    let (cookie, csrf) = login(&f.app, "u-courrier").await;
    let invoice = format!(
        "csrf_token={csrf}&kind=facture&depositor=SARL+Bati&siret=73282932000074\
         &invoice_number=F-2026-88&amount=1234%2C50"
    );
    let a = send(&f.app, post("/courrier", &cookie, &invoice)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let number = a
        .location()
        .trim_start_matches("/courrier/")
        .split(['?', '/'])
        .next()
        .expect("number")
        .to_owned();
    let (inst, inst_csrf) = login(&f.app, "u-instruction").await;
    let list = send(&f.app, get("/factures", &inst)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("F-2026-88"), "{}", list.body);
    assert!(
        list.body.contains("service fait à certifier"),
        "{}",
        list.body
    );
    let page = send(&f.app, get(&format!("/factures/{number}"), &inst)).await;
    assert!(
        page.body.contains("Certifier le service fait"),
        "{}",
        page.body
    );
    let a = send(
        &f.app,
        post(
            &format!("/factures/{number}/service-fait"),
            &inst,
            &format!("csrf_token={inst_csrf}&verifie=travaux+constat%C3%A9s&montant="),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let (liq, liq_csrf) = login(&f.app, "u-liquidation").await;
    let wrong = send(
        &f.app,
        post(
            &format!("/factures/{number}/liquider"),
            &liq,
            &format!("csrf_token={liq_csrf}&nature=7061&fonction=020"),
        ),
    )
    .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("compte de charge"), "{}", wrong.body);
    let a = send(
        &f.app,
        post(
            &format!("/factures/{number}/liquider"),
            &liq,
            &format!("csrf_token={liq_csrf}&nature=615221&fonction=0202"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let page = send(&f.app, get(&format!("/factures/{number}"), &liq)).await;
    assert!(page.body.contains("liquidée : à mandater"), "{}", page.body);
    assert!(page.body.contains("liquidée pour 1"), "{}", page.body);
    assert!(page.body.contains("par u-instruction"), "{}", page.body);
    // The same invoice registered again (same SIRET, number and amount) is never paid twice.
    let a = send(&f.app, post("/courrier", &cookie, &invoice)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let twin = a
        .location()
        .trim_start_matches("/courrier/")
        .split(['?', '/'])
        .next()
        .expect("number")
        .to_owned();
    let a = send(
        &f.app,
        post(
            &format!("/factures/{twin}/service-fait"),
            &inst,
            &format!("csrf_token={inst_csrf}&verifie=re%C3%A7ue+deux+fois"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let again = send(
        &f.app,
        post(
            &format!("/factures/{twin}/liquider"),
            &liq,
            &format!("csrf_token={liq_csrf}&nature=615221&fonction=0202"),
        ),
    )
    .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    assert!(
        again.body.contains("déjà liquidée sous la référence"),
        "{}",
        again.body
    );
}
