//! The paper bordereau of a run, for paper mode (the PES link to the comptable public is down,
//! DOMAIN.md "Who pays"): an A4 PDF in French with the run's totals per benefit and per budget
//! imputation, every mandate (paginated, the table header repeated, each page's total carried
//! over to the next), the final totals and the boxes where the preparer and the ordonnateur
//! sign ("Certifié exact").
//!
//! Every row has a fixed height (a long name is cut to its column), so the number of pages is
//! known from the summary before the list is read: a first pass lays out `summary.mandates`
//! rows without drawing, the second draws them as they stream. Only the current page's rows
//! are held; krilla keeps each finished page's content stream until the document is written.
//! A list that does not add up to the summary (count or total) yields no bordereau.

use crate::french::{count, count_of, date_short, month_long};
use crate::pdf::{Fonts, PAGE_H, PAGE_W, a4, finish, french_document, wrap};
use crate::run_report::{ReportError, RunLists, add, bordereaux, stream};
use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use relais_core::Cents;
use relais_core::records::{Benefit, PayeeKind};
use relais_core::run::{MandateLine, RunSummary};
use std::io::Write;

const MARGIN_X: f32 = 36.0;
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN_X;
/// Where the flow of items starts and ends on every page; the running header and the footer
/// are outside.
const TOP: f32 = 46.0;
const BOTTOM: f32 = PAGE_H - 46.0;
const ROW_H: f32 = 11.0;
const HEADER_H: f32 = 14.0;
/// The font size in tables.
const CELL: f32 = 7.5;
const PAD: f32 = 2.5;
const SIGN_H: f32 = 118.0;
/// Room kept under every mandate row for the page's total and the amount carried over.
const RESERVE: f32 = 2.0 * ROW_H;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Benefits,
    Imputations,
    Mandates,
}

struct Col {
    title: &'static str,
    width: f32,
    right: bool,
}

const fn col(title: &'static str, width: f32, right: bool) -> Col {
    Col {
        title,
        width,
        right,
    }
}

const BENEFIT_COLS: [Col; 6] = [
    col("Prestation", 170.0, false),
    col("Date de paiement", 85.0, false),
    col("Droits", 60.0, true),
    col("Personnes", 60.0, true),
    col("Tiers", 60.0, true),
    col("Montant", 88.0, true),
];
const IMPUTATION_COLS: [Col; 5] = [
    col("Prestation", 170.0, false),
    col("Compte", 90.0, false),
    col("Fonction", 90.0, false),
    col("Lignes", 75.0, true),
    col("Montant", 98.0, true),
];
const MANDATE_COLS: [Col; 9] = [
    col("Mandat", 40.0, true),
    col("Bord.", 34.0, true),
    col("Tiers", 58.0, false),
    col("Nom du tiers", 122.0, false),
    col("Type", 60.0, false),
    col("Prestation", 54.0, false),
    col("Compte", 42.0, false),
    col("Lignes", 36.0, true),
    col("Montant", 77.0, true),
];

impl Table {
    fn cols(self) -> &'static [Col] {
        match self {
            Table::Benefits => &BENEFIT_COLS,
            Table::Imputations => &IMPUTATION_COLS,
            Table::Mandates => &MANDATE_COLS,
        }
    }
}

/// What the bordereau is made of, in order. Each item has a fixed height.
#[derive(Debug, Clone)]
enum Item {
    Small(String),
    Title(String),
    Line(String),
    Strong(String),
    Heading(String),
    Gap(f32),
    Header(Table),
    Row {
        table: Table,
        cells: Vec<String>,
        strong: bool,
    },
    Mandate(MandateLine),
    /// A total under the mandates: its label (with the count of mandates), lines, amount.
    Sum {
        label: String,
        lines: u64,
        amount: Cents,
    },
    /// The two signature boxes: the preparer's lines, the ordonnateur's (first line bold).
    Signatures {
        prepared: Vec<String>,
        ordonnateur: Vec<String>,
    },
}

