//! `paie.csv`: the last good month's pay lines, as a payroll software exports them — one line
//! per rubrique and agent, signed from the agent's side (gains positive, deductions negative),
//! the employer's share beside, each line's budget account and creditor. An agent's lines add
//! up to their net of `agents.csv`, but for a few deliberate exceptions (a cent off: the run
//! excludes the agent with the difference shown), and a few agents have no lines at all (their
//! net alone is repeated, contributions to regularise).

use crate::csv_out::Table;
use crate::people::Context;
use crate::rng::{Aspect, Rng};
use std::io;

pub const COLUMNS: [&str; 12] = [
    "matricule",
    "mois",
    "rubrique",
    "libelle",
    "base",
    "taux",
    "montant_salarial",
    "montant_patronal",
    "nature",
    "nature_patronale",
    "fonction",
    "creancier",
];

/// An agent of `agents.csv` written without a flaw, for their pay lines.
#[derive(Debug, Clone)]
pub struct Paid {
    pub matricule: String,
    pub net: i64,
    pub service: &'static str,
}

/// One rubrique: code, label, base, rate (ten-thousandths of a percent), employee amount,
/// employer amount, account, employer account, creditor.
struct Rubrique {
    code: &'static str,
    label: &'static str,
    base: Option<i64>,
    rate: Option<i64>,
    employee: i64,
    employer: i64,
    account: &'static str,
    employer_account: Option<&'static str>,
    creditor: &'static str,
}

/// `amount × rate` (ten-thousandths of a percent), rounded to the cent.
fn pct(amount: i64, rate: i64) -> i64 {
    let x = i128::from(amount) * i128::from(rate);
    i64::try_from((x + x.signum() * 500_000) / 1_000_000).unwrap_or(0)
}

/// The M57 function of a service (the demo's choice: colleges 221, roads 843, social action
/// 4xx, culture 313, the rest general administration 020).
fn function(service: &str) -> &'static str {
    if service.contains("collèges") {
        "221"
    } else if service.contains("route") || service.contains("transports") {
        "843"
    } else if service.contains("MDS") || service.contains("enfance") {
        "410"
    } else if service.contains("maternelle") {
        "411"
    } else if service.contains("autonomie") {
        "423"
    } else if service.contains("handicapées") {
        "425"
    } else if service.contains("Archives") || service.contains("Médiathèque") {
        "313"
    } else {
        "020"
    }
}

/// The rubriques of an agent whose gross is `gross`: the contributions of a titulaire
/// (CNRACL) or a contractuel (IRCANTEC, URSSAF vieillesse), a mutual insurance for some, the
/// prélèvement à la source at `pas_rate`.
fn rubriques(gross: i64, titulaire: bool, mutual: bool, pas_rate: i64) -> Vec<Rubrique> {
    let treatment = gross * 85 / 100;
    let bonus = gross - treatment;
    let (account, bonus_account) = if titulaire {
        ("64111", "64118")
    } else {
        ("64131", "64138")
    };
    let csg_base = pct(gross, 982_500);
    let mut out = vec![
        Rubrique {
            code: "101",
            label: "Traitement brut indiciaire",
            base: None,
            rate: None,
            employee: treatment,
            employer: 0,
            account,
            employer_account: None,
            creditor: "AGENT",
        },
        Rubrique {
            code: "301",
            label: "IFSE (RIFSEEP)",
            base: None,
            rate: None,
            employee: bonus,
            employer: 0,
            account: bonus_account,
            employer_account: None,
            creditor: "AGENT",
        },
        Rubrique {
            code: "501",
            label: "Cotisation maladie",
            base: Some(gross),
            rate: Some(98_800),
            employee: 0,
            employer: pct(gross, 98_800),
            account,
            employer_account: Some("6451"),
            creditor: "URSSAF",
        },
        Rubrique {
            code: "502",
            label: "Allocations familiales",
            base: Some(gross),
            rate: Some(34_500),
            employee: 0,
            employer: pct(gross, 34_500),
            account,
            employer_account: Some("6451"),
            creditor: "URSSAF",
        },
        Rubrique {
            code: "601",
            label: "CSG déductible",
            base: Some(csg_base),
            rate: Some(68_000),
            employee: -pct(csg_base, 68_000),
            employer: 0,
            account,
            employer_account: None,
            creditor: "URSSAF",
        },
        Rubrique {
            code: "602",
            label: "CSG non déductible et CRDS",
            base: Some(csg_base),
            rate: Some(29_000),
            employee: -pct(csg_base, 29_000),
            employer: 0,
            account,
            employer_account: None,
            creditor: "URSSAF",
        },
    ];
    if titulaire {
        out.push(Rubrique {
            code: "701",
            label: "Retraite CNRACL",
            base: Some(treatment),
            rate: Some(111_000),
            employee: -pct(treatment, 111_000),
            employer: pct(treatment, 306_500),
            account,
            employer_account: Some("6453"),
            creditor: "CNRACL",
        });
    } else {
        out.push(Rubrique {
            code: "711",
            label: "Retraite IRCANTEC",
            base: Some(gross),
            rate: Some(28_000),
            employee: -pct(gross, 28_000),
            employer: pct(gross, 42_000),
            account,
            employer_account: Some("6453"),
            creditor: "IRCANTEC",
        });
        out.push(Rubrique {
            code: "712",
            label: "Vieillesse plafonnée",
            base: Some(gross),
            rate: Some(69_000),
            employee: -pct(gross, 69_000),
            employer: pct(gross, 85_500),
            account,
            employer_account: Some("6451"),
            creditor: "URSSAF",
        });
    }
    if mutual {
        out.push(Rubrique {
            code: "801",
            label: "Mutuelle (précompte)",
            base: None,
            rate: None,
            employee: -2_850,
            employer: 0,
            account,
            employer_account: None,
            creditor: "MNT",
        });
    }
    let before_tax: i64 = out.iter().map(|r| r.employee).sum();
    out.push(Rubrique {
        code: "901",
        label: "Prélèvement à la source",
        base: Some(before_tax),
        rate: Some(pas_rate),
        employee: -pct(before_tax, pas_rate),
        employer: 0,
        account,
        employer_account: None,
        creditor: "DGFIP",
    });
    out
}

