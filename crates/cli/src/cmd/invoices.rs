//! `relais invoices due`: open invoices — the extracts' and those registered at the courrier —
//! by days left before the legal payment deadline, with the late-payment interest and the EUR 40
//! indemnity of those past it (relais_core::deposits).

use super::EXIT_OK;
use super::deposit::{load_rules, rules_for};
use crate::args::OutputFormat;
use crate::args::{FacturesCommand, InvoicesDueArgs};
use crate::data::DataDir;
use crate::data::agent;
use anyhow::{Context, Result, anyhow};
use relais_app::invoices::{DueError, DueInvoice, due_invoices};
use relais_app::invoices::{StepRequest, event_of, record_step};
use relais_core::Cents;
use relais_core::deposits::DepositKind;
use relais_core::invoices::lifecycle::{InvoiceState, fold};
use relais_core::invoices::{EcbRate, default_ecb_rates};
use std::io::Write;

/// `DATA/ecb-rates.toml`: later changes of the ECB rate, added to the built-in table.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RatesFile {
    rate: Vec<EcbRate>,
}

pub(crate) fn rates(data: &DataDir) -> Result<Vec<EcbRate>> {
    let mut rates = default_ecb_rates();
    let path = data.path.join("ecb-rates.toml");
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("lecture de {}", path.display()))?;
        let file: RatesFile =
            toml::from_str(&text).with_context(|| format!("{} illisible", path.display()))?;
        rates.retain(|r| file.rate.iter().all(|f| f.from != r.from));
        rates.extend(file.rate);
    }
    Ok(rates)
}

pub fn run(command: crate::args::InvoicesCommand) -> Result<u8> {
    let crate::args::InvoicesCommand::Due(a) = command;
    due(a, false)
}

/// `relais factures …`: the list by deadline with each invoice's state, and the steps.
pub fn factures(command: FacturesCommand) -> Result<u8> {
    let (invoice, req) = match command {
        FacturesCommand::List(a) => return due(a, true),
        FacturesCommand::ServiceFait(a) => (
            a.invoice,
            StepRequest::ServiceDone {
                amount: a.montant,
                checked: a.verifie,
            },
        ),
        FacturesCommand::Liquider(a) => (
            a.invoice,
            StepRequest::Liquidate {
                amount: a.montant,
                account: a.nature,
                function: a.fonction,
            },
        ),
        FacturesCommand::Suspendre(a) => (a.invoice, StepRequest::Suspend { reason: a.reason }),
        FacturesCommand::Reprendre(a) => (a, StepRequest::Resume),
        FacturesCommand::Rejeter(a) => (a.invoice, StepRequest::Reject { reason: a.reason }),
        FacturesCommand::Payee(a) => (
            a.invoice,
            StepRequest::Paid {
                paid_on: a.date,
                how: a.source,
            },
        ),
        FacturesCommand::RibEnAttente(a) => return banks_waiting(&a),
        FacturesCommand::ApprouverRib(a) => return approve_bank(a),
        FacturesCommand::Lot(a) => return batch(a),
    };
    let data = crate::data::DataDir::new(&invoice.data.data).open()?;
    let clock = super::run::clock(&data.tz);
    let mut store = data.open_store().map_err(agent)?;
    let event = event_of(&*store, &invoice.id, req).map_err(agent)?;
    let suspended = match &event {
        relais_core::invoices::lifecycle::InvoiceEvent::Suspended { reason } => {
            Some(reason.clone())
        }
        _ => None,
    };
    let steps = record_step(
        &mut *store,
        clock.as_ref(),
        &data.tz,
        &invoice.id,
        &event,
        &invoice.user.user,
    )
    .map_err(agent)?;
    let life = fold(&steps);
    println!("Facture {} : {}", invoice.id.trim(), life.state.label_fr());
    if let (Some(reason), Some(step)) = (suspended, steps.last()) {
        let path = relais_app::invoices::write_suspension_letter(
            &*store,
            &data.settings.authority.name,
            &relais_app::invoices::letters_folder(&data.dir.path),
            &invoice.id,
            &reason,
            &invoice.user.user,
            step.on,
        )
        .map_err(agent)?;
        println!("Courrier au fournisseur : {}", path.display());
    }
    Ok(EXIT_OK)
}