impl Item {
    fn height(&self) -> f32 {
        match self {
            Item::Small(_) => 12.0,
            Item::Title(_) => 26.0,
            Item::Line(_) | Item::Strong(_) => 13.0,
            Item::Heading(_) => 22.0,
            Item::Gap(h) => *h,
            Item::Header(_) => HEADER_H,
            Item::Row { .. } | Item::Mandate(_) | Item::Sum { .. } => ROW_H,
            Item::Signatures { .. } => SIGN_H,
        }
    }
}

/// Mandates, lines and amount of part of the list.
#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    mandates: u64,
    lines: u64,
    amount: Cents,
}

impl Totals {
    fn add(&mut self, m: &MandateLine) -> Result<(), ReportError> {
        self.mandates += 1;
        self.lines = self.lines.saturating_add(u64::from(m.lines));
        self.amount = add(self.amount, m.amount)?;
        Ok(())
    }

    fn sum(&self, label: &str) -> Item {
        Item::Sum {
            label: format!("{label} : {}", count_of(self.mandates, "mandat", "mandats")),
            lines: self.lines,
            amount: self.amount,
        }
    }
}

/// Receives each page's items once the page is full.
trait PageSink {
    fn page(&mut self, number: u32, items: &[Item]) -> Result<(), ReportError>;
}

/// The first pass: pages are only counted.
struct Counter;

impl PageSink for Counter {
    fn page(&mut self, _: u32, _: &[Item]) -> Result<(), ReportError> {
        Ok(())
    }
}

/// Lays items out on pages: breaks a page when the next item does not fit, repeats a table's
/// header on the new page, and under the mandates writes each page's total and the amount
/// carried over to the next.
struct Flow<'s> {
    sink: &'s mut dyn PageSink,
    items: Vec<Item>,
    y: f32,
    page: u32,
    page_totals: Totals,
    totals: Totals,
}

impl<'s> Flow<'s> {
    fn new(sink: &'s mut dyn PageSink) -> Flow<'s> {
        Flow {
            sink,
            items: Vec::new(),
            y: TOP,
            page: 1,
            page_totals: Totals::default(),
            totals: Totals::default(),
        }
    }

    fn room(&self) -> f32 {
        BOTTOM - self.y
    }

    fn put(&mut self, item: Item) {
        self.y += item.height();
        self.items.push(item);
    }

    fn next_page(&mut self) -> Result<(), ReportError> {
        self.sink.page(self.page, &self.items)?;
        self.items.clear();
        self.page += 1;
        self.y = TOP;
        Ok(())
    }

    /// Breaks the page unless `need` points are left.
    fn keep(&mut self, need: f32) -> Result<(), ReportError> {
        if self.room() < need {
            self.next_page()?;
        }
        Ok(())
    }

    fn push(&mut self, item: Item) -> Result<(), ReportError> {
        match &item {
            // A heading stays with its table's header and first row (and the mandates' totals).
            Item::Heading(_) => self.keep(item.height() + HEADER_H + ROW_H + RESERVE)?,
            Item::Header(t) => {
                let reserve = if *t == Table::Mandates { RESERVE } else { 0.0 };
                self.keep(HEADER_H + ROW_H + reserve)?;
            }
            Item::Row { table, .. } => {
                if self.room() < ROW_H {
                    self.next_page()?;
                    self.put(Item::Header(*table));
                }
            }
            Item::Mandate(m) => {
                if self.room() < ROW_H + RESERVE {
                    self.put(self.page_totals.sum("Total de la page"));
                    self.put(self.totals.sum("À reporter"));
                    self.next_page()?;
                    self.put(Item::Header(Table::Mandates));
                    self.put(self.totals.sum("Report"));
                    self.page_totals = Totals::default();
                }
                self.page_totals.add(m)?;
                self.totals.add(m)?;
            }
            _ => self.keep(item.height())?,
        }
        self.put(item);
        Ok(())
    }

    /// Closes the list of mandates: the last page's total when the list ran over several
    /// pages, then the grand total (room for both was kept under every row).
    fn end_mandates(&mut self) {
        if self.totals.mandates == 0 {
            self.put(Item::Row {
                table: Table::Mandates,
                cells: vec![
                    String::new(),
                    String::new(),
                    String::new(),
                    "Aucun mandat.".into(),
                ],
                strong: false,
            });
        } else if self.totals.mandates > self.page_totals.mandates {
            self.put(self.page_totals.sum("Total de la page"));
        }
        self.put(self.totals.sum("Total général"));
    }

    /// Hands the last page over; the number of pages.
    fn finish(self) -> Result<u32, ReportError> {
        self.sink.page(self.page, &self.items)?;
        Ok(self.page)
    }
}

fn benefit_short(b: Benefit) -> &'static str {
    match b {
        Benefit::ApaDom => "APA dom.",
        Benefit::ApaEtab => "APA étab.",
        Benefit::Pch => "PCH",
        Benefit::Ash => "ASH",
        Benefit::Rsa => "RSA",
    }
}

