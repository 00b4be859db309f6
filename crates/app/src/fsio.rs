//! Files written atomically, and the direct-I/O writer of the payment files: what both front
//! ends write in the data folder goes through here.

use crate::error::{AppError, IoAction};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file being written that appears under its final name only when complete: a temporary
/// file in the same folder, fsync, rename, fsync of the folder. Dropped without `commit`, it
/// leaves nothing behind.
pub struct AtomicFile {
    path: PathBuf,
    dir: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile, AppError> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(|e| AppError::io(IoAction::CreateFolder, &dir, e))?;
        let tmp = tempfile::NamedTempFile::new_in(&dir)
            .map_err(|e| AppError::io(IoAction::TemporaryFile, &dir, e))?;
        Ok(AtomicFile {
            path: path.to_owned(),
            dir,
            tmp,
        })
    }

    pub fn file(&mut self) -> &mut File {
        self.tmp.as_file_mut()
    }

    /// The file, for writing through `&File` (from another thread).
    pub fn handle(&self) -> &File {
        self.tmp.as_file()
    }

    pub fn commit(self) -> Result<(), AppError> {
        let AtomicFile { path, dir, tmp } = self;
        tmp.as_file()
            .sync_all()
            .map_err(|e| AppError::io(IoAction::Sync, &path, e))?;
        tmp.persist(&path)
            .map_err(|e| AppError::io(IoAction::Rename, &path, e.error))?;
        File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| AppError::io(IoAction::SyncFolder, &dir, e))?;
        Ok(())
    }
}

/// Writes `path` whole under its final name (a temporary file renamed), without syncing it:
/// for thousands of small files (the payslips) that [`sync_filesystem`] then syncs together —
/// two fsyncs each would cost more than writing them.
pub fn write_unsynced(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let mut file = AtomicFile::create(path)?;
    file.file()
        .write_all(bytes)
        .map_err(|e| AppError::io(IoAction::Write, path, e))?;
    file.tmp
        .persist(path)
        .map_err(|e| AppError::io(IoAction::Rename, path, e.error))?;
    Ok(())
}

/// Syncs the filesystem that holds `dir` (`syncfs`): every file written there is on disk.
pub fn sync_filesystem(dir: &Path) -> Result<(), AppError> {
    let d = File::open(dir).map_err(|e| AppError::io(IoAction::SyncFolder, dir, e))?;
    rustix::fs::syncfs(&d).map_err(|e| AppError::io(IoAction::SyncFolder, dir, e.into()))?;
    Ok(())
}

/// Writes `path` so that it holds either its old content or all of `bytes`, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Like [`write_atomic`], with the content streamed by `fill`.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), AppError> {
    let mut file = AtomicFile::create(path)?;
    {
        let mut w = std::io::BufWriter::new(file.file());
        fill(&mut w).map_err(|e| AppError::io(IoAction::Write, path, e))?;
        w.flush()
            .map_err(|e| AppError::io(IoAction::Write, path, e))?;
    }
    file.commit()
}

/// Alignment of direct I/O: of the memory written from, the file offset and the length
/// (4,096 covers disks of 512- and 4,096-byte sectors).
const DIRECT_ALIGN: usize = 4096;
/// Bytes gathered before each direct write (a multiple of [`DIRECT_ALIGN`]).
const DIRECT_BUFFER: usize = 1 << 20;

/// Writes a large file by direct I/O (`O_DIRECT`): from an aligned buffer straight to the
/// disk, without copying a gigabyte into the system's page cache first (which, for a PES
/// file, cost more CPU than checking it, and under memory pressure more time than the disk
/// itself). The last partial block is written the ordinary way. Where the file system refuses
/// direct I/O (tmpfs, some network mounts), every write is ordinary: the bytes are the same.
/// Syncing is the caller's ([`AtomicFile::commit`]).
pub struct DirectWriter<'f> {
    file: &'f File,
    /// `DIRECT_BUFFER` bytes from `start` are aligned; the rest is slack for the alignment.
    buf: Vec<u8>,
    start: usize,
    len: usize,
    direct: bool,
    /// One `write` of whole blocks (a test makes it refuse, or write in part).
    write_direct: fn(&File, &[u8]) -> std::io::Result<usize>,
}

