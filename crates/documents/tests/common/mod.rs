//! What the PDF tests share: the text of a PDF as `pdftotext` (Debian `poppler-utils`) reads
//! it, without a complaint, and that text cut into pages.

// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

use std::process::Command;

/// `pdftotext` on `pdf` with `args` (`-layout`, `-bbox`, `-f n -l n`…), in UTF-8; no-break
/// spaces read as spaces.
pub fn pdftotext(pdf: &[u8], args: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, pdf).expect("write");
    let out = Command::new("pdftotext")
        .args(args)
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!("pdftotext is needed ({e}): install it with `apt-get install poppler-utils`")
        });
    // Poppler says on stderr what it had to repair or skip (a wrong cross-reference table, a
    // broken stream or font): a valid document reads in silence.
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "pdftotext failed or complained: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .replace('\u{a0}', " ")
}

/// The text of each page (pages end with a form feed; none after the last).
pub fn pages(text: &str) -> Vec<&str> {
    let mut pages: Vec<&str> = text.split('\u{c}').collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}
