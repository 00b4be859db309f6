//! Charts drawn on the server as SVG, for the screens where people would rather look than
//! read: pure functions from plain data to an HTML `<figure>` that holds the picture and, beside
//! it, the same data as a `<table>` (what a screen reader reads, and what can be copied).
//!
//! No script and no `style` attribute (the CSP allows neither): shapes take classes of
//! `assets/relais.css` and presentation attributes. Every SVG is `role="img"` with a `<title>`
//! and a `<desc>`; sizes are computed in integers (a national total in cents does not
//! overflow), a zero maximum draws empty bars, never a division by zero.

use relais_core::Cents;
use relais_documents::french;
use std::fmt::Write;

/// How the values of a chart read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A count: `19 775`.
    Count,
    /// Cents, shown in euros: `1 234,56 €`.
    Euros,
}

impl Unit {
    fn format(self, value: i64) -> String {
        match self {
            Unit::Count => french::count(value.max(0).unsigned_abs()),
            Unit::Euros => Cents(value).to_string(),
        }
    }
}

/// One bar: its label and its value (negative values draw as zero).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
}

/// One part of a stacked bar; `class` picks its colour in the stylesheet (`seg-CLASS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub label: String,
    pub value: i64,
    pub class: String,
}

/// One moment of a timeline: its label, the instant (seconds), the time as it reads, and its
/// class (`mark-CLASS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub label: String,
    pub at: i64,
    pub when: String,
    pub class: String,
}

/// What every chart says of itself: an id for its title and description (unique in the page),
/// a title, a description (one or two sentences that say what the picture shows) and the
/// headings of its table's two columns.
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
    pub label_heading: &'a str,
    pub value_heading: &'a str,
}

const WIDTH: i64 = 640;

/// Text for HTML and SVG.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A class name from a code: letters, digits, `-` and `_` kept, anything else `-`.
fn class(code: &str) -> String {
    code.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// `value` of `max` as a length of at most `span`, in integers (i128: no overflow).
fn scale(value: i64, max: i64, span: i64) -> i64 {
    if max <= 0 || value <= 0 {
        return 0;
    }
    let len = i128::from(value.min(max)) * i128::from(span) / i128::from(max);
    // A value that is not zero stays visible.
    i64::try_from(len).unwrap_or(span).max(1)
}

fn svg_open(out: &mut String, about: &About<'_>, height: i64) {
    let id = esc(about.id);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart-svg\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" \
         height=\"{height}\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        esc(about.title),
        esc(about.desc)
    );
}

/// The figure: the picture, then its data as a table.
fn figure(about: &About<'_>, svg: &str, rows: &[(String, String)]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<figure class=\"chart\">{svg}<table class=\"chart-data\">"
    );
    let _ = write!(
        out,
        "<caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        esc(about.title),
        esc(about.label_heading),
        esc(about.value_heading)
    );
    for (label, value) in rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
            esc(label),
            esc(value)
        );
    }
    out.push_str("</tbody></table></figure>");
    out
}

/// Horizontal bars, one a row, the label above its bar and the value after it.
pub fn bars(about: &About<'_>, bars: &[Bar], unit: Unit) -> String {
    const ROW: i64 = 34;
    const SPAN: i64 = WIDTH - 150;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let height = (ROW * i64::try_from(bars.len()).unwrap_or(0)).max(ROW);
    let mut svg = String::new();
    svg_open(&mut svg, about, height);
    for (i, b) in bars.iter().enumerate() {
        let top = ROW * i64::try_from(i).unwrap_or(0);
        let len = scale(b.value, max, SPAN);
        let _ = write!(
            svg,
            "<text class=\"chart-label\" x=\"0\" y=\"{}\">{}</text>\
             <rect class=\"bar\" x=\"0\" y=\"{}\" width=\"{len}\" height=\"12\"/>\
             <text class=\"chart-value\" x=\"{}\" y=\"{}\">{}</text>",
            top + 13,
            esc(&b.label),
            top + 18,
            len + 6,
            top + 29,
            esc(&unit.format(b.value))
        );
    }
    if bars.is_empty() {
        svg.push_str("<text class=\"chart-label\" x=\"0\" y=\"20\">aucune donnée</text>");
    }
    svg.push_str("</svg>");
    let rows: Vec<(String, String)> = bars
        .iter()
        .map(|b| (b.label.clone(), unit.format(b.value)))
        .collect();
    figure(about, &svg, &rows)
}

