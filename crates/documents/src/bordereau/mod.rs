//! The paper bordereau of a run, for paper mode (the PES link to the comptable public is down,
//! docs/domain.md "Who pays"): an A4 PDF in French with the run's totals per benefit, every mandate
//! (paginated, the table header repeated, each page's total carried over to the next), then
//! the totals per budget imputation, the sentence that closes the bordereau and the boxes where
//! the preparer and the ordonnateur sign ("Certifié exact") — these last on one page, together.
//!
//! No name, total or amount is ever cut: texts are wrapped to their column, measured with the
//! embedded font, and a row grows as its longest text needs (`crate::page::table`, with the
//! statements); amounts are never broken (`table.rs` sizes the columns, `layout.rs` places
//! the items, `draw.rs` draws them). Rows having no fixed height, the
//! number of pages ("page n / N") is only known once the list is laid out: the list of
//! mandates is read twice, a first time to lay the bordereau out without drawing it, a second
//! to draw it. Only the current page's rows are held, and each page is written out when it is
//! drawn (`crate::streaming_pdf`): memory does not grow with the number of mandates. A list that does not add up to the summary
//! (count or total), or that changed between the two reads, yields no bordereau.

mod draw;
mod layout;
mod table;

use crate::french::{count, count_of, date_short, month_long};
use crate::page::Frame;
use crate::page::paging::Counter;
use crate::page::pen::Drawer;
use crate::page::table::{Row, RowStyle};
use crate::pdf::Fonts;
use crate::run_report::{ReportError, RunLists, add, bordereaux, stream};
use crate::streaming_pdf::{Failure, StreamingPdf};
use layout::{Flow, HEADING, Item, LINE_TEXT, SMALL, STRONG, Signatures, TITLE, Totals, new_flow};
use relais_core::Cents;
use relais_core::run::{MandateLine, RunSummary};
use std::io::Write;
use table::{BENEFITS, IMPUTATIONS};
const IMPUTATIONS_HEADING: &str = "Totaux par imputation budgétaire";

fn title(s: &RunSummary) -> String {
    format!(
        "Bordereau de mandats — paiement {} — {}",
        s.run,
        month_long(s.month)
    )
}

/// Everything before the list of mandates, from the summary alone.
fn front(flow: &mut Flow<'_>, s: &RunSummary) -> Result<(), ReportError> {
    let fonts = flow.fonts();
    flow.text(&s.authority, SMALL)?;
    flow.text(&title(s), TITLE)?;
    flow.text(&format!("Collectivité : {}", s.authority), LINE_TEXT)?;
    flow.text(
        &format!(
            "Mois payé : {} — paiement {} — état : {}",
            month_long(s.month),
            s.run,
            s.status.label_fr()
        ),
        LINE_TEXT,
    )?;
    flow.text(&format!("Bordereaux : {}", bordereaux(s)), LINE_TEXT)?;
    let validated = match (&s.validated_by, &s.validated_at) {
        (Some(by), Some(at)) => format!("validé par {by} le {at}"),
        (Some(by), None) => format!("validé par {by}"),
        (None, _) => "non validé".into(),
    };
    flow.text(
        &format!(
            "Préparé par {} le {} ; {validated}",
            s.prepared_by, s.prepared_at
        ),
        LINE_TEXT,
    )?;
    flow.text(
        &format!(
            // No-break space: the amount stays with what it is.
            "{}, {}, montant total\u{a0}{}",
            count_of(s.mandates, "mandat", "mandats"),
            count_of(s.lines, "ligne", "lignes"),
            s.total
        ),
        STRONG,
    )?;
    if s.caf_rights != 0 || s.caf_total != Cents::ZERO {
        flow.text(
            &format!(
                "RSA versé par la CAF, hors bordereau : {} pour {} (avance du département, non \
                 mandatée).",
                count_of(s.caf_rights, "droit", "droits"),
                s.caf_total
            ),
            SMALL,
        )?;
    }

    flow.heading("Totaux par prestation");
    flow.header(&BENEFITS);
    let (mut rights, mut total) = (0u64, Cents::ZERO);
    for b in &s.benefits {
        rights = rights.saturating_add(b.rights);
        total = add(total, b.total)?;
        let cells = [
            b.benefit.label_fr().to_owned(),
            date_short(b.pay_date),
            count(b.rights),
            count(b.people),
            count(b.payees),
            b.total.to_string(),
        ];
        flow.row(Row::new(fonts, &BENEFITS, cells, RowStyle::Plain))?;
    }
    let cells = [
        "Ensemble".to_owned(),
        String::new(),
        count(rights),
        String::new(),
        String::new(),
        total.to_string(),
    ];
    flow.row(Row::new(fonts, &BENEFITS, cells, RowStyle::Total))?;

    flow.heading("Liste des mandats");
    flow.mandates_header();
    Ok(())
}

/// The rows of totals per budget imputation, and their total.
fn imputations(fonts: &Fonts, s: &RunSummary) -> Result<(Vec<Item>, Item), ReportError> {
    let mut rows = Vec::with_capacity(s.imputations.len());
    let (mut lines, mut total) = (0u64, Cents::ZERO);
    for i in &s.imputations {
        lines = lines.saturating_add(i.lines);
        total = add(total, i.total)?;
        let cells = [
            i.benefit.label_fr().to_owned(),
            i.account.clone(),
            i.function.clone(),
            count(i.lines),
            i.total.to_string(),
        ];
        let row = Row::new(fonts, &IMPUTATIONS, cells, RowStyle::Plain);
        rows.push(Item::Row(row));
    }
    let cells = [
        "Ensemble".to_owned(),
        String::new(),
        String::new(),
        count(lines),
        total.to_string(),
    ];
    let all = Row::new(fonts, &IMPUTATIONS, cells, RowStyle::Total);
    Ok((rows, Item::Row(all)))
}

