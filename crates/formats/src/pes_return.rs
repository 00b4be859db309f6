//! The accountant's return flux for dépense, `PES_DepenseRetour` (DGFiP PES V2, "Domaine
//! Dépense Retour"), read as a stream over `Read`: per bordereau (`Exer`, `IdBord`,
//! `TypBord`), each piece (`IdPce`, `TypPce`, `NatPce`, `EtatPce`, `ObsEtat`, `Commentaire`,
//! `DtePcePec`, `DtePceRej`, `DtePceInst`) with its lines (`IdLigne`) and their
//! `PaiementEmargement` blocks (`OrgEma`, `DtePay`, `MtPay`). Memory holds one piece at a
//! time ([`ReturnReader::next_piece`]).
//!
//! The file is ISO-8859-1 or UTF-8 as its XML declaration says (UTF-8 without one); namespace
//! prefixes do not matter (elements are known by their local name); every value is in the
//! attribute `V` of its element, as in the whole PES V2. Amounts are integer cents, dates
//! typed dates. Blocks Relais does not use (`Tiers`, `LiensIdent`, …) are skipped.
//!
//! Bad input is a [`ReturnError`]: the line and column (counted from quick-xml's byte
//! positions), the element, and what is wrong, in French for the agent ([`ReturnError`]'s
//! `Display`) and in English for the logs ([`ReturnError::message_en`]). Never a panic.

mod input;
mod reader;
#[cfg(test)]
mod tests;

pub use input::LineColumn;
pub use reader::{PesReturn, ReturnReader, read_pes_return};

use jiff::civil::Date;
use relais_core::Cents;

/// `TypRestit`: what the flux gives back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnKind {
    /// 01: the mandats rejected or put on hold.
    Rejections,
    /// 02: the mandats with events in the period, and the payments to regularise.
    Periodic,
    /// 03: the stock (acknowledgement codes).
    Stock,
}

impl ReturnKind {
    pub fn label_fr(self) -> &'static str {
        match self {
            ReturnKind::Rejections => "rejets",
            ReturnKind::Periodic => "périodique",
            ReturnKind::Stock => "stock",
        }
    }
}

/// `EnTeteDepense`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnHeader {
    pub kind: Option<ReturnKind>,
    /// `IdVer` (2).
    pub version: Option<u32>,
}

/// `TypBord`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BordereauType {
    /// 01 ordinaire.
    Ordinary,
    /// 02 annulation/réduction.
    Cancellation,
    /// 03 ordres de paiement.
    PaymentOrders,
    /// 04 bordereau de régularisation: the accountant asks the ordonnateur to issue a mandat
    /// (or a titre) for what it paid before any mandat.
    Regularisation,
}

impl BordereauType {
    pub fn code(self) -> &'static str {
        match self {
            BordereauType::Ordinary => "01",
            BordereauType::Cancellation => "02",
            BordereauType::PaymentOrders => "03",
            BordereauType::Regularisation => "04",
        }
    }
}

/// `BlocBordereau`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReturnBordereau {
    pub exercice: i16,
    pub id: u32,
    pub kind: BordereauType,
}

/// `EtatPce`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceState {
    /// 01 en instance.
    OnHold,
    /// 02 prise en charge.
    TakenInCharge,
    /// 04 rejeté.
    Rejected,
    /// 05 soldé: paid.
    Settled,
}

impl PieceState {
    pub fn code(self) -> &'static str {
        match self {
            PieceState::OnHold => "01",
            PieceState::TakenInCharge => "02",
            PieceState::Rejected => "04",
            PieceState::Settled => "05",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            PieceState::OnHold => "en instance",
            PieceState::TakenInCharge => "prise en charge",
            PieceState::Rejected => "rejetée",
            PieceState::Settled => "soldée (payée)",
        }
    }
}

/// `TypPce` 12: "demande d'émission de mandat" (a payment made before any mandat).
pub const TYP_PCE_MANDATE_REQUEST: u8 = 12;
/// `TypPce` 14: "demande d'émission de titre" (late-payment penalties).
pub const TYP_PCE_TITLE_REQUEST: u8 = 14;

/// `PaiementEmargement`: one payment (or matching) of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payment {
    /// `OrgEma` (01 "paiement réel", …).
    pub origin: u8,
    pub on: Date,
    pub amount: Cents,
}

/// `LigneDePiece`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedLine {
    /// `IdLigne`.
    pub id: u32,
    /// `EtatLigPce`, as its code.
    pub state: Option<u8>,
    /// `MtHT`.
    pub amount: Option<Cents>,
    pub payments: Vec<Payment>,
}

/// A `Piece` of a bordereau, with its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedPiece {
    pub bordereau: ReturnBordereau,
    /// `IdPce` (up to 13 digits).
    pub id: u64,
    /// `TypPce` and `NatPce`, as codes.
    pub kind: u8,
    pub nature: u8,
    pub state: PieceState,
    /// `ObsEtat`: the reasons' codes, as written (several joined by a separator).
    pub observation: Option<String>,
    pub comment: Option<String>,
    /// `Obj`.
    pub object: Option<String>,
    /// `DtePcePec`, `DtePceRej`, `DtePceInst`.
    pub taken_on: Option<Date>,
    pub rejected_on: Option<Date>,
    pub on_hold_on: Option<Date>,
    pub lines: Vec<ReturnedLine>,
    /// Where the piece starts in the file.
    pub at: LineColumn,
}

impl ReturnedPiece {
    /// A regularisation request: a bordereau of type 04, piece of type 12 or 14.
    pub fn is_regularisation_request(&self) -> bool {
        self.bordereau.kind == BordereauType::Regularisation
            && matches!(self.kind, TYP_PCE_MANDATE_REQUEST | TYP_PCE_TITLE_REQUEST)
    }

