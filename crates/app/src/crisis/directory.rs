//! The directory's entries, edited by the crisis cell, and the message of the public page.

use crate::error::AppError;
use relais_core::crisis::PublicMessage;
use relais_core::directory::DirectoryRow;
use relais_store::Backend;
use relais_store::crisis::DirectoryChange;

/// The entry of `service` at the site `site_code`, if there is one.
pub fn entry(
    store: &dyn Backend,
    site_code: &str,
    service: &str,
) -> Result<Option<DirectoryRow>, AppError> {
    Ok(store
        .directory()?
        .into_iter()
        .find(|r| r.site_code == site_code && r.service == service))
}

/// Adds `row` to the directory, or changes the entry of the same site code and service, by
/// `actor`; journaled with the old and new values. Its phone number was read as the import
/// reads the extracts' (`relais_core::directory::parse_phone`).
pub fn set_entry(
    store: &mut dyn Backend,
    actor: &str,
    row: &DirectoryRow,
) -> Result<DirectoryChange, AppError> {
    store
        .set_directory_entry(actor, row)
        .map_err(AppError::Crisis)
}

/// Replaces the message of the public page by `actor` (the previous ones are kept); it is
/// online once the page is published again (`crate::publish`).
pub fn set_message(
    store: &mut dyn Backend,
    actor: &str,
    affected: &str,
    guaranteed: &str,
) -> Result<PublicMessage, AppError> {
    store
        .set_public_message(actor, affected, guaranteed)
        .map_err(AppError::Crisis)
}
