//! An auditor checks and opens our snapshots with the `minisign` and `age` tools alone, and we
//! read the keys and files those tools make. The tools are required: a missing tool fails the
//! test with what to install (CI installs them), it never skips it.

use crate::common::*;
use relais_vault::{
    ExposeSecret, PublicKey, SecretString, SigningKey, generate_keys, open, parse_identities,
    parse_recipients, sign, trusted_comment, verify,
};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const INSTALL: &str = "install them: apt-get update && apt-get install -y age minisign \
     (these tests prove that an auditor can check and open a snapshot without Relais; they are \
     never skipped)";

/// Runs a tool, with `stdin` fed to it, and returns its output whatever its status.
fn run(program: &str, args: &[&str], dir: &Path, stdin: &[u8]) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `{program}` ({e}): {INSTALL}"));
    if let Some(mut input) = child.stdin.take() {
        // A tool that does not read its input closes the pipe: that is not an error here.
        let _ = input.write_all(stdin);
    }
    child.wait_with_output().expect("wait")
}

/// Runs a tool that must succeed.
fn ok(program: &str, args: &[&str], dir: &Path, stdin: &[u8]) -> Output {
    let out = run(program, args, dir, stdin);
    assert!(
        out.status.success(),
        "`{program} {}` failed: {}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn write(dir: &Path, name: &str, data: &[u8]) {
    std::fs::write(dir.join(name), data).expect("write");
}

fn read_text(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("read")
}

#[test]
fn auditor_checks_and_opens_our_snapshot_with_minisign_and_age() {
    let h = holder();
    let s = sealed_sample(&h);
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    write(d, "instantane.relais", &s.encrypted);
    write(d, "instantane.relais.minisig", s.signature.as_bytes());
    write(d, "relais.pub", h.keys.minisign_public_file.as_bytes());
    write(
        d,
        "identite.txt",
        h.keys.age_identity_file.expose_secret().as_bytes(),
    );

    // minisign -V -p key.pub -m FILE.relais (the signature beside it, FILE.relais.minisig).
    let out = ok(
        "minisign",
        &["-V", "-p", "relais.pub", "-m", "instantane.relais"],
        d,
        b"",
    );
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!(
            "Trusted comment: {}",
            trusted_comment(&s.manifest, s.encrypted.len() as u64)
        )),
        "{said}"
    );

    // age -d -i identity FILE.relais > payload.tar
    let out = ok(
        "age",
        &["-d", "-i", "identite.txt", "instantane.relais"],
        d,
        b"",
    );
    write(d, "payload.tar", &out.stdout);

    // A plain tar: the system's tar lists it, manifest first, and extracts it.
    let listed = ok("tar", &["-tf", "payload.tar"], d, b"");
    let names: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        names,
        [
            "manifest.json",
            "beneficiaires.csv",
            "paiements.csv",
            "vide.csv"
        ]
    );
    std::fs::create_dir(d.join("extrait")).expect("dir");
    ok("tar", &["-xf", "payload.tar", "-C", "extrait"], d, b"");
    for (name, data) in &s.files {
        let got = std::fs::read(d.join("extrait").join(name)).expect("extracted");
        assert_eq!(&got, data, "{name}");
        assert_eq!(digest(&got), s.manifest.file(name).expect("listed").sha256);
    }
    let manifest = std::fs::read(d.join("extrait/manifest.json")).expect("manifest");
    assert_eq!(
        relais_vault::Manifest::from_json(&manifest).expect("manifest"),
        s.manifest
    );

    // And the tool refuses what we refuse.
    let mut bad = s.encrypted.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    write(d, "instantane.relais", &bad);
    let out = run(
        "minisign",
        &["-V", "-p", "relais.pub", "-m", "instantane.relais"],
        d,
        b"",
    );
    assert!(!out.status.success(), "minisign accepted an altered file");
    let out = run(
        "age",
        &["-d", "-i", "identite.txt", "instantane.relais"],
        d,
        b"",
    );
    assert!(!out.status.success(), "age accepted an altered file");
}

#[test]
fn passphrase_protected_keys_work_with_the_minisign_tool_both_ways() {
    let pass = "phrase de passe du titulaire";
    let keys = generate_keys(Some(&SecretString::from(pass.to_owned()))).expect("keys");
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    write(
        d,
        "relais.key",
        keys.minisign_secret_file.expose_secret().as_bytes(),
    );
    write(d, "relais.pub", keys.minisign_public_file.as_bytes());
    write(d, "data.relais", b"some encrypted bytes");
    let public = PublicKey::from_file_text(&keys.minisign_public_file).expect("pk");

    // The tool signs with our protected key (passphrase on its standard input)…
    let comment = "relais-snapshot format:1 created_at:2025-03-01T10:00:00Z authority:Test";
    ok(
        "minisign",
        &["-S", "-s", "relais.key", "-m", "data.relais", "-t", comment],
        d,
        format!("{pass}\n").as_bytes(),
    );
    let tool_sig = std::fs::read(d.join("data.relais.minisig")).expect("sig");
    // …and its signature is exactly in the form we accept.
    let tc = verify(&mut &b"some encrypted bytes"[..], &tool_sig, &public).expect("verify");
    assert_eq!(tc, comment);

    // We sign with the same key, the tool verifies.
    let sk = SigningKey::from_file_text(
        &keys.minisign_secret_file,
        Some(&SecretString::from(pass.to_owned())),
    )
    .expect("sk");
    let ours = sign(&mut &b"some encrypted bytes"[..], &sk, comment).expect("sign");
    write(d, "data.relais.minisig", ours.as_bytes());
    ok(
        "minisign",
        &["-V", "-p", "relais.pub", "-m", "data.relais"],
        d,
        b"",
    );
}

