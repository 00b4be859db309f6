//! The PES V2 `PES_Aller` file of dépense (mandates to the public accountant), written as a
//! stream: memory does not grow with the number of mandates.
//!
//! Shape (docs/domain.md "PES V2"; docs/domain.md "PES V2 schemas: reference notes", for generating a Dépense
//! PES_Aller"; `sample_depense.xml`): root `n:PES_Aller` in the `…/pes_v2/Rev0/aller`
//! namespace, every child unqualified, every value in an attribute `V` of an empty element.
//! `Enveloppe` (Version 2, TypFic `PESALR1`, NomFic; Emetteur `RELAIS`), `EnTetePES`,
//! `PES_DepenseAller` with `EnTeteDepense` (IdVer 2, InfoDematerialisee 0: Relais does not
//! sign) and the bordereaux. Encoded in ISO-8859-1, texts folded per [`super::text`].
//!
//! Use: [`PesWriter::new`] writes the headers; [`PesWriter::begin_bordereau`] opens a
//! bordereau with its totals (`NbrPce`, `MtBordHT`) counted by the caller in a first pass
//! (the header comes before its mandates, and a stream cannot go back);
//! [`PesWriter::write_piece`] writes one mandate; the next `begin_bordereau` or
//! [`PesWriter::finish`] closes the bordereau and refuses it when what was written does not
//! match what its header announced. A bordereau holds at most 99 999 mandates (`NbrPce` has
//! 5 digits): a large run is cut into several bordereaux.
//!
//! Our checks of what the schema cannot see (docs/domain.md, "What the schema does not check and
//! Hélios does"): the totals; `IdBord` unique in the file; `IdPce` unique in its bordereau;
//! `IdLigne` unique in its mandate; payment modes 03, 05 and 06 need bank details, and 01, 02,
//! 04, 07, 08, 09, 11 refuse them; a BIC that the PES pattern refuses (test and passive BICs)
//! is an error; a mandat émis après paiement (TypPce 05) has NatPce 01 to 05 (annexe 1) and
//! names the payment it regularises (`RattachPiece`), which no other mandat does.
//! IBAN and RIB keys hold by type. After any error the writer refuses to go on,
//! and the bytes written are to be thrown away.
//!
//! Choices: `TypAdr` 0 (not specified: Hélios keeps the payee's main address if it has one,
//! since ours may be older); `CodRes` 0 (French addresses only); `TVAIntraCom` 0; Civilite and
//! Prenom only for a person (category 01), as Hélios rejects them otherwise.

use super::error::{PaymentFileError, Scope};
use super::model::{
    Address, BankAccount, Bordereau, Issuer, Line, PES_MAX_AMOUNT, Payee, PayeeCategory, PesFile,
    Piece, SettledPayment, Totals,
};
use super::text::{UNKNOWN, escape_attribute, fold_pes, needs_escape};
use super::xml::{Out, push_amount, push_date, push_u64, push_year};
use relais_core::Cents;
use relais_core::ids::Bic;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Write;

/// The `PES_Aller` namespace (`PES_Aller.xsd`, targetNamespace).
pub const PES_NAMESPACE: &str = "http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller";
/// `Emetteur/Sigle` and `Emetteur/Adresse`: the software that made the file.
const SENDER: &[u8] = b"RELAIS";
const SENDER_LABEL: &[u8] = b"RELAIS CONTINUITE DES PAIEMENTS";
/// `NbrPce` is a 5-digit number.
pub const MAX_PIECES_PER_BORDEREAU: u64 = 99_999;

/// What a finished PES file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PesSummary {
    pub bordereaux: u64,
    pub pieces: u64,
    pub lines: u64,
    pub amount: Cents,
}

/// Hashes a number by one multiplication (Fibonacci hashing): the numbers are ours, there is
/// no flooding to fear, and SipHash would cost more than writing the mandate.
#[derive(Default)]
struct NumberHasher(u64);

impl Hasher for NumberHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type NumberSet = HashSet<u32, BuildHasherDefault<NumberHasher>>;

struct OpenBordereau {
    id: u32,
    declared: Totals,
    written: Totals,
    /// `IdPce`s seen: at most 99 999, so memory stays bounded.
    pieces: NumberSet,
}

