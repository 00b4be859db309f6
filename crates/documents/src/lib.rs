//! Relais documents: the deposit receipt as a PDF (written over `Write`, no file opened, font
//! embedded) and the signed code it carries. Nothing here reads a clock, a file or the network.

pub mod code;
pub mod french;
pub mod receipt;

pub use code::{ReceiptKey, ReceiptSummary, VerifyError, depositor_digest};
pub use receipt::{DocumentError, ReceiptInput, write_receipt};
