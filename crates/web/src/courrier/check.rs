//! The deposit form as typed, and its check: every problem at once, each on its field, in the
//! form's words (never a command-line option), so that the agent fixes them all in one go.
//!
//! The core's [`NewDeposit::parse`] stops at the first problem (the command line says one);
//! here, each field found wrong is set aside (replaced by a value the core accepts, or
//! emptied) and the rest checked again, until the core accepts what remains. Each field is
//! then named once, with its own problem.

use crate::form_errors::FormErrors;
use relais_core::deposits::{
    DepositInput, DepositKind, Desk, MAX_ADDRESS, MAX_DEPOSITOR, MAX_DOSSIER, MAX_INVOICE_NUMBER,
    MAX_MISSING_TEXT, MAX_REASON, MAX_SUBJECT, NewDeposit,
};
use serde::Deserialize;

/// The longest text each field of the form takes: stated in the form (`maxlength` and the
/// label), checked here before anything else. Fields with a format of their own (dates,
/// amounts, numbers) get a bound that no valid value reaches.
pub const LIMITS: &[(&str, usize)] = &[
    ("kind", 40),
    ("depositor", MAX_DEPOSITOR),
    ("address", MAX_ADDRESS),
    ("subject", MAX_SUBJECT),
    ("pages", 10),
    ("siret", 20),
    ("invoice_number", MAX_INVOICE_NUMBER),
    ("amount", 30),
    ("commitment", MAX_INVOICE_NUMBER),
    ("invoice_date", 20),
    ("deadline", 20),
    ("received_at", 20),
    ("backdate_reason", MAX_REASON),
    ("dossier", MAX_DOSSIER),
    ("missing", MAX_MISSING_TEXT),
    ("missing_deadline", 20),
    ("completes", 20),
];

/// The form's fields in the order the page shows them (the first wrong one gets the focus).
/// `type` is the kind's list, above the form.
const ORDER: &[&str] = &[
    "type",
    "depositor",
    "address",
    "subject",
    "pages",
    "siret",
    "invoice_number",
    "amount",
    "invoice_date",
    "commitment",
    "deadline",
    "completes",
    "missing",
    "missing_deadline",
    "dossier",
    "received_at",
    "backdate_reason",
];

/// The limit of `field` in [`LIMITS`].
pub(super) fn limit(field: &str) -> usize {
    LIMITS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(0, |(_, n)| *n)
}

/// The form's fields, as typed (sent back with the problems when refused).
#[derive(Debug, Default, Deserialize)]
pub struct DepositForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub depositor: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub pages: String,
    #[serde(default)]
    pub siret: String,
    #[serde(default)]
    pub invoice_number: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub invoice_date: String,
    #[serde(default)]
    pub commitment: String,
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub received_at: String,
    #[serde(default)]
    pub backdate_reason: String,
    #[serde(default)]
    pub dossier: String,
    #[serde(default)]
    pub missing: String,
    #[serde(default)]
    pub missing_deadline: String,
    #[serde(default)]
    pub completes: String,
}

impl DepositForm {
    fn field_mut(&mut self, field: &str) -> Option<&mut String> {
        Some(match field {
            "kind" => &mut self.kind,
            "depositor" => &mut self.depositor,
            "address" => &mut self.address,
            "subject" => &mut self.subject,
            "pages" => &mut self.pages,
            "siret" => &mut self.siret,
            "invoice_number" => &mut self.invoice_number,
            "amount" => &mut self.amount,
            "invoice_date" => &mut self.invoice_date,
            "commitment" => &mut self.commitment,
            "deadline" => &mut self.deadline,
            "received_at" => &mut self.received_at,
            "backdate_reason" => &mut self.backdate_reason,
            "dossier" => &mut self.dossier,
            "missing" => &mut self.missing,
            "missing_deadline" => &mut self.missing_deadline,
            "completes" => &mut self.completes,
            _ => return None,
        })
    }

    fn input(&self) -> DepositInput {
        DepositInput {
            kind: self.kind.clone(),
            depositor: self.depositor.clone(),
            address: some(&self.address),
            subject: some(&self.subject),
            pages: some(&self.pages),
            siret: some(&self.siret),
            invoice_number: some(&self.invoice_number),
            amount: some(&self.amount),
            invoice_date: some(&self.invoice_date),
            commitment: some(&self.commitment),
            deadline: some(&self.deadline),
            received_at: some(&self.received_at),
            backdate_reason: some(&self.backdate_reason),
            dossier: some(&self.dossier),
            missing: some(&self.missing),
            missing_deadline: some(&self.missing_deadline),
            completes: some(&self.completes),
        }
    }

    /// Keeps the typed values the form of `kind` shows, so that a list change keeps what was
    /// typed in the fields every kind has.
    pub fn common(&self) -> DepositForm {
        DepositForm {
            depositor: self.depositor.clone(),
            address: self.address.clone(),
            subject: self.subject.clone(),
            pages: self.pages.clone(),
            dossier: self.dossier.clone(),
            received_at: self.received_at.clone(),
            backdate_reason: self.backdate_reason.clone(),
            ..DepositForm::default()
        }
    }
}

