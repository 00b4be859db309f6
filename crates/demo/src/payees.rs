//! `tiers.csv`: who is paid — the shared pool first, then each person paid directly, with
//! their bank details, and the deliberately bad payee rows.

use crate::bad_rows::PayeeFlaw;
use crate::banks::{self, Account, AccountFlaw};
use crate::communes::commune;
use crate::csv_out::Table;
use crate::dates::Day;
use crate::identifiers::{self, OrgKind};
use crate::identity::Identity;
use crate::people::{Context, PersonPlan, Walker};
use crate::pool::Shared;
use crate::rng::{Aspect, Rng};
use std::io;

pub const COLUMNS: [&str; 12] = [
    "tiers_id",
    "type",
    "nom",
    "siret",
    "iban",
    "bic",
    "titulaire",
    "adresse",
    "code_postal",
    "commune",
    "iban_modifie_le",
    "forme_juridique",
];

/// This export's spelling of the headers (capitals, accents, spaces).
const HEADERS: [&str; 12] = [
    "Tiers_ID",
    "Type",
    "Nom",
    "SIRET",
    "IBAN",
    "BIC",
    "Titulaire",
    "Adresse",
    "Code postal",
    "Commune",
    "IBAN modifié le",
    "Forme juridique",
];

/// A payee row before it is written, flaws applied by changing fields.
struct Row<'a> {
    id: String,
    kind: &'a str,
    name: String,
    siret: String,
    account: Account,
    holder: String,
    address: String,
    postal_code: &'a str,
    city: &'a str,
    iban_changed: Option<Day>,
    /// As the source system spells it; empty for people (their kind tells).
    legal_form: &'a str,
}

impl Row<'_> {
    fn write(&self, table: &mut Table, bad: bool, too_few: bool) -> io::Result<()> {
        table.field(&self.id);
        table.field(self.kind);
        table.field(&self.name);
        table.field(&self.siret);
        table.field(&self.account.iban);
        table.field(self.account.bic);
        if too_few {
            return table.end_row(true);
        }
        table.field(&self.holder);
        table.field(&self.address);
        table.field(self.postal_code);
        table.field(self.city);
        table.opt_date(self.iban_changed);
        table.field(self.legal_form);
        table.end_row(bad)
    }
}

fn shared_row<'a>(s: &'a Shared, kind: &'a str) -> Row<'a> {
    let c = commune(s.commune);
    Row {
        id: s.id.clone(),
        kind,
        name: s.name.clone(),
        siret: s.siret.clone(),
        account: s.account.clone(),
        holder: s.holder.clone(),
        address: s.address.clone(),
        postal_code: c.postal_code,
        city: c.name,
        iban_changed: None,
        legal_form: s.legal_form,
    }
}

/// A person's own bank account: mostly French, a handful in Belgium or Germany.
fn person_account(rng: &mut Rng, flaw: Option<AccountFlaw>) -> io::Result<Account> {
    if flaw.is_none() && rng.per_mille(3) {
        return banks::foreign_account(rng);
    }
    let bank = banks::draw_bank(rng);
    banks::french_account(rng, bank, flaw)
}

fn account_flaw(flaw: PayeeFlaw) -> Option<AccountFlaw> {
    match flaw {
        PayeeFlaw::IbanMod97 => Some(AccountFlaw::Mod97),
        PayeeFlaw::RibKey => Some(AccountFlaw::RibKey),
        PayeeFlaw::Bic => Some(AccountFlaw::Bic),
        _ => None,
    }
}

/// "Mme Élodie Lefèvre", "M. Jean Martin", sometimes a joint account.
fn holder(rng: &mut Rng, female: bool, id: &Identity) -> String {
    if rng.per_mille(60) {
        format!("M. ou Mme {}", id.last_name)
    } else {
        let civility = if female { "Mme" } else { "M." };
        format!("{civility} {} {}", id.first_name, id.last_name)
    }
}

