//! A deposit as typed at the desk (command line or form), checked into a [`NewDeposit`]: every
//! field bounded, every error naming the field in French.

use super::ChronoNumber;
use super::kinds::DepositKind;
use crate::Cents;
use crate::ids::Siret;
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// Longest depositor's name, in characters.
pub const MAX_DEPOSITOR: usize = 200;
/// Longest depositor's address.
pub const MAX_ADDRESS: usize = 300;
/// Longest subject.
pub const MAX_SUBJECT: usize = 200;
/// Longest invoice number.
pub const MAX_INVOICE_NUMBER: usize = 50;
/// The largest invoice amount: 14 digits with 2 decimals, as PES V2 allows (docs/domain.md).
pub const MAX_INVOICE_CENTS: i64 = 99_999_999_999_999;
/// Longest file number.
pub const MAX_DOSSIER: usize = 30;
/// Longest reason (for a deposit registered after the fact, or a cancellation).
pub const MAX_REASON: usize = 300;
/// At most this many missing documents, each at most [`MAX_MISSING_ITEM`] characters.
pub const MAX_MISSING_ITEMS: usize = 20;
pub const MAX_MISSING_ITEM: usize = 200;
/// The missing documents as typed (one per line or separated by `;`).
pub const MAX_MISSING_TEXT: usize = MAX_MISSING_ITEMS * (MAX_MISSING_ITEM + 1);
/// A time of receipt at most this much before registration is not back-dating: the agent types
/// the minute, the register keeps the second.
pub const BACKDATE_GRACE_SECONDS: i64 = 120;
/// How far back a time of receipt may go, by default (settings `[courrier]`).
pub const DEFAULT_BACKDATE_WINDOW_HOURS: u32 = 72;

/// Invoice facts, required for an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceFacts {
    pub siret: Siret,
    pub number: String,
    pub amount: Cents,
    pub date: Option<Date>,
    /// The purchase order or commitment the invoice names (CCP D2192-2), when it does.
    pub commitment: Option<String>,
}

/// A deposit checked and ready to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeposit {
    pub kind: DepositKind,
    pub depositor: String,
    pub address: Option<String>,
    pub subject: Option<String>,
    pub pages: u32,
    pub invoice: Option<InvoiceFacts>,
    /// For a bid: the consultation's deadline.
    pub bid_deadline: Option<Timestamp>,
    /// When the deposit was received, if before its registration (within the window).
    pub received_at: Option<Timestamp>,
    /// Why it is registered after the fact: required when `received_at` is earlier than the
    /// registration by more than [`BACKDATE_GRACE_SECONDS`].
    pub backdate_reason: Option<String>,
    /// The file number of the person the paper concerns, when known: the deposit then shows
    /// on the person's page at the desk.
    pub dossier: Option<String>,
    /// For an incomplete application: the documents missing (CRPA L114-5)…
    pub missing: Vec<String>,
    /// …and the day by which to provide them.
    pub missing_deadline: Option<Date>,
    /// For additional documents: the application they complete.
    pub completes: Option<ChronoNumber>,
}

impl NewDeposit {
    /// A deposit of `kind` by `depositor`, one page, nothing else.
    pub fn new(kind: DepositKind, depositor: &str) -> NewDeposit {
        NewDeposit {
            kind,
            depositor: depositor.to_owned(),
            address: None,
            subject: None,
            pages: 1,
            invoice: None,
            bid_deadline: None,
            received_at: None,
            backdate_reason: None,
            dossier: None,
            missing: Vec::new(),
            missing_deadline: None,
            completes: None,
        }
    }
}

/// The raw fields typed by the agent.
#[derive(Debug, Clone, Default)]
pub struct DepositInput {
    pub kind: String,
    pub depositor: String,
    pub address: Option<String>,
    pub subject: Option<String>,
    pub pages: Option<String>,
    pub siret: Option<String>,
    pub invoice_number: Option<String>,
    pub amount: Option<String>,
    pub invoice_date: Option<String>,
    pub commitment: Option<String>,
    pub deadline: Option<String>,
    pub received_at: Option<String>,
    pub backdate_reason: Option<String>,
    pub dossier: Option<String>,
    pub missing: Option<String>,
    pub missing_deadline: Option<String>,
    pub completes: Option<String>,
}

