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
