//! Checking a file while it is written: the bytes a writer produces go, in chunks through a
//! bounded channel, to a reader on another thread, which writes each chunk to the file as it
//! receives it and then runs our checks over it. With two cores, reading a gigabyte of PES back
//! then costs next to no time (and copying it into the system's cache is off the producing
//! thread), and memory holds a few chunks whatever the size of the file.
//!
//! The checker sees exactly the bytes written to the file, in order. If the writer stops (an
//! error, a panic), the channel closes and the checker sees a truncated file; if the checker
//! stops, the next write fails and says so; if the file cannot be written, the checker's read
//! fails and says so.

use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Bytes sent to the checker at a time.
const CHUNK: usize = 256 * 1024;
/// Chunks waiting for the checker at most (the writer waits beyond).
const IN_FLIGHT: usize = 8;

/// Sends the bytes written to it to the [`ChunkReader`].
pub struct Tee {
    tx: SyncSender<Vec<u8>>,
    pending: Vec<u8>,
}

/// The bytes a [`Tee`] was given, in order, each chunk written to `sink` as it comes; the end
/// of the input when the `Tee` is dropped.
pub struct ChunkReader<W> {
    rx: Receiver<Vec<u8>>,
    sink: W,
    chunk: Vec<u8>,
    at: usize,
}

/// A writer, and the reader of what it writes, which writes it to `sink`.
pub fn tee<W: Write>(sink: W) -> (Tee, ChunkReader<W>) {
    let (tx, rx) = sync_channel(IN_FLIGHT);
    (
        Tee {
            tx,
            pending: Vec::with_capacity(CHUNK),
        },
        ChunkReader {
            rx,
            sink,
            chunk: Vec::new(),
            at: 0,
        },
    )
}

impl Tee {
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

impl Write for Tee {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= CHUNK {
            self.send()?;
        }
        Ok(buf.len())
    }

    /// Sends what is pending (the reader writes it to the file when it gets it).
    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

impl<W: Write> Read for ChunkReader<W> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at >= self.chunk.len() {
            match self.rx.recv() {
                Ok(chunk) => {
                    self.sink.write_all(&chunk)?;
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
            r.read_to_end(&mut got).map(|_| (got, r.sink))
        });
        for piece in data.chunks(1000) {
            w.write_all(piece).expect("write");
        }
        w.flush().expect("flush");
        drop(w);
        let (got, file) = reader.join().expect("join").expect("read");
        assert_eq!(got, data);
        assert_eq!(file, data);
    }

    /// A file that cannot be written (a full disk) stops the checker with the error.
    #[test]
    fn a_file_that_cannot_be_written_fails_the_read() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("disque plein"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let (mut w, mut r) = tee(Full);
        w.write_all(b"<PES_Aller/>").expect("write");
        w.flush().expect("flush");
        drop(w);
        let mut got = Vec::new();
        let e = r
            .read_to_end(&mut got)
            .expect_err("the file cannot be written");
        assert!(e.to_string().contains("disque plein"), "{e}");
    }

    #[test]
    fn a_checker_that_stops_makes_the_next_write_fail() {
        let (mut w, r) = tee(std::io::sink());
        drop(r);
        let big = vec![b'x'; CHUNK];
        assert!(w.write_all(&big).is_err());
    }
}