/// Writes one PES_Aller dépense file to `W` (see the module).
pub struct PesWriter<W: Write> {
    out: Out<W>,
    /// Scratch buffers, reused for every value.
    scratch: Scratch,
    number: Vec<u8>,
    /// The `Tiers` block of the last line's payee, as written (see [`Self::line`]).
    tiers: Out<Vec<u8>>,
    tiers_of: Option<std::sync::Arc<Payee>>,
    /// The line numbers of the mandate being checked, sorted to find a repeat.
    line_ids: Vec<u32>,
    open: Option<OpenBordereau>,
    /// `IdBord`s of the file (a few dozen).
    bordereau_ids: HashSet<u32>,
    summary: PesSummary,
    failed: bool,
    /// The mandate being written line by line: its number, lines and total so far, the last
    /// line's number.
    streamed: Option<(u32, u64, Cents, u32)>,
    /// The payment the mandate being written regularises, repeated in each of its lines.
    settles: Option<SettledPayment>,
}

impl<W: Write> PesWriter<W> {
    /// Writes the declaration, `Enveloppe`, `EnTetePES` and `EnTeteDepense`.
    pub fn new(out: W, issuer: &Issuer, file: &PesFile) -> Result<PesWriter<W>, PaymentFileError> {
        let mut w = PesWriter {
            out: Out::new(out),
            scratch: Scratch::default(),
            number: Vec::with_capacity(32),
            tiers: Out::unbuffered(Vec::with_capacity(1024)),
            tiers_of: None,
            line_ids: Vec::new(),
            open: None,
            bordereau_ids: HashSet::new(),
            summary: PesSummary::default(),
            failed: false,
            streamed: None,
            settles: None,
        };
        w.header(issuer, file)?;
        Ok(w)
    }

    fn header(&mut self, issuer: &Issuer, file: &PesFile) -> Result<(), PaymentFileError> {
        let o = &mut self.out;
        o.declaration("ISO-8859-1")?;
        o.start_with("n:PES_Aller", &[("xmlns:n", PES_NAMESPACE)])?;
        o.start("Enveloppe")?;
        o.start("Parametres")?;
        o.value(b"Version", b"2")?;
        o.value(b"TypFic", b"PESALR1")?;
        o.value(b"NomFic", file.name.as_str().as_bytes())?;
        o.end("Parametres")?;
        o.start("Emetteur")?;
        o.value(b"Sigle", SENDER)?;
        o.value(b"Adresse", SENDER_LABEL)?;
        o.end("Emetteur")?;
        o.end("Enveloppe")?;
        o.start("EnTetePES")?;
        self.number.clear();
        push_date(
            &mut self.number,
            file.created.date(),
            "date du fichier (DteStr)",
            "file date (DteStr)",
        )?;
        let o = &mut self.out;
        o.value(b"DteStr", &self.number)?;
        o.value(b"IdPost", issuer.post.as_str().as_bytes())?;
        o.value(b"IdColl", issuer.siret.as_str().as_bytes())?;
        o.value(b"CodCol", issuer.collectivity.as_str().as_bytes())?;
        o.value(b"CodBud", issuer.budget.as_str().as_bytes())?;
        self.optional_text(b"LibelleColBud", &issuer.budget_label, 38)?;
        let o = &mut self.out;
        o.end("EnTetePES")?;
        o.start("PES_DepenseAller")?;
        o.start("EnTeteDepense")?;
        o.value(b"IdVer", b"2")?;
        o.value(b"InfoDematerialisee", b"0")?;
        o.end("EnTeteDepense")?;
        Ok(())
    }

    /// Runs `step`, and refuses every later call once a step has failed.
    fn guard<T>(
        &mut self,
        step: impl FnOnce(&mut Self) -> Result<T, PaymentFileError>,
    ) -> Result<T, PaymentFileError> {
        if self.failed {
            return Err(PaymentFileError::AfterError);
        }
        let result = step(self);
        self.failed = result.is_err();
        result
    }

