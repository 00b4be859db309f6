//! Checking a file while it is written: every byte given to the file also goes, in chunks
//! through a bounded channel, to a reader on another thread that runs our checks. With two
//! cores, reading a gigabyte of PES back then costs next to no time, and memory holds a few
//! chunks whatever the size of the file.
//!
//! The checker sees exactly the bytes handed to the file, in order. If the writer stops (an
//! error, a panic), the channel closes and the checker sees a truncated file; if the checker
//! stops, the next write fails and says so.

use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Bytes sent to the checker at a time.
const CHUNK: usize = 256 * 1024;
/// Chunks waiting for the checker at most (the writer waits beyond).
const IN_FLIGHT: usize = 8;

/// Writes to `inner` and sends the same bytes to the [`ChunkReader`].
pub struct Tee<W> {
    inner: W,
    tx: SyncSender<Vec<u8>>,
    pending: Vec<u8>,
}

/// The bytes a [`Tee`] wrote, in order; the end of the input when the `Tee` is dropped.
pub struct ChunkReader {
    rx: Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
}

/// A writer over `inner` and the reader of what it writes.
pub fn tee<W: Write>(inner: W) -> (Tee<W>, ChunkReader) {
    let (tx, rx) = sync_channel(IN_FLIGHT);
    (
        Tee {
            inner,
            tx,
            pending: Vec::with_capacity(CHUNK),
        },
        ChunkReader {
            rx,
            chunk: Vec::new(),
            at: 0,
        },
    )
}

impl<W> Tee<W> {
    fn send(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.pending, Vec::with_capacity(CHUNK));
        self.tx
            .send(chunk)
            .map_err(|_| io::Error::other("the checker of the file stopped reading"))
    }
}

impl<W: Write> Write for Tee<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.pending.extend_from_slice(buf.get(..n).unwrap_or(&[]));
        if self.pending.len() >= CHUNK {
            self.send()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()?;
        self.inner.flush()
    }
}

impl Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at >= self.chunk.len() {
            match self.rx.recv() {
                Ok(chunk) => {
                    self.chunk = chunk;
                    self.at = 0;
                }
                // The writer is gone: the end of the file.
                Err(_) => return Ok(0),
            }
        }
        let rest = self.chunk.get(self.at..).unwrap_or(&[]);
        let n = rest.len().min(out.len());
        out.get_mut(..n)
            .unwrap_or(&mut [])
            .copy_from_slice(rest.get(..n).unwrap_or(&[]));
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_gets_every_byte_in_order_then_the_end() {
        let data: Vec<u8> = (0..3 * CHUNK + 17).map(|i| (i % 251) as u8).collect();
        let (mut w, mut r) = tee(Vec::new());
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            r.read_to_end(&mut got).map(|_| got)
        });
        for piece in data.chunks(1000) {
            w.write_all(piece).expect("write");
        }
        w.flush().expect("flush");
        let file = w.inner.clone();
        drop(w);
        let got = reader.join().expect("join").expect("read");
        assert_eq!(got, data);
        assert_eq!(file, data);
    }

    #[test]
    fn a_checker_that_stops_makes_the_next_write_fail() {
        let (mut w, r) = tee(std::io::sink());
        drop(r);
        let big = vec![b'x'; CHUNK];
        assert!(w.write_all(&big).is_err());
    }
}
