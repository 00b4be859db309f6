//! Signed checkpoints of the journal (#24): signed at the first change, at a run's validation
//! and export; checkable with the `minisign` tool; `relais journal verify` names the first
//! entry after the last valid checkpoint when the chain was rewritten — which the chain alone
//! cannot see — and refuses checkpoints whose signature fails.

mod common;
use common::{relais, relais_ok};

use relais_core::journal::{EntryHash, entry_hash};
use std::path::Path;

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// A demo whose December run was prepared, validated and exported: the folder.
fn paid(lab: &Path) -> String {
    let d = s(&lab.join("data"));
    common::demo_on(&lab.join("data"), 200, 10, "2026-11-30");
    common::paid_run(&d, "aides", "2026-12", &lab.join("export"));
    d
}

fn checkpoints(d: &str) -> Vec<(u64, String)> {
    let db = rusqlite::Connection::open(Path::new(d).join("relais.db")).expect("db");
    let mut stmt = db
        .prepare("SELECT seq, line FROM journal_checkpoints ORDER BY seq")
        .expect("select");
    stmt.query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect()
}

fn kind_of(d: &str, seq: u64) -> String {
    let db = rusqlite::Connection::open(Path::new(d).join("relais.db")).expect("db");
    db.query_row(
        "SELECT kind FROM journal WHERE seq = ?1",
        [seq as i64],
        |r| r.get(0),
    )
    .expect("kind")
}

/// What one who can write the database does: entry `from` changed, and the chain recomputed
/// from it on (triggers dropped, the head moved), so that the chain alone still holds.
fn rewrite_from(d: &str, from: u64) {
    let db = rusqlite::Connection::open(Path::new(d).join("relais.db")).expect("db");
    db.execute_batch(
        "DROP TRIGGER IF EXISTS journal_no_update; DROP TRIGGER IF EXISTS journal_no_delete;",
    )
    .expect("drop");
    let prev: String = db
        .query_row(
            "SELECT hash FROM journal WHERE seq = ?1",
            [from as i64 - 1],
            |r| r.get(0),
        )
        .expect("prev");
    let mut prev = EntryHash::from_hex(&prev).expect("hex");
    let rows: Vec<(i64, String, String, String, String)> = {
        let mut stmt = db
            .prepare(
                "SELECT seq, at, actor, kind, payload FROM journal WHERE seq >= ?1 ORDER BY seq",
            )
            .expect("select");
        stmt.query_map([from as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect()
    };
    for (i, (seq, at, actor, kind, payload)) in rows.into_iter().enumerate() {
        // The first entry's instant moved back a year: "it was done earlier".
        let at = if i == 0 {
            at.replacen("2026-", "2025-", 1)
        } else {
            at
        };
        let hash = entry_hash(&prev, seq as u64, &at, &actor, &kind, &payload);
        db.execute(
            "UPDATE journal SET at = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?1",
            rusqlite::params![seq, at, prev.to_hex(), hash.to_hex()],
        )
        .expect("update");
        prev = hash;
    }
    db.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'journal_head_hash'",
        [prev.to_hex()],
    )
    .expect("head");
}

#[test]
fn checkpoints_are_signed_at_the_first_change_the_validation_and_the_export() {
    let lab = tempfile::tempdir().expect("lab");
    let d = paid(lab.path());
    let cps = checkpoints(&d);
    let reasons: Vec<&str> = cps
        .iter()
        .map(|(_, l)| {
            l.split(" reason=")
                .nth(1)
                .and_then(|r| r.split(' ').next())
                .unwrap_or("")
        })
        .collect();
    assert_eq!(reasons, ["hourly", "run_validated", "export"], "{cps:?}");
    assert_eq!(kind_of(&d, cps[1].0), "run_validate");
    let out = relais_ok(&["journal", "verify", "--data", &d]);
    let mut lines = out.lines();
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("Journal intact : ")),
        "{out}"
    );
    assert!(
        lines.next().is_some_and(|l| l.starts_with(
            "Points de contrôle signés : 3 (3 en base, 3 dans journal/checkpoints.log)"
        )),
        "{out}"
    );
    // The file outside the database: 0600, five lines a checkpoint.
    let log = Path::new(&d).join("journal/checkpoints.log");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&log).expect("log").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(&log).expect("log");
    assert_eq!(text.lines().count(), 15);
}

