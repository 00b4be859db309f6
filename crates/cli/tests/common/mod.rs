//! What the tests that talk to `relais serve` or a browser share: a demo data folder, a
//! server on a free loopback port (killed when dropped), and the `e2e/` scripts run by node.

// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
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

/// The workspace's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The folder of the browser tests, with what they need checked: the test fails, never skips.
pub fn e2e_dir() -> PathBuf {
    let e2e = root().join("e2e");
    assert!(
        e2e.join("node_modules/playwright-core").is_dir(),
        "run `npm ci --prefix e2e` first (.ci/run does)"
    );
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "apt-get install chromium"
    );
    e2e
}

/// Runs `e2e/SCRIPT` with node and `env`; its output is printed, and the test fails with it
/// when the script fails.
pub fn node(script: &str, env: &[(&str, &std::ffi::OsStr)]) {
    let e2e = e2e_dir();
    let mut command = Command::new("node");
    command.arg(e2e.join(script)).current_dir(&e2e);
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().expect("node is needed");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{report}");
    assert!(out.status.success(), "{script} failed:\n{report}");
}

/// `relais ARGS` (no RELAIS_DATA, RELAIS_USER or RELAIS_PASSWORD_FILE from the environment),
/// with the demo user's password ([`demo_password`]): its output.
pub fn relais(args: &[&str]) -> std::process::Output {
    output(
        Command::new(env!("CARGO_BIN_EXE_relais"))
            .env_remove("RELAIS_DATA")
            .env_remove("RELAIS_USER")
            .env_remove("RELAIS_PASSWORD_FILE")
            .args(args),
    )
}

/// Runs `command` with the demo user's password ([`demo_password`]): its output.
pub fn output(command: &mut Command) -> std::process::Output {
    let _password = demo_password(command);
    command.output().expect("run relais")
}

/// Every command that changes data authenticates its `--user`. The tests act as the users
/// `relais demo` made, whose passwords it wrote in `DATA/demo-users.txt` (`login<TAB>password
/// <TAB>roles`): when `command`'s arguments name `--user L` and `--data D`, and that file has L,
/// L's password is written to a private temporary file that RELAIS_PASSWORD_FILE names — unless
/// the command already says how it authenticates (RELAIS_PASSWORD_FILE set on it,
/// `--user-password-file`, or `--password-file` outside `user add`). The file is deleted when
/// the returned value is dropped: keep it until the command has run.
pub fn demo_password(command: &mut Command) -> Option<tempfile::NamedTempFile> {
    if command
        .get_envs()
        .any(|(k, v)| k == "RELAIS_PASSWORD_FILE" && v.is_some())
    {
        return None;
    }
    let args: Vec<String> = command
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let value = |name: &str| {
        args.iter().enumerate().find_map(|(i, a)| {
            if a == name {
                args.get(i + 1).cloned()
            } else {
                a.strip_prefix(&format!("{name}=")).map(str::to_owned)
            }
        })
    };
    let adds_a_user = args.windows(2).any(|w| w[0] == "user" && w[1] == "add");
    let given = args.iter().any(|a| {
        a.starts_with("--user-password-file") || (!adds_a_user && a.starts_with("--password-file"))
    });
    if given {
        return None;
    }
    let (login, data) = (
        value("--user")?,
        value("--data").or_else(|| value("--from"))?,
    );
    let users = std::fs::read_to_string(Path::new(&data).join("demo-users.txt")).ok()?;
    let password = users.lines().find_map(|line| {
        let mut fields = line.split('\t');
        (fields.next() == Some(login.as_str())).then(|| fields.next().map(str::to_owned))?
    })?;
    let mut file = tempfile::NamedTempFile::new().expect("password file");
    std::io::Write::write_all(&mut file, password.as_bytes()).expect("write password");
    command.env("RELAIS_PASSWORD_FILE", file.path());
    Some(file)
}

