//! `fournisseurs.csv` (suppliers: every field quoted, `,`, IBAN in groups of four) and
//! `factures.csv` (open invoices of the last 60 days: ISO dates, `1 234,56` amounts).
//!
//! Suppliers are few (at most 3,000), so they are kept in memory for the invoices to refer to.

use crate::bad_rows::{FileId, InvoiceFlaw, SupplierFlaw, three_decimals};
use crate::banks::{self, AccountFlaw};
use crate::communes::commune;
use crate::csv_out::Table;
use crate::identifiers::{self, OrgKind};
use crate::names::SURNAMES;
use crate::people::Context;
use crate::pool::street_address;
use crate::rng::{Aspect, Rng};
use std::collections::BTreeSet;
use std::io;

pub const SUPPLIER_COLUMNS: [&str; 8] = [
    "siret",
    "raison_sociale",
    "iban",
    "bic",
    "adresse",
    "code_postal",
    "commune",
    "forme_juridique",
];

pub const INVOICE_COLUMNS: [&str; 9] = [
    "facture_id",
    "siret",
    "numero",
    "date_facture",
    "date_reception",
    "montant_ttc",
    "engagement",
    "statut",
    "marche",
];

const ACTIVITIES: &[&str] = &[
    "Travaux Publics",
    "Bâtiment",
    "Espaces Verts",
    "Nettoyage",
    "Informatique",
    "Imprimerie",
    "Transports",
    "Restauration Collective",
    "Fournitures de Bureau",
    "Signalisation Routière",
    "Électricité",
    "Plomberie Chauffage",
    "Location de Matériel",
    "Conseil",
    "Sécurité",
    "Menuiserie",
    "Viabilité Hivernale",
    "Traiteur",
    "Ambulances",
    "Taxis",
    "Enrobés",
    "Mobilier Scolaire",
    "Télécoms",
    "Reprographie",
    "Formation",
];

const REGIONS: &[&str] = &[
    "de la Brie",
    "du Gâtinais",
    "de Seine-et-Marne",
    "du Val d'Europe",
    "de la Marne",
    "du Provinois",
    "Île-de-France",
    "du Multien",
    "de Sénart",
];

const LEGAL_FORMS: &[&str] = &["SAS", "SARL", "SA", "EURL", "SASU", "SCOP"];

/// Towns outside the département where suppliers also sit: (commune, postal code).
const OUTSIDE: &[(&str, &str)] = &[
    ("Paris", "75012"),
    ("Paris", "75008"),
    ("Créteil", "94000"),
    ("Évry-Courcouronnes", "91000"),
    ("Saint-Denis", "93200"),
    ("Troyes", "10000"),
    ("Reims", "51100"),
    ("Sens", "89100"),
    ("Orléans", "45000"),
    ("Lyon", "69003"),
];

/// How many suppliers: about one per 100 people, 20 to 3,000.
pub fn count(size: u32) -> u64 {
    u64::from(size / 100).clamp(20, 3000)
}

/// How many open invoices: about one per 10 people, 20 to 4,000 (Seine-et-Marne: 3,500 a
/// month).
pub fn invoice_count(size: u32) -> u64 {
    u64::from(size / 10).clamp(20, 4000)
}

fn company_name(rng: &mut Rng) -> String {
    let activity = rng.pick(ACTIVITIES);
    let surname = rng.skewed(SURNAMES);
    let base = match rng.below(5) {
        0 => format!("{activity} {surname}"),
        1 => format!("{surname} {activity}"),
        2 => format!("{activity} {}", rng.pick(REGIONS)),
        3 => format!("Ets {surname} et Fils"),
        _ => format!("{surname} & Associés {activity}"),
    };
    format!("{base} {}", rng.pick(LEGAL_FORMS))
}

/// What the invoices need of a supplier: its SIRET, and how it numbers its invoices.
#[derive(Debug, Clone)]
pub struct SupplierRef {
    pub siret: String,
    pub numbering: u8,
}

/// Writes `fournisseurs.csv`; gives the suppliers that were written valid.
pub fn write_suppliers(ctx: &Context, table: &mut Table) -> io::Result<Vec<SupplierRef>> {
    table.header(&SUPPLIER_COLUMNS)?;
    let mut schedule = ctx.schedule(FileId::Suppliers, SupplierFlaw::ALL.len());
    let mut rng = ctx.streams.stream(Aspect::Suppliers, 0);
    let mut good = Vec::new();
    for i in 0..count(ctx.size) {
        let flaw = schedule.at(i).map(|f| SupplierFlaw::ALL[f]);
        let kind = if rng.per_mille(100) {
            OrgKind::Association
        } else {
            OrgKind::Company
        };
        let siret = identifiers::siret(&mut rng, kind, flaw == Some(SupplierFlaw::SiretKey))?;
        let name = company_name(&mut rng);
        let account_flaw = match flaw {
            Some(SupplierFlaw::IbanMod97) => Some(AccountFlaw::Mod97),
            Some(SupplierFlaw::RibKey) => Some(AccountFlaw::RibKey),
            Some(SupplierFlaw::Bic) => Some(AccountFlaw::Bic),
            _ => None,
        };
        let bank = banks::draw_bank(&mut rng);
        let account = banks::french_account(&mut rng, bank, account_flaw)?;
        let address = street_address(&mut rng);
        let (city, postal_code) = if rng.per_mille(250) {
            rng.pick(OUTSIDE)
        } else {
            let c = commune(ctx.communes.draw(&mut rng));
            (c.name, c.postal_code)
        };
        let numbering = rng.below(4) as u8;
        let row = |table: &mut Table, siret: &str, name: &str, bad: bool| -> io::Result<()> {
            table.field(siret);
            table.field(name);
            table.field(&banks::grouped(&account.iban));
            table.field(account.bic);
            if flaw == Some(SupplierFlaw::TooFewColumns) {
                return table.end_row(true);
            }
            table.field(&address);
            table.field(if flaw == Some(SupplierFlaw::PostalCode) {
                postal_code.get(..4).unwrap_or("7700")
            } else {
                postal_code
            });
            table.field(city);
            table.field(match kind {
                OrgKind::Association => "association",
                _ => "societe",
            });
            table.end_row(bad)
        };
        match flaw {
            None => {
                row(table, &siret, &name, false)?;
                good.push(SupplierRef { siret, numbering });
            }
            Some(SupplierFlaw::EmptyName) => row(table, &siret, "", true)?,
            Some(SupplierFlaw::DuplicateSiret) => {
                // The same establishment entered twice under two spellings.
                row(table, &siret, &name, false)?;
                row(table, &siret, &name.to_uppercase(), false)?;
                table.mark_last_bad();
                good.push(SupplierRef { siret, numbering });
            }
            Some(_) => row(table, &siret, &name, true)?,
        }
    }
    Ok(good)
}

