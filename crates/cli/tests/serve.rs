//! `relais serve` answers on a real socket: the login page with its headers, and nothing for
//! an address without a session but the way to the login page.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

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

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_server_answers_on_a_socket() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let status = Command::new(env!("CARGO_BIN_EXE_relais"))
        .args(["demo", "--size", "300", "--no-serve", "--data"])
        .arg(&data)
        .stdout(Stdio::null())
        .status()
        .expect("demo");
    assert!(status.success());
    let port = free_port();
    let server = Killed(
        Command::new(env!("CARGO_BIN_EXE_relais"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--data"])
            .arg(&data)
            .stdout(Stdio::null())
            .spawn()
            .expect("serve"),
    );
    let started = Instant::now();
    let page = loop {
        if let Some(page) = http_get(port, "/login") {
            break page;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server never answered"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("name=\"csrf_token\""), "{page}");
    assert!(
        page.to_lowercase().contains("x-frame-options: deny"),
        "{page}"
    );
    let home = http_get(port, "/").expect("home");
    assert!(home.starts_with("HTTP/1.1 303"), "{home}");
    assert!(home.to_lowercase().contains("location: /login"), "{home}");
    drop(server);
}
