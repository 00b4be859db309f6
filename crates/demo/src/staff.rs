//! `agents.csv`: the payroll, exported by an old HR system in Windows-1252 with capitalised
//! headers, `;`, CRLF, French dates and decimal comma, and a blank line at the end.

use crate::bad_rows::{AgentFlaw, FileId, three_decimals};
use crate::banks::{self, AccountFlaw};
use crate::csv_out::Table;
use crate::identifiers;
use crate::identity::{first_name, last_name};
use crate::names::fits_windows_1252;
use crate::payslips::Paid;
use crate::people::Context;
use crate::rng::{Aspect, Rng};
use std::io;

pub const COLUMNS: [&str; 11] = [
    "matricule",
    "nom",
    "prenom",
    "nir",
    "iban",
    "bic",
    "net_mensuel",
    "variables",
    "date_entree",
    "date_sortie",
    "service",
];

const HEADERS: [&str; 11] = [
    "MATRICULE",
    "NOM",
    "PRÉNOM",
    "NIR",
    "IBAN",
    "BIC",
    "NET MENSUEL",
    "VARIABLES",
    "DATE ENTRÉE",
    "DATE SORTIE",
    "SERVICE",
];

/// Services of a département, weighted by headcount (colleges' technical staff and roads are
/// the largest).
const SERVICES: &[(u32, &str)] = &[
    (180, "Agents techniques des collèges"),
    (120, "Direction des routes"),
    (30, "Agence routière territoriale de Meaux"),
    (30, "Agence routière territoriale de Coulommiers"),
    (30, "Agence routière territoriale de Fontainebleau"),
    (30, "Agence routière territoriale de Provins"),
    (60, "Aide sociale à l'enfance"),
    (50, "Protection maternelle et infantile"),
    (45, "Direction de l'autonomie"),
    (40, "Maison départementale des personnes handicapées"),
    (25, "MDS de Meaux"),
    (25, "MDS de Chelles"),
    (25, "MDS de Melun Val-de-Seine"),
    (20, "MDS de Sénart"),
    (20, "MDS de Noisiel"),
    (15, "MDS de Coulommiers"),
    (15, "MDS de Provins"),
    (15, "MDS de Fontainebleau"),
    (15, "MDS de Montereau"),
    (15, "MDS de Nemours"),
    (15, "MDS de Lagny-sur-Marne"),
    (15, "MDS de Mitry-Mory"),
    (15, "MDS de Roissy-en-Brie"),
    (15, "MDS de Tournan-en-Brie"),
    (30, "Direction des finances"),
    (30, "Direction des ressources humaines"),
    (25, "Direction des systèmes d'information"),
    (20, "Direction des transports"),
    (
        20,
        "Direction de l'eau, de l'environnement et de l'agriculture",
    ),
    (15, "Archives départementales"),
    (12, "Médiathèque départementale"),
    (15, "Direction générale des services"),
    (10, "Cabinet du président"),
];

/// How many agents: as asked (`relais demo --agents N`), else about 5 % of the number of
/// people, at least 5, at most 6,000 (Seine-et-Marne has 5,000).
pub fn count(size: u32, asked: Option<u64>) -> u64 {
    asked.unwrap_or_else(|| u64::from(size / 20).clamp(5, 6000))
}

/// A name Windows-1252 can hold (the export would have mangled the others).
fn agent_name(rng: &mut Rng, female: bool, birth: crate::dates::Day) -> (String, &'static str) {
    for _ in 0..20 {
        let last = last_name(rng);
        let first = first_name(rng, female, birth);
        if fits_windows_1252(&last) && fits_windows_1252(first) {
            return (last, first);
        }
    }
    ("Martin".to_owned(), if female { "Marie" } else { "Jean" })
}

/// Net monthly pay in cents by category (C, B, A).
fn net_pay(rng: &mut Rng) -> i64 {
    let euros = match rng.below(100) {
        0..60 => rng.between(1500, 2100),
        60..85 => rng.between(2000, 2900),
        _ => rng.between(2800, 4500),
    };
    euros * 100 + rng.between(0, 99)
}