fn kind_short(k: PayeeKind) -> &'static str {
    match k {
        PayeeKind::Personne => "Personne",
        PayeeKind::Etablissement => "Établissement",
        PayeeKind::Service => "SAAD",
        PayeeKind::Tuteur => "Tuteur",
    }
}

fn title(s: &RunSummary) -> String {
    format!(
        "Bordereau de mandats — paiement {} — {}",
        s.run,
        month_long(s.month)
    )
}

/// Everything before the list of mandates, from the summary alone.
fn front(flow: &mut Flow<'_>, s: &RunSummary) -> Result<(), ReportError> {
    flow.push(Item::Small(s.authority.clone()))?;
    flow.push(Item::Title(title(s)))?;
    flow.push(Item::Line(format!("Collectivité : {}", s.authority)))?;
    flow.push(Item::Line(format!(
        "Mois payé : {} — paiement {} — état : {}",
        month_long(s.month),
        s.run,
        s.status.label_fr()
    )))?;
    for line in wrap(&format!("Bordereaux : {}", bordereaux(s)), 95) {
        flow.push(Item::Line(line))?;
    }
    let validated = match (&s.validated_by, &s.validated_at) {
        (Some(by), Some(at)) => format!("validé par {by} le {at}"),
        (Some(by), None) => format!("validé par {by}"),
        (None, _) => "non validé".into(),
    };
    flow.push(Item::Line(format!(
        "Préparé par {} le {} ; {validated}",
        s.prepared_by, s.prepared_at
    )))?;
    flow.push(Item::Strong(format!(
        "{}, {}, montant total {}",
        count_of(s.mandates, "mandat", "mandats"),
        count_of(s.lines, "ligne", "lignes"),
        s.total
    )))?;
    if s.caf_rights != 0 || s.caf_total != Cents::ZERO {
        flow.push(Item::Small(format!(
            "RSA versé par la CAF, hors bordereau : {} pour {} (avance du département, non \
             mandatée).",
            count_of(s.caf_rights, "droit", "droits"),
            s.caf_total
        )))?;
    }

    flow.push(Item::Heading("Totaux par prestation".into()))?;
    flow.push(Item::Header(Table::Benefits))?;
    let (mut rights, mut total) = (0u64, Cents::ZERO);
    for b in &s.benefits {
        rights = rights.saturating_add(b.rights);
        total = add(total, b.total)?;
        flow.push(Item::Row {
            table: Table::Benefits,
            cells: vec![
                b.benefit.label_fr().into(),
                date_short(b.pay_date),
                count(b.rights),
                count(b.people),
                count(b.payees),
                b.total.to_string(),
            ],
            strong: false,
        })?;
    }
    flow.push(Item::Row {
        table: Table::Benefits,
        cells: vec![
            "Ensemble".into(),
            String::new(),
            count(rights),
            String::new(),
            String::new(),
            total.to_string(),
        ],
        strong: true,
    })?;

    flow.push(Item::Heading("Totaux par imputation budgétaire".into()))?;
    flow.push(Item::Header(Table::Imputations))?;
    let (mut lines, mut total) = (0u64, Cents::ZERO);
    for i in &s.imputations {
        lines = lines.saturating_add(i.lines);
        total = add(total, i.total)?;
        flow.push(Item::Row {
            table: Table::Imputations,
            cells: vec![
                i.benefit.label_fr().into(),
                i.account.clone(),
                i.function.clone(),
                count(i.lines),
                i.total.to_string(),
            ],
            strong: false,
        })?;
    }
    flow.push(Item::Row {
        table: Table::Imputations,
        cells: vec![
            "Ensemble".into(),
            String::new(),
            String::new(),
            count(lines),
            total.to_string(),
        ],
        strong: true,
    })?;

    flow.push(Item::Heading("Liste des mandats".into()))?;
    flow.push(Item::Header(Table::Mandates))?;
    Ok(())
}

