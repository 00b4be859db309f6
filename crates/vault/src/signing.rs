//! Signatures: a detached minisign signature (prehashed Ed25519) over the ENCRYPTED snapshot,
//! so that anyone can check where a file comes from without being able to decrypt it, with
//! `minisign -V` or with `verify` here.
//!
//! A `.minisig` file has an untrusted comment that no key covers. So that "any changed byte of
//! the signature file is refused" holds, Relais always writes the same untrusted comment (the
//! one the `minisign` tool writes by default) and accepts a signature file only in exactly the
//! form it writes: one canonical spelling, nothing unsigned left free.

use crate::error::{TruncatedSizes, VaultError};
use crate::manifest::Manifest;
use age::secrecy::{ExposeSecret, SecretString};
use base64::Engine;
use std::cell::Cell;
use std::fmt;
use std::io::{self, Read, Seek, SeekFrom};
use std::rc::Rc;

/// The untrusted comment of every signature Relais writes: `minisign -S`'s default, so that a
/// signature made with the `minisign` tool is accepted too.
pub const UNTRUSTED_COMMENT: &str = "signature from minisign secret key";

/// A minisign key id as the `minisign` tool prints it: the 8 key-number bytes read as a
/// little-endian integer, in 16 uppercase hexadecimal digits.
pub(crate) fn key_id(keynum: &[u8]) -> String {
    let mut bytes = [0u8; 8];
    for (dst, src) in bytes.iter_mut().zip(keynum) {
        *dst = *src;
    }
    format!("{:016X}", u64::from_le_bytes(bytes))
}

/// A minisign public key, from a `.pub` file.
#[derive(Clone)]
pub struct PublicKey(minisign::PublicKey);

impl PublicKey {
    /// Reads a `.pub` file as `minisign -G` writes it (comment line, then the key), or the bare
    /// base64 key that `minisign -P` takes.
    pub fn from_file_text(text: &str) -> Result<PublicKey, VaultError> {
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let parsed = match lines.as_slice() {
            [key] => minisign::PublicKey::from_base64(key),
            [comment, key] if comment.starts_with("untrusted comment:") => {
                minisign::PublicKey::from_base64(key)
            }
            _ => {
                return Err(VaultError::PublicKey(
                    "une ligne de commentaire puis la clé attendues".into(),
                ));
            }
        };
        let key = parsed.map_err(|e| VaultError::PublicKey(e.to_string()))?;
        if key.to_bytes().get(..2) != Some(b"Ed".as_slice()) {
            return Err(VaultError::PublicKey("algorithme autre qu'Ed25519".into()));
        }
        Ok(PublicKey(key))
    }

    /// The key id, as `minisign` prints it.
    pub fn key_id(&self) -> String {
        key_id(self.0.keynum())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.key_id())
    }
}

/// A minisign secret key, opened (decrypted with its passphrase when it has one). Its `Debug`
/// shows the key id only (minisign's own `Debug` prints the secret bytes: never derive it).
pub struct SigningKey {
    secret: minisign::SecretKey,
    public: minisign::PublicKey,
}

/// Byte layout of a decoded minisign secret key: signature algorithm (2), KDF algorithm (2),
/// checksum algorithm (2), salt (32), opslimit (8), memlimit (8), key number (8), secret key
/// (64), checksum (32).
const SECRET_KEY_LEN: usize = 158;
const KDF_ALG: std::ops::Range<usize> = 2..4;
const CHECKSUM: std::ops::Range<usize> = 126..158;

/// Decodes the key line, to read how the key is protected before asking minisign to open it:
/// minisign itself would prompt on the terminal for a passphrase it was not given.
fn decode_secret_key(encoded: &str) -> Result<zeroize::Zeroizing<Vec<u8>>, VaultError> {
    let bytes = zeroize::Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| VaultError::SigningKey("clé non codée en base64".into()))?,
    );
    if bytes.len() != SECRET_KEY_LEN {
        return Err(VaultError::SigningKey("longueur de clé incorrecte".into()));
    }
    if bytes.get(..2) != Some(b"Ed".as_slice()) {
        return Err(VaultError::SigningKey("algorithme autre qu'Ed25519".into()));
    }
    Ok(bytes)
}

