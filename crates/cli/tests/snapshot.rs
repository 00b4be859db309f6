//! End-to-end tests of sealed snapshots and of the drill, with the real `relais` binary:
//! keys, sealing a demo département, verifying, opening into a data folder, every refusal
//! (nothing imported), interoperability with the `age` and `minisign` tools, secrets kept out
//! of every output, and `relais drill`'s readiness report.

use sha2::Digest;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PASSPHRASE: &str = "cheval correct agrafe batterie 7f3a";
const AUTHORITY: &str = "Département de Seine-et-Marne (démo)";
/// The password of each data folder's administrator `admin`.
const ADMIN_PASSWORD: &str = "mot de passe de l'administrateur";

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn both(o: &Output) -> String {
    format!("{}{}", text(&o.stdout), text(&o.stderr))
}

/// A scratch folder, and the secrets that no output may ever show.
struct Lab {
    dir: tempfile::TempDir,
    secrets: Vec<String>,
}

impl Lab {
    fn new() -> Lab {
        Lab {
            dir: tempfile::tempdir().expect("tempdir"),
            secrets: vec![PASSPHRASE.to_owned(), ADMIN_PASSWORD.to_owned()],
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `relais`, and checks that no known secret is in what it printed.
    fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Output {
        let out = Command::new(env!("CARGO_BIN_EXE_relais"))
            .env_remove("RELAIS_DATA")
            .env_remove("RELAIS_USER")
            .env_remove("RELAIS_PASSWORD_FILE")
            .stdin(Stdio::null())
            .args(args)
            .output()
            .expect("run relais");
        let printed = both(&out);
        for secret in &self.secrets {
            assert!(
                !printed.contains(secret.as_str()),
                "a secret was printed by relais {:?}",
                args.iter()
                    .map(|a| a.as_ref().to_owned())
                    .collect::<Vec<_>>()
            );
        }
        out
    }

    fn ok<S: AsRef<OsStr>>(&self, args: &[S]) -> Output {
        let out = self.run(args);
        assert_eq!(code(&out), 0, "relais failed: {}", both(&out));
        out
    }

    /// Keys in `name/`; the secret lines of both secret keys join the secrets.
    fn keygen(&mut self, name: &str, passphrase: bool) -> Keys {
        let out = self.path(name);
        let mut args: Vec<PathBuf> = vec!["snapshot".into(), "keygen".into(), "--out".into()];
        args.push(out.clone());
        if passphrase {
            let file = self.path(&format!("{name}-phrase.txt"));
            std::fs::write(&file, format!("{PASSPHRASE}\n")).expect("write passphrase");
            args.push("--passphrase-file".into());
            args.push(file);
        }
        self.ok(&args);
        let keys = Keys::at(
            &out,
            passphrase.then(|| self.path(&format!("{name}-phrase.txt"))),
        );
        let identity = std::fs::read_to_string(&keys.identity).expect("identity");
        let secret_line = identity
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-"))
            .expect("an AGE-SECRET-KEY line");
        self.secrets.push(secret_line.to_owned());
        let sign_key = std::fs::read_to_string(out.join("sign.key")).expect("sign.key");
        if let Some(line) = sign_key.lines().nth(1) {
            self.secrets.push(line.to_owned());
        }
        keys
    }

    /// A demo département of 1500 people; its extracts are in `demo/extracts`.
    fn demo(&self) -> PathBuf {
        let data = self.path("demo");
        self.ok(&[
            OsStr::new("demo"),
            OsStr::new("--data"),
            data.as_os_str(),
            OsStr::new("--size"),
            OsStr::new("1500"),
            OsStr::new("--seed"),
            OsStr::new("7"),
            OsStr::new("--today"),
            OsStr::new("2026-11-22"),
            OsStr::new("--no-serve"),
        ]);
        data
    }

    fn seal(&self, extracts: &Path, keys: &Keys, signer: &Keys, out: &Path) -> Output {
        let mut args: Vec<&OsStr> = vec![
            OsStr::new("snapshot"),
            OsStr::new("seal"),
            extracts.as_os_str(),
            OsStr::new("--recipients"),
            keys.recipients.as_os_str(),
            OsStr::new("--sign-key"),
            signer.sign_key.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
            OsStr::new("--authority"),
            OsStr::new(AUTHORITY),
        ];
        if let Some(p) = &signer.passphrase {
            args.push(OsStr::new("--passphrase-file"));
            args.push(p.as_os_str());
        }
        self.run(&args)
    }

    /// The file of the administrator's password of the data folder `data` ([`Lab::init`]).
    fn admin_password(data: &Path) -> PathBuf {
        let name = data.file_name().expect("name").to_string_lossy();
        data.with_file_name(format!("{name}-password.txt"))
    }

    /// A new data folder with its administrator `admin`.
    fn init(&self, name: &str) -> PathBuf {
        let data = self.path(name);
        let password = Lab::admin_password(&data);
        std::fs::write(&password, format!("{ADMIN_PASSWORD}\n")).expect("password");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&password, std::fs::Permissions::from_mode(0o600))
                .expect("chmod");
        }
        self.ok(&[
            OsStr::new("init"),
            OsStr::new("--data"),
            data.as_os_str(),
            OsStr::new("--authority"),
            OsStr::new(AUTHORITY),
            OsStr::new("--siret"),
            OsStr::new("73282932000074"),
            OsStr::new("--admin"),
            OsStr::new("admin"),
            OsStr::new("--password-file"),
            password.as_os_str(),
        ]);
        data
    }

