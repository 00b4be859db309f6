//! Writes a synthetic run's bordereau (PDF) and control report (HTML) into a folder, and says
//! how long each took and how large it is: `cargo run --release -p relais-documents --example
//! run_documents -- OUT_DIR [MANDATES] [ROWS]` (40,000 mandates and 100,000 rows by default).
//! Measure the memory with `/usr/bin/time -v`.

use jiff::civil::date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::records::{Benefit, PayeeKind};
use relais_core::run::{
    AmountChange, Anomaly, AnomalyKind, BenefitTotals, ExcludedRight, ImputationTotals, KindTotals,
    MandateLine, RunStatus, RunSummary,
};
use relais_documents::{ListError, RunLists, write_bordereau_pdf, write_report_html};
use std::io::BufWriter;
use std::time::Instant;

fn mandate(i: u64) -> MandateLine {
    MandateLine {
        number: u32::try_from(i).unwrap_or(u32::MAX),
        bordereau: 41,
        payee_id: format!("T{i:07}"),
        payee_name: format!("DURAND Élodie {i:06}"),
        kind: PayeeKind::Personne,
        benefit: Benefit::ApaDom,
        account: "651141".into(),
        lines: 1,
        amount: Cents(10_000 + i64::try_from(i * 37 % 50_000).unwrap_or(0)),
    }
}

struct Lists {
    mandates: u64,
    rows: u64,
}

impl RunLists for Lists {
    fn exclusions(
        &mut self,
        each: &mut dyn FnMut(&ExcludedRight) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        for i in 1..=self.rows {
            each(&ExcludedRight {
                right_id: format!("D{i:07}"),
                dossier: format!("{i:06}"),
                name: format!("DURAND Élodie {i:06}"),
                benefit: Some(Benefit::Pch),
                reason: "no_bank".into(),
                reason_fr: "pas de coordonnées bancaires".into(),
                amount: Some(Cents(12_345)),
            })?;
        }
        Ok(())
    }
    fn changes(
        &mut self,
        each: &mut dyn FnMut(&AmountChange) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        for i in 1..=self.rows {
            each(&AmountChange {
                dossier: format!("{i:06}"),
                name: format!("DURAND Élodie {i:06}"),
                benefit: Benefit::ApaDom,
                previous: Cents(50_000),
                current: Cents(60_000),
            })?;
        }
        Ok(())
    }
    fn anomalies(
        &mut self,
        each: &mut dyn FnMut(&Anomaly) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        for i in 1..=self.rows {
            each(&Anomaly {
                kind: AnomalyKind::FirstPayment,
                right_id: format!("D{i:07}"),
                dossier: format!("{i:06}"),
                payee_id: format!("T{i:07}"),
                payee_name: format!("DURAND Élodie {i:06}"),
                benefit: Benefit::ApaDom,
                amount: Cents(40_000),
                detail: "droit payé pour la première fois".into(),
            })?;
        }
        Ok(())
    }
    fn mandates(
        &mut self,
        each: &mut dyn FnMut(&MandateLine) -> Result<(), ListError>,
    ) -> Result<(), ListError> {
        for i in 1..=self.mandates {
            each(&mandate(i))?;
        }
        Ok(())
    }
}

fn summary(mandates: u64, rows: u64) -> RunSummary {
    let total = Cents((1..=mandates).map(|i| mandate(i).amount.0).sum());
    RunSummary {
        authority: "Département de démonstration".into(),
        run: "P2026-12-01".into(),
        month: Month::parse("2026-12").unwrap_or_else(|_| unreachable!()),
        status: RunStatus::Validated,
        prepared_by: "agent.paie".into(),
        prepared_at: "2026-12-01 09:14".into(),
        validated_by: Some("M. le Président".into()),
        validated_at: Some("2026-12-02 11:00".into()),
        cancelled_by: None,
        benefits: vec![BenefitTotals {
            benefit: Benefit::ApaDom,
            rights: mandates,
            people: mandates,
            payees: mandates,
            total,
            previous_total: None,
            pay_date: date(2026, 12, 10),
            pay_date_note: None,
        }],
        kinds: vec![KindTotals {
            kind: PayeeKind::Personne,
            mandates,
            lines: mandates,
            total,
        }],
        imputations: vec![ImputationTotals {
            benefit: Benefit::ApaDom,
            account: "651141".into(),
            function: "551".into(),
            lines: mandates,
            total,
        }],
        lines: mandates,
        mandates,
        total,
        excluded: vec![(
            "no_bank".into(),
            "pas de coordonnées bancaires".into(),
            rows,
        )],
        anomalies: vec![(
            "first_payment".into(),
            "droit payé pour la première fois".into(),
            rows,
        )],
        change_threshold: Cents(5_000),
        caf_rights: 0,
        caf_total: Cents::ZERO,
        bordereaux: vec![(2026, 41)],
        caf_mandate: None,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(
        args.next()
            .ok_or("usage: run_documents OUT_DIR [MANDATES] [ROWS]")?,
    );
    let mandates: u64 = args.next().map_or(Ok(40_000), |a| a.parse())?;
    let rows: u64 = args.next().map_or(Ok(100_000), |a| a.parse())?;
    let what = args.next().unwrap_or_else(|| "both".into());
    let s = summary(mandates, rows);
    let mut lists = Lists { mandates, rows };
    if what != "html" {
        let path = dir.join("bordereau.pdf");
        let start = Instant::now();
        let mut out = BufWriter::new(std::fs::File::create(&path)?);
        write_bordereau_pdf(&mut out, &s, &mut lists)?;
        drop(out);
        println!(
            "bordereau: {mandates} mandates in {:?}, {} bytes",
            start.elapsed(),
            std::fs::metadata(&path)?.len()
        );
    }
    if what != "pdf" {
        let path = dir.join("controle.html");
        let start = Instant::now();
        let mut out = std::fs::File::create(&path)?;
        write_report_html(&mut out, &s, &mut lists)?;
        println!(
            "report: {rows} rows in each of 3 lists in {:?}, {} bytes",
            start.elapsed(),
            std::fs::metadata(&path)?.len()
        );
    }
    Ok(())
}