fn some(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The fields the form of `kind` has beyond the common ones.
fn own_fields(kind: DepositKind) -> &'static [&'static str] {
    match kind {
        DepositKind::Facture => &[
            "siret",
            "invoice_number",
            "amount",
            "invoice_date",
            "commitment",
        ],
        DepositKind::OffreMarche => &["deadline"],
        DepositKind::PiecesComplementaires => &["completes"],
        k if k.is_application() => &["missing", "missing_deadline"],
        _ => &[],
    }
}

/// Every field that belongs to some kind only.
const KIND_FIELDS: &[&str] = &[
    "siret",
    "invoice_number",
    "amount",
    "invoice_date",
    "commitment",
    "deadline",
    "completes",
    "missing",
    "missing_deadline",
];

/// The form's label of a field, named by the form's name or the parser's command-line option.
pub(super) fn label(field: &str) -> &str {
    match field {
        "kind" | "type" => "Type de dépôt",
        "depositor" => "Déposant",
        "address" => "Adresse du déposant",
        "subject" => "Objet",
        "pages" => "Nombre de pages",
        "received_at" => "Reçu le",
        "backdate_reason" => "Motif de l'enregistrement différé",
        "siret" => "SIRET du fournisseur",
        "invoice_number" => "Numéro de facture",
        "amount" => "Montant TTC",
        "invoice_date" => "Date de la facture",
        "commitment" => "Bon de commande ou engagement",
        "deadline" => "Date limite de la consultation",
        "dossier" => "Numéro de dossier",
        "missing" => "Pièces manquantes",
        "missing_deadline" => "À produire au plus tard le",
        "completes" => "Complète la demande n°",
        _ => field,
    }
}

/// The form's field the core's error names (by its command-line option).
fn form_field(option: &str) -> &'static str {
    match option.trim_start_matches("--") {
        "kind" => "type",
        "from" => "depositor",
        "address" => "address",
        "subject" => "subject",
        "pages" => "pages",
        "at" | "received-at" => "received_at",
        "backdate-reason" => "backdate_reason",
        "siret" => "siret",
        "invoice-number" => "invoice_number",
        "amount" => "amount",
        "invoice-date" => "invoice_date",
        "engagement" => "commitment",
        "deadline" => "deadline",
        "dossier" => "dossier",
        "missing" => "missing",
        "missing-deadline" => "missing_deadline",
        "completes" => "completes",
        _ => "depositor",
    }
}

