//! A supplier run's paper documents (issue #23): the bordereau of mandats, which the
//! ordonnateur signs (signing it certifies the service fait, CGCT D1617-23), with each invoice,
//! its supplier, its imputation and its délai global de paiement, the totals per account; and,
//! for each invoice paid late, the statement of the late interest sent to the supplier with
//! its mandat (the rate, the days, the formula, the EUR 40 indemnity).

use crate::flow::Block;
use crate::french::{date_long, date_short};
use crate::payroll::lean::LeanPdf;
use crate::pdf::{Fonts, PAGE_H};
use crate::receipt::DocumentError;
use crate::run_report::ReportError;
use crate::sheet::{Lines, Sheet};
use relais_core::Cents;
use relais_core::invoices::mandate::{MandateKind, SupplierMandate, SupplierRunSummary};
use std::collections::BTreeMap;
use std::io::Write;

const SIZE: f32 = 7.5;
const STEP: f32 = 10.0;
const TOP: f32 = 56.0;
const BOTTOM: f32 = PAGE_H - 60.0;

/// Columns: left edges, or right edges for the amount.
const NUMBER: f32 = 40.0;
const SUPPLIER: f32 = 72.0;
const SUPPLIER_W: f32 = 150.0;
const INVOICE: f32 = 226.0;
const INVOICE_W: f32 = 92.0;
const IMPUTATION: f32 = 322.0;
const DEADLINE: f32 = 380.0;
const AMOUNT_R: f32 = 555.0;

/// The run's facts the bordereau names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierBordereau {
    pub authority: String,
    pub run: String,
    pub exercice: i16,
    pub bordereau: u32,
    pub first_mandate: u32,
    pub prepared_by: String,
    pub validated_by: String,
    pub validated_at: String,
}

const LINES: Lines = Lines {
    size: SIZE,
    step: STEP,
    top: TOP,
    bottom: BOTTOM,
};

/// The columns' names, at the top of each page of mandats.
fn header<W: Write>(p: &mut Sheet<'_, W>) {
    p.text(NUMBER, "Mandat", true);
    p.text(SUPPLIER, "Fournisseur (SIRET)", true);
    p.text(INVOICE, "Facture", true);
    p.text(IMPUTATION, "Compte/fonct.", true);
    p.text(DEADLINE, "Délai de paiement", true);
    p.right(AMOUNT_R, "Montant", true);
    p.next();
}