/// Writes `password` to a private file in `dir`, named after `login`: its path.
pub fn password_file(dir: &Path, login: &str, password: &str) -> PathBuf {
    let path = dir.join(format!("{login}.mdp"));
    std::fs::write(&path, password).expect("password file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    path
}

/// `relais ARGS`, which must succeed: its standard output.
pub fn relais_ok(args: &[&str]) -> String {
    let out = relais(args);
    assert!(
        out.status.success(),
        "relais {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `relais ARGS`, which must fail: what it said, on both outputs.
pub fn relais_fails(args: &[&str]) -> String {
    let out = relais(args);
    assert!(!out.status.success(), "relais {args:?} should fail");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Checks `file` against the official schema `schema` (a path under `../shared/`).
pub fn xmllint(schema: &str, file: &Path) {
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(root().join("../shared").join(schema))
        .arg(file)
        .output()
        .expect("xmllint is needed (Debian: apt-get install libxml2-utils)");
    assert!(
        out.status.success(),
        "{} invalid:\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A copy of the folder `from` (a data folder) in `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// Every file under `dir` (temporary files, named with a leading dot, aside), by path.
pub fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    for e in std::fs::read_dir(dir).into_iter().flatten() {
        let e = e.expect("entry");
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if e.path().is_dir() {
            for (inner, bytes) in files(&e.path()) {
                out.insert(format!("{name}/{inner}"), bytes);
            }
        } else {
            out.insert(name, std::fs::read(e.path()).expect("read"));
        }
    }
    out
}

/// Starts `relais args` (as the demo user it names), kills it with SIGKILL after `delay`,
/// and waits for it.
pub fn killed(args: &[&str], delay: Duration) {
    killed_with(args, &[], delay);
}

/// [`killed`], with `env` set for the command (the day of a debug build's clock).
pub fn killed_with(args: &[&str], env: &[(&str, &str)], delay: Duration) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_relais"));
    command.envs(env.iter().copied());
    command
        .args(args)
        .env_remove("RELAIS_DATA")
        .env_remove("RELAIS_USER")
        .env_remove("RELAIS_PASSWORD_FILE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _password = demo_password(&mut command);
    let mut child = command.spawn().expect("spawn");
    std::thread::sleep(delay);
    // SIGKILL on Unix.
    let _ = child.kill();
    let _ = child.wait();
}

/// Every `V` value of the element `name` in `xml`, in order.
pub fn values<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name} V=\"");
    xml.match_indices(&open)
        .filter_map(|(i, _)| {
            let rest = xml.get(i + open.len()..)?;
            rest.get(..rest.find('"')?)
        })
        .collect()
}

/// Prepares (as `liquidation`) and validates (as `ordonnateur`) the run of `kind` for `month`
/// in the demo folder `data`: its id.
pub fn validated_run(data: &str, kind: &str, month: &str) -> String {
    let prepared = relais_ok(&[
        "run",
        "prepare",
        "--kind",
        kind,
        "--month",
        month,
        "--data",
        data,
        "--user",
        "liquidation",
    ]);
    let id = prepared.lines().next().expect("the run's id").to_owned();
    relais_ok(&[
        "run",
        "validate",
        &id,
        "--data",
        data,
        "--user",
        "ordonnateur",
    ]);
    id
}

/// [`validated_run`], then exported (as `liquidation`) into `out`: its id.
pub fn paid_run(data: &str, kind: &str, month: &str, out: &Path) -> String {
    let id = validated_run(data, kind, month);
    paid_run_export(data, &id, out);
    id
}

/// Exports the validated run `id` (as `liquidation`) into `out`.
pub fn paid_run_export(data: &str, id: &str, out: &Path) {
    let out = out.to_string_lossy();
    relais_ok(&[
        "run",
        "export",
        id,
        "--data",
        data,
        "--user",
        "liquidation",
        "--out",
        &out,
    ]);
}

/// `relais ARGS` with today set to `today` (debug builds read `RELAIS_TEST_TODAY`), as the
/// demo user it names ([`demo_password`]).
pub fn relais_on(today: &str, args: &[&str]) -> std::process::Output {
    output(
        Command::new(env!("CARGO_BIN_EXE_relais"))
            .env_remove("RELAIS_DATA")
            .env_remove("RELAIS_USER")
            .env_remove("RELAIS_PASSWORD_FILE")
            .env("RELAIS_TEST_TODAY", today)
            .args(args),
    )
}

/// What a command said, on both outputs.
pub fn said(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// [`relais_on`], which must succeed: its standard output.
pub fn relais_ok_on(today: &str, args: &[&str]) -> String {
    let o = relais_on(today, args);
    assert!(o.status.success(), "relais {args:?} failed:\n{}", said(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A demo of `size` people and `agents` agents made on `today`, in `data` (not served).
pub fn demo_on(data: &Path, size: u32, agents: u32, today: &str) {
    relais_ok(&[
        "demo",
        "--data",
        &data.to_string_lossy(),
        "--size",
        &size.to_string(),
        "--agents",
        &agents.to_string(),
        "--today",
        today,
        "--no-serve",
    ]);
}

/// A new empty database in the PostgreSQL cluster of `RELAIS_TEST_POSTGRES` (started by
/// `scripts/test` and CI): its URL as a user writes it (no password: the socket trusts).
pub fn fresh_postgres_database(name: &str) -> String {
    let conn = std::env::var("RELAIS_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "RELAIS_TEST_POSTGRES is not set: `eval $(scripts/pg-cluster start /tmp/relais-pg)` \
             (scripts/test does)"
        )
    });
    let setting = |key: &str| {
        conn.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
            .map(str::to_owned)
    };
    let socket = setting("host").expect("host= in RELAIS_TEST_POSTGRES");
    let port = setting("port").unwrap_or_else(|| "5432".into());
    let db = format!("relais_{name}_{}", std::process::id());
    let out = Command::new("psql")
        .args([
            "-h", &socket, "-p", &port, "-U", "relais", "-d", "postgres", "-q",
        ])
        .args(["-c", &format!("DROP DATABASE IF EXISTS {db}")])
        .args(["-c", &format!("CREATE DATABASE {db}")])
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!("postgres://relais@/{db}?host={socket}&port={port}")
}