impl<'f> DirectWriter<'f> {
    /// Writes `file` (empty, just created) by direct I/O if its file system allows it.
    pub fn new(file: &'f File) -> DirectWriter<'f> {
        let mut w = DirectWriter::ordinary(file);
        w.direct = w.start < DIRECT_ALIGN && set_direct(file, true).is_ok();
        w
    }

    /// Writes `file` the ordinary way.
    pub fn ordinary(file: &'f File) -> DirectWriter<'f> {
        let buf = vec![0u8; DIRECT_BUFFER + DIRECT_ALIGN];
        let start = buf.as_ptr().align_offset(DIRECT_ALIGN);
        DirectWriter {
            file,
            buf,
            start,
            len: 0,
            direct: false,
            write_direct: |mut file, bytes| file.write(bytes),
        }
    }

    /// Whether the file is written by direct I/O.
    pub fn is_direct(&self) -> bool {
        self.direct
    }

    pub fn write_all(&mut self, mut data: &[u8]) -> std::io::Result<()> {
        if !self.direct {
            return (&mut &*self.file).write_all(data);
        }
        while !data.is_empty() {
            let at = self.start + self.len;
            let n = (DIRECT_BUFFER - self.len).min(data.len());
            let (now, later) = data.split_at(n);
            self.buf
                .get_mut(at..at + n)
                .ok_or_else(|| std::io::Error::other("direct write buffer"))?
                .copy_from_slice(now);
            self.len += n;
            data = later;
            if self.len == DIRECT_BUFFER {
                self.write_blocks()?;
                if !self.direct {
                    // Fallen back: the rest goes the ordinary way.
                    return (&mut &*self.file).write_all(data);
                }
            }
        }
        Ok(())
    }

    /// Writes the whole blocks gathered; keeps the rest (less than a block) at the start.
    fn write_blocks(&mut self) -> std::io::Result<()> {
        let whole = self.len / DIRECT_ALIGN * DIRECT_ALIGN;
        if whole == 0 {
            return Ok(());
        }
        let pending = self
            .buf
            .get(self.start..self.start + self.len)
            .ok_or_else(|| std::io::Error::other("direct write buffer"))?;
        let written = match (self.write_direct)(self.file, pending.get(..whole).unwrap_or(&[])) {
            Ok(n) => n,
            // Refused although the flag was accepted (a file system without direct writes),
            // or interrupted: nothing was written.
            Err(e)
                if e.raw_os_error() == Some(rustix::io::Errno::INVAL.raw_os_error())
                    || e.kind() == std::io::ErrorKind::Interrupted =>
            {
                0
            }
            Err(e) => return Err(e),
        };
        if written < whole {
            // Refused, or written in part (the rest no longer aligned): everything pending
            // goes the ordinary way from where the file is, and all that follows.
            set_direct(self.file, false)?;
            self.direct = false;
            (&mut &*self.file).write_all(pending.get(written..).unwrap_or(&[]))?;
            self.len = 0;
            return Ok(());
        }
        self.buf
            .copy_within(self.start + whole..self.start + self.len, self.start);
        self.len -= whole;
        Ok(())
    }

    /// Writes what is left: the whole blocks directly, the last partial block the ordinary
    /// way; the file is then back to ordinary writes.
    pub fn finish(mut self) -> std::io::Result<()> {
        if !self.direct {
            return Ok(());
        }
        self.write_blocks()?;
        if !self.direct {
            // Fallen back to ordinary writes: everything is written.
            return Ok(());
        }
        set_direct(self.file, false)?;
        if self.len > 0 {
            let tail = self
                .buf
                .get(self.start..self.start + self.len)
                .ok_or_else(|| std::io::Error::other("direct write buffer"))?;
            (&mut &*self.file).write_all(tail)?;
        }
        Ok(())
    }
}

/// Turns direct I/O on or off for an open file.
fn set_direct(file: &File, on: bool) -> std::io::Result<()> {
    use rustix::fs::{OFlags, fcntl_getfl, fcntl_setfl};
    let flags = fcntl_getfl(file)?;
    let flags = if on {
        flags | OFlags::DIRECT
    } else {
        flags - OFlags::DIRECT
    };
    Ok(fcntl_setfl(file, flags)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 % 253) as u8).collect()
    }

