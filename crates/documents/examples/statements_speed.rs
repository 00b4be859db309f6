//! Writes a national export's statements (états nominatifs) as PDF and says how long it took:
//! 4,500 statements of 1 to 200 rows (about 150,000 rows), once as one PDF per statement and
//! once as a single PDF holding them all. `cargo run --release -p relais-documents --example
//! statements_speed -- [STATEMENTS] [OUT.pdf]`; `--combined` measures the combined PDF only.

use jiff::civil::date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::records::Benefit;
use relais_documents::statement::{
    MandateNumber, StatementError, StatementHeader, StatementRow, statement_reference,
    write_statement_pdf, write_statements_pdf,
};
use std::convert::Infallible;
use std::time::Instant;

/// xorshift64*: the same statements every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// In `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const FIRST: [&str; 8] = [
    "Zoé",
    "Hélène",
    "Jean-Baptiste",
    "Aïssatou",
    "Marie-Élisabeth",
    "Léa",
    "François",
    "Ève",
];
const LAST: [&str; 8] = [
    "MARTIN",
    "LEFÈVRE",
    "N'DIAYE",
    "DE LA ROCHEFOUCAULD-MONTMORENCY",
    "BÉRANGER",
    "DUPRÉ",
    "GARCÍA",
    "OULD MOHAMED EL GHAZOUANI",
];

/// Statement `i`: its header, its rows, and their total.
fn statement(i: usize, rng: &mut Rng) -> (StatementHeader, Vec<StatementRow>, Cents) {
    // Mostly small establishments and services, a few large ones: 1 + 199·u⁵, 34 on average.
    let n = 1 + (199.0 * rng.unit().powi(5)) as usize;
    let payee_id = format!("T{:07}-{}", 100_000 + i, i % 7 + 1);
    let header = StatementHeader {
        authority: "Département de la Haute-Vienne".into(),
        run: "P2026-12-01".into(),
        month: Month::parse("2026-12").expect("month"),
        payee_id: payee_id.clone(),
        payee_name: format!("EHPAD Résidence Saint-Éloi n° {i}"),
        payee_address: vec![
            format!("{} rue des Écoles", i % 90 + 1),
            "87000 Limoges".into(),
        ],
        iban_masked: "FR76 **** **** **** **** ***1 234".into(),
        pay_date: date(2026, 12, 10),
        mandate: Some(MandateNumber {
            exercice: 2026,
            bordereau: 41 + u32::try_from(i / 1000).expect("i"),
            piece: u32::try_from(i + 1).expect("i"),
        }),
        reference: statement_reference("P2026-12-01", &payee_id),
    };
    let mut total = Cents::ZERO;
    let rows = (0..n)
        .map(|k| {
            let r = rng.next() as usize;
            let amount = Cents(1_000 + i64::try_from(r % 250_000).expect("amount"));
            total = total.checked_add(amount).expect("total");
            StatementRow {
                dossier: format!("D{:07}", i * 200 + k),
                last_name: LAST[r % LAST.len()].into(),
                first_name: FIRST[(r >> 8) % FIRST.len()].into(),
                benefit: [
                    Benefit::ApaEtab,
                    Benefit::Ash,
                    Benefit::ApaDom,
                    Benefit::Pch,
                ][(r >> 16) % 4],
                first_day: date(
                    2026,
                    12,
                    1 + u8::try_from((r >> 20) % 10).expect("day") as i8,
                ),
                last_day: date(2026, 12, 31),
                amount,
            }
        })
        .collect();
    (header, rows, total)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let combined_only = args.iter().any(|a| a == "--combined");
    let mut plain = args.iter().filter(|a| !a.starts_with("--"));
    let count: usize = plain
        .next()
        .map_or(4_500, |s| s.parse().expect("STATEMENTS"));
    let out_path = plain.next().cloned();

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let statements: Vec<_> = (0..count).map(|i| statement(i, &mut rng)).collect();
    let rows: usize = statements.iter().map(|s| s.1.len()).sum();
    println!("{count} statements, {rows} rows");

    if !combined_only {
        let start = Instant::now();
        let mut bytes = 0usize;
        for (header, rows, total) in &statements {
            let mut out = Vec::new();
            write_statement_pdf(&mut out, header, *total, |each| {
                rows.iter().try_for_each(&mut *each)?;
                Ok::<(), Infallible>(())
            })
            .expect("pdf");
            bytes += out.len();
        }
        let took = start.elapsed();
        println!(
            "one PDF per statement: {:.2} s, {:.1} MB in all",
            took.as_secs_f64(),
            bytes as f64 / 1e6
        );
    }

    let start = Instant::now();
    let mut out = Vec::new();
    let written = write_statements_pdf(&mut out, "États nominatifs P2026-12-01", |each| {
        for (header, rows, total) in &statements {
            each(header, *total, rows)?;
        }
        Ok::<(), StatementError>(())
    })
    .expect("pdf");
    let took = start.elapsed();
    assert_eq!(written, count as u64);
    println!(
        "one PDF for all: {:.2} s, {:.1} MB",
        took.as_secs_f64(),
        out.len() as f64 / 1e6
    );
    if let Some(path) = out_path {
        std::fs::write(&path, &out).expect("write");
        println!("written to {path}");
    }
}
