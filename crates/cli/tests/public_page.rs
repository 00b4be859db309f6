//! `relais publish` on the demo: the page lists every public number of the directory as a
//! `tel:` link and no number of a non-public entry; the Nu HTML Checker (npm `vnu-jar`, on
//! Java) finds no error in it or its stylesheet; and in Debian's headless Chromium
//! (`e2e/public.mjs`) axe-core finds no serious or critical violation. Needs `java`, `node`,
//! `chromium` and `npm ci --prefix e2e`: without them the test fails, it is never skipped.

mod common;

use relais_core::directory::tel_href;
use relais_store::SqliteStore;
use relais_store::desk::DeskStore;
use std::process::Command;

#[test]
fn the_public_page_is_complete_valid_and_accessible() {
    let vnu = common::root().join("e2e/node_modules/vnu-jar/build/dist/vnu.jar");
    assert!(
        vnu.is_file(),
        "run `npm ci --prefix e2e` first (.ci/run does)"
    );
    common::e2e_dir();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    common::demo(&data, 150);
    let out = dir.path().join("public");
    let status = Command::new(env!("CARGO_BIN_EXE_relais"))
        .args(["publish", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .status()
        .expect("publish");
    assert!(status.success());
    let html = std::fs::read_to_string(out.join("index.html")).expect("index.html");

    let directory = SqliteStore::open(&data.join("relais.db"))
        .expect("store")
        .directory()
        .expect("directory");
    let (public, private): (Vec<_>, Vec<_>) = directory.iter().partition(|r| r.public);
    assert!(
        !public.is_empty() && !private.is_empty(),
        "the demo has both kinds"
    );
    for r in &public {
        // A site whose number was malformed in the extract is kept (a warning), without a
        // number: still listed, with its address and hours.
        if r.phone.trim().is_empty() {
            assert!(html.contains(&r.site), "{} not listed", r.site);
            continue;
        }
        let href =
            tel_href(&r.phone).unwrap_or_else(|| panic!("{} has no dialable number", r.site));
        assert!(
            html.contains(&format!("href=\"{href}\"")),
            "{} missing",
            r.phone
        );
    }
    for r in &private {
        let href = tel_href(&r.phone).unwrap_or_default();
        assert!(
            !html.contains(&r.phone) && !html.contains(&href),
            "non-public {} ({}) on the public page",
            r.service,
            r.phone
        );
    }

    let checked = Command::new("java")
        .arg("-jar")
        .arg(&vnu)
        .args(["--errors-only", "--also-check-css"])
        .arg(out.join("index.html"))
        .arg(out.join("relais-public.css"))
        .output()
        .expect("java is needed (apt-get install default-jre-headless)");
    assert!(
        checked.status.success(),
        "the Nu HTML Checker found errors:\n{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );

    let shots = common::root().join("target/e2e-screenshots");
    let page = out.join("index.html");
    common::node(
        "public.mjs",
        &[
            ("RELAIS_PAGE", page.as_ref()),
            ("RELAIS_SHOTS", shots.as_ref()),
        ],
    );
    assert!(shots.join("page-publique.png").exists());
}
