//! Our own checks of a payment file, read back as a stream (quick-xml, no DOM): what the XSD
//! cannot see and Hélios or the bank would reject (docs/domain.md, "What the schema does not check
//! and Hélios does"; EPC rulebook). The writers refuse to write such files; these checks let
//! the tests and the export prove each file right, and look at files made elsewhere.
//!
//! PES (`check_pes`): per bordereau, `NbrPce` is the number of `Piece`s and `MtBordHT` the sum
//! of their `MtHT`; `IdBord` is above 0 and unique in the file; `IdPce` unique in its
//! bordereau; a line paid by transfer (`ModRegl` 03, 05, 06) has bank details; every `IBAN`
//! has right keys (ISO 13616, and the RIB key of a French one).
//!
//! pain.001 (`check_pain001`): the group header's `NbOfTxs`/`CtrlSum` are the file's count and
//! sum, each `PmtInf`'s its own; every amount is in EUR, 0.01 to 999 999 999.99; references
//! have at most 35 characters; names (`Nm`) at most 70 and remittance (`Ustrd`) at most 140
//! characters of the EPC set; every IBAN has right keys.
//!
//! The first problem found is returned, with the byte position where it was seen.

use super::error::Scope;
use super::model::{SEPA_MAX_AMOUNT, Totals};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use relais_core::Cents;
use relais_core::ids::Iban;
use std::borrow::Cow;
use std::collections::HashSet;
use std::io::BufRead;

/// What a checked PES file holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PesCheck {
    /// Each bordereau's number and totals, in file order.
    pub bordereaux: Vec<(u32, Totals)>,
    pub lines: u64,
}

impl PesCheck {
    /// All mandates of the file and their total.
    pub fn totals(&self) -> Totals {
        self.bordereaux
            .iter()
            .fold(Totals::default(), |acc, (_, t)| Totals {
                count: acc.count.saturating_add(t.count),
                amount: Cents(acc.amount.0.saturating_add(t.amount.0)),
            })
    }
}

/// Why a payment file is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("fichier illisible à l'octet {at} : {message}")]
    Unreadable { at: u64, message: String },

    #[error("pas un fichier {expected} (élément racine « {found} »)")]
    WrongRoot {
        expected: &'static str,
        found: String,
    },

    #[error("{element} à l'octet {at} : valeur « {value} » incorrecte")]
    BadValue {
        element: &'static str,
        value: String,
        at: u64,
    },

    #[error("{element} manquant ({context})")]
    Missing {
        element: &'static str,
        context: String,
    },

    #[error(
        "{} : {found_count} élément(s) pour {found_amount} dans le fichier, {declared_count} pour {declared_amount} annoncés en tête",
        scope_fr(scope)
    )]
    TotalsMismatch {
        scope: Scope,
        declared_count: u64,
        declared_amount: Cents,
        found_count: u64,
        found_amount: Cents,
    },

    #[error("le numéro de bordereau {0} figure deux fois")]
    DuplicateBordereau(u32),

    #[error("bordereau {bordereau} : le mandat {piece} figure deux fois")]
    DuplicatePiece { bordereau: u32, piece: u32 },

    #[error(
        "bordereau {bordereau}, mandat {piece} : mode de règlement {mode} sans coordonnées bancaires"
    )]
    BankDetailsMissing {
        bordereau: u32,
        piece: u32,
        mode: String,
    },

    #[error("IBAN « {value} » à l'octet {at} : {reason}")]
    BadIban {
        value: String,
        at: u64,
        reason: String,
    },

    #[error("fichier sans aucun {0}")]
    Empty(&'static str),
}

fn scope_fr(scope: &Scope) -> String {
    match scope {
        Scope::Bordereau(id) => format!("bordereau {id}"),
        Scope::File => "fichier de virements".into(),
    }
}

