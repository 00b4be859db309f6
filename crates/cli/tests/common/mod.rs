//! What the tests that talk to `relais serve` share: a demo data folder and a server on a
//! free loopback port, killed when dropped.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Builds a demo of `size` people in `data` (not served).
pub fn demo(data: &Path, size: u32) {
    let status = Command::new(env!("CARGO_BIN_EXE_relais"))
        .args(["demo", "--size", &size.to_string(), "--no-serve", "--data"])
        .arg(data)
        .stdout(Stdio::null())
        .status()
        .expect("demo");
    assert!(status.success(), "relais demo failed");
}

/// `relais serve` on `data`, listening on `port` once this returns; killed on drop.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    pub fn start(data: &Path) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = Command::new(env!("CARGO_BIN_EXE_relais"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--data"])
            .arg(data)
            .stdout(Stdio::null())
            .spawn()
            .expect("serve");
        let server = Server { child, port };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the server never listened"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