/// Rubriques whose employee amounts add up to `net` exactly: the gross found by two rounds
/// from an estimate, the last cents put on the treatment.
fn rubriques_for(net: i64, titulaire: bool, mutual: bool, pas_rate: i64) -> Vec<Rubrique> {
    let sum = |r: &[Rubrique]| r.iter().map(|r| r.employee).sum::<i64>();
    let mut gross = net * 100 / 76;
    for _ in 0..3 {
        let got = sum(&rubriques(gross, titulaire, mutual, pas_rate));
        gross += (net - got) * 100 / 76;
    }
    let mut out = rubriques(gross, titulaire, mutual, pas_rate);
    let rest = net - sum(&out);
    if let Some(first) = out.first_mut() {
        first.employee += rest;
    }
    out
}

/// Writes `paie.csv` for `agents`, the month before `ctx.today`'s.
pub fn write(ctx: &Context, agents: &[Paid], table: &mut Table) -> io::Result<()> {
    table.header(&COLUMNS)?;
    let month = ctx.today.month().plus(-1);
    let month = format!("{:04}-{:02}", month.0.div_euclid(12), month.month());
    let mut rng: Rng = ctx.streams.stream(Aspect::Payslips, 0);
    for a in agents {
        // 2 % of the agents have no line (the net alone is repeated); 3 in 1,000 a cent off.
        if rng.per_mille(20) {
            continue;
        }
        let titulaire = rng.per_mille(800);
        let mutual = rng.per_mille(300);
        let pas_rate = [0, 20_000, 45_000, 75_000, 99_000][rng.below(5) as usize];
        let off = i64::from(rng.per_mille(3));
        let f = function(a.service);
        for r in rubriques_for(a.net, titulaire, mutual, pas_rate) {
            table.field(&a.matricule);
            table.field(&month);
            table.field(r.code);
            table.field(r.label);
            match r.base {
                Some(b) => table.money(b),
                None => table.field(""),
            }
            match r.rate {
                Some(t) => table.field(&relais_core::payroll::Rate(t).decimal_fr()),
                None => table.field(""),
            }
            let employee = if r.code == "101" {
                r.employee + off
            } else {
                r.employee
            };
            if employee == 0 {
                table.field("");
            } else {
                table.money(employee);
            }
            if r.employer == 0 {
                table.field("");
            } else {
                table.money(r.employer);
            }
            table.field(r.account);
            table.field(r.employer_account.unwrap_or(""));
            table.field(f);
            table.field(r.creditor);
            table.end_row(false)?;
        }
    }
    table.blank_line()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lines_add_up_to_the_net() {
        for net in [150_000, 210_055, 449_999] {
            for (t, m, p) in [
                (true, true, 45_000),
                (false, false, 0),
                (false, true, 99_000),
            ] {
                let r = rubriques_for(net, t, m, p);
                assert_eq!(r.iter().map(|r| r.employee).sum::<i64>(), net);
                assert!(r.iter().all(|r| r.employer >= 0));
            }
        }
    }
}