impl SigningKey {
    /// Opens a minisign `.key` file. A protected key needs its passphrase; an unprotected one
    /// refuses one (a passphrase given for nothing would make its holder believe the key is
    /// protected).
    pub fn from_file_text(
        text: &SecretString,
        passphrase: Option<&SecretString>,
    ) -> Result<SigningKey, VaultError> {
        let mut lines = text.expose_secret().lines().map(str::trim);
        let comment = lines.next().unwrap_or_default();
        let encoded = lines.next().unwrap_or_default();
        if !comment.starts_with("untrusted comment:") || encoded.is_empty() {
            return Err(VaultError::SigningKey(
                "une ligne de commentaire puis la clé attendues".into(),
            ));
        }
        let bytes = decode_secret_key(encoded)?;
        let protected = match bytes.get(KDF_ALG) {
            Some([0, 0]) => false,
            Some(b"Sc") => true,
            _ => return Err(VaultError::SigningKey("protection de clé inconnue".into())),
        };
        let unchecked = bytes
            .get(CHECKSUM)
            .is_some_and(|chk| chk.iter().all(|b| *b == 0));
        let key_box = || minisign::SecretKeyBox::from_string(text.expose_secret());
        let secret = match (protected, passphrase) {
            (true, None) => return Err(VaultError::PassphraseRequired),
            (false, Some(_)) => return Err(VaultError::PassphraseNotExpected),
            // `minisign -G -W` (the C tool, 0.11) leaves the checksum of an unprotected key at
            // zero; the self-test below stands in for it.
            (false, None) if unchecked => minisign::SecretKey::from_bytes(&bytes)
                .map_err(|e| VaultError::SigningKey(e.to_string()))?,
            (false, None) => key_box()
                .and_then(minisign::SecretKey::from_unencrypted_box)
                .map_err(|e| VaultError::SigningKey(e.to_string()))?,
            (true, Some(p)) => key_box()
                .and_then(|b| minisign::SecretKey::from_box(b, Some(p.expose_secret().to_owned())))
                .map_err(|e| match e.kind() {
                    // The only check after decryption is the checksum: a wrong passphrase.
                    minisign::ErrorKind::Verify => VaultError::WrongPassphrase,
                    _ => VaultError::SigningKey(e.to_string()),
                })?,
        };
        if secret.is_encrypted() {
            return Err(VaultError::WrongPassphrase);
        }
        let public = minisign::PublicKey::from_secret_key(&secret)
            .map_err(|e| VaultError::SigningKey(e.to_string()))?;
        // A damaged key would sign what no public key verifies: find out now, not after
        // sealing (minisign checks the signature against `public` when given it).
        minisign::sign(
            Some(&public),
            &secret,
            &b"relais"[..],
            Some("self-test"),
            None,
        )
        .map_err(|_| VaultError::SigningKey("clé endommagée".into()))?;
        Ok(SigningKey { secret, public })
    }

    /// The key id, as `minisign` prints it.
    pub fn key_id(&self) -> String {
        key_id(self.public.keynum())
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.public.clone())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey({}, secret redacted)", self.key_id())
    }
}

/// The trusted comment Relais signs: one line naming the format, the creation time, the sealed
/// file's length (`seal` returns it; a shorter file is then reported as truncated), and the
/// authority (last, so that it needs no quoting). `minisign -V` prints it.
pub fn trusted_comment(manifest: &Manifest, sealed_bytes: u64) -> String {
    format!(
        "relais-snapshot format:{} created_at:{} bytes:{sealed_bytes} authority:{}",
        manifest.format_version, manifest.created_at, manifest.authority
    )
}

/// The `bytes:` field of a trusted comment, if any.
fn signed_length(comment: &str) -> Option<u64> {
    comment
        .split(' ')
        .find_map(|field| field.strip_prefix("bytes:"))
        .and_then(|n| n.parse().ok())
}

/// Remembers whether the reader it wraps failed, so that an error surfacing through minisign
/// (which turns it into its own) is reported as the read error it was.
struct Tap<'a> {
    inner: &'a mut dyn Read,
    failed: Rc<Cell<Option<io::ErrorKind>>>,
    count: Rc<Cell<u64>>,
}

impl<'a> Tap<'a> {
    fn new(inner: &'a mut dyn Read) -> Tap<'a> {
        Tap {
            inner,
            failed: Rc::default(),
            count: Rc::default(),
        }
    }
}

impl Read for Tap<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.count.set(self.count.get() + n as u64);
                Ok(n)
            }
            Err(e) => {
                if e.kind() != io::ErrorKind::Interrupted {
                    self.failed.set(Some(e.kind()));
                }
                Err(e)
            }
        }
    }
}

/// minisign asks for `Seek` only to echo the data after a check (`output = true`), which we
/// never ask; refusing to seek lets it read from any stream.
impl Seek for Tap<'_> {
    fn seek(&mut self, _: SeekFrom) -> io::Result<u64> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "snapshot stream cannot seek",
        ))
    }
}

