//! The receipt's signed code: a compact binary summary of the deposit, signed with the
//! authority's Ed25519 key, written in Crockford base32 in groups of four. The same text is
//! printed on the receipt and carried by its QR code, and `relais receipt verify` checks it with
//! the public key alone (docs/receipts.md).

pub use ed25519_dalek::VerifyingKey;
use ed25519_dalek::{Signature, Signer, SigningKey};
use jiff::Timestamp;
use relais_core::deposits::{ChronoNumber, DepositKind};
use sha2::{Digest, Sha256};
pub use zeroize::Zeroizing;

/// Layout version 1: 26 bytes of summary, then 64 bytes of signature.
const VERSION: u8 = 1;
const SUMMARY_LEN: usize = 26;
const CODE_LEN: usize = SUMMARY_LEN + 64;
/// Signed together with the summary, so that a signature made for anything else never fits.
const DOMAIN: &[u8] = b"relais-receipt-v1";
const GROUP: usize = 4;

/// The facts a receipt's code carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptSummary {
    pub number: ChronoNumber,
    /// To the second.
    pub received_at: Timestamp,
    pub kind: DepositKind,
    pub pages: u32,
    /// The first 8 bytes of SHA-256 of the depositor's folded name ([`depositor_digest`]).
    pub depositor_digest: [u8; 8],
}

impl ReceiptSummary {
    /// The summary of a registered deposit, signed into its receipt's code.
    pub fn of(d: &relais_core::deposits::Deposit) -> ReceiptSummary {
        ReceiptSummary {
            number: d.number,
            received_at: Timestamp::from_second(d.received_at.as_second()).unwrap_or(d.received_at),
            kind: d.facts.kind,
            pages: d.facts.pages,
            depositor_digest: depositor_digest(&d.facts.depositor),
        }
    }
}

