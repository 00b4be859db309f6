//! Issue #20 §4 through the web, without a socket: a run is validated only from the page that
//! states what it pays (a POST without that step is sent there, one whose facts changed is
//! refused); the prepare form proposes the first month not yet paid; a renewal is applied only
//! as it was simulated.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jiff::civil::date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::ids::{Bic, Iban};
use relais_core::records::{Beneficiary, Benefit, Payee, PayeeKind, Record, Right, RightStatus};
use relais_core::roles::Role;
use relais_documents::french;
use relais_store::numbering::{NumberingStore, SetNumbering};
use relais_store::{NewUser, SqliteStore, Store};
use relais_web::{App, Config, Shared, hash_password, router};
use std::sync::Arc;
use tower::ServiceExt;

const PASSWORD: &str = "une-phrase-de-passe-solide";

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Paris").expect("tz"))
        .date()
}

/// One person paid APA at home (450,12 € a month) to themself; one user per role; the
/// exercice's PES numbering confirmed; the payment settings loaded.
fn fixture() -> (tempfile::TempDir, Shared) {
    fixture_with(|_| {})
}

fn fixture_with(configure: impl FnOnce(&mut Config)) -> (tempfile::TempDir, Shared) {
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
        Record::Beneficiary(Beneficiary {
            dossier: "D1".into(),
            nir: None,
            last_name: "LEFÈVRE".into(),
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
        }),
        Record::Payee(Payee {
            id: "T1".into(),
            kind: PayeeKind::Personne,
            name: "LEFÈVRE Anne".into(),
            siret: None,
            iban: Iban::from_french_rib("30004", "00001", "00000000001").expect("iban"),
            bic: Bic::parse("BNPAFRPP").expect("bic"),
            holder: "LEFÈVRE Anne".into(),
            address: String::new(),
            postal_code: "77000".into(),
            city: "Melun".into(),
            iban_changed_on: None,
            legal_form: None,
            extra: vec![],
        }),
        Record::Right(Right {
            id: "R1".into(),
            dossier: "D1".into(),
            benefit: Benefit::ApaDom,
            monthly_amount: Cents(45_012),
            start: date(2024, 1, 1),
            end: date(2027, 12, 31),
            status: RightStatus::EnPaiement,
            payee_id: "T1".into(),
            imputation: None,
            extra: vec![],
        }),
    ];
    let mut session = store.begin_import().expect("begin");
    for r in &records {
        session.insert(r).expect("insert");
    }
    session
        .commit("u-admin", serde_json::json!({}))
        .expect("commit");
    store
        .set_numbering(&SetNumbering {
            exercice: today().year(),
            last_bordereau: 100,
            last_mandate: 1000,
            cumul: Cents(0),
            reason: "confirmé par la paierie",
            actor: "u-ordonnateur",
            local_time: "2026-12-01 09:00",
        })
        .expect("numbering");
    let mut config = Config {
        settings: Some(
            toml::from_str(include_str!("next_payment_settings.toml")).expect("settings"),
        ),
        ..Config::default()
    };
    configure(&mut config);
    let now = jiff::Timestamp::now().as_second();
    let app = App::new(store, config, Arc::new(move || now)).expect("app");
    (dir, app)
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Answer {
    fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }
}

async fn send(app: &Shared, req: Request<Body>) -> Answer {
    let response = router(Arc::clone(app)).oneshot(req).await.expect("respond");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request")
}

fn post(path: &str, cookie: &str, form: &str) -> Request<Body> {
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .expect("request")
}

fn input_value(body: &str, name: &str) -> String {
    body.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

fn cookie(a: &Answer, name: &str) -> String {
    a.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|kv| kv.starts_with(&format!("{name}=")))
        .map(str::to_owned)
        .expect("cookie")
}

