//! `docs/runbook.md` is executed as written: every ```sh block, in order, in one bash session,
//! on a sealed copy of a fictitious département of 100,000 people (`RUNBOOK_SIZE` to change
//! it). The setup (demo extracts, keys, seal) is not timed; the runbook's commands are, and the
//! time is printed (goal: ≤ 60 s on the reference machine with a release build; the test
//! fails above 60 s in release and above 600 s in debug, where our crates are unoptimised).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn relais(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_relais"))
        .env_remove("RELAIS_DATA")
        .env_remove("RELAIS_USER")
        .env_remove("RELAIS_PASSWORD_FILE")
        .args(args)
        .output()
        .expect("run relais");
    assert!(
        out.status.success(),
        "relais {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The ```sh blocks of a Markdown text, in order.
fn shell_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), l) => {
                block.push_str(l);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(current.is_none(), "unclosed ```sh block in the runbook");
    blocks
}

fn write_secret(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
}

fn xmllint(schema: &Path, file: &Path) {
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .arg(file)
        .output()
        .expect("xmllint is needed (Debian: apt-get install libxml2-utils)");
    assert!(
        out.status.success(),
        "{} is not valid against {}:\n{}",
        file.display(),
        schema.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

#[test]
fn the_runbook_runs_as_written() {
    the_runbook_runs_on(None);
}

/// The same runbook with `RELAIS_DATABASE` naming an empty PostgreSQL database, as the
/// runbook tells a département of several sites to do (the cluster of
/// `RELAIS_TEST_POSTGRES`, started by `scripts/test` and CI).
#[test]
fn the_runbook_runs_as_written_on_postgres() {
    let url = common::fresh_postgres_database("runbook");
    the_runbook_runs_on(Some(url));
}

fn the_runbook_runs_on(database: Option<String>) {
    let size = std::env::var("RUNBOOK_SIZE").unwrap_or_else(|_| "100000".into());
    let lab = tempfile::tempdir().expect("tempdir");
    let t = lab.path();
    let path = |name: &str| t.join(name).to_string_lossy().into_owned();

    // The night before: the source system's extracts, the keys, the sealed copy.
    relais(&[
        "demo",
        "--data",
        &path("source"),
        "--size",
        &size,
        "--today",
        "2026-11-30",
        "--no-serve",
    ]);
    relais(&["snapshot", "keygen", "--out", &path("cles")]);
    relais(&[
        "snapshot",
        "seal",
        &path("source/extracts"),
        "--recipients",
        &path("cles/recipients.txt"),
        "--sign-key",
        &path("cles/sign.key"),
        "--out",
        &path("copie.relais"),
        "--authority",
        "Département de Seine-et-Marne (démo)",
    ]);
    for (who, password) in [
        ("admin", "a8f3-kiwi-lumière-17"),
        ("c.martin", "b91d-poire-saison-42"),
        ("p.durand", "c27e-prune-hiver-93"),
        ("s.petit", "d44a-mangue-été-08"),
    ] {
        write_secret(&t.join("cles").join(format!("{who}.mdp")), password);
    }

    let runbook = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/runbook.md"),
    )
    .expect("docs/runbook.md");
    let blocks = shell_blocks(&runbook);
    assert!(blocks.len() >= 8, "the runbook lost its commands");
    let script = format!("set -euo pipefail\n{}", blocks.join("\n"));
    let bin = Path::new(env!("CARGO_BIN_EXE_relais"))
        .parent()
        .expect("bin dir")
        .to_owned();
    let started = Instant::now();
    let mut bash = Command::new("bash");
    match &database {
        Some(url) => bash.env("RELAIS_DATABASE", url),
        None => bash.env_remove("RELAIS_DATABASE"),
    };
    let out = bash
        .arg("-c")
        .arg(&script)
        .current_dir(t)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("COPIE", path("copie.relais"))
        .env("CLES", path("cles"))
        .env("RELAIS_DATA", path("data"))
        .env("MOIS", "2026-12")
        .env("REMISE", path("remise"))
        .env("RENDU", path("rendu"))
        // The restored system's extracts: the source's again (the report then lists no gap).
        .env("EXTRAITS_RESTAURES", path("source/extracts"))
        .env_remove("RELAIS_USER")
        // The runbook names each person's password file itself.
        .env_remove("RELAIS_PASSWORD_FILE")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("bash");
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the runbook failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "runbook on {size} people ({}): {:.1} s of machine time",
        if database.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        elapsed.as_secs_f64()
    );
    let limit = if cfg!(debug_assertions) { 600.0 } else { 60.0 };
    assert!(
        elapsed.as_secs_f64() <= limit,
        "the runbook took {:.1} s (limit {limit} s)",
        elapsed.as_secs_f64()
    );

    // What the paierie receives is there, valid, and matches its digests.
    let remise = t.join("remise");
    let names: Vec<String> = std::fs::read_dir(&remise)
        .expect("remise")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let pes: Vec<&String> = names.iter().filter(|n| n.starts_with("PES_")).collect();
    let pains: Vec<&String> = names.iter().filter(|n| n.starts_with("pain001_")).collect();
    assert_eq!(pes.len(), 1, "{names:?}");
    assert!(!pains.is_empty(), "{names:?}");
    for needed in ["SHA256SUMS", "bordereau_", "controle_", "etats_nominatifs_"] {
        assert!(
            names.iter().any(|n| n.starts_with(needed)),
            "{needed} missing: {names:?}"
        );
    }
    xmllint(
        &shared().join("xsd/pes/PES_V2/Rev0/PES_Aller_Depense.xsd"),
        &remise.join(pes[0]),
    );
    for p in pains {
        xmllint(
            &shared().join("xsd/pain/pain.001.001.09.xsd"),
            &remise.join(p),
        );
    }
    // The suppliers' run: its PES valid, the invoice certified and liquidated now mandated.
    let suppliers = remise.join("fournisseurs");
    let supplier_pes: Vec<_> = std::fs::read_dir(&suppliers)
        .expect("remise/fournisseurs")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("PES_"))
        })
        .collect();
    assert_eq!(supplier_pes.len(), 1, "{supplier_pes:?}");
    xmllint(
        &shared().join("xsd/pes/PES_V2/Rev0/PES_Aller_Depense.xsd"),
        &supplier_pes[0],
    );
    assert!(stdout.contains("mandatée"), "{stdout}");
    // A purchase order numbered in the exercice, its PDF written.
    assert!(
        stdout.contains("BC-20") && stdout.contains("commandes/BC-"),
        "{stdout}"
    );
    assert!(
        stdout.contains(": OK"),
        "sha256sum -c did not run:\n{stdout}"
    );
    assert!(!stdout.contains("FAILED"), "{stdout}");
}
