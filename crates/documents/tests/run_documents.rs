//! A payment run's documents: the HTML control report, the CSV exports and the paper bordereau.
//! The lists are generated row by row (never held), as the store streams them. The bordereau's
//! text is read back with `pdftotext` (Debian `poppler-utils`): without it these tests fail.

use jiff::civil::date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::records::{Benefit, PayeeKind};
use relais_core::run::{
    AmountChange, Anomaly, AnomalyKind, BenefitTotals, ExcludedRight, ImputationTotals, KindTotals,
    MandateLine, RunStatus, RunSummary,
};
use relais_documents::{
    ListError, ReportError, RunLists, write_anomalies_csv, write_bordereau_pdf, write_changes_csv,
    write_exclusions_csv, write_mandates_csv, write_report_html, write_totals_csv,
};
mod common;

use std::time::Instant;

const HOSTILE: &str = "<script>&\"'";

/// The name of row `i` of every list: row 1 is hostile, the others plain.
fn name(i: u64) -> String {
    if i == 1 {
        HOSTILE.to_owned()
    } else {
        format!("DURAND Élodie {i:06}")
    }
}

fn benefit(i: u64) -> Benefit {
    if i.is_multiple_of(3) {
        Benefit::Pch
    } else {
        Benefit::ApaDom
    }
}

fn mandate(i: u64) -> MandateLine {
    MandateLine {
        number: u32::try_from(i).expect("i"),
        bordereau: 41 + u32::try_from(i / 10_000).expect("i"),
        payee_id: format!("T{i:07}"),
        payee_name: name(i),
        kind: if i.is_multiple_of(7) {
            PayeeKind::Service
        } else {
            PayeeKind::Personne
        },
        benefit: benefit(i),
        account: if benefit(i) == Benefit::Pch {
            "6511211".into()
        } else {
            "651141".into()
        },
        lines: 1,
        amount: Cents(10_000 + i64::try_from(i * 37 % 50_000).expect("i")),
    }
}

/// A run's lists, made row by row on demand.
struct Generated {
    exclusions: u64,
    changes: u64,
    anomalies: u64,
    mandates: u64,
    /// Fail after this many rows of any list, as a broken database cursor would.
    fail_after: Option<u64>,
}

impl Generated {
    fn new(n: u64) -> Generated {
        Generated {
            exclusions: n,
            changes: n,
            anomalies: n,
            mandates: n,
            fail_after: None,
        }
    }

    fn run<T>(
        &self,
        n: u64,
        make: impl Fn(u64) -> T,
        each: &mut dyn FnMut(&T) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        for i in 1..=n {
            if self.fail_after.is_some_and(|f| i > f) {
                return Err("curseur perdu".into());
            }
            each(&make(i))?;
        }
        Ok(())
    }
}

impl RunLists for Generated {
    fn exclusions(
        &mut self,
        each: &mut dyn FnMut(&ExcludedRight) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        let make = |i: u64| ExcludedRight {
            right_id: format!("D{i:07}"),
            dossier: format!("{i:06}"),
            name: name(i),
            benefit: (!i.is_multiple_of(5)).then(|| benefit(i)),
            reason: "no_bank".into(),
            reason_fr: "pas de coordonnées bancaires".into(),
            amount: i.is_multiple_of(2).then_some(Cents(12_345)),
        };
        self.run(self.exclusions, make, each)
    }

    fn changes(
        &mut self,
        each: &mut dyn FnMut(&AmountChange) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        // Odd rows change by 100.00 €, even rows by 1.00 € (under the 50.00 € threshold).
        let make = |i: u64| AmountChange {
            dossier: format!("{i:06}"),
            name: name(i),
            benefit: benefit(i),
            previous: Cents(50_000),
            current: Cents(if i % 2 == 1 { 60_000 } else { 50_100 }),
        };
        self.run(self.changes, make, each)
    }

    fn anomalies(
        &mut self,
        each: &mut dyn FnMut(&Anomaly) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        let make = |i: u64| Anomaly {
            kind: AnomalyKind::ALL[usize::try_from(i).expect("i") % AnomalyKind::ALL.len()],
            right_id: format!("D{i:07}"),
            dossier: format!("{i:06}"),
            payee_id: format!("T{i:07}"),
            payee_name: name(i),
            benefit: benefit(i),
            amount: Cents(-1250),
            detail: format!("IBAN modifié le 2026-11-20 ({})", name(i)),
        };
        self.run(self.anomalies, make, each)
    }

