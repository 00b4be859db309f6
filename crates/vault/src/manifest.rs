//! The manifest: the first entry of a snapshot's payload (`manifest.json`), saying what the
//! snapshot holds and how to check it (docs/snapshot.md, "Manifest").
//!
//! A manifest read from a snapshot is parsed in two steps: its `format_version` first, so that a
//! snapshot from a newer Relais is refused as such rather than as a malformed file; then the
//! whole, strictly (unknown fields refused), then its rules (file names, no duplicates).

use crate::error::VaultError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::{self, Read};

/// The snapshot format this version of Relais writes, and the only one it reads.
pub const FORMAT_VERSION: u32 = 1;

/// The name of the manifest entry, always first in the payload.
pub const MANIFEST_NAME: &str = "manifest.json";

/// Longest manifest accepted when reading (the checker's summary is small; a bound keeps a
/// hostile payload from exhausting memory).
pub(crate) const MANIFEST_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Longest file name: what fits in a plain ustar header without extensions.
const NAME_MAX_BYTES: usize = 100;

/// A SHA-256 digest, written as 64 lowercase hexadecimal digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileDigest(pub [u8; 32]);

impl FileDigest {
    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }

    /// Only the canonical form (64 lowercase hexadecimal digits), so that one digest has one
    /// spelling.
    pub fn from_hex(s: &str) -> Option<FileDigest> {
        if s.len() != 64 || s.bytes().any(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let bytes = hex::decode(s).ok()?;
        Some(FileDigest(bytes.try_into().ok()?))
    }
}

impl fmt::Display for FileDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for FileDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for FileDigest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for FileDigest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        FileDigest::from_hex(&s).ok_or_else(|| {
            serde::de::Error::custom("sha256 must be 64 lowercase hexadecimal digits")
        })
    }
}

/// The SHA-256 and length of everything `reader` yields, read in blocks (never whole).
pub fn digest_reader(reader: &mut dyn Read) -> io::Result<(FileDigest, u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((FileDigest(hasher.finalize().into()), total))
}

/// One extract file of the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// The file's name, flat (no folder): see `check_file_name`.
    pub name: String,
    pub sha256: FileDigest,
    /// Length in bytes.
    pub bytes: u64,
    /// Data rows, as counted by the checker (the header excluded).
    pub rows: u64,
    /// Sum of the file's amounts in cents, for files that carry amounts.
    pub amount_total_cents: Option<i64>,
}

/// What a snapshot holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format_version: u32,
    /// The system the extracts were exported from (e.g. the payroll or social aid software).
    pub source_system: String,
    /// The authority the data belongs to, as in its settings.
    pub authority: String,
    /// When the snapshot was sealed (RFC 3339, UTC).
    pub created_at: jiff::Timestamp,
    /// The extract files, in payload order.
    pub files: Vec<ManifestFile>,
    /// The checker's summary, kept as it came: this crate does not interpret it.
    pub check: serde_json::Value,
}

impl Manifest {
    /// A manifest of the current format.
    pub fn new(
        source_system: impl Into<String>,
        authority: impl Into<String>,
        created_at: jiff::Timestamp,
        files: Vec<ManifestFile>,
        check: serde_json::Value,
    ) -> Manifest {
        Manifest {
            format_version: FORMAT_VERSION,
            source_system: source_system.into(),
            authority: authority.into(),
            created_at,
            files,
            check,
        }
    }

    /// The entry for `name`, if listed.
    pub fn file(&self, name: &str) -> Option<&ManifestFile> {
        self.files.iter().find(|f| f.name == name)
    }

    /// The JSON written into the payload: indented, so that an auditor can read it.
    pub fn to_json(&self) -> Result<Vec<u8>, VaultError> {
        let mut out = serde_json::to_vec_pretty(self).map_err(|e| invalid_json(&e))?;
        out.push(b'\n');
        Ok(out)
    }

