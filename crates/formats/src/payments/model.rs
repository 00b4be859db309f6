//! What the payment file writers take: plain data, independent of how a payment run is
//! computed (the run is mapped into it by its caller).
//!
//! Identifiers and codes are types that exist only valid ("parse, don't validate"): an
//! `Iban`, a `Bic`, a `Siret`, a bordereau number in 1..=9 999 999, a code of a DGFiP list.
//! Limits come from the PES V2 schemas (`Simple_Type.xsd`, `CommunDepense.xsd`,
//! `CommunPES.xsd`; docs/domain.md "PES V2 schemas: reference notes") and from the EPC rulebook (docs/domain.md,
//! "SEPA credit transfer"). Free texts (names, addresses, labels) stay `String`: each writer
//! makes them fit its character set and lengths (see [`super::text`]).
//!
//! Amounts are [`Cents`], never floating point. A SEPA amount is a [`SepaAmount`], refused
//! at construction outside 0.01 to 999 999 999.99 EUR; a PES line amount is checked by the
//! writer (0.01 to 999 999 999 999.99, 14 digits).

use super::error::PaymentFileError;
use jiff::civil::{Date, DateTime};
use relais_core::Cents;
use relais_core::ids::{Bic, Iban, Siret};

// ---------------------------------------------------------------------------------------------
// Identifiers and codes

/// Checks that `s` has `min..=max` characters, each accepted by `allowed`.
fn shaped(s: &str, min: usize, max: usize, allowed: impl Fn(u8) -> bool) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(allowed)
}

