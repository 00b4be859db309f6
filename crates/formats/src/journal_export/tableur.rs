//! The journal export's CSVs for re-keying by hand, one per domain, for a French spreadsheet
//! ([`crate::tableur`]: BOM, `;`, `1234,56`, `10/12/2026`, French headers, typed text never a
//! formula). Each is written while the events stream by: a row per event of its domain, and
//! for a validated run a row per line paid.

use crate::tableur::{amount, date, instant, text};
use relais_core::Cents;
use serde_json::Value;
use std::io::{self, Write};

/// The domains, their files and headers, in the order the export lists them.
pub const SHEETS: [(&str, &[&str]); 7] = [
    (
        "droits.csv",
        &[
            "N° journal",
            "Date",
            "Utilisateur",
            "Opération",
            "Droit",
            "Mois",
            "Dossier",
            "Prestation",
            "Ancienne fin",
            "Nouvelle fin",
            "Motif",
        ],
    ),
    (
        "paiements.csv",
        &[
            "Paiement",
            "Mois",
            "Dossier",
            "Nom",
            "Prénom",
            "Prestation",
            "Droit",
            "Montant",
            "Du",
            "Au",
            "Date de paiement",
            "Mandat",
            "Bénéficiaire du virement",
        ],
    ),
    (
        "depots.csv",
        &[
            "N° journal",
            "Date",
            "Utilisateur",
            "Opération",
            "N° de dépôt",
            "Reçu le",
            "Nature",
            "Déposant",
            "Pages",
            "Dossier",
            "SIRET",
            "N° de facture",
            "Montant",
            "Code du récépissé",
            "Motif",
        ],
    ),
    (
        "rib.csv",
        &[
            "N° journal",
            "Date",
            "Utilisateur",
            "Opération",
            "Tiers",
            "Dossier",
            "Demande",
            "IBAN",
            "BIC",
            "Titulaire",
            "IBAN précédent",
            "État",
        ],
    ),
    (
        "factures.csv",
        &[
            "N° journal",
            "Date",
            "Utilisateur",
            "Facture",
            "Étape",
            "Le",
            "Étape précédente",
        ],
    ),
    (
        "paie_variables.csv",
        &[
            "N° journal",
            "Date",
            "Utilisateur",
            "Opération",
            "Demande",
            "Matricule",
            "Nature",
            "Détail",
            "Décision",
            "Motif",
        ],
    ),
    (
        "main_courante.csv",
        &[
            "N° journal",
            "Date",
            "Auteur",
            "N°",
            "Nature",
            "Texte",
            "Corrige le n°",
            "Système",
            "Site",
        ],
    ),
];

/// One line of a validated run, for `paiements.csv`.
#[derive(Debug, Clone)]
pub struct PaymentRow<'a> {
    pub run: &'a str,
    pub month: &'a str,
    pub dossier: &'a str,
    pub last_name: &'a str,
    pub first_name: &'a str,
    pub benefit: &'a str,
    pub right_id: &'a str,
    pub amount: Cents,
    pub first_day: jiff::civil::Date,
    pub last_day: jiff::civil::Date,
    pub pay_date: jiff::civil::Date,
    pub mandate: Option<u32>,
    pub payee: &'a str,
}

/// The seven CSVs being written.
pub struct Sheets<W: Write> {
    sheets: Vec<csv::Writer<W>>,
    tz: jiff::tz::TimeZone,
}

/// A JSON value as a cell: text (defused), a number, a date or an instant in French, empty
/// for null.
fn cell(v: &Value, tz: &jiff::tz::TimeZone) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => {
            if let Ok(t) = s.parse::<jiff::Timestamp>() {
                instant(t, tz)
            } else if let Ok(d) = s.parse::<jiff::civil::Date>() {
                date(d)
            } else {
                text(s)
            }
        }
        Value::Bool(b) => if *b { "oui" } else { "non" }.to_owned(),
        Value::Number(n) => n.to_string(),
        other => text(&other.to_string()),
    }
}

/// An invoice's step as the agent reads it ("liquidée pour 1 684,20 € sur 2184/0202"); a
/// step this version does not know, as written.
fn step(v: &Value) -> String {
    // The step before comes as the JSON text the store keeps.
    let v = match v {
        Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| v.clone()),
        other => other.clone(),
    };
    match serde_json::from_value::<relais_core::invoices::lifecycle::InvoiceEvent>(v.clone()) {
        Ok(event) => text(&event.label_fr()),
        Err(_) if v.is_null() => String::new(),
        Err(_) => text(&v.to_string()),
    }
}

/// A month `2026-12` as agents write it, `12/2026`.
fn month(m: &str) -> String {
    match m.split_once('-') {
        Some((y, mm)) if y.len() == 4 && mm.len() == 2 => format!("{mm}/{y}"),
        _ => text(m),
    }
}

fn cents(v: &Value) -> String {
    v.as_i64().map(|c| amount(Cents(c))).unwrap_or_default()
}

impl<W: Write> Sheets<W> {
    /// Opens each of [`SHEETS`] with `open(name)` and writes its header.
    pub fn new(
        mut open: impl FnMut(&str) -> io::Result<W>,
        tz: jiff::tz::TimeZone,
    ) -> io::Result<Sheets<W>> {
        let mut sheets = Vec::new();
        for (name, header) in SHEETS {
            let mut w = crate::tableur::writer(open(name)?)?;
            w.write_record(header)?;
            sheets.push(w);
        }
        Ok(Sheets { sheets, tz })
    }

