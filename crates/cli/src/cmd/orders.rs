//! `relais commandes …`: purchase orders through `relais_app::orders` — issued (the number
//! alone on the first line, the PDF's path on the second, for scripts), printed again, and
//! listed with what is invoiced against each, the orders without invoices and the invoices
//! without an order.

use super::EXIT_OK;
use crate::args::{CommandesCommand, CommandesListArgs, EmettreArgs, ImprimerArgs, OutputFormat};
use crate::data::{DataDir, agent};
use anyhow::Result;
use relais_app::orders::{OrderBook, OrderDesk, OrderLine, OrderRequest, book, orders_folder};
use relais_core::Cents;
use relais_store::orders::OrderInvoice;
use std::io::Write;

pub fn run(command: CommandesCommand) -> Result<u8> {
    match command {
        CommandesCommand::Emettre(a) => issue(a),
        CommandesCommand::List(a) => list(a),
        CommandesCommand::Imprimer(a) => reprint(a),
    }
}

fn issue(a: EmettreArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data).open()?;
    let rules = data.deposit_rules().map_err(agent)?;
    let desk = OrderDesk {
        authority: &data.settings.authority,
        tz: &data.tz,
        rules: &rules,
        folder: orders_folder(&data.dir.path),
    };
    let clock = super::run::clock(&data.tz);
    let mut store = data.open_store().map_err(agent)?;
    let request = OrderRequest {
        service: a.service,
        supplier: a.fournisseur,
        object: a.objet,
        amount: a.montant,
        commitment: a.engagement,
        delivery: a.date_livraison,
    };
    let issued = desk
        .issue(&mut *store, clock.as_ref(), &a.user.user, &request)
        .map_err(agent)?;
    println!("{}", issued.order.number);
    println!("{}", issued.pdf.display());
    Ok(EXIT_OK)
}

fn reprint(a: ImprimerArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data).open()?;
    let rules = data.deposit_rules().map_err(agent)?;
    let desk = OrderDesk {
        authority: &data.settings.authority,
        tz: &data.tz,
        rules: &rules,
        folder: orders_folder(&data.dir.path),
    };
    let store = data.open_store().map_err(agent)?;
    let path = desk.reprint(&*store, &a.numero).map_err(agent)?;
    println!("{}", path.display());
    Ok(EXIT_OK)
}

fn list(a: CommandesListArgs) -> Result<u8> {
    let store = DataDir::new(&a.data.data).open_store()?;
    let book = book(&*store).map_err(agent)?;
    let stdout = std::io::stdout();
    let w = std::io::BufWriter::new(stdout.lock());
    match a.format {
        OutputFormat::Text => text_out(w, &book)?,
        OutputFormat::Csv => csv_out(w, &book)?,
        OutputFormat::Tableur => tableur_out(w, &book)?,
    }
    Ok(EXIT_OK)
}

fn sum(amounts: impl Iterator<Item = Cents>) -> Cents {
    Cents(amounts.fold(0i64, |a, c| a.saturating_add(c.0)))
}

fn order_line(w: &mut impl Write, l: &OrderLine) -> std::io::Result<()> {
    let o = &l.order;
    let over = if l.remaining < Cents::ZERO {
        " (dépassement)"
    } else {
        ""
    };
    writeln!(
        w,
        "{}\t{}\t{}\t{} ({})\t{}\tmontant {}\tfacturé {}\treste {}{over}",
        o.number,
        o.issued_on.strftime("%d/%m/%Y"),
        o.service,
        o.supplier,
        o.siret,
        o.object,
        o.amount,
        l.invoiced,
        l.remaining
    )
}

fn commitment_fr(i: &OrderInvoice) -> String {
    match &i.commitment {
        Some(c) => format!("engagement « {c} » : aucun bon de commande"),
        None => "sans engagement".into(),
    }
}

