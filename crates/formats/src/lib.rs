//! Relais formats: extracts in (CSV), documents out. Everything here works over `Read` and
//! `Write`: it opens no named file, knows no database and no network. (The extract reader
//! sorts keys beyond a fixed memory budget in anonymous temporary files: see `extract::ReadOptions`.)

pub mod caf;
pub mod extract;
pub mod payments;
pub mod profile;
pub mod systems;
pub mod tableur;
