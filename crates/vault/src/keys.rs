//! Who can open a snapshot: age X25519 identities (secret, kept by the key holders) and their
//! recipients (public, listed one per line in a recipients file); and the generation of a new
//! holder's key set (an age identity and a minisign signing key pair).
//!
//! Only X25519 is accepted, the one recipient type every `age` implementation reads: an auditor
//! with the Debian `age` package must be able to open what we seal.

use crate::error::VaultError;
use crate::signing::key_id;
use age::secrecy::{ExposeSecret, SecretString};
use age::x25519;
use std::fmt;
use std::str::FromStr;

/// A public key a snapshot is encrypted to (`age1…`).
#[derive(Clone, PartialEq, Eq)]
pub struct Recipient(pub(crate) x25519::Recipient);

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recipient({})", self.0)
    }
}

/// A secret key that opens snapshots sealed to its recipient. Its `Debug` shows only the
/// recipient: the secret itself is never printed.
#[derive(Clone)]
pub struct Identity(pub(crate) x25519::Identity);

impl Identity {
    /// The public half, to append to a recipients file.
    pub fn recipient(&self) -> Recipient {
        Recipient(self.0.to_public())
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Identity(secret of {}, redacted)", self.0.to_public())
    }
}

/// The lines of a key file that carry data: not blank, not a `#` comment; with their 1-based
/// line numbers.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
}

/// Reads a recipients file: one `age1…` per line, `#` comments and blank lines allowed (the
/// format of `age -R`). Errors name the line but never repeat its text, since a line that is
/// not a recipient may be a secret pasted by mistake.
pub fn parse_recipients(text: &str) -> Result<Vec<Recipient>, VaultError> {
    let mut out: Vec<(usize, Recipient)> = Vec::new();
    for (line, data) in data_lines(text) {
        let recipient =
            parse_recipient_line(data).map_err(|(problem, problem_en)| VaultError::Recipient {
                line,
                problem: problem.into(),
                problem_en: problem_en.into(),
            })?;
        if let Some((first_line, _)) = out.iter().find(|(_, r)| *r == recipient) {
            return Err(VaultError::DuplicateRecipient {
                line,
                first_line: *first_line,
            });
        }
        out.push((line, recipient));
    }
    if out.is_empty() {
        return Err(VaultError::NoRecipients);
    }
    Ok(out.into_iter().map(|(_, r)| r).collect())
}

fn parse_recipient_line(data: &str) -> Result<Recipient, (&'static str, &'static str)> {
    if let Ok(r) = x25519::Recipient::from_str(data) {
        return Ok(Recipient(r));
    }
    let upper = data.to_ascii_uppercase();
    Err(if upper.starts_with("AGE-SECRET-KEY-") {
        (
            "c'est une identité SECRÈTE, pas un destinataire : retirez-la de ce fichier, ne la diffusez pas, et mettez ici sa clé publique (age1…)",
            "this is a SECRET identity, not a recipient: remove it and put its public key (age1…) instead",
        )
    } else if data.starts_with("ssh-") {
        (
            "clé SSH non prise en charge : seuls les destinataires age X25519 (age1…) le sont",
            "SSH keys are not supported: only age X25519 recipients (age1…)",
        )
    } else if data.starts_with("age1") {
        (
            "destinataire age d'un type non pris en charge ou mal recopié (seul X25519, age1… de 62 caractères, est accepté)",
            "unsupported or mistyped age recipient (only X25519, 62-character age1…)",
        )
    } else {
        (
            "ce n'est pas un destinataire age X25519 (age1…)",
            "not an age X25519 recipient (age1…)",
        )
    })
}

/// Reads an identity file as `age-keygen` writes it: `#` comments, blank lines, and one or more
/// `AGE-SECRET-KEY-1…` lines. Errors name the line only.
pub fn parse_identities(text: &SecretString) -> Result<Vec<Identity>, VaultError> {
    let mut out = Vec::new();
    for (line, data) in data_lines(text.expose_secret()) {
        let identity =
            x25519::Identity::from_str(data).map_err(|_| VaultError::Identity { line })?;
        out.push(Identity(identity));
    }
    if out.is_empty() {
        return Err(VaultError::NoIdentity);
    }
    Ok(out)
}

/// A new key holder's files, as text to be written by the caller (with restricted
/// permissions for the two secret ones).
pub struct GeneratedKeys {
    /// The age identity file (`AGE-SECRET-KEY-1…` with comment lines), as `age-keygen` writes.
    pub age_identity_file: SecretString,
    /// The matching recipient (`age1…`), to put in the recipients file.
    pub age_recipient: Recipient,
    /// The minisign public key file (`untrusted comment: …` then the key).
    pub minisign_public_file: String,
    /// The minisign secret key file, protected by the passphrase when one was given.
    pub minisign_secret_file: SecretString,
    /// The signing key's id, as minisign prints it (16 hexadecimal digits).
    pub signing_key_id: String,
    /// Whether the secret signing key is protected by a passphrase.
    pub signing_key_protected: bool,
}

impl fmt::Debug for GeneratedKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedKeys")
            .field("age_identity_file", &"(redacted)")
            .field("age_recipient", &self.age_recipient)
            .field("minisign_public_file", &self.minisign_public_file)
            .field("minisign_secret_file", &"(redacted)")
            .field("signing_key_id", &self.signing_key_id)
            .field("signing_key_protected", &self.signing_key_protected)
            .finish()
    }
}

/// Untrusted comment of the minisign secret key file we write (minisign shows it, never checks
/// it).
const SECRET_KEY_COMMENT: &str = "Relais snapshot signing key (minisign)";

