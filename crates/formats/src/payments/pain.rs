//! The ISO 20022 `pain.001.001.09` credit transfer initiation (SEPA), written as a stream.
//!
//! Rules (docs/domain.md "SEPA credit transfer"; EPC SCT rulebook 2023 and its customer-to-bank
//! implementation guidelines, EPC132-08): UTF-8; one `PmtInf` with `PmtMtd` TRF, service level
//! `SEPA`, `ChrgBr` SLEV, the requested execution date; texts in the EPC Latin set (see
//! [`super::text`]), names cut at 70, one unstructured remittance of at most 140; references
//! of at most 35 safe characters ([`super::model::SepaId`]); amounts 0.01 to 999 999 999.99
//! EUR ([`super::model::SepaAmount`]), written from integer cents (`98529.87`, never a float);
//! creditor IBANs of the SEPA area only.
//!
//! `NbOfTxs` and `CtrlSum` stand in the headers, before the transactions: the caller counts
//! them in a first pass ([`super::model::Totals::add_transfer`]) and gives them to
//! [`Pain001Writer::new`]; [`Pain001Writer::finish`] refuses the file when the transactions
//! written do not match (a wrong `CtrlSum` is a rejected file, docs/domain.md).
//!
//! BICs are optional since the 2016 rulebook (IBAN-only): without the debtor's BIC the debtor
//! agent is `<Othr><Id>NOTPROVIDED</Id></Othr>` (the agent is mandatory in the schema, the
//! implementation guidelines prescribe this form); without a creditor's BIC the creditor
//! agent, optional in the schema, is left out.
//!
//! `EndToEndId`s must come in strictly increasing order (byte order): that proves them unique
//! in constant memory (a set of 2 million references would not be). A run numbers its
//! transfers, zero-padded.
//!
//! The header is `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
//! xmlns:xsi="…" xsi:schemaLocation="urn:… pain.001.001.09.xsd">`: namespace and
//! schemaLocation exactly as the ISO message definition names them (banks check it).

use super::error::{PaymentFileError, Scope};
use super::model::{Issuer, SEPA_MAX_CONTROL_SUM, SepaFile, Totals, Transfer, is_sepa};
use super::text::{UNKNOWN, fold_epc};
use super::xml::{Out, push_amount, push_date, push_date_time, push_u64};
use relais_core::ids::Bic;
use std::io::Write;

/// The pain.001.001.09 namespace.
pub const PAIN_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";
const SCHEMA_LOCATION: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09 pain.001.001.09.xsd";
/// EPC: names of at most 70 characters (the schema allows 140).
const NAME_MAX: usize = 70;
/// EPC: one unstructured remittance of at most 140 characters.
const REMITTANCE_MAX: usize = 140;

/// Writes one pain.001.001.09 file to `W` (see the module).
pub struct Pain001Writer<W: Write> {
    out: Out<W>,
    text: Vec<u8>,
    number: Vec<u8>,
    declared: Totals,
    written: Totals,
    last_end_to_end: String,
    failed: bool,
}

impl<W: Write> Pain001Writer<W> {
    /// Writes the group header and the payment information up to its first transaction.
    /// `declared` is what the transactions will add up to (`NbOfTxs`, `CtrlSum`).
    pub fn new(
        out: W,
        issuer: &Issuer,
        file: &SepaFile,
        declared: Totals,
    ) -> Result<Pain001Writer<W>, PaymentFileError> {
        if declared.count == 0 || declared.count > 999_999_999_999_999 {
            return Err(PaymentFileError::invalid(
                "nombre de virements (NbOfTxs)",
                "number of transfers (NbOfTxs)",
                declared.count.to_string(),
                "au moins un virement",
                "at least one transfer",
            ));
        }
        if !(declared.amount.0 > 0 && declared.amount <= SEPA_MAX_CONTROL_SUM) {
            return Err(PaymentFileError::AmountOutOfRange {
                field: "total de contrôle (CtrlSum)",
                field_en: "control sum (CtrlSum)",
                amount: declared.amount,
                min: relais_core::Cents(1),
                max: SEPA_MAX_CONTROL_SUM,
            });
        }
        if !is_sepa(&issuer.debtor.iban) {
            return Err(PaymentFileError::NotSepa(issuer.debtor.iban.clone()));
        }
        let mut w = Pain001Writer {
            out: Out::new(out),
            text: Vec::with_capacity(160),
            number: Vec::with_capacity(32),
            declared,
            written: Totals::default(),
            last_end_to_end: String::new(),
            failed: false,
        };
        w.header(issuer, file)?;
        Ok(w)
    }

