//! Test fixtures: key holders, sample extracts, sealing to memory, and hand-made payloads for
//! the faults a real sealing never produces.

use relais_vault::{
    FileDigest, GeneratedKeys, Identity, Manifest, ManifestFile, PublicKey, Recipient, SigningKey,
    VaultError, digest_reader, generate_keys, parse_identities, parse_recipients, seal, sign,
    trusted_comment,
};
use std::io::{self, Read};
use std::path::Path;
use std::str::FromStr;

pub struct Holder {
    pub keys: GeneratedKeys,
    pub identities: Vec<Identity>,
    pub recipients: Vec<Recipient>,
    pub signing: SigningKey,
    pub public: PublicKey,
}

pub fn holder() -> Holder {
    let keys = generate_keys(None).expect("keys");
    let identities = parse_identities(&keys.age_identity_file).expect("identity");
    let recipients = parse_recipients(&keys.age_recipient.to_string()).expect("recipient");
    let signing = SigningKey::from_file_text(&keys.minisign_secret_file, None).expect("sk");
    let public = PublicKey::from_file_text(&keys.minisign_public_file).expect("pk");
    Holder {
        keys,
        identities,
        recipients,
        signing,
        public,
    }
}

pub type Files = Vec<(String, Vec<u8>)>;

pub fn sample_files() -> Files {
    let mut people = String::from("id;nom;prenom;iban\n");
    let mut payments = String::from("id;montant\n");
    for i in 0..200 {
        people.push_str(&format!(
            "P{i:05};Martin;Jeanne;FR76300060000112345678901{i:02}\n"
        ));
        payments.push_str(&format!("P{i:05};{},{:02}\n", 100 + i, i % 100));
    }
    vec![
        ("beneficiaires.csv".into(), people.into_bytes()),
        ("paiements.csv".into(), payments.into_bytes()),
        ("vide.csv".into(), Vec::new()),
    ]
}

pub fn manifest_for(files: &Files) -> Manifest {
    let entries = files
        .iter()
        .map(|(name, data)| {
            let (sha256, bytes) = digest_reader(&mut &data[..]).expect("digest");
            ManifestFile {
                name: name.clone(),
                sha256,
                bytes,
                rows: data
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    .saturating_sub(1) as u64,
                amount_total_cents: None,
            }
        })
        .collect();
    Manifest::new(
        "Logiciel Social v4",
        "Département de l'Exemple",
        "2025-03-01T10:00:00Z".parse().expect("timestamp"),
        entries,
        serde_json::json!({"lignes_acceptees": 400, "rejets": 0}),
    )
}

pub fn seal_to_vec(
    manifest: &Manifest,
    files: &Files,
    recipients: &[Recipient],
) -> Result<Vec<u8>, VaultError> {
    let files = files.clone();
    let mut source = move |name: &str| -> io::Result<Box<dyn Read>> {
        let data = files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.clone())
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, name.to_owned()))?;
        Ok(Box::new(io::Cursor::new(data)))
    };
    let mut out = Vec::new();
    let written = seal(manifest, &mut source, recipients, &mut out)?;
    assert_eq!(written, out.len() as u64, "seal returns what it wrote");
    Ok(out)
}

/// A sealed sample and its signature.
pub struct Sealed {
    pub files: Files,
    pub manifest: Manifest,
    pub encrypted: Vec<u8>,
    pub signature: String,
}

pub fn sealed_sample(h: &Holder) -> Sealed {
    let files = sample_files();
    let manifest = manifest_for(&files);
    let encrypted = seal_to_vec(&manifest, &files, &h.recipients).expect("seal");
    let signature = sign(
        &mut &encrypted[..],
        &h.signing,
        &trusted_comment(&manifest, encrypted.len() as u64),
    )
    .expect("sign");
    Sealed {
        files,
        manifest,
        encrypted,
        signature,
    }
}

/// Encrypts any bytes to the holder's recipient with the age library directly, to build
/// payloads Relais would never seal.
pub fn age_encrypt(plain: &[u8], h: &Holder) -> Vec<u8> {
    let r = age::x25519::Recipient::from_str(&h.keys.age_recipient.to_string()).expect("r");
    age::encrypt(&r, plain).expect("encrypt")
}

/// One hand-made tar entry: raw name bytes (so that `..` and `/` can be written), type, data.
pub struct RawEntry {
    pub name: Vec<u8>,
    pub kind: tar::EntryType,
    pub data: Vec<u8>,
}

pub fn regular(name: &str, data: &[u8]) -> RawEntry {
    RawEntry {
        name: name.as_bytes().to_vec(),
        kind: tar::EntryType::Regular,
        data: data.to_vec(),
    }
}

pub fn raw_tar(entries: &[RawEntry]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_ustar();
        let name = &mut h.as_old_mut().name;
        name[..e.name.len()].copy_from_slice(&e.name);
        h.set_size(e.data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(e.kind);
        if e.kind == tar::EntryType::Symlink {
            h.set_link_name("/etc/passwd").expect("link");
        }
        h.set_cksum();
        b.append(&h, &e.data[..]).expect("append");
    }
    b.into_inner().expect("finish")
}

/// The manifest entry and the files of the sample, as a hand-made payload to alter.
pub fn sample_entries(manifest: &Manifest, files: &Files) -> Vec<RawEntry> {
    let mut out = vec![regular(
        "manifest.json",
        &manifest.to_json().expect("manifest json"),
    )];
    for (name, data) in files {
        out.push(regular(name, data));
    }
    out
}

pub fn digest(data: &[u8]) -> FileDigest {
    digest_reader(&mut &data[..]).expect("digest").0
}

pub fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Asserts that nothing of the holder's secrets shows in an error, in any of its forms.
pub fn assert_no_secret(err: &VaultError, h: &Holder, passphrase: Option<&str>) {
    use relais_vault::ExposeSecret;
    let identity_line = identity_line(h);
    let key_line = h
        .keys
        .minisign_secret_file
        .expose_secret()
        .lines()
        .nth(1)
        .expect("key line")
        .to_owned();
    for shown in [err.to_string(), err.message_en(), format!("{err:?}")] {
        assert!(!shown.contains(&identity_line[15..]), "{shown}");
        assert!(!shown.contains(&key_line[8..]), "{shown}");
        if let Some(p) = passphrase {
            assert!(!shown.contains(p), "{shown}");
        }
    }
}

/// The holder's `AGE-SECRET-KEY-1…` line.
pub fn identity_line(h: &Holder) -> String {
    use relais_vault::ExposeSecret;
    h.keys
        .age_identity_file
        .expose_secret()
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .expect("secret line")
        .to_owned()
}

/// The holder's identity read by the age library itself, as an independent reader would.
pub fn age_identity(h: &Holder) -> age::x25519::Identity {
    identity_line(h).parse().expect("identity")
}