    fn open(&self, file: &Path, identity: &Path, pubkey: &Path, data: &Path) -> Output {
        let password = Lab::admin_password(data);
        self.run(&[
            OsStr::new("snapshot"),
            OsStr::new("open"),
            file.as_os_str(),
            OsStr::new("--identity"),
            identity.as_os_str(),
            OsStr::new("--pubkey"),
            pubkey.as_os_str(),
            OsStr::new("--data"),
            data.as_os_str(),
            OsStr::new("--user"),
            OsStr::new("admin"),
            OsStr::new("--password-file"),
            password.as_os_str(),
        ])
    }

    fn drill(&self, file: &Path, keys: &Keys, extra: &[&str]) -> Output {
        let mut args: Vec<&OsStr> = vec![
            OsStr::new("drill"),
            file.as_os_str(),
            OsStr::new("--identity"),
            keys.identity.as_os_str(),
            OsStr::new("--pubkey"),
            keys.public.as_os_str(),
        ];
        args.extend(extra.iter().map(OsStr::new));
        self.run(&args)
    }
}

struct Keys {
    identity: PathBuf,
    recipients: PathBuf,
    sign_key: PathBuf,
    public: PathBuf,
    passphrase: Option<PathBuf>,
}

impl Keys {
    fn at(dir: &Path, passphrase: Option<PathBuf>) -> Keys {
        Keys {
            identity: dir.join("identity.age"),
            recipients: dir.join("recipients.txt"),
            sign_key: dir.join("sign.key"),
            public: dir.join("sign.pub"),
            passphrase,
        }
    }
}

fn signature_of(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".minisig");
    PathBuf::from(s)
}

fn sha256_hex(path: &Path) -> String {
    hex::encode(sha2::Sha256::digest(std::fs::read(path).expect("read")))
}

/// A demo département sealed with a passphrase-protected key.
fn sealed(lab: &mut Lab) -> (PathBuf, Keys, PathBuf) {
    let demo = lab.demo();
    let keys = lab.keygen("keys", true);
    let file = lab.path("copie.relais");
    let out = lab.seal(&demo.join("extracts"), &keys, &keys, &file);
    assert_eq!(code(&out), 0, "seal failed: {}", both(&out));
    (file, keys, demo)
}