/// Writes the bordereau of `mandates` (in order, numbered from the run's first mandat).
pub fn write_supplier_bordereau(
    out: &mut dyn Write,
    b: &SupplierBordereau,
    summary: &SupplierRunSummary,
    mandates: &[SupplierMandate],
) -> Result<(), ReportError> {
    let fonts = Fonts::shared().ok_or(ReportError::Font)?;
    let title = format!(
        "Bordereau de mandats n° {} — exercice {} — factures des fournisseurs",
        b.bordereau, b.exercice
    );
    let footer = format!("{} — {title} — paiement {}", b.authority, b.run);
    let mut p = Sheet::new(LeanPdf::new(out, fonts, &title, &footer)?, fonts, LINES);
    p.text(NUMBER, &b.authority, false);
    p.next();
    p.text(NUMBER, &title, true);
    p.next();
    p.text(
        NUMBER,
        &format!(
            "Paiement {} — préparé par {}, validé par {} le {}",
            b.run, b.prepared_by, b.validated_by, b.validated_at
        ),
        false,
    );
    p.next();
    let total = Cents::checked_sum(mandates.iter().map(|m| m.amount)).unwrap_or(Cents::ZERO);
    p.text(
        NUMBER,
        &format!(
            "{} mandat(s) : {} facture(s) pour {}, {} mandat(s) d'intérêts moratoires et \
             d'indemnités pour {} — total\u{a0}{total}",
            mandates.len(),
            summary.invoices,
            summary.principal,
            summary.interest_mandates,
            summary.interest
        ),
        true,
    );
    p.next();
    p.next();
    header(&mut p);
    let mut per_account: BTreeMap<(String, String), (u64, Cents)> = BTreeMap::new();
    for (i, m) in mandates.iter().enumerate() {
        p.room(2, header)?;
        let n = b
            .first_mandate
            .saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
        p.text(NUMBER, &n.to_string(), false);
        p.fitted(SUPPLIER, &m.supplier, SUPPLIER_W, false);
        let what = match m.kind {
            MandateKind::Facture => m.number.clone(),
            MandateKind::Interets => format!("intérêts {}", m.number),
        };
        p.fitted(INVOICE, &what, INVOICE_W, false);
        p.text(IMPUTATION, &format!("{}/{}", m.account, m.function), false);
        let deadline = match (&m.dgp, &m.late) {
            (Some(d), _) => format!("{} → {}", date_short(d.start), date_short(d.end)),
            (None, Some(l)) => format!("{} j de retard", l.days),
            _ => String::new(),
        };
        p.text(DEADLINE, &deadline, false);
        p.right(AMOUNT_R, &m.amount.to_string(), false);
        p.next();
        let mut second = format!("SIRET {}", m.siret.as_str());
        if let Some(market) = &m.market {
            second.push_str(&format!(" — marché {market}"));
        }
        if let Some(c) = &m.commitment {
            second.push_str(&format!(" — engagement {c}"));
        }
        p.fitted(SUPPLIER, &second, 300.0, false);
        p.next();
        let e = per_account
            .entry((m.account.clone(), m.function.clone()))
            .or_insert((0, Cents::ZERO));
        e.0 += 1;
        e.1 = e.1.checked_add(m.amount).unwrap_or(e.1);
    }
    p.room(per_account.len() + 10, |_| {})?;
    p.next();
    p.text(NUMBER, "Totaux par imputation budgétaire", true);
    p.next();
    for ((account, function), (count, amount)) in &per_account {
        p.text(SUPPLIER, &format!("{account}/{function}"), false);
        p.text(INVOICE, &format!("{count} mandat(s)"), false);
        p.right(AMOUNT_R, &amount.to_string(), false);
        p.next();
    }
    p.text(SUPPLIER, "Total du bordereau", true);
    p.right(AMOUNT_R, &total.to_string(), true);
    p.next();
    p.next();
    p.text(
        NUMBER,
        "Arrêté le présent bordereau. L'ordonnateur certifie le service fait des dépenses \
         mandatées (CGCT D1617-23).",
        false,
    );
    p.next();
    p.next();
    p.text(NUMBER, "Préparé par :", true);
    p.text(IMPUTATION, "L'ordonnateur (date, signature) :", true);
    p.next();
    p.text(NUMBER, &b.prepared_by, false);
    p.text(IMPUTATION, &b.validated_by, false);
    p.finish()?;
    Ok(())
}

/// The statement of late interest sent to the supplier with the interest mandat `m`.
pub fn write_interest_statement(
    authority: &str,
    m: &SupplierMandate,
    mandate: u32,
    out: &mut dyn Write,
) -> Result<(), DocumentError> {
    let late = m.late.ok_or_else(|| {
        DocumentError::Pdf(format!(
            "le mandat {mandate} n'est pas un mandat d'intérêts moratoires"
        ))
    })?;
    let percent = |bp: u32| format!("{},{:02} %", bp / 100, bp % 100);
    let mut b = vec![Block::Small(authority.to_owned()), Block::Gap(12.0)];
    b.push(Block::Strong(m.supplier.clone()));
    b.push(Block::Text(m.address.clone()));
    b.push(Block::Text(format!("{} {}", m.postal_code, m.city)));
    b.push(Block::Text(format!("SIRET {}", m.siret.as_str())));
    b.push(Block::Gap(12.0));
    b.push(Block::Title(
        "État liquidatif des intérêts moratoires".into(),
    ));
    b.push(Block::Field("Votre facture".into(), m.number.clone()));
    b.push(Block::Field("Notre référence".into(), m.invoice.clone()));
    b.push(Block::Field(
        "Montant payé (base des intérêts)".into(),
        late.base.to_string(),
    ));
    b.push(Block::Field(
        "Fin du délai de paiement".into(),
        date_long(late.deadline),
    ));
    b.push(Block::Field("Mandatée le".into(), date_long(late.until)));
    b.push(Block::Field(
        "Jours de retard".into(),
        format!(
            "{} (du lendemain de la fin du délai au mandatement)",
            late.days
        ),
    ));
    b.push(Block::Field(
        "Taux".into(),
        format!(
            "{} (taux de la BCE au premier jour du semestre où le retard a commencé, majoré \
             de 8 points)",
            percent(late.basis_points)
        ),
    ));
    b.push(Block::Field(
        "Intérêts".into(),
        format!(
            "{} = {} × {} × {} / 365, arrondi au centime",
            late.interest,
            late.base,
            percent(late.basis_points),
            late.days
        ),
    ));
    b.push(Block::Field(
        "Indemnité forfaitaire pour frais de recouvrement".into(),
        late.indemnity.to_string(),
    ));
    b.push(Block::Field(
        "Total mandaté".into(),
        format!("{} (mandat n° {mandate})", m.amount),
    ));
    b.push(Block::Gap(8.0));
    b.push(Block::Text(
        "Madame, Monsieur,\n\nVotre facture a été mandatée après l'expiration du délai de \
         paiement. Les intérêts moratoires et l'indemnité forfaitaire de 40 euros vous sont dus \
         de plein droit (code de la commande publique, articles R2192-31 à R2192-36) ; ils sont \
         mandatés avec le principal et vous seront versés par le comptable public."
            .into(),
    ));
    // In the standard Helvetica, nothing embedded (as the payslips): a supplier run may
    // have thousands of late invoices.
    let fonts = Fonts::shared().ok_or(DocumentError::Font)?;
    let pages = crate::flow::layout(fonts, &b);
    crate::payroll::lean::write_pages(
        fonts,
        &format!("Intérêts moratoires — facture {}", m.number),
        &format!("{authority} — intérêts moratoires, référence {}", m.invoice),
        &pages,
        out,
    )?;
    Ok(())
}