    /// Reads a manifest from a snapshot: version first, then the whole, then its rules.
    pub fn from_json(bytes: &[u8]) -> Result<Manifest, VaultError> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| invalid_json(&e))?;
        match value.get("format_version").and_then(|v| v.as_u64()) {
            None => {
                return Err(VaultError::ManifestInvalid {
                    fr: "« format_version » absent ou non entier".into(),
                    en: "format_version missing or not an integer".into(),
                });
            }
            Some(v) if v > u64::from(FORMAT_VERSION) => {
                return Err(VaultError::UnsupportedVersion {
                    found: v,
                    known: FORMAT_VERSION,
                });
            }
            Some(0) => {
                return Err(VaultError::ManifestInvalid {
                    fr: "« format_version » vaut 0 (les formats commencent à 1)".into(),
                    en: "format_version is 0 (formats start at 1)".into(),
                });
            }
            Some(_) => {}
        }
        let manifest: Manifest = serde_json::from_value(value).map_err(|e| invalid_json(&e))?;
        manifest.validate()?;
        Ok(manifest)
    }

    /// The rules every manifest follows, at sealing and at opening.
    pub(crate) fn validate(&self) -> Result<(), VaultError> {
        if self.format_version != FORMAT_VERSION {
            return Err(VaultError::UnsupportedVersion {
                found: u64::from(self.format_version),
                known: FORMAT_VERSION,
            });
        }
        check_label("source_system", &self.source_system)?;
        check_label("authority", &self.authority)?;
        if self.files.is_empty() {
            return Err(VaultError::EmptyPayload);
        }
        let mut seen = std::collections::HashSet::new();
        for file in &self.files {
            check_file_name(&file.name)?;
            // Case-insensitive: two names that differ only by case would overwrite each other
            // on the file systems of Windows and macOS.
            if !seen.insert(file.name.to_lowercase()) {
                return Err(VaultError::DuplicateFile {
                    name: file.name.clone(),
                });
            }
        }
        Ok(())
    }
}

fn invalid_json(e: &serde_json::Error) -> VaultError {
    VaultError::ManifestInvalid {
        fr: format!("JSON incorrect ({e})"),
        en: format!("bad JSON ({e})"),
    }
}

/// The authority and the source system go into the signature's trusted comment, which is one
/// line: no control characters, no surrounding spaces (minisign trims them).
fn check_label(field: &str, value: &str) -> Result<(), VaultError> {
    let problem = if value.trim().is_empty() {
        Some(("vide", "empty"))
    } else if value.trim() != value {
        Some(("espaces au début ou à la fin", "leading or trailing spaces"))
    } else if value.chars().any(char::is_control) {
        Some(("caractère de contrôle", "control character"))
    } else if value.chars().count() > 200 {
        Some(("plus de 200 caractères", "longer than 200 characters"))
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some((fr, en)) => Err(VaultError::ManifestInvalid {
            fr: format!("« {field} » : {fr}"),
            en: format!("{field}: {en}"),
        }),
    }
}