/// The desk's clock and rules: what "now" is, in which time zone, and how far back a time of
/// receipt may go.
#[derive(Debug, Clone, Copy)]
pub struct Desk<'a> {
    pub now: Timestamp,
    pub tz: &'a TimeZone,
    pub backdate_window_hours: u32,
}

/// Why a deposit cannot be registered: the field (as the agent typed it) and why, in French.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} : {message}")]
pub struct DepositError {
    pub field: &'static str,
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> DepositError {
    DepositError {
        field,
        message: message.into(),
    }
}

fn non_blank(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// A free text of at most `max` characters, without control characters.
fn bounded(
    field: &'static str,
    what: &str,
    value: &Option<String>,
    max: usize,
) -> Result<Option<String>, DepositError> {
    let v = non_blank(value);
    if let Some(t) = &v
        && (t.chars().count() > max || t.chars().any(char::is_control))
    {
        return Err(err(
            field,
            format!(
                "{what} trop long ({max} caractères au plus) ou avec des caractères de contrôle"
            ),
        ));
    }
    Ok(v)
}

/// Reads a local date and time (`AAAA-MM-JJ HH:MM[:SS]`, `JJ/MM/AAAA HH:MM`, or a date alone
/// meaning the end of that day for a deadline, its start otherwise) in `tz`.
pub fn parse_local_datetime(s: &str, tz: &TimeZone, end_of_day: bool) -> Option<Timestamp> {
    let t = s.trim();
    let (d, time) = match t.split_once([' ', 'T']) {
        Some((d, time)) => (d, Some(time.trim())),
        None => (t, None),
    };
    let date = crate::calendar::parse_date(d).ok()?;
    let time = match time {
        Some(h) => h.replace('h', ":").parse::<jiff::civil::Time>().ok()?,
        None if end_of_day => jiff::civil::time(23, 59, 59, 0),
        None => jiff::civil::time(0, 0, 0, 0),
    };
    DateTime::from_parts(date, time)
        .to_zoned(tz.clone())
        .ok()
        .map(|z| z.timestamp())
}

/// The missing documents as typed: one per line or separated by `;`, blanks dropped.
pub fn split_missing(text: &str) -> Vec<String> {
    text.split([';', '\n'])
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

impl NewDeposit {
    /// Checks the typed fields at the desk `desk`.
    pub fn parse(input: &DepositInput, desk: &Desk<'_>) -> Result<NewDeposit, DepositError> {
        let kind = DepositKind::parse(&input.kind).ok_or_else(|| {
            err(
                "--kind",
                format!(
                    "type de dépôt inconnu « {} » (attendu : {})",
                    input.kind.trim(),
                    DepositKind::ALL.map(|k| k.as_str()).join(", ")
                ),
            )
        })?;
        let depositor = bounded(
            "--from",
            "nom du déposant",
            &Some(input.depositor.clone()),
            MAX_DEPOSITOR,
        )?
        .ok_or_else(|| err("--from", "le nom du déposant est vide"))?;
        let pages = match non_blank(&input.pages) {
            None => 1,
            Some(p) => match p.parse::<u32>() {
                Ok(n) if (1..=100_000).contains(&n) => n,
                _ => {
                    return Err(err(
                        "--pages",
                        format!("nombre de pages illisible « {p} » (un entier de 1 à 100000)"),
                    ));
                }
            },
        };
        let (received_at, backdate_reason) = received(input, desk)?;
        let invoice = if kind == DepositKind::Facture {
            Some(parse_invoice(
                input,
                received_at.unwrap_or(desk.now),
                desk.tz,
            )?)
        } else {
            if non_blank(&input.siret).is_some()
                || non_blank(&input.amount).is_some()
                || non_blank(&input.invoice_number).is_some()
            {
                return Err(err(
                    "--siret",
                    "SIRET, numéro et montant ne se donnent que pour une facture (--kind facture)",
                ));
            }
            None
        };
        let bid_deadline = bid_deadline(kind, input, desk.tz)?;
        let dossier = bounded(
            "--dossier",
            "numéro de dossier",
            &input.dossier,
            MAX_DOSSIER,
        )?;
        let received_on = crate::calendar::local_date(received_at.unwrap_or(desk.now), desk.tz);
        let (missing, missing_deadline) = missing(kind, input, received_on)?;
        let completes = match non_blank(&input.completes) {
            None => None,
            Some(_) if kind != DepositKind::PiecesComplementaires => {
                return Err(err(
                    "--completes",
                    "seules des pièces complémentaires (--kind pieces_complementaires) complètent un dossier",
                ));
            }
            Some(n) => Some(ChronoNumber::parse(&n).map_err(|e| err("--completes", e))?),
        };
        Ok(NewDeposit {
            kind,
            depositor,
            address: bounded(
                "--address",
                "adresse du déposant",
                &input.address,
                MAX_ADDRESS,
            )?,
            subject: bounded("--subject", "objet", &input.subject, MAX_SUBJECT)?,
            pages,
            invoice,
            bid_deadline,
            received_at,
            backdate_reason,
            dossier,
            missing,
            missing_deadline,
            completes,
        })
    }
}

/// The time of receipt, when given, and the reason for registering it after the fact: at most
/// the window before now, never after it, and with a reason past the grace.
fn received(
    input: &DepositInput,
    desk: &Desk<'_>,
) -> Result<(Option<Timestamp>, Option<String>), DepositError> {
    let reason = bounded(
        "--backdate-reason",
        "motif",
        &input.backdate_reason,
        MAX_REASON,
    )?;
    let Some(s) = non_blank(&input.received_at) else {
        if reason.is_some() {
            return Err(err(
                "--backdate-reason",
                "un motif ne se donne qu'avec la date et l'heure de réception (--at)",
            ));
        }
        return Ok((None, None));
    };
    let at = parse_local_datetime(&s, desk.tz, false).ok_or_else(|| {
        err(
            "--at",
            format!("date et heure du dépôt illisibles « {s} » (attendu AAAA-MM-JJ HH:MM)"),
        )
    })?;
    if at > desk.now {
        return Err(err(
            "--at",
            format!("la date du dépôt « {s} » est dans le futur"),
        ));
    }
    let before = desk.now.as_second() - at.as_second();
    let window = i64::from(desk.backdate_window_hours) * 3600;
    if before > window {
        return Err(err(
            "--at",
            format!(
                "la réception « {s} » précède l'enregistrement de plus de {} h : hors de la \
                 fenêtre admise (réglage courrier.backdate_window_hours)",
                desk.backdate_window_hours
            ),
        ));
    }
    if before > BACKDATE_GRACE_SECONDS && reason.is_none() {
        return Err(err(
            "--backdate-reason",
            "un dépôt enregistré après coup doit dire pourquoi (motif de l'enregistrement différé)",
        ));
    }
    Ok((Some(at), reason))
}

fn bid_deadline(
    kind: DepositKind,
    input: &DepositInput,
    tz: &TimeZone,
) -> Result<Option<Timestamp>, DepositError> {
    match (kind, non_blank(&input.deadline)) {
        (DepositKind::OffreMarche, None) => Err(err(
            "--deadline",
            "la date limite de remise des offres est obligatoire pour une offre (AAAA-MM-JJ HH:MM)",
        )),
        (DepositKind::OffreMarche, Some(s)) => {
            parse_local_datetime(&s, tz, true).map(Some).ok_or_else(|| {
                err(
                    "--deadline",
                    format!("date limite illisible « {s} » (attendu AAAA-MM-JJ HH:MM)"),
                )
            })
        }
        (_, Some(_)) => Err(err(
            "--deadline",
            "une date limite ne se donne que pour une offre (--kind offre_marche)",
        )),
        (_, None) => Ok(None),
    }
}

/// The missing documents of an incomplete application and the day by which to provide them
/// (CRPA L114-5: both are printed on the receipt).
fn missing(
    kind: DepositKind,
    input: &DepositInput,
    received_on: Date,
) -> Result<(Vec<String>, Option<Date>), DepositError> {
    let text = non_blank(&input.missing).unwrap_or_default();
    if text.chars().count() > MAX_MISSING_TEXT {
        return Err(err(
            "--missing",
            format!(
                "liste des pièces manquantes trop longue ({MAX_MISSING_TEXT} caractères au plus)"
            ),
        ));
    }
    let items = split_missing(&text);
    let deadline = non_blank(&input.missing_deadline);
    if items.is_empty() {
        if deadline.is_some() {
            return Err(err(
                "--missing-deadline",
                "un délai ne se donne qu'avec la liste des pièces manquantes (--missing)",
            ));
        }
        return Ok((items, None));
    }
    if !kind.is_application() {
        return Err(err(
            "--missing",
            "des pièces manquantes ne se donnent que pour une demande (APA, PCH, ASH, aide, subvention)",
        ));
    }
    if items.len() > MAX_MISSING_ITEMS
        || items
            .iter()
            .any(|i| i.chars().count() > MAX_MISSING_ITEM || i.chars().any(char::is_control))
    {
        return Err(err(
            "--missing",
            format!(
                "au plus {MAX_MISSING_ITEMS} pièces manquantes de {MAX_MISSING_ITEM} caractères chacune"
            ),
        ));
    }
    let Some(d) = deadline else {
        return Err(err(
            "--missing-deadline",
            "le délai pour produire les pièces manquantes est obligatoire (CRPA L114-5)",
        ));
    };
    let date =
        crate::calendar::parse_date(&d).map_err(|e| err("--missing-deadline", e.to_string()))?;
    if date <= received_on {
        return Err(err(
            "--missing-deadline",
            format!("le délai « {d} » doit suivre le jour de la réception"),
        ));
    }
    Ok((items, Some(date)))
}

fn parse_invoice(
    input: &DepositInput,
    received: Timestamp,
    tz: &TimeZone,
) -> Result<InvoiceFacts, DepositError> {
    let siret = non_blank(&input.siret).ok_or_else(|| {
        err(
            "--siret",
            "le SIRET du fournisseur est obligatoire pour une facture",
        )
    })?;
    let siret = Siret::parse(&siret).map_err(|e| err("--siret", e.to_string()))?;
    let number = bounded(
        "--invoice-number",
        "numéro de facture",
        &input.invoice_number,
        MAX_INVOICE_NUMBER,
    )?
    .ok_or_else(|| {
        err(
            "--invoice-number",
            "le numéro de la facture est obligatoire pour une facture",
        )
    })?;
    let amount = non_blank(&input.amount).ok_or_else(|| {
        err(
            "--amount",
            "le montant TTC est obligatoire pour une facture",
        )
    })?;
    let amount = Cents::parse(&amount).map_err(|e| err("--amount", e.to_string()))?;
    if amount.0 <= 0 {
        return Err(err(
            "--amount",
            "le montant d'une facture doit être positif",
        ));
    }
    if amount.0 > MAX_INVOICE_CENTS {
        return Err(err(
            "--amount",
            "montant trop grand (999 999 999 999,99 € au plus)",
        ));
    }
    let date = match non_blank(&input.invoice_date) {
        None => None,
        Some(s) => {
            let d = crate::calendar::parse_date(&s)
                .map_err(|e| err("--invoice-date", e.to_string()))?;
            if d > crate::calendar::local_date(received, tz) {
                return Err(err(
                    "--invoice-date",
                    format!("la date de la facture « {s} » est postérieure à sa réception"),
                ));
            }
            Some(d)
        }
    };
    let commitment = bounded(
        "--engagement",
        "bon de commande ou engagement",
        &input.commitment,
        MAX_INVOICE_NUMBER,
    )?;
    Ok(InvoiceFacts {
        siret,
        number,
        amount,
        date,
        commitment,
    })
}
