//! An agent's month repeated from their last good month, or why they are not paid.

use super::line::{AGENT_CREDITOR, MandateKey, PayLine, Rate};
use super::settings::PayrollSettings;
use super::thirtieths::{Presence, presence};
use crate::Cents;
use crate::calendar::Month;
use crate::ids::{Bic, Iban};
use crate::records::Agent;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A line of the month paid: the last good month's, in thirtieths when the agent was not in
/// post the whole month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaidLine {
    pub code: String,
    pub label: String,
    pub base: Option<Cents>,
    pub rate: Option<Rate>,
    pub employee: Cents,
    pub employer: Cents,
    pub account: String,
    pub employer_account: Option<String>,
    pub function: String,
    pub creditor: String,
}

/// What an agent is paid for a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPay {
    pub matricule: String,
    pub last_name: String,
    pub first_name: String,
    /// `M` or `MME`, from the NIR (the PES names a natural person with it).
    #[serde(default)]
    pub civility: String,
    pub service: String,
    pub iban: Iban,
    pub bic: Bic,
    /// The month paid.
    pub month: Month,
    /// The last good month repeated, from `paie.csv`; `None` when only the net was known.
    pub repeats: Option<Month>,
    /// Thirtieths of the month in post (30: the whole month).
    pub thirtieths: u8,
    pub lines: Vec<PaidLine>,
    /// What the agent receives: the sum of the lines' employee amounts.
    pub net: Cents,
    /// The gains (positive employee amounts).
    pub gross: Cents,
    /// The employer's contributions.
    pub employer: Cents,
    /// The net of the last good month, as `agents.csv` gives it (whole month).
    pub previous_net: Cents,
    /// Variable elements of the last month, not paid: deferred.
    pub deferred: Cents,
    /// The agent's net per mandat (budget account and function), each positive.
    pub nets: Vec<(MandateKey, Cents)>,
}

impl AgentPay {
    /// Whether only the net was repeated (contributions to regularise).
    pub fn net_only(&self) -> bool {
        self.repeats.is_none()
    }
}

/// Why an agent in post is not paid this month. `label` is the French reason of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Exclusion {
    /// The lines' employee amounts do not add up to `agents.csv`'s net.
    LinesDoNotAddUp {
        lines: Cents,
        net: Cents,
    },
    UnknownCreditor {
        code: String,
        creditor: String,
    },
    NegativeNet(Cents),
    /// Deductions imputed on an account exceed the gains on it.
    DeductionsExceedGains {
        account: String,
        function: String,
    },
    /// A line's imputation is not one of personnel expenses.
    Imputation {
        code: String,
        detail: String,
    },
    /// An employer amount without its account, or negative.
    EmployerShare {
        code: String,
        detail: String,
    },
    /// New bank details asked and not yet approved: paid neither to the old account nor to
    /// the new one until an ordonnateur decides (request `id`).
    BankChangePending {
        id: u64,
    },
    /// The extracts give other bank details than the last payroll paid, and no ordonnateur
    /// approved them (`relais paie change --kind rib`, then approve).
    BankChangeUnapproved {
        iban_end: String,
    },
}

impl Exclusion {
    pub fn code(&self) -> &'static str {
        match self {
            Exclusion::LinesDoNotAddUp { .. } => "lines_do_not_add_up",
            Exclusion::UnknownCreditor { .. } => "unknown_creditor",
            Exclusion::NegativeNet(_) => "negative_net",
            Exclusion::DeductionsExceedGains { .. } => "deductions_exceed_gains",
            Exclusion::Imputation { .. } => "imputation",
            Exclusion::EmployerShare { .. } => "employer_share",
            Exclusion::BankChangePending { .. } => "bank_change_pending",
            Exclusion::BankChangeUnapproved { .. } => "bank_change_unapproved",
        }
    }

    /// The French reason, with what to do.
    pub fn label(&self) -> String {
        match self {
            Exclusion::LinesDoNotAddUp { lines, net } => {
                let diff = lines.checked_sub(*net).unwrap_or(Cents::ZERO);
                format!(
                    "les lignes de paie.csv totalisent {lines} pour un net de {net} dans agents.csv (écart {diff}) : corriger l'extraction"
                )
            }
            Exclusion::UnknownCreditor { code, creditor } => format!(
                "la rubrique {code} est due à « {creditor} », inconnu des paramètres : l'ajouter sous [payments.payroll.creditors]"
            ),
            Exclusion::NegativeNet(net) => format!("net négatif ({net})"),
            Exclusion::DeductionsExceedGains { account, function } => format!(
                "les retenues imputées sur {account}/{function} dépassent les gains sur ce compte"
            ),
            Exclusion::Imputation { code, detail } => {
                format!("rubrique {code} : imputation refusée ({detail})")
            }
            Exclusion::EmployerShare { code, detail } => {
                format!("rubrique {code} : part patronale refusée ({detail})")
            }
            Exclusion::BankChangeUnapproved { iban_end } => format!(
                "RIB changé depuis la dernière paie versée (IBAN finissant par {iban_end}) sans approbation : demander le changement (relais paie change --kind rib) et le faire approuver par un ordonnateur"
            ),
            Exclusion::BankChangePending { id } => format!(
                "changement de RIB n° {id} en attente : un ordonnateur doit le décider (relais paie approve {id}), puis la paie être préparée de nouveau"
            ),
        }
    }
}

/// Whether `account` is one of chapter 012's (charges de personnel: 621, 631, 633, 64).
fn personnel_account(account: &str) -> bool {
    account.len() <= 10
        && account.bytes().all(|b| b.is_ascii_digit())
        && ["64", "621", "631", "633"]
            .iter()
            .any(|p| account.starts_with(p) && account.len() >= p.len().max(3))
}

