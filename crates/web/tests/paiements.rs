//! Issue #20 §4 through the web, without a socket: a run is validated only from the page that
//! states what it pays (a POST without that step is sent there, one whose facts changed is
//! refused); the prepare form proposes the first month not yet paid; a renewal is applied only
//! as it was simulated.

use axum::http::{StatusCode, header};
use http_body_util::BodyExt;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::records::sample;
use relais_core::records::{Benefit, PayeeKind};
use relais_core::roles::Role;
use relais_documents::french;
use relais_store::numbering::{NumberingStore, SetNumbering};
use relais_store::{NewUser, SqliteStore, Store};
use relais_web::{App, Config, Shared, hash_password, router};
use std::sync::Arc;
use tower::ServiceExt;

mod common;
use common::*;

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Paris").expect("tz"))
        .date()
}

/// One person paid APA at home (450,12 € a month) to themself; one user per role; the
/// exercice's PES numbering confirmed; the payment settings loaded.
fn fixture() -> (tempfile::TempDir, Shared) {
    fixture_with(|_, _| {})
}

/// The fixture, with `configure` changing the server's configuration (given its folder).
fn fixture_with(
    configure: impl FnOnce(&mut Config, &std::path::Path),
) -> (tempfile::TempDir, Shared) {
    fixture_reading(configure, 0)
}

/// The fixture, with `readers` reading connections beside the writer (as `relais serve`).
fn fixture_reading(
    configure: impl FnOnce(&mut Config, &std::path::Path),
    readers: usize,
) -> (tempfile::TempDir, Shared) {
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
        sample::person("D1", "LEFÈVRE", "Anne"),
        sample::payee(
            "T1",
            PayeeKind::Personne,
            "LEFÈVRE Anne",
            sample::iban("00000000001"),
        ),
        sample::right("R1", "D1", Benefit::ApaDom, 45_012, "T1"),
        sample::agent("M001", "MARTIN", "Claire", 210_055),
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
    configure(&mut config, dir.path());
    let now = jiff::Timestamp::now().as_second();
    let db = dir.path().join("relais.db");
    let readers = (0..readers)
        .map(|_| {
            Box::new(SqliteStore::open_reader(&db).expect("reader"))
                as Box<dyn relais_store::Backend>
        })
        .collect();
    let app =
        App::with_readers(Box::new(store), readers, config, Arc::new(move || now)).expect("app");
    (dir, app)
}

