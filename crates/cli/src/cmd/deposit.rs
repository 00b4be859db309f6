//! `relais deposit register|cancel|list` and `relais bench deposits`: the courrier service's
//! register of paper deposits, and the receipt handed over the counter.

mod tableur;

use super::EXIT_OK;
use super::receipt_key::signing_key;
use crate::args::OutputFormat;
use crate::args::{BenchDepositsArgs, DepositCommand, DepositListArgs, DepositRegisterArgs};
use crate::data::{DataDir, agent};
use anyhow::{Result, anyhow};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use relais_app::AppError;
use relais_app::data::AnyStore;
use relais_app::deposits;
use relais_core::deposits::{
    DepositInput, DepositKind, KindOverrides, KindRules, NewDeposit, ServiceContact, kind_rules,
};
use relais_core::roles::Role;
use relais_documents::code::{ReceiptKey, ReceiptSummary};
use relais_documents::{ReceiptInput, write_receipt};
use relais_store::NewUser;
use relais_store::deposits::DepositFilter;
use std::io::Write;

pub fn run(command: DepositCommand) -> Result<u8> {
    match command {
        DepositCommand::Register(a) => register(a),
        DepositCommand::Cancel(a) => {
            let data = DataDir::new(&a.data.data);
            let mut store = data.open_store()?;
            let number = deposits::number(&a.number).map_err(agent)?;
            let d =
                deposits::cancel(&mut *store, &a.user.user, number, &a.reason).map_err(agent)?;
            println!("Dépôt n° {} annulé : {}", d.number, a.reason.trim());
            Ok(EXIT_OK)
        }
        DepositCommand::List(a) => list(a),
    }
}

/// What the register refused, said as refused: nothing is registered.
fn refused(e: AppError) -> anyhow::Error {
    match e {
        AppError::Deposit(e) => anyhow!("dépôt refusé, rien n'est enregistré — {e}"),
        other => agent(other),
    }
}

/// The rules of every kind: built in, with `DATA/deposit-kinds.toml` applied when present.
pub(crate) fn load_rules(data: &DataDir) -> Result<Vec<KindRules>> {
    data.app().deposit_rules().map_err(agent)
}

pub(crate) fn rules_for(rules: &[KindRules], kind: DepositKind) -> Result<&KindRules> {
    relais_app::deposits::rules_for(rules, kind).map_err(agent)
}

fn register(a: DepositRegisterArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let (settings, tz) = data.time_zone()?;
    let input = DepositInput {
        kind: a.kind,
        depositor: a.from,
        address: a.address,
        subject: a.subject,
        pages: a.pages,
        siret: a.siret,
        invoice_number: a.invoice_number,
        amount: a.amount,
        invoice_date: a.invoice_date,
        commitment: a.engagement,
        deadline: a.deadline,
        received_at: a.at,
        backdate_reason: a.backdate_reason,
        dossier: a.dossier,
        missing: a.missing,
        missing_deadline: a.missing_deadline,
        completes: a.completes,
    };
    let desk = deposits::desk(Some(&settings), &tz, Timestamp::now());
    let new = NewDeposit::parse(&input, &desk)
        .map_err(|e| anyhow!("dépôt refusé, rien n'est enregistré — {e}"))?;
    let mut store = data.open_store()?;
    let rules = load_rules(&data)?;
    let key = signing_key(&data)?;
    let deposit =
        deposits::register(&mut *store, &a.user.user, &new, &tz, &rules, &key).map_err(refused)?;
    for w in deposit.warnings() {
        eprintln!("attention : dépôt n° {} — {w}", deposit.number);
    }
    let path = data
        .app()
        .save_receipt(&*store, &settings.authority.name, &tz, &rules, &deposit)
        .map_err(agent)?;
    println!("{}", deposit.number);
    println!("{}", path.display());
    println!("{}", deposit.receipt_code);
    Ok(EXIT_OK)
}