    /// Closes the open bordereau, if any, and opens `bordereau`, whose header announces
    /// `declared` (number of mandates and total of their lines).
    pub fn begin_bordereau(
        &mut self,
        bordereau: &Bordereau,
        declared: Totals,
    ) -> Result<(), PaymentFileError> {
        self.guard(|w| {
            w.close_bordereau()?;
            w.open_bordereau(bordereau, declared)
        })
    }

    /// Writes one mandate in the open bordereau.
    pub fn write_piece(&mut self, piece: &Piece) -> Result<(), PaymentFileError> {
        self.guard(|w| w.piece(piece))
    }

    /// Closes the last bordereau and the file, flushes, and gives back the output.
    pub fn finish(mut self) -> Result<(W, PesSummary), PaymentFileError> {
        self.guard(|w| w.close_bordereau())?;
        if self.summary.bordereaux == 0 {
            return Err(PaymentFileError::NoBordereau);
        }
        self.out.end("PES_DepenseAller")?;
        self.out.end("n:PES_Aller")?;
        let summary = self.summary;
        Ok((self.out.finish()?, summary))
    }

    fn open_bordereau(&mut self, b: &Bordereau, declared: Totals) -> Result<(), PaymentFileError> {
        let id = b.id.get();
        if !(1..=MAX_PIECES_PER_BORDEREAU).contains(&declared.count) {
            return Err(PaymentFileError::invalid(
                "nombre de mandats du bordereau (NbrPce)",
                "number of mandates of the bordereau (NbrPce)",
                declared.count.to_string(),
                "de 1 à 99 999 (découper en plusieurs bordereaux)",
                "1 to 99,999 (split into several bordereaux)",
            ));
        }
        check_amount(
            declared.amount,
            Cents::ZERO,
            "total du bordereau (MtBordHT)",
            "bordereau total (MtBordHT)",
        )?;
        if let Some(cumul) = b.cumulative_annual {
            check_amount(
                cumul,
                Cents(1),
                "cumul annuel (MtCumulAnnuel)",
                "year-to-date total (MtCumulAnnuel)",
            )?;
        }
        if !self.bordereau_ids.insert(id) {
            return Err(PaymentFileError::DuplicateBordereau(id));
        }
        self.out.start("Bordereau")?;
        self.out.start("BlocBordereau")?;
        self.number.clear();
        push_year(
            &mut self.number,
            b.year,
            "exercice (Exer)",
            "budget year (Exer)",
        )?;
        self.out.value(b"Exer", &self.number)?;
        self.number.clear();
        push_u64(&mut self.number, id.into());
        self.out.value(b"IdBord", &self.number)?;
        self.number.clear();
        push_date(
            &mut self.number,
            b.date,
            "date du bordereau (DteBordEm)",
            "bordereau date (DteBordEm)",
        )?;
        self.out.value(b"DteBordEm", &self.number)?;
        self.out.value(b"TypBord", b.kind.code().as_bytes())?;
        self.number.clear();
        push_u64(&mut self.number, declared.count);
        self.out.value(b"NbrPce", &self.number)?;
        if let Some(cumul) = b.cumulative_annual {
            self.number.clear();
            push_amount(&mut self.number, cumul);
            self.out.value(b"MtCumulAnnuel", &self.number)?;
        }
        self.number.clear();
        push_amount(&mut self.number, declared.amount);
        self.out.value(b"MtBordHT", &self.number)?;
        self.out.end("BlocBordereau")?;
        self.open = Some(OpenBordereau {
            id,
            declared,
            written: Totals::default(),
            pieces: NumberSet::default(),
        });
        Ok(())
    }

    fn close_bordereau(&mut self) -> Result<(), PaymentFileError> {
        let Some(open) = self.open.take() else {
            return Ok(());
        };
        if open.written != open.declared {
            return Err(PaymentFileError::TotalsMismatch {
                scope: Scope::Bordereau(open.id),
                declared_count: open.declared.count,
                declared_amount: open.declared.amount,
                written_count: open.written.count,
                written_amount: open.written.amount,
            });
        }
        self.out.end("Bordereau")?;
        self.summary.bordereaux += 1;
        self.summary.amount = self
            .summary
            .amount
            .checked_add(open.written.amount)
            .ok_or(PaymentFileError::Overflow)?;
        Ok(())
    }