impl CheckError {
    pub fn code(&self) -> &'static str {
        match self {
            CheckError::Unreadable { .. } => "controle_illisible",
            CheckError::WrongRoot { .. } => "controle_racine",
            CheckError::BadValue { .. } => "controle_valeur",
            CheckError::Missing { .. } => "controle_manquant",
            CheckError::TotalsMismatch { .. } => "controle_totaux",
            CheckError::DuplicateBordereau(_) => "controle_bordereau_double",
            CheckError::DuplicatePiece { .. } => "controle_mandat_double",
            CheckError::BankDetailsMissing { .. } => "controle_banque",
            CheckError::BadIban { .. } => "controle_iban",
            CheckError::Empty(_) => "controle_vide",
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            CheckError::Unreadable { at, message } => {
                format!("unreadable file at byte {at}: {message}")
            }
            CheckError::WrongRoot { expected, found } => {
                format!("not a {expected} file (root element {found:?})")
            }
            CheckError::BadValue { element, value, at } => {
                format!("{element} at byte {at}: wrong value {value:?}")
            }
            CheckError::Missing { element, context } => format!("{element} missing ({context})"),
            CheckError::TotalsMismatch {
                scope,
                declared_count,
                declared_amount,
                found_count,
                found_amount,
            } => {
                let scope = match scope {
                    Scope::Bordereau(id) => format!("bordereau {id}"),
                    Scope::File => "credit transfer file".into(),
                };
                format!(
                    "{scope}: {found_count} item(s) for {} in the file, {declared_count} for {} declared in the header",
                    found_amount.to_decimal(),
                    declared_amount.to_decimal()
                )
            }
            CheckError::DuplicateBordereau(id) => format!("bordereau number {id} appears twice"),
            CheckError::DuplicatePiece { bordereau, piece } => {
                format!("bordereau {bordereau}: mandate {piece} appears twice")
            }
            CheckError::BankDetailsMissing {
                bordereau,
                piece,
                mode,
            } => format!(
                "bordereau {bordereau}, mandate {piece}: payment mode {mode} without bank details"
            ),
            CheckError::BadIban { value, at, reason } => {
                format!("IBAN {value:?} at byte {at}: {reason}")
            }
            CheckError::Empty(what) => format!("file without any {what}"),
        }
    }
}

fn unreadable(reader_at: u64, e: impl std::fmt::Display) -> CheckError {
    CheckError::Unreadable {
        at: reader_at,
        message: e.to_string(),
    }
}

/// The raw `V` attribute of a PES element (ASCII values only are read: numbers, codes, IBANs).
fn attribute_v<'a>(e: &'a BytesStart<'_>, at: u64) -> Result<Cow<'a, [u8]>, CheckError> {
    match e.try_get_attribute("V") {
        Ok(Some(a)) => Ok(a.value),
        Ok(None) => Ok(Cow::Borrowed(b"")),
        Err(err) => Err(unreadable(at, err)),
    }
}

fn bad_value(element: &'static str, value: &[u8], at: u64) -> CheckError {
    CheckError::BadValue {
        element,
        value: String::from_utf8_lossy(value).into_owned(),
        at,
    }
}

/// A number above 0, all digits.
fn parse_number(element: &'static str, value: &[u8], at: u64) -> Result<u64, CheckError> {
    // At most 19 digits always fit in a u64.
    let digits = !value.is_empty() && value.len() <= 19 && value.iter().all(u8::is_ascii_digit);
    let n = if digits {
        value
            .iter()
            .fold(0u64, |acc, &b| acc * 10 + u64::from(b - b'0'))
    } else {
        0
    };
    if n > 0 {
        Ok(n)
    } else {
        Err(bad_value(element, value, at))
    }
}

fn parse_id(element: &'static str, value: &[u8], at: u64) -> Result<u32, CheckError> {
    let n = parse_number(element, value, at)?;
    u32::try_from(n).map_err(|_| bad_value(element, value, at))
}

/// An `xs:decimal` amount of at most 2 decimals, not negative, as cents.
fn parse_amount(element: &'static str, value: &[u8], at: u64) -> Result<Cents, CheckError> {
    let bad = || bad_value(element, value, at);
    if value.is_empty() || !value.iter().all(|&b| b.is_ascii_digit() || b == b'.') {
        return Err(bad());
    }
    std::str::from_utf8(value)
        .ok()
        .and_then(|s| Cents::parse(s).ok())
        .ok_or_else(bad)
}

/// Checks an IBAN, unless it is `last`, the one checked before (a mandate's lines, and an
/// establishment's mandates, repeat their payee's: a million checksums saved a run).
fn check_iban(value: &[u8], at: u64, last: &mut Vec<u8>) -> Result<(), CheckError> {
    if value == last.as_slice() {
        return Ok(());
    }
    check_new_iban(value, at)?;
    last.clear();
    last.extend_from_slice(value);
    Ok(())
}

fn check_new_iban(value: &[u8], at: u64) -> Result<(), CheckError> {
    let text = String::from_utf8_lossy(value);
    Iban::parse(&text)
        .map(|_| ())
        .map_err(|e| CheckError::BadIban {
            value: text.into_owned(),
            at,
            reason: e.to_string(),
        })
}

struct OpenBordereau {
    id: Option<u32>,
    declared_count: Option<u64>,
    declared_amount: Option<Cents>,
    found: Totals,
    pieces: HashSet<u32>,
    piece: Option<u32>,
}

