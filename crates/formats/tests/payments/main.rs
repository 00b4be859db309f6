//! The payment file writers (PES V2 and pain.001) against the real schemas (xmllint), our own
//! checks, golden files, and random Unicode. One test binary, modules by subject.

mod pain;
mod pes;
mod props;
mod regularisation;
mod support;
