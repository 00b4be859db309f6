//! Passwords: read from a file (never from an argument, which other users can see in the
//! process list), hashed with Argon2id, generated for the demo.

use anyhow::{Context, Result, bail};
use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
use rand::Rng;
use std::path::Path;

/// Minimum length: a crisis machine is reachable from every site's LAN.
const MIN_LEN: usize = 12;

pub fn read_password_file(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("lecture du fichier de mot de passe {}", path.display()))?;
    let password = text.trim_end_matches(['\n', '\r']).to_owned();
    if password.chars().count() < MIN_LEN {
        bail!(
            "le mot de passe de {} est trop court ({MIN_LEN} caractères au moins)",
            path.display()
        );
    }
    Ok(password)
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