fn due(a: InvoicesDueArgs, with_state: bool) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let (_, tz) = data.time_zone()?;
    let today = match a.today {
        Some(t) => t,
        None => relais_core::calendar::local_date(jiff::Timestamp::now(), &tz),
    };
    let rules = load_rules(&data)?;
    let days = rules_for(&rules, DepositKind::Facture)?
        .payment_days
        .unwrap_or(30);
    let rates = rates(&data)?;
    let store = data.open_store()?;
    let mut out = due_invoices(&*store, days, today, &tz, &rates).map_err(|e| match e {
        DueError::MissingRate => anyhow!(
            "taux de la BCE inconnu pour une période : complétez {}",
            data.path.join("ecb-rates.toml").display()
        ),
        other => anyhow!(other),
    })?;
    if let Some(within) = a.within {
        out.retain(|d| d.standing.days_left <= within);
    }
    let stdout = std::io::stdout();
    let w = std::io::BufWriter::new(stdout.lock());
    match a.format {
        OutputFormat::Csv => csv_out(w, &out)?,
        OutputFormat::Tableur => tableur_out(w, &out)?,
        OutputFormat::Text if with_state => state_out(w, &out)?,
        OutputFormat::Text => text_out(w, &out)?,
    }
    Ok(EXIT_OK)
}

fn late_fields(d: &DueInvoice) -> (String, Cents, Cents) {
    match d.standing.late {
        Some(l) => (
            format!("{},{:02} %", l.basis_points / 100, l.basis_points % 100),
            l.interest,
            l.indemnity,
        ),
        None => (String::new(), Cents::ZERO, Cents::ZERO),
    }
}

fn text_out(mut w: impl Write, out: &[DueInvoice]) -> Result<()> {
    let (mut interest, mut indemnity) = (Cents::ZERO, Cents::ZERO);
    for d in out {
        let (rate, i, ind) = late_fields(d);
        let state = if d.standing.days_left >= 0 {
            format!("J-{}", d.standing.days_left)
        } else {
            format!(
                "RETARD {} j, taux {rate}, intérêts {i}, indemnité {ind}",
                -d.standing.days_left
            )
        };
        writeln!(
            w,
            "{}\t{}\t{}\t{}\treçue le {}\t{}\t{}",
            d.standing.deadline, state, d.supplier, d.reference, d.received, d.amount, d.source
        )?;
        interest = interest.checked_add(i).unwrap_or(interest);
        indemnity = indemnity.checked_add(ind).unwrap_or(indemnity);
    }
    writeln!(
        w,
        "{} facture(s) ; intérêts moratoires {interest} ; indemnités forfaitaires {indemnity}",
        out.len()
    )?;
    Ok(())
}

/// Each invoice with what the commands name it by, its state and what it waits for, the most
/// urgent first; the total at risk of late interest.
fn state_out(mut w: impl Write, out: &[DueInvoice]) -> Result<()> {
    let mut at_risk = Cents::ZERO;
    for d in out {
        let when = if d.standing.days_left >= 0 {
            format!("J-{}", d.standing.days_left)
        } else {
            format!("RETARD {} j", -d.standing.days_left)
        };
        let reason = d
            .reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        writeln!(
            w,
            "{}\t{}\t{}\t{}{reason}\t{}\t{}\t{}",
            d.id,
            d.standing.deadline.strftime("%d/%m/%Y"),
            when,
            d.state.label_fr(),
            d.supplier,
            d.reference,
            d.amount
        )?;
        if d.state != InvoiceState::Rejected
            && let Some(l) = d.standing.late
        {
            at_risk = at_risk
                .checked_add(l.interest)
                .and_then(|a| a.checked_add(l.indemnity))
                .unwrap_or(at_risk);
        }
    }
    writeln!(
        w,
        "{} facture(s) ; intérêts moratoires et indemnités dus à ce jour : {at_risk}",
        out.len()
    )?;
    Ok(())
}

