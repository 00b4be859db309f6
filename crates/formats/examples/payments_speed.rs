//! Measures the payment file writers alone: N one-line mandates (PES, cut into bordereaux of
//! 99 999) and N transfers (pain.001). Each in two passes, as the export will: a first pass
//! counts the totals, the second writes, into `std::io::sink()` (the writer's own cost) and
//! then into a file of FOLDER (with the disk), which the checks read back. Prints seconds,
//! items per second and MB/s. Peak memory (`/usr/bin/time -v`) must stay flat: the writers
//! keep nothing per item.
//!
//! `cargo run --release -p relais-formats --example payments_speed -- 2000000 [FOLDER]`

use jiff::civil::date;
use relais_core::Cents;
use relais_core::ids::{Bic, Iban, Siret};
use relais_formats::payments::model::{
    Address, BankAccount, Bordereau, BordereauId, BordereauKind, BudgetAccount, BudgetCode,
    CollectivityCode, Debtor, FunctionCode, Issuer, LegalNature, Line, LineId, Payee,
    PayeeCategory, PaymentMode, PesFile, PesFileName, Piece, PieceId, PieceKind, PieceNature,
    PostCode, PostId, SepaAmount, SepaFile, SepaId, Totals, Transfer,
};
use relais_formats::payments::{Pain001Writer, PesWriter, check_pain001, check_pes};
use std::error::Error;
use std::fmt::Write as _;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::time::Instant;

type Res<T> = Result<T, Box<dyn Error>>;

const PER_BORDEREAU: u64 = 99_999;

/// Counts the bytes that go through.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn issuer() -> Res<Issuer> {
    Ok(Issuer {
        name: "Département de Démonstration".into(),
        siret: Siret::parse("22690099100010")?,
        collectivity: CollectivityCode::parse("069")?,
        budget: BudgetCode::parse("01")?,
        post: PostId::parse("069099")?,
        budget_label: "DEPARTEMENT - BUDGET PRINCIPAL".into(),
        debtor: Debtor {
            name: "Paierie départementale".into(),
            iban: Iban::from_french_rib("30001", "00690", "C6900000000")?,
            bic: Some(Bic::parse("BDFEFRPPCCT")?),
        },
    })
}

/// Mandate `i` (0-based), rewritten in place: no allocation per mandate beyond the caller's.
struct Source {
    piece: Piece,
    transfer: Transfer,
}

impl Source {
    fn new() -> Res<Source> {
        let iban = Iban::parse("FR7630006000011234567890189")?;
        let bic = Bic::parse("BNPAFRPP")?;
        let payee = Payee {
            siret: None,
            reference: String::new(),
            category: PayeeCategory::PERSON,
            legal_nature: LegalNature::INDIVIDUAL,
            civility: "MME".into(),
            last_name: String::new(),
            first_name: "Jeanne-Élodie".into(),
            address: Some(Address {
                line1: String::new(),
                line2: "12 rue des Lilas".into(),
                line3: String::new(),
                postcode: PostCode::parse("69003")?,
                city: "Lyon".into(),
            }),
            bank: Some(BankAccount {
                iban: iban.clone(),
                bic: Some(bic.clone()),
                holder: String::new(),
            }),
        };
        Ok(Source {
            piece: Piece {
                id: PieceId::new(1)?,
                kind: PieceKind::ORDINARY_MANDATE,
                nature: PieceNature::OPERATING,
                object: "APA à domicile - janvier 2025".into(),
                due_date: Some(date(2025, 1, 31)),
                deadline: None,
                settles: None,
                lines: vec![Line {
                    id: LineId::new(1)?,
                    account: BudgetAccount::parse("651141")?,
                    function: Some(FunctionCode::parse("551")?),
                    invoice: String::new(),
                    transfer_label: String::new(),
                    payment_mode: PaymentMode::TRANSFER,
                    amount: Cents(1),
                    payee: std::sync::Arc::new(payee),
                }],
            },
            transfer: Transfer {
                end_to_end_id: SepaId::parse("X")?,
                amount: SepaAmount::new(Cents(1))?,
                creditor_name: String::new(),
                creditor_iban: iban,
                creditor_bic: Some(bic),
                remittance: String::new(),
            },
        })
    }

    fn amount(i: u64) -> Cents {
        Cents(10_000 + (i * 7919 % 150_000) as i64)
    }

    fn piece(&mut self, i: u64) -> Res<&Piece> {
        self.piece.id = PieceId::new((i % PER_BORDEREAU + 1) as u32)?;
        if let Some(line) = self.piece.lines.first_mut() {
            line.amount = Self::amount(i);
            line.transfer_label.clear();
            write!(line.transfer_label, "APA JANVIER 2025 DOSSIER APA{i:08}")?;
            // The only holder of the payee: changed in place, not copied.
            let payee = std::sync::Arc::make_mut(&mut line.payee);
            payee.reference.clear();
            write!(payee.reference, "APA{i:08}")?;
            payee.last_name.clear();
            write!(payee.last_name, "Lefèvre-Dupont {i}")?;
        }
        Ok(&self.piece)
    }

    fn transfer(&mut self, i: u64) -> Res<&Transfer> {
        let t = &mut self.transfer;
        t.end_to_end_id = SepaId::parse(&format!("APA-202501-{i:010}"))?;
        t.amount = SepaAmount::new(Self::amount(i))?;
        t.creditor_name.clear();
        write!(t.creditor_name, "Jeanne-Élodie Lefèvre-Dupont {i}")?;
        t.remittance.clear();
        write!(t.remittance, "APA janvier 2025 - dossier APA{i:08}")?;
        Ok(&self.transfer)
    }
}

