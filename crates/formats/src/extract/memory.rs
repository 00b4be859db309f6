//! Extracts held in memory: for tests, and for sets unpacked from a snapshot.

use super::ExtractSource;
use std::collections::HashMap;
use std::io::Read;

/// Extract files by name, in memory. A name matches regardless of ASCII case, like a folder's
/// files do (`Beneficiaires.CSV`), an exact match first.
#[derive(Debug, Clone, Default)]
pub struct MemorySource {
    files: HashMap<String, Vec<u8>>,
}

impl MemorySource {
    pub fn new() -> Self {
        MemorySource::default()
    }

    /// Adds (or replaces) file `name`.
    pub fn insert(&mut self, name: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(name.into(), bytes.into());
    }

    /// The same, for chaining: `MemorySource::new().with("tiers.csv", "…")`.
    pub fn with(mut self, name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        self.insert(name, bytes);
        self
    }

    /// The bytes of file `name`.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files
            .get(name)
            .or_else(|| {
                self.files
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })
            .map(Vec::as_slice)
    }
}

impl<N: Into<String>, B: Into<Vec<u8>>> FromIterator<(N, B)> for MemorySource {
    fn from_iter<I: IntoIterator<Item = (N, B)>>(iter: I) -> Self {
        let mut source = MemorySource::new();
        for (name, bytes) in iter {
            source.insert(name, bytes);
        }
        source
    }
}

impl ExtractSource for MemorySource {
    fn open(&self, file_name: &str) -> std::io::Result<Option<Box<dyn Read + '_>>> {
        Ok(self
            .get(file_name)
            .map(|bytes| Box::new(bytes) as Box<dyn Read + '_>))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_regardless_of_case() {
        let s = MemorySource::new()
            .with("Tiers.CSV", "a")
            .with("tiers.csv", "b");
        assert_eq!(s.get("tiers.csv"), Some(&b"b"[..]));
        let s = MemorySource::from_iter([("Tiers.CSV", "a")]);
        assert_eq!(s.get("tiers.csv"), Some(&b"a"[..]));
        assert!(s.get("droits.csv").is_none());
        let mut r = s.open("TIERS.csv").expect("open").expect("there");
        let mut text = String::new();
        r.read_to_string(&mut text).expect("read");
        assert_eq!(text, "a");
    }
}
