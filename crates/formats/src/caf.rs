//! The CAF's monthly statement of the RSA it paid, per household (CASF L262-25: the caisse
//! tells the département each month what it paid; the département funds it). docs/caf.md
//! describes the file: a header row naming `allocataire`, `montant`, `mois`, and optionally
//! `nir` and `dossier`, in any order (accents, case and separators ignored); `;`, tab or `,`
//! as separator; UTF-8, Windows-1252, or UTF-16 with a BOM.
//!
//! The file is opened by the extract reader's own helpers (`extract::input`,
//! `extract::record_reader`): the same encodings and separators, the file hashed as it is
//! read, and each row's physical line. Rows are streamed: a good row goes to the sink as it
//! is read, a bad one as a rejected row listing every problem (file, line, column, field,
//! code, French and English). Only the allocataire numbers seen are kept, so that a second
//! row for the same allocataire is refused (`doublon`): it would count the household twice.
//!
//! A NIR is never echoed in a message: a reject names the field and why, not its value.

use crate::extract::input::{self, OpenError};
use crate::extract::messages::{self, FieldError};
use crate::extract::record_reader::{RawRecord, RecordReader};
use crate::extract::{Problem, Unreadable};
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::ids::Nir;
use relais_core::text::header_key;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;

/// Our columns, in the order of docs/caf.md.
pub const COLUMNS: [&str; 5] = ["allocataire", "nir", "montant", "mois", "dossier"];
const ALLOCATAIRE: usize = 0;
const NIR: usize = 1;
const MONTANT: usize = 2;
const MOIS: usize = 3;
const DOSSIER: usize = 4;
/// Whether the header must name each of [`COLUMNS`].
const REQUIRED: [bool; 5] = [true, false, true, true, false];

/// The longest allocataire number accepted.
pub const ALLOCATAIRE_MAX_LEN: usize = 20;

/// One row of the statement, typed: what the CAF paid a household for the month.
#[derive(Clone, PartialEq, Eq)]
pub struct CafRow {
    /// Physical line of the row in the file (the header is line 1 when it comes first).
    pub line: u64,
    /// The CAF's allocataire number: 1 to 20 letters or digits, in capitals.
    pub allocataire: String,
    pub nir: Option<Nir>,
    /// Our file number (`beneficiaires.dossier`), when the CAF knows it.
    pub dossier: Option<String>,
    /// What the CAF paid for the month, more than zero.
    pub amount: Cents,
}

/// The NIR is left out, so that a row in a log never carries one.
impl std::fmt::Debug for CafRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CafRow")
            .field("line", &self.line)
            .field("allocataire", &self.allocataire)
            .field("nir", &self.nir.as_ref().map(|_| "<redacted>"))
            .field("dossier", &self.dossier)
            .field("amount", &self.amount)
            .finish()
    }
}

/// A row that was not accepted, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CafRejectedRow {
    /// The file name as given.
    pub file: String,
    pub line: u64,
    /// The row's allocataire number when it could be read.
    pub allocataire: Option<String>,
    /// Whole-row problems first, then by column.
    pub problems: Vec<Problem>,
}

/// What was read of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CafSummary {
    pub file: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// `UTF-8`, `UTF-8 (BOM)`, `windows-1252`, `UTF-16LE (BOM)` or `UTF-16BE (BOM)`.
    pub encoding: String,
    pub separator: char,
    /// Data rows (blank lines not counted).
    pub rows: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Sum of the accepted rows' amounts.
    pub total: Cents,
    /// Headers that are none of ours, ignored.
    pub extra_columns: Vec<String>,
}

/// Receives the rows, in file order.
pub trait CafSink {
    type Error;
    fn accept(&mut self, row: CafRow) -> Result<(), Self::Error>;
    fn reject(&mut self, row: CafRejectedRow) -> Result<(), Self::Error>;
}