/// Asks the server to write run `run`'s files (its page's "Écrire les fichiers").
async fn export(app: &Shared, run: &str, cookie: &str, csrf: &str) -> Answer {
    send(
        app,
        post(
            &format!("{run}/exporter"),
            cookie,
            &format!("csrf_token={csrf}"),
        ),
    )
    .await
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

/// Prepares and validates this month's APA at home (confirmed on its page): the run's address.
async fn validated(app: &Shared) -> String {
    let run = prepared(app).await;
    let (ord, csrf) = login(app, "u-ordonnateur").await;
    let confirm = send(app, get(&format!("{run}/valider"), &ord)).await;
    let digest = input_value(&confirm.body, "empreinte");
    let a = send(
        app,
        post(
            &format!("{run}/valider"),
            &ord,
            &format!("csrf_token={csrf}&empreinte={digest}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    run
}

/// The fixture with its folder a data folder: `settings.toml` (the settings the server was
/// given), and the runs' files written in `exports/` by the real export; `readers` reading
/// connections (none: the export reads on the writer).
fn exporting(readers: usize) -> (tempfile::TempDir, Shared) {
    fixture_reading(
        |config, dir| {
            std::fs::write(
                dir.join("settings.toml"),
                include_str!("next_payment_settings.toml"),
            )
            .expect("settings");
            config.exports = Some(relais_web::paiements::Exports {
                dir: dir.join("exports"),
            });
        },
        readers,
    )
}

/// The names and digests a `SHA256SUMS` lists.
fn sums(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(digest, name)| (name.to_owned(), digest.to_owned()))
        .collect()
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes))
}

/// A validated run exported from the web by the real export (the service `relais run export`
/// calls): its PES, pain.001 and documents written and listed by `SHA256SUMS`, each
/// downloading as written; only those names are served; the control report written on demand
/// from its own folder.
#[tokio::test]
async fn a_run_s_files_are_written_listed_and_only_they_are_served() {
    let (dir, app) = exporting(0);
    let run = validated(&app).await;
    let id = run.trim_start_matches("/paiements/").to_owned();
    let (cookie, csrf) = login(&app, "u-liquidation").await;
    let pes_name = format!("PES_{id}.xml");
    let before = send(&app, get(&format!("{run}/fichiers/{pes_name}"), &cookie)).await;
    assert_eq!(before.status, StatusCode::NOT_FOUND);
    let wrote = export(&app, &run, &cookie, &csrf).await;
    assert_eq!(wrote.status, StatusCode::SEE_OTHER, "{}", wrote.body);
    let folder = dir.path().join("exports").join(&id);
    let listed = sums(&std::fs::read_to_string(folder.join("SHA256SUMS")).expect("sums"));
    let names: Vec<&str> = listed.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        pes_name.as_str(),
        &format!("bordereau_{id}.pdf"),
        &format!("controle_{id}.html"),
        &format!("controle_{id}_mandats.csv"),
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    assert!(
        names
            .iter()
            .any(|n| n.starts_with(&format!("pain001_{id}_"))),
        "{names:?}"
    );
    // Each listed file downloads as written, with its digest.
    for (name, digest) in &listed {
        let a = send(&app, get(&format!("{run}/fichiers/{name}"), &cookie)).await;
        assert_eq!(a.status, StatusCode::OK, "{name}");
        let on_disk = std::fs::read(folder.join(name)).expect("file");
        assert_eq!(&sha256(&on_disk), digest, "{name}");
        if name.ends_with(".csv") || name.ends_with(".html") {
            assert_eq!(a.body.as_bytes(), on_disk.as_slice(), "{name}");
        }
    }
    let pes = send(&app, get(&format!("{run}/fichiers/{pes_name}"), &cookie)).await;
    assert_eq!(
        pes.headers
            .get(header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok()),
        Some(format!("attachment; filename=\"{pes_name}\"").as_str())
    );
    assert_eq!(
        pes.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/xml")
    );
    // The PES pays the run's one mandate, 450,12 € (ISO-8859-1, ASCII here).
    assert!(pes.body.contains("PES_Aller"), "{}", pes.body);
    assert!(pes.body.contains("45012") || pes.body.contains("450.12"));
    let sums_file = send(&app, get(&format!("{run}/fichiers/SHA256SUMS"), &cookie)).await;
    assert_eq!(sums_file.status, StatusCode::OK);
    // Only what SHA256SUMS lists: not another file of the folder, nothing outside it.
    std::fs::write(folder.join("not-listed.txt"), b"secret").expect("stray file");
    for name in [
        "not-listed.txt",
        "..%2F..%2Frelais.db",
        "%2Fetc%2Fpasswd",
        "%2E%2E%2Fsettings.toml",
        &format!("{pes_name}%00"),
    ] {
        let a = send(&app, get(&format!("{run}/fichiers/{name}"), &cookie)).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{name}");
    }
    // The control report, written on demand, downloads from its own folder only.
    let wrote = send(
        &app,
        post(
            &format!("{run}/rapport"),
            &cookie,
            &format!("csrf_token={csrf}"),
        ),
    )
    .await;
    assert_eq!(wrote.status, StatusCode::SEE_OTHER, "{}", wrote.body);
    let report = send(
        &app,
        get(&format!("{run}/controle/controle_{id}.html"), &cookie),
    )
    .await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.body.contains(&id), "{}", report.body);
    let crossed = send(&app, get(&format!("{run}/controle/{pes_name}"), &cookie)).await;
    assert_eq!(crossed.status, StatusCode::NOT_FOUND);
    // A run that does not exist: 404, and nothing written.
    let missing = send(
        &app,
        post(
            "/paiements/P2020-01-01/exporter",
            &cookie,
            &format!("csrf_token={csrf}"),
        ),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
    assert!(!dir.path().join("exports/P2020-01-01").exists());
    // The desk cannot download payment files.
    let (desk, _) = login(&app, "u-accueil").await;
    let a = send(&app, get(&format!("{run}/fichiers/{pes_name}"), &desk)).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

/// "Télécharger tout": the run's files in one zip, only the names its `SHA256SUMS` lists, with
/// `SHA256SUMS` inside, each file as it is on disk.
#[tokio::test]
async fn all_of_a_run_s_files_download_as_one_zip_of_what_sha256sums_lists() {
    // Written on reading connections, the documents on a second one, as `relais serve` does.
    let (dir, app) = exporting(2);
    let run = validated(&app).await;
    let id = run.trim_start_matches("/paiements/").to_owned();
    let (liq, csrf) = login(&app, "u-liquidation").await;
    // Nothing written yet: nothing to download.
    let a = send(&app, get(&format!("{run}/fichiers.zip"), &liq)).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = export(&app, &run, &liq, &csrf).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let folder = dir.path().join("exports").join(&id);
    std::fs::write(folder.join("not-listed.txt"), b"secret").expect("stray file");
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
        Some(format!("attachment; filename=\"{id}.zip\"").as_str())
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
    let listed = sums(&std::fs::read_to_string(folder.join("SHA256SUMS")).expect("sums"));
    let mut expected: Vec<String> = listed.iter().map(|(n, _)| n.clone()).collect();
    expected.push("SHA256SUMS".into());
    assert_eq!(names, expected);
    for (name, digest) in &listed {
        let mut inside = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_name(name).expect("entry"), &mut inside)
            .expect("read");
        assert_eq!(&sha256(&inside), digest, "{name}");
    }
    // The desk cannot download it.
    let (desk, _) = login(&app, "u-accueil").await;
    let a = send(&app, get(&format!("{run}/fichiers.zip"), &desk)).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

/// The payroll through the web: prepared from the Paie page by a liquidation agent, reviewed on
/// the run's page with its control figures, validated by an ordonnateur and exported like any
/// run; a change of an agent's situation is decided from the Paie page and the dashboard says
/// it waits.
#[tokio::test]
async fn the_payroll_is_prepared_reviewed_validated_and_exported_from_its_page() {
    let dir = tempfile::tempdir().expect("exports");
    let exports = dir.path().to_owned();
    let (_dir, app) = fixture_with(move |c, _| {
        c.exports = Some(relais_web::paiements::Exports { dir: exports });
    });
    let (liq, liq_csrf) = login(&app, "u-liquidation").await;
    let page = send(&app, get("/paie", &liq)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Préparer la paie d'un mois"),
        "{}",
        page.body
    );
    let month = Month::of(today()).to_string();
    let a = send(
        &app,
        post(
            "/paie/preparer",
            &liq,
            &format!("csrf_token={liq_csrf}&month={month}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let run = a.location();
    let (ord, csrf) = login(&app, "u-ordonnateur").await;
    let page = send(&app, get(&run, &ord)).await;
    // The control figures: one agent paid, their net alone (no lines), variables deferred.
    assert!(page.body.contains("Paie des agents"), "{}", page.body);
    assert!(
        page.body
            .contains("Net seul (cotisations à régulariser)</dt><dd>1"),
        "{}",
        page.body
    );
    assert!(page.body.contains("120,00"), "{}", page.body);
    // Validated through its confirmation page, then exported: the PES and the payslip.
    let confirm = send(&app, get(&format!("{run}/valider"), &ord)).await;
    let digest = input_value(&confirm.body, "empreinte");
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
    let a = export(&app, &run, &ord, &csrf).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let page = send(&app, get(&run, &ord)).await;
    let id = run.trim_start_matches("/paiements/");
    assert!(
        page.body.contains(&format!("PES_{id}.xml")),
        "{}",
        page.body
    );
    assert!(page.body.contains("bulletins/M001.pdf"), "{}", page.body);
    // The Paie page lists the payroll run; only payroll runs.
    let page = send(&app, get("/paie", &ord)).await;
    assert!(page.body.contains(id), "{}", page.body);
}

/// A change of an agent's situation asked on the Paie page waits on the dashboard, and applies
/// to the payroll once an ordonnateur approved it there.
#[tokio::test]
async fn a_change_of_an_agent_s_situation_is_asked_then_approved_on_the_paie_page() {
    let (_dir, app) = fixture();
    let (liq, liq_csrf) = login(&app, "u-liquidation").await;
    // A change without what it needs comes back with the reason.
    let a = send(
        &app,
        post(
            "/paie/changements",
            &liq,
            &format!("csrf_token={liq_csrf}&matricule=M001&kind=sortie&arrete=A-1&motif=retraite"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert!(a.body.contains("dernier jour en poste"), "{}", a.body);
    let last_month = Month::of(today())
        .previous()
        .last_day()
        .strftime("%d/%m/%Y");
    let a = send(
        &app,
        post(
            "/paie/changements",
            &liq,
            &format!("csrf_token={liq_csrf}&matricule=M001&kind=sortie&date={last_month}&arrete=A-1&motif=retraite"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let (ord, csrf) = login(&app, "u-ordonnateur").await;
    let dashboard = send(&app, get("/", &ord)).await;
    assert!(
        dashboard.body.contains("agent M001, sortie le"),
        "{}",
        dashboard.body
    );
    let page = send(&app, get("/paie", &ord)).await;
    assert!(
        page.body.contains("Approuver la demande 1"),
        "{}",
        page.body
    );
    let a = send(
        &app,
        post(
            "/paie/changements/1/approuver",
            &ord,
            &format!("csrf_token={csrf}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let page = send(&app, get("/paie?fait=approuvee", &ord)).await;
    assert!(
        page.body.contains("approuvée par u-ordonnateur"),
        "{}",
        page.body
    );
    // The agent left before this month: the month's payroll has nobody to pay.
    let month = Month::of(today()).to_string();
    let a = send(
        &app,
        post(
            "/paie/preparer",
            &liq,
            &format!("csrf_token={liq_csrf}&month={month}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert!(
        a.body.contains("aucun agent") || a.body.contains("rien à payer"),
        "{}",
        a.body
    );
}