/// What a data folder holds: the row count of every data table and the journal's length.
fn state(data: &Path) -> Vec<(String, i64)> {
    let c = rusqlite::Connection::open(data.join("relais.db")).expect("db");
    [
        "beneficiaries",
        "payees",
        "rights",
        "past_payments",
        "agents",
        "suppliers",
        "invoices",
        "directory",
        "pending_rows",
        "journal",
    ]
    .iter()
    .map(|t| {
        let n: i64 = c
            .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .expect("count");
        ((*t).to_owned(), n)
    })
    .collect()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn keygen_writes_private_secrets_and_never_overwrites_a_key() {
    let mut lab = Lab::new();
    let plain = lab.keygen("plain", false);
    let protected = lab.keygen("protected", true);
    for keys in [&plain, &protected] {
        for f in [
            &keys.identity,
            &keys.recipients,
            &keys.sign_key,
            &keys.public,
        ] {
            assert!(f.is_file(), "{} missing", f.display());
        }
        #[cfg(unix)]
        {
            assert_eq!(mode(&keys.identity), 0o600, "identity mode");
            assert_eq!(mode(&keys.sign_key), 0o600, "sign.key mode");
        }
        let recipients = std::fs::read_to_string(&keys.recipients).expect("recipients");
        assert!(recipients.lines().any(|l| l.starts_with("age1")));
    }
    // The protected key is not the unprotected form (minisign -W writes no KDF).
    let p = std::fs::read_to_string(&protected.sign_key).expect("key");
    let u = std::fs::read_to_string(&plain.sign_key).expect("key");
    assert_ne!(p.lines().nth(1), u.lines().nth(1));

    let before: Vec<Vec<u8>> = [&plain.identity, &plain.sign_key, &plain.public]
        .iter()
        .map(|f| std::fs::read(f).expect("read"))
        .collect();
    let again = lab.run(&[
        OsStr::new("snapshot"),
        OsStr::new("keygen"),
        OsStr::new("--out"),
        lab.path("plain").as_os_str(),
    ]);
    assert_ne!(code(&again), 0);
    assert!(
        text(&again.stderr).contains("existe déjà"),
        "{}",
        both(&again)
    );
    let after: Vec<Vec<u8>> = [&plain.identity, &plain.sign_key, &plain.public]
        .iter()
        .map(|f| std::fs::read(f).expect("read"))
        .collect();
    assert_eq!(before, after, "a key was overwritten");
}

#[test]
fn seal_verify_open_and_the_journal_records_the_snapshot() {
    let mut lab = Lab::new();
    let (file, keys, demo) = sealed(&mut lab);

    let verify = lab.ok(&[
        OsStr::new("snapshot"),
        OsStr::new("verify"),
        file.as_os_str(),
        OsStr::new("--pubkey"),
        keys.public.as_os_str(),
    ]);
    let signature = std::fs::read_to_string(signature_of(&file)).expect("minisig");
    let comment = signature
        .lines()
        .find_map(|l| l.strip_prefix("trusted comment: "))
        .expect("trusted comment");
    assert!(comment.starts_with("relais-snapshot format:1 created_at:"));
    assert!(comment.ends_with(&format!("authority:{AUTHORITY}")));
    assert!(text(&verify.stdout).contains(comment), "{}", both(&verify));

    let data = lab.init("reprise");
    let opened = lab.open(&file, &keys.identity, &keys.public, &data);
    assert_eq!(code(&opened), 0, "open failed: {}", both(&opened));
    lab.ok(&[
        OsStr::new("journal"),
        OsStr::new("verify"),
        OsStr::new("--data"),
        data.as_os_str(),
    ]);
    // Same data as the demo's own import.
    let mine = state(&data);
    let theirs = state(&demo);
    assert_eq!(mine[..9], theirs[..9]);
    assert!(mine.iter().any(|(t, n)| t == "rights" && *n > 1000));

    let c = rusqlite::Connection::open(data.join("relais.db")).expect("db");
    let (kind, payload): (String, String) = c
        .query_row(
            "SELECT kind, payload FROM journal ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("last entry");
    assert_eq!(kind, "import");
    let payload: serde_json::Value = serde_json::from_str(&payload).expect("json");
    let context = &payload["context"];
    assert_eq!(context["source"], "snapshot");
    assert_eq!(context["sha256"], sha256_hex(&file));
    let manifest = &context["manifest"];
    assert_eq!(manifest["format_version"], 1);
    assert_eq!(manifest["authority"], AUTHORITY);
    let names: Vec<&str> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(
        names.contains(&"droits.csv") && names.contains(&"tiers.csv"),
        "{names:?}"
    );
    let droits = std::fs::read(demo.join("extracts/droits.csv")).expect("droits");
    let listed = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["name"] == "droits.csv")
        .expect("droits.csv");
    assert_eq!(listed["sha256"], hex::encode(sha2::Sha256::digest(&droits)));
}

/// Flips one byte of a copy of `from` at `at`, written as `to`.
fn flipped(from: &Path, to: &Path, at: usize) {
    let mut bytes = std::fs::read(from).expect("read");
    let at = at.min(bytes.len() - 1);
    bytes[at] ^= 0x01;
    std::fs::write(to, bytes).expect("write");
}

/// A copy of the snapshot and its signature under `name`, to be damaged.
fn copy_pair(lab: &Lab, file: &Path, name: &str) -> PathBuf {
    let to = lab.path(name);
    std::fs::copy(file, &to).expect("copy");
    std::fs::copy(signature_of(file), signature_of(&to)).expect("copy sig");
    to
}

#[test]
fn every_damaged_or_foreign_snapshot_is_refused_and_nothing_is_imported() {
    let mut lab = Lab::new();
    let (file, keys, demo) = sealed(&mut lab);
    let other = lab.keygen("other", false);
    let data = lab.init("reprise");
    let first = lab.open(&file, &keys.identity, &keys.public, &data);
    assert_eq!(code(&first), 0, "{}", both(&first));
    let before = state(&data);

    let len = std::fs::metadata(&file).expect("len").len() as usize;
    let mut cases: Vec<(String, PathBuf, PathBuf)> = Vec::new();
    for at in [0, 40, 300, len / 3, len / 2, len - 100, len - 1] {
        let to = copy_pair(&lab, &file, &format!("flip-{at}.relais"));
        flipped(&file, &to, at);
        cases.push((
            format!("byte {at} of {len} flipped"),
            to,
            keys.identity.clone(),
        ));
    }
    let sig = std::fs::read_to_string(signature_of(&file)).expect("sig");
    let lines: Vec<usize> = sig
        .char_indices()
        .filter(|(_, c)| *c == '\n')
        .map(|(i, _)| i)
        .collect();
    // In the signature line, in the trusted comment, in the global signature.
    for (n, at) in [lines[0] + 20, lines[1] + 30, lines[2] + 10]
        .into_iter()
        .enumerate()
    {
        let to = copy_pair(&lab, &file, &format!("sig-{n}.relais"));
        flipped(&signature_of(&file), &signature_of(&to), at);
        cases.push((
            format!("signature byte {at} flipped"),
            to,
            keys.identity.clone(),
        ));
    }
    for (n, keep) in [len / 2, len - 1, 0].into_iter().enumerate() {
        let to = copy_pair(&lab, &file, &format!("short-{n}.relais"));
        let bytes = std::fs::read(&file).expect("read");
        std::fs::write(&to, &bytes[..keep]).expect("truncate");
        cases.push((
            format!("truncated to {keep} bytes"),
            to,
            keys.identity.clone(),
        ));
    }
    let foreign = lab.path("foreign.relais");
    let sealed_by_other = lab.seal(&demo.join("extracts"), &keys, &other, &foreign);
    assert_eq!(code(&sealed_by_other), 0, "{}", both(&sealed_by_other));
    cases.push((
        "signed by another key".into(),
        foreign,
        keys.identity.clone(),
    ));
    cases.push((
        "identity not a recipient".into(),
        file.clone(),
        other.identity.clone(),
    ));

    for (what, damaged, identity) in &cases {
        let out = lab.open(damaged, identity, &keys.public, &data);
        assert_eq!(code(&out), 1, "{what}: {}", both(&out));
        let err = text(&out.stderr);
        assert!(err.contains("Copie refusée"), "{what}: {err}");
        assert_eq!(state(&data), before, "{what}: the store changed");
    }
    // The refusals say why.
    let says = |i: usize, words: &str| {
        let (what, damaged, identity) = &cases[i];
        let out = lab.open(damaged, identity, &keys.public, &data);
        assert!(text(&out.stderr).contains(words), "{what}: {}", both(&out));
    };
    says(cases.len() - 2, "autre clé");
    says(cases.len() - 1, "destinataires");
    says(4, "signature ne correspond pas");
    let out = lab.ok(&[
        OsStr::new("journal"),
        OsStr::new("verify"),
        OsStr::new("--data"),
        data.as_os_str(),
    ]);
    assert_eq!(code(&out), 0);
}

#[test]
fn seal_refuses_an_empty_folder_and_an_unreadable_extract() {
    let mut lab = Lab::new();
    let keys = lab.keygen("keys", false);
    let empty = lab.path("vide");
    std::fs::create_dir(&empty).expect("mkdir");
    let out_file = lab.path("vide.relais");
    let out = lab.seal(&empty, &keys, &keys, &out_file);
    assert_eq!(code(&out), 2, "{}", both(&out));
    assert!(
        text(&out.stderr).contains("aucune extraction"),
        "{}",
        both(&out)
    );
    assert!(!out_file.exists() && !signature_of(&out_file).exists());

    let demo = lab.demo();
    let broken = lab.path("casse");
    std::fs::create_dir(&broken).expect("mkdir");
    for entry in std::fs::read_dir(demo.join("extracts")).expect("extracts") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), broken.join(entry.file_name())).expect("copy");
    }
    // droits.csv without its `statut` column cannot be read at all.
    let droits = std::fs::read_to_string(broken.join("droits.csv")).expect("droits");
    let mut lines = droits.lines();
    let header = lines.next().expect("header");
    let sep = if header.contains(';') {
        ';'
    } else if header.contains('\t') {
        '\t'
    } else {
        ','
    };
    let columns: Vec<&str> = header.split(sep).collect();
    let statut = columns
        .iter()
        .position(|c| c.trim_matches('"').eq_ignore_ascii_case("statut"))
        .expect("statut column");
    let mut rewritten = String::new();
    for line in std::iter::once(header).chain(lines) {
        let kept: Vec<&str> = line
            .split(sep)
            .enumerate()
            .filter(|(i, _)| *i != statut)
            .map(|(_, f)| f)
            .collect();
        rewritten.push_str(&kept.join(&sep.to_string()));
        rewritten.push('\n');
    }
    std::fs::write(broken.join("droits.csv"), rewritten).expect("write");
    let out_file = lab.path("casse.relais");
    let out = lab.seal(&broken, &keys, &keys, &out_file);
    assert_eq!(code(&out), 2, "{}", both(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("droits.csv") && err.contains("statut"),
        "{err}"
    );
    assert!(err.contains("Refus de sceller"), "{err}");
    assert!(!out_file.exists() && !signature_of(&out_file).exists());
}

