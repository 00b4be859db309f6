//! Passwords: read from a file (never from an argument, which other users can see in the
//! process list), hashed with Argon2id, generated for the demo.

use anyhow::{Context, Result, bail};
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use rand::Rng;
use std::path::Path;

/// Minimum length: a crisis machine is reachable from every site's LAN.
const MIN_LEN: usize = 12;

/// A new password, from its file: at least [`MIN_LEN`] characters.
pub fn read_password_file(path: &Path) -> Result<String> {
    let password = read_secret_file(path)?;
    if password.chars().count() < MIN_LEN {
        bail!(
            "le mot de passe de {} est trop court ({MIN_LEN} caractères au moins)",
            path.display()
        );
    }
    Ok(password)
}

/// Whether `password` matches the PHC string `hash` (false for a malformed hash), as the web's
/// sign-in checks it.
pub fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A password as written in its file (the line's end dropped), whatever its length: the one of
/// an existing account, checked against its hash.
pub fn read_secret_file(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("lecture du fichier de mot de passe {}", path.display()))?;
    Ok(text.trim_end_matches(['\n', '\r']).to_owned())
}

pub fn hash(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hachage du mot de passe : {e}"))
}

/// 20 characters from an alphabet without look-alikes (0/O, 1/l/I), ~114 bits.
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_hash_only() {
        let h = hash("correct horse battery").expect("hash");
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterY", &h));
        assert!(!verify("x", "not a hash"));
        assert!(!verify("", "-"));
    }
}