    /// Everything about a mandate that can be refused, before a byte of it is written.
    fn check_piece(&mut self, piece: &Piece) -> Result<Cents, PaymentFileError> {
        if self.open.is_none() {
            return Err(PaymentFileError::NoOpenBordereau);
        }
        let id = piece.id.get();
        if piece.lines.is_empty() {
            return Err(PaymentFileError::EmptyPiece(id));
        }
        // Sorted, not compared pairwise: an establishment's mandate has thousands of lines.
        self.line_ids.clear();
        self.line_ids.extend(piece.lines.iter().map(|l| l.id.get()));
        self.line_ids.sort_unstable();
        if let Some(pair) = self.line_ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(PaymentFileError::DuplicateLine {
                piece: id,
                line: pair[0],
            });
        }
        for line in &piece.lines {
            check_amount(
                line.amount,
                Cents(1),
                "montant de la ligne (MtHT)",
                "line amount (MtHT)",
            )?;
            check_bank(id, line)?;
        }
        let amount = piece.amount()?;
        let open = self
            .open
            .as_mut()
            .ok_or(PaymentFileError::NoOpenBordereau)?;
        if !open.pieces.insert(id) {
            return Err(PaymentFileError::DuplicatePiece {
                bordereau: open.id,
                piece: id,
            });
        }
        open.written.add(amount)?;
        Ok(amount)
    }

    fn piece(&mut self, piece: &Piece) -> Result<(), PaymentFileError> {
        self.check_piece(piece)?;
        self.piece_header(piece)?;
        for line in &piece.lines {
            self.line(line)?;
        }
        self.out.end("Piece")?;
        self.summary.pieces += 1;
        self.summary.lines += piece.lines.len() as u64;
        Ok(())
    }

    /// `<Piece>` and its `BlocPiece`.
    fn piece_header(&mut self, piece: &Piece) -> Result<(), PaymentFileError> {
        check_kind(piece)?;
        self.settles = piece.settles;
        self.out.start("Piece")?;
        self.out.start("BlocPiece")?;
        self.out.start("InfoPce")?;
        self.number.clear();
        push_u64(&mut self.number, piece.id.get().into());
        self.out.value(b"IdPce", &self.number)?;
        self.out.value(b"TypPce", piece.kind.code().as_bytes())?;
        self.out.value(b"NatPce", piece.nature.code().as_bytes())?;
        self.optional_text(b"Obj", &piece.object, 100)?;
        if let Some(due) = piece.due_date {
            self.number.clear();
            push_date(
                &mut self.number,
                due,
                "date d'échéance (DteEch)",
                "due date (DteEch)",
            )?;
            self.out.value(b"DteEch", &self.number)?;
        }
        self.out.end("InfoPce")?;
        if let Some(d) = &piece.deadline {
            self.deadline(d)?;
        }
        self.out.end("BlocPiece")?;
        Ok(())
    }

    fn line(&mut self, line: &Line) -> Result<(), PaymentFileError> {
        self.out.start("LigneDePiece")?;
        self.out.start("BlocLignePiece")?;
        self.out.start("InfoLignePce")?;
        self.number.clear();
        push_u64(&mut self.number, line.id.get().into());
        self.out.value(b"IdLigne", &self.number)?;
        self.number.clear();
        push_u64(&mut self.number, line.account.get());
        self.out.value(b"Nature", &self.number)?;
        if let Some(function) = &line.function {
            self.out.value(b"Fonction", function.as_str().as_bytes())?;
        }
        self.optional_text(b"Facture", &line.invoice, 20)?;
        self.optional_text(b"LibVir1", &line.transfer_label, 70)?;
        self.out
            .value(b"ModRegl", line.payment_mode.code().as_bytes())?;
        self.out.value(b"TVAIntraCom", b"0")?;
        self.number.clear();
        push_amount(&mut self.number, line.amount);
        self.out.value(b"MtHT", &self.number)?;
        self.out.end("InfoLignePce")?;
        if let Some(settles) = self.settles {
            self.settled(settles)?;
        }
        self.out.end("BlocLignePiece")?;

        // A mandate's lines share their payee: its `Tiers` is folded and escaped once, then
        // copied (two thirds of a line's bytes; an establishment has thousands of lines).
        if !self
            .tiers_of
            .as_ref()
            .is_some_and(|p| std::sync::Arc::ptr_eq(p, &line.payee))
        {
            self.tiers_of = None;
            self.tiers.get_mut().clear();
            write_tiers(&mut self.tiers, &mut self.scratch, &line.payee)?;
            self.tiers_of = Some(std::sync::Arc::clone(&line.payee));
        }
        self.out.bytes(self.tiers.get_ref())?;
        self.out.end("LigneDePiece")?;
        Ok(())
    }

    fn optional_text(
        &mut self,
        name: &[u8],
        text: &str,
        max: usize,
    ) -> Result<bool, PaymentFileError> {
        self.scratch.optional_text(&mut self.out, name, text, max)
    }
}