/// Generates an age X25519 identity and a minisign Ed25519 key pair. With a passphrase, the
/// minisign secret key is encrypted with it (scrypt, as `minisign -G` does); without, it is
/// written unprotected, as `minisign -G -W` does.
pub fn generate_keys(passphrase: Option<&SecretString>) -> Result<GeneratedKeys, VaultError> {
    let identity = x25519::Identity::generate();
    let recipient = identity.to_public();
    let age_identity_file = SecretString::from(format!(
        "# Relais : identité de déchiffrement des instantanés (age X25519). SECRÈTE.\n\
         # public key: {recipient}\n{}\n",
        identity.to_string().expose_secret()
    ));

    let generation = |e: minisign::PError| VaultError::KeyGeneration(e.to_string());
    let pair = match passphrase {
        Some(p) if p.expose_secret().is_empty() => return Err(VaultError::EmptyPassphrase),
        // minisign takes the passphrase by value and does not wipe it: its copy lives only
        // for the time of the key derivation.
        Some(p) => {
            minisign::KeyPair::generate_encrypted_keypair(Some(p.expose_secret().to_owned()))
                .map_err(generation)?
        }
        None => minisign::KeyPair::generate_unencrypted_keypair().map_err(generation)?,
    };
    let minisign_public_file = pair.pk.to_box().map_err(generation)?.into_string();
    let minisign_secret_file = SecretString::from(
        pair.sk
            .to_box(Some(SECRET_KEY_COMMENT))
            .map_err(generation)?
            .into_string(),
    );
    Ok(GeneratedKeys {
        age_identity_file,
        age_recipient: Recipient(recipient),
        minisign_public_file,
        minisign_secret_file,
        signing_key_id: key_id(pair.pk.keynum()),
        signing_key_protected: passphrase.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const R1: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

    #[test]
    fn recipients_file_with_comments_and_blank_lines() {
        let text = format!("# holders\n\n{R1}\n  # another\n");
        let r = parse_recipients(&text).expect("valid");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].to_string(), R1);
    }

    #[test]
    fn recipients_errors_name_the_line_not_the_text() {
        let err = parse_recipients(&format!("{R1}\nnot a key\n")).expect_err("bad line");
        assert_eq!(err.code(), "destinataire_invalide");
        assert!(err.to_string().contains("ligne 2"), "{err}");
        assert!(!err.to_string().contains("not a key"));

        let id = x25519::Identity::generate();
        let secret = id.to_string().expose_secret().to_owned();
        let err = parse_recipients(&format!("{R1}\n{secret}\n")).expect_err("secret");
        assert!(err.to_string().contains("SECRÈTE"), "{err}");
        assert!(!err.to_string().contains(&secret));
        assert!(!err.message_en().contains(&secret));
        assert!(!format!("{err:?}").contains(&secret));

        let err = parse_recipients(&format!("{R1}\n\n{R1}\n")).expect_err("twice");
        assert_eq!(err.code(), "destinataire_double");
        assert!(err.to_string().contains("ligne 3") && err.to_string().contains("ligne 1"));

        assert_eq!(
            parse_recipients("# nobody\n").expect_err("empty").code(),
            "aucun_destinataire"
        );
        assert_eq!(
            parse_recipients("ssh-ed25519 AAAA x")
                .expect_err("ssh")
                .code(),
            "destinataire_invalide"
        );
    }

    #[test]
    fn identity_file_errors_never_show_the_secret() {
        let id = x25519::Identity::generate();
        let secret = id.to_string().expose_secret().to_owned();
        // One character changed (to another one: Bech32 then always fails its checksum):
        // still secret material, must not be echoed.
        let other = if secret.ends_with('X') { 'Q' } else { 'X' };
        let damaged = format!("{}{other}", &secret[..secret.len() - 1]);
        let err = parse_identities(&SecretString::from(format!("# c\n{damaged}\n")))
            .expect_err("damaged");
        assert_eq!(err.code(), "identite_invalide");
        assert!(err.to_string().contains("ligne 2"));
        for shown in [err.to_string(), err.message_en(), format!("{err:?}")] {
            assert!(!shown.contains(&damaged[20..]), "{shown}");
        }
        assert_eq!(
            parse_identities(&SecretString::from("# only comments\n".to_owned()))
                .expect_err("none")
                .code(),
            "aucune_identite"
        );
    }

    #[test]
    fn generated_keys_read_back_and_hide_secrets_in_debug() {
        let keys = generate_keys(None).expect("keys");
        let ids = parse_identities(&keys.age_identity_file).expect("identity file");
        assert_eq!(ids.len(), 1);
        assert_eq!(ids[0].recipient(), keys.age_recipient);
        let recipients = parse_recipients(&keys.age_recipient.to_string()).expect("recipient");
        assert_eq!(recipients[0], keys.age_recipient);

        let secret_line = keys
            .age_identity_file
            .expose_secret()
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-"))
            .expect("secret line")
            .to_owned();
        let minisign_secret = keys
            .minisign_secret_file
            .expose_secret()
            .lines()
            .nth(1)
            .expect("key line")
            .to_owned();
        for shown in [format!("{keys:?}"), format!("{:?}", ids[0])] {
            assert!(!shown.contains(&secret_line), "{shown}");
            assert!(!shown.contains(&minisign_secret), "{shown}");
        }
        assert!(!keys.signing_key_protected);
        assert_eq!(keys.signing_key_id.len(), 16);
    }

    #[test]
    fn empty_passphrase_is_refused() {
        let err = generate_keys(Some(&SecretString::from(String::new()))).expect_err("empty");
        assert_eq!(err.code(), "phrase_vide");
    }
}