/// Everything after the list: the totals per imputation, the sentence that closes the
/// bordereau and the signatures, on one page (the next when they do not fit under the list).
/// Only when the imputations alone are more than a page holds do they run over pages, the
/// signatures then on the page of their last rows and their total.
fn back(flow: &mut Flow<'_>, s: &RunSummary, totals: Totals) -> Result<(), ReportError> {
    let fonts = flow.fonts();
    flow.end_mandates()?;
    let (rows, all) = imputations(fonts, s)?;
    let closing = format!(
        "Arrêté le présent bordereau à {}, {}, pour un montant total de\u{a0}{}.",
        count_of(totals.mandates, "mandat", "mandats"),
        count_of(totals.lines, "ligne", "lignes"),
        totals.amount
    );
    let (by, at) = match (&s.validated_by, &s.validated_at) {
        (Some(by), Some(at)) => (by.clone(), format!("le {at}")),
        (Some(by), None) => (by.clone(), "Date :".into()),
        (None, _) => ("Nom et qualité :".into(), "Date :".into()),
    };
    let signatures = Signatures::new(
        fonts,
        &[
            "Préparé par".into(),
            s.prepared_by.clone(),
            format!("le {}", s.prepared_at),
            "Signature :".into(),
        ],
        &[
            "L'ordonnateur".into(),
            "Certifié exact".into(),
            by,
            at,
            "Signature et cachet :".into(),
        ],
    );
    let tail = vec![
        all,
        Item::Gap(10.0),
        Item::text(fonts, &closing, STRONG),
        Item::Gap(8.0),
        Item::Signatures(signatures),
    ];
    let n = rows.len();
    let whole: Vec<Item> = [
        vec![
            Item::text(fonts, IMPUTATIONS_HEADING, HEADING),
            Item::Row(Row::header(fonts, &IMPUTATIONS)),
        ],
        rows,
        tail,
    ]
    .concat();
    let Some(mut whole) = flow.together(whole)? else {
        return Ok(());
    };
    let tail = whole.split_off(2 + n);
    flow.new_page()?;
    flow.heading(IMPUTATIONS_HEADING);
    flow.header(&IMPUTATIONS);
    for row in whole.into_iter().skip(2) {
        flow.place_item(row)?;
    }
    if let Some(tail) = flow.together(tail)? {
        for item in tail {
            flow.place_item(item)?;
        }
    }
    Ok(())
}

/// The whole bordereau into `flow`, reading the list of mandates once.
fn lay_out(
    flow: &mut Flow<'_>,
    summary: &RunSummary,
    lists: &mut dyn RunLists,
) -> Result<(), ReportError> {
    front(flow, summary)?;
    stream(|f| lists.mandates(f), |m: &MandateLine| flow.mandate(m))?;
    let found = flow.list.totals;
    if found.mandates != summary.mandates || found.amount != summary.total {
        return Err(ReportError::Mismatch {
            expected_mandates: summary.mandates,
            expected_total: summary.total,
            found_mandates: found.mandates,
            found_total: found.amount,
        });
    }
    back(flow, summary, found)
}

/// Writes the paper bordereau of a run: its totals, every mandate `lists` gives, and the
/// signature boxes. The list of mandates is read twice (to count the pages, then to draw
/// them). Fails with [`ReportError::Mismatch`] when the list's count or total differs from
/// the summary's: a bordereau certified exact must add up; that is found before anything is
/// written. Pages are written to `out` as they are drawn: a failure while drawing (a list that
/// changed between its two readings, a full disk) leaves an incomplete document there, which
/// the caller discards (the export writes to a temporary file, renamed once complete).
pub fn write_bordereau_pdf(
    out: &mut dyn Write,
    summary: &RunSummary,
    lists: &mut dyn RunLists,
) -> Result<(), ReportError> {
    let fonts = Fonts::shared().ok_or(ReportError::Font)?;
    let frame = Frame::new(
        fonts,
        &format!("{} — {}", summary.authority, title(summary)),
        &format!("Bordereau de mandats — paiement {}", summary.run),
    );
    let pages = {
        let mut counter = Counter;
        let mut flow = new_flow(&mut counter, fonts, &frame);
        lay_out(&mut flow, summary, lists)?;
        flow.finish()?
    };

    let mut document = StreamingPdf::new(out, fonts, title(summary));
    let mut drawer = Drawer {
        document: &mut document,
        frame: &frame,
        pages,
        fail,
    };
    let mut flow = new_flow(&mut drawer, fonts, &frame);
    lay_out(&mut flow, summary, lists)?;
    let drawn = flow.finish()?;
    if drawn != pages {
        return Err(ReportError::Pdf(format!(
            "la liste des mandats a changé pendant l'écriture ({drawn} pages au lieu de \
             {pages}) : recommencez"
        )));
    }
    document.finish().map_err(fail)
}

fn fail(f: Failure) -> ReportError {
    match f {
        Failure::Io(e) => ReportError::Io(e),
        Failure::Pdf(e) => ReportError::Pdf(e),
    }
}
