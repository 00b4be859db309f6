//! A payee's `Tiers` block of a PES mandate: who, where, and where to pay.

use super::*;

/// Writes a payee's `Tiers` block: who, where, and where to pay.
pub(super) fn write_tiers<W: Write>(
    out: &mut Out<W>,
    s: &mut Scratch,
    payee: &Payee,
) -> Result<(), PaymentFileError> {
    let person = payee.category == PayeeCategory::PERSON;
    out.start("Tiers")?;
    out.start("InfoTiers")?;
    if let Some(siret) = &payee.siret {
        out.value(b"IdTiers", siret.as_str().as_bytes())?;
        out.value(b"NatIdTiers", b"01")?;
    }
    s.optional_text(out, b"RefTiers", &payee.reference, 30)?;
    out.value(b"CatTiers", payee.category.code().as_bytes())?;
    out.value(b"NatJur", payee.legal_nature.code().as_bytes())?;
    // Civilite and Prenom only for a natural person (Hélios rejects them otherwise), and only
    // when known: never a placeholder the accountant would print on the payment.
    if person {
        s.optional_text(out, b"Civilite", &payee.civility, 10)?;
    }
    s.required_text(out, b"Nom", &payee.last_name, 38)?;
    if person {
        s.optional_text(out, b"Prenom", &payee.first_name, 38)?;
    }
    out.end("InfoTiers")?;
    if let Some(a) = &payee.address {
        write_address(out, s, a)?;
    }
    if let Some(bank) = &payee.bank {
        write_bank(out, s, bank, payee)?;
    }
    out.end("Tiers")?;
    Ok(())
}

fn write_address<W: Write>(
    out: &mut Out<W>,
    s: &mut Scratch,
    a: &Address,
) -> Result<(), PaymentFileError> {
    out.start("Adresse")?;
    out.value(b"TypAdr", b"0")?;
    s.optional_text(out, b"Adr1", &a.line1, 38)?;
    s.required_text(out, b"Adr2", &a.line2, 38)?;
    s.optional_text(out, b"Adr3", &a.line3, 38)?;
    out.value(b"CP", a.postcode.as_str().as_bytes())?;
    s.required_text(out, b"Ville", &a.city, 38)?;
    out.value(b"CodRes", b"0")?;
    out.end("Adresse")?;
    Ok(())
}

fn write_bank<W: Write>(
    out: &mut Out<W>,
    s: &mut Scratch,
    bank: &BankAccount,
    p: &Payee,
) -> Result<(), PaymentFileError> {
    out.start("CpteBancaire")?;
    if let Some(bic) = &bank.bic {
        out.value(b"BIC", bic.as_str().as_bytes())?;
    }
    out.value(b"IBAN", bank.iban.as_str().as_bytes())?;
    if !s.optional_text(out, b"TitCpte", &bank.holder, 32)? {
        // The holder is the payee: their names, as the sample writes them.
        let mut names = std::mem::take(&mut s.names);
        names.clear();
        if p.category == PayeeCategory::PERSON {
            for part in [&p.civility, &p.last_name, &p.first_name] {
                names.push_str(part);
                names.push(' ');
            }
        } else {
            names.push_str(&p.last_name);
        }
        let written = s.required_text(out, b"TitCpte", &names, 32);
        s.names = names;
        written?;
    }
    out.end("CpteBancaire")?;
    Ok(())
}