/// Checks a PES_Aller dépense file (see the module).
pub fn check_pes<R: BufRead>(input: R) -> Result<PesCheck, CheckError> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut result = PesCheck::default();
    let mut ids = HashSet::new();
    let mut open: Option<OpenBordereau> = None;
    let mut root_seen = false;
    // The current line: its payment mode, and whether it has bank details.
    let mut mode: Vec<u8> = Vec::new();
    let mut bank = false;
    let mut last_iban = Vec::new();
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| unreadable(at, e))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let local = e.local_name();
                let name = local.as_ref();
                if !root_seen {
                    if name != b"PES_Aller" {
                        return Err(CheckError::WrongRoot {
                            expected: "PES_Aller",
                            found: String::from_utf8_lossy(name).into_owned(),
                        });
                    }
                    root_seen = true;
                    continue;
                }
                match name {
                    b"Bordereau" => {
                        open = Some(OpenBordereau {
                            id: None,
                            declared_count: None,
                            declared_amount: None,
                            found: Totals::default(),
                            pieces: HashSet::new(),
                            piece: None,
                        });
                    }
                    b"LigneDePiece" => {
                        mode.clear();
                        bank = false;
                    }
                    b"CpteBancaire" => bank = true,
                    _ => {}
                }
                let Some(b) = open.as_mut() else { continue };
                match name {
                    b"IdBord" => {
                        let id = parse_id("IdBord", &attribute_v(e, at)?, at)?;
                        if !ids.insert(id) {
                            return Err(CheckError::DuplicateBordereau(id));
                        }
                        b.id = Some(id);
                    }
                    b"NbrPce" => {
                        b.declared_count = Some(parse_number("NbrPce", &attribute_v(e, at)?, at)?)
                    }
                    b"MtBordHT" => {
                        b.declared_amount =
                            Some(parse_amount("MtBordHT", &attribute_v(e, at)?, at)?)
                    }
                    b"Piece" => {
                        b.found.count += 1;
                        b.piece = None;
                    }
                    b"IdPce" => {
                        let piece = parse_id("IdPce", &attribute_v(e, at)?, at)?;
                        if !b.pieces.insert(piece) {
                            return Err(CheckError::DuplicatePiece {
                                bordereau: b.id.unwrap_or(0),
                                piece,
                            });
                        }
                        b.piece = Some(piece);
                    }
                    b"MtHT" => {
                        let amount = parse_amount("MtHT", &attribute_v(e, at)?, at)?;
                        b.found.amount = b.found.amount.checked_add(amount).ok_or_else(|| {
                            CheckError::BadValue {
                                element: "MtHT",
                                value: amount.to_decimal(),
                                at,
                            }
                        })?;
                        result.lines += 1;
                    }
                    b"ModRegl" => {
                        mode.clear();
                        mode.extend_from_slice(&attribute_v(e, at)?);
                    }
                    b"IBAN" => check_iban(&attribute_v(e, at)?, at, &mut last_iban)?,
                    _ => {}
                }
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                b"LigneDePiece" if matches!(mode.as_slice(), b"03" | b"05" | b"06") && !bank => {
                    let b = open.as_ref();
                    return Err(CheckError::BankDetailsMissing {
                        bordereau: b.and_then(|b| b.id).unwrap_or(0),
                        piece: b.and_then(|b| b.piece).unwrap_or(0),
                        mode: String::from_utf8_lossy(&mode).into_owned(),
                    });
                }
                b"Bordereau" => {
                    if let Some(b) = open.take() {
                        result.bordereaux.push(close_bordereau(b)?);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !root_seen {
        return Err(CheckError::Empty("élément"));
    }
    if result.bordereaux.is_empty() {
        return Err(CheckError::Empty("bordereau"));
    }
    Ok(result)
}

fn close_bordereau(b: OpenBordereau) -> Result<(u32, Totals), CheckError> {
    let id = b.id.ok_or_else(|| CheckError::Missing {
        element: "IdBord",
        context: "bordereau".into(),
    })?;
    let missing = |element| CheckError::Missing {
        element,
        context: format!("bordereau {id}"),
    };
    let declared_count = b.declared_count.ok_or_else(|| missing("NbrPce"))?;
    let declared_amount = b.declared_amount.ok_or_else(|| missing("MtBordHT"))?;
    if (declared_count, declared_amount) != (b.found.count, b.found.amount) {
        return Err(CheckError::TotalsMismatch {
            scope: Scope::Bordereau(id),
            declared_count,
            declared_amount,
            found_count: b.found.count,
            found_amount: b.found.amount,
        });
    }
    Ok((id, b.found))
}

/// Where a pain.001 text stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Block {
    Other,
    GroupHeader,
    PaymentInfo,
}

#[derive(Default)]
struct Declared {
    count: Option<u64>,
    amount: Option<Cents>,
}

