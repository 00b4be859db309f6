//! Opening an extract: the bytes are hashed as they go by, the encoding and the separator are
//! guessed from the first chunk, and what comes out is a stream of UTF-8 records.
//!
//! Encoding: a UTF-8 BOM means UTF-8; a UTF-16 BOM means UTF-16 (Excel's "texte Unicode");
//! otherwise the first chunk decides: valid UTF-8 (a character cut at the chunk's end aside)
//! means UTF-8, anything else Windows-1252, the encoding of French Windows exports. UTF-8 is
//! read as it is, with no decoder in the way: each field is checked later, so that an invalid
//! sequence further down rejects its row (`encodage`) instead of the whole file.

use super::record_reader::RecordReader;
use sha2::{Digest, Sha256};
use std::io::{self, Cursor, Read};

/// How much of the file is looked at to guess its encoding and separator.
pub(crate) const SNIFF_BYTES: usize = 64 * 1024;

/// The encoding an extract was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    Utf8Bom,
    Windows1252,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    /// As shown in summaries and kept in the journal.
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::Windows1252 => "windows-1252",
            Encoding::Utf16Le => "UTF-16LE (BOM)",
            Encoding::Utf16Be => "UTF-16BE (BOM)",
        }
    }
}

/// Feeds every byte read into a SHA-256, so the real pass hashes the file as it reads it.
struct Hashing<'h, R> {
    inner: R,
    hasher: Option<&'h mut Sha256>,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let (Some(h), Some(read)) = (self.hasher.as_mut(), buf.get(..n)) {
            h.update(read);
        }
        Ok(n)
    }
}

/// Why a file cannot be opened as an extract.
#[derive(Debug)]
pub(crate) enum OpenError {
    Io(io::Error),
    /// NUL bytes: a spreadsheet, an archive, a PDF… not text.
    NotText,
}

impl From<io::Error> for OpenError {
    fn from(e: io::Error) -> Self {
        OpenError::Io(e)
    }
}

/// An extract ready to be read record by record.
pub(crate) struct Opened<'a> {
    pub records: RecordReader<Box<dyn Read + 'a>>,
    pub encoding: Encoding,
    pub separator: u8,
}

/// Reads up to `SNIFF_BYTES` from `r`.
fn read_prefix(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(SNIFF_BYTES);
    r.take(SNIFF_BYTES as u64).read_to_end(&mut prefix)?;
    Ok(prefix)
}

/// The encoding of a file from its first chunk (`complete`: the chunk is the whole file).
pub(crate) fn detect_encoding(prefix: &[u8], complete: bool) -> Result<Encoding, OpenError> {
    if prefix.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok(Encoding::Utf8Bom);
    }
    if prefix.starts_with(&[0xFF, 0xFE]) {
        return Ok(Encoding::Utf16Le);
    }
    if prefix.starts_with(&[0xFE, 0xFF]) {
        return Ok(Encoding::Utf16Be);
    }
    if prefix.contains(&0) {
        return Err(OpenError::NotText);
    }
    match std::str::from_utf8(prefix) {
        Ok(_) => Ok(Encoding::Utf8),
        // The chunk ends in the middle of a character: the file goes on, so that is no error.
        Err(e) if e.error_len().is_none() && !complete => Ok(Encoding::Utf8),
        Err(_) => Ok(Encoding::Windows1252),
    }
}

/// The separator of a header line: the most frequent of `;`, tab and `,` outside quotes (ties
/// in that order, `;` when there is none: a file of one column).
pub(crate) fn detect_separator(text: &str) -> u8 {
    let mut in_quotes = false;
    let mut counts = [0usize; 3];
    // Whether the current line has anything but spaces and separators: lines without are
    // skipped by the reader, so they are skipped here too.
    let mut started = false;
    for c in text.chars() {
        match c {
            '"' => {
                in_quotes = !in_quotes;
                started = true;
            }
            '\n' | '\r' if !in_quotes => {
                if started {
                    break;
                }
                counts = [0; 3];
            }
            ';' if !in_quotes => counts[0] += 1,
            '\t' if !in_quotes => counts[1] += 1,
            ',' if !in_quotes => counts[2] += 1,
            c if !c.is_whitespace() => started = true,
            _ => {}
        }
    }
    let candidates = [b';', b'\t', b','];
    let mut best = 0;
    for (i, &n) in counts.iter().enumerate() {
        if n > counts.get(best).copied().unwrap_or(0) {
            best = i;
        }
    }
    candidates.get(best).copied().unwrap_or(b';')
}