/// The digest of a depositor's name under which `Mme DURAND` and `mme Durand` meet (accents,
/// case and spacing folded), so that the printed name can be checked against the code.
pub fn depositor_digest(name: &str) -> [u8; 8] {
    let mut h = Sha256::new();
    h.update(b"relais-depositor\0");
    h.update(relais_core::text::search_key(name).as_bytes());
    let d = h.finalize();
    let mut out = [0u8; 8];
    out.copy_from_slice(&d[..8]);
    out
}

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

    /// Signs `summary`: the code to print, in groups of four characters.
    pub fn sign(&self, summary: &ReceiptSummary) -> String {
        let body = encode_summary(summary, &key_id(&self.public()));
        let signature = self.0.sign(&signed_message(&body));
        let mut all = Vec::with_capacity(CODE_LEN);
        all.extend_from_slice(&body);
        all.extend_from_slice(&signature.to_bytes());
        group(&base32::encode(base32::Alphabet::Crockford, &all))
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

fn encode_summary(s: &ReceiptSummary, key_id: &[u8; 4]) -> [u8; SUMMARY_LEN] {
    let mut b = [0u8; SUMMARY_LEN];
    b[0] = VERSION;
    b[1..5].copy_from_slice(key_id);
    b[5..7].copy_from_slice(&(s.number.year() as u16).to_be_bytes());
    b[7..10].copy_from_slice(&s.number.seq().to_be_bytes()[1..]);
    // Seconds since 1970 on 40 bits: enough until the year 36812.
    let secs = u64::try_from(s.received_at.as_second()).unwrap_or(0);
    b[10..15].copy_from_slice(&secs.to_be_bytes()[3..]);
    b[15] = s.kind.code();
    b[16..18].copy_from_slice(&u16::try_from(s.pages).unwrap_or(u16::MAX).to_be_bytes());
    b[18..26].copy_from_slice(&s.depositor_digest);
    b
}

fn decode_summary(b: &[u8]) -> Option<ReceiptSummary> {
    let year = u16::from_be_bytes([*b.get(5)?, *b.get(6)?]);
    let seq = u32::from_be_bytes([0, *b.get(7)?, *b.get(8)?, *b.get(9)?]);
    let mut secs = [0u8; 8];
    secs[3..].copy_from_slice(b.get(10..15)?);
    let received_at = Timestamp::from_second(i64::try_from(u64::from_be_bytes(secs)).ok()?).ok()?;
    let mut depositor_digest = [0u8; 8];
    depositor_digest.copy_from_slice(b.get(18..26)?);
    Some(ReceiptSummary {
        number: ChronoNumber::new(i16::try_from(year).ok()?, seq)?,
        received_at,
        kind: DepositKind::from_code(*b.get(15)?)?,
        pages: u32::from(u16::from_be_bytes([*b.get(16)?, *b.get(17)?])),
        depositor_digest,
    })
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

/// Checks a code as printed (spaces, dashes, case, and the look-alikes O/0, I/L/1 do not
/// matter) against the authority's public key, with no network.
pub fn verify(code: &str, key: &VerifyingKey) -> Result<ReceiptSummary, VerifyError> {
    let compact: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let bytes = base32::decode(base32::Alphabet::Crockford, &compact)
        .filter(|b| b.len() == CODE_LEN && compact.len() == CODE_LEN * 8 / 5)
        .ok_or(VerifyError::Unreadable)?;
    let (body, sig) = bytes.split_at(SUMMARY_LEN);
    if body.first() != Some(&VERSION) {
        return Err(VerifyError::Unreadable);
    }
    if body.get(1..5) != Some(&key_id(key)[..]) {
        return Err(VerifyError::OtherKey);
    }
    let sig: [u8; 64] = sig.try_into().map_err(|_| VerifyError::Unreadable)?;
    key.verify_strict(&signed_message(body), &Signature::from_bytes(&sig))
        .map_err(|_| VerifyError::Altered)?;
    decode_summary(body).ok_or(VerifyError::Altered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> ReceiptSummary {
        ReceiptSummary {
            number: ChronoNumber::new(2026, 123).expect("n"),
            received_at: "2026-11-23T09:15:42Z".parse().expect("ts"),
            kind: DepositKind::Facture,
            pages: 3,
            depositor_digest: depositor_digest("SARL Dupont & Fils"),
        }
    }

    #[test]
    fn a_signed_code_verifies_and_gives_back_the_facts() {
        let key = ReceiptKey::from_seed(&[7u8; 32]);
        let code = key.sign(&summary());
        assert_eq!(code.chars().filter(|c| *c != '-').count(), 144);
        assert_eq!(verify(&code, &key.public()), Ok(summary()));
        // As typed: lower case, spaces instead of dashes, O for 0.
        let typed = code.to_lowercase().replace('-', " ").replace('0', "o");
        assert_eq!(verify(&typed, &key.public()), Ok(summary()));
        assert_eq!(
            depositor_digest("sarl dupont & fils "),
            summary().depositor_digest
        );
    }

    #[test]
    fn any_changed_character_is_caught() {
        let key = ReceiptKey::from_seed(&[7u8; 32]);
        let code = key.sign(&summary());
        let chars: Vec<char> = code.chars().collect();
        for i in (0..chars.len()).filter(|&i| chars[i] != '-') {
            let mut altered = chars.clone();
            altered[i] = if chars[i] == 'Z' { 'Y' } else { 'Z' };
            let altered: String = altered.into_iter().collect();
            assert!(verify(&altered, &key.public()).is_err(), "position {i}");
        }
        assert_eq!(verify("ABCD", &key.public()), Err(VerifyError::Unreadable));
        assert_eq!(
            verify(&code.replacen('-', "U", 1), &key.public()),
            Err(VerifyError::Unreadable)
        );
    }

    #[test]
    fn another_authoritys_key_is_refused() {
        let ours = ReceiptKey::from_seed(&[7u8; 32]);
        let theirs = ReceiptKey::from_seed(&[8u8; 32]);
        let code = theirs.sign(&summary());
        assert_eq!(verify(&code, &ours.public()), Err(VerifyError::OtherKey));
    }

    #[test]
    fn keys_read_back_and_never_show_the_secret() {
        let key = ReceiptKey::from_seed(&[9u8; 32]);
        let again = ReceiptKey::from_file_text(&key.to_file_text()).expect("read back");
        assert_eq!(again.public(), key.public());
        let public = parse_public_key(&public_key_text(&key.public())).expect("public");
        assert_eq!(public, key.public());
        let debug = format!("{key:?}");
        assert!(!debug.contains(&to_hex(&[9u8; 32])), "{debug}");
        assert!(debug.contains("redacted"));
        assert_eq!(
            ReceiptKey::from_file_text("zz").err(),
            Some(KeyError::Unreadable)
        );
    }
}