mod blocks;
mod streamed;
mod tiers;
use blocks::check_kind;
use tiers::write_tiers;

/// Buffers reused for every text value (no allocation per line).
#[derive(Default)]
struct Scratch {
    raw: Vec<u8>,
    escaped: Vec<u8>,
    names: String,
}

impl Scratch {
    /// Writes `<name V="…"/>` with `text` folded, when something valid is left; says whether
    /// it wrote.
    fn optional_text<W: Write>(
        &mut self,
        out: &mut Out<W>,
        name: &[u8],
        text: &str,
        max: usize,
    ) -> Result<bool, PaymentFileError> {
        if !fold_pes(text, max, &mut self.raw) {
            return Ok(false);
        }
        if needs_escape(&self.raw) {
            escape_attribute(&self.raw, &mut self.escaped);
            out.value(name, &self.escaped)?;
        } else {
            out.value(name, &self.raw)?;
        }
        Ok(true)
    }

    /// Writes `<name V="…"/>` with `text` folded, or [`UNKNOWN`] when nothing valid is left.
    fn required_text<W: Write>(
        &mut self,
        out: &mut Out<W>,
        name: &[u8],
        text: &str,
        max: usize,
    ) -> Result<(), PaymentFileError> {
        if !self.optional_text(out, name, text, max)? {
            out.value(name, UNKNOWN.as_bytes())?;
        }
        Ok(())
    }
}

/// `amount` in `min..=PES_MAX_AMOUNT`.
fn check_amount(
    amount: Cents,
    min: Cents,
    field: &'static str,
    field_en: &'static str,
) -> Result<(), PaymentFileError> {
    if (min..=PES_MAX_AMOUNT).contains(&amount) {
        Ok(())
    } else {
        Err(PaymentFileError::AmountOutOfRange {
            field,
            field_en,
            amount,
            min,
            max: PES_MAX_AMOUNT,
        })
    }
}

/// Payment mode against bank details, and a BIC the PES pattern accepts.
fn check_bank(piece: u32, line: &Line) -> Result<(), PaymentFileError> {
    let mode = line.payment_mode;
    match &line.payee.bank {
        None if mode.requires_bank_details() => Err(PaymentFileError::BankDetailsRequired {
            piece,
            line: line.id.get(),
            mode: mode.code(),
        }),
        Some(_) if mode.forbids_bank_details() => Err(PaymentFileError::BankDetailsForbidden {
            piece,
            line: line.id.get(),
            mode: mode.code(),
        }),
        Some(BankAccount { bic: Some(bic), .. }) if !pes_accepts_bic(bic) => {
            Err(PaymentFileError::BicRefusedByPes(bic.clone()))
        }
        _ => Ok(()),
    }
}

/// `V_Texte11BIC`: `[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?`. A `Bic` already has six
/// letters and upper-case letters or digits after; the PES also refuses 0 and 1 in 7th place
/// (test and passive BICs) and O in 8th.
pub fn pes_accepts_bic(bic: &Bic) -> bool {
    let b = bic.as_str().as_bytes();
    let seventh = b
        .get(6)
        .is_some_and(|&c| c.is_ascii_uppercase() || (b'2'..=b'9').contains(&c));
    let eighth = b.get(7).is_some_and(|&c| c != b'O');
    seventh && eighth
}
