//! Relais documents: the deposit receipt as a PDF (written over `Write`, no file opened, font
//! embedded) and the signed code it carries; a payment run's control report (HTML), its CSV
//! exports and its paper bordereau (PDF); the crisis cell's documents (main courante CSV and
//! PDF, incident summary, posters) and the public continuity page (HTML and CSS). Nothing here reads a clock, a file or the network.

pub mod attestation;
pub mod bordereau;
pub mod code;
pub mod crisis;
mod flow;
pub mod french;
pub mod french_days;
mod html;
mod page;
pub mod payroll;
mod pdf;
pub mod public_page;
pub mod purchase_order;
pub mod receipt;
pub mod reconcile;
pub mod run_report;
mod sheet;
pub mod statement;
mod streaming_pdf;
pub mod supplier_letter;
pub mod supplier_run;

pub use bordereau::write_bordereau_pdf;
pub use code::{ReceiptKey, ReceiptSummary, VerifyError, depositor_digest};
pub use receipt::{Completed, DocumentError, ReceiptInput, write_receipt};
pub use run_report::{
    ListError, ReportError, RunLists, write_anomalies_csv, write_changes_csv, write_exclusions_csv,
    write_mandates_csv, write_report_html, write_totals_csv,
};
