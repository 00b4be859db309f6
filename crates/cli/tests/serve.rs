//! `relais serve` answers on a real socket: the login page with its headers, and nothing for
//! an address without a session but the way to the login page.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

#[test]
fn the_server_answers_on_a_socket() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    common::demo(&data, 300);
    let server = common::Server::start(&data);
    let page = http_get(server.port, "/login").expect("login page");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("name=\"csrf_token\""), "{page}");
    assert!(
        page.to_lowercase().contains("x-frame-options: deny"),
        "{page}"
    );
    let home = http_get(server.port, "/").expect("home");
    assert!(home.starts_with("HTTP/1.1 303"), "{home}");
    assert!(home.to_lowercase().contains("location: /login"), "{home}");
}

/// The server signs the journal's head on its own while entries wait for a checkpoint (the
/// demo wrote many, none signed): at its start, then at most an hour apart.
#[test]
fn the_server_signs_the_journal_s_head_while_entries_wait() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    common::demo(&data, 100);
    let _server = common::Server::start(&data);
    let db = rusqlite::Connection::open(data.join("relais.db")).expect("db");
    let head: i64 = db
        .query_row("SELECT max(seq) FROM journal", [], |r| r.get(0))
        .expect("head");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let signed: Option<i64> = db
            .query_row("SELECT max(seq) FROM journal_checkpoints", [], |r| r.get(0))
            .expect("checkpoints");
        if signed == Some(head) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint of entry {head}: {signed:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = common::relais_ok(&["journal", "verify", "--data", &data.to_string_lossy()]);
    assert!(out.contains("Points de contrôle signés : 1 "), "{out}");
}