#[test]
fn a_wrong_or_missing_passphrase_is_refused_without_echoing_it() {
    let mut lab = Lab::new();
    let demo = lab.demo();
    let keys = lab.keygen("keys", true);
    let wrong = lab.path("wrong.txt");
    std::fs::write(&wrong, "pas la bonne phrase\n").expect("write");
    lab.secrets.push("pas la bonne phrase".into());
    let signer = Keys {
        passphrase: Some(wrong),
        ..Keys::at(&lab.path("keys"), None)
    };
    let file = lab.path("x.relais");
    let out = lab.seal(&demo.join("extracts"), &keys, &signer, &file);
    assert_ne!(code(&out), 0);
    assert!(
        text(&out.stderr).contains("phrase de passe fausse"),
        "{}",
        both(&out)
    );
    let unprotected = Keys::at(&lab.path("keys"), None);
    let out = lab.seal(&demo.join("extracts"), &keys, &unprotected, &file);
    assert_ne!(code(&out), 0);
    assert!(
        text(&out.stderr).contains("phrase de passe"),
        "{}",
        both(&out)
    );
}

/// `age` and `minisign` read what Relais writes. They are installed by `.ci/run`; a missing
/// tool fails this test, as an untested interoperability claim would be worse than none.
#[test]
fn age_and_minisign_read_a_sealed_snapshot() {
    let mut lab = Lab::new();
    let (file, keys, demo) = sealed(&mut lab);

    let mut age = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&keys.identity)
        .arg(&file)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the `age` tool must be installed (apt-get install age)");
    let tar = Command::new("tar")
        .arg("-t")
        .stdin(Stdio::from(age.stdout.take().expect("age stdout")))
        .output()
        .expect("tar must be installed");
    assert!(age.wait().expect("age").success(), "age -d failed");
    assert!(tar.status.success(), "tar -t failed: {}", both(&tar));
    let listed: Vec<String> = text(&tar.stdout).lines().map(str::to_owned).collect();
    assert_eq!(listed.first().map(String::as_str), Some("manifest.json"));
    let mut csv: Vec<String> = std::fs::read_dir(demo.join("extracts"))
        .expect("extracts")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    csv.sort();
    let mut in_tar: Vec<String> = listed[1..].to_vec();
    in_tar.sort();
    assert_eq!(in_tar, csv);

    let minisign = Command::new("minisign")
        .arg("-V")
        .arg("-p")
        .arg(&keys.public)
        .arg("-m")
        .arg(&file)
        .output()
        .expect("the `minisign` tool must be installed (apt-get install minisign)");
    assert!(
        minisign.status.success(),
        "minisign -V: {}",
        both(&minisign)
    );
    assert!(
        text(&minisign.stdout).contains("relais-snapshot format:1"),
        "{}",
        both(&minisign)
    );
}