fn csv_out(w: impl Write, out: &[DueInvoice]) -> Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record([
        "echeance",
        "jours_restants",
        "fournisseur",
        "facture",
        "recue_le",
        "montant_ttc",
        "taux_points_base",
        "interets",
        "indemnite",
        "source",
    ])?;
    for d in out {
        let late = d.standing.late;
        c.write_record([
            d.standing.deadline.to_string(),
            d.standing.days_left.to_string(),
            d.supplier.clone(),
            d.reference.clone(),
            d.received.to_string(),
            d.amount.to_decimal(),
            late.map(|l| l.basis_points.to_string()).unwrap_or_default(),
            late.map(|l| l.interest.to_decimal()).unwrap_or_default(),
            late.map(|l| l.indemnity.to_decimal()).unwrap_or_default(),
            d.source.to_owned(),
        ])?;
    }
    c.flush()?;
    Ok(())
}

/// The same for a French spreadsheet (`relais_formats::tableur`).
fn tableur_out(w: impl Write, out: &[DueInvoice]) -> Result<()> {
    use relais_formats::tableur::{amount, date, text};
    let mut c = relais_formats::tableur::writer(w)?;
    c.write_record([
        "Échéance",
        "Jours restants",
        "Fournisseur",
        "Facture",
        "Reçue le",
        "Montant TTC",
        "Taux des intérêts moratoires",
        "Intérêts",
        "Indemnité forfaitaire",
        "Source",
    ])?;
    for d in out {
        let late = d.standing.late;
        c.write_record([
            date(d.standing.deadline),
            d.standing.days_left.to_string(),
            text(&d.supplier),
            text(&d.reference),
            date(d.received),
            amount(d.amount),
            late.map(|l| format!("{},{:02} %", l.basis_points / 100, l.basis_points % 100))
                .unwrap_or_default(),
            late.map(|l| amount(l.interest)).unwrap_or_default(),
            late.map(|l| amount(l.indemnity)).unwrap_or_default(),
            d.source.to_owned(),
        ])?;
    }
    c.flush()?;
    Ok(())
}

/// `relais factures rib-en-attente`: suppliers whose bank details changed since the snapshot.
fn banks_waiting(a: &crate::args::DataArg) -> Result<u8> {
    let data = crate::data::DataDir::new(&a.data);
    let store = data.open_store()?;
    let waiting = relais_app::suppliers::banks_waiting(&*store).map_err(agent)?;
    if waiting.is_empty() {
        println!("Aucune coordonnée bancaire de fournisseur en attente d'approbation.");
    }
    for w in waiting {
        println!(
            "{}  {}  IBAN {} (avant : {})",
            w.siret, w.name, w.iban_masked, w.previous_masked
        );
    }
    Ok(EXIT_OK)
}

/// `relais factures approuver-rib SIRET --user ORDONNATEUR`.
fn approve_bank(a: crate::args::ApprouverRibArgs) -> Result<u8> {
    let data = crate::data::DataDir::new(&a.data.data).open()?;
    let clock = super::run::clock(&data.tz);
    let mut store = data.open_store().map_err(agent)?;
    let w = relais_app::suppliers::approve_bank(
        &mut *store,
        &data.authority(clock.as_ref()),
        &a.siret,
        &a.user.user,
    )
    .map_err(agent)?;
    println!(
        "Coordonnées bancaires approuvées : {} {} (IBAN {})",
        w.siret, w.name, w.iban_masked
    );
    Ok(EXIT_OK)
}

/// `relais factures lot FICHIER --etape service-fait|liquider --user U`.
fn batch(a: crate::args::LotArgs) -> Result<u8> {
    use relais_formats::invoice_steps::BatchStep;
    let data = crate::data::DataDir::new(&a.data.data).open()?;
    let clock = super::run::clock(&data.tz);
    let mut store = data.open_store().map_err(agent)?;
    let step = match a.etape {
        crate::args::LotEtape::ServiceFait => BatchStep::ServiceDone,
        crate::args::LotEtape::Liquider => BatchStep::Liquidate,
    };
    let n = relais_app::invoice_batch::record_file(
        &mut *store,
        clock.as_ref(),
        &data.tz,
        &a.file,
        step,
        &a.user.user,
    )
    .map_err(agent)?;
    println!("{n} facture(s) enregistrée(s)");
    Ok(EXIT_OK)
}
