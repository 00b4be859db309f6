//! A mandate written line by line: a payroll's mandat has a line per agent (50,000 at a
//! national employer's), which is never held in memory whole.

use super::{PesWriter, check_amount, check_bank};
use crate::payments::PaymentFileError;
use crate::payments::model::{Line, Piece};
use relais_core::Cents;
use std::io::Write;

impl<W: Write> PesWriter<W> {
    /// Starts a mandate whose lines come one by one ([`Self::write_line`], then
    /// [`Self::end_piece`]): a payroll's mandat has a line per agent, never all in memory.
    /// `header`'s lines are ignored. Each line is checked as it comes, its number greater than
    /// the last; a refused line leaves the file unfinished, as any error does.
    pub fn begin_piece(&mut self, header: &Piece) -> Result<(), PaymentFileError> {
        self.guard(|w| {
            if w.streamed.is_some() {
                return Err(PaymentFileError::AfterError);
            }
            let id = header.id.get();
            let open = w.open.as_mut().ok_or(PaymentFileError::NoOpenBordereau)?;
            if !open.pieces.insert(id) {
                return Err(PaymentFileError::DuplicatePiece {
                    bordereau: open.id,
                    piece: id,
                });
            }
            w.piece_header(header)?;
            w.streamed = Some((id, 0, Cents::ZERO, 0));
            Ok(())
        })
    }

    /// Writes a line of the mandate [`Self::begin_piece`] started.
    pub fn write_line(&mut self, line: &Line) -> Result<(), PaymentFileError> {
        self.guard(|w| {
            let (piece, lines, total, last) =
                w.streamed.ok_or(PaymentFileError::NoOpenBordereau)?;
            if line.id.get() <= last {
                return Err(PaymentFileError::DuplicateLine {
                    piece,
                    line: line.id.get(),
                });
            }
            check_amount(
                line.amount,
                Cents(1),
                "montant de la ligne (MtHT)",
                "line amount (MtHT)",
            )?;
            check_bank(piece, line)?;
            let total = total
                .checked_add(line.amount)
                .ok_or(PaymentFileError::Overflow)?;
            w.line(line)?;
            w.streamed = Some((piece, lines + 1, total, line.id.get()));
            Ok(())
        })
    }

    /// Ends the mandate [`Self::begin_piece`] started.
    pub fn end_piece(&mut self) -> Result<(), PaymentFileError> {
        self.guard(|w| {
            let (piece, lines, total, _) =
                w.streamed.take().ok_or(PaymentFileError::NoOpenBordereau)?;
            if lines == 0 {
                return Err(PaymentFileError::EmptyPiece(piece));
            }
            let open = w.open.as_mut().ok_or(PaymentFileError::NoOpenBordereau)?;
            open.written.add(total)?;
            w.out.end("Piece")?;
            w.summary.pieces += 1;
            w.summary.lines += lines;
            Ok(())
        })
    }
}