fn read_error(kind: io::ErrorKind, detail: String) -> VaultError {
    VaultError::ReadSealed(io::Error::new(kind, detail))
}

/// The two base64 lines must decode to a whole signature (74 bytes) and a whole comment
/// signature (64 bytes): minisign 0.10 indexes the latter without checking and would panic.
fn check_signature_lengths(text: &str) -> Result<(), VaultError> {
    let lines: Vec<&str> = text.lines().collect();
    let decoded_len = |line: Option<&&str>| {
        line.and_then(|l| {
            base64::engine::general_purpose::STANDARD
                .decode(l.trim())
                .ok()
        })
        .map(|b| b.len())
    };
    if lines.len() != 4
        || decoded_len(lines.get(1)) != Some(74)
        || decoded_len(lines.get(3)) != Some(64)
    {
        return Err(VaultError::SignatureUnreadable(
            "quatre lignes attendues, dont deux signatures complètes".into(),
        ));
    }
    Ok(())
}

/// Signs the encrypted snapshot read from `encrypted` (streamed through BLAKE2b, never held
/// whole) and returns the `.minisig` text.
pub fn sign(
    encrypted: &mut dyn Read,
    key: &SigningKey,
    trusted_comment: &str,
) -> Result<String, VaultError> {
    if trusted_comment.is_empty()
        || trusted_comment.trim() != trusted_comment
        || trusted_comment.chars().any(char::is_control)
    {
        return Err(VaultError::TrustedCommentInvalid(
            "une seule ligne, non vide, sans espace au début ni à la fin".into(),
        ));
    }
    let tap = Tap::new(encrypted);
    let failed = tap.failed.clone();
    let signature = minisign::sign(
        Some(&key.public),
        &key.secret,
        tap,
        Some(trusted_comment),
        Some(UNTRUSTED_COMMENT),
    )
    .map_err(|e| match failed.get() {
        Some(kind) => read_error(kind, e.to_string()),
        None => VaultError::SigningKey(e.to_string()),
    })?;
    Ok(signature.into_string())
}