    fn mandates(
        &mut self,
        each: &mut dyn FnMut(&MandateLine) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        self.run(self.mandates, mandate, each)
    }
}

/// The summary that matches `Generated::new(n)`'s mandates.
fn summary(n: u64) -> RunSummary {
    let (mut apa, mut pch, mut apa_n, mut pch_n) = (0i64, 0i64, 0u64, 0u64);
    let (mut service, mut service_n) = (0i64, 0u64);
    for i in 1..=n {
        let m = mandate(i);
        if m.benefit == Benefit::Pch {
            pch += m.amount.0;
            pch_n += 1;
        } else {
            apa += m.amount.0;
            apa_n += 1;
        }
        if m.kind == PayeeKind::Service {
            service += m.amount.0;
            service_n += 1;
        }
    }
    let total = Cents(apa + pch);
    let per_benefit = |b, rights, total| BenefitTotals {
        benefit: b,
        rights,
        people: rights,
        payees: rights,
        total: Cents(total),
        previous_total: Some(Cents(total - 100_000)),
        pay_date: date(2026, 12, 10),
        pay_date_note: None,
    };
    RunSummary {
        authority: "Département de Seine-et-Marne".into(),
        run: "P2026-12-01".into(),
        month: Month::parse("2026-12").expect("month"),
        status: RunStatus::Prepared,
        prepared_by: "agent.paie".into(),
        prepared_at: "2026-12-01 09:14".into(),
        validated_by: None,
        validated_at: None,
        cancelled_by: None,
        benefits: vec![
            per_benefit(Benefit::ApaDom, apa_n, apa),
            per_benefit(Benefit::Pch, pch_n, pch),
        ],
        kinds: vec![
            KindTotals {
                kind: PayeeKind::Personne,
                mandates: n - service_n,
                lines: n - service_n,
                total: Cents(total.0 - service),
            },
            KindTotals {
                kind: PayeeKind::Service,
                mandates: service_n,
                lines: service_n,
                total: Cents(service),
            },
        ],
        imputations: vec![
            ImputationTotals {
                benefit: Benefit::ApaDom,
                account: "651141".into(),
                function: "551".into(),
                lines: apa_n,
                total: Cents(apa),
            },
            ImputationTotals {
                benefit: Benefit::Pch,
                account: "6511211".into(),
                function: "52".into(),
                lines: pch_n,
                total: Cents(pch),
            },
        ],
        lines: n,
        mandates: n,
        total,
        excluded: vec![("no_bank".into(), "pas de coordonnées bancaires".into(), n)],
        anomalies: AnomalyKind::ALL
            .iter()
            .enumerate()
            .map(|(k, kind)| {
                let (k, kinds) = (k as u64, AnomalyKind::ALL.len() as u64);
                // Rows i with i % kinds == k, for i in 1..=n.
                let c = (1..=n).filter(|i| i % kinds == k).count() as u64;
                (kind.code().to_owned(), kind.label_fr().to_owned(), c)
            })
            .collect(),
        change_threshold: Cents(5_000),
        caf_rights: 12,
        caf_total: Cents(654_321),
        bordereaux: vec![(2026, 41), (2026, 42)],
        caf_mandate: None,
    }
}

fn html(n: u64) -> String {
    let mut out = Vec::new();
    write_report_html(&mut out, &summary(n), &mut Generated::new(n)).expect("html");
    String::from_utf8(out).expect("utf-8")
}

fn pdf(n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    write_bordereau_pdf(&mut out, &summary(n), &mut Generated::new(n)).expect("pdf");
    assert!(out.starts_with(b"%PDF-"));
    out
}

/// The text of `pdf` (pages `first..=last` when given), no-break spaces read as spaces.
fn pdftotext(pdf: &[u8], pages: Option<(u32, u32)>) -> String {
    let Some((first, last)) = pages else {
        return common::pdftotext(pdf, &["-layout"]);
    };
    let (first, last) = (first.to_string(), last.to_string());
    common::pdftotext(pdf, &["-layout", "-f", &first, "-l", &last])
}