/// Why the reading stopped.
#[derive(Debug, thiserror::Error)]
pub enum CafReadError<E> {
    /// The file cannot be read as a statement (exit code 2 of `relais caf import`). When the
    /// failure comes midway, the rows before it were already handed over: the caller cancels.
    #[error("{0}")]
    Unreadable(Unreadable),
    /// The sink refused: reading stops.
    #[error("sink error")]
    Sink(E),
}

/// Reads the statement `input`, named `file` in messages, for `month`: good rows to
/// `sink.accept`, bad ones to `sink.reject`, in file order.
pub fn read_caf_statement<S: CafSink>(
    input: impl Read,
    file: &str,
    month: Month,
    sink: &mut S,
) -> Result<CafSummary, CafReadError<S::Error>> {
    let unreadable = CafReadError::Unreadable;
    let io = |e: std::io::Error| unreadable(messages::io_error(file, &e));
    let mut hasher = Sha256::new();
    let mut counts = Counts::default();
    let (encoding, separator, extra_columns) = {
        let opened = input::open(Box::new(input), Some(&mut hasher)).map_err(|e| match e {
            OpenError::Io(e) => messages::io_error(file, &e),
            OpenError::NotText => messages::not_text(file),
        });
        let opened = opened.map_err(unreadable)?;
        let mut records = opened.records;
        if !read_header(&mut records).map_err(io)? {
            return Err(unreadable(messages::empty(file)));
        }
        let layout = Layout::of(file, records.record()).map_err(unreadable)?;
        let mut seen: HashMap<String, u64> = HashMap::new();
        while let Some(line) = records.next_record().map_err(io)? {
            let record = records.record();
            if record.is_blank() {
                continue;
            }
            counts.rows += 1;
            let mut row = RowCheck {
                layout: &layout,
                record,
                problems: Vec::new(),
            };
            match row.read(line, month, &mut seen, counts.total) {
                Some(good) if row.problems.is_empty() => {
                    counts.accepted += 1;
                    counts.total = counts
                        .total
                        .checked_add(good.amount)
                        .unwrap_or(counts.total);
                    sink.accept(good).map_err(CafReadError::Sink)?;
                }
                read => {
                    counts.rejected += 1;
                    let rejected = CafRejectedRow {
                        file: file.to_owned(),
                        line,
                        allocataire: read.map(|r| r.allocataire).or_else(|| row.allocataire()),
                        problems: row.into_problems(),
                    };
                    sink.reject(rejected).map_err(CafReadError::Sink)?;
                }
            }
        }
        (opened.encoding, opened.separator, layout.extra_columns())
    };
    Ok(CafSummary {
        file: file.to_owned(),
        sha256: hex::encode(hasher.finalize()),
        encoding: encoding.label().to_owned(),
        separator: char::from(separator),
        rows: counts.rows,
        accepted: counts.accepted,
        rejected: counts.rejected,
        total: counts.total,
        extra_columns,
    })
}

#[derive(Default)]
struct Counts {
    rows: u64,
    accepted: u64,
    rejected: u64,
    total: Cents,
}