/// The core's message in the form's words: no command-line option, no setting's key, dates
/// as the form asks them, no label repeated ("SIRET : SIRET : …").
pub(super) fn in_form_words(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    // Drop every parenthesis that names an option or a setting: the form has its own words.
    while let Some(open) = rest.find(" (") {
        let Some(close) = rest[open..].find(')') else {
            break;
        };
        let inside = &rest[open + 2..open + close];
        out.push_str(&rest[..open]);
        if inside.contains("--") || inside.contains("réglage") {
            if inside.contains("réglage") {
                out.push_str(" (réglage de l'administrateur)");
            }
        } else {
            out.push_str(&rest[open..=open + close]);
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    let out = out
        .replace("AAAA-MM-JJ HH:MM", "JJ/MM/AAAA HH:MM")
        .replace("--", "");
    for prefix in ["SIRET : ", "SIREN : "] {
        if let Some(s) = out.strip_prefix(prefix) {
            return s.to_owned();
        }
    }
    out
}

/// A SIRET the core accepts, put in place of a wrong one to check the other fields.
const SOME_SIRET: &str = "73282932000074";

/// Sets a wrong field aside in `input` so that the core checks the others.
fn set_aside(field: &str, kind: DepositKind, input: &mut DepositInput) {
    match field {
        "type" => {
            input.kind = DepositKind::Autre.as_str().to_owned();
            for f in KIND_FIELDS {
                set_aside(f, DepositKind::Autre, input);
            }
        }
        "depositor" => input.depositor = "x".to_owned(),
        "address" => input.address = None,
        "subject" => input.subject = None,
        "pages" => input.pages = None,
        "siret" if kind == DepositKind::Facture => input.siret = Some(SOME_SIRET.to_owned()),
        "siret" => {
            input.siret = None;
            input.amount = None;
            input.invoice_number = None;
        }
        "invoice_number" if kind == DepositKind::Facture => {
            input.invoice_number = Some("x".to_owned())
        }
        "invoice_number" => input.invoice_number = None,
        "amount" if kind == DepositKind::Facture => input.amount = Some("1".to_owned()),
        "amount" => input.amount = None,
        "invoice_date" => input.invoice_date = None,
        "deadline" if kind == DepositKind::OffreMarche => {
            input.deadline = Some("31/12/2999".to_owned())
        }
        "deadline" => input.deadline = None,
        "received_at" => {
            input.received_at = None;
            input.backdate_reason = None;
        }
        "backdate_reason" if input.received_at.is_some() => {
            input.backdate_reason = Some("x".to_owned())
        }
        "backdate_reason" => input.backdate_reason = None,
        "dossier" => input.dossier = None,
        "missing" => {
            input.missing = None;
            input.missing_deadline = None;
        }
        "missing_deadline" if input.missing.is_some() && kind.is_application() => {
            input.missing_deadline = Some("31/12/2999".to_owned())
        }
        "missing_deadline" => input.missing_deadline = None,
        "completes" => input.completes = None,
        _ => {}
    }
}

/// Checks the form at the desk: the deposit, or every problem (each field once). A text over
/// its limit is emptied in `form` (it is not sent back: it may be anything).
pub fn check(form: &mut DepositForm, desk: &Desk<'_>) -> Result<NewDeposit, FormErrors> {
    let mut errors = FormErrors::new();
    for (field, max) in LIMITS {
        let Some(value) = form.field_mut(field) else {
            continue;
        };
        let typed = value.chars().count();
        if typed > *max {
            value.clear();
            let field = if *field == "kind" { "type" } else { field };
            errors.add(
                field,
                label(field),
                format!("{max} caractères au plus ({typed} saisis ; le texte n'est pas repris)"),
            );
        }
    }
    let kind = DepositKind::parse(&form.kind);
    if let Some(kind) = kind {
        // The fields must be the kind's: an aid form sent as an invoice is refused, whatever
        // the core would make of it.
        let own = own_fields(kind);
        let foreign: Vec<&str> = KIND_FIELDS
            .iter()
            .copied()
            .filter(|f| !own.contains(f))
            .filter(|f| form.field_mut(f).is_some_and(|v| !v.trim().is_empty()))
            .collect();
        if !foreign.is_empty() {
            let names: Vec<String> = foreign
                .iter()
                .map(|f| format!("« {} »", label(f)))
                .collect();
            errors.add(
                "type",
                label("type"),
                format!(
                    "le formulaire envoyé n'est pas celui de ce type ({} ne se donnent pas pour ce type) : \
                     vérifiez le type, puis remplissez les champs de son formulaire",
                    names.join(", ")
                ),
            );
            for f in foreign {
                if let Some(v) = form.field_mut(f) {
                    v.clear();
                }
            }
        }
    }
    let mut input = form.input();
    let known = kind.is_some();
    let kind = kind.unwrap_or(DepositKind::Autre);
    for field in ORDER {
        // A known kind with fields not its own stays that kind (its foreign fields are
        // emptied): its own fields are checked too.
        if errors.has(field) && !(*field == "type" && known) {
            set_aside(field, kind, &mut input);
        }
    }
    // Each round sets one more field aside: at most one round per field.
    for _ in 0..=ORDER.len() {
        match NewDeposit::parse(&input, desk) {
            Ok(new) if errors.is_empty() => return Ok(new),
            Ok(_) => break,
            Err(e) => {
                let field = form_field(e.field);
                if errors.has(field) {
                    // Set aside already: the core's rules changed under us; say it once.
                    break;
                }
                errors.add(field, label(field), in_form_words(&e.message));
                set_aside(field, kind, &mut input);
            }
        }
    }
    if errors.is_empty() {
        errors.add("depositor", label("depositor"), "dépôt non accepté");
    }
    errors.sort_by_fields(ORDER);
    Err(errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_placeholder_siret_is_valid() {
        assert!(relais_core::ids::Siret::parse(SOME_SIRET).is_ok());
    }

    #[test]
    fn messages_lose_their_options() {
        assert_eq!(
            in_form_words(
                "SIRET, numéro et montant ne se donnent que pour une facture (--kind facture)"
            ),
            "SIRET, numéro et montant ne se donnent que pour une facture"
        );
        assert_eq!(
            in_form_words("SIRET : clé de contrôle fausse"),
            "clé de contrôle fausse"
        );
        assert_eq!(
            in_form_words("hors de la fenêtre admise (réglage courrier.backdate_window_hours)"),
            "hors de la fenêtre admise (réglage de l'administrateur)"
        );
        assert_eq!(
            in_form_words("date illisible « x » (attendu AAAA-MM-JJ HH:MM)"),
            "date illisible « x » (attendu JJ/MM/AAAA HH:MM)"
        );
    }

    #[test]
    fn every_problem_at_once_in_the_forms_order() {
        let tz = jiff::tz::TimeZone::UTC;
        let desk = Desk {
            now: jiff::Timestamp::from_second(1_796_000_000).expect("now"),
            tz: &tz,
            backdate_window_hours: 72,
        };
        let mut form = DepositForm {
            kind: "facture".into(),
            depositor: " ".into(),
            pages: "trois".into(),
            siret: "123".into(),
            amount: "12,50".into(),
            ..DepositForm::default()
        };
        let errors = check(&mut form, &desk).expect_err("refused");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["depositor", "pages", "siret", "invoice_number"],
            "{errors:?}"
        );
        assert!(errors.iter().all(|e| !e.message.contains("--")));
        assert_eq!(form.pages, "trois", "values are kept");
    }
}