fn drill_json(lab: &Lab, file: &Path, keys: &Keys, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["--json", "--month", "2026-12"];
    args.extend_from_slice(extra);
    let out = lab.drill(file, keys, &args);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("--json is not JSON ({e}): {}", both(&out)));
    (code(&out), report)
}

fn cents(v: &serde_json::Value) -> i64 {
    v.as_i64()
        .unwrap_or_else(|| panic!("not integer cents: {v}"))
}

#[test]
fn the_drill_reports_what_next_month_would_pay() {
    let mut lab = Lab::new();
    let (file, keys, _) = sealed(&mut lab);
    let work = lab.path("travail");
    std::fs::create_dir(&work).expect("mkdir");
    let work_arg = work.to_str().expect("utf-8 path").to_owned();
    let lenient = [
        "--max-age-days",
        "30",
        "--max-unpayable-percent",
        "100",
        "--work",
        &work_arg,
    ];
    let (exit, r) = drill_json(&lab, &file, &keys, &lenient);
    assert_eq!(exit, 0, "{r:#}");
    assert_eq!(r["ready"], true);
    assert_eq!(r["reasons"].as_array().map(Vec::len), Some(0));
    assert_eq!(r["month"], "2026-12");
    assert_eq!(r["snapshot"]["sha256"], sha256_hex(&file));
    assert_eq!(r["snapshot"]["authority"], AUTHORITY);

    let p = &r["payable"];
    let by_benefit = p["by_benefit"].as_array().expect("by_benefit");
    assert!(by_benefit.len() >= 4, "{p:#}");
    let total: i64 = by_benefit.iter().map(|b| cents(&b["total_cents"])).sum();
    assert_eq!(total, cents(&p["total_cents"]));
    let rights: i64 = by_benefit.iter().map(|b| cents(&b["rights"])).sum();
    assert_eq!(rights, cents(&p["rights"]));
    assert!(
        by_benefit.iter().all(|b| b["benefit"] != "RSA"),
        "RSA is paid by the CAF"
    );
    let by_kind: i64 = p["by_payee_kind"]
        .as_array()
        .expect("by_payee_kind")
        .iter()
        .map(|k| cents(&k["total_cents"]))
        .sum();
    assert_eq!(by_kind, total);
    assert!(cents(&p["people"]) > 0 && cents(&p["people"]) <= rights);
    assert!(cents(&p["payees"]) > 0 && cents(&p["payees"]) <= rights);

    let u = &r["unpayable"];
    let reasons: i64 = u["by_reason"]
        .as_array()
        .expect("by_reason")
        .iter()
        .map(|x| cents(&x["rights"]))
        .sum();
    assert_eq!(reasons, cents(&u["rights"]));
    assert_eq!(cents(&u["considered"]), rights + reasons);
    assert!(cents(&u["rights"]) > 0, "the demo has bad rows: {u:#}");
    assert!(cents(&r["renewal"]["saved_rights"]) <= cents(&r["renewal"]["expired_rights"]));
    assert!(
        r["not_due"]
            .as_array()
            .expect("not_due")
            .iter()
            .any(|n| n["reason"] == "paid_by_caf")
    );
    assert!(cents(&r["payroll"]["agents"]) > 0);
    assert!(cents(&r["payroll"]["net_total_cents"]) > 0);
    let inv = &r["invoices"];
    assert!(cents(&inv["open"]) > 0);
    assert_eq!(cents(&inv["payment_days"]), 30);
    assert!(cents(&inv["overdue"]) + cents(&inv["due_soon"]) <= cents(&inv["open"]));
    assert!(
        r["rejected_rows"]
            .as_array()
            .expect("rejected_rows")
            .iter()
            .any(|c| c["file"] == "droits.csv")
    );
    // The demo's imputations are M57; the PES numbering is never in a snapshot: asked of the
    // paierie on the day (the history shows what the old system sent).
    assert_eq!(
        r["imputations_outside_m57"].as_array().map(Vec::len),
        Some(0)
    );
    assert_eq!(r["numbering"]["exercice"], 2026);
    assert_eq!(r["numbering"]["confirmed"], false);
    assert!(
        cents(&r["numbering"]["history_payments"]) > 0,
        "{:#}",
        r["numbering"]
    );
    // The throw-away store and the plaintext extracts are gone.
    assert_eq!(std::fs::read_dir(&work).expect("work").count(), 0);

    // The same facts in French.
    let out = lab.drill(
        &file,
        &keys,
        &[
            "--month",
            "2026-12",
            "--max-age-days",
            "30",
            "--max-unpayable-percent",
            "100",
        ],
    );
    assert_eq!(code(&out), 0, "{}", both(&out));
    let fr = text(&out.stdout);
    assert!(fr.contains("PRÊT"), "{fr}");
    assert!(fr.contains("Droits payables en 2026-12"), "{fr}");
    // Whether the agents' payroll of the month could be paid, from agents.csv and paie.csv.
    assert!(
        fr.contains("Paie de continuité de 2026-12 : possible"),
        "{fr}"
    );
    assert!(fr.contains("délai global de paiement"), "{fr}");
    assert!(
        fr.contains("Numérotation PES de l'exercice 2026 : NON CONFIRMÉE"),
        "{fr}"
    );
}