#[test]
fn an_auditor_checks_a_checkpoint_with_the_minisign_tool() {
    let lab = tempfile::tempdir().expect("lab");
    let d = paid(lab.path());
    let text = std::fs::read_to_string(Path::new(&d).join("journal/checkpoints.log")).expect("log");
    let lines: Vec<&str> = text.lines().collect();
    let message = lab.path().join("point.txt");
    std::fs::write(&message, format!("{}\n", lines[5])).expect("message");
    std::fs::write(
        lab.path().join("point.txt.minisig"),
        format!("{}\n", lines[6..10].join("\n")),
    )
    .expect("sig");
    let pubkey = Path::new(&d).join("keys/journal-signing.pub");
    let out = std::process::Command::new("minisign")
        .arg("-V")
        .arg("-m")
        .arg(&message)
        .arg("-p")
        .arg(&pubkey)
        .output()
        .expect("minisign");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("reason=run_validated"), "{said}");
    // The same line saying another entry: refused by the tool.
    std::fs::write(&message, format!("{}\n", lines[5].replace("seq=", "seq=1"))).expect("forged");
    let out = std::process::Command::new("minisign")
        .arg("-V")
        .arg("-m")
        .arg(&message)
        .arg("-p")
        .arg(&pubkey)
        .output()
        .expect("minisign");
    assert!(!out.status.success());
}

#[test]
fn a_rewritten_chain_is_caught_by_the_checkpoints_from_the_first_entry_after_the_last_valid() {
    let lab = tempfile::tempdir().expect("lab");
    let d = paid(lab.path());
    let cps = checkpoints(&d);
    let (first, validated) = (cps[0].0, cps[1].0);
    rewrite_from(&d, validated);
    let out = relais(&["journal", "verify", "--data", &d]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    let expected = format!(
        "Journal altéré : à partir de l'entrée {} (la première après le dernier point de contrôle valide, entrée {first} du ",
        first + 1
    );
    assert!(said.starts_with(&expected), "{said}\nexpected: {expected}");
    assert!(
        said.contains(&format!(
            "il signe pour l'entrée {validated} une autre empreinte"
        )),
        "{said}"
    );
    // The chain alone saw nothing.
    let db = rusqlite::Connection::open(Path::new(&d).join("relais.db")).expect("db");
    let at: String = db
        .query_row(
            "SELECT at FROM journal WHERE seq = ?1",
            [validated as i64],
            |r| r.get(0),
        )
        .expect("at");
    assert!(at.starts_with("2025-"), "{at}");
    println!("{said}");
}

#[test]
fn a_forged_checkpoint_or_another_key_is_refused() {
    let lab = tempfile::tempdir().expect("lab");
    let d = paid(lab.path());
    let log = Path::new(&d).join("journal/checkpoints.log");
    let text = std::fs::read_to_string(&log).expect("log");
    std::fs::write(&log, text.replacen("reason=export", "reason=hourly", 1)).expect("forge");
    let out = relais(&["journal", "verify", "--data", &d]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.starts_with("Journal altéré : points de contrôle modifiés : signature invalide pour les points de contrôle des entrées "), "{said}");
    std::fs::write(&log, text).expect("restore");
    // An auditor's key that did not sign them: nothing vouches for the journal.
    let other = lab.path().join("other");
    std::fs::create_dir(&other).expect("dir");
    let out = std::process::Command::new("minisign")
        .args(["-G", "-W", "-p"])
        .arg(other.join("k.pub"))
        .arg("-s")
        .arg(other.join("k.key"))
        .output()
        .expect("minisign -G");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = relais(&[
        "journal",
        "verify",
        "--data",
        &d,
        "--pubkey",
        &s(&other.join("k.pub")),
    ]);
    assert_eq!(out.status.code(), Some(1));
}
