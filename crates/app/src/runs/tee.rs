//! Checking a file while it is written: the bytes a writer produces go, in chunks through
//! bounded channels, to two other threads at once: a checker, which reads them as a stream
//! and a file writer, which puts them on disk and hashes them
//! ([`crate::fsio::DirectWriter`]: by direct I/O where the file system allows it). With two
//! cores, reading a gigabyte of PES back then costs next to no time, the copy to the disk is
//! off both the producing and the checking thread, and memory holds a few chunks whatever the
//! size of the file.
//!
//! The checker and the file see exactly the bytes written, in order. If the writer stops (an
//! error, a panic), the channels close: the checker sees a truncated file, the file writer
//! writes what it got (the file keeps its temporary name). If the checker or the file writer
//! stops (a full disk), the next write fails and says so; the file writer's own error says why.

use crate::fsio::DirectWriter;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufRead, Read, Write};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Bytes sent at a time.
const CHUNK: usize = 256 * 1024;
/// Chunks waiting for each reader at most (the writer waits beyond).
const IN_FLIGHT: usize = 8;

type Chunk = Arc<Vec<u8>>;

/// Sends the bytes written to it to the [`ChunkReader`] and the [`ChunkWriter`].
pub struct Tee {
    check: SyncSender<Chunk>,
    file: SyncSender<Chunk>,
    pending: Vec<u8>,
}

/// The bytes a [`Tee`] was given, in order; the end of the input when the `Tee` is dropped.
pub struct ChunkReader {
    rx: Receiver<Chunk>,
    chunk: Chunk,
    at: usize,
    received: u64,
}

/// Writes the bytes a [`Tee`] was given to a file, and hashes them.
pub struct ChunkWriter {
    rx: Receiver<Chunk>,
}

/// A writer, the reader of what it writes, and the writer of it to a file.
pub fn tee() -> (Tee, ChunkReader, ChunkWriter) {
    let (check, check_rx) = sync_channel(IN_FLIGHT);
    let (file, file_rx) = sync_channel(IN_FLIGHT);
    (
        Tee {
            check,
            file,
            pending: Vec::with_capacity(CHUNK),
        },
        ChunkReader {
            rx: check_rx,
            chunk: Arc::default(),
            at: 0,
            received: 0,
        },
        ChunkWriter { rx: file_rx },
    )
}

impl Tee {
    fn send(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let chunk = Arc::new(std::mem::replace(
            &mut self.pending,
            Vec::with_capacity(CHUNK),
        ));
        self.file
            .send(Arc::clone(&chunk))
            .map_err(|_| io::Error::other("the writer of the file stopped"))?;
        self.check
            .send(chunk)
            .map_err(|_| io::Error::other("the checker of the file stopped reading"))
    }
}

impl Write for Tee {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= CHUNK {
            self.send()?;
        }
        Ok(buf.len())
    }

    /// Sends what is pending.
    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

impl ChunkReader {
    /// Bytes read so far.
    pub fn position(&self) -> u64 {
        self.received - (self.chunk.len() - self.at.min(self.chunk.len())) as u64
    }
}

impl BufRead for ChunkReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.at >= self.chunk.len() {
            match self.rx.recv() {
                Ok(chunk) => {
                    self.received += chunk.len() as u64;
                    self.chunk = chunk;
                    self.at = 0;
                }
                // The writer is gone: the end of the file.
                Err(_) => return Ok(&[]),
            }
        }
        Ok(self.chunk.get(self.at..).unwrap_or(&[]))
    }

    fn consume(&mut self, n: usize) {
        self.at = self.at.saturating_add(n);
    }
}

impl Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let rest = self.fill_buf()?;
        let n = rest.len().min(out.len());
        out.get_mut(..n)
            .unwrap_or(&mut [])
            .copy_from_slice(rest.get(..n).unwrap_or(&[]));
        self.consume(n);
        Ok(n)
    }
}