/// `1234,56`: the accountant's spreadsheet reads a decimal comma.
fn csv_amount(c: Cents) -> String {
    c.to_decimal().replace('.', ",")
}

/// The run's mandats as CSV (`;`, decimal comma), numbered from `first_mandate` when the run
/// is validated: what the restored system re-keys and the accountant checks.
pub fn write_mandates_csv(
    out: &mut dyn Write,
    first_mandate: Option<u32>,
    mandates: &[SupplierMandate],
) -> Result<(), ReportError> {
    use crate::run_report::csv_safe as safe;
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
    w.write_record([
        "mandat",
        "nature",
        "reference",
        "siret",
        "fournisseur",
        "numero_facture",
        "montant_facture",
        "montant_mandate",
        "compte",
        "fonction",
        "marche",
        "engagement",
        "debut_delai",
        "fin_delai",
        "jours_retard",
        "taux_interets",
        "interets",
        "indemnite",
    ])?;
    for (i, m) in mandates.iter().enumerate() {
        let n = first_mandate
            .map(|f| {
                f.saturating_add(u32::try_from(i).unwrap_or(u32::MAX))
                    .to_string()
            })
            .unwrap_or_default();
        let day = |d: Option<jiff::civil::Date>| d.map(date_short).unwrap_or_default();
        w.write_record([
            n,
            m.kind.code().to_owned(),
            safe(&m.invoice).into_owned(),
            m.siret.as_str().to_owned(),
            safe(&m.supplier).into_owned(),
            safe(&m.number).into_owned(),
            csv_amount(m.invoice_amount),
            csv_amount(m.amount),
            m.account.clone(),
            m.function.clone(),
            safe(m.market.as_deref().unwrap_or("")).into_owned(),
            safe(m.commitment.as_deref().unwrap_or("")).into_owned(),
            day(m.dgp.map(|d| d.start)),
            day(m.dgp.map(|d| d.end)),
            m.late.map(|l| l.days.to_string()).unwrap_or_default(),
            m.late
                .map(|l| format!("{},{:02}", l.basis_points / 100, l.basis_points % 100))
                .unwrap_or_default(),
            m.late.map(|l| csv_amount(l.interest)).unwrap_or_default(),
            m.late.map(|l| csv_amount(l.indemnity)).unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// The invoices liquidated that the run does not mandate (or whose interest it does not), and
/// why, as CSV.
pub fn write_held_csv(
    out: &mut dyn Write,
    held: &[relais_core::invoices::mandate::Held],
) -> Result<(), ReportError> {
    use crate::run_report::csv_safe as safe;
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
    w.write_record(["reference", "fournisseur", "montant", "code", "motif"])?;
    for h in held {
        w.write_record([
            safe(&h.invoice).into_owned(),
            safe(&h.supplier).into_owned(),
            csv_amount(h.amount),
            h.hold.code().to_owned(),
            safe(&h.hold.label()).into_owned(),
        ])?;
    }
    w.flush()?;
    Ok(())
}
