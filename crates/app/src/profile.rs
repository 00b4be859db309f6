//! A mapping profile (how the extracts' columns are named at this authority), read for an
//! import, a drill, a snapshot's check or `relais extract`.

use crate::error::AppError;
use relais_formats::profile::Profile;
use std::path::Path;

/// The profile in `path`, or the empty one when none is given.
pub fn load(path: Option<&Path>) -> Result<Profile, AppError> {
    let Some(path) = path else {
        return Ok(Profile::default());
    };
    let text = std::fs::read_to_string(path).map_err(|source| AppError::ProfileUnreadable {
        path: path.to_owned(),
        source,
    })?;
    Profile::parse(&text).map_err(|source| AppError::ProfileInvalid {
        path: path.to_owned(),
        source,
    })
}