#[test]
fn our_unprotected_key_signs_with_the_minisign_tool() {
    let h = holder();
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    write(
        d,
        "relais.key",
        h.keys.minisign_secret_file.expose_secret().as_bytes(),
    );
    write(d, "data.relais", b"bytes");
    ok(
        "minisign",
        &[
            "-S",
            "-s",
            "relais.key",
            "-m",
            "data.relais",
            "-t",
            "relais-snapshot format:1",
        ],
        d,
        b"",
    );
    let tool_sig = std::fs::read(d.join("data.relais.minisig")).expect("sig");
    let tc = verify(&mut &b"bytes"[..], &tool_sig, &h.public).expect("verify");
    assert_eq!(tc, "relais-snapshot format:1");
}

#[test]
fn keys_made_by_age_keygen_and_minisign_work_here() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();

    // age-keygen: its identity file and its recipient.
    ok("age-keygen", &["-o", "id.txt"], d, b"");
    let identities =
        parse_identities(&SecretString::from(read_text(d, "id.txt"))).expect("identity");
    let out = ok("age-keygen", &["-y", "id.txt"], d, b"");
    let recipients = parse_recipients(&String::from_utf8_lossy(&out.stdout)).expect("recipient");
    assert_eq!(identities[0].recipient(), recipients[0]);

    // minisign -G -W (unprotected) and minisign -G (protected, passphrase on standard input).
    ok(
        "minisign",
        &["-G", "-W", "-p", "plain.pub", "-s", "plain.key"],
        d,
        b"",
    );
    ok(
        "minisign",
        &["-G", "-p", "prot.pub", "-s", "prot.key"],
        d,
        b"tool passphrase\ntool passphrase\n",
    );
    let plain = SigningKey::from_file_text(&SecretString::from(read_text(d, "plain.key")), None)
        .expect("unprotected key");
    let tool_pass = SecretString::from("tool passphrase".to_owned());
    let prot_text = SecretString::from(read_text(d, "prot.key"));
    assert_eq!(
        SigningKey::from_file_text(&prot_text, None)
            .expect_err("needs passphrase")
            .code(),
        "phrase_requise"
    );
    assert_eq!(
        SigningKey::from_file_text(&prot_text, Some(&SecretString::from("nope".to_owned())))
            .expect_err("wrong")
            .code(),
        "phrase_fausse"
    );
    let prot = SigningKey::from_file_text(&prot_text, Some(&tool_pass)).expect("protected key");

    // A snapshot sealed to the age-keygen recipient and signed with each minisign key.
    let files = sample_files();
    let manifest = manifest_for(&files);
    let encrypted = seal_to_vec(&manifest, &files, &recipients).expect("seal");
    write(d, "s.relais", &encrypted);
    for (key, pubfile) in [(&plain, "plain.pub"), (&prot, "prot.pub")] {
        let sig = sign(
            &mut &encrypted[..],
            key,
            &trusted_comment(&manifest, encrypted.len() as u64),
        )
        .expect("sign");
        write(d, "s.relais.minisig", sig.as_bytes());
        ok("minisign", &["-V", "-p", pubfile, "-m", "s.relais"], d, b"");
        let public = PublicKey::from_file_text(&read_text(d, pubfile)).expect("pk");
        assert_eq!(public.key_id(), key.key_id());
        verify(&mut &encrypted[..], sig.as_bytes(), &public).expect("verify");
    }
    let dest = tempfile::tempdir().expect("dest");
    assert_eq!(
        open(&mut &encrypted[..], &identities, dest.path()).expect("open"),
        manifest
    );
    ok(
        "age",
        &["-d", "-i", "id.txt", "-o", "p.tar", "s.relais"],
        d,
        b"",
    );
}

#[test]
fn a_payload_encrypted_by_the_age_tool_to_our_recipients_file_opens_here() {
    let h = holder();
    let s = sealed_sample(&h);
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    write(d, "s.relais", &s.encrypted);
    write(
        d,
        "id.txt",
        h.keys.age_identity_file.expose_secret().as_bytes(),
    );
    // Our recipients file format (comments, blank lines) is the tool's `-R` format.
    let other = holder();
    write(
        d,
        "destinataires.txt",
        format!(
            "# titulaire\n{}\n\n# suppléant\n{}\n",
            h.keys.age_recipient, other.keys.age_recipient
        )
        .as_bytes(),
    );
    ok(
        "age",
        &["-d", "-i", "id.txt", "-o", "p.tar", "s.relais"],
        d,
        b"",
    );
    ok(
        "age",
        &[
            "-e",
            "-R",
            "destinataires.txt",
            "-o",
            "again.relais",
            "p.tar",
        ],
        d,
        b"",
    );
    let again = std::fs::read(d.join("again.relais")).expect("read");
    for who in [&h, &other] {
        let dest = tempfile::tempdir().expect("dest");
        let m = open(&mut &again[..], &who.identities, dest.path()).expect("open");
        assert_eq!(m, s.manifest);
        assert_eq!(dir_entries(dest.path()).len(), s.files.len());
    }
}
