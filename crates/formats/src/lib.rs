//! Relais formats: extracts in (CSV), documents out. Everything here works over `Read` and
//! `Write`: it opens no file, knows no database and no network.

pub mod extract;
pub mod payments;
pub mod profile;
pub mod rejects;