/// Moves to the header: the first record that is not blank. `false` when there is none.
fn read_header<R: Read>(records: &mut RecordReader<R>) -> std::io::Result<bool> {
    while records.next_record()?.is_some() {
        if !records.record().is_blank() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Where our columns are in the file.
struct Layout {
    /// 0-based index of each of [`COLUMNS`] in the file.
    at: [Option<usize>; 5],
    /// The headers as written (trimmed).
    headers: Vec<String>,
}

impl Layout {
    fn of(file: &str, header: RawRecord<'_>) -> Result<Layout, Unreadable> {
        let headers: Vec<String> = header
            .iter()
            .map(|raw| {
                String::from_utf8_lossy(raw)
                    .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
                    .to_owned()
            })
            .collect();
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        let mut at = [None; 5];
        let mut missing = Vec::new();
        let mut doubles = Vec::new();
        for (c, name) in COLUMNS.iter().enumerate() {
            let found: Vec<usize> = keys
                .iter()
                .enumerate()
                .filter(|(_, k)| k == name)
                .map(|(i, _)| i)
                .collect();
            match found.as_slice() {
                [] if REQUIRED.get(c).copied().unwrap_or(false) => missing.push(*name),
                [] => {}
                [i] => {
                    if let Some(slot) = at.get_mut(c) {
                        *slot = Some(*i);
                    }
                }
                several => {
                    let columns: Vec<String> =
                        several.iter().map(|i| (i + 1).to_string()).collect();
                    doubles.push(format!("{name} (colonnes {})", columns.join(" et ")));
                }
            }
        }
        if !missing.is_empty() {
            return Err(missing_columns(file, &missing, &headers));
        }
        if !doubles.is_empty() {
            return Err(double_columns(file, &doubles));
        }
        Ok(Layout { at, headers })
    }

    /// The 1-based column of field `c`, when the file has it.
    fn column_of(&self, c: usize) -> Option<u32> {
        let index = self.at.get(c).copied().flatten()?;
        u32::try_from(index + 1).ok()
    }

    fn extra_columns(&self) -> Vec<String> {
        self.headers
            .iter()
            .enumerate()
            .filter(|(i, h)| !h.is_empty() && !self.at.contains(&Some(*i)))
            .map(|(_, h)| h.clone())
            .collect()
    }
}

/// The field has a problem, already recorded.
struct Bad;

/// One row being read: its problems as they are found.
struct RowCheck<'r> {
    layout: &'r Layout,
    record: RawRecord<'r>,
    problems: Vec<Problem>,
}

impl<'r> RowCheck<'r> {
    fn push(&mut self, c: usize, e: FieldError) {
        let name = COLUMNS.get(c).copied().unwrap_or("");
        let column = self.layout.column_of(c);
        self.problems.push(messages::problem(column, name, e));
    }

    /// The trimmed value of field `c`: `None` when its column is absent or the cell empty.
    /// A cell past the end of a short row is `Bad` (the row's `colonnes` problem says so).
    fn cell(&mut self, c: usize) -> Result<Option<&'r str>, Bad> {
        let Some(index) = self.layout.at.get(c).copied().flatten() else {
            return Ok(None);
        };
        let Some(bytes) = self.record.get(index) else {
            return Err(Bad);
        };
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Some(text.trim()).filter(|t| !t.is_empty())),
            Err(_) => {
                let name = COLUMNS.get(c).copied().unwrap_or("");
                self.push(c, messages::encoding(name));
                Err(Bad)
            }
        }
    }

    /// A required value: `Bad` (recorded) when empty.
    fn required(&mut self, c: usize) -> Result<&'r str, Bad> {
        match self.cell(c)? {
            Some(v) => Ok(v),
            None => {
                self.push(c, required(COLUMNS.get(c).copied().unwrap_or("")));
                Err(Bad)
            }
        }
    }

    /// The allocataire number as written, for a rejected row, when it is readable.
    fn allocataire(&self) -> Option<String> {
        let index = self.layout.at.get(ALLOCATAIRE).copied().flatten()?;
        let text = std::str::from_utf8(self.record.get(index)?).ok()?.trim();
        (!text.is_empty() && text.chars().count() <= ALLOCATAIRE_MAX_LEN)
            .then(|| text.to_ascii_uppercase())
    }

    /// Reads every field, recording each problem; the row when every field could be typed
    /// (it is good only if no problem was recorded, a row-level one included).
    fn read(
        &mut self,
        line: u64,
        month: Month,
        seen: &mut HashMap<String, u64>,
        total: Cents,
    ) -> Option<CafRow> {
        let width = self.layout.headers.len();
        let found = self.record.len();
        // Trailing empty fields (`a;b;c;`) are a habit of exporters, not a shifted row.
        let extra_blank = (width..found).all(|i| {
            self.record
                .get(i)
                .is_some_and(|b| b.iter().all(u8::is_ascii_whitespace))
        });
        if found < width || !extra_blank {
            self.problems.push(messages::field_count(found, width));
        }
        let allocataire = self.allocataire_number();
        let nir = self.nir();
        let amount = self.amount(total);
        let in_month = self.month(month);
        let dossier = self.cell(DOSSIER).map(|d| d.map(str::to_owned));
        let allocataire = allocataire.ok()?;
        if let Some(first) = seen.get(&allocataire) {
            self.push(ALLOCATAIRE, duplicate(&allocataire, *first));
        } else if self.problems.is_empty() {
            seen.insert(allocataire.clone(), line);
        }
        let (nir, amount, dossier) = (nir.ok()?, amount.ok()?, dossier.ok()?);
        in_month.ok()?;
        Some(CafRow {
            line,
            allocataire,
            nir,
            dossier,
            amount,
        })
    }

    fn allocataire_number(&mut self) -> Result<String, Bad> {
        let v = self.required(ALLOCATAIRE)?;
        let count = v.chars().count();
        if let Some((pos, ch)) = v
            .chars()
            .enumerate()
            .find(|(_, c)| !c.is_ascii_alphanumeric())
        {
            self.push(ALLOCATAIRE, allocataire_character(v, ch, pos + 1));
            return Err(Bad);
        }
        if count > ALLOCATAIRE_MAX_LEN {
            self.push(ALLOCATAIRE, allocataire_length(v, count));
            return Err(Bad);
        }
        Ok(v.to_ascii_uppercase())
    }

    fn nir(&mut self) -> Result<Option<Nir>, Bad> {
        let Some(v) = self.cell(NIR)? else {
            return Ok(None);
        };
        match Nir::parse(v) {
            Ok(nir) => Ok(Some(nir)),
            Err(e) => {
                self.push(NIR, bad_nir(&e));
                Err(Bad)
            }
        }
    }

    fn amount(&mut self, total: Cents) -> Result<Cents, Bad> {
        let v = self.required(MONTANT)?;
        let amount = match Cents::parse(v) {
            Ok(a) => a,
            Err(e) => {
                self.push(MONTANT, messages::money("montant", &e));
                return Err(Bad);
            }
        };
        if amount.0 <= 0 {
            self.push(MONTANT, not_positive(v));
            return Err(Bad);
        }
        if total.checked_add(amount).is_none() {
            self.push(MONTANT, total_overflow(v));
            return Err(Bad);
        }
        Ok(amount)
    }

    fn month(&mut self, expected: Month) -> Result<(), Bad> {
        let v = self.required(MOIS)?;
        match Month::parse(v) {
            Ok(m) if m == expected => Ok(()),
            Ok(m) => {
                self.push(MOIS, other_month(m, expected));
                Err(Bad)
            }
            Err(e) => {
                self.push(MOIS, messages::date("mois", &e));
                Err(Bad)
            }
        }
    }

    /// The problems, whole-row ones first, then by column.
    fn into_problems(mut self) -> Vec<Problem> {
        self.problems
            .sort_by_key(|p| match (p.field.is_empty(), p.column) {
                (true, _) => (0, 0),
                (false, Some(c)) => (1, c),
                (false, None) => (2, 0),
            });
        self.problems
    }
}