fn person_row<'a>(
    ctx: &Context,
    plan: &PersonPlan,
    id: &Identity,
    rng: &mut Rng,
) -> io::Result<Row<'a>> {
    let c = commune(plan.commune);
    let account = person_account(rng, None)?;
    // Bank details changed recently: the classic fraud in a crisis, flagged by the run.
    let iban_changed = rng
        .per_mille(20)
        .then(|| ctx.today.plus(-rng.between(1, 60)));
    // A few addresses were typed on two lines in the source system: a quoted line break.
    let mut address = id.address.clone();
    if rng.per_mille(5) {
        address = address.replacen(", ", "\n", 1);
    }
    Ok(Row {
        id: Context::person_payee_id(plan.number),
        kind: "personne",
        name: format!("{} {}", id.last_name, id.first_name),
        siret: String::new(),
        account,
        holder: holder(rng, plan.female, id),
        address,
        postal_code: c.postal_code,
        city: c.name,
        iban_changed,
        legal_form: "",
    })
}

/// A bad payee row for `plan`, with id `id`, made wrong by `flaw`.
fn bad_row<'a>(
    plan: &PersonPlan,
    ident: &Identity,
    rng: &mut Rng,
    id: String,
    flaw: PayeeFlaw,
) -> io::Result<Row<'a>> {
    let c = commune(plan.commune);
    let mut row = Row {
        id,
        kind: "personne",
        name: format!("{} {}", ident.last_name, ident.first_name),
        siret: String::new(),
        account: person_account(rng, account_flaw(flaw))?,
        holder: holder(rng, plan.female, ident),
        address: ident.address.clone(),
        postal_code: c.postal_code,
        city: c.name,
        iban_changed: None,
        legal_form: "",
    };
    match flaw {
        PayeeFlaw::EmptyHolder => row.holder.clear(),
        PayeeFlaw::UnknownKind => row.kind = "particulier",
        PayeeFlaw::PostalCode => row.postal_code = c.postal_code.get(..4).unwrap_or("7700"),
        PayeeFlaw::SiretKey => {
            // A small home-help business of the person's family, with a mistyped SIRET.
            row.kind = "service";
            row.name = format!("{} Services à domicile", ident.last_name);
            row.holder = row.name.clone();
            row.siret = identifiers::siret(rng, OrgKind::Company, true)?;
            row.legal_form = "SARL";
        }
        _ => {}
    }
    Ok(row)
}

/// Writes `tiers.csv`.
pub fn write(ctx: &Context, table: &mut Table) -> io::Result<()> {
    table.header(&HEADERS)?;
    let pool = &ctx.pool;
    // Kinds as another tool typed them: capitals and accents the reader must fold.
    for s in &pool.services {
        shared_row(s, "Service").write(table, false, false)?;
    }
    for s in &pool.establishments {
        shared_row(s, "Établissement").write(table, false, false)?;
    }
    for s in &pool.guardians {
        shared_row(s, "Tuteur").write(table, false, false)?;
    }
    for plan in Walker::new(ctx) {
        if !plan.own_payee && plan.stray_payee.is_none() && plan.rejected_payee.is_none() {
            continue;
        }
        let ident = Identity::draw(ctx, &plan);
        let mut rng = ctx.streams.stream(Aspect::Bank, plan.index);
        if plan.own_payee {
            person_row(ctx, &plan, &ident, &mut rng)?.write(table, false, false)?;
        }
        if let Some(flaw) = plan.stray_payee {
            let id = if flaw == PayeeFlaw::DuplicateId {
                // Second bank details under the same payee number.
                Context::person_payee_id(plan.number)
            } else {
                format!("{}X", Context::person_payee_id(plan.number))
            };
            let too_few = flaw == PayeeFlaw::TooFewColumns;
            bad_row(&plan, &ident, &mut rng, id, flaw)?.write(table, true, too_few)?;
        }
        if let Some(flaw) = plan.rejected_payee {
            let id = rejected_payee_id(plan.number);
            bad_row(&plan, &ident, &mut rng, id, flaw)?.write(table, true, false)?;
        }
    }
    Ok(())
}

/// The id of a person's bad payee row that a bad right points at.
pub fn rejected_payee_id(number: u64) -> String {
    format!("{}R", Context::person_payee_id(number))
}
