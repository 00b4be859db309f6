//! The receipt's signed code: a compact binary summary of the deposit ([`summary`]), signed with
//! the authority's Ed25519 key, written in Crockford base32 in groups of four. The same text is
//! printed on the receipt and carried by its QR code, and `relais receipt verify` checks it with
//! the public key alone (docs/receipts.md).

mod summary;

pub use ed25519_dalek::VerifyingKey;
use ed25519_dalek::{Signature, Signer, SigningKey};
use sha2::{Digest, Sha256};
pub use summary::{
    BoundFacts, FACTS_AT, ReceiptSummary, depositor_digest, dossier_digest, invoice_number_digest,
    missing_digest,
};
pub use zeroize::Zeroizing;

/// Signed together with the summary, so that a signature made for anything else never fits.
/// (Unchanged in version 2: the version byte is part of what is signed.)
const DOMAIN: &[u8] = b"relais-receipt-v1";
const SIGNATURE_LEN: usize = 64;
const GROUP: usize = 4;

/// The authority's receipt signing key. Its `Debug` shows only the public key's id.
pub struct ReceiptKey(SigningKey);

impl std::fmt::Debug for ReceiptKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ReceiptKey(id {}, secret <redacted>)",
            hex_id(&self.public())
        )
    }
}

/// Why a key file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("clé illisible (attendu 64 caractères hexadécimaux)")]
    Unreadable,
    #[error("clé publique invalide")]
    InvalidPublic,
}

fn parse_hex32(text: &str) -> Option<Zeroizing<[u8; 32]>> {
    let t = text.trim();
    if t.len() != 64 {
        return None;
    }
    let mut out = Zeroizing::new([0u8; 32]);
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(t.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const PUBLIC_PREFIX: &str = "relais-recepisse-ed25519:";

impl ReceiptKey {
    /// A key from 32 random bytes supplied by the caller (this crate reads no randomness).
    pub fn from_seed(seed: &[u8; 32]) -> ReceiptKey {
        ReceiptKey(SigningKey::from_bytes(seed))
    }

    /// Reads the secret key file's text (64 hex digits).
    pub fn from_file_text(text: &str) -> Result<ReceiptKey, KeyError> {
        let seed = parse_hex32(text).ok_or(KeyError::Unreadable)?;
        Ok(ReceiptKey::from_seed(&seed))
    }

    /// The secret key file's text. Wiped from memory when dropped.
    pub fn to_file_text(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("{}\n", to_hex(self.0.as_bytes())))
    }

    pub fn public(&self) -> VerifyingKey {
        self.0.verifying_key()
    }

    /// Signs `summary` (always in the current layout, version 2): the code to print, in groups
    /// of four characters.
    pub fn sign(&self, facts: &ReceiptSummary) -> String {
        let body = summary::encode(facts, &key_id(&self.public()));
        let signature = self.0.sign(&signed_message(&body));
        let mut all = Vec::with_capacity(body.len() + SIGNATURE_LEN);
        all.extend_from_slice(&body);
        all.extend_from_slice(&signature.to_bytes());
        code_from_bytes(&all)
    }
}

/// The public key as exported (`relais receipt pubkey`): one line.
pub fn public_key_text(key: &VerifyingKey) -> String {
    format!("{PUBLIC_PREFIX}{}\n", to_hex(key.as_bytes()))
}

/// Reads an exported public key (the line above, or the 64 hex digits alone).
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, KeyError> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .ok_or(KeyError::Unreadable)?;
    let hex = line.strip_prefix(PUBLIC_PREFIX).unwrap_or(line);
    let bytes = parse_hex32(hex).ok_or(KeyError::Unreadable)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::InvalidPublic)
}

/// The first four bytes of SHA-256 of the public key: names the key in the code.
fn key_id(key: &VerifyingKey) -> [u8; 4] {
    let d = Sha256::digest(key.as_bytes());
    [d[0], d[1], d[2], d[3]]
}

/// The key's id, for display (`3FA2C901`).
pub fn hex_id(key: &VerifyingKey) -> String {
    to_hex(&key_id(key)).to_uppercase()
}

fn signed_message(body: &[u8]) -> Vec<u8> {
    [DOMAIN, body].concat()
}

fn group(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    chars
        .chunks(GROUP)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The code split into lines of `groups` groups, for printing.
pub fn code_lines(code: &str, groups: usize) -> Vec<String> {
    let parts: Vec<&str> = code.split('-').collect();
    parts.chunks(groups.max(1)).map(|c| c.join("-")).collect()
}

/// Why a code is not a genuine receipt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("faux : code illisible (caractère non valable ou longueur inattendue)")]
    Unreadable,
    #[error("faux : ce récépissé n'a pas été signé avec la clé de cette collectivité")]
    OtherKey,
    #[error("modifié : la signature ne correspond pas au contenu du code")]
    Altered,
}

/// The bytes of a code as printed (spaces, dashes, case, and the look-alikes O/0, I/L/1 do
/// not matter); `None` when it is not Crockford base32 of a whole number of bytes.
pub fn code_bytes(code: &str) -> Option<Vec<u8>> {
    let compact: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    base32::decode(base32::Alphabet::Crockford, &compact)
        .filter(|b| compact.len() == b.len() * 8 / 5 && (b.len() * 8) % 5 == 0)
}

/// The printed form of a code's bytes, in groups of four.
pub fn code_from_bytes(bytes: &[u8]) -> String {
    group(&base32::encode(base32::Alphabet::Crockford, bytes))
}

/// Checks a code as printed against the authority's public key, with no network. Codes of
/// either layout (version 1, before issue #19, and 2) are read.
pub fn verify(code: &str, key: &VerifyingKey) -> Result<ReceiptSummary, VerifyError> {
    let bytes = code_bytes(code).ok_or(VerifyError::Unreadable)?;
    let body_len = match bytes.first() {
        Some(1) => summary::V1_LEN,
        Some(2) => summary::V2_LEN,
        _ => return Err(VerifyError::Unreadable),
    };
    if bytes.len() != body_len + SIGNATURE_LEN {
        return Err(VerifyError::Unreadable);
    }
    let (body, sig) = bytes.split_at(body_len);
    if body.get(1..5) != Some(&key_id(key)[..]) {
        return Err(VerifyError::OtherKey);
    }
    let sig: [u8; 64] = sig.try_into().map_err(|_| VerifyError::Unreadable)?;
    key.verify_strict(&signed_message(body), &Signature::from_bytes(&sig))
        .map_err(|_| VerifyError::Altered)?;
    summary::decode(body).ok_or(VerifyError::Altered)
}

#[cfg(test)]
mod tests;