fn bordereau(b: u64) -> Res<Bordereau> {
    Ok(Bordereau {
        year: 2025,
        id: BordereauId::new(u32::try_from(b + 1)?)?,
        date: date(2025, 1, 24),
        kind: BordereauKind::ORDINARY,
        cumulative_annual: None,
    })
}

/// First pass: the totals of each bordereau.
fn count_pes(n: u64) -> Res<Vec<Totals>> {
    let mut source = Source::new()?;
    let mut totals = Vec::new();
    for i in 0..n {
        if i % PER_BORDEREAU == 0 {
            totals.push(Totals::default());
        }
        if let Some(t) = totals.last_mut() {
            t.add_piece(source.piece(i)?)?;
        }
    }
    Ok(totals)
}

/// Second pass: the file.
fn write_pes<W: Write>(n: u64, totals: &[Totals], out: W) -> Res<W> {
    let mut source = Source::new()?;
    let file = PesFile {
        name: PesFileName::parse("PESALR1_SPEED.xml")?,
        created: date(2025, 1, 24).at(10, 0, 0, 0),
    };
    let mut w = PesWriter::new(out, &issuer()?, &file)?;
    for i in 0..n {
        let b = i / PER_BORDEREAU;
        if i % PER_BORDEREAU == 0 {
            let declared = totals.get(b as usize).copied().unwrap_or_default();
            w.begin_bordereau(&bordereau(b)?, declared)?;
        }
        w.write_piece(source.piece(i)?)?;
    }
    Ok(w.finish()?.0)
}

fn count_pain(n: u64) -> Res<Totals> {
    let mut source = Source::new()?;
    let mut totals = Totals::default();
    for i in 0..n {
        totals.add_transfer(source.transfer(i)?)?;
    }
    Ok(totals)
}

fn write_pain<W: Write>(n: u64, totals: Totals, out: W) -> Res<W> {
    let mut source = Source::new()?;
    let file = SepaFile {
        message_id: SepaId::parse("RELAIS-SPEED")?,
        payment_info_id: SepaId::parse("RELAIS-SPEED-1")?,
        created: date(2025, 1, 24).at(10, 0, 0, 0),
        execution_date: date(2025, 1, 31),
    };
    let mut w = Pain001Writer::new(out, &issuer()?, &file, totals)?;
    for i in 0..n {
        w.write_transfer(source.transfer(i)?)?;
    }
    Ok(w.finish()?.0)
}

fn report(what: &str, n: u64, bytes: u64, start: Instant) {
    let s = start.elapsed().as_secs_f64();
    println!(
        "{what:<28} {s:>6.2} s  {:>9.0} items/s  {:>7.1} MB  {:>6.0} MB/s",
        n as f64 / s,
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / s
    );
}

fn main() -> Res<()> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(2_000_000);
    let folder = args.next().unwrap_or_else(|| "/tmp".into());
    let folder = Path::new(&folder);
    println!("{n} items; a pass includes making each item (as the export will)");

    let start = Instant::now();
    let totals = count_pes(n)?;
    report("PES count pass", n, 0, start);
    let start = Instant::now();
    let out = write_pes(
        n,
        &totals,
        Counting {
            inner: std::io::sink(),
            bytes: 0,
        },
    )?;
    report("PES write pass -> sink", n, out.bytes, start);

    let pes_path = folder.join("relais_speed_pes.xml");
    let start = Instant::now();
    let totals = count_pes(n)?;
    let file = BufWriter::new(std::fs::File::create(&pes_path)?);
    let out = write_pes(
        n,
        &totals,
        Counting {
            inner: file,
            bytes: 0,
        },
    )?;
    out.inner
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()?;
    report("PES both passes -> file", n, out.bytes, start);

    let start = Instant::now();
    let checked = check_pes(BufReader::with_capacity(
        1 << 20,
        std::fs::File::open(&pes_path)?,
    ))?;
    report("PES check", n, std::fs::metadata(&pes_path)?.len(), start);
    let all = checked.totals();
    println!(
        "  {} bordereaux, {} mandates, {}",
        checked.bordereaux.len(),
        all.count,
        all.amount
    );

    let start = Instant::now();
    let totals = count_pain(n)?;
    report("pain.001 count pass", n, 0, start);
    let start = Instant::now();
    let out = write_pain(
        n,
        totals,
        Counting {
            inner: std::io::sink(),
            bytes: 0,
        },
    )?;
    report("pain.001 write pass -> sink", n, out.bytes, start);

    let pain_path = folder.join("relais_speed_pain.xml");
    let start = Instant::now();
    let totals = count_pain(n)?;
    let file = BufWriter::new(std::fs::File::create(&pain_path)?);
    let out = write_pain(
        n,
        totals,
        Counting {
            inner: file,
            bytes: 0,
        },
    )?;
    out.inner
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()?;
    report("pain.001 both passes -> file", n, out.bytes, start);

    let start = Instant::now();
    let totals = check_pain001(BufReader::with_capacity(
        1 << 20,
        std::fs::File::open(&pain_path)?,
    ))?;
    report(
        "pain.001 check",
        n,
        std::fs::metadata(&pain_path)?.len(),
        start,
    );
    println!("  {} transfers, {}", totals.count, totals.amount);

    std::fs::remove_file(&pes_path)?;
    std::fs::remove_file(&pain_path)?;
    Ok(())
}