/// Vertical columns (months side by side): the value above each column, the label under it.
pub fn columns(about: &About<'_>, bars: &[Bar], unit: Unit) -> String {
    const HEIGHT: i64 = 200;
    const BASE: i64 = 170;
    const SPAN: i64 = 140;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let n = i64::try_from(bars.len()).unwrap_or(1).max(1);
    let slot = WIDTH / n;
    let mut svg = String::new();
    svg_open(&mut svg, about, HEIGHT);
    let _ = write!(
        svg,
        "<line class=\"chart-axis\" x1=\"0\" y1=\"{BASE}\" x2=\"{WIDTH}\" y2=\"{BASE}\"/>"
    );
    for (i, b) in bars.iter().enumerate() {
        let left = slot * i64::try_from(i).unwrap_or(0);
        let middle = left + slot / 2;
        let len = scale(b.value, max, SPAN);
        let width = (slot * 3 / 5).max(1);
        let _ = write!(
            svg,
            "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{width}\" height=\"{len}\"/>\
             <text class=\"chart-value\" x=\"{middle}\" y=\"{}\" text-anchor=\"middle\">{}</text>\
             <text class=\"chart-label\" x=\"{middle}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            middle - width / 2,
            BASE - len,
            BASE - len - 5,
            esc(&unit.format(b.value)),
            BASE + 18,
            esc(&b.label)
        );
    }
    svg.push_str("</svg>");
    let rows: Vec<(String, String)> = bars
        .iter()
        .map(|b| (b.label.clone(), unit.format(b.value)))
        .collect();
    figure(about, &svg, &rows)
}

/// One horizontal bar cut into its parts (each in proportion to the whole), with a legend.
pub fn stacked(about: &About<'_>, parts: &[Segment], unit: Unit) -> String {
    const BAR: i64 = 28;
    const PER_LINE: i64 = 3;
    let total: i64 = parts.iter().map(|p| p.value.max(0)).sum();
    let lines = (i64::try_from(parts.len()).unwrap_or(0) + PER_LINE - 1) / PER_LINE;
    let height = BAR + 14 + 22 * lines.max(1);
    let mut svg = String::new();
    svg_open(&mut svg, about, height);
    let _ = write!(
        svg,
        "<rect class=\"bar-empty\" x=\"0\" y=\"0\" width=\"{WIDTH}\" height=\"{BAR}\"/>"
    );
    // Each part starts where the sum before it ends, so rounding never leaves a gap.
    let mut before = 0;
    for p in parts {
        let start = scale(before, total, WIDTH);
        before += p.value.max(0);
        let end = scale(before, total, WIDTH);
        if end > start {
            let _ = write!(
                svg,
                "<rect class=\"seg-{}\" x=\"{start}\" y=\"0\" width=\"{}\" height=\"{BAR}\"/>",
                class(&p.class),
                end - start
            );
        }
    }
    for (i, p) in parts.iter().enumerate() {
        let i = i64::try_from(i).unwrap_or(0);
        let x = (i % PER_LINE) * (WIDTH / PER_LINE);
        let y = BAR + 14 + (i / PER_LINE) * 22;
        let _ = write!(
            svg,
            "<rect class=\"seg-{}\" x=\"{x}\" y=\"{y}\" width=\"14\" height=\"14\"/>\
             <text class=\"chart-label\" x=\"{}\" y=\"{}\">{} : {}</text>",
            class(&p.class),
            x + 20,
            y + 12,
            esc(&p.label),
            esc(&unit.format(p.value))
        );
    }
    svg.push_str("</svg>");
    let rows: Vec<(String, String)> = parts
        .iter()
        .map(|p| (p.label.clone(), unit.format(p.value)))
        .collect();
    figure(about, &svg, &rows)
}