// Messages of the statement's own rules (the others are the extract reader's).

fn required(field: &str) -> FieldError {
    FieldError {
        code: "champ_obligatoire",
        fr: format!(
            "{field} est vide alors que ce champ est obligatoire : demandez à la CAF un relevé \
             complet"
        ),
        en: format!("{field} is empty but required: ask the CAF for a complete statement"),
    }
}

fn allocataire_character(value: &str, ch: char, pos: usize) -> FieldError {
    FieldError {
        code: "id_caractere",
        fr: format!(
            "allocataire « {value} » : caractère « {ch} » interdit en position {pos} ; le numéro \
             d'allocataire ne contient que des lettres et des chiffres"
        ),
        en: format!(
            "allocataire {value:?}: character {ch:?} not allowed at position {pos}; only \
             letters and digits"
        ),
    }
}

fn allocataire_length(value: &str, count: usize) -> FieldError {
    FieldError {
        code: "id_longueur",
        fr: format!(
            "allocataire « {value} » : {count} caractères, {ALLOCATAIRE_MAX_LEN} au plus ; \
             la colonne contient-elle bien le numéro d'allocataire ?"
        ),
        en: format!("allocataire {value:?}: {count} characters, at most {ALLOCATAIRE_MAX_LEN}"),
    }
}

