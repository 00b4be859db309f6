//! Payment runs on PostgreSQL (see [`crate::runs`] and `sqlite/runs/`).

pub(crate) mod numbering;