#[test]
fn the_drill_says_why_it_is_not_ready() {
    let mut lab = Lab::new();
    let (file, keys, _) = sealed(&mut lab);

    let (exit, r) = drill_json(
        &lab,
        &file,
        &keys,
        &["--max-age-days", "0", "--max-unpayable-percent", "100"],
    );
    assert_eq!(exit, 1, "{r:#}");
    assert_eq!(r["ready"], false);
    let codes: Vec<&str> = r["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(|x| x["code"].as_str())
        .collect();
    assert_eq!(codes, ["copie_trop_ancienne"]);

    let (exit, r) = drill_json(
        &lab,
        &file,
        &keys,
        &["--max-age-days", "30", "--max-unpayable-percent", "0.001"],
    );
    assert_eq!(exit, 1, "{r:#}");
    let reasons = r["reasons"].as_array().expect("reasons");
    assert_eq!(reasons.len(), 1, "{r:#}");
    assert_eq!(reasons[0]["code"], "trop_de_droits_impayables");
    assert!(
        reasons[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("ne seraient pas payés")),
        "{r:#}"
    );

    let out = lab.drill(&file, &keys, &["--max-age-days", "0"]);
    assert_eq!(code(&out), 1);
    let fr = text(&out.stdout);
    assert!(
        fr.contains("PAS PRÊT") && fr.contains("scellez une copie plus récente"),
        "{fr}"
    );

    // A damaged snapshot is not ready either, and says so.
    let damaged = copy_pair(&lab, &file, "abime.relais");
    flipped(&file, &damaged, 1000);
    let (exit, r) = drill_json(&lab, &damaged, &keys, &["--max-age-days", "30"]);
    assert_eq!(exit, 1);
    assert_eq!(r["reasons"][0]["code"], "copie_refusee");
}