    fn header(&mut self, issuer: &Issuer, file: &SepaFile) -> Result<(), PaymentFileError> {
        self.out.declaration("UTF-8")?;
        self.out.start_with(
            "Document",
            &[
                ("xmlns", PAIN_NAMESPACE),
                ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                ("xsi:schemaLocation", SCHEMA_LOCATION),
            ],
        )?;
        self.out.start("CstmrCdtTrfInitn")?;
        self.out.start("GrpHdr")?;
        self.out.text("MsgId", file.message_id.as_str())?;
        self.number.clear();
        push_date_time(
            &mut self.number,
            file.created,
            "date de création (CreDtTm)",
            "creation date (CreDtTm)",
        )?;
        self.number_text("CreDtTm")?;
        self.totals()?;
        self.out.start("InitgPty")?;
        self.name("Nm", &issuer.name)?;
        self.out.end("InitgPty")?;
        self.out.end("GrpHdr")?;

        self.out.start("PmtInf")?;
        self.out.text("PmtInfId", file.payment_info_id.as_str())?;
        self.out.text("PmtMtd", "TRF")?;
        self.totals()?;
        self.out.start("PmtTpInf")?;
        self.out.start("SvcLvl")?;
        self.out.text("Cd", "SEPA")?;
        self.out.end("SvcLvl")?;
        self.out.end("PmtTpInf")?;
        self.out.start("ReqdExctnDt")?;
        self.number.clear();
        push_date(
            &mut self.number,
            file.execution_date,
            "date d'exécution (ReqdExctnDt)",
            "execution date (ReqdExctnDt)",
        )?;
        self.number_text("Dt")?;
        self.out.end("ReqdExctnDt")?;
        self.out.start("Dbtr")?;
        self.name("Nm", &issuer.debtor.name)?;
        self.out.end("Dbtr")?;
        self.account("DbtrAcct", issuer.debtor.iban.as_str())?;
        self.out.start("DbtrAgt")?;
        self.out.start("FinInstnId")?;
        match &issuer.debtor.bic {
            Some(bic) => self.out.text("BICFI", bic.as_str())?,
            None => {
                self.out.start("Othr")?;
                self.out.text("Id", "NOTPROVIDED")?;
                self.out.end("Othr")?;
            }
        }
        self.out.end("FinInstnId")?;
        self.out.end("DbtrAgt")?;
        self.out.text("ChrgBr", "SLEV")?;
        Ok(())
    }

    /// `NbOfTxs` and `CtrlSum`, as declared.
    fn totals(&mut self) -> Result<(), PaymentFileError> {
        self.number.clear();
        push_u64(&mut self.number, self.declared.count);
        self.number_text("NbOfTxs")?;
        self.number.clear();
        push_amount(&mut self.number, self.declared.amount);
        self.number_text("CtrlSum")
    }

    /// `<name>` with the ASCII of `self.number`.
    fn number_text(&mut self, name: &'static str) -> Result<(), PaymentFileError> {
        // Digits, dots, dashes, colons and a T: ASCII.
        let text = std::str::from_utf8(&self.number).unwrap_or("");
        self.out.text(name, text)?;
        Ok(())
    }