/// Checks a `.minisig` against the encrypted snapshot read from `encrypted` and the public
/// key, without decrypting anything; returns the trusted comment. The signature is taken as
/// bytes, as read from its file: any change to them is refused.
pub fn verify(
    encrypted: &mut dyn Read,
    signature: &[u8],
    public: &PublicKey,
) -> Result<String, VaultError> {
    let text = std::str::from_utf8(signature)
        .map_err(|_| VaultError::SignatureUnreadable("pas du texte UTF-8".into()))?;
    check_signature_lengths(text)?;
    let sig_box = minisign::SignatureBox::from_string(text)
        .map_err(|e| VaultError::SignatureUnreadable(e.to_string()))?;
    if !sig_box.is_prehashed() {
        return Err(VaultError::SignatureUnreadable(
            "ancienne signature non préhachée (minisign -H), non acceptée".into(),
        ));
    }
    // minisign trims what it reads and leaves the untrusted comment unchecked: compare with
    // the one spelling Relais writes.
    let untrusted = sig_box
        .untrusted_comment()
        .map_err(|e| VaultError::SignatureUnreadable(e.to_string()))?;
    if untrusted != UNTRUSTED_COMMENT || sig_box.to_string() != text {
        return Err(VaultError::SignatureAltered);
    }
    if sig_box.keynum() != public.0.keynum() {
        return Err(VaultError::WrongSigner {
            signature_key_id: key_id(sig_box.keynum()),
            public_key_id: public.key_id(),
        });
    }
    let comment = sig_box
        .trusted_comment()
        .map_err(|e| VaultError::SignatureUnreadable(e.to_string()))?;
    let tap = Tap::new(encrypted);
    let (failed, count) = (tap.failed.clone(), tap.count.clone());
    minisign::verify(&public.0, &sig_box, tap, true, false, false).map_err(|e| {
        if let Some(kind) = failed.get() {
            return read_error(kind, e.to_string());
        }
        // The comment is not proven authentic here (the check failed): the refusal only
        // states what the signature file announces, as the likeliest cause.
        match signed_length(&comment) {
            Some(expected) if count.get() < expected => VaultError::Truncated {
                sizes: Some(TruncatedSizes {
                    expected,
                    found: count.get(),
                }),
            },
            _ => VaultError::SignatureMismatch,
        }
    })?;
    Ok(comment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::generate_keys;

    fn key(passphrase: Option<&SecretString>) -> (SigningKey, PublicKey) {
        let keys = generate_keys(passphrase).expect("keys");
        let sk = SigningKey::from_file_text(&keys.minisign_secret_file, passphrase).expect("sk");
        let pk = PublicKey::from_file_text(&keys.minisign_public_file).expect("pk");
        assert_eq!(sk.key_id(), pk.key_id());
        assert_eq!(sk.key_id(), keys.signing_key_id);
        (sk, pk)
    }

    #[test]
    fn sign_then_verify_returns_the_trusted_comment() {
        let (sk, pk) = key(None);
        let data = b"encrypted bytes".repeat(10_000);
        let sig = sign(&mut &data[..], &sk, "relais-snapshot format:1").expect("sign");
        assert!(sig.starts_with("untrusted comment: signature from minisign secret key\n"));
        let tc = verify(&mut &data[..], sig.as_bytes(), &pk).expect("verify");
        assert_eq!(tc, "relais-snapshot format:1");

        let mut other = data.clone();
        other[5] ^= 1;
        let err = verify(&mut &other[..], sig.as_bytes(), &pk).expect_err("altered");
        assert_eq!(err.code(), "signature_invalide");
    }

    #[test]
    fn short_or_missing_signature_lines_are_refused_without_panicking() {
        let (sk, pk) = key(None);
        let sig = sign(&mut &b"data"[..], &sk, "c").expect("sign");
        let lines: Vec<&str> = sig.lines().collect();
        for bad in [
            format!("{}\n{}\n{}\nAAAA\n", lines[0], lines[1], lines[2]),
            format!("{}\nAAAA\n{}\n{}\n", lines[0], lines[2], lines[3]),
            format!("{}\n{}\n{}\n", lines[0], lines[1], lines[2]),
            String::new(),
            "untrusted comment: x\n".into(),
        ] {
            let err = verify(&mut &b"data"[..], bad.as_bytes(), &pk).expect_err("refused");
            assert_eq!(err.code(), "signature_illisible", "{bad}");
        }
    }

    #[test]
    fn trusted_comment_must_be_one_line() {
        let (sk, _) = key(None);
        for bad in ["", "a\nb", " a", "a\r"] {
            let err = sign(&mut &b"x"[..], &sk, bad).expect_err(bad);
            assert_eq!(err.code(), "commentaire_invalide");
        }
    }

    #[test]
    fn passphrase_protected_key() {
        let pass = SecretString::from("correct horse battery staple".to_owned());
        let keys = generate_keys(Some(&pass)).expect("keys");
        assert!(keys.signing_key_protected);
        let text = &keys.minisign_secret_file;

        let err = SigningKey::from_file_text(text, None).expect_err("needs passphrase");
        assert_eq!(err.code(), "phrase_requise");

        let wrong = SecretString::from("wrong horse".to_owned());
        let err = SigningKey::from_file_text(text, Some(&wrong)).expect_err("wrong");
        assert_eq!(err.code(), "phrase_fausse");
        for shown in [err.to_string(), err.message_en(), format!("{err:?}")] {
            assert!(!shown.contains("wrong horse") && !shown.contains("correct horse"));
        }

        let sk = SigningKey::from_file_text(text, Some(&pass)).expect("opens");
        let shown = format!("{sk:?}");
        assert!(shown.contains(&keys.signing_key_id), "{shown}");
        let secret_line = text
            .expose_secret()
            .lines()
            .nth(1)
            .expect("line")
            .to_owned();
        assert!(!shown.contains(&secret_line[10..30]));

        let plain_keys = generate_keys(None).expect("keys");
        let err = SigningKey::from_file_text(&plain_keys.minisign_secret_file, Some(&pass))
            .expect_err("not protected");
        assert_eq!(err.code(), "phrase_inattendue");
    }

    #[test]
    fn bad_key_files() {
        let err = PublicKey::from_file_text("hello").expect_err("bad pk");
        assert_eq!(err.code(), "cle_publique_invalide");
        let err = SigningKey::from_file_text(&SecretString::from("x".to_owned()), None)
            .expect_err("bad sk");
        assert_eq!(err.code(), "cle_signature_invalide");
        let err = SigningKey::from_file_text(
            &SecretString::from("untrusted comment: x\n!!!!\n".to_owned()),
            None,
        )
        .expect_err("bad base64");
        assert_eq!(err.code(), "cle_signature_invalide");
    }

    #[test]
    fn key_id_is_little_endian_hex() {
        assert_eq!(
            key_id(&[0x87, 0x5C, 0x41, 0xD4, 0x1C, 0xAC, 0x6E, 0xBE]),
            "BE6EAC1CD4415C87"
        );
    }
}