fn list(a: DepositListArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let (_, tz) = data.time_zone()?;
    let store = data.open_store()?;
    let filter = DepositFilter {
        kind: a
            .kind
            .as_deref()
            .map(|k| {
                DepositKind::parse(k)
                    .ok_or_else(|| anyhow!("--kind : type de dépôt inconnu « {k} »"))
            })
            .transpose()?,
        from: a.from,
        to: a.to,
        dossier: None,
    };
    let deposits = deposits::list(&*store, &filter).map_err(agent)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match a.format {
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "numero",
                "recu_le",
                "type",
                "deposant",
                "objet",
                "pages",
                "siret",
                "numero_facture",
                "montant",
                "enregistre_par",
                "annule_le",
                "motif_annulation",
                "enregistre_le",
                "motif_enregistrement_differe",
                "pieces_manquantes",
                "a_produire_avant",
                "complete",
                "complete_par",
                "complete_le",
                "alertes",
            ])?;
            let instant = |t: Timestamp| {
                t.to_zoned(tz.clone())
                    .strftime("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string()
            };
            for d in &deposits {
                let inv = d.facts.invoice.as_ref();
                let completion = d.completion.as_ref();
                w.write_record([
                    d.number.to_string(),
                    instant(d.received_at),
                    d.facts.kind.to_string(),
                    d.facts.depositor.clone(),
                    d.facts.subject.clone().unwrap_or_default(),
                    d.facts.pages.to_string(),
                    inv.map(|i| i.siret.to_string()).unwrap_or_default(),
                    inv.map(|i| i.number.clone()).unwrap_or_default(),
                    inv.map(|i| i.amount.to_decimal()).unwrap_or_default(),
                    d.registered_by.clone(),
                    d.cancellation
                        .as_ref()
                        .map(|c| c.at.to_string())
                        .unwrap_or_default(),
                    d.cancellation
                        .as_ref()
                        .map(|c| c.reason.clone())
                        .unwrap_or_default(),
                    instant(d.registered_at),
                    d.facts.backdate_reason.clone().unwrap_or_default(),
                    d.facts.missing.join("; "),
                    d.facts
                        .missing_deadline
                        .map(|x| x.to_string())
                        .unwrap_or_default(),
                    d.facts.completes.map(|n| n.to_string()).unwrap_or_default(),
                    completion.map(|c| c.by.to_string()).unwrap_or_default(),
                    completion.map(|c| instant(c.at)).unwrap_or_default(),
                    d.warnings().join("; "),
                ])?;
            }
            w.flush()?;
        }
        OutputFormat::Tableur => {
            let rules = load_rules(&data)?;
            tableur::write(out, &deposits, &rules, &tz)?;
        }
        OutputFormat::Text => {
            for d in &deposits {
                let mut status: Vec<String> = d.warnings().iter().map(|w| w.to_string()).collect();
                if let Some(c) = &d.cancellation {
                    status.insert(0, format!("ANNULÉ ({})", c.reason));
                }
                let status = status.join(" ; ");
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{} p.\t{status}",
                    d.number,
                    relais_documents::french::datetime_short(&d.received_at.to_zoned(tz.clone())),
                    d.facts.kind,
                    d.facts.depositor,
                    d.facts.pages
                )?;
            }
            writeln!(out, "{} dépôt(s)", deposits.len())?;
        }
    }
    Ok(EXIT_OK)
}