/// Everything after the list: the sentence that closes the bordereau and the signatures.
fn back(flow: &mut Flow<'_>, s: &RunSummary, totals: Totals) -> Result<(), ReportError> {
    flow.end_mandates();
    flow.push(Item::Gap(10.0))?;
    flow.push(Item::Strong(format!(
        "Arrêté le présent bordereau à {}, {}, pour un montant total de {}.",
        count_of(totals.mandates, "mandat", "mandats"),
        count_of(totals.lines, "ligne", "lignes"),
        totals.amount
    )))?;
    flow.push(Item::Gap(8.0))?;
    let (by, at) = match (&s.validated_by, &s.validated_at) {
        (Some(by), Some(at)) => (by.clone(), format!("le {at}")),
        (Some(by), None) => (by.clone(), "Date :".into()),
        (None, _) => ("Nom et qualité :".into(), "Date :".into()),
    };
    flow.push(Item::Signatures {
        prepared: vec![
            "Préparé par".into(),
            s.prepared_by.clone(),
            format!("le {}", s.prepared_at),
            "Signature :".into(),
        ],
        ordonnateur: vec![
            "L'ordonnateur".into(),
            "Certifié exact".into(),
            by,
            at,
            "Signature et cachet :".into(),
        ],
    })?;
    Ok(())
}

/// Writes the paper bordereau of a run: its totals, every mandate `lists` gives (read once),
/// and the signature boxes. Fails with [`ReportError::Mismatch`] when the list's count or
/// total differs from the summary's: a bordereau certified exact must add up.
pub fn write_bordereau_pdf(
    out: &mut dyn Write,
    summary: &RunSummary,
    lists: &mut dyn RunLists,
) -> Result<(), ReportError> {
    // First pass: the number of pages, from the summary's counts (every row has one height).
    let pages = {
        let mut counter = Counter;
        let mut flow = Flow::new(&mut counter);
        front(&mut flow, summary)?;
        let blank = MandateLine {
            number: 0,
            bordereau: 0,
            payee_id: String::new(),
            payee_name: String::new(),
            kind: PayeeKind::Personne,
            benefit: Benefit::ApaDom,
            account: String::new(),
            lines: 0,
            amount: Cents::ZERO,
        };
        for _ in 0..summary.mandates {
            flow.push(Item::Mandate(blank.clone()))?;
        }
        let expected = Totals {
            mandates: summary.mandates,
            lines: summary.lines,
            amount: summary.total,
        };
        back(&mut flow, summary, expected)?;
        flow.finish()?
    };

    let fonts = Fonts::shared().ok_or(ReportError::Font)?;
    let mut document = french_document(title(summary));
    let mut drawer = Drawer {
        document: &mut document,
        fonts,
        summary,
        pages,
    };
    let mut flow = Flow::new(&mut drawer);
    front(&mut flow, summary)?;
    stream(
        |f| lists.mandates(f),
        |m: &MandateLine| flow.push(Item::Mandate(m.clone())),
    )?;
    let found = flow.totals;
    if found.mandates != summary.mandates || found.amount != summary.total {
        return Err(ReportError::Mismatch {
            expected_mandates: summary.mandates,
            expected_total: summary.total,
            found_mandates: found.mandates,
            found_total: found.amount,
        });
    }
    back(&mut flow, summary, found)?;
    let drawn = flow.finish()?;
    if drawn != pages {
        return Err(ReportError::Pdf(format!(
            "pagination : {drawn} pages dessinées, {pages} annoncées"
        )));
    }
    let bytes = finish(document).map_err(ReportError::Pdf)?;
    out.write_all(&bytes)?;
    out.flush()?;
    Ok(())
}

