//! The streaming reader of `PES_DepenseRetour` (see the module above).

use super::input::{CountingInput, LineColumn};
use super::{
    BordereauType, Payment, PieceState, ReturnBordereau, ReturnError, ReturnHeader, ReturnKind,
    ReturnProblem, ReturnedLine, ReturnedPiece,
};
use jiff::civil::Date;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use relais_core::Cents;
use std::io::Read;

/// Deeper than any PES file: a file nested deeper is refused (memory stays bounded).
const MAX_DEPTH: usize = 64;

/// The text encodings a PES file may declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charset {
    Utf8,
    Latin1,
}

#[derive(Default)]
struct PieceBuilder {
    id: Option<u64>,
    kind: Option<u8>,
    nature: Option<u8>,
    state: Option<PieceState>,
    observation: Option<String>,
    comment: Option<String>,
    object: Option<String>,
    taken_on: Option<Date>,
    rejected_on: Option<Date>,
    on_hold_on: Option<Date>,
    lines: Vec<ReturnedLine>,
    at: Option<LineColumn>,
}

#[derive(Default)]
struct LineBuilder {
    id: Option<u32>,
    state: Option<u8>,
    amount: Option<Cents>,
    payments: Vec<Payment>,
}

#[derive(Default)]
struct PaymentBuilder {
    origin: Option<u8>,
    on: Option<Date>,
    amount: Option<Cents>,
}

#[derive(Default)]
struct BordereauBuilder {
    exercice: Option<i16>,
    id: Option<u32>,
    kind: Option<BordereauType>,
}

/// Reads a `PES_DepenseRetour` one piece at a time.
pub struct ReturnReader<R: Read> {
    xml: Reader<CountingInput<R>>,
    buf: Vec<u8>,
    charset: Charset,
    /// The open elements' local names, outermost first.
    stack: Vec<String>,
    header: ReturnHeader,
    root_seen: bool,
    depense_seen: bool,
    bordereau: Option<ReturnBordereau>,
    building: BordereauBuilder,
    piece: Option<PieceBuilder>,
    line: Option<LineBuilder>,
    payment: Option<PaymentBuilder>,
    done: bool,
    pieces: u64,
}

/// A whole return file: its header, every piece in file order, and the file's SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PesReturn {
    pub header: ReturnHeader,
    pub pieces: Vec<ReturnedPiece>,
    pub sha256: String,
}

/// Reads the whole return file `input` (pieces are small: a return of a hundred thousand
/// mandats is a few tens of megabytes).
pub fn read_pes_return<R: Read>(input: R) -> Result<PesReturn, ReturnError> {
    let mut reader = ReturnReader::new(input);
    let mut pieces = Vec::new();
    while let Some(p) = reader.next_piece()? {
        pieces.push(p);
    }
    Ok(PesReturn {
        header: reader.header().clone(),
        sha256: reader.sha256(),
        pieces,
    })
}

impl<R: Read> ReturnReader<R> {
    pub fn new(input: R) -> ReturnReader<R> {
        let mut xml = Reader::from_reader(CountingInput::new(input));
        xml.config_mut().trim_text(true);
        ReturnReader {
            xml,
            buf: Vec::with_capacity(1024),
            charset: Charset::Utf8,
            stack: Vec::new(),
            header: ReturnHeader::default(),
            root_seen: false,
            depense_seen: false,
            bordereau: None,
            building: BordereauBuilder::default(),
            piece: None,
            line: None,
            payment: None,
            done: false,
            pieces: 0,
        }
    }

    /// `EnTeteDepense`, as read so far (complete once the first piece is read).
    pub fn header(&self) -> &ReturnHeader {
        &self.header
    }

    /// The SHA-256 of the bytes read: the file's once [`Self::next_piece`] gave `None`.
    pub fn sha256(&self) -> String {
        self.xml.get_ref().sha256()
    }

    fn error_at(&self, at: u64, problem: ReturnProblem) -> ReturnError {
        let LineColumn { line, column } = self.xml.get_ref().locate(at);
        ReturnError {
            line,
            column,
            element: self.stack.last().cloned().unwrap_or_default(),
            problem,
        }
    }