fn assert_has(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "missing {n:?}");
    }
}

/// The peak resident memory of this process (Linux), for the measurements printed.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Every non-void element opened is closed, in order (the data is escaped, so a `<` is markup).
fn assert_balanced(html: &str) {
    const VOID: [&str; 3] = ["meta", "br", "!DOCTYPE"];
    let mut open: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').expect("tag closed");
        let tag = &rest[..end];
        rest = &rest[end..];
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .split([' ', '\n'])
            .next()
            .expect("name");
        if VOID.contains(&name) {
            continue;
        }
        if closing {
            assert_eq!(open.pop(), Some(name), "unbalanced </{name}>");
        } else {
            open.push(name);
        }
    }
    assert!(open.is_empty(), "left open: {open:?}");
}

#[test]
fn the_html_report_escapes_every_text() {
    let h = html(10);
    assert!(h.contains("&lt;script&gt;&amp;&quot;&#39;"), "escaped name");
    assert!(!h.contains(HOSTILE));
    assert!(!h.to_lowercase().contains("<script"));
    // Static and self-contained: no script, no external resource.
    for bad in ["src=", "href=", "http:", "https:", "@import", "url("] {
        assert!(!h.contains(bad), "{bad}");
    }
    assert!(h.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
    assert!(h.contains("<meta charset=\"utf-8\">"));
    assert!(h.contains("@media print"));
    assert_balanced(&h);
}

#[test]
fn the_html_report_states_the_run_and_its_totals() {
    let s = summary(10);
    let h = html(10);
    assert_has(
        &h,
        &[
            "Département de Seine-et-Marne",
            "P2026-12-01",
            "décembre 2026",
            "préparé, à valider",
            "agent.paie, le 2026-12-01 09:14",
            "non validé",
            "exercice 2026 : n° 41, 42",
            &s.total.to_string(),
            "Par prestation",
            "Par type de tiers",
            "Par imputation budgétaire",
            "6511211",
            "<th scope=\"col\" class=\"num\">Écart %</th>",
            "RSA : remise à la CAF",
            "6\u{a0}543,21\u{a0}€",
            "pas de coordonnées bancaires",
            "coordonnées bancaires modifiées récemment",
            "10/12/2026",
            "-12,50\u{a0}€",
        ],
    );
    // Previous month 1 000,00 € less for each benefit.
    assert!(h.contains("+1\u{a0}000,00\u{a0}€"));
    // The totals add up: no alert.
    assert!(!h.contains("class=\"alert\""), "unexpected alert");
    // Changes: only the odd rows (+100.00 €) pass the 50.00 € threshold.
    assert!(h.contains("DURAND Élodie 000003"));
    assert!(h.contains("+20,0\u{a0}%"));
    assert!(!h.contains("+0,2\u{a0}%"));
    assert!(h.contains("5 variations listées"));
}

#[test]
fn the_html_report_flags_a_summary_that_does_not_add_up() {
    let mut s = summary(10);
    s.total = Cents(1);
    s.excluded[0].2 = 3;
    let mut out = Vec::new();
    write_report_html(&mut out, &s, &mut Generated::new(10)).expect("html");
    let h = String::from_utf8(out).expect("utf-8");
    assert!(h.contains("la somme des prestations"));
    assert!(h.contains("la liste compte 10 ; le décompte par motif ou par type en annonce 3."));
}

#[test]
fn the_html_report_streams_100000_rows() {
    let n = 100_000;
    let start = Instant::now();
    let h = html(n);
    let took = start.elapsed();
    eprintln!(
        "HTML report, {n} rows in each of 3 lists: {took:?}, {:.1} MiB, peak RSS {:.0} MiB \
         (this process, the output held in a Vec)",
        h.len() as f64 / 1048576.0,
        peak_rss_mib()
    );
    assert!(h.contains("DURAND Élodie 100000"));
    assert!(h.contains("100\u{a0}000 droits listés"));
    assert!(h.contains("100\u{a0}000 anomalies listées"));
    assert!(h.contains("50\u{a0}000 variations listées"));
    assert!(h.ends_with("</html>\n"));
}

#[test]
fn list_errors_and_write_errors_are_told_apart() {
    let mut lists = Generated::new(10);
    lists.fail_after = Some(3);
    let err = write_report_html(&mut Vec::new(), &summary(10), &mut lists).expect_err("fails");
    assert!(matches!(err, ReportError::List(_)), "{err:?}");
    assert!(err.to_string().contains("curseur perdu"));
    assert_eq!(err.code(), "document_listes");

    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disque plein"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let err = write_report_html(&mut Full, &summary(10), &mut Generated::new(10)).expect_err("x");
    assert!(matches!(err, ReportError::Io(_)), "{err:?}");
    let err = write_mandates_csv(&mut Full, &mut Generated::new(10)).expect_err("x");
    assert!(matches!(err, ReportError::Io(_)), "{err:?}");
    assert!(err.message_en().contains("disque plein"));
}

/// Reads a CSV back, field for field.
fn records(csv: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv)
        .records()
        .map(|r| r.expect("record").iter().map(str::to_owned).collect())
        .collect()
}