/// The second pass: draws each page with krilla.
struct Drawer<'d> {
    document: &'d mut Document,
    fonts: &'d Fonts,
    summary: &'d RunSummary,
    pages: u32,
}

impl PageSink for Drawer<'_> {
    fn page(&mut self, number: u32, items: &[Item]) -> Result<(), ReportError> {
        let settings = a4().ok_or_else(|| ReportError::Pdf("page".into()))?;
        let mut page = self.document.start_page_with(settings);
        let mut surface = page.surface();
        let mut pen = Pen {
            surface: &mut surface,
            fonts: self.fonts,
            rules: PathBuilder::new(),
        };
        let s = self.summary;
        if number > 1 {
            let running = format!("{} — {}", s.authority, title(s));
            pen.text_fit(MARGIN_X, 30.0, &running, 7.0, false, WIDTH);
        }
        let mut y = TOP;
        for item in items {
            pen.item(item, y);
            y += item.height();
        }
        let footer_y = PAGE_H - 26.0;
        pen.text_fit(
            MARGIN_X,
            footer_y,
            &format!("Bordereau de mandats — paiement {}", s.run),
            7.5,
            false,
            WIDTH - 80.0,
        );
        pen.text_right(
            PAGE_W - MARGIN_X,
            footer_y,
            &format!("page {number} / {}", self.pages),
            7.5,
            false,
        );
        pen.stroke_rules();
        surface.finish();
        page.finish();
        Ok(())
    }
}

struct Pen<'s, 'a> {
    surface: &'s mut Surface<'a>,
    fonts: &'s Fonts,
    /// Thin rules between rows, stroked once per page.
    rules: PathBuilder,
}

impl Pen<'_, '_> {
    fn text(&mut self, x: f32, baseline: f32, text: &str, size: f32, bold: bool) {
        if text.is_empty() {
            return;
        }
        self.fonts
            .draw(self.surface, Point::from_xy(x, baseline), text, size, bold);
    }

    fn text_fit(&mut self, x: f32, baseline: f32, text: &str, size: f32, bold: bool, max: f32) {
        let fitted = self.fonts.fit(text, size, bold, max);
        self.text(x, baseline, &fitted, size, bold);
    }

    fn text_right(&mut self, right: f32, baseline: f32, text: &str, size: f32, bold: bool) {
        let w = self.fonts.width(text, size, bold);
        self.text(right - w, baseline, text, size, bold);
    }

    /// One line of `cells` in `table`'s columns, each cut to its column.
    fn cells<S: AsRef<str>>(&mut self, table: Table, cells: &[S], y: f32, h: f32, bold: bool) {
        let baseline = y + h / 2.0 + 0.36 * CELL;
        let mut x = MARGIN_X;
        for (col, cell) in table.cols().iter().zip(cells) {
            let max = col.width - 2.0 * PAD;
            let text = self.fonts.fit(cell.as_ref(), CELL, bold, max);
            if col.right {
                self.text_right(x + col.width - PAD, baseline, &text, CELL, bold);
            } else {
                self.text(x + PAD, baseline, &text, CELL, bold);
            }
            x += col.width;
        }
    }

    fn rule(&mut self, y: f32) {
        self.rules.move_to(MARGIN_X, y);
        self.rules.line_to(MARGIN_X + WIDTH, y);
    }

