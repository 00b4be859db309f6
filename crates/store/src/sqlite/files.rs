//! The database's files on disk: `relais.db`, its `-wal` and `-shm` hold every person's data
//! and the sessions, so they are created readable by their owner only (0600), in a folder
//! only its owner may list (0700), like the keys.

use crate::StoreError;
use std::path::{Path, PathBuf};

/// The files SQLite writes beside the database in WAL mode.
const COMPANIONS: [&str; 2] = ["-wal", "-shm"];

/// Before SQLite opens `path`: a missing folder is created 0700, a missing database file
/// 0600 (SQLite gives its `-wal` and `-shm` the database file's permissions). When the
/// database is new, a folder open to others is closed to them (never a shared one, such as
/// `/tmp`, whose sticky bit says others' files live there too).
pub(crate) fn prepare(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
        let failed = |p: &Path| {
            let path = p.display().to_string();
            move |source| StoreError::Files { path, source }
        };
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !folder.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&folder)
                .map_err(failed(&folder))?;
        }
        if path.exists() {
            tighten(path);
            return Ok(());
        }
        let mode = std::fs::metadata(&folder)
            .map_err(failed(&folder))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 && mode & 0o1000 == 0 {
            std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700))
                .map_err(failed(&folder))?;
        }
        // Another process may create it between the check and here: theirs is as good.
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(failed(path)(e)),
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// After SQLite opened `path`: its files, and a database made by an older version with
/// wider permissions, become 0600. Best effort: a file of another owner (a command run as
/// another user on a copy) is left as it is, and the database still opens.
pub(crate) fn tighten(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut files = vec![path.to_path_buf()];
        files.extend(COMPANIONS.iter().map(|suffix| companion(path, suffix)));
        for file in files {
            let Ok(meta) = std::fs::metadata(&file) else {
                continue;
            };
            if meta.permissions().mode() & 0o077 != 0 {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).ok();
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// `relais.db-wal` beside `relais.db`.
fn companion(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::SqliteStore;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0)
    }

    #[test]
    fn the_database_its_wal_and_shm_are_0600_in_a_0700_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        let db = dir.path().join("donnees").join("relais.db");
        let store = SqliteStore::open(&db).expect("open");
        // A write, so that the WAL and its index exist.
        store
            .raw_connection()
            .execute("INSERT INTO meta (key, value) VALUES ('essai', 'x')", [])
            .expect("write");
        assert_eq!(mode(&dir.path().join("donnees")), 0o700);
        for name in ["relais.db", "relais.db-wal", "relais.db-shm"] {
            let p = dir.path().join("donnees").join(name);
            assert!(p.exists(), "{name}");
            assert_eq!(mode(&p), 0o600, "{name}");
        }
        drop(store);

        // An existing folder is closed when the database is created in it; a database
        // made wider by hand (or by an older version) is tightened when opened.
        let db = dir.path().join("relais.db");
        SqliteStore::open(&db).expect("open");
        assert_eq!(mode(dir.path()), 0o700);
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        SqliteStore::open(&db).expect("open again");
        assert_eq!(mode(&db), 0o600);
    }

    #[test]
    fn a_shared_folder_is_left_as_it_is() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777))
            .expect("chmod");
        let db = dir.path().join("relais.db");
        SqliteStore::open(&db).expect("open");
        assert_eq!(mode(dir.path()), 0o1777);
        assert_eq!(mode(&db), 0o600);
    }
}