    /// Writes `len` bytes in pieces of `piece` bytes, reads them back.
    fn round_trip(direct: bool, len: usize, piece: usize) {
        // Beside the build, on the project's disk: /tmp may be a tmpfs, which refuses O_DIRECT.
        let dir = tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).expect("dir");
        let path = dir.path().join("f");
        let file = File::create(&path).expect("create");
        let bytes = data(len);
        let mut w = if direct {
            DirectWriter::new(&file)
        } else {
            DirectWriter::ordinary(&file)
        };
        assert_eq!(w.is_direct(), direct, "direct I/O on the project's disk");
        for p in bytes.chunks(piece) {
            w.write_all(p).expect("write");
        }
        w.finish().expect("finish");
        file.sync_all().expect("sync");
        let back = std::fs::read(&path).expect("read back");
        assert_eq!(back.len(), len, "length, {len} bytes in pieces of {piece}");
        assert!(back == bytes, "content, {len} bytes in pieces of {piece}");
    }

    /// Every length around a block and the buffer, in pieces that do and do not divide them.
    #[test]
    fn a_direct_write_gives_back_every_byte() {
        let lengths = [
            0,
            1,
            DIRECT_ALIGN - 1,
            DIRECT_ALIGN,
            DIRECT_ALIGN + 1,
            DIRECT_BUFFER - 1,
            DIRECT_BUFFER,
            DIRECT_BUFFER + 1,
            3 * DIRECT_BUFFER + DIRECT_ALIGN + 17,
        ];
        for len in lengths {
            for piece in [1000, DIRECT_ALIGN, 256 * 1024 + 3, DIRECT_BUFFER * 2] {
                round_trip(true, len, piece);
            }
        }
    }

    #[test]
    fn an_ordinary_write_gives_back_every_byte() {
        for len in [0, 1, DIRECT_ALIGN + 1, DIRECT_BUFFER + 1] {
            round_trip(false, len, 4097);
        }
    }

    /// A direct write refused (a file system that takes the flag but not the writes), or
    /// written in part: the bytes pending and all that follow are written the ordinary way,
    /// in order, once.
    #[test]
    fn a_refused_or_partial_direct_write_falls_back_without_losing_a_byte() {
        fn refuse(_: &File, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::from_raw_os_error(
                rustix::io::Errno::INVAL.raw_os_error(),
            ))
        }
        fn in_part(mut file: &File, bytes: &[u8]) -> std::io::Result<usize> {
            // A whole block and a bit more than half of the next: the rest is not aligned.
            let n = bytes.len().min(DIRECT_ALIGN + 1000);
            file.write(bytes.get(..n).unwrap_or(&[]))
        }
        for (name, write) in [
            ("refused", refuse as fn(&File, &[u8]) -> _),
            ("in part", in_part),
        ] {
            for (when, len) in [
                ("first", DIRECT_BUFFER + 10),
                ("later", 3 * DIRECT_BUFFER + 77),
            ] {
                let dir = tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).expect("dir");
                let path = dir.path().join("f");
                let file = File::create(&path).expect("create");
                let bytes = data(len);
                let mut w = DirectWriter::new(&file);
                assert!(w.is_direct());
                let (first, rest) = bytes.split_at(len - DIRECT_BUFFER - 10);
                // "later": some buffers go directly before the failing write.
                w.write_all(first).expect("write");
                w.write_direct = write;
                for p in rest.chunks(5000) {
                    w.write_all(p).expect("write");
                }
                assert!(!w.is_direct(), "{name}, {when}: fallen back");
                w.finish().expect("finish");
                let back = std::fs::read(&path).expect("read back");
                assert!(
                    back == bytes,
                    "{name}, {when}: {} bytes of {len}",
                    back.len()
                );
            }
        }
    }

    /// Once finished, the file is back to ordinary writes (its owner may append).
    #[test]
    fn direct_io_is_off_once_finished() {
        let dir = tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).expect("dir");
        let file = File::create(dir.path().join("f")).expect("create");
        let mut w = DirectWriter::new(&file);
        assert!(w.is_direct());
        w.write_all(&data(DIRECT_ALIGN + 5)).expect("write");
        w.finish().expect("finish");
        let flags = rustix::fs::fcntl_getfl(&file).expect("flags");
        assert!(!flags.contains(rustix::fs::OFlags::DIRECT));
        (&file).write_all(b"x").expect("ordinary write");
    }
}
