//! The person's page on PostgreSQL, query for query as SQLite's (`sqlite/desk.rs`'s `person`
//! and `sqlite/desk/person.rs`).

use crate::StoreError;
use crate::desk::{
    BankRequestRow, ExclusionRow, ImportProblemRow, PAID_MONTHS_KEPT, PaymentRow, PersonPage,
    RUNS_KEPT, RightRow, RunRow,
};
use crate::sqlite::desk::HIT_COLUMNS;
use crate::sqlite::desk::person::{EXCLUSIONS_KEPT, IMPORT_PROBLEMS_SHOWN, first_problem};
use postgres::GenericClient;

/// A payment of a person's page, from (right, month, amount, date, source).
fn payment_row(r: &postgres::Row) -> Result<PaymentRow, StoreError> {
    Ok(PaymentRow {
        right_id: r.try_get(0)?,
        month: r.try_get(1)?,
        amount: r.try_get(2)?,
        date: r.try_get(3)?,
        source: r.try_get(4)?,
    })
}

/// The runs' claims (runs not cancelled: cancelling frees them) and the imported history of
/// the person's rights, as (right, month, amount, date, source, origin); `$1` is the file.
const PAYMENTS: &str = "SELECT c.right_id, u.month, c.amount, c.pay_date AS date,
                u.id || ' (' || u.status || ')' AS source, 0 AS origin
         FROM rights r JOIN run_claims c ON c.right_id = r.id
         JOIN runs u ON u.id = c.run_id
         WHERE r.dossier = $1 AND u.status <> 'cancelled'
         UNION ALL
         SELECT h.right_id, h.month, h.amount, h.paid_on, 'historique', 1
         FROM past_payments h JOIN rights r ON r.id = h.right_id
         WHERE r.dossier = $1";