    fn error_in(&self, at: u64, element: &str, problem: ReturnProblem) -> ReturnError {
        ReturnError {
            element: element.to_owned(),
            ..self.error_at(at, problem)
        }
    }

    /// The next piece, `None` at the end of the file.
    pub fn next_piece(&mut self) -> Result<Option<ReturnedPiece>, ReturnError> {
        if self.done {
            return Ok(None);
        }
        loop {
            self.buf.clear();
            let event = match self.xml.read_event_into(&mut self.buf) {
                Ok(e) => e.into_owned(),
                Err(e) => {
                    let at = self.xml.error_position();
                    let problem = match e {
                        quick_xml::Error::Io(io) => ReturnProblem::Io(io.to_string()),
                        other => ReturnProblem::Xml(other.to_string()),
                    };
                    return Err(self.error_at(at, problem));
                }
            };
            let end = self.xml.buffer_position();
            match event {
                Event::Decl(d) => {
                    let at = end.saturating_sub(d.len() as u64 + 4);
                    self.charset = match d.encoding() {
                        None => Charset::Utf8,
                        Some(Ok(label)) => charset(&label).ok_or_else(|| {
                            self.error_in(
                                at,
                                "xml",
                                ReturnProblem::Encoding(format!(
                                    "encodage « {} » non pris en charge (ISO-8859-1 ou UTF-8)",
                                    String::from_utf8_lossy(&label)
                                )),
                            )
                        })?,
                        Some(Err(e)) => {
                            return Err(self.error_in(
                                at,
                                "xml",
                                ReturnProblem::Xml(e.to_string()),
                            ));
                        }
                    };
                }
                Event::Start(e) => {
                    let at = end.saturating_sub(e.len() as u64 + 2);
                    self.open(&e, at)?;
                    let name = local(&e);
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(self.error_in(at, &name, ReturnProblem::TooDeep));
                    }
                    self.stack.push(name);
                }
                Event::Empty(e) => {
                    let at = end.saturating_sub(e.len() as u64 + 3);
                    self.open(&e, at)?;
                    let name = local(&e);
                    if let Some(piece) = self.close(&name, at)? {
                        return Ok(Some(piece));
                    }
                }
                Event::End(e) => {
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    let at = end.saturating_sub(e.name().as_ref().len() as u64 + 3);
                    let closed = self.close(&name, at)?;
                    self.stack.pop();
                    if let Some(piece) = closed {
                        return Ok(Some(piece));
                    }
                }
                Event::Eof => {
                    self.done = true;
                    if !self.depense_seen {
                        let found = if self.root_seen {
                            "aucun bloc PES_DepenseRetour".to_owned()
                        } else {
                            "un fichier sans élément".to_owned()
                        };
                        return Err(self.error_at(end, ReturnProblem::NotAReturn(found)));
                    }
                    return Ok(None);
                }
                _ => {}
            }
        }
    }

    /// An element opens at byte `at`: a block begins, or a value is read.
    fn open(&mut self, e: &BytesStart<'_>, at: u64) -> Result<(), ReturnError> {
        let name = local(e);
        if !self.root_seen {
            self.root_seen = true;
            if !matches!(name.as_str(), "PES_Retour" | "PES_DepenseRetour") {
                return Err(self.error_in(at, &name, ReturnProblem::NotAReturn(name.clone())));
            }
        }
        match name.as_str() {
            "PES_DepenseRetour" => self.depense_seen = true,
            "Bordereau" => {
                self.bordereau = None;
                self.building = BordereauBuilder::default();
            }
            "Piece" => {
                let where_ = self.xml.get_ref().locate(at);
                self.piece = Some(PieceBuilder {
                    at: Some(where_),
                    ..PieceBuilder::default()
                });
            }
            "LigneDePiece" => self.line = Some(LineBuilder::default()),
            "PaiementEmargement" => self.payment = Some(PaymentBuilder::default()),
            _ => self.value(e, &name, at)?,
        }
        Ok(())
    }

    /// Whether the element's parent is `parent`.
    fn within(&self, parent: &str) -> bool {
        self.stack.last().is_some_and(|p| p == parent)
    }

    /// A value element `name` at `at`, read into the block it belongs to.
    fn value(&mut self, e: &BytesStart<'_>, name: &str, at: u64) -> Result<(), ReturnError> {
        let v = |me: &Self| me.attribute_v(e, name, at);
        if self.within("EnTeteDepense") {
            match name {
                "TypRestit" => {
                    let text = v(self)?;
                    self.header.kind = Some(match text.as_str() {
                        "01" => ReturnKind::Rejections,
                        "02" => ReturnKind::Periodic,
                        "03" => ReturnKind::Stock,
                        _ => return Err(self.bad(at, name, &text, "01, 02 ou 03")),
                    });
                }
                "IdVer" => {
                    let text = v(self)?;
                    self.header.version = Some(self.number(at, name, &text, 2)? as u32);
                }
                _ => {}
            }
        } else if self.within("BlocBordereau") {
            match name {
                "Exer" => {
                    let text = v(self)?;
                    let year = self.number(at, name, &text, 4)?;
                    if !(2000..=2999).contains(&year) {
                        return Err(self.bad(at, name, &text, "une année de 2000 à 2999"));
                    }
                    self.building.exercice = Some(year as i16);
                }
                "IdBord" => {
                    let text = v(self)?;
                    self.building.id = Some(self.number(at, name, &text, 7)? as u32);
                }
                "TypBord" => {
                    let text = v(self)?;
                    self.building.kind = Some(match text.as_str() {
                        "01" => BordereauType::Ordinary,
                        "02" => BordereauType::Cancellation,
                        "03" => BordereauType::PaymentOrders,
                        "04" => BordereauType::Regularisation,
                        _ => return Err(self.bad(at, name, &text, "01, 02, 03 ou 04")),
                    });
                }
                _ => {}
            }
        } else if self.within("InfoPiece") {
            self.piece_value(e, name, at)?;
        } else if self.within("InfoLignePiece") {
            let text = match name {
                "IdLigne" | "EtatLigPce" | "MtHT" => v(self)?,
                _ => return Ok(()),
            };
            let value = match name {
                "IdLigne" => (Some(self.number(at, name, &text, 6)? as u32), None, None),
                "EtatLigPce" => (None, Some(self.code(at, name, &text)?), None),
                _ => (None, None, Some(self.amount(at, name, &text)?)),
            };
            if let Some(line) = self.line.as_mut() {
                line.id = value.0.or(line.id);
                line.state = value.1.or(line.state);
                line.amount = value.2.or(line.amount);
            }
        } else if self.within("PaiementEmargement") {
            let text = match name {
                "OrgEma" | "DtePay" | "MtPay" => v(self)?,
                _ => return Ok(()),
            };
            let (origin, on, amount) = match name {
                "OrgEma" => (Some(self.code(at, name, &text)?), None, None),
                "DtePay" => (None, Some(self.date(at, name, &text)?), None),
                _ => (None, None, Some(self.amount(at, name, &text)?)),
            };
            if let Some(p) = self.payment.as_mut() {
                p.origin = origin.or(p.origin);
                p.on = on.or(p.on);
                p.amount = amount.or(p.amount);
            }
        }
        Ok(())
    }

    fn piece_value(&mut self, e: &BytesStart<'_>, name: &str, at: u64) -> Result<(), ReturnError> {
        let known = [
            "IdPce",
            "TypPce",
            "NatPce",
            "EtatPce",
            "ObsEtat",
            "Commentaire",
            "Obj",
            "DtePcePec",
            "DtePceRej",
            "DtePceInst",
        ];
        if !known.contains(&name) {
            return Ok(());
        }
        let text = self.attribute_v(e, name, at)?;
        let mut p = self.piece.take().unwrap_or_default();
        let read = (|| -> Result<(), ReturnError> {
            match name {
                "IdPce" => p.id = Some(self.number(at, name, &text, 13)?),
                "TypPce" => p.kind = Some(self.code(at, name, &text)?),
                "NatPce" => p.nature = Some(self.code(at, name, &text)?),
                "EtatPce" => {
                    p.state = Some(match text.as_str() {
                        "01" => PieceState::OnHold,
                        "02" => PieceState::TakenInCharge,
                        "04" => PieceState::Rejected,
                        "05" => PieceState::Settled,
                        _ => return Err(self.bad(at, name, &text, "01, 02, 04 ou 05")),
                    });
                }
                "ObsEtat" => p.observation = Some(text.clone()).filter(|t| !t.is_empty()),
                "Commentaire" => p.comment = Some(text.clone()).filter(|t| !t.is_empty()),
                "Obj" => p.object = Some(text.clone()).filter(|t| !t.is_empty()),
                "DtePcePec" => p.taken_on = Some(self.date(at, name, &text)?),
                "DtePceRej" => p.rejected_on = Some(self.date(at, name, &text)?),
                _ => p.on_hold_on = Some(self.date(at, name, &text)?),
            }
            Ok(())
        })();
        self.piece = Some(p);
        read
    }

    /// An element `name` closes at `at`: a block is complete. A piece complete is returned.
    fn close(&mut self, name: &str, at: u64) -> Result<Option<ReturnedPiece>, ReturnError> {
        let missing = |me: &Self, what| me.error_in(at, name, ReturnProblem::Missing(what));
        match name {
            "BlocBordereau" => {
                let b = std::mem::take(&mut self.building);
                self.bordereau = Some(ReturnBordereau {
                    exercice: b.exercice.ok_or_else(|| missing(self, "Exer"))?,
                    id: b.id.ok_or_else(|| missing(self, "IdBord"))?,
                    kind: b.kind.ok_or_else(|| missing(self, "TypBord"))?,
                });
            }
            "PaiementEmargement" => {
                let p = self.payment.take().unwrap_or_default();
                let payment = Payment {
                    origin: p.origin.ok_or_else(|| missing(self, "OrgEma"))?,
                    on: p.on.ok_or_else(|| missing(self, "DtePay"))?,
                    amount: p.amount.ok_or_else(|| missing(self, "MtPay"))?,
                };
                if let Some(line) = self.line.as_mut() {
                    line.payments.push(payment);
                }
            }
            "LigneDePiece" => {
                let l = self.line.take().unwrap_or_default();
                let line = ReturnedLine {
                    id: l.id.ok_or_else(|| missing(self, "IdLigne"))?,
                    state: l.state,
                    amount: l.amount,
                    payments: l.payments,
                };
                if let Some(p) = self.piece.as_mut() {
                    p.lines.push(line);
                }
            }
            "Piece" => {
                let p = self.piece.take().unwrap_or_default();
                let bordereau = self
                    .bordereau
                    .ok_or_else(|| missing(self, "BlocBordereau (avant la pièce)"))?;
                self.pieces += 1;
                return Ok(Some(ReturnedPiece {
                    bordereau,
                    id: p.id.ok_or_else(|| missing(self, "IdPce"))?,
                    kind: p.kind.ok_or_else(|| missing(self, "TypPce"))?,
                    nature: p.nature.ok_or_else(|| missing(self, "NatPce"))?,
                    state: p.state.ok_or_else(|| missing(self, "EtatPce"))?,
                    observation: p.observation,
                    comment: p.comment,
                    object: p.object,
                    taken_on: p.taken_on,
                    rejected_on: p.rejected_on,
                    on_hold_on: p.on_hold_on,
                    lines: p.lines,
                    at: p.at.unwrap_or(LineColumn { line: 0, column: 0 }),
                }));
            }
            "PES_Retour" | "PES_DepenseRetour" if self.stack.len() <= 1 => {
                // The root closed: read the rest, so that the digest is the whole file's.
                if let Err(e) = self.xml.get_mut().drain() {
                    return Err(self.error_at(at, ReturnProblem::Io(e.to_string())));
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// The attribute `V` of `e`, decoded and unescaped.
    fn attribute_v(&self, e: &BytesStart<'_>, name: &str, at: u64) -> Result<String, ReturnError> {
        let raw = match e.try_get_attribute("V") {
            Ok(Some(a)) => a.value,
            Ok(None) => return Err(self.error_in(at, name, ReturnProblem::Missing("attribut V"))),
            Err(err) => return Err(self.error_in(at, name, ReturnProblem::Xml(err.to_string()))),
        };
        let text = match self.charset {
            Charset::Utf8 => std::str::from_utf8(&raw)
                .map_err(|_| {
                    self.error_in(
                        at,
                        name,
                        ReturnProblem::Encoding(
                            "octets qui ne sont pas de l'UTF-8 (déclaration du fichier)".into(),
                        ),
                    )
                })?
                .to_owned(),
            Charset::Latin1 => encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(&raw)
                .0
                .into_owned(),
        };
        match quick_xml::escape::unescape(&text) {
            Ok(t) => Ok(t.trim().to_owned()),
            Err(err) => Err(self.error_in(at, name, ReturnProblem::Xml(err.to_string()))),
        }
    }

    fn bad(&self, at: u64, name: &str, text: &str, expected: &'static str) -> ReturnError {
        self.error_in(
            at,
            name,
            ReturnProblem::BadValue {
                value: text.chars().take(60).collect(),
                expected,
            },
        )
    }

    /// A number of at most `digits` digits.
    fn number(&self, at: u64, name: &str, text: &str, digits: usize) -> Result<u64, ReturnError> {
        if text.is_empty() || text.len() > digits || !text.bytes().all(|b| b.is_ascii_digit()) {
            let expected = match digits {
                2 => "un nombre de 1 ou 2 chiffres",
                4 => "une année de 4 chiffres",
                6 => "un numéro de 1 à 6 chiffres",
                7 => "un numéro de 1 à 7 chiffres",
                _ => "un numéro de 1 à 13 chiffres",
            };
            return Err(self.bad(at, name, text, expected));
        }
        text.parse()
            .map_err(|_| self.bad(at, name, text, "un nombre"))
    }

    /// A code of one or two digits (`01`).
    fn code(&self, at: u64, name: &str, text: &str) -> Result<u8, ReturnError> {
        let n = self.number(at, name, text, 2)?;
        Ok(n as u8)
    }

    /// `Base_Date`: `AAAA-MM-JJ`.
    fn date(&self, at: u64, name: &str, text: &str) -> Result<Date, ReturnError> {
        let shaped = text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        let bad = || self.bad(at, name, text, "une date AAAA-MM-JJ");
        if !shaped {
            return Err(bad());
        }
        text.parse::<Date>().map_err(|_| bad())
    }

    /// `Base_Montant`: an `xs:decimal` of at most 2 decimals (`-12.5`, `1234.56`), in cents.
    fn amount(&self, at: u64, name: &str, text: &str) -> Result<Cents, ReturnError> {
        let body = text.strip_prefix('-').unwrap_or(text);
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        let ok = !int.is_empty()
            && int.len() <= 15
            && digits(int)
            && frac.len() <= 2
            && digits(frac)
            && !(body.contains('.') && frac.is_empty());
        let bad = || self.bad(at, name, text, "un montant en euros, ex. 1234.56");
        if !ok {
            return Err(bad());
        }
        Cents::parse(text).map_err(|_| bad())
    }
}

fn local(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

/// The charset of an encoding's label in the XML declaration.
fn charset(label: &[u8]) -> Option<Charset> {
    let label = String::from_utf8_lossy(label).trim().to_ascii_uppercase();
    match label.as_str() {
        "UTF-8" | "UTF8" => Some(Charset::Utf8),
        "ISO-8859-1" | "ISO8859-1" | "ISO_8859-1" | "LATIN1" => Some(Charset::Latin1),
        _ => None,
    }
}