    fn row(&mut self, sheet: usize, row: &[String]) -> io::Result<()> {
        match self.sheets.get_mut(sheet) {
            Some(w) => Ok(w.write_record(row)?),
            None => Ok(()),
        }
    }

    /// The rows of journal entry `e`, from its payload `p` (parsed) and its `after` and
    /// `before`.
    pub fn event(
        &mut self,
        e: &relais_core::journal::Entry,
        p: &Value,
        after: &Value,
        before: Option<&Value>,
    ) -> io::Result<()> {
        let (seq, at, user, kind) = (e.seq, e.at.as_str(), e.actor.as_str(), e.kind.as_str());
        let tz = self.tz.clone();
        let c = |v: &Value| cell(v, &tz);
        let head = [
            seq.to_string(),
            c(&Value::String(at.to_owned())),
            text(user),
        ];
        let row = |rest: Vec<String>| -> Vec<String> { head.iter().cloned().chain(rest).collect() };
        match kind {
            "rights_renew" => {
                for change in p["changed"].as_array().into_iter().flatten() {
                    self.row(
                        0,
                        &row(vec![
                            "renouvellement".into(),
                            c(&change[0]),
                            String::new(),
                            String::new(),
                            String::new(),
                            c(&change[1]),
                            c(&change[2]),
                            String::new(),
                        ]),
                    )?;
                }
            }
            "run_release_duplicate" => self.row(
                0,
                &row(vec![
                    "libération d'un doublon".into(),
                    c(&p["right"]),
                    p["month"].as_str().map(month).unwrap_or_default(),
                    c(&p["dossier"]),
                    c(&p["benefit"]),
                    String::new(),
                    String::new(),
                    c(&p["reason"]),
                ]),
            )?,
            "deposit.register" => self.row(
                2,
                &row(vec![
                    "enregistrement".into(),
                    c(&p["number"]),
                    c(&p["received_at"]),
                    c(&p["kind"]),
                    c(&p["depositor"]),
                    c(&p["pages"]),
                    c(&p["dossier"]),
                    c(&p["siret"]),
                    c(&p["invoice_number"]),
                    cents(&p["amount"]),
                    c(&p["receipt_code"]),
                    c(&p["backdate_reason"]),
                ]),
            )?,
            "deposit.cancel" => self.row(
                2,
                &row(vec![
                    "annulation".into(),
                    c(&p["number"]),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    c(&p["reason"]),
                ]),
            )?,
            "bank_change_request"
            | "bank_change_approve"
            | "bank_change_refuse"
            | "bank_approve"
            | "supplier_bank_approve" => {
                let operation = match kind {
                    "bank_change_request" => "demande",
                    "bank_change_approve" => "approbation de la demande",
                    "bank_change_refuse" => "refus de la demande",
                    "bank_approve" => "approbation (extraction)",
                    _ => "approbation (fournisseur)",
                };
                let tiers = if kind == "supplier_bank_approve" {
                    &after["siret"]
                } else {
                    &after["payee"]
                };
                self.row(
                    3,
                    &row(vec![
                        operation.into(),
                        c(tiers),
                        c(&after["dossier"]),
                        c(&after["request"]),
                        c(&after["iban"]),
                        c(&after["bic"]),
                        c(&after["holder"]),
                        before.map(|b| c(&b["iban"])).unwrap_or_default(),
                        c(&after["status"]),
                    ]),
                )?
            }
            "invoice_step" => self.row(
                4,
                &row(vec![
                    c(&p["invoice"]),
                    step(&p["step"]),
                    c(&p["on"]),
                    before.map(|b| step(&b["step"])).unwrap_or_default(),
                ]),
            )?,
            "payroll_change_ask" => self.row(
                5,
                &row(vec![
                    "demande".into(),
                    c(&p["id"]),
                    c(&p["matricule"]),
                    c(&p["kind"]),
                    c(&p["change"]),
                    String::new(),
                    c(&p["reason"]),
                ]),
            )?,
            "payroll_change_decide" => self.row(
                5,
                &row(vec![
                    "décision".into(),
                    c(&p["id"]),
                    c(&p["matricule"]),
                    c(&p["kind"]),
                    String::new(),
                    if p["approved"].as_bool() == Some(true) {
                        "acceptée"
                    } else {
                        "refusée"
                    }
                    .into(),
                    c(&p["refusal"]),
                ]),
            )?,
            "courante.add" => self.row(
                6,
                &[
                    seq.to_string(),
                    c(&p["at"]),
                    text(p["author"].as_str().unwrap_or(user)),
                    c(&p["id"]),
                    c(&p["kind"]),
                    c(&p["text"]),
                    c(&p["corrects"]),
                    c(&p["system"]),
                    c(&p["site"]),
                ],
            )?,
            _ => {}
        }
        Ok(())
    }

    /// One line paid by a validated run.
    pub fn payment(&mut self, l: &PaymentRow<'_>) -> io::Result<()> {
        self.row(
            1,
            &[
                text(l.run),
                month(l.month),
                text(l.dossier),
                text(l.last_name),
                text(l.first_name),
                text(l.benefit),
                text(l.right_id),
                amount(l.amount),
                date(l.first_day),
                date(l.last_day),
                date(l.pay_date),
                l.mandate.map(|m| m.to_string()).unwrap_or_default(),
                text(l.payee),
            ],
        )
    }

    /// Flushes every sheet and gives their writers back, in [`SHEETS`]' order.
    pub fn finish(self) -> io::Result<Vec<W>> {
        self.sheets
            .into_iter()
            .map(|w| w.into_inner().map_err(|e| e.into_error()))
            .collect()
    }
}
