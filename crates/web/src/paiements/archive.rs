//! "Télécharger tout": a validated run's files in one zip, streamed as it is written (a
//! national PES file is close to a gigabyte: never held in memory nor written to disk
//! again). Only the names its `SHA256SUMS` lists go in, with `SHA256SUMS` itself, so the
//! accountant checks the archive's files as the separate downloads'.

use super::files::{Folder, listed_files};
use crate::Shared;
use crate::error::WebError;
use crate::session::SignedIn;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use relais_core::run::RunId;
use std::io::Write;
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

/// A file of 4 GiB or more needs ZIP64 sizes.
const ZIP64_FROM: u64 = u32::MAX as u64;

/// Writes `names` of `dir` into a zip on `out`, deflated, in the given order.
pub(crate) fn write_zip(
    dir: &std::path::Path,
    names: &[(String, u64)],
    out: impl Write,
) -> zip::result::ZipResult<()> {
    let mut zip = zip::ZipWriter::new_stream(out);
    for (name, size) in names {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .large_file(*size >= ZIP64_FROM);
        zip.start_file(name.as_str(), options)?;
        let mut file = std::fs::File::open(dir.join(name))?;
        std::io::copy(&mut file, &mut zip)?;
    }
    zip.finish()?;
    Ok(())
}

/// `GET /paiements/{run}/fichiers.zip`.
pub async fn download_all(
    State(app): State<Shared>,
    Path(run): Path<String>,
    SignedIn(_): SignedIn,
) -> Result<Response, WebError> {
    let (Ok(id), Some(exports)) = (run.parse::<RunId>(), app.config.exports.as_ref()) else {
        return Err(WebError::NotFound);
    };
    let dir = exports.folder(id, Folder::Files);
    let names: Vec<(String, u64)> = listed_files(&dir)
        .into_iter()
        .map(|(name, _, size)| (name, size))
        .collect();
    // `SHA256SUMS` alone: nothing written yet.
    if names.len() < 2 {
        return Err(WebError::NotFound);
    }
    let (reader, writer) = tokio::io::duplex(1 << 16);
    tokio::task::spawn_blocking(move || {
        let out = tokio_util::io::SyncIoBridge::new(writer);
        // A failure cuts the archive short: without its central directory no zip reader
        // takes it for whole.
        if let Err(e) = write_zip(&dir, &names, out) {
            tracing::warn!(run = %id, error = %e, "run archive cut short");
        }
    });
    let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(reader, 1 << 16));
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{id}.zip\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
