//! `relais bench pain001`: the pain.001 writer alone on transfers read from a CSV, so that
//! `bench/payments.sh` can give the same transfers to Python's `sepaxml` and compare. Reads
//! and checks the CSV once into memory (as `sepaxml` holds its payments; the export itself
//! streams from the store, with totals known beforehand), writes with fsync, prints the time.

use super::EXIT_OK;
use crate::args::BenchPain001Args;
use crate::fsio::write_atomic_with;
use anyhow::{Context, Result, anyhow};
use jiff::civil::date;
use relais_core::Cents;
use relais_core::ids::{Bic, Iban, Siret};
use relais_formats::payments::Pain001Writer;
use relais_formats::payments::model::{
    BudgetCode, CollectivityCode, Debtor, Issuer, PostId, SepaAmount, SepaFile, SepaId, Totals,
    Transfer,
};
use std::path::Path;
use std::time::Instant;

/// The transfers of the CSV, checked (IBAN, amount), in file order.
fn read_transfers(path: &Path) -> Result<Vec<Transfer>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("lecture de {}", path.display()))?;
    let mut transfers = Vec::new();
    let mut r = csv::StringRecord::new();
    for i in 0.. {
        if !reader
            .read_record(&mut r)
            .with_context(|| format!("{} ligne {}", path.display(), i + 2))?
        {
            break;
        }
        let field = |n: usize| r.get(n).unwrap_or("");
        let cents: i64 = field(3)
            .parse()
            .map_err(|_| anyhow!("{} ligne {} : montant illisible", path.display(), i + 2))?;
        transfers.push(Transfer {
            end_to_end_id: SepaId::parse(&format!("BENCH-{:08}", i + 1))?,
            amount: SepaAmount::new(Cents(cents))?,
            creditor_name: field(0).to_owned(),
            creditor_iban: Iban::parse(field(1))
                .map_err(|e| anyhow!("{} ligne {} : {e}", path.display(), i + 2))?,
            creditor_bic: Bic::parse(field(2)).ok(),
            remittance: field(4).to_owned(),
        });
    }
    Ok(transfers)
}

pub fn run(a: BenchPain001Args) -> Result<u8> {
    let started = Instant::now();
    let issuer = Issuer {
        name: "Département de mesure".into(),
        siret: Siret::parse("22770001000019")?,
        collectivity: CollectivityCode::parse("077")?,
        budget: BudgetCode::parse("01")?,
        post: PostId::parse("077000")?,
        budget_label: String::new(),
        debtor: Debtor {
            name: "DEPARTEMENT DE MESURE".into(),
            iban: Iban::parse("FR7630001007941234567890185")?,
            bic: None,
        },
    };
    let transfers = read_transfers(&a.transfers)?;
    let mut totals = Totals::default();
    for t in &transfers {
        totals.add_transfer(t)?;
    }
    let read = started.elapsed();
    let created = date(2026, 12, 1).at(9, 0, 0, 0);
    write_atomic_with(&a.out, |w| {
        let file = SepaFile {
            message_id: SepaId::parse("BENCH").map_err(std::io::Error::other)?,
            payment_info_id: SepaId::parse("BENCH-1").map_err(std::io::Error::other)?,
            created,
            execution_date: date(2026, 12, 10),
        };
        let mut writer =
            Pain001Writer::new(w, &issuer, &file, totals).map_err(std::io::Error::other)?;
        for t in &transfers {
            writer.write_transfer(t).map_err(std::io::Error::other)?;
        }
        writer.finish().map_err(std::io::Error::other)?;
        Ok(())
    })?;
    let bytes = std::fs::metadata(&a.out)?.len();
    let all = started.elapsed();
    println!(
        "pain.001 : {} virements, {} octets, {:.3} s (lecture et contrôle du CSV {:.3} s, \
         écriture et fsync {:.3} s)",
        totals.count,
        bytes,
        all.as_secs_f64(),
        read.as_secs_f64(),
        (all - read).as_secs_f64()
    );
    Ok(EXIT_OK)
}
