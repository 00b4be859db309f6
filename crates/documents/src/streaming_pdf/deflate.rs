//! Streams compressed with zlib (`/FlateDecode`) at a fast level, into one buffer used again
//! for every stream of a document.

use flate2::{Compress, Compression, FlushCompress, Status};

/// Page contents at level 1: a national run's thousands of pages of tables compress to
/// nearly the same size as at level 6 (text and numbers repeat within a page) in a fraction
/// of the time.
pub(super) const PAGE_LEVEL: u32 = 1;

pub(super) struct Deflater {
    compress: Compress,
    out: Vec<u8>,
}

impl Deflater {
    pub fn new(level: u32) -> Deflater {
        Deflater {
            compress: Compress::new(Compression::new(level), true),
            out: Vec::new(),
        }
    }

    /// `data` compressed, as a zlib stream.
    pub fn run(&mut self, data: &[u8]) -> Result<&[u8], String> {
        self.compress.reset();
        self.out.clear();
        self.out.reserve(data.len() / 2 + 64);
        loop {
            let read = usize::try_from(self.compress.total_in()).unwrap_or(data.len());
            let rest = data.get(read..).unwrap_or_default();
            match self
                .compress
                .compress_vec(rest, &mut self.out, FlushCompress::Finish)
            {
                Ok(Status::StreamEnd) => return Ok(&self.out),
                // Out of room (or no progress without it): more room, and on.
                Ok(Status::Ok | Status::BufError) => self.out.reserve(self.out.capacity().max(64)),
                Err(e) => return Err(format!("compression : {e}")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn what_is_compressed_reads_back_the_same() {
        let mut d = Deflater::new(PAGE_LEVEL);
        for data in [
            Vec::new(),
            b"BT /F0 8 Tf ET".to_vec(),
            (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect(),
        ] {
            let mut back = Vec::new();
            flate2::read::ZlibDecoder::new(d.run(&data).expect("deflate"))
                .read_to_end(&mut back)
                .expect("inflate");
            assert_eq!(back, data);
        }
    }
}