/// Opens `raw` as an extract; when `hasher` is given, every byte of the file goes into it.
pub(crate) fn open<'a>(
    raw: Box<dyn Read + 'a>,
    hasher: Option<&'a mut Sha256>,
) -> Result<Opened<'a>, OpenError> {
    let mut hashing = Hashing { inner: raw, hasher };
    let prefix = read_prefix(&mut hashing)?;
    let complete = prefix.len() < SNIFF_BYTES;
    let encoding = detect_encoding(&prefix, complete)?;
    let skip: usize = match encoding {
        Encoding::Utf8Bom => 3,
        Encoding::Utf16Le | Encoding::Utf16Be => 2,
        Encoding::Utf8 | Encoding::Windows1252 => 0,
    };
    let body = prefix.get(skip..).unwrap_or(&[]);
    let preview = match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => String::from_utf8_lossy(body),
        Encoding::Windows1252 => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(body)
                .0
        }
        Encoding::Utf16Le => encoding_rs::UTF_16LE.decode_without_bom_handling(body).0,
        Encoding::Utf16Be => encoding_rs::UTF_16BE.decode_without_bom_handling(body).0,
    };
    let separator = detect_separator(&preview);
    // Lines ended by CR alone (old Mac exports) are counted by CR.
    let cr_only = preview.contains('\r') && !preview.contains('\n');
    drop(preview);
    let mut head = Cursor::new(prefix);
    head.set_position(skip as u64);
    let stream = head.chain(hashing);
    let decoded: Box<dyn Read + 'a> = match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => Box::new(stream),
        Encoding::Windows1252 => Box::new(decoder(encoding_rs::WINDOWS_1252, stream)),
        Encoding::Utf16Le => Box::new(decoder(encoding_rs::UTF_16LE, stream)),
        Encoding::Utf16Be => Box::new(decoder(encoding_rs::UTF_16BE, stream)),
    };
    let records = RecordReader::new(decoded, separator);
    Ok(Opened {
        records: if cr_only {
            records.with_cr_line_ends()
        } else {
            records
        },
        encoding,
        separator,
    })
}

fn decoder<R: Read>(
    encoding: &'static encoding_rs::Encoding,
    stream: R,
) -> encoding_rs_io::DecodeReaderBytes<R, Vec<u8>> {
    encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_sniffing(false)
        .build(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(detect_encoding(b"a;b\n", true).ok(), Some(Encoding::Utf8));
        assert_eq!(
            detect_encoding(b"\xEF\xBB\xBFa;b", true).ok(),
            Some(Encoding::Utf8Bom)
        );
        assert_eq!(
            detect_encoding("Prénom".as_bytes(), true).ok(),
            Some(Encoding::Utf8)
        );
        assert_eq!(
            detect_encoding(b"Pr\xE9nom", true).ok(),
            Some(Encoding::Windows1252)
        );
        assert_eq!(
            detect_encoding(b"\xFF\xFEa\0", true).ok(),
            Some(Encoding::Utf16Le)
        );
        assert!(matches!(
            detect_encoding(b"PK\x03\x04\0\0", true),
            Err(OpenError::NotText)
        ));
    }

    #[test]
    fn a_character_cut_at_the_chunk_end_is_still_utf8() {
        // `é` is C3 A9: a chunk ending after C3 is valid UTF-8 cut short…
        assert_eq!(
            detect_encoding(b"abc\xC3", false).ok(),
            Some(Encoding::Utf8)
        );
        // …unless the file ends there.
        assert_eq!(
            detect_encoding(b"abc\xC3", true).ok(),
            Some(Encoding::Windows1252)
        );
        // An invalid byte before the end is Windows-1252 whatever follows.
        assert_eq!(
            detect_encoding(b"ab\xE9c\xC3", false).ok(),
            Some(Encoding::Windows1252)
        );
    }

    #[test]
    fn separators() {
        assert_eq!(detect_separator("a;b;c\n1,5;2;3"), b';');
        assert_eq!(detect_separator("a,b,c\n1;2"), b',');
        assert_eq!(detect_separator("a\tb\tc"), b'\t');
        // Quoted separators do not count.
        assert_eq!(detect_separator("\"nom, prénom\";\"x,y,z\";b"), b';');
        assert_eq!(detect_separator("\"a;b;c;d\",e,f"), b',');
        // A quoted header spanning lines.
        assert_eq!(detect_separator("\"a\nb;c;d\",e,f\n1;2;3;4;5"), b',');
        assert_eq!(detect_separator("\r\n\r\na,b\n"), b',');
        assert_eq!(detect_separator(";;;\n  \na,b\n"), b',');
        assert_eq!(detect_separator("seule"), b';');
        assert_eq!(detect_separator(""), b';');
    }

    #[test]
    fn hashes_every_byte_and_strips_the_bom() {
        let data = b"\xEF\xBB\xBFa;b\n1;2\n".to_vec();
        let mut hasher = Sha256::new();
        {
            let opened = open(Box::new(&data[..]), Some(&mut hasher)).expect("open");
            assert_eq!(opened.separator, b';');
            let mut records = opened.records;
            assert_eq!(records.next_record().expect("read"), Some(1));
            assert_eq!(records.record().get(0), Some(&b"a"[..]));
            while records.next_record().expect("read").is_some() {}
        }
        assert_eq!(hasher.finalize().to_vec(), Sha256::digest(&data).to_vec());
    }

    #[test]
    fn windows_1252_is_decoded() {
        let data = b"nom;pr\xE9nom\r\nL\xE9a;\x80\r\n".to_vec();
        let opened = open(Box::new(&data[..]), None).expect("open");
        assert_eq!(opened.encoding, Encoding::Windows1252);
        let mut records = opened.records;
        records.next_record().expect("read");
        assert_eq!(records.record().get(1), Some("prénom".as_bytes()));
        records.next_record().expect("read");
        assert_eq!(records.record().get(0), Some("Léa".as_bytes()));
        assert_eq!(records.record().get(1), Some("€".as_bytes()));
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let text = "nom\tprénom\r\nLéa\tZoé\r\n";
        let mut data = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            data.extend_from_slice(&unit.to_le_bytes());
        }
        let opened = open(Box::new(&data[..]), None).expect("open");
        assert_eq!(opened.encoding, Encoding::Utf16Le);
        assert_eq!(opened.separator, b'\t');
        let mut records = opened.records;
        records.next_record().expect("read");
        records.next_record().expect("read");
        assert_eq!(records.record().get(1), Some("Zoé".as_bytes()));
    }
}