impl ChunkWriter {
    /// Writes every chunk to `file` until the [`Tee`] is dropped; the SHA-256 of the bytes
    /// written. The file is not synced: that is its owner's (an
    /// [`crate::fsio::AtomicFile`]'s commit).
    pub fn write_to(self, file: &File) -> io::Result<[u8; 32]> {
        let mut out = DirectWriter::new(file);
        tracing::debug!(direct_io = out.is_direct(), "payment file written");
        let mut hash = Sha256::new();
        for chunk in self.rx {
            out.write_all(&chunk)?;
            hash.update(chunk.as_slice());
        }
        out.finish()?;
        Ok(hash.finalize().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn the_reader_and_the_file_get_every_byte_in_order_then_the_end() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("f");
        let file = File::create(&path).expect("file");
        let data = data(3 * CHUNK + 17);
        let (mut w, mut r, f) = tee();
        std::thread::scope(|s| {
            let reader = s.spawn(move || {
                let mut got = Vec::new();
                r.read_to_end(&mut got).map(|_| (got, r.position()))
            });
            let writer = s.spawn(|| f.write_to(&file));
            for piece in data.chunks(1000) {
                w.write_all(piece).expect("write");
            }
            w.flush().expect("flush");
            drop(w);
            let (got, position) = reader.join().expect("join").expect("read");
            assert_eq!(got, data);
            assert_eq!(position, data.len() as u64);
            let digest = writer.join().expect("join").expect("written");
            assert_eq!(digest, <[u8; 32]>::from(Sha256::digest(&data)));
        });
        assert_eq!(std::fs::read(&path).expect("read back"), data);
    }

    /// The checker reads through `fill_buf` without copying: what it has not consumed it gets
    /// again, and its position counts only what it consumed.
    #[test]
    fn the_reader_gives_back_what_was_not_consumed() {
        let (mut w, mut r, f) = tee();
        let file = std::thread::spawn(move || f.rx.iter().count());
        w.write_all(b"<PES_Aller/>").expect("write");
        w.flush().expect("flush");
        drop(w);
        assert_eq!(r.fill_buf().expect("fill"), b"<PES_Aller/>");
        r.consume(4);
        assert_eq!(r.position(), 4);
        assert_eq!(r.fill_buf().expect("fill"), b"_Aller/>");
        r.consume(8);
        assert_eq!(r.fill_buf().expect("end"), b"");
        assert_eq!(r.position(), 12);
        assert_eq!(file.join().expect("join"), 1);
    }

    /// A file that cannot be written (a full disk) stops its writer with the error, and the
    /// next write fails.
    #[test]
    fn a_file_that_cannot_be_written_stops_the_writer_with_its_error() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("f");
        std::fs::write(&path, b"").expect("file");
        // Opened read-only: every write fails.
        let file = File::open(&path).expect("open");
        let (mut w, r, f) = tee();
        let writer = std::thread::spawn(move || f.write_to(&file));
        let reader = std::thread::spawn(move || r.bytes().count());
        let mut failed = false;
        for _ in 0..(4 * IN_FLIGHT) {
            if w.write_all(&data(CHUNK)).is_err() {
                failed = true;
                break;
            }
        }
        drop(w);
        assert!(
            failed,
            "writing went on after the file could not be written"
        );
        let e = writer
            .join()
            .expect("join")
            .expect_err("the file cannot be written");
        assert_eq!(
            e.raw_os_error(),
            Some(rustix::io::Errno::BADF.raw_os_error()),
            "{e}"
        );
        reader.join().expect("join");
    }

    #[test]
    fn a_file_writer_that_stops_makes_the_next_write_fail() {
        let (mut w, r, f) = tee();
        let checker = std::thread::spawn(move || r.bytes().count());
        drop(f);
        assert!(w.write_all(&data(CHUNK)).is_err());
        drop(w);
        checker.join().expect("join");
    }

    #[test]
    fn a_checker_that_stops_makes_the_next_write_fail() {
        let (mut w, r, f) = tee();
        let keep = std::thread::spawn(move || f.rx.iter().count());
        drop(r);
        let big = vec![b'x'; CHUNK];
        assert!(w.write_all(&big).is_err());
        drop(w);
        keep.join().expect("join");
    }
}