/// `relais bench deposits`: durable registrations by concurrent writers (each its own
/// connection) into a scratch store — a SQLite file beside the data folder's (WAL +
/// synchronous=FULL), or the empty PostgreSQL database of `--database` — then receipt PDFs.
/// The scratch SQLite store is removed after.
pub fn bench(a: BenchDepositsArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let (settings, tz) = data.time_zone()?;
    let writers = a.writers.max(1);
    let per_writer = a.count.div_ceil(writers);
    if let Some(url) = a.database {
        let database = relais_core::settings::DatabaseSettings {
            url,
            password_file: None,
        };
        database.validate().map_err(|e| anyhow!(e))?;
        let open: Opener = std::sync::Arc::new(move || {
            Ok(Box::new(relais_app::data::postgres(&database).map_err(agent)?) as AnyStore)
        });
        bench_in(&open, &settings.authority.name, &tz, writers, per_writer)?;
        return Ok(EXIT_OK);
    }
    let scratch = data.path.join(format!("bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let db = scratch.join("relais.db");
    let open: Opener =
        std::sync::Arc::new(
            move || Ok(Box::new(relais_store::SqliteStore::open(&db)?) as AnyStore),
        );
    let result = bench_in(&open, &settings.authority.name, &tz, writers, per_writer);
    std::fs::remove_dir_all(&scratch).ok();
    result?;
    Ok(EXIT_OK)
}

/// Opens one more connection on the bench's store.
type Opener = std::sync::Arc<dyn Fn() -> Result<AnyStore> + Send + Sync>;

fn bench_in(
    open: &Opener,
    authority: &str,
    tz: &TimeZone,
    writers: usize,
    per_writer: usize,
) -> Result<()> {
    let mut store = open()?;
    store.add_user(
        "bench",
        &NewUser {
            login: "bench".into(),
            roles: vec![Role::Courrier],
            site: None,
            password_hash: "-".into(),
        },
    )?;
    let key = std::sync::Arc::new(ReceiptKey::from_seed(&rand::random::<[u8; 32]>()));
    let start = std::time::Instant::now();
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let (open, tz, key) = (open.clone(), tz.clone(), key.clone());
            std::thread::spawn(move || -> Result<()> {
                let mut store = open()?;
                for i in 0..per_writer {
                    let new = bench_deposit(w, i);
                    store.register_deposit("bench", &new, &tz, &mut |d| {
                        Ok(key.sign(&ReceiptSummary::of(d)))
                    })?;
                }
                Ok(())
            })
        })
        .collect();
    for h in handles {
        h.join().map_err(|_| anyhow!("un écrivain a échoué"))??;
    }
    let elapsed = start.elapsed();
    let total = writers * per_writer;
    let journal = store.verify_journal()?;
    println!(
        "enregistrements durables : {total} par {writers} écrivains en {:.2} s, soit {:.0} par seconde (chaque enregistrement validé durablement ; journal vérifié, {journal} entrées)",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    let deposits = store.deposits(&DepositFilter::default())?;
    let rules = kind_rules(&KindOverrides::new()).map_err(|e| anyhow!(e))?;
    let service = ServiceContact {
        name: "Service du courrier".into(),
        address: "1 rue de l'Hôtel du Département, 77000 Melun".into(),
        email: "courrier@example.fr".into(),
        phone: "01 99 00 00 00".into(),
    };
    let mut times = Vec::new();
    for d in deposits.iter().take(200) {
        let rule = rules_for(&rules, d.facts.kind)?;
        let t = std::time::Instant::now();
        let mut pdf = Vec::new();
        write_receipt(
            &ReceiptInput {
                authority,
                tz,
                rules: rule,
                service: &service,
                deposit: d,
                completed: None,
            },
            &mut pdf,
        )?;
        times.push(t.elapsed());
    }
    times.sort();
    if let (Some(first), Some(last)) = (times.first(), times.last()) {
        let median = times.get(times.len() / 2).copied().unwrap_or(*first);
        println!(
            "récépissé PDF : {} générés, médiane {:.1} ms, min {:.1} ms, max {:.1} ms",
            times.len(),
            median.as_secs_f64() * 1e3,
            first.as_secs_f64() * 1e3,
            last.as_secs_f64() * 1e3
        );
    }
    Ok(())
}

fn bench_deposit(writer: usize, i: usize) -> NewDeposit {
    NewDeposit {
        subject: Some("Demande d'APA".into()),
        pages: 3,
        ..NewDeposit::new(DepositKind::DemandeApa, &format!("Déposant {writer}-{i}"))
    }
}