/// Signs in: (session cookie, the session's CSRF token).
async fn login(app: &Shared, login: &str) -> (String, String) {
    let form = send(app, get("/login", "")).await;
    let pre = cookie(&form, "relais_login");
    let token = input_value(&form.body, "csrf_token");
    let a = send(
        app,
        post(
            "/login",
            &pre,
            &format!("login={login}&password={PASSWORD}&csrf_token={token}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let session = cookie(&a, "relais_session");
    let home = send(app, get("/", &session)).await;
    (session, input_value(&home.body, "csrf_token"))
}

/// Prepares this month's APA at home as `u-liquidation`: the run's address.
async fn prepared(app: &Shared) -> String {
    let (liq, liq_csrf) = login(app, "u-liquidation").await;
    let month = Month::of(today()).to_string();
    let a = send(
        app,
        post(
            "/paiements/preparer",
            &liq,
            &format!("csrf_token={liq_csrf}&month={month}&benefit=APA_DOM"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    a.location()
}

#[tokio::test]
async fn a_run_is_validated_only_from_the_page_that_states_what_it_pays() {
    let (_dir, app) = fixture();
    let run = prepared(&app).await;
    let (ord, csrf) = login(&app, "u-ordonnateur").await;
    // The run's page offers validation through the confirmation page, not at once.
    let page = send(&app, get(&run, &ord)).await;
    assert!(
        page.body
            .contains(&format!("method=\"get\" action=\"{run}/valider\"")),
        "{}",
        page.body
    );
    // A POST without the confirmation step validates nothing: it leads to that page.
    let a = send(
        &app,
        post(
            &format!("{run}/valider"),
            &ord,
            &format!("csrf_token={csrf}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.location(), format!("{run}/valider"));
    let page = send(&app, get(&run, &ord)).await;
    assert!(page.body.contains("Valider le paiement"), "still prepared");
    // The confirmation page states the consequences, in French.
    let confirm = send(&app, get(&format!("{run}/valider"), &ord)).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    let month = french::month_long(Month::of(today()));
    for shown in [
        month.as_str(),
        "<strong>1 droit</strong>",
        "<strong>1 mandat</strong>",
        "450,12\u{a0}€",
        "définitif",
        "Confirmer la validation du paiement",
    ] {
        assert!(confirm.body.contains(shown), "{shown}: {}", confirm.body);
    }
    // A weekday name: the pay date in words.
    assert!(
        ["lundi", "mardi", "mercredi", "jeudi", "vendredi"]
            .iter()
            .any(|d| confirm.body.contains(d)),
        "{}",
        confirm.body
    );
    let digest = input_value(&confirm.body, "empreinte");
    assert_eq!(digest.len(), 32);
    // The preparer is told at once that another ordonnateur validates.
    let (liq, _) = login(&app, "u-liquidation").await;
    let a = send(&app, get(&format!("{run}/valider"), &liq)).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // A digest of other facts (the run as another page showed it) is refused.
    let a = send(
        &app,
        post(
            &format!("{run}/valider"),
            &ord,
            &format!("csrf_token={csrf}&empreinte=00000000000000000000000000000000"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
    assert!(a.body.contains("a changé"), "{}", a.body);
    // Confirmed: validated.
    let a = send(
        &app,
        post(
            &format!("{run}/valider"),
            &ord,
            &format!("csrf_token={csrf}&empreinte={digest}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert!(a.location().ends_with("fait=valide"), "{}", a.location());
    // Nothing left to confirm, and the digest of the prepared run is spent.
    let again = send(&app, get(&format!("{run}/valider"), &ord)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let a = send(
        &app,
        post(
            &format!("{run}/valider"),
            &ord,
            &format!("csrf_token={csrf}&empreinte={digest}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
}

/// The address of the confirmation page a simulation links to.
fn confirmation_link(body: &str) -> String {
    body.split("href=\"/renouvellement/confirmer?")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(|q| {
            format!(
                "/renouvellement/confirmer?{}",
                q.replace("&#38;", "&").replace("&amp;", "&")
            )
        })
        .expect("link to the confirmation page")
}

#[tokio::test]
async fn a_renewal_is_applied_only_as_it_was_simulated_and_confirmed() {
    let (dir, app) = fixture();
    let (ins, csrf) = login(&app, "u-instruction").await;
    let policy = "benefit=APA_DOM&ends_from=2027-12-01&ends_to=2027-12-31&new_end=2028-06-30\
                  &legal_reference=arr%C3%AAt%C3%A9+n%C2%B0+2027-1&decided_by=Le+Pr%C3%A9sident";
    let simulated = send(
        &app,
        post(
            "/renouvellement",
            &ins,
            &format!("csrf_token={csrf}&{policy}&etape=simuler"),
        ),
    )
    .await;
    assert_eq!(simulated.status, StatusCode::OK, "{}", simulated.body);
    let link = confirmation_link(&simulated.body);
    let digest = link.split("empreinte=").nth(1).expect("digest").to_owned();
    // Applying without the confirmation step applies nothing: it leads to that page.
    let a = send(
        &app,
        post(
            "/renouvellement",
            &ins,
            &format!("csrf_token={csrf}&{policy}&etape=appliquer"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert!(
        a.location().starts_with("/renouvellement/confirmer?"),
        "{}",
        a.location()
    );
    // The naive version's hole: the form edited after the simulation (another end date),
    // sent with the simulation's digest. Refused, the new simulation shown, nothing applied.
    let edited = policy.replace("new_end=2028-06-30", "new_end=2029-12-31");
    let a = send(
        &app,
        post(
            "/renouvellement",
            &ins,
            &format!("csrf_token={csrf}&{edited}&etape=appliquer&empreinte={digest}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
    assert!(
        a.body.contains("ont changé depuis la simulation"),
        "{}",
        a.body
    );
    assert!(
        a.body.contains("2029-12-31"),
        "the new simulation: {}",
        a.body
    );
    assert!(!a.body.contains("Décision appliquée"), "{}", a.body);
    let person = send(&app, get("/personne/D1", &ins)).await;
    assert!(person.body.contains("31/12/2027"), "{}", person.body);
    // The confirmation page states the consequence, in French.
    let confirm = send(&app, get(&link, &ins)).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    for shown in [
        "<strong>1 droit</strong>",
        "450,12\u{a0}€",
        "jusqu'au <strong>vendredi 30 juin 2028</strong>",
        "01/12/2027",
        "Confirmer et appliquer la décision",
    ] {
        assert!(confirm.body.contains(shown), "{shown}: {}", confirm.body);
    }
    assert_eq!(input_value(&confirm.body, "empreinte"), digest);
    // The rights change meanwhile (an import, another decision): the digest no longer holds.
    SqliteStore::open(&dir.path().join("relais.db"))
        .expect("open")
        .raw_connection()
        .execute(
            "UPDATE rights SET monthly_amount = 50000 WHERE id = 'R1'",
            [],
        )
        .expect("set");
    let a = send(&app, get(&link, &ins)).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
    assert!(a.body.contains("500,00"), "the new simulation: {}", a.body);
    let a = send(
        &app,
        post(
            "/renouvellement",
            &ins,
            &format!("csrf_token={csrf}&{policy}&etape=appliquer&empreinte={digest}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
    // Confirmed on the new simulation: applied.
    let fresh = confirmation_link(&a.body);
    let confirm = send(&app, get(&fresh, &ins)).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    let digest = input_value(&confirm.body, "empreinte");
    let a = send(
        &app,
        post(
            "/renouvellement",
            &ins,
            &format!("csrf_token={csrf}&{policy}&etape=appliquer&empreinte={digest}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.contains("Décision appliquée"), "{}", a.body);
    let person = send(&app, get("/personne/D1", &ins)).await;
    assert!(person.body.contains("30/06/2028"), "{}", person.body);
}

#[tokio::test]
async fn the_prepare_form_proposes_the_first_unpaid_month_and_a_skipped_month_is_said() {
    let (dir, app) = fixture();
    let (liq, _) = login(&app, "u-liquidation").await;
    let current = Month::of(today());
    // No history yet: this month.
    let page = send(&app, get("/paiements", &liq)).await;
    assert!(
        page.body
            .contains(&format!("name=\"month\" value=\"{}\"", current.short())),
        "{}",
        page.body
    );
    // The history's latest month is three months back: the next one is proposed.
    let latest = (0..3).fold(current, |m, _| {
        Month::of(m.first_day().yesterday().expect("day"))
    });
    SqliteStore::open(&dir.path().join("relais.db"))
        .expect("open")
        .raw_connection()
        .execute(
            "INSERT INTO past_payments (right_id, month, amount, paid_on, reference)
             VALUES ('R1', ?1, 45012, ?2, 'ancien')",
            [latest.to_string(), latest.first_day().to_string()],
        )
        .expect("history");
    let first_unpaid = latest.next();
    let page = send(&app, get("/paiements", &liq)).await;
    assert!(
        page.body.contains(&format!(
            "name=\"month\" value=\"{}\"",
            first_unpaid.short()
        )),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Attention"), "{}", page.body);
    // This month prepared anyway (allowed): the run's page and the list say what is skipped.
    let run = prepared(&app).await;
    let skipped = french::month_long(first_unpaid);
    for path in [run.as_str(), "/paiements"] {
        let page = send(&app, get(path, &liq)).await;
        assert!(
            page.body
                .contains(&format!(" ; {skipped} n&#39;est pas encore payé")),
            "{path}: {}",
            page.body
        );
    }
}

/// "Télécharger tout": the run's files in one zip, only the names its `SHA256SUMS` lists, with
/// `SHA256SUMS` inside, each file as it is on disk.
#[tokio::test]
async fn all_of_a_run_s_files_download_as_one_zip_of_what_sha256sums_lists() {
    let exports = tempfile::tempdir().expect("tempdir");
    let folder = exports.path().to_owned();
    let (_dir, app) = fixture_with(|config| {
        config.exports = Some(Arc::new(relais_web::paiements::Exports {
            dir: folder,
            export: Box::new(|id, user, out| {
                std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
                let pes = format!("<PES_Aller>{id} {user}</PES_Aller>").repeat(1000);
                std::fs::write(out.join("PES_test.xml"), &pes).map_err(|e| e.to_string())?;
                std::fs::write(out.join("bordereau.pdf"), b"%PDF-1.7")
                    .map_err(|e| e.to_string())?;
                std::fs::write(out.join("not-listed.txt"), b"secret").map_err(|e| e.to_string())?;
                std::fs::write(
                    out.join("SHA256SUMS"),
                    "aa  PES_test.xml\nbb  bordereau.pdf\n",
                )
                .map_err(|e| e.to_string())
            }),
            report: Box::new(|_, _| Ok(())),
        }));
    });
    let (liq, csrf) = login(&app, "u-liquidation").await;
    let run = "/paiements/P2026-12-01";
    // Nothing written yet: nothing to download.
    let a = send(&app, get(&format!("{run}/fichiers.zip"), &liq)).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = send(
        &app,
        post(
            &format!("{run}/exporter"),
            &liq,
            &format!("csrf_token={csrf}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let response = router(Arc::clone(&app))
        .oneshot(get(&format!("{run}/fichiers.zip"), &liq))
        .await
        .expect("respond");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get(header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok()),
        Some("attachment; filename=\"P2026-12-01.zip\"")
    );
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("zip");
    let names: Vec<String> = (0..archive.len())
        .map(|i| {
            archive
                .by_index(i)
                .expect("entry")
                .name()
                .expect("name")
                .into_owned()
        })
        .collect();
    assert_eq!(names, ["PES_test.xml", "bordereau.pdf", "SHA256SUMS"]);
    let mut pes = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("PES_test.xml").expect("pes"), &mut pes)
        .expect("read");
    assert_eq!(
        pes,
        "<PES_Aller>P2026-12-01 u-liquidation</PES_Aller>".repeat(1000)
    );
    // Deflated: the archive is smaller than what it holds.
    assert!(bytes.len() < pes.len() / 4, "{} bytes", bytes.len());
    // The desk cannot download it.
    let (desk, _) = login(&app, "u-accueil").await;
    let a = send(&app, get(&format!("{run}/fichiers.zip"), &desk)).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}