/// One row of each list, with the given names.
struct Names(Vec<&'static str>);

impl RunLists for Names {
    fn exclusions(
        &mut self,
        each: &mut dyn FnMut(&ExcludedRight) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        for n in &self.0 {
            each(&ExcludedRight {
                right_id: "-D1".into(),
                dossier: "@1".into(),
                name: (*n).into(),
                benefit: None,
                reason: "no_bank".into(),
                reason_fr: "motif, avec virgule".into(),
                amount: Some(Cents(-1234)),
            })?;
        }
        Ok(())
    }
    fn changes(
        &mut self,
        each: &mut dyn FnMut(&AmountChange) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        for n in &self.0 {
            each(&AmountChange {
                dossier: "1".into(),
                name: (*n).into(),
                benefit: Benefit::Ash,
                previous: Cents(0),
                current: Cents(123_456),
            })?;
        }
        Ok(())
    }
    fn anomalies(
        &mut self,
        each: &mut dyn FnMut(&Anomaly) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        for n in &self.0 {
            each(&Anomaly {
                kind: AnomalyKind::SharedIban,
                right_id: "D1".into(),
                dossier: "1".into(),
                payee_id: "T1".into(),
                payee_name: (*n).into(),
                benefit: Benefit::Pch,
                amount: Cents(5),
                detail: "=cmd|' /C calc'!A0".into(),
            })?;
        }
        Ok(())
    }
    fn mandates(
        &mut self,
        each: &mut dyn FnMut(&MandateLine) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        for (i, n) in self.0.iter().enumerate() {
            let mut m = mandate(i as u64 + 2);
            m.payee_name = (*n).into();
            each(&m)?;
        }
        Ok(())
    }
}

#[test]
fn csv_exports_quote_and_neutralise_formulas() {
    let names = vec![
        "Dupont, \"Jo\"\nligne 2",
        "=HYPERLINK(\"http://x\")",
        "+33 6",
        "-1",
        "@SUM(A1)",
        "Élodie",
    ];
    let mut out = Vec::new();
    write_exclusions_csv(&mut out, &mut Names(names.clone())).expect("csv");
    let text = String::from_utf8(out.clone()).expect("utf-8");
    assert!(text.starts_with("droit,dossier,nom,prestation,motif,libelle_motif,montant\n"));
    // RFC 4180: a field with a comma, a quote or a line break is quoted, quotes doubled.
    assert!(text.contains("\"Dupont, \"\"Jo\"\"\nligne 2\""), "{text}");
    let rows = records(&out);
    assert_eq!(rows.len(), 7);
    let row = |i: usize| rows.get(i).expect("row");
    assert_eq!(
        row(1),
        &[
            "'-D1",
            "'@1",
            "Dupont, \"Jo\"\nligne 2",
            "",
            "no_bank",
            "motif, avec virgule",
            "-12.34"
        ]
    );
    let got: Vec<&str> = rows.iter().skip(1).map(|r| r[2].as_str()).collect();
    assert_eq!(
        got,
        [
            "Dupont, \"Jo\"\nligne 2",
            "'=HYPERLINK(\"http://x\")",
            "'+33 6",
            "'-1",
            "'@SUM(A1)",
            "Élodie"
        ]
    );

    let mut out = Vec::new();
    write_anomalies_csv(&mut out, &mut Names(vec!["A"])).expect("csv");
    let rows = records(&out);
    assert_eq!(
        rows,
        [
            vec![
                "type",
                "libelle",
                "droit",
                "dossier",
                "tiers",
                "nom_tiers",
                "prestation",
                "montant",
                "constat"
            ],
            vec![
                "shared_iban",
                "IBAN partagé par des tiers sans lien",
                "D1",
                "1",
                "T1",
                "A",
                "PCH",
                "0.05",
                "'=cmd|' /C calc'!A0"
            ]
        ]
    );

    let mut out = Vec::new();
    write_changes_csv(&mut out, &mut Names(vec!["B"])).expect("csv");
    assert_eq!(
        records(&out),
        [
            vec![
                "dossier",
                "nom",
                "prestation",
                "montant_precedent",
                "montant",
                "ecart",
                "ecart_pourcent"
            ],
            vec!["1", "B", "ASH", "0.00", "1234.56", "1234.56", ""]
        ]
    );

    let mut out = Vec::new();
    write_mandates_csv(&mut out, &mut Names(vec!["=1+1"])).expect("csv");
    assert_eq!(
        records(&out),
        [
            vec![
                "bordereau",
                "mandat",
                "tiers",
                "nom_tiers",
                "type_tiers",
                "prestation",
                "compte",
                "lignes",
                "montant"
            ],
            vec![
                "41", "2", "T0000002", "'=1+1", "personne", "APA_DOM", "651141", "1", "100.74"
            ]
        ]
    );
}

#[test]
fn the_totals_csv_has_a_row_per_benefit_kind_and_imputation() {
    let s = summary(10);
    let mut out = Vec::new();
    write_totals_csv(&mut out, &s).expect("csv");
    let rows = records(&out);
    let sections: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        sections,
        [
            "section",
            "prestation",
            "prestation",
            "type_tiers",
            "type_tiers",
            "imputation",
            "imputation",
            "rsa_caf",
            "ensemble"
        ]
    );
    assert!(rows.iter().all(|r| r.len() == 14));
    let apa = rows.get(1).expect("apa");
    assert_eq!(apa[1], "APA_DOM");
    assert_eq!(apa[6], "2026-12-10");
    assert_eq!(apa[12], s.benefits[0].total.to_decimal());
    assert_eq!(
        apa[13],
        s.benefits[0].previous_total.expect("prev").to_decimal()
    );
    let caf = rows.get(7).expect("caf");
    assert_eq!((caf[7].as_str(), caf[12].as_str()), ("12", "6543.21"));
    let all = rows.get(8).expect("all");
    assert_eq!(all[12], s.total.to_decimal());
    assert!(!all[12].contains(','));
}