/// A text identifier: parsed once, kept as given.
macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident, $field:literal, $field_en:literal, $expected:literal,
     $expected_en:literal, |$s:ident| $valid:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn parse(input: &str) -> Result<$name, PaymentFileError> {
                let $s = input.trim();
                if $valid {
                    Ok($name($s.to_owned()))
                } else {
                    Err(PaymentFileError::invalid($field, $field_en, input, $expected, $expected_en))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_id!(
    /// `CodCol`: the authority's code in Hélios, 3 digits, not `000`.
    CollectivityCode, "code collectivité (CodCol)", "authority code (CodCol)",
    "3 chiffres, pas 000", "3 digits, not 000",
    |s| shaped(s, 3, 3, |b| b.is_ascii_digit()) && s != "000"
);

text_id!(
    /// `CodBud`: the budget's code, a digit or capital letter then a digit (`01`).
    BudgetCode, "code budget (CodBud)", "budget code (CodBud)",
    "un chiffre ou une majuscule puis un chiffre", "a digit or capital letter then a digit",
    |s| s.len() == 2
        && s.as_bytes().first().is_some_and(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        && s.as_bytes().get(1).is_some_and(u8::is_ascii_digit)
);

text_id!(
    /// `IdPost`: the public accountant's post (codique), 6 or 7 digits, or 02A/02B and 3 or 4
    /// digits for Corsica.
    PostId, "poste comptable (IdPost)", "accounting post (IdPost)",
    "6 ou 7 chiffres, ou 02A/02B suivi de 3 ou 4 chiffres", "6 or 7 digits, or 02A/02B and 3 or 4 digits",
    |s| shaped(s, 6, 7, |b| b.is_ascii_digit())
        || ((s.starts_with("02A") || s.starts_with("02B"))
            && shaped(s.get(3..).unwrap_or(""), 3, 4, |b| b.is_ascii_digit()))
);

text_id!(
    /// `Fonction`: the functional code of the budget line, 1 to 10 digits.
    FunctionCode, "fonction (Fonction)", "function code (Fonction)",
    "1 à 10 chiffres", "1 to 10 digits",
    |s| shaped(s, 1, 10, |b| b.is_ascii_digit())
);

text_id!(
    /// `CP`: a French postcode, 5 digits (Hélios requires exactly 5).
    PostCode, "code postal (CP)", "postcode (CP)", "5 chiffres", "5 digits",
    |s| shaped(s, 5, 5, |b| b.is_ascii_digit())
);

text_id!(
    /// `NomFic`: the PES file's name, 1 to 100 letters, digits, `.`, `_` or `-` (it is also a
    /// file name).
    PesFileName, "nom du fichier PES (NomFic)", "PES file name (NomFic)",
    "1 à 100 lettres, chiffres, . _ ou -", "1 to 100 letters, digits, . _ or -",
    |s| shaped(s, 1, 100, |b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
);

text_id!(
    /// A SEPA reference (`MsgId`, `PmtInfId`, `EndToEndId`): 1 to 35 letters, digits, `-`,
    /// `.`, `/` or `+`, neither starting nor ending with `/` nor holding `//` (EPC rulebook,
    /// identifiers).
    SepaId, "référence SEPA", "SEPA reference",
    "1 à 35 lettres, chiffres, - . / +, sans / au début, à la fin ni doublé",
    "1 to 35 letters, digits, - . / +, no leading, trailing or double /",
    |s| shaped(s, 1, 35, |b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'/' | b'+'))
        && !s.starts_with('/') && !s.ends_with('/') && !s.contains("//")
);

/// A number in `1..=MAX`.
macro_rules! number_id {
    ($(#[$doc:meta])* $name:ident, $max:literal, $field:literal, $field_en:literal,
     $expected:literal, $expected_en:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u32);

        impl $name {
            pub const MAX: u32 = $max;

            pub fn new(n: u32) -> Result<$name, PaymentFileError> {
                if (1..=$max).contains(&n) {
                    Ok($name(n))
                } else {
                    Err(PaymentFileError::invalid($field, $field_en, n.to_string(), $expected, $expected_en))
                }
            }

            pub fn get(self) -> u32 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

number_id!(
    /// `IdBord`: the bordereau's number, 1 to 7 digits, unique and sequential per exercice.
    BordereauId, 9_999_999, "numéro de bordereau (IdBord)", "bordereau number (IdBord)",
    "de 1 à 9 999 999", "1 to 9,999,999"
);
number_id!(
    /// `IdPce`: the mandate's number, 1 to 8 digits.
    PieceId, 99_999_999, "numéro de mandat (IdPce)", "mandate number (IdPce)",
    "de 1 à 99 999 999", "1 to 99,999,999"
);
number_id!(
    /// `IdLigne`: the line's number within its mandate, 1 to 6 digits.
    LineId, 999_999, "numéro de ligne (IdLigne)", "line number (IdLigne)",
    "de 1 à 999 999", "1 to 999,999"
);

/// `Nature`: the budget account of a line (e.g. 651141 for APA at home, to check in the
/// M52/M57 nomenclature), 1 to 12 digits, not zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BudgetAccount(u64);

impl BudgetAccount {
    pub fn parse(input: &str) -> Result<BudgetAccount, PaymentFileError> {
        let s = input.trim();
        let value = s.parse::<u64>().ok();
        match value {
            Some(v) if shaped(s, 1, 12, |b| b.is_ascii_digit()) && v > 0 => Ok(BudgetAccount(v)),
            _ => Err(PaymentFileError::invalid(
                "compte budgétaire (Nature)",
                "budget account (Nature)",
                input,
                "1 à 12 chiffres, pas zéro",
                "1 to 12 digits, not zero",
            )),
        }
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

/// A code of a DGFiP list: kept as the `&'static str` of the list, so it is always one of them.
macro_rules! code_list {
    ($(#[$doc:meta])* $name:ident, $field:literal, $field_en:literal, [$($code:literal),+ $(,)?],
     { $($(#[$cdoc:meta])* $konst:ident = $value:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(&'static str);

        impl $name {
            $($(#[$cdoc])* pub const $konst: $name = $name($value);)*
            const CODES: &'static [&'static str] = &[$($code),+];

            pub fn parse(input: &str) -> Result<$name, PaymentFileError> {
                let s = input.trim();
                Self::CODES.iter().find(|c| **c == s).map(|c| $name(c)).ok_or_else(|| {
                    PaymentFileError::invalid(
                        $field,
                        $field_en,
                        input,
                        concat!("un code de la liste ", $(" ", $code),+),
                        concat!("a code of the list ", $(" ", $code),+),
                    )
                })
            }

            pub fn code(self) -> &'static str {
                self.0
            }
        }
    };
}

code_list!(
    /// `TypBord` (`CommunDepense.xsd`, aller).
    BordereauKind, "type de bordereau (TypBord)", "bordereau type (TypBord)",
    ["01", "02", "03"],
    {
        /// 01 ordinaire.
        ORDINARY = "01",
        /// 02 annulation / réduction.
        CANCELLATION = "02",
        /// 03 ordres de paiement.
        PAYMENT_ORDERS = "03",
    }
);

code_list!(
    /// `TypPce` (`CommunDepense.xsd`).
    PieceKind, "type de pièce (TypPce)", "piece type (TypPce)",
    ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13"],
    {
        /// 01 mandat ordinaire: a benefit.
        ORDINARY_MANDATE = "01",
        /// 05 mandat émis après paiement (régularisation).
        AFTER_PAYMENT = "05",
        /// 08 mandat collectif.
        COLLECTIVE = "08",
        /// 11 ordre de paiement.
        PAYMENT_ORDER = "11",
    }
);

code_list!(
    /// `NatPce` (`CommunDepense.xsd`). There is no "aide sociale" nature: a benefit is 01.
    PieceNature, "nature de pièce (NatPce)", "piece nature (NatPce)",
    ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "18"],
    {
        /// 01 fonctionnement: a benefit.
        OPERATING = "01",
        /// 11 paie.
        PAYROLL = "11",
    }
);

code_list!(
    /// `ModRegl` (`TCodePaiement`).
    PaymentMode, "mode de règlement (ModRegl)", "payment mode (ModRegl)",
    ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15",
     "16", "17", "18", "19", "20"],
    {
        /// 01 numéraire.
        CASH = "01",
        /// 02 chèque.
        CHEQUE = "02",
        /// 03 virement (Banque de France): the usual bank transfer.
        TRANSFER = "03",
        /// 05 virement gros montant.
        LARGE_TRANSFER = "05",
        /// 06 virement à l'étranger.
        FOREIGN_TRANSFER = "06",
    }
);

impl PaymentMode {
    /// 03 and 05 need the payee's bank details (docs/domain.md, "PES V2 schemas: reference notes", CpteBancaire … required by rule
    /// for ModRegl 03/05); 06 too, a transfer needs an account.
    pub fn requires_bank_details(self) -> bool {
        matches!(self.0, "03" | "05" | "06")
    }

    /// Modes with which Hélios refuses bank details (docs/domain.md, "PES V2 schemas: reference notes", ModRegl).
    pub fn forbids_bank_details(self) -> bool {
        matches!(self.0, "01" | "02" | "04" | "07" | "08" | "09" | "11")
    }
}

code_list!(
    /// `CatTiers` (`CommunPES.xsd`).
    PayeeCategory, "catégorie de tiers (CatTiers)", "payee category (CatTiers)",
    ["01", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "50", "60", "61", "62",
     "63", "64", "65", "70", "71", "72", "73", "74"],
    {
        /// 01 personne physique.
        PERSON = "01",
        /// 23 communes.
        COMMUNE = "23",
        /// 26 CCAS.
        SOCIAL_ACTION_CENTRE = "26",
        /// 27 établissements publics de santé (an EHPAD of a hospital, a public EHPAD).
        PUBLIC_HEALTH_BODY = "27",
        /// 50 personne morale de droit privé (a home-help service, an establishment).
        PRIVATE_BODY = "50",
        /// 63 autres régimes obligatoires de sécurité sociale (a CAF, with NatJur 11).
        SOCIAL_SECURITY = "63",
    }
);

code_list!(
    /// `NatJur` (`CommunPES.xsd`).
    LegalNature, "nature juridique (NatJur)", "legal nature (NatJur)",
    ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11"],
    {
        /// 01 particulier.
        INDIVIDUAL = "01",
        /// 03 société.
        COMPANY = "03",
        /// 06 association.
        ASSOCIATION = "06",
        /// 09 collectivité territoriale / EPL / EPS.
        LOCAL_PUBLIC_BODY = "09",
        /// 11 CAF.
        CAF = "11",
    }
);

mod amounts;
pub use amounts::{PES_MAX_AMOUNT, SEPA_MAX_AMOUNT, SEPA_MAX_CONTROL_SUM, SepaAmount, Totals};

// ---------------------------------------------------------------------------------------------
// Issuer and files

/// The authority that issues the files, and the account the transfers are paid from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    /// The authority's name: SEPA initiating party.
    pub name: String,
    /// `IdColl`: the authority's SIRET.
    pub siret: Siret,
    /// `CodCol`.
    pub collectivity: CollectivityCode,
    /// `CodBud`.
    pub budget: BudgetCode,
    /// `IdPost`: the public accountant's post.
    pub post: PostId,
    /// `LibelleColBud` (≤ 38, left out when empty).
    pub budget_label: String,
    /// The account SEPA transfers are paid from.
    pub debtor: Debtor,
}

/// SEPA `Dbtr`, `DbtrAcct`, `DbtrAgt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Debtor {
    pub name: String,
    pub iban: Iban,
    /// Optional since the 2016 rulebook: without it the agent is `NOTPROVIDED`.
    pub bic: Option<Bic>,
}

/// The identity of one PES file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PesFile {
    /// `NomFic`.
    pub name: PesFileName,
    /// When the file was made; its date is `DteStr`. Given by the caller: the writer reads no
    /// clock, so the same input gives the same bytes.
    pub created: DateTime,
}

/// The identity of one pain.001 file (one payment information block).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SepaFile {
    /// `MsgId`, unique per file sent to the bank.
    pub message_id: SepaId,
    /// `PmtInfId`.
    pub payment_info_id: SepaId,
    /// `CreDtTm`, given by the caller (no clock in the writer).
    pub created: DateTime,
    /// `ReqdExctnDt`: the day the debtor's bank is asked to pay.
    pub execution_date: Date,
}

// ---------------------------------------------------------------------------------------------
// PES: bordereaux, mandates, lines, payees

/// One PES bordereau (`BlocBordereau`), without its totals: those are given to
/// `begin_bordereau` (counted in a first pass) and checked when the bordereau closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bordereau {
    /// `Exer`: the budget year.
    pub year: i16,
    /// `IdBord`.
    pub id: BordereauId,
    /// `DteBordEm`.
    pub date: Date,
    /// `TypBord`.
    pub kind: BordereauKind,
    /// `MtCumulAnnuel`: the year's total so far, bordereau included (> 0), when known.
    pub cumulative_annual: Option<Cents>,
}

/// One mandate (`Piece`): a benefit paid to a payee is one mandate of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// `IdPce`, unique within its bordereau.
    pub id: PieceId,
    /// `TypPce`.
    pub kind: PieceKind,
    /// `NatPce`.
    pub nature: PieceNature,
    /// `Obj` (≤ 100, left out when empty).
    pub object: String,
    /// `DteEch`.
    pub due_date: Option<Date>,
    /// `DGP`: the délai global de paiement of a supplier's invoice.
    pub deadline: Option<PaymentDeadline>,
    /// The payment a mandat émis après paiement (TypPce 05) regularises: required with it,
    /// refused without it; written as each line's `RattachPiece`.
    pub settles: Option<SettledPayment>,
    /// The lines, at least one.
    pub lines: Vec<Line>,
}

/// The payment a mandat émis après paiement regularises: its lines' `RattachPiece`, with
/// `NatPceOrig` 03 (paiement) and no `IdLigneOrig` (DosTech, `TRattachPiece`). The payment's
/// date has no field of its own there: the caller gives it as the mandat's `DteEch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettledPayment {
    /// `ExerRat`: the exercice of the payment.
    pub year: i16,
    /// `IdPceOrig`: the payment's number (1 to 13 digits).
    pub payment: u64,
}

/// The `DGP` block of a mandate (`TDGP`): the délai global de paiement followed (`Dgp` 0,
/// "dépense éligible"), its start, its end with the ordonnateur's suspensions, its legal
/// duration, and the late rate (`CodIntMor` 02, ECB rate) so that the accountant can
/// pre-compute interest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentDeadline {
    /// `DteDebDgp`.
    pub start: Date,
    /// `DteFinDgp`.
    pub end: Date,
    /// `DureeDgp`, 1 to 99 days.
    pub days: u8,
    /// `TxIntMor` in basis points (written as a percentage, 10.15), with `CodIntMor` 02.
    pub late_rate: Option<u32>,
}

impl Piece {
    /// The total of the lines (what a bordereau adds up).
    pub fn amount(&self) -> Result<Cents, PaymentFileError> {
        Cents::checked_sum(self.lines.iter().map(|l| l.amount)).ok_or(PaymentFileError::Overflow)
    }
}

/// One line of a mandate (`LigneDePiece`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// `IdLigne`, unique within its mandate.
    pub id: LineId,
    /// `Nature`.
    pub account: BudgetAccount,
    /// `Fonction`.
    pub function: Option<FunctionCode>,
    /// `Facture`: the supplier's invoice number (≤ 20, left out when empty).
    pub invoice: String,
    /// `LibVir1`: the text the payee reads on the bank statement (≤ 70, left out when empty).
    pub transfer_label: String,
    /// `ModRegl`.
    pub payment_mode: PaymentMode,
    /// `MtHT`, 0.01 to 999 999 999 999.99.
    pub amount: Cents,
    /// `Tiers`: shared by the lines of a mandate (an establishment's has thousands).
    pub payee: std::sync::Arc<Payee>,
}

/// The payee of a line (`Tiers`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payee {
    /// `IdTiers` with `NatIdTiers` 01: a body's SIRET (a supplier's), when it is to be named.
    pub siret: Option<relais_core::ids::Siret>,
    /// `RefTiers`: our reference (the file number), ≤ 30, left out when empty.
    pub reference: String,
    /// `CatTiers`.
    pub category: PayeeCategory,
    /// `NatJur`.
    pub legal_nature: LegalNature,
    /// `Civilite` (`M`, `MME`), ≤ 10; written for a person (category 01) only.
    pub civility: String,
    /// `Nom`: a person's last name or a body's name, ≤ 38.
    pub last_name: String,
    /// `Prenom`, ≤ 38; written for a person (category 01) only.
    pub first_name: String,
    /// `Adresse`.
    pub address: Option<Address>,
    /// `CpteBancaire`: required by payment modes 03, 05 and 06.
    pub bank: Option<BankAccount>,
}

