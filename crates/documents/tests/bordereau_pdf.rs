//! The paper bordereau read as the public accountant reads it: its text extracted with
//! `pdftotext` (Debian `poppler-utils`, needed by these tests), and the place of every word
//! with `pdftotext -bbox`. No name, total or amount may be cut, run out of its column or off
//! the page, or overlap another text; the totals per imputation and the signatures are on one
//! page, whatever the length of the list.

use jiff::civil::date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::records::{Benefit, PayeeKind};
use relais_core::run::{
    AmountChange, Anomaly, BenefitTotals, ExcludedRight, ImputationTotals, KindTotals, MandateLine,
    RunStatus, RunSummary,
};
use relais_documents::{ListError, RunLists, write_bordereau_pdf};
mod common;

use common::pdftotext;

/// The largest amount of a SEPA transfer: 999 999 999,99 €.
const BIG: Cents = Cents(99_999_999_999);
/// Accounts (`Nature`) and functions of their largest length: 12 and 10 digits.
const APA: (&str, &str) = ("651141999999", "5510000001");
const PCH: (&str, &str) = ("652111999999", "5210000002");

/// A name of exactly 70 characters in the widest letters (W, M, É), unique to `i`, in words
/// a column can hold.
fn long_name(i: usize) -> String {
    let words = [
        "WWWWWWWW",
        "MMMMMMMMM",
        "ÉÉÉÉÉÉÉÉ",
        "WMÉWMÉWM",
        "ÉMWÉMWÉM",
        "MWMWMWM",
    ];
    let mut name = format!("N{i:04}W");
    let mut k = i;
    while name.chars().count() < 70 {
        name.push(' ');
        name.push_str(words[k % words.len()]);
        k += 1;
    }
    let name: String = name.chars().take(70).collect();
    // A word cut short by the 70th character is still a word; a space at the end is not.
    let name = name.trim_end().to_owned();
    if name.chars().count() == 70 {
        name
    } else {
        format!("{name}W")
    }
}

/// Mandate `i` (from 1): a long name every `every` mandates, a usual one otherwise.
fn mandate(i: usize, amount: Cents, every: usize) -> MandateLine {
    let pch = i.is_multiple_of(3);
    let name = if i.is_multiple_of(every) {
        long_name(i)
    } else {
        format!("DURAND Élodie {i:06}")
    };
    MandateLine {
        number: u32::try_from(i).expect("i"),
        bordereau: 41,
        payee_id: format!("T{i:07}"),
        payee_name: name,
        kind: if i.is_multiple_of(7) {
            PayeeKind::Etablissement
        } else {
            PayeeKind::Personne
        },
        benefit: if pch { Benefit::Pch } else { Benefit::ApaDom },
        account: if pch { PCH.0 } else { APA.0 }.into(),
        lines: 1,
        amount,
    }
}

/// A run of `mandates`, with the summary that matches them.
struct Run {
    summary: RunSummary,
    mandates: Vec<MandateLine>,
}

impl RunLists for Run {
    fn exclusions(
        &mut self,
        _: &mut dyn FnMut(&ExcludedRight) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        Ok(())
    }
    fn changes(
        &mut self,
        _: &mut dyn FnMut(&AmountChange) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        Ok(())
    }
    fn anomalies(
        &mut self,
        _: &mut dyn FnMut(&Anomaly) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        Ok(())
    }
    fn mandates(
        &mut self,
        each: &mut dyn FnMut(&MandateLine) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        self.mandates.iter().try_for_each(each)
    }
}

impl Run {
    fn new(mandates: Vec<MandateLine>) -> Run {
        let part = |b: Benefit| {
            let of: Vec<&MandateLine> = mandates.iter().filter(|m| m.benefit == b).collect();
            (of.len() as u64, Cents(of.iter().map(|m| m.amount.0).sum()))
        };
        let (apa_n, apa) = part(Benefit::ApaDom);
        let (pch_n, pch) = part(Benefit::Pch);
        let total = Cents(apa.0 + pch.0);
        let n = mandates.len() as u64;
        let benefit = |benefit, rights, total| BenefitTotals {
            benefit,
            rights,
            people: rights,
            payees: rights,
            total,
            previous_total: None,
            pay_date: date(2026, 12, 10),
            pay_date_note: None,
        };
        let imputation =
            |benefit, (account, function): (&str, &str), lines, total| ImputationTotals {
                benefit,
                account: account.into(),
                function: function.into(),
                lines,
                total,
            };
        let summary = RunSummary {
            authority: "Département de Seine-et-Marne".into(),
            run: "P2026-12-01".into(),
            month: Month::parse("2026-12").expect("month"),
            status: RunStatus::Validated,
            prepared_by: "agent.paie".into(),
            prepared_at: "2026-12-01 09:14".into(),
            validated_by: Some("M. le Président".into()),
            validated_at: Some("2026-12-02 11:00".into()),
            cancelled_by: None,
            benefits: vec![
                benefit(Benefit::ApaDom, apa_n, apa),
                benefit(Benefit::Pch, pch_n, pch),
            ],
            kinds: vec![KindTotals {
                kind: PayeeKind::Personne,
                mandates: n,
                lines: n,
                total,
            }],
            imputations: vec![
                imputation(Benefit::ApaDom, APA, apa_n, apa),
                imputation(Benefit::Pch, PCH, pch_n, pch),
            ],
            lines: n,
            mandates: n,
            total,
            excluded: Vec::new(),
            anomalies: Vec::new(),
            change_threshold: Cents(5_000),
            caf_rights: 0,
            caf_total: Cents::ZERO,
            bordereaux: vec![(2026, 41)],
            caf_mandate: None,
        };
        Run { summary, mandates }
    }

