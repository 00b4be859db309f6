//! The payment files a payment run hands over: PES V2 `PES_Aller` (mandates to the public
//! accountant, Hélios) and ISO 20022 `pain.001.001.09` (SEPA credit transfers to the bank).
//!
//! Both writers are streams over `Write` (quick-xml events, no DOM): memory does not grow with
//! the number of payments, so a run of 2 million rights is written in a few MB. Headers that
//! carry totals (`NbrPce`/`MtBordHT`, `NbOfTxs`/`CtrlSum`) come before the items, so the caller
//! counts its items in a first pass ([`model::Totals`]) and the writer refuses, at the end, a
//! file whose header would not match what it wrote: never a wrong file. Neither reads a clock:
//! the same input gives the same bytes.
//!
//! Rules, with their sources: docs/domain.md ("PES V2", "SEPA credit transfer"), the DGFiP PES V2
//! schemas and their documentation (shared/xsd/pes, docs/domain.md, "PES V2 schemas: reference notes"), the EPC SCT rulebook and
//! implementation guidelines. [`text`] says how free texts are made fit for each character
//! set; [`check`] reads a written file back and checks what the schemas cannot see.
//!
//! - [`model`]: the input, typed (identifiers, codes, `Cents`).
//! - [`pes`]: [`PesWriter`], ISO-8859-1.
//! - [`pain`]: [`Pain001Writer`], UTF-8.
//! - [`check`]: [`check_pes`], [`check_pain001`].

pub mod check;
mod error;
pub mod model;
pub mod pain;
pub mod pes;
pub mod text;
mod xml;

pub use check::{CheckError, PesCheck, check_pain001, check_pes};
pub use error::{Invalid, PaymentFileError, Scope};
pub use pain::Pain001Writer;
pub use pes::{PesSummary, PesWriter};