#[test]
fn documents_are_deterministic() {
    assert_eq!(html(50), html(50));
    assert_eq!(pdf(150), pdf(150));
    let s = summary(50);
    type Writer = fn(&mut dyn std::io::Write, &mut dyn RunLists) -> Result<(), ReportError>;
    let writers: [Writer; 4] = [
        write_exclusions_csv,
        write_changes_csv,
        write_anomalies_csv,
        write_mandates_csv,
    ];
    for w in writers {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        w(&mut a, &mut Generated::new(50)).expect("csv");
        w(&mut b, &mut Generated::new(50)).expect("csv");
        assert_eq!(a, b);
        assert!(a.len() > 1000);
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    write_totals_csv(&mut a, &s).expect("csv");
    write_totals_csv(&mut b, &s).expect("csv");
    assert_eq!(a, b);
}

#[test]
fn the_bordereau_has_every_mandatory_text() {
    // 150 mandates: three pages, so the header is repeated and totals carried over.
    let n = 150;
    let s = summary(n);
    let text = pdftotext(&pdf(n), None);
    let total = s.total.to_string().replace('\u{a0}', " ");
    assert_has(
        &text,
        &[
            "Bordereau de mandats — paiement P2026-12-01 — décembre 2026",
            "Département de Seine-et-Marne",
            "exercice 2026 : n° 41, 42",
            "Totaux par prestation",
            "Totaux par imputation budgétaire",
            "6511211",
            "Liste des mandats",
            "Nom du tiers",
            HOSTILE,
            "DURAND Élodie 000150",
            "Total de la page",
            "À reporter",
            "Report",
            "Total général : 150 mandats",
            &total,
            "Préparé par",
            "agent.paie",
            "L'ordonnateur",
            "Certifié exact",
            "page 1 / 3",
            "page 3 / 3",
            "RSA versé par la CAF",
        ],
    );
    // The table header is printed on every page of the list.
    assert_eq!(text.matches("Nom du tiers").count(), 3);
}

#[test]
fn a_bordereau_that_does_not_add_up_is_refused() {
    let mut s = summary(20);
    s.total = Cents(s.total.0 + 1);
    let mut out = Vec::new();
    let err = write_bordereau_pdf(&mut out, &s, &mut Generated::new(20)).expect_err("refused");
    assert!(matches!(err, ReportError::Mismatch { .. }), "{err:?}");
    assert!(out.is_empty(), "nothing written");
    let err = write_bordereau_pdf(&mut out, &summary(20), &mut Generated::new(19)).expect_err("x");
    assert!(err.to_string().contains("19 mandats"), "{err}");
}

#[test]
fn a_bordereau_of_40000_mandates() {
    let n = 40_000;
    let s = summary(n);
    let start = Instant::now();
    let mut out = Vec::new();
    write_bordereau_pdf(&mut out, &s, &mut Generated::new(n)).expect("pdf");
    let took = start.elapsed();
    let text = pdftotext(&out, Some((1, 1)));
    let pages: u32 = text
        .split("page 1 / ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .expect("page count");
    eprintln!(
        "bordereau, {n} mandates: {took:?}, {pages} pages, {:.1} MiB, peak RSS {:.0} MiB \
         (this process)",
        out.len() as f64 / 1048576.0,
        peak_rss_mib()
    );
    let last = pdftotext(&out, Some((pages, pages)));
    let total = s.total.to_string().replace('\u{a0}', " ");
    assert_has(
        &last,
        &[
            "DURAND Élodie 040000",
            "Total général : 40 000 mandats",
            &total,
            "Certifié exact",
            &format!("page {pages} / {pages}"),
        ],
    );
}

#[test]
fn pages_are_counted_right_whatever_the_length() {
    // Around every page break of the list (about 60 rows a page), and with tables of
    // imputations long enough to break a page before the list starts: the first pass's count
    // must be the number of pages drawn (the writer checks it and fails otherwise).
    for n in (0..=130).chain([185, 186, 187, 188, 250]) {
        let mut out = Vec::new();
        write_bordereau_pdf(&mut out, &summary(n), &mut Generated::new(n))
            .unwrap_or_else(|e| panic!("{n} mandates: {e}"));
    }
    let mut s = summary(70);
    let one = s.imputations[0].clone();
    s.imputations = (0..90)
        .map(|i| ImputationTotals {
            function: format!("F{i}"),
            total: if i == 0 { s.total } else { Cents::ZERO },
            ..one.clone()
        })
        .collect();
    let mut out = Vec::new();
    write_bordereau_pdf(&mut out, &s, &mut Generated::new(70)).expect("pdf");
    // 90 imputations are more than a page holds: after the list, they start on a page of
    // their own and run over the next, where their header is repeated; the signatures stay
    // with their last rows and their total.
    let pages: u32 = pdftotext(&out, Some((1, 1)))
        .split("page 1 / ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .expect("page count");
    let before = pdftotext(&out, Some((pages - 1, pages - 1)));
    let last = pdftotext(&out, Some((pages, pages)));
    assert!(
        before.contains("Totaux par imputation budgétaire"),
        "{before}"
    );
    assert!(before.contains("F0") && !before.contains("Liste des mandats"));
    assert!(!before.contains("Certifié exact"));
    assert!(last.contains("Fonction"), "{last}");
    assert!(last.contains("F89") && last.contains("Ensemble"));
    assert!(last.contains("Arrêté le présent bordereau") && last.contains("Certifié exact"));
}