fn compare(declared: &Declared, found: Totals) -> Result<(), CheckError> {
    let missing = |element| CheckError::Missing {
        element,
        context: "en-tête".into(),
    };
    let count = declared.count.ok_or_else(|| missing("NbOfTxs"))?;
    // CtrlSum is optional in the schema; when given it must be right.
    let amount = declared.amount.unwrap_or(found.amount);
    if (count, amount) != (found.count, found.amount) {
        return Err(CheckError::TotalsMismatch {
            scope: Scope::File,
            declared_count: count,
            declared_amount: amount,
            found_count: found.count,
            found_amount: found.amount,
        });
    }
    Ok(())
}

fn is_epc_text(s: &str) -> bool {
    s.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'/' | b'-' | b'?' | b':' | b'(' | b')' | b'.' | b',' | b'\'' | b'+' | b' '
            )
    })
}

/// Checks a pain.001 file (see the module). Gives the file's transfers and their total.
pub fn check_pain001<R: BufRead>(input: R) -> Result<Totals, CheckError> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut root_seen = false;
    let mut block = Block::Other;
    let mut element: Vec<u8> = Vec::new();
    let mut currency_ok = true;
    let mut group = Declared::default();
    let mut payment = Declared::default();
    let mut file_found = Totals::default();
    let mut payment_found = Totals::default();
    let mut last_iban = Vec::new();
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| unreadable(at, e))?;
        match event {
            Event::Start(ref e) => {
                let local = e.local_name();
                let name = local.as_ref();
                if !root_seen {
                    if name != b"Document" {
                        return Err(CheckError::WrongRoot {
                            expected: "pain.001",
                            found: String::from_utf8_lossy(name).into_owned(),
                        });
                    }
                    root_seen = true;
                }
                match name {
                    b"GrpHdr" => block = Block::GroupHeader,
                    b"PmtInf" => {
                        block = Block::PaymentInfo;
                        payment = Declared::default();
                        payment_found = Totals::default();
                    }
                    b"CdtTrfTxInf" => block = Block::Other,
                    b"InstdAmt" => {
                        currency_ok = matches!(e.try_get_attribute("Ccy"), Ok(Some(a)) if a.value.as_ref() == b"EUR");
                    }
                    _ => {}
                }
                element.clear();
                element.extend_from_slice(name);
            }
            Event::Text(ref t) => {
                let text = t.decode().map_err(|e| unreadable(at, e))?;
                let text = text.as_ref();
                let raw = text.as_bytes();
                let bad = |element: &'static str| bad_value(element, raw, at);
                match (element.as_slice(), block) {
                    (b"NbOfTxs", Block::GroupHeader) => {
                        group.count = Some(parse_number("NbOfTxs", raw, at)?)
                    }
                    (b"CtrlSum", Block::GroupHeader) => {
                        group.amount = Some(parse_amount("CtrlSum", raw, at)?)
                    }
                    (b"NbOfTxs", Block::PaymentInfo) => {
                        payment.count = Some(parse_number("NbOfTxs", raw, at)?)
                    }
                    (b"CtrlSum", Block::PaymentInfo) => {
                        payment.amount = Some(parse_amount("CtrlSum", raw, at)?)
                    }
                    (b"InstdAmt", _) => {
                        let amount = parse_amount("InstdAmt", raw, at)?;
                        if !currency_ok || !(Cents(1)..=SEPA_MAX_AMOUNT).contains(&amount) {
                            return Err(bad("InstdAmt"));
                        }
                        file_found.add(amount).map_err(|_| bad("InstdAmt"))?;
                        payment_found.add(amount).map_err(|_| bad("InstdAmt"))?;
                    }
                    (b"MsgId" | b"PmtInfId" | b"EndToEndId", _) if text.chars().count() > 35 => {
                        return Err(bad("référence"));
                    }
                    (b"Nm", _) if text.len() > 70 || !is_epc_text(text) => return Err(bad("Nm")),
                    (b"Ustrd", _) if text.len() > 140 || !is_epc_text(text) => {
                        return Err(bad("Ustrd"));
                    }
                    (b"IBAN", _) => check_iban(raw, at, &mut last_iban)?,
                    _ => {}
                }
            }
            // An entity in a name or remittance text: only `'` is of the EPC set.
            Event::GeneralRef(ref r)
                if matches!(element.as_slice(), b"Nm" | b"Ustrd") && &**r != b"apos" =>
            {
                return Err(CheckError::BadValue {
                    element: "Nm",
                    value: format!("&{};", String::from_utf8_lossy(r)),
                    at,
                });
            }
            Event::End(ref e) => {
                match e.local_name().as_ref() {
                    b"GrpHdr" => block = Block::Other,
                    b"PmtInf" => {
                        compare(&payment, payment_found)?;
                        block = Block::Other;
                    }
                    b"CdtTrfTxInf" => block = Block::PaymentInfo,
                    _ => {}
                }
                element.clear();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if file_found.count == 0 {
        return Err(CheckError::Empty("virement"));
    }
    compare(&group, file_found)?;
    Ok(file_found)
}
