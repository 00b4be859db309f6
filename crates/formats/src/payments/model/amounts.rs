//! Amounts and totals of the payment files: the largest amounts the formats hold, a SEPA
//! transfer's amount, and the counts a header announces.

use super::*;

/// The largest PES amount: 14 digits, 2 of them decimals (`V_Montant_Light`).
pub const PES_MAX_AMOUNT: Cents = Cents(99_999_999_999_999);
/// The largest SEPA credit transfer (EPC rulebook): 999 999 999.99 EUR.
pub const SEPA_MAX_AMOUNT: Cents = Cents(99_999_999_999);
/// The largest `CtrlSum` (`DecimalNumber`, 18 digits).
pub const SEPA_MAX_CONTROL_SUM: Cents = Cents(999_999_999_999_999_999);

/// The amount of one SEPA credit transfer, 0.01 to 999 999 999.99 EUR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SepaAmount(Cents);

impl SepaAmount {
    pub fn new(amount: Cents) -> Result<SepaAmount, PaymentFileError> {
        if (Cents(1)..=SEPA_MAX_AMOUNT).contains(&amount) {
            Ok(SepaAmount(amount))
        } else {
            Err(PaymentFileError::AmountOutOfRange {
                field: "montant du virement",
                field_en: "transfer amount",
                amount,
                min: Cents(1),
                max: SEPA_MAX_AMOUNT,
            })
        }
    }

    pub fn cents(self) -> Cents {
        self.0
    }
}

/// A number of items and their total amount: what a file's or bordereau's header announces
/// (`NbrPce`/`MtBordHT`, `NbOfTxs`/`CtrlSum`) and what the writer counts. The caller adds up
/// its items in a first pass ([`Totals::add_piece`], [`Totals::add_transfer`]); the writer
/// compares at the end and refuses a file whose header would be wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub count: u64,
    pub amount: Cents,
}

impl Totals {
    /// One more item of `amount`.
    pub fn add(&mut self, amount: Cents) -> Result<(), PaymentFileError> {
        self.count = self
            .count
            .checked_add(1)
            .ok_or(PaymentFileError::Overflow)?;
        self.amount = self
            .amount
            .checked_add(amount)
            .ok_or(PaymentFileError::Overflow)?;
        Ok(())
    }

    /// One more mandate (a bordereau counts mandates, and adds up their lines).
    pub fn add_piece(&mut self, piece: &Piece) -> Result<(), PaymentFileError> {
        self.add(piece.amount()?)
    }

    /// One more transfer.
    pub fn add_transfer(&mut self, transfer: &Transfer) -> Result<(), PaymentFileError> {
        self.add(transfer.amount.cents())
    }
}