/// Moments on a line of time, in proportion to the time between them; labels alternate above
/// and below the line so that near moments stay readable.
pub fn timeline(about: &About<'_>, marks: &[Mark]) -> String {
    const HEIGHT: i64 = 140;
    const AXIS: i64 = 70;
    const MARGIN: i64 = 12;
    let first = marks.iter().map(|m| m.at).min().unwrap_or(0);
    let last = marks.iter().map(|m| m.at).max().unwrap_or(0);
    let span = WIDTH - 2 * MARGIN;
    let mut svg = String::new();
    svg_open(&mut svg, about, HEIGHT);
    let _ = write!(
        svg,
        "<line class=\"chart-axis\" x1=\"{MARGIN}\" y1=\"{AXIS}\" x2=\"{}\" y2=\"{AXIS}\"/>",
        WIDTH - MARGIN
    );
    let mut sorted: Vec<&Mark> = marks.iter().collect();
    sorted.sort_by_key(|m| m.at);
    for (i, m) in sorted.iter().enumerate() {
        let x = MARGIN
            + if last > first {
                scale(m.at.saturating_sub(first), last.saturating_sub(first), span)
            } else {
                span / 2
            };
        let above = i % 2 == 0;
        let (y1, y2) = if above { (18, 36) } else { (106, 124) };
        let anchor = if x < WIDTH / 4 {
            "start"
        } else if x > WIDTH * 3 / 4 {
            "end"
        } else {
            "middle"
        };
        let mark = class(&m.class);
        let _ = write!(
            svg,
            "<line class=\"mark-{mark}\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/>\
             <circle class=\"mark-{mark}\" cx=\"{x}\" cy=\"{AXIS}\" r=\"6\"/>\
             <text class=\"chart-label\" x=\"{x}\" y=\"{y1}\" text-anchor=\"{anchor}\">{}</text>\
             <text class=\"chart-value\" x=\"{x}\" y=\"{y2}\" text-anchor=\"{anchor}\">{}</text>",
            if above { 42 } else { AXIS },
            if above { AXIS } else { 94 },
            esc(&m.label),
            esc(&m.when)
        );
    }
    svg.push_str("</svg>");
    let rows: Vec<(String, String)> = sorted
        .iter()
        .map(|m| (m.label.clone(), m.when.clone()))
        .collect();
    figure(about, &svg, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn about() -> About<'static> {
        About {
            id: "g",
            title: "Lignes <à> traiter",
            desc: "Par motif",
            label_heading: "Motif",
            value_heading: "Lignes",
        }
    }

    fn bar(label: &str, value: i64) -> Bar {
        Bar {
            label: label.into(),
            value,
        }
    }

    /// Every `width="…"` of a rectangle, in order.
    fn widths(svg: &str) -> Vec<i64> {
        svg.split("<rect ")
            .skip(1)
            .filter_map(|r| r.split("width=\"").nth(1))
            .filter_map(|w| w.split('"').next())
            .filter_map(|w| w.parse().ok())
            .collect()
    }

    fn accessible(html: &str) {
        assert!(html.starts_with("<figure class=\"chart\"><svg "), "{html}");
        assert!(html.contains("role=\"img\" aria-labelledby=\"g-t g-d\""));
        assert!(html.contains("<title id=\"g-t\">Lignes &lt;à&gt; traiter</title>"));
        assert!(html.contains("<desc id=\"g-d\">Par motif</desc>"));
        assert!(html.contains("<table class=\"chart-data\"><caption>Lignes &lt;à&gt; traiter"));
        assert!(
            !html.contains("style="),
            "no style attribute: the CSP refuses it"
        );
        assert!(!html.contains("<script"));
    }

    #[test]
    fn bars_are_in_proportion_with_their_values_and_a_table() {
        let html = bars(
            &about(),
            &[bar("IBAN invalide", 19_775), bar("NIR <absent>", 2)],
            Unit::Count,
        );
        accessible(&html);
        assert_eq!(widths(&html), vec![490, 1]);
        assert!(html.contains("<td>IBAN invalide</td><td class=\"num\">19\u{a0}775</td>"));
        assert!(html.contains("NIR &lt;absent&gt;"));
    }

    #[test]
    fn zero_values_one_bar_and_nothing_draw_without_dividing_by_zero() {
        let zeros = bars(&about(), &[bar("a", 0), bar("b", 0)], Unit::Count);
        assert_eq!(widths(&zeros), vec![0, 0]);
        let one = bars(&about(), &[bar("seul", 7)], Unit::Count);
        assert_eq!(widths(&one), vec![490]);
        assert!(one.contains("height=\"34\""));
        let none = bars(&about(), &[], Unit::Count);
        assert!(none.contains("aucune donnée"));
        accessible(&none);
        let negative = columns(&about(), &[bar("x", -5)], Unit::Euros);
        assert_eq!(widths(&negative), vec![384]);
        assert!(negative.contains("height=\"0\""));
    }

    #[test]
    fn huge_euro_totals_scale_without_overflow() {
        // Close to i64::MAX cents: a product by the width would overflow in i64.
        let huge = i64::MAX / 2;
        let html = columns(
            &about(),
            &[bar("novembre 2026", huge), bar("décembre 2026", huge / 2)],
            Unit::Euros,
        );
        accessible(&html);
        assert!(html.contains("height=\"140\""), "{html}");
        assert!(html.contains("height=\"69\""), "{html}");
        let national = bars(
            &about(),
            &[bar("APA", 123_456_789_012), bar("PCH", 61_728_394_506)],
            Unit::Euros,
        );
        assert!(
            national.contains("1\u{a0}234\u{a0}567\u{a0}890,12\u{a0}€"),
            "{national}"
        );
        assert_eq!(widths(&national), vec![490, 245]);
    }

    #[test]
    fn a_stacked_bar_fills_the_width_without_gaps_and_has_a_legend() {
        let part = |label: &str, value, class: &str| Segment {
            label: label.into(),
            value,
            class: class.into(),
        };
        let html = stacked(
            &about(),
            &[
                part("compromis", 1, "compromis"),
                part("isolé", 1, "isole"),
                part("restauré", 1, "restaure"),
                part("en analyse", 0, "en_analyse"),
            ],
            Unit::Count,
        );
        accessible(&html);
        // Background, three parts (213 + 213 + 214 = 640), four legend squares.
        assert_eq!(widths(&html), vec![640, 213, 213, 214, 14, 14, 14, 14]);
        assert!(html.contains("class=\"seg-en_analyse\""));
        assert!(html.contains("en analyse : 0"));
        let empty = stacked(&about(), &[], Unit::Count);
        assert_eq!(widths(&empty), vec![640]);
    }

    #[test]
    fn a_timeline_places_moments_in_proportion_and_lists_them_in_order() {
        let mark = |label: &str, at, class: &str| Mark {
            label: label.into(),
            at,
            when: format!("t{at}"),
            class: class.into(),
        };
        let html = timeline(
            &about(),
            &[
                mark("Limite des 72 h", 72 * 3600, "limite"),
                mark("Prise de connaissance", 0, "debut"),
                mark("Maintenant", 36 * 3600, "maintenant"),
            ],
        );
        accessible(&html);
        assert!(html.contains("<circle class=\"mark-debut\" cx=\"12\""));
        assert!(html.contains("<circle class=\"mark-maintenant\" cx=\"320\""));
        assert!(html.contains("<circle class=\"mark-limite\" cx=\"628\""));
        let order: Vec<usize> = ["Prise de connaissance", "Maintenant", "Limite des 72 h"]
            .iter()
            .filter_map(|l| html.find(&format!("<td>{l}</td>")))
            .collect();
        assert!(order.len() == 3 && order.windows(2).all(|w| w[0] < w[1]));
        let alone = timeline(&about(), &[mark("Maintenant", 5, "maintenant")]);
        assert!(alone.contains("cx=\"320\""));
    }
}