fn invoice_number(rng: &mut Rng, numbering: u8, year: i32) -> String {
    match numbering {
        0 => format!("FA{}{:05}", year % 100, rng.between(1, 40_000)),
        1 => format!("{year}-{:04}", rng.between(1, 9_999)),
        2 => format!("F-{:06}", rng.between(1, 999_999)),
        _ => format!("INV{}", rng.between(10_000, 99_999)),
    }
}

/// Invoice amounts incl. VAT, in cents: mostly small, some works contracts.
fn invoice_amount(rng: &mut Rng) -> i64 {
    let euros = match rng.below(100) {
        0..60 => rng.between(50, 2_000),
        60..90 => rng.between(2_000, 20_000),
        _ => rng.between(20_000, 150_000),
    };
    euros * 100 + rng.between(0, 99)
}

/// Writes `factures.csv`, invoices of the `suppliers` written valid.
pub fn write_invoices(
    ctx: &Context,
    suppliers: &[SupplierRef],
    table: &mut Table,
) -> io::Result<()> {
    table.header(&INVOICE_COLUMNS)?;
    let decimal = table.style().decimal;
    let mut schedule = ctx.schedule(FileId::Invoices, InvoiceFlaw::ALL.len());
    let mut rng = ctx.streams.stream(Aspect::Invoices, 0);
    let known: BTreeSet<&str> = suppliers.iter().map(|s| s.siret.as_str()).collect();
    let today = ctx.today;
    let year = today.ymd().0;
    let mut engagement = 0u64;
    let mut orders = 0u32;
    for i in 0..invoice_count(ctx.size) {
        let flaw = schedule.at(i).map(|f| InvoiceFlaw::ALL[f]);
        let Some(supplier) = suppliers.get(rng.skewed_index(suppliers.len())) else {
            break;
        };
        let mut siret = supplier.siret.clone();
        if flaw == Some(InvoiceFlaw::UnknownSiret) {
            // A valid SIRET that is no supplier of ours (a clash is all but impossible).
            for _ in 0..100 {
                siret = identifiers::siret(&mut rng, OrgKind::Company, false)?;
                if !known.contains(siret.as_str()) {
                    break;
                }
            }
        }
        let invoiced = today.plus(-rng.between(0, 60));
        let received = invoiced.plus(rng.between(0, 8)).min(today);
        let amount = invoice_amount(&mut rng);
        let commitment = rng.per_mille(600).then(|| {
            engagement += 1 + rng.below(5);
            format!("ENG-{year}-{engagement:05}")
        });
        // One invoice in twenty names a purchase order Relais issued during the crisis (the
        // demo issues them, BC-AAAA-000001 onwards: `relais commandes list` matches them).
        let commitment = if i % 20 == 5 && flaw.is_none() {
            orders += 1;
            Some(format!("BC-{year}-{orders:06}"))
        } else {
            commitment
        };
        let status = if rng.per_mille(30) {
            "en_litige"
        } else {
            "a_payer"
        };
        let number = invoice_number(&mut rng, supplier.numbering, year);
        let id = format!("FAC-{year}-{:06}", i + 1);
        let row = |table: &mut Table, number: &str, bad: bool| -> io::Result<()> {
            table.field(&id);
            table.field(&siret);
            table.field(number);
            if flaw == Some(InvoiceFlaw::ImpossibleDate) {
                table.field_fmt(format_args!("{}-02-30", invoiced.ymd().0));
            } else {
                table.date(invoiced);
            }
            table.date(received);
            if flaw == Some(InvoiceFlaw::TooFewColumns) {
                return table.end_row(true);
            }
            match flaw {
                Some(InvoiceFlaw::NegativeAmount) => table.money(-amount),
                Some(InvoiceFlaw::ThreeDecimals) => table.field(&three_decimals(amount, decimal)),
                _ => table.money(amount),
            }
            table.field(commitment.as_deref().unwrap_or(""));
            table.field(status);
            // One invoice in eight is paid under a marché (a works or supply contract).
            if i % 8 == 3 {
                table.field_fmt(format_args!("MAR-{year}-{:03}", i % 40 + 1));
            } else {
                table.field("");
            }
            table.end_row(bad)
        };
        match flaw {
            None => row(table, &number, false)?,
            Some(InvoiceFlaw::EmptyNumber) => row(table, "", true)?,
            Some(InvoiceFlaw::DuplicateId) => {
                // Registered twice: same internal id, the supplier's number retyped.
                row(table, &number, false)?;
                row(table, &number.to_lowercase(), false)?;
                table.mark_last_bad();
            }
            Some(_) => row(table, &number, true)?,
        }
    }
    Ok(())
}