/// A file name is flat and portable: letters, digits, `.`, `_`, `-`, `+`, `(`, `)` and spaces;
/// no leading dot, space or dash, no trailing dot or space; at most 100 bytes; not the
/// manifest's name. This is what makes it safe to join to a destination folder.
pub fn check_file_name(name: &str) -> Result<(), VaultError> {
    let refuse = |why: &'static str, why_en: &'static str| {
        Err(VaultError::InvalidFileName {
            name: crate::error::shown(name.as_bytes()),
            why,
            why_en,
        })
    };
    let allowed =
        |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '(' | ')' | ' ');
    if name.is_empty() {
        return refuse("nom vide", "empty name");
    }
    if name.len() > NAME_MAX_BYTES {
        return refuse("plus de 100 octets", "longer than 100 bytes");
    }
    if !name.chars().all(allowed) {
        return refuse(
            "seuls lettres, chiffres, espaces et . _ - + ( ) sont admis (pas de dossier)",
            "only letters, digits, spaces and . _ - + ( ) are allowed (no folder)",
        );
    }
    if name.starts_with(['.', ' ', '-']) || name.ends_with(['.', ' ']) {
        return refuse(
            "ne peut commencer par . - ou une espace, ni finir par . ou une espace",
            "may not start with . - or a space, nor end with . or a space",
        );
    }
    if name.eq_ignore_ascii_case(MANIFEST_NAME) {
        return refuse("nom réservé au manifeste", "reserved for the manifest");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        Manifest::new(
            "Logiciel RH",
            "Département de l'Exemple",
            "2025-03-01T10:00:00Z".parse().expect("timestamp"),
            vec![ManifestFile {
                name: "beneficiaires.csv".into(),
                sha256: FileDigest([7; 32]),
                bytes: 10,
                rows: 1,
                amount_total_cents: None,
            }],
            serde_json::json!({"accepted": 1}),
        )
    }

    #[test]
    fn json_round_trip() {
        let m = sample();
        let json = m.to_json().expect("json");
        let text = String::from_utf8(json.clone()).expect("utf-8");
        assert!(
            text.contains("\"created_at\": \"2025-03-01T10:00:00Z\""),
            "{text}"
        );
        assert!(text.contains(&"07".repeat(32)));
        assert_eq!(Manifest::from_json(&json).expect("reads back"), m);
    }

    #[test]
    fn future_version_is_named_as_such() {
        let mut v = serde_json::to_value(sample()).expect("value");
        v["format_version"] = 2.into();
        // A future version may add fields: the version must be refused before they are seen.
        v["new_field"] = true.into();
        let err = Manifest::from_json(&serde_json::to_vec(&v).expect("json")).expect_err("v2");
        assert_eq!(err.code(), "version_inconnue");
        assert!(err.to_string().contains("mettez Relais à jour"), "{err}");
    }

    #[test]
    fn strict_fields_and_digests() {
        let mut v = serde_json::to_value(sample()).expect("value");
        v["extra"] = 1.into();
        let err = Manifest::from_json(&serde_json::to_vec(&v).expect("json")).expect_err("extra");
        assert_eq!(err.code(), "manifeste_invalide");

        let mut v = serde_json::to_value(sample()).expect("value");
        v["files"][0]["sha256"] = "AB".repeat(32).into();
        let err = Manifest::from_json(&serde_json::to_vec(&v).expect("json")).expect_err("case");
        assert_eq!(err.code(), "manifeste_invalide");

        let mut v = serde_json::to_value(sample()).expect("value");
        v["format_version"] = 0.into();
        let err = Manifest::from_json(&serde_json::to_vec(&v).expect("json")).expect_err("v0");
        assert_eq!(err.code(), "manifeste_invalide");

        let err = Manifest::from_json(b"not json").expect_err("json");
        assert_eq!(err.code(), "manifeste_invalide");
    }

    #[test]
    fn file_names() {
        for ok in ["a.csv", "EXPORT_BENEF.csv", "Bénéficiaires 2025 (v2).csv"] {
            assert!(check_file_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "../a.csv",
            "a/b.csv",
            "a\\b.csv",
            "/etc/passwd",
            ".hidden",
            "-rf",
            "a.csv.",
            "a\nb",
            "manifest.json",
            "MANIFEST.JSON",
            "a:b",
            "..",
        ] {
            let err = check_file_name(bad).expect_err(bad);
            assert_eq!(err.code(), "nom_invalide");
        }
        assert!(check_file_name(&"a".repeat(101)).is_err());
    }

    #[test]
    fn case_insensitive_duplicates_and_empty_lists_are_refused() {
        let mut m = sample();
        let mut twin = m.files[0].clone();
        twin.name = "BENEFICIAIRES.csv".into();
        m.files.push(twin);
        assert_eq!(m.validate().expect_err("dup").code(), "fichier_double");

        let mut m = sample();
        m.files.clear();
        assert_eq!(m.validate().expect_err("empty").code(), "contenu_vide");

        let mut m = sample();
        m.authority = "A\nB".into();
        assert_eq!(
            m.validate().expect_err("newline").code(),
            "manifeste_invalide"
        );
    }

    #[test]
    fn digest_of_a_reader() {
        let (d, n) = digest_reader(&mut &b"abc"[..]).expect("read");
        assert_eq!(n, 3);
        assert_eq!(
            d.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