/// Whether `function` has the form of an M57 function (digits, the first 0 to 8).
fn function_form(function: &str) -> bool {
    (1..=4).contains(&function.len())
        && function.bytes().all(|b| b.is_ascii_digit())
        && !function.starts_with('9')
}

/// The month `month` of `agent`, from `lines` (all of the agent's `paie.csv` lines; those of
/// their latest month are repeated): `Ok(None)` when not in post that month.
pub fn repeat_month(
    agent: &Agent,
    lines: &[PayLine],
    month: Month,
    settings: &PayrollSettings,
) -> Result<Option<AgentPay>, Exclusion> {
    let presence = presence(agent.entry_date, agent.exit_date, month);
    if presence == Presence::None {
        return Ok(None);
    }
    let repeats = lines.iter().map(|l| l.month).max();
    let source: Vec<PaidLine> = match repeats {
        Some(last) => lines
            .iter()
            .filter(|l| l.month == last)
            .map(|l| PaidLine {
                code: l.code.clone(),
                label: l.label.clone(),
                base: l.base,
                rate: l.rate,
                employee: l.employee,
                employer: l.employer,
                account: l.account.clone(),
                employer_account: l.employer_account.clone(),
                function: l.function.clone(),
                creditor: l.creditor.clone(),
            })
            .collect(),
        None => vec![PaidLine {
            code: "NET".into(),
            label: "Net du dernier mois normal (cotisations à régulariser)".into(),
            base: None,
            rate: None,
            employee: agent.net_monthly,
            employer: Cents::ZERO,
            account: settings.net_account.clone(),
            employer_account: None,
            function: settings.net_function.clone(),
            creditor: AGENT_CREDITOR.into(),
        }],
    };
    check_lines(&source, settings)?;
    let whole = Cents::checked_sum(source.iter().map(|l| l.employee)).unwrap_or(Cents::ZERO);
    if whole != agent.net_monthly {
        return Err(Exclusion::LinesDoNotAddUp {
            lines: whole,
            net: agent.net_monthly,
        });
    }
    if agent.net_monthly.is_negative() {
        return Err(Exclusion::NegativeNet(agent.net_monthly));
    }
    let paid: Vec<PaidLine> = source
        .into_iter()
        .map(|mut l| {
            l.employee = presence.share(l.employee);
            l.employer = presence.share(l.employer);
            l.base = l.base.map(|b| presence.share(b));
            l
        })
        .collect();
    let sum = |f: &dyn Fn(&PaidLine) -> Cents| {
        Cents::checked_sum(paid.iter().map(f)).unwrap_or(Cents::ZERO)
    };
    let net = sum(&|l| l.employee);
    let gross = sum(&|l| l.employee.max(Cents::ZERO));
    let employer = sum(&|l| l.employer);
    let mut nets: BTreeMap<MandateKey, Cents> = BTreeMap::new();
    for l in &paid {
        let key = MandateKey::new(&l.account, &l.function);
        let n = nets.entry(key).or_insert(Cents::ZERO);
        *n = n.checked_add(l.employee).unwrap_or(*n);
    }
    if let Some((k, _)) = nets.iter().find(|(_, n)| n.is_negative()) {
        return Err(Exclusion::DeductionsExceedGains {
            account: k.account.clone(),
            function: k.function.clone(),
        });
    }
    Ok(Some(AgentPay {
        matricule: agent.matricule.clone(),
        last_name: agent.last_name.clone(),
        first_name: agent.first_name.clone(),
        civility: agent.nir.civility().to_owned(),
        service: agent.service.clone(),
        iban: agent.iban.clone(),
        bic: agent.bic.clone(),
        month,
        repeats,
        thirtieths: match presence {
            Presence::Thirtieths(n) => n,
            _ => 30,
        },
        lines: paid,
        net,
        gross,
        employer,
        previous_net: agent.net_monthly,
        deferred: agent.variables,
        nets: nets.into_iter().filter(|(_, n)| n.0 > 0).collect(),
    }))
}

fn check_lines(lines: &[PaidLine], settings: &PayrollSettings) -> Result<(), Exclusion> {
    for l in lines {
        if l.creditor != AGENT_CREDITOR && !settings.creditors.contains_key(&l.creditor) {
            return Err(Exclusion::UnknownCreditor {
                code: l.code.clone(),
                creditor: l.creditor.clone(),
            });
        }
        if !personnel_account(&l.account) {
            return Err(Exclusion::Imputation {
                code: l.code.clone(),
                detail: format!("{} n'est pas un compte de charges de personnel", l.account),
            });
        }
        if !function_form(&l.function) {
            return Err(Exclusion::Imputation {
                code: l.code.clone(),
                detail: format!("fonction M57 illisible : {}", l.function),
            });
        }
        if l.employer.is_negative() {
            return Err(Exclusion::EmployerShare {
                code: l.code.clone(),
                detail: format!("montant négatif {}", l.employer),
            });
        }
        if l.employer.0 > 0 {
            match &l.employer_account {
                Some(a) if personnel_account(a) => {}
                Some(a) => {
                    return Err(Exclusion::EmployerShare {
                        code: l.code.clone(),
                        detail: format!("{a} n'est pas un compte de charges de personnel"),
                    });
                }
                None => {
                    return Err(Exclusion::EmployerShare {
                        code: l.code.clone(),
                        detail: "sans compte patronal (nature_patronale)".into(),
                    });
                }
            }
            if l.creditor == AGENT_CREDITOR {
                return Err(Exclusion::EmployerShare {
                    code: l.code.clone(),
                    detail: "une part patronale n'est pas due à l'agent".into(),
                });
            }
        }
    }
    Ok(())
}