    /// What its lines' payments add up to, and the last payment's day; `None` without any.
    pub fn paid(&self) -> Option<(Date, Cents)> {
        let mut last: Option<Date> = None;
        let mut total = Cents::ZERO;
        for p in self.lines.iter().flat_map(|l| &l.payments) {
            last = Some(last.map_or(p.on, |d| d.max(p.on)));
            total = Cents(total.0.saturating_add(p.amount.0));
        }
        last.map(|d| (d, total))
    }

    /// What its lines amount to (`MtHT`).
    pub fn amount(&self) -> Cents {
        Cents(
            self.lines
                .iter()
                .filter_map(|l| l.amount)
                .fold(0i64, |a, c| a.saturating_add(c.0)),
        )
    }

    /// Why the accountant rejected it or put it on hold, in French: each `ObsEtat` code with
    /// its meaning, then the comment. "motif non précisé" when the file gives none.
    pub fn reason_fr(&self) -> String {
        let mut parts = Vec::new();
        if let Some(obs) = self.observation.as_deref() {
            let codes: Vec<String> = obs
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|c| !c.is_empty())
                .map(|c| match observation_label(c) {
                    Some(label) => format!("{c} {label}"),
                    None => c.to_owned(),
                })
                .collect();
            if !codes.is_empty() {
                parts.push(codes.join(", "));
            }
        }
        if let Some(c) = self
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            parts.push(c.to_owned());
        }
        if parts.is_empty() {
            "motif non précisé".to_owned()
        } else {
            parts.join(" — ")
        }
    }
}

/// `TObsEtat`: the reason codes of a rejection or hold.
pub fn observation_label(code: &str) -> Option<&'static str> {
    Some(match code {
        "01" => "absence totale ou invalidité des pièces justificatives",
        "02" => "insuffisance des pièces justificatives",
        "03" => "insuffisance de crédits budgétaires",
        "04" => "liquidation erronée",
        "05" => "absence de certification du service fait et du caractère exécutoire",
        "06" => "autre motif",
        "07" => "double paiement",
        "09" => "domiciliation bancaire absente ou erronée",
        "10" => "récupération d'avance non effectuée",
        "11" => "incompétence du donneur d'ordre",
        "13" => "prescription et déchéance",
        "16" => "mandat non établi au nom du véritable créancier",
        "23" => "erreur d'imputation comptable et budgétaire",
        "24" => "rejet technique",
        _ => return None,
    })
}

/// What is wrong in a return file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnProblem {
    /// The file could not be read.
    Io(String),
    /// Not well-formed XML.
    Xml(String),
    /// An encoding the declaration names that Relais does not read, or bytes that are not
    /// of it.
    Encoding(String),
    /// The root element is not a PES return, or it holds no `PES_DepenseRetour`.
    NotAReturn(String),
    /// A value that is not of its type: what was found and what is expected.
    BadValue {
        value: String,
        expected: &'static str,
    },
    /// A mandatory element missing from the block that closes here.
    Missing(&'static str),
    /// Elements nested deeper than any PES file.
    TooDeep,
}

/// An error reading a return file: where, in which element, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnError {
    pub line: u64,
    pub column: u64,
    /// The element at fault (its local name), empty when none was open.
    pub element: String,
    pub problem: ReturnProblem,
}

impl ReturnError {
    /// A stable code, for logs and scripts.
    pub fn code(&self) -> &'static str {
        match self.problem {
            ReturnProblem::Io(_) => "retour_illisible",
            ReturnProblem::Xml(_) => "retour_xml",
            ReturnProblem::Encoding(_) => "retour_encodage",
            ReturnProblem::NotAReturn(_) => "retour_pas_pes",
            ReturnProblem::BadValue { .. } => "retour_valeur",
            ReturnProblem::Missing(_) => "retour_manquant",
            ReturnProblem::TooDeep => "retour_imbrication",
        }
    }

    /// The same, in English, for the logs.
    pub fn message_en(&self) -> String {
        let what = match &self.problem {
            ReturnProblem::Io(e) => format!("cannot read the file: {e}"),
            ReturnProblem::Xml(e) => format!("malformed XML: {e}"),
            ReturnProblem::Encoding(e) => format!("encoding: {e}"),
            ReturnProblem::NotAReturn(root) => {
                format!("not a PES_DepenseRetour file (root or first block {root:?})")
            }
            ReturnProblem::BadValue { value, expected } => {
                format!("wrong value {value:?} ({expected})")
            }
            ReturnProblem::Missing(what) => format!("{what} missing"),
            ReturnProblem::TooDeep => "elements nested too deep".to_owned(),
        };
        format!(
            "line {}, column {}, element {:?}: {what}",
            self.line, self.column, self.element
        )
    }
}

impl std::fmt::Display for ReturnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ligne {}, colonne {}", self.line, self.column)?;
        if !self.element.is_empty() {
            write!(f, ", élément « {} »", self.element)?;
        }
        match &self.problem {
            ReturnProblem::Io(e) => write!(f, " : lecture du fichier impossible ({e})"),
            ReturnProblem::Xml(e) => write!(f, " : XML mal formé ({e})"),
            ReturnProblem::Encoding(e) => write!(f, " : encodage ({e})"),
            ReturnProblem::NotAReturn(root) => write!(
                f,
                " : ce n'est pas un flux retour PES_DepenseRetour (« {root} » trouvé)"
            ),
            ReturnProblem::BadValue { value, expected } => {
                write!(f, " : valeur « {value} » incorrecte ({expected} attendu)")
            }
            ReturnProblem::Missing(what) => write!(f, " : {what} manquant"),
            ReturnProblem::TooDeep => write!(f, " : éléments imbriqués trop profondément"),
        }
    }
}

impl std::error::Error for ReturnError {}
