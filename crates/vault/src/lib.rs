//! Sealed snapshots (docs/snapshot.md).
