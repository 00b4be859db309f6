//! Relais storage.
