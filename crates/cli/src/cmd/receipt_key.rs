//! The authority's receipt signing key in `DATA/keys/`: created on first use, readable by its
//! owner only (0600), never printed or logged; used to sign receipts (`relais deposit`) and to
//! give or check their public key (`relais receipt`).

use crate::data::DataDir;
use anyhow::{Context, Result, anyhow};
use relais_documents::code::{ReceiptKey, Zeroizing, hex_id, public_key_text};
use std::io::Write;
use std::path::{Path, PathBuf};

pub(crate) const SECRET: &str = "receipt-signing.key";
pub(crate) const PUBLIC: &str = "receipt-signing.pub";

pub(crate) fn keys_dir(data: &DataDir) -> PathBuf {
    data.path.join("keys")
}

/// The signing key, created (0600, atomically, once even with concurrent first uses) when the
/// data folder has none yet.
pub(crate) fn signing_key(data: &DataDir) -> Result<ReceiptKey> {
    let dir = keys_dir(data);
    let path = dir.join(SECRET);
    if !path.exists() {
        create_key(&dir, &path)?;
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("lecture de la clé de signature {}", path.display()))?;
    let text = Zeroizing::new(text);
    let key = ReceiptKey::from_file_text(&text).map_err(|e| anyhow!("{} : {e}", path.display()))?;
    let public = dir.join(PUBLIC);
    if !public.exists() {
        crate::fsio::write_atomic(&public, public_key_text(&key.public()).as_bytes())?;
    }
    Ok(key)
}

fn create_key(dir: &Path, path: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("création de {}", dir.display()))?;
    let key = ReceiptKey::from_seed(&rand::random::<[u8; 32]>());
    let tmp = dir.join(format!(".{SECRET}.{}", std::process::id()));
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .with_context(|| format!("création de {}", tmp.display()))?;
        f.write_all(key.to_file_text().as_bytes())?;
        f.sync_all()?;
    }
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
    // A hard link fails if another process created the key first: the first key wins.
    let linked = std::fs::hard_link(&tmp, path);
    std::fs::remove_file(&tmp).ok();
    match linked {
        Ok(()) => {
            std::fs::File::open(dir).and_then(|d| d.sync_all()).ok();
            crate::fsio::write_atomic(
                &dir.join(PUBLIC),
                public_key_text(&key.public()).as_bytes(),
            )?;
            tracing::info!(key_id = %hex_id(&key.public()), "receipt signing key created");
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("création de {}", path.display())),
    }
}