/// Writes `agents.csv`; the agents written without a flaw, for `paie.csv`.
pub fn write(ctx: &Context, table: &mut Table) -> io::Result<Vec<Paid>> {
    let mut paid = Vec::new();
    table.header(&HEADERS)?;
    let decimal = table.style().decimal;
    let mut schedule = ctx.schedule(FileId::Agents, AgentFlaw::ALL.len());
    let mut rng = ctx.streams.stream(Aspect::Agents, 0);
    let today = ctx.today;
    for i in 0..count(ctx.size, ctx.agents) {
        let flaw = schedule.at(i).map(|f| AgentFlaw::ALL[f]);
        let matricule = format!("M{:06}", 10_000 + i * 3 + rng.below(3));
        let female = rng.per_mille(580);
        let age = rng.between(20, 64);
        let birth = today.plus(-(age * 365 + age / 4 + rng.between(2, 360)));
        let (last, first) = agent_name(&mut rng, female, birth);
        let place = identifiers::birth_place(&mut rng);
        let order = 1 + rng.below(999) as u16;
        let nir = identifiers::nir(female, birth, place, order, flaw == Some(AgentFlaw::NirKey))?;
        let account_flaw = match flaw {
            Some(AgentFlaw::IbanMod97) => Some(AccountFlaw::Mod97),
            Some(AgentFlaw::RibKey) => Some(AccountFlaw::RibKey),
            Some(AgentFlaw::Bic) => Some(AccountFlaw::Bic),
            _ => None,
        };
        let bank = banks::draw_bank(&mut rng);
        let account = banks::french_account(&mut rng, bank, account_flaw)?;
        let net = net_pay(&mut rng);
        let variables = if rng.per_mille(400) {
            rng.between(20, 600) * 100 + rng.between(0, 99)
        } else {
            0
        };
        let years_in = rng.between(0, (age - 19).max(1)).min(40);
        let entry = today.plus(-(years_in * 365 + rng.between(30, 364)));
        let exit = rng
            .per_mille(15)
            .then(|| today.plus(rng.between(-40, 45)).month().last_day())
            .map(|d| d.max(entry.plus(30).month().last_day()));
        let service = rng.weighted(SERVICES);

        let write_row =
            |table: &mut Table, matricule: &str, last: &str, bad: bool| -> io::Result<()> {
                table.field(matricule);
                table.field(last);
                table.field(first);
                table.field(&nir);
                // Printed as on a RIB, in groups of four.
                table.field(&banks::grouped(&account.iban));
                table.field(account.bic);
                match flaw {
                    Some(AgentFlaw::NegativeAmount) => table.money(-net),
                    Some(AgentFlaw::ThreeDecimals) => table.field(&three_decimals(net, decimal)),
                    _ => table.money(net),
                }
                // This export leaves the column empty when there is nothing variable.
                if variables == 0 {
                    table.field("");
                } else {
                    table.money(variables);
                }
                if flaw == Some(AgentFlaw::TooFewColumns) {
                    return table.end_row(true);
                }
                if flaw == Some(AgentFlaw::ImpossibleDate) {
                    table.field_fmt(format_args!("30/02/{}", entry.ymd().0));
                } else {
                    table.date(entry);
                }
                table.opt_date(exit);
                table.field(service);
                table.end_row(bad)
            };
        match flaw {
            Some(AgentFlaw::EmptyName) => write_row(table, &matricule, "", true)?,
            Some(AgentFlaw::DuplicateId) => {
                // Two agents under one matricule: the second row is the bad one.
                write_row(table, &matricule, &last, false)?;
                let (other, _) = agent_name(&mut rng, female, birth);
                write_row(table, &matricule, &other, false)?;
                table.mark_last_bad();
            }
            Some(_) => write_row(table, &matricule, &last, true)?,
            None => {
                write_row(table, &matricule, &last, false)?;
                paid.push(Paid {
                    matricule,
                    net,
                    service,
                });
            }
        }
    }
    table.blank_line()?;
    Ok(paid)
}
