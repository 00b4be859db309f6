//! Times sealing, signing, verifying and opening a generated set of CSV-like extracts, to
//! check the speed and memory budget (docs/snapshot.md, "Performance"). Not a test.
//!
//! `cargo run --release -p relais-vault --example seal_open_timing -- PEOPLE DIR`
//! writes about 420 bytes per person into DIR (created, must be empty), then seals, signs,
//! verifies and opens it. Run it under `/usr/bin/time -v` for the peak memory.

use relais_vault::{
    Manifest, ManifestFile, PublicKey, SigningKey, digest_reader, generate_keys, open,
    parse_identities, parse_recipients, seal, sign, trusted_comment, verify,
};
use std::error::Error;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::time::Instant;

/// A small deterministic generator (xorshift64*): no dependency for an example.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn write_people(path: &Path, people: u64) -> io::Result<u64> {
    let mut g = Gen(0x9E37_79B9_7F4A_7C15);
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    writeln!(
        w,
        "id;nir;nom;prenom;naissance;adresse;code_postal;commune;iban;bic;aide;montant"
    )?;
    for i in 0..people {
        let r = g.next();
        writeln!(
            w,
            "P{i:08};{:013};NOM{:06};PRENOM{:05};19{:02}-{:02}-{:02};{} rue de la République, bâtiment {};{:05};COMMUNE-{:04};FR76{:012}{:011};AGRIFRPP{:03};APA;{},{:02}",
            r % 10_000_000_000_000,
            r % 1_000_000,
            (r >> 20) % 100_000,
            20 + r % 80,
            1 + r % 12,
            1 + r % 28,
            r % 300,
            (r >> 8) % 40,
            r % 100_000,
            (r >> 16) % 10_000,
            r % 1_000_000_000_000,
            (r >> 3) % 100_000_000_000,
            r % 1000,
            100 + r % 2000,
            r % 100,
        )?;
    }
    w.flush()?;
    Ok(people)
}

/// Ten monthly payments per person, so that the whole set is about 420 bytes per person.
fn write_payments(path: &Path, people: u64) -> io::Result<u64> {
    let mut g = Gen(0xD1B5_4A32_D192_ED03);
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    writeln!(w, "id;mois;montant;mode")?;
    for i in 0..people {
        for month in 1..=10 {
            let r = g.next();
            writeln!(
                w,
                "P{i:08};2025-{month:02};{},{:02};VIR",
                100 + r % 2000,
                r % 100
            )?;
        }
    }
    w.flush()?;
    Ok(people * 10)
}

fn describe(dir: &Path, name: &str, rows: u64) -> io::Result<ManifestFile> {
    let mut f = BufReader::with_capacity(1 << 20, File::open(dir.join(name))?);
    let (sha256, bytes) = digest_reader(&mut f)?;
    Ok(ManifestFile {
        name: name.into(),
        sha256,
        bytes,
        rows,
        amount_total_cents: None,
    })
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let people: u64 = args.next().ok_or("PEOPLE missing")?.parse()?;
    let root = std::path::PathBuf::from(args.next().ok_or("DIR missing")?);
    let extracts = root.join("extracts");
    let dest = root.join("opened");
    std::fs::create_dir_all(&extracts)?;
    std::fs::create_dir_all(&dest)?;

    let t = Instant::now();
    write_people(&extracts.join("beneficiaires.csv"), people)?;
    let payments = write_payments(&extracts.join("paiements.csv"), people)?;
    eprintln!("generate: {:.2} s", t.elapsed().as_secs_f64());

    let keys = generate_keys(None)?;
    let recipients = parse_recipients(&keys.age_recipient.to_string())?;
    let identities = parse_identities(&keys.age_identity_file)?;
    let signing = SigningKey::from_file_text(&keys.minisign_secret_file, None)?;
    let public = PublicKey::from_file_text(&keys.minisign_public_file)?;

    let t = Instant::now();
    let files = vec![
        describe(&extracts, "beneficiaires.csv", people)?,
        describe(&extracts, "paiements.csv", payments)?,
    ];
    let manifest = Manifest::new(
        "Générateur",
        "Département de l'Exemple",
        jiff::Timestamp::now(),
        files,
        serde_json::json!({}),
    );
    eprintln!("hash before sealing: {:.2} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    let sealed_path = root.join("instantane.relais");
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&sealed_path)?);
    let dir = extracts.clone();
    let mut source = move |name: &str| -> io::Result<Box<dyn Read>> {
        Ok(Box::new(BufReader::with_capacity(
            1 << 20,
            File::open(dir.join(name))?,
        )))
    };
    let sealed_bytes = seal(&manifest, &mut source, &recipients, &mut out)?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    eprintln!(
        "seal: {:.2} s ({} MB)",
        t.elapsed().as_secs_f64(),
        sealed_bytes / 1_000_000
    );

    let t = Instant::now();
    let signature = sign(
        &mut File::open(&sealed_path)?,
        &signing,
        &trusted_comment(&manifest, sealed_bytes),
    )?;
    eprintln!("sign: {:.2} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    verify(
        &mut File::open(&sealed_path)?,
        signature.as_bytes(),
        &public,
    )?;
    eprintln!("verify: {:.2} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    open(&mut File::open(&sealed_path)?, &identities, &dest)?;
    eprintln!("open: {:.2} s", t.elapsed().as_secs_f64());
    Ok(())
}
