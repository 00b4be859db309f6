//! Blocks of a mandate beside its lines' amounts: the délai global de paiement (`DGP`) of a
//! supplier's invoice, and the payment a mandat émis après paiement regularises
//! (`RattachPiece`), with the rule of DosTech annexe 1 on which mandate may carry it.

use super::PesWriter;
use crate::payments::PaymentFileError;
use crate::payments::model::{PaymentDeadline, Piece, PieceKind, SettledPayment};
use crate::payments::xml::{push_amount, push_date, push_u64, push_year};
use relais_core::Cents;
use std::io::Write;

/// `IdPceOrig` has at most 13 digits.
const MAX_PAYMENT_NUMBER: u64 = 9_999_999_999_999;

/// A mandat émis après paiement (TypPce 05) is allowed with NatPce 01 to 05 only (annexe 1:
/// fonctionnement, investissement, inventaire, emprunt, régie — never paie), and names the
/// payment it regularises; no other mandate names one.
pub(super) fn check_kind(piece: &Piece) -> Result<(), PaymentFileError> {
    let after_payment = piece.kind == PieceKind::AFTER_PAYMENT;
    if after_payment && !matches!(piece.nature.code(), "01" | "02" | "03" | "04" | "05") {
        return Err(PaymentFileError::invalid(
            "nature d'un mandat émis après paiement (NatPce)",
            "nature of a mandate issued after payment (NatPce)",
            piece.nature.code(),
            "01 à 05 (annexe 1 du PES V2 : TypPce 05 non admis pour la paie)",
            "01 to 05 (PES V2 annex 1: TypPce 05 is not allowed for payroll)",
        ));
    }
    match (after_payment, piece.settles) {
        (true, None) => Err(PaymentFileError::invalid(
            "paiement régularisé (RattachPiece)",
            "payment regularised (RattachPiece)",
            "absent",
            "le paiement que le mandat émis après paiement régularise",
            "the payment the mandate issued after payment regularises",
        )),
        (false, Some(_)) => Err(PaymentFileError::invalid(
            "paiement régularisé (RattachPiece)",
            "payment regularised (RattachPiece)",
            piece.kind.code(),
            "seulement pour un mandat émis après paiement (TypPce 05)",
            "only for a mandate issued after payment (TypPce 05)",
        )),
        (true, Some(s)) if !(1..=MAX_PAYMENT_NUMBER).contains(&s.payment) => {
            Err(PaymentFileError::invalid(
                "numéro du paiement (IdPceOrig)",
                "payment number (IdPceOrig)",
                s.payment.to_string(),
                "de 1 à 13 chiffres",
                "1 to 13 digits",
            ))
        }
        _ => Ok(()),
    }
}

impl<W: Write> PesWriter<W> {
    /// A line's `RattachPiece`: `NatPceOrig` 03 (paiement), `ExerRat`, `IdPceOrig`; no
    /// `IdLigneOrig` (absent or 0 with a payment).
    pub(super) fn settled(&mut self, s: SettledPayment) -> Result<(), PaymentFileError> {
        self.out.start("RattachPiece")?;
        self.out.value(b"NatPceOrig", b"03")?;
        self.number.clear();
        push_year(
            &mut self.number,
            s.year,
            "exercice du paiement (ExerRat)",
            "payment's budget year (ExerRat)",
        )?;
        self.out.value(b"ExerRat", &self.number)?;
        self.number.clear();
        push_u64(&mut self.number, s.payment);
        self.out.value(b"IdPceOrig", &self.number)?;
        self.out.end("RattachPiece")?;
        Ok(())
    }

    /// The `DGP` block.
    pub(super) fn deadline(&mut self, d: &PaymentDeadline) -> Result<(), PaymentFileError> {
        if d.days == 0 || d.days > 99 {
            return Err(PaymentFileError::invalid(
                "durée du délai global de paiement (DureeDgp)",
                "payment deadline duration (DureeDgp)",
                d.days.to_string(),
                "de 1 à 99 jours",
                "1 to 99 days",
            ));
        }
        self.out.start("DGP")?;
        self.out.value(b"Dgp", b"0")?;
        for (name, day, fr, en) in [
            (
                &b"DteDebDgp"[..],
                d.start,
                "début du délai global de paiement (DteDebDgp)",
                "payment deadline start (DteDebDgp)",
            ),
            (
                &b"DteFinDgp"[..],
                d.end,
                "fin du délai global de paiement (DteFinDgp)",
                "payment deadline end (DteFinDgp)",
            ),
        ] {
            self.number.clear();
            push_date(&mut self.number, day, fr, en)?;
            self.out.value(name, &self.number)?;
        }
        self.number.clear();
        push_u64(&mut self.number, d.days.into());
        self.out.value(b"DureeDgp", &self.number)?;
        if let Some(bp) = d.late_rate.filter(|bp| (1..10_000).contains(bp)) {
            self.out.value(b"CodIntMor", b"02")?;
            self.number.clear();
            push_amount(&mut self.number, Cents(i64::from(bp)));
            self.out.value(b"TxIntMor", &self.number)?;
        }
        self.out.end("DGP")?;
        Ok(())
    }
}
