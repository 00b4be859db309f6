//! Why a payment file could not be written, or why a written one is wrong.
//!
//! Every error says in French what is wrong and where (`Display`, read by the agent who
//! prepares the run), has an English twin for logs (`message_en`) and a stable `code`. After
//! any error the bytes already written are not a valid file: the caller throws them away (the
//! CLI writes through a temporary file that is only renamed on success).

use relais_core::Cents;
use relais_core::ids::{Bic, Iban};

/// Which total a mismatch is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One PES bordereau (its `IdBord`).
    Bordereau(u32),
    /// The whole pain.001 file (group header and payment information).
    File,
}

impl Scope {
    fn fr(self) -> String {
        match self {
            Scope::Bordereau(id) => format!("bordereau {id}"),
            Scope::File => "fichier de virements".to_owned(),
        }
    }
    fn en(self) -> String {
        match self {
            Scope::Bordereau(id) => format!("bordereau {id}"),
            Scope::File => "credit transfer file".to_owned(),
        }
    }
}

/// A value of the model that the file formats cannot carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The field, in French (`numéro de bordereau (IdBord)`).
    pub field: &'static str,
    /// The field, in English.
    pub field_en: &'static str,
    /// The value as given.
    pub value: String,
    /// What is expected, in French.
    pub expected: &'static str,
    /// What is expected, in English.
    pub expected_en: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum PaymentFileError {
    #[error("écriture du fichier de paiement impossible : {0}")]
    Io(#[from] std::io::Error),

    #[error("{} : « {} » refusé, attendu {}", .0.field, .0.value, .0.expected)]
    Invalid(Invalid),

    #[error(
        "{field} : montant {amount} hors limites (de {min} à {max}) ; un montant nul ou négatif ne se paie pas"
    )]
    AmountOutOfRange {
        field: &'static str,
        field_en: &'static str,
        amount: Cents,
        min: Cents,
        max: Cents,
    },

    #[error("total impossible à calculer : dépassement de capacité")]
    Overflow,

    #[error(
        "le numéro de bordereau {0} est déjà utilisé dans ce fichier (Hélios rejette un doublon)"
    )]
    DuplicateBordereau(u32),

    #[error("bordereau {bordereau} : le mandat {piece} y figure deux fois")]
    DuplicatePiece { bordereau: u32, piece: u32 },

    #[error("mandat {piece} : la ligne {line} y figure deux fois")]
    DuplicateLine { piece: u32, line: u32 },

    #[error("mandat {0} sans aucune ligne")]
    EmptyPiece(u32),

    #[error(
        "mandat {piece}, ligne {line} : le mode de règlement {mode} exige les coordonnées bancaires du tiers"
    )]
    BankDetailsRequired {
        piece: u32,
        line: u32,
        mode: &'static str,
    },

    #[error(
        "mandat {piece}, ligne {line} : le mode de règlement {mode} n'admet pas de coordonnées bancaires"
    )]
    BankDetailsForbidden {
        piece: u32,
        line: u32,
        mode: &'static str,
    },

    #[error(
        "BIC {0} refusé par le PES (7e caractère 0 ou 1, ou 8e caractère O : BIC de test ou passif) ; corriger le BIC ou le retirer"
    )]
    BicRefusedByPes(Bic),

    #[error("IBAN {0} hors de la zone SEPA : pas de virement SEPA possible vers ce compte")]
    NotSepa(Iban),

    #[error(
        "références de bout en bout non croissantes : « {current} » après « {previous} » (elles doivent croître pour rester uniques)"
    )]
    EndToEndOrder { previous: String, current: String },

    #[error(
        "un mandat ne peut être écrit qu'à l'intérieur d'un bordereau (appeler begin_bordereau)"
    )]
    NoOpenBordereau,

    #[error("fichier PES sans aucun bordereau")]
    NoBordereau,

    #[error(
        "{} : {written_count} élément(s) pour {written_amount} écrits, {declared_count} pour {declared_amount} annoncés en tête ; fichier faux, à jeter",
        scope.fr()
    )]
    TotalsMismatch {
        scope: Scope,
        declared_count: u64,
        declared_amount: Cents,
        written_count: u64,
        written_amount: Cents,
    },

    #[error(
        "une erreur précédente a rendu ce fichier inutilisable ; il faut le reprendre depuis le début"
    )]
    AfterError,
}

