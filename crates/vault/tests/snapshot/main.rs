//! Snapshot tests, one binary: round trips, every refused fault, and interoperability with the
//! `age` and `minisign` command-line tools (which must be installed: nothing is skipped).

mod common;
mod faults;
mod interop;
mod roundtrip;
