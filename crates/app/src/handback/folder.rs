//! The export's folder: written in a private temporary folder beside the one asked, then
//! renamed, so that the folder either holds a whole export or does not exist.

use crate::error::{AppError, IoAction};
use std::path::{Path, PathBuf};

/// A temporary folder (0700) beside `dir`, removed unless renamed.
pub(super) struct Staging {
    pub tmp: tempfile::TempDir,
    pub target: PathBuf,
}

/// Refuses an existing non-empty `dir`; stages beside it.
pub(super) fn stage(dir: &Path) -> Result<Staging, AppError> {
    if dir.exists() {
        let mut entries =
            std::fs::read_dir(dir).map_err(|e| AppError::io(IoAction::Read, dir, e))?;
        if entries.next().is_some() {
            return Err(AppError::Handback(format!(
                "le dossier {} existe et n'est pas vide : choisissez un dossier nouveau (un export n'écrase rien)",
                dir.display()
            )));
        }
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.tmp"))
        .tempdir_in(&parent)
        .map_err(|e| AppError::io(IoAction::CreateFolder, &parent, e))?;
    private_dir(tmp.path())?;
    Ok(Staging {
        tmp,
        target: dir.to_owned(),
    })
}

pub(super) fn private_dir(path: &Path) -> Result<(), AppError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| AppError::io(IoAction::Permissions, path, e))?;
    }
    Ok(())
}

pub(super) fn private_file(path: &Path) -> Result<(), AppError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| AppError::io(IoAction::Permissions, path, e))?;
    }
    Ok(())
}

/// A new file, readable by its owner only.
pub(super) fn create_private(path: &Path) -> Result<std::fs::File, AppError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .map_err(|e| AppError::io(IoAction::Create, path, e))
}

impl Staging {
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Renames the staged folder to the target (an empty target is replaced).
    pub fn commit(self) -> Result<PathBuf, AppError> {
        let Staging { tmp, target } = self;
        if target.exists() {
            std::fs::remove_dir(&target).map_err(|e| AppError::io(IoAction::Rename, &target, e))?;
        }
        crate::fsio::sync_filesystem(tmp.path())?;
        let path = tmp.keep();
        std::fs::rename(&path, &target).map_err(|e| AppError::io(IoAction::Rename, &target, e))?;
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            crate::fsio::sync_filesystem(parent)?;
        }
        Ok(target)
    }
}