    /// `n` mandates of `amount` each, a long name every `every`.
    fn of(n: usize, amount: Cents, every: usize) -> Run {
        Run::new((1..=n).map(|i| mandate(i, amount, every)).collect())
    }

    fn pdf(&mut self) -> Vec<u8> {
        let summary = self.summary.clone();
        let mut out = Vec::new();
        write_bordereau_pdf(&mut out, &summary, self).expect("pdf");
        // To look at it: BORDEREAU_PDF=/tmp/b.pdf cargo test -p relais-documents --test bordereau_pdf
        if let Ok(path) = std::env::var("BORDEREAU_PDF") {
            std::fs::write(path, &out).expect("write");
        }
        out
    }
}

/// The text of each page, as laid out.
fn pages(pdf: &[u8]) -> Vec<String> {
    let text = pdftotext(pdf, &["-layout"]);
    common::pages(&text)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// A word on a page and its box.
#[derive(Debug)]
struct Word {
    page: usize,
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
    text: String,
}

fn attr(tag: &str, name: &str) -> f32 {
    let start = tag.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
    let end = start + tag[start..].find('"').expect("quote");
    tag[start..end].parse().expect("number")
}

/// Every word of `pdf` and where it is (`pdftotext -bbox`).
fn words(pdf: &[u8]) -> Vec<Word> {
    let html = pdftotext(pdf, &["-bbox"]);
    let mut out = Vec::new();
    for (page, body) in html.split("<page ").skip(1).enumerate() {
        for piece in body.split("<word ").skip(1) {
            let (tag, rest) = piece.split_once('>').expect("tag");
            let text = rest.split("</word>").next().expect("word");
            out.push(Word {
                page: page + 1,
                x0: attr(tag, "xMin"),
                y0: attr(tag, "yMin"),
                x1: attr(tag, "xMax"),
                y1: attr(tag, "yMax"),
                text: text
                    .replace("&amp;", "&")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'"),
            });
        }
    }
    out
}

/// No word overlaps another, none is outside the page's margins.
fn assert_nothing_overlaps(words: &[Word]) {
    const EPS: f32 = 0.05;
    for (i, a) in words.iter().enumerate() {
        assert!(
            a.x0 >= 30.0 && a.x1 <= 595.28 - 30.0 && a.y0 >= 5.0 && a.y1 <= 841.89 - 10.0,
            "off the page: {a:?}"
        );
        for b in &words[i + 1..] {
            let apart = a.page != b.page
                || a.x1 <= b.x0 + EPS
                || b.x1 <= a.x0 + EPS
                || a.y1 <= b.y0 + EPS
                || b.y1 <= a.y0 + EPS;
            assert!(apart, "overlap: {a:?} and {b:?}");
        }
    }
}

/// `name`'s words all appear whole, in order, among the words of the text.
fn assert_whole_name(tokens: &[&str], name: &str) {
    let mut from = 0;
    for word in name.split(' ') {
        let found = tokens[from..].iter().position(|t| *t == word);
        let Some(at) = found else {
            panic!("{word:?} of {name:?} is missing or broken");
        };
        from += at + 1;
    }
}

/// The name column of the list of mandates, in points from the page's left edge.
const NAME_COLUMN: (f32, f32) = (
    36.0 + 44.0 + 39.0 + 44.0,
    36.0 + 44.0 + 39.0 + 44.0 + 110.28,
);

#[test]
fn long_names_and_the_largest_amounts_are_never_cut() {
    for n in [1, 61, 130] {
        let mut run = Run::of(n, BIG, 1);
        let pdf = run.pdf();
        let text = pdftotext(&pdf, &["-layout"]);
        assert!(!text.contains('…'), "something was cut");
        let tokens: Vec<&str> = text.split_whitespace().collect();
        for m in &run.mandates {
            assert_eq!(m.payee_name.chars().count(), 70);
            assert_whole_name(&tokens, &m.payee_name);
        }
        // Every mandate's amount, every imputation's account, function and total, and every
        // total whole (their spaces are no-break spaces: never a line break inside).
        assert!(text.matches("999 999 999,99 €").count() >= n, "{text}");
        let s = &run.summary;
        let total = s.total.to_string().replace('\u{a0}', " ");
        assert!(text.matches(&total).count() >= 4, "{total}: {text}");
        for i in &s.imputations {
            let amount = i.total.to_string().replace('\u{a0}', " ");
            assert!(text.contains(&amount), "{amount}");
        }
        for code in [APA.0, APA.1, PCH.0, PCH.1] {
            assert!(tokens.contains(&code), "{code}");
        }
        assert!(text.contains(&format!("de {total}.")), "{text}");

        let words = words(&pdf);
        assert_nothing_overlaps(&words);
        for w in &words {
            let tag = w.text.starts_with('N') && w.text.ends_with('W');
            if tag || w.text.chars().all(|c| "WMÉ".contains(c)) {
                assert!(
                    w.x0 >= NAME_COLUMN.0 && w.x1 <= NAME_COLUMN.1,
                    "out of its column: {w:?}"
                );
            }
        }
    }
}

#[test]
fn a_total_of_999_999_999_99_is_printed_whole() {
    // 120 mandates, one of them nearly the whole total.
    let mut mandates: Vec<MandateLine> = (1..=120).map(|i| mandate(i, Cents(100), 4)).collect();
    mandates[0].amount = Cents(BIG.0 - 119 * 100);
    let mut run = Run::new(mandates);
    assert_eq!(run.summary.total, BIG);
    let pdf = run.pdf();
    let text = pdftotext(&pdf, &["-layout"]);
    assert!(!text.contains('…'));
    // The first page's summary, the benefits' and the imputations' totals, the grand total,
    // the sentence above the signatures.
    assert!(text.matches("999 999 999,99 €").count() >= 5, "{text}");
    assert!(text.contains("999 999 880,99 €"), "{text}");
    assert!(text.contains("montant total 999 999 999,99 €"));
    assert!(text.contains("de 999 999 999,99 €."));
    assert_nothing_overlaps(&words(&pdf));
}

#[test]
fn the_signatures_stay_on_the_page_of_the_totals_per_imputation() {
    // Around the first and second page breaks: each length ends the list somewhere else on
    // its page, some right at its foot.
    let (mut under_the_list, mut on_a_page_of_their_own) = (0, 0);
    for n in 40..=130 {
        let mut run = Run::of(n, BIG, 5);
        let pages = pages(&run.pdf());
        let count = pages.len();
        assert!(
            pages[0].contains(&format!("page 1 / {count}")),
            "{n}: {}",
            pages[0]
        );
        let last = &pages[count - 1];
        let recap = [
            "Totaux par imputation budgétaire",
            APA.0,
            APA.1,
            PCH.0,
            PCH.1,
            "Arrêté le présent bordereau",
            "Préparé par",
            "L'ordonnateur",
            "Certifié exact",
            "Signature et cachet",
        ];
        for needle in recap {
            assert!(
                last.contains(needle),
                "{n} mandates: {needle:?} not on the last page"
            );
        }
        for (i, page) in pages.iter().enumerate().take(count - 1) {
            for needle in ["Totaux par imputation", "Arrêté", "Certifié exact"] {
                assert!(
                    !page.contains(needle),
                    "{n} mandates: {needle:?} on page {}",
                    i + 1
                );
            }
        }
        let total = run.summary.total.to_string().replace('\u{a0}', " ");
        assert!(last.contains(&format!("de {total}.")));
        let ended = pages
            .iter()
            .position(|p| p.contains("Total général"))
            .expect("total");
        assert!(
            ended + 2 >= count,
            "{n}: the list ends on page {}",
            ended + 1
        );
        if last.contains("Nom du tiers") {
            under_the_list += 1;
        } else {
            on_a_page_of_their_own += 1;
        }
    }
    assert!(under_the_list > 0 && on_a_page_of_their_own > 0);
}

#[test]
fn a_name_longer_than_a_page_goes_on_over_the_next() {
    let mut mandates: Vec<MandateLine> = (1..=30).map(|i| mandate(i, BIG, 3)).collect();
    let huge: Vec<String> = (0..900).map(|i| format!("MOT{i:03}É")).collect();
    mandates[10].payee_name = huge.join(" ");
    mandates[11].payee_id = "W".repeat(60);
    mandates[12].account = "6".repeat(40);
    let mut run = Run::new(mandates);
    run.summary.authority = "Département ".repeat(30);
    run.summary.prepared_by = "agent ".repeat(40);
    let pdf = run.pdf();
    let pages = pages(&pdf);
    assert!(pages.len() >= 3);
    let text = pages.concat();
    let tokens: Vec<&str> = text.split_whitespace().collect();
    assert_whole_name(&tokens, &huge.join(" "));
    assert!(text.contains("999 999 999,99 €"));
    assert!(!text.contains('…'));
    assert_nothing_overlaps(&words(&pdf));
}

#[test]
fn the_same_run_gives_the_same_bytes() {
    let mut run = Run::of(150, BIG, 2);
    assert_eq!(run.pdf(), run.pdf());
}