pub(super) fn page(
    c: &mut impl GenericClient,
    dossier: &str,
    site: Option<&str>,
) -> Result<Option<PersonPage>, StoreError> {
    let found = c.query_opt(
        &format!(
            "SELECT {HIT_COLUMNS}, b.nir, b.address, b.postal_code, b.phone, b.site,
                    b.death_date
             FROM beneficiaries b WHERE b.dossier = $1 AND ($2::text IS NULL OR b.site = $2)"
        ),
        &[&dossier, &site],
    )?;
    let Some(r) = found else {
        return Ok(None);
    };
    let mut page = PersonPage {
        person: super::hit(&r)?,
        nir: r.try_get(6)?,
        address: r.try_get(7)?,
        postal_code: r.try_get(8)?,
        phone: r.try_get(9)?,
        site: r.try_get(10)?,
        death_date: r.try_get(11)?,
        rights: Vec::new(),
        payments: Vec::new(),
        contacts: Vec::new(),
        paid_months: Vec::new(),
        runs: Vec::new(),
        exclusions: Vec::new(),
        bank_requests: Vec::new(),
        import_problems: Vec::new(),
        run_accounts: Vec::new(),
    };
    page.rights = c
        .query(
            "SELECT r.id, r.benefit, r.monthly_amount, r.start_date, r.end_date, r.status,
                    r.payee_id, p.name, right(p.iban, 4), p.iban_changed_on,
                    EXISTS (SELECT 1 FROM bank_approvals_current a
                            WHERE a.payee_id = p.id AND a.iban = p.iban)
             FROM rights r JOIN payees p ON p.id = r.payee_id
             WHERE r.dossier = $1 ORDER BY r.start_date DESC, r.id",
            &[&dossier],
        )?
        .iter()
        .map(|r| {
            Ok(RightRow {
                id: r.try_get(0)?,
                benefit: r.try_get(1)?,
                monthly_amount: r.try_get(2)?,
                start: r.try_get(3)?,
                end: r.try_get(4)?,
                status: r.try_get(5)?,
                payee_id: r.try_get(6)?,
                payee_name: r.try_get(7)?,
                iban_end: r.try_get(8)?,
                iban_changed_on: r.try_get(9)?,
                iban_approved: r.try_get(10)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    // Runs first, the latest month first, then the history: the screen's short list.
    page.payments = c
        .query(
            &format!(
                "SELECT right_id, month, amount, date, source FROM ({PAYMENTS}) AS paid
                 ORDER BY origin, month DESC, right_id LIMIT 24"
            ),
            &[&dossier],
        )?
        .iter()
        .map(payment_row)
        .collect::<Result<_, _>>()?;
    page.contacts = super::contacts(c, dossier)?;
    page.paid_months = c
        .query(
            &format!(
                "SELECT right_id, month, amount, date, source FROM ({PAYMENTS}) AS paid
                 ORDER BY month DESC, right_id LIMIT $2"
            ),
            &[&dossier, &(PAID_MONTHS_KEPT as i64)],
        )?
        .iter()
        .map(payment_row)
        .collect::<Result<_, _>>()?;
    page.runs = c
        .query(
            "SELECT id, month, benefits, status FROM runs WHERE status <> 'cancelled'
             ORDER BY month DESC, seq DESC LIMIT $1",
            &[&(RUNS_KEPT as i64)],
        )?
        .iter()
        .map(|r| {
            Ok(RunRow {
                id: r.try_get(0)?,
                month: r.try_get(1)?,
                benefits: r.try_get(2)?,
                status: r.try_get(3)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    // Through `run_exclusions_by_dossier`: the person's rows only.
    page.exclusions = c
        .query(
            "SELECT e.run_id, u.month, e.right_id, e.reason, e.label
             FROM run_exclusions e JOIN runs u ON u.id = e.run_id
             WHERE e.dossier = $1 AND u.status <> 'cancelled'
             ORDER BY u.month DESC, e.run_id, e.n LIMIT $2",
            &[&dossier, &EXCLUSIONS_KEPT],
        )?
        .iter()
        .map(|r| {
            Ok(ExclusionRow {
                run_id: r.try_get(0)?,
                month: r.try_get(1)?,
                right_id: r.try_get(2)?,
                reason: r.try_get(3)?,
                label: r.try_get(4)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    // Any change pending for a payee of the person's rights, asked from either page.
    page.bank_requests = c
        .query(
            "SELECT id, payee_id, iban, requested_by, requested_at FROM bank_change_requests
             WHERE status = 'pending'
               AND payee_id IN (SELECT payee_id FROM rights WHERE dossier = $1)
             ORDER BY id",
            &[&dossier],
        )?
        .iter()
        .map(|r| {
            Ok(BankRequestRow {
                id: r.try_get(0)?,
                payee_id: r.try_get(1)?,
                iban_masked: relais_core::ids::mask_iban(&r.try_get::<_, String>(2)?),
                requested_by: r.try_get(3)?,
                requested_at: r.try_get(4)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    page.run_accounts = c
        .query(
            "SELECT rp.run_id, rp.payee_id, right(rp.iban, 4) FROM run_payees rp
             WHERE rp.run_id IN (SELECT c.run_id FROM rights r
                                 JOIN run_claims c ON c.right_id = r.id WHERE r.dossier = $1)
               AND rp.payee_id IN (SELECT payee_id FROM rights WHERE dossier = $1)",
            &[&dossier],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<_, StoreError>>()?;
    page.import_problems = import_problems(c, dossier)?;
    Ok(Some(page))
}

/// Rows kept in `pending_rows` whose key is the file or that hold it as one of their values
/// (`raw`, a JSON list of `[field, value]`: the value is searched quoted, so `D12` never
/// matches `D123`), without an outcome. Quoted by serde_json, which wrote `raw`, where SQLite
/// quotes with `json_quote` (the same text for any file number).
fn import_problems(
    c: &mut impl GenericClient,
    dossier: &str,
) -> Result<Vec<ImportProblemRow>, StoreError> {
    let quoted = serde_json::Value::from(dossier).to_string();
    c.query(
        "SELECT p.id, p.file, p.line, p.severity, p.problems FROM pending_rows p
         WHERE (p.key = $1 OR strpos(p.raw, $2) > 0)
           AND NOT EXISTS (SELECT 1 FROM pending_outcomes o
                           WHERE o.file = p.file AND o.raw = p.raw)
         ORDER BY p.id LIMIT $3",
        &[&dossier, &quoted, &IMPORT_PROBLEMS_SHOWN],
    )?
    .iter()
    .map(|r| {
        Ok(ImportProblemRow {
            id: r.try_get(0)?,
            file: r.try_get(1)?,
            line: r.try_get(2)?,
            severity: r.try_get(3)?,
            problem: first_problem(&r.try_get::<_, String>(4)?)?,
        })
    })
    .collect()
}