/// A French postal address (`Adresse`, written with `CodRes` 0, resident).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// `Adr1`: complement of the recipient (building, care of), optional.
    pub line1: String,
    /// `Adr2`: number and street, required.
    pub line2: String,
    /// `Adr3`: locality or other complement, optional.
    pub line3: String,
    /// `CP`.
    pub postcode: PostCode,
    /// `Ville`.
    pub city: String,
}

/// A payee's account (`CpteBancaire`, IBAN form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccount {
    pub iban: Iban,
    /// Optional in France and SEPA; Hélios wants it for accounts abroad.
    pub bic: Option<Bic>,
    /// `TitCpte`: the account holder, ≤ 32; the payee's names when empty.
    pub holder: String,
}

// ---------------------------------------------------------------------------------------------
// SEPA transfers

/// One SEPA credit transfer (`CdtTrfTxInf`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// `EndToEndId`: given back to the payee's bank; strictly increasing within a file.
    pub end_to_end_id: SepaId,
    /// `InstdAmt` in EUR.
    pub amount: SepaAmount,
    /// `Cdtr/Nm`, cut at 70 EPC characters.
    pub creditor_name: String,
    /// `CdtrAcct`: an IBAN of the SEPA area.
    pub creditor_iban: Iban,
    /// `CdtrAgt`: optional, the agent is left out without it.
    pub creditor_bic: Option<Bic>,
    /// `RmtInf/Ustrd`: one unstructured text, cut at 140 EPC characters, left out when empty.
    pub remittance: String,
}

/// Whether SEPA credit transfers reach this account's country (see [`Iban::in_sepa_area`]).
pub fn is_sepa(iban: &Iban) -> bool {
    iban.in_sepa_area()
}

#[cfg(test)]
mod tests;