fn text_out(mut w: impl Write, book: &OrderBook) -> Result<()> {
    writeln!(w, "Bons de commande :")?;
    for l in &book.orders {
        order_line(&mut w, l)?;
    }
    writeln!(
        w,
        "{} bon(s) de commande ; montant {} ; facturé {} ; reste {}",
        book.orders.len(),
        sum(book.orders.iter().map(|l| l.order.amount)),
        sum(book.orders.iter().map(|l| l.invoiced)),
        sum(book.orders.iter().map(|l| l.remaining)),
    )?;
    writeln!(w, "\nBons de commande sans facture :")?;
    let mut none = 0;
    for l in book.without_invoices() {
        order_line(&mut w, l)?;
        none += 1;
    }
    writeln!(w, "{none} bon(s) de commande sans facture")?;
    writeln!(w, "\nFactures sans bon de commande :")?;
    for i in &book.unmatched {
        writeln!(
            w,
            "{}\t{}\t{} ({})\tfacture {}\t{}\t{}",
            i.id,
            i.source,
            i.supplier,
            i.siret,
            i.number,
            i.amount,
            commitment_fr(i)
        )?;
    }
    writeln!(
        w,
        "{} facture(s) sans bon de commande ; montant {}",
        book.unmatched.len(),
        sum(book.unmatched.iter().map(|i| i.amount))
    )?;
    Ok(())
}

/// One row per order (`commande`, or `commande_sans_facture` when no invoice names it), then
/// one per invoice without an order (`facture_sans_commande`).
fn rows(book: &OrderBook, amount: impl Fn(Cents) -> String) -> Vec<[String; 14]> {
    let mut out = Vec::new();
    for l in &book.orders {
        let o = &l.order;
        let list = if l.invoices.is_empty() {
            "commande_sans_facture"
        } else {
            "commande"
        };
        out.push([
            list.into(),
            o.number.to_string(),
            o.issued_on.to_string(),
            o.service.clone(),
            o.siret.to_string(),
            o.supplier.clone(),
            o.object.clone(),
            o.commitment.clone().unwrap_or_default(),
            amount(o.amount),
            amount(l.invoiced),
            amount(l.remaining),
            l.invoices.join(" "),
            String::new(),
            String::new(),
        ]);
    }
    for i in &book.unmatched {
        out.push([
            "facture_sans_commande".into(),
            i.id.clone(),
            String::new(),
            String::new(),
            i.siret.clone(),
            i.supplier.clone(),
            String::new(),
            i.commitment.clone().unwrap_or_default(),
            amount(i.amount),
            String::new(),
            String::new(),
            String::new(),
            i.source.into(),
            i.number.clone(),
        ]);
    }
    out
}

fn csv_out(w: impl Write, book: &OrderBook) -> Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record([
        "liste",
        "numero",
        "date",
        "service",
        "siret",
        "fournisseur",
        "objet",
        "engagement",
        "montant",
        "facture",
        "reste",
        "factures",
        "source",
        "numero_facture",
    ])?;
    for row in rows(book, Cents::to_decimal) {
        c.write_record(row)?;
    }
    c.flush()?;
    Ok(())
}

/// The same for a French spreadsheet (`relais_formats::tableur`).
fn tableur_out(w: impl Write, book: &OrderBook) -> Result<()> {
    use relais_formats::tableur::{amount, text};
    let mut c = relais_formats::tableur::writer(w)?;
    c.write_record([
        "Liste",
        "Numéro",
        "Date",
        "Service",
        "SIRET",
        "Fournisseur",
        "Objet",
        "Engagement",
        "Montant",
        "Facturé",
        "Reste",
        "Factures",
        "Source",
        "Numéro de facture",
    ])?;
    for mut row in rows(book, amount) {
        if let Ok(day) = row[2].parse::<jiff::civil::Date>() {
            row[2] = relais_formats::tableur::date(day);
        }
        // Every text that came from an agent or an extract; amounts and the list's name aside.
        for k in [1, 3, 4, 5, 6, 7, 11, 13] {
            row[k] = text(&row[k]);
        }
        c.write_record(row)?;
    }
    c.flush()?;
    Ok(())
}