    /// A name in the EPC set, at most 70, or [`UNKNOWN`] when nothing is left.
    fn name(&mut self, element: &'static str, name: &str) -> Result<(), PaymentFileError> {
        let text = if fold_epc(name, NAME_MAX, &mut self.text) {
            // EPC characters are ASCII.
            std::str::from_utf8(&self.text).unwrap_or(UNKNOWN)
        } else {
            UNKNOWN
        };
        self.out.text(element, text)?;
        Ok(())
    }

    fn account(&mut self, element: &'static str, iban: &str) -> Result<(), PaymentFileError> {
        self.out.start(element)?;
        self.out.start("Id")?;
        self.out.text("IBAN", iban)?;
        self.out.end("Id")?;
        self.out.end(element)?;
        Ok(())
    }

    fn agent(&mut self, element: &'static str, bic: &Bic) -> Result<(), PaymentFileError> {
        self.out.start(element)?;
        self.out.start("FinInstnId")?;
        self.out.text("BICFI", bic.as_str())?;
        self.out.end("FinInstnId")?;
        self.out.end(element)?;
        Ok(())
    }

    /// Writes one transfer.
    pub fn write_transfer(&mut self, t: &Transfer) -> Result<(), PaymentFileError> {
        if self.failed {
            return Err(PaymentFileError::AfterError);
        }
        let result = self.transfer(t);
        self.failed = result.is_err();
        result
    }

    fn transfer(&mut self, t: &Transfer) -> Result<(), PaymentFileError> {
        if !is_sepa(&t.creditor_iban) {
            return Err(PaymentFileError::NotSepa(t.creditor_iban.clone()));
        }
        let id = t.end_to_end_id.as_str();
        if !self.last_end_to_end.is_empty() && id <= self.last_end_to_end.as_str() {
            return Err(PaymentFileError::EndToEndOrder {
                previous: self.last_end_to_end.clone(),
                current: id.to_owned(),
            });
        }
        self.last_end_to_end.clear();
        self.last_end_to_end.push_str(id);
        self.written.add(t.amount.cents())?;

        self.out.start("CdtTrfTxInf")?;
        self.out.start("PmtId")?;
        self.out.text("EndToEndId", id)?;
        self.out.end("PmtId")?;
        self.out.start("Amt")?;
        self.number.clear();
        push_amount(&mut self.number, t.amount.cents());
        let amount = std::str::from_utf8(&self.number).unwrap_or("");
        self.out.text_with("InstdAmt", &[("Ccy", "EUR")], amount)?;
        self.out.end("Amt")?;
        if let Some(bic) = &t.creditor_bic {
            self.agent("CdtrAgt", bic)?;
        }
        self.out.start("Cdtr")?;
        self.name("Nm", &t.creditor_name)?;
        self.out.end("Cdtr")?;
        self.account("CdtrAcct", t.creditor_iban.as_str())?;
        if fold_epc(&t.remittance, REMITTANCE_MAX, &mut self.text) {
            self.out.start("RmtInf")?;
            let text = std::str::from_utf8(&self.text).unwrap_or("");
            self.out.text("Ustrd", text)?;
            self.out.end("RmtInf")?;
        }
        self.out.end("CdtTrfTxInf")?;
        Ok(())
    }

    /// Checks that the transfers written are those declared, closes the file, flushes, and
    /// gives back the output with the totals.
    pub fn finish(mut self) -> Result<(W, Totals), PaymentFileError> {
        if self.failed {
            return Err(PaymentFileError::AfterError);
        }
        if self.written != self.declared {
            return Err(PaymentFileError::TotalsMismatch {
                scope: Scope::File,
                declared_count: self.declared.count,
                declared_amount: self.declared.amount,
                written_count: self.written.count,
                written_amount: self.written.amount,
            });
        }
        self.out.end("PmtInf")?;
        self.out.end("CstmrCdtTrfInitn")?;
        self.out.end("Document")?;
        let written = self.written;
        Ok((self.out.finish()?, written))
    }
}
