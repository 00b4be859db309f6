//! The extract reader against messy real-world input: one test per quirk, each with the input
//! that breaks a naive reader. One test binary, modules by subject.

mod cross_files;
mod profile;
mod quirks;
mod rejects;
mod robustness;
mod rows;
mod severity;
mod spill;
mod summary;
mod support;
mod unreadable;