/// Names the problem, never the number: a NIR stays out of messages and logs.
fn bad_nir(e: &relais_core::ids::IdError) -> FieldError {
    FieldError {
        code: e.code(),
        fr: format!("nir : {e} ; vérifiez le numéro avec la CAF, ou laissez la case vide"),
        en: format!(
            "nir: {}; check the number with the CAF, or leave the cell empty",
            e.message_en()
        ),
    }
}

fn not_positive(value: &str) -> FieldError {
    FieldError {
        code: "montant_negatif",
        fr: format!(
            "montant « {value} » doit être supérieur à zéro : le relevé ne porte que ce que la \
             CAF a versé ; une ligne sans versement n'a pas sa place"
        ),
        en: format!("montant {value:?} must be more than zero: the statement lists what was paid"),
    }
}

fn total_overflow(value: &str) -> FieldError {
    FieldError {
        code: "montant_trop_grand",
        fr: format!("montant « {value} » : le total du relevé deviendrait trop grand"),
        en: format!("montant {value:?}: the statement's total would overflow"),
    }
}

fn other_month(found: Month, expected: Month) -> FieldError {
    FieldError {
        code: "mois_different",
        fr: format!(
            "mois {found} : ce relevé est importé pour {expected} (--month) ; chaque ligne doit \
             porter ce mois. Vérifiez que c'est le bon fichier"
        ),
        en: format!(
            "mois {found}: this statement is imported for {expected} (--month); every row must \
             be of that month"
        ),
    }
}

fn duplicate(allocataire: &str, first: u64) -> FieldError {
    FieldError {
        code: "doublon",
        fr: format!(
            "allocataire « {allocataire} » figure déjà ligne {first} : un foyer compterait deux \
             fois dans le total ; demandez à la CAF un relevé sans doublon"
        ),
        en: format!(
            "allocataire {allocataire:?} is already on line {first}: the household would count \
             twice"
        ),
    }
}

fn missing_columns(file: &str, missing: &[&str], headers: &[String]) -> Unreadable {
    let list = missing.join(", ");
    let read: Vec<String> = headers
        .iter()
        .take(30)
        .map(|h| format!("« {h} »"))
        .collect();
    let read = read.join(", ");
    Unreadable {
        file: file.to_owned(),
        code: "colonne_manquante".into(),
        message_fr: format!(
            "colonne(s) obligatoire(s) absente(s) : {list}. En-tête lu : {read}. Le relevé \
             CAF doit nommer les colonnes allocataire, montant et mois (nir et dossier \
             facultatives) : voir docs/caf.md"
        ),
        message_en: format!(
            "missing required column(s): {list}. Header read: {read}. See docs/caf.md"
        ),
    }
}

fn double_columns(file: &str, doubles: &[String]) -> Unreadable {
    let list = doubles.join(" ; ");
    Unreadable {
        file: file.to_owned(),
        code: "colonne_double".into(),
        message_fr: format!(
            "plusieurs colonnes pour un même champ : {list}. Supprimez la colonne en trop"
        ),
        message_en: format!("several columns for one field: {list}. Remove the extra one"),
    }
}
