//! Sealed snapshots (docs/snapshot.md): the authority's extracts, with a manifest, in a plain
//! tar archive, encrypted with age to every key holder's X25519 recipient, and signed with a
//! detached minisign signature over the encrypted file. An auditor can check and open one with
//! the `minisign` and `age` tools alone.
//!
//! Everything streams: sealing reads each file once through tar, age and the caller's writer;
//! signing and verifying read the encrypted file once; opening writes each file as it is
//! decrypted, hashing it on the way. Formats work over `Read`/`Write`; `open` is the one
//! exception, writing into a caller-given, empty folder and cleaning it on failure.
//!
//! Secrets (identities, secret keys, passphrases) are held in `SecretString` or in types whose
//! `Debug` redacts them, and never appear in an error.

mod archive;
mod error;
mod keys;
mod manifest;
mod open;
mod seal;
mod signing;

pub use age::secrecy::{ExposeSecret, SecretString};
pub use archive::{PackFile, pack, unpack};
pub use error::{EntryProblem, TruncatedSizes, VaultError};
pub use keys::{
    GeneratedKeys, Identity, Recipient, generate_keys, parse_identities, parse_recipients,
};
pub use manifest::{
    FORMAT_VERSION, FileDigest, MANIFEST_NAME, Manifest, ManifestFile, check_file_name,
    digest_reader,
};
pub use open::{Opened, open, verify_and_open};
pub use seal::{SealSource, seal};
pub use signing::{PublicKey, SigningKey, UNTRUSTED_COMMENT, sign, trusted_comment, verify};