impl PaymentFileError {
    /// A stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            PaymentFileError::Io(_) => "paiement_ecriture",
            PaymentFileError::Invalid(_) => "paiement_valeur",
            PaymentFileError::AmountOutOfRange { .. } => "paiement_montant",
            PaymentFileError::Overflow => "paiement_depassement",
            PaymentFileError::DuplicateBordereau(_) => "pes_bordereau_double",
            PaymentFileError::DuplicatePiece { .. } => "pes_mandat_double",
            PaymentFileError::DuplicateLine { .. } => "pes_ligne_double",
            PaymentFileError::EmptyPiece(_) => "pes_mandat_vide",
            PaymentFileError::BankDetailsRequired { .. } => "pes_banque_requise",
            PaymentFileError::BankDetailsForbidden { .. } => "pes_banque_interdite",
            PaymentFileError::BicRefusedByPes(_) => "pes_bic",
            PaymentFileError::NotSepa(_) => "sepa_pays",
            PaymentFileError::EndToEndOrder { .. } => "sepa_reference_ordre",
            PaymentFileError::NoOpenBordereau => "pes_hors_bordereau",
            PaymentFileError::NoBordereau => "pes_sans_bordereau",
            PaymentFileError::TotalsMismatch { .. } => "paiement_totaux",
            PaymentFileError::AfterError => "paiement_apres_erreur",
        }
    }

    /// The same message in English, for logs.
    pub fn message_en(&self) -> String {
        match self {
            PaymentFileError::Io(e) => format!("cannot write the payment file: {e}"),
            PaymentFileError::Invalid(i) => format!(
                "{}: {:?} refused, expected {}",
                i.field_en, i.value, i.expected_en
            ),
            PaymentFileError::AmountOutOfRange {
                field_en,
                amount,
                min,
                max,
                ..
            } => format!(
                "{field_en}: amount {} out of range ({} to {})",
                amount.to_decimal(),
                min.to_decimal(),
                max.to_decimal()
            ),
            PaymentFileError::Overflow => "total cannot be computed: overflow".into(),
            PaymentFileError::DuplicateBordereau(id) => {
                format!("bordereau number {id} already used in this file")
            }
            PaymentFileError::DuplicatePiece { bordereau, piece } => {
                format!("bordereau {bordereau}: mandate {piece} appears twice")
            }
            PaymentFileError::DuplicateLine { piece, line } => {
                format!("mandate {piece}: line {line} appears twice")
            }
            PaymentFileError::EmptyPiece(id) => format!("mandate {id} has no line"),
            PaymentFileError::BankDetailsRequired { piece, line, mode } => format!(
                "mandate {piece}, line {line}: payment mode {mode} requires the payee's bank details"
            ),
            PaymentFileError::BankDetailsForbidden { piece, line, mode } => {
                format!("mandate {piece}, line {line}: payment mode {mode} allows no bank details")
            }
            PaymentFileError::BicRefusedByPes(bic) => {
                format!("BIC {bic} refused by PES (test or passive BIC)")
            }
            PaymentFileError::NotSepa(iban) => format!("IBAN {iban} is outside the SEPA area"),
            PaymentFileError::EndToEndOrder { previous, current } => format!(
                "end-to-end ids not increasing: {current:?} after {previous:?} (they must increase to stay unique)"
            ),
            PaymentFileError::NoOpenBordereau => {
                "a mandate can only be written inside a bordereau (call begin_bordereau)".into()
            }
            PaymentFileError::NoBordereau => "PES file without any bordereau".into(),
            PaymentFileError::TotalsMismatch {
                scope,
                declared_count,
                declared_amount,
                written_count,
                written_amount,
            } => format!(
                "{}: {written_count} item(s) for {} written, {declared_count} item(s) for {} declared in the header; wrong file, discard it",
                scope.en(),
                written_amount.to_decimal(),
                declared_amount.to_decimal()
            ),
            PaymentFileError::AfterError => {
                "an earlier error made this file unusable; start it again".into()
            }
        }
    }

    pub(crate) fn invalid(
        field: &'static str,
        field_en: &'static str,
        value: impl Into<String>,
        expected: &'static str,
        expected_en: &'static str,
    ) -> PaymentFileError {
        PaymentFileError::Invalid(Invalid {
            field,
            field_en,
            value: value.into(),
            expected,
            expected_en,
        })
    }
}
