//! The authority's receipt signing key in `DATA/keys/`: created on first use (0600, atomically,
//! once even with concurrent first uses), never printed or logged; its public key beside it,
//! for whoever checks a receipt.

use crate::data::DataDir;
use crate::error::{AppError, IoAction};
use relais_documents::code::{
    ReceiptKey, VerifyingKey, Zeroizing, hex_id, parse_public_key, public_key_text,
};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const SECRET: &str = "receipt-signing.key";
pub const PUBLIC: &str = "receipt-signing.pub";

impl DataDir {
    /// `DATA/keys/`: the receipt signing key and its public key.
    pub fn keys_path(&self) -> PathBuf {
        self.path.join("keys")
    }

    /// The receipt signing key, created when the data folder has none yet (with its public
    /// key file, written again if it went missing).
    pub fn receipt_key(&self) -> Result<ReceiptKey, AppError> {
        let dir = self.keys_path();
        let path = dir.join(SECRET);
        if !path.exists() {
            create_key(&dir, &path)?;
        }
        let text = std::fs::read_to_string(&path).map_err(|source| AppError::KeyUnreadable {
            path: path.clone(),
            source,
        })?;
        let text = Zeroizing::new(text);
        let key = ReceiptKey::from_file_text(&text).map_err(|e| AppError::KeyInvalid {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let public = dir.join(PUBLIC);
        if !public.exists() {
            crate::fsio::write_atomic(&public, public_key_text(&key.public()).as_bytes())?;
        }
        Ok(key)
    }

    /// The public key of the receipts signed here, as its file says (none before the first).
    pub fn receipt_public_key(&self) -> Result<VerifyingKey, AppError> {
        let path = self.keys_path().join(PUBLIC);
        let text = std::fs::read_to_string(&path).map_err(|source| AppError::NoPublicKey {
            path: path.clone(),
            source,
        })?;
        parse_public_key(&text).map_err(|e| AppError::KeyInvalid {
            path,
            message: e.to_string(),
        })
    }
}

/// A public key given as a file (`relais receipt verify --pubkey FILE`).
pub fn public_key_file(file: &Path) -> Result<VerifyingKey, AppError> {
    let text = std::fs::read_to_string(file).map_err(|e| AppError::io(IoAction::Read, file, e))?;
    parse_public_key(&text).map_err(|e| AppError::KeyInvalid {
        path: file.to_owned(),
        message: e.to_string(),
    })
}

fn create_key(dir: &Path, path: &Path) -> Result<(), AppError> {
    let key = ReceiptKey::from_seed(&rand::random::<[u8; 32]>());
    let secret = Zeroizing::new(key.to_file_text());
    let public = public_key_text(&key.public());
    if create_once(dir, path, secret.as_bytes(), (PUBLIC, public.as_bytes()))? {
        tracing::info!(key_id = %hex_id(&key.public()), "receipt signing key created");
    }
    Ok(())
}

/// Writes the secret key file `path` in `dir` (0700) unless it exists, readable by its owner
/// only and synced, with its public key file beside it; `false` when another process made the
/// key first (the first key wins: its public key is left as it is).
pub(crate) fn create_once(
    dir: &Path,
    path: &Path,
    secret: &[u8],
    (public_name, public): (&str, &[u8]),
) -> Result<bool, AppError> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| AppError::io(IoAction::Create, dir, e))?;
    let name = path
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy());
    let tmp = dir.join(format!(".{name}.{}", std::process::id()));
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| AppError::io(IoAction::Create, &tmp, e))?;
        f.write_all(secret)
            .and_then(|()| f.sync_all())
            .map_err(|e| AppError::io(IoAction::Write, &tmp, e))?;
    }
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| AppError::io(IoAction::Write, &tmp, e))?;
    // A hard link fails if another process created the key first: the first key wins.
    let linked = std::fs::hard_link(&tmp, path);
    std::fs::remove_file(&tmp).ok();
    match linked {
        Ok(()) => {
            std::fs::File::open(dir).and_then(|d| d.sync_all()).ok();
            crate::fsio::write_atomic(&dir.join(public_name), public)?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(AppError::io(IoAction::Create, path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_key_is_made_once_readable_by_its_owner_only_with_its_public_key() {
        let dir = tempfile::tempdir().expect("dir");
        let data = DataDir::new(dir.path());
        let key = data.receipt_key().expect("key");
        let mode = std::fs::metadata(data.keys_path().join(SECRET))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = data.receipt_key().expect("again");
        assert_eq!(key.public(), again.public());
        assert_eq!(data.receipt_public_key().expect("public"), key.public());
    }

    #[test]
    fn no_public_key_before_the_first_receipt_is_said() {
        let dir = tempfile::tempdir().expect("dir");
        let e = DataDir::new(dir.path())
            .receipt_public_key()
            .expect_err("none");
        assert!(
            e.french()
                .contains("(aucun récépissé n'a encore été signé ici ?)"),
            "{}",
            e.french()
        );
    }
}
