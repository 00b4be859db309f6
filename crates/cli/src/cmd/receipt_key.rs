//! The authority's receipt signing key, as the commands take it: kept by the data folder
//! (`relais_app::keys`), its errors said to the terminal.

use crate::data::{DataDir, agent};
use anyhow::Result;
use relais_documents::code::ReceiptKey;

/// The signing key, created when the data folder has none yet.
pub(crate) fn signing_key(data: &DataDir) -> Result<ReceiptKey> {
    data.app().receipt_key().map_err(agent)
}