    fn item(&mut self, item: &Item, y: f32) {
        let h = item.height();
        match item {
            Item::Small(t) => self.text_fit(MARGIN_X, y + 9.0, t, 8.0, false, WIDTH),
            Item::Title(t) => self.text_fit(MARGIN_X, y + 18.0, t, 13.0, true, WIDTH),
            Item::Line(t) => self.text_fit(MARGIN_X, y + 10.0, t, 9.0, false, WIDTH),
            Item::Strong(t) => self.text_fit(MARGIN_X, y + 10.0, t, 9.0, true, WIDTH),
            Item::Heading(t) => self.text_fit(MARGIN_X, y + 17.0, t, 10.5, true, WIDTH),
            Item::Gap(_) => {}
            Item::Header(table) => {
                if let Some(r) = Rect::from_xywh(MARGIN_X, y, WIDTH, h) {
                    let mut bg = PathBuilder::new();
                    bg.push_rect(r);
                    if let Some(path) = bg.finish() {
                        self.surface.set_fill(Some(Fill {
                            paint: luma::Color::new(225).into(),
                            ..Fill::default()
                        }));
                        self.surface.draw_path(&path);
                        self.surface.set_fill(Some(Fill::default()));
                    }
                }
                let titles: Vec<&str> = table.cols().iter().map(|c| c.title).collect();
                self.cells(*table, &titles, y, h, true);
            }
            Item::Row {
                table,
                cells,
                strong,
            } => {
                if *strong {
                    self.rule(y);
                }
                self.cells(*table, cells, y, h, *strong);
                self.rule(y + h);
            }
            Item::Mandate(m) => {
                let cells = [
                    m.number.to_string(),
                    m.bordereau.to_string(),
                    m.payee_id.clone(),
                    m.payee_name.clone(),
                    kind_short(m.kind).to_owned(),
                    benefit_short(m.benefit).to_owned(),
                    m.account.clone(),
                    m.lines.to_string(),
                    m.amount.to_string(),
                ];
                self.cells(Table::Mandates, &cells, y, h, false);
                self.rule(y + h);
            }
            Item::Sum {
                label,
                lines,
                amount,
            } => {
                let baseline = y + h / 2.0 + 0.36 * CELL;
                // The label spans every column before "Lignes".
                let label_w: f32 = MANDATE_COLS.iter().take(7).map(|c| c.width).sum();
                self.text_fit(
                    MARGIN_X + PAD,
                    baseline,
                    label,
                    CELL,
                    true,
                    label_w - 2.0 * PAD,
                );
                let lines_right = MARGIN_X + label_w + MANDATE_COLS[7].width - PAD;
                self.text_right(lines_right, baseline, &count(*lines), CELL, true);
                self.text_right(
                    MARGIN_X + WIDTH - PAD,
                    baseline,
                    &amount.to_string(),
                    CELL,
                    true,
                );
                self.rule(y + h);
            }
            Item::Signatures {
                prepared,
                ordonnateur,
            } => {
                let w = (WIDTH - 16.0) / 2.0;
                self.signature_box(MARGIN_X, y, w, prepared, 1);
                self.signature_box(MARGIN_X + w + 16.0, y, w, ordonnateur, 2);
            }
        }
    }

    /// A framed box: `lines` from its top, the first `bold` of them in bold, and room left
    /// under them to sign.
    fn signature_box(&mut self, x: f32, y: f32, w: f32, lines: &[String], bold: usize) {
        let mut baseline = y + 14.0;
        for (i, line) in lines.iter().enumerate() {
            self.text_fit(x + 6.0, baseline, line, 9.0, i < bold, w - 12.0);
            baseline += 13.0;
        }
        if let Some(r) = Rect::from_xywh(x, y, w, SIGN_H - 8.0) {
            let mut frame = PathBuilder::new();
            frame.push_rect(r);
            if let Some(path) = frame.finish() {
                self.surface.set_fill(None);
                self.surface.set_stroke(Some(Stroke {
                    width: 0.8,
                    ..Stroke::default()
                }));
                self.surface.draw_path(&path);
                self.surface.set_stroke(None);
                self.surface.set_fill(Some(Fill::default()));
            }
        }
    }

    fn stroke_rules(&mut self) {
        let rules = std::mem::take(&mut self.rules);
        if let Some(path) = rules.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(Stroke {
                width: 0.3,
                paint: luma::Color::new(140).into(),
                ..Stroke::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
            self.surface.set_fill(Some(Fill::default()));
        }
    }
}
