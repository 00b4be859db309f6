//! What a supplier run's page shows instead of the benefits' tables: the invoices and the
//! late interest it mandates, and the invoices liquidated that wait, with the reason
//! (`SupplierRunStore::supplier_run_summary`, as `relais run show` prints it).

use relais_core::invoices::mandate::{Hold, SupplierRunSummary};
use relais_documents::french;

/// A supplier run's figures, in words.
pub(crate) struct SupplierView {
    /// "12 factures", and their total.
    pub invoices: String,
    pub principal: String,
    /// "3 mandats", and their total (interest and indemnities).
    pub interest_mandates: String,
    pub interest: String,
    /// (invoice, supplier, amount, why it waits)
    pub held: Vec<(String, String, String, String)>,
}

/// Why an invoice waits, for the agent on the web: the ordonnateur approves changed bank
/// details on the Factures page.
fn reason(hold: &Hold) -> String {
    match hold {
        Hold::BankNotApproved { iban_end } => format!(
            "coordonnées bancaires modifiées depuis l'instantané (IBAN finissant par \
             {iban_end}) : un ordonnateur doit les approuver, sur la page Factures"
        ),
        other => other.label(),
    }
}

impl From<&SupplierRunSummary> for SupplierView {
    fn from(s: &SupplierRunSummary) -> SupplierView {
        SupplierView {
            invoices: french::count_of(s.invoices, "facture", "factures"),
            principal: s.principal.to_string(),
            interest_mandates: french::count_of(s.interest_mandates, "mandat", "mandats"),
            interest: s.interest.to_string(),
            held: s
                .held
                .iter()
                .map(|h| {
                    (
                        h.invoice.clone(),
                        h.supplier.clone(),
                        h.amount.to_string(),
                        reason(&h.hold),
                    )
                })
                .collect(),
        }
    }
}
