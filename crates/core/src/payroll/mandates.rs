//! The month's pay gathered into mandats: one per budget account and function, each line split
//! by creditor — each agent's net on the accounts of their gains, each body's share (the
//! contributions withheld from the gross, the employer's contributions, the prélèvement à la
//! source owed to the DGFiP).

use super::line::AGENT_CREDITOR;
pub use super::line::MandateKey;
use super::repeat::AgentPay;
use crate::Cents;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a mandat pays: its total, how many agents' nets, and each body's share.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MandateTotals {
    pub total: Cents,
    /// Agents whose net is on this mandat (one line each).
    pub agents: u64,
    /// The agents' nets on this mandat.
    pub nets: Cents,
    /// Body code → its line's amount.
    pub creditors: BTreeMap<String, Cents>,
}

impl MandateTotals {
    /// Lines of the mandat: one per agent, one per body.
    pub fn lines(&self) -> u64 {
        self.agents + self.creditors.len() as u64
    }
}

/// The mandats of a month, built agent by agent (in `MandateKey` order: the mandats are
/// numbered in it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PayrollMandates {
    pub mandates: BTreeMap<MandateKey, MandateTotals>,
}

impl PayrollMandates {
    /// Adds an agent's month. `None` on an overflow (amounts beyond any budget).
    pub fn add(&mut self, pay: &AgentPay) -> Option<()> {
        for (key, net) in &pay.nets {
            let m = self.mandates.entry(key.clone()).or_default();
            m.agents += 1;
            m.nets = m.nets.checked_add(*net)?;
            m.total = m.total.checked_add(*net)?;
        }
        for l in &pay.lines {
            if l.employee.is_negative() && l.creditor != AGENT_CREDITOR {
                let share = l.employee.checked_neg()?;
                self.credit(MandateKey::new(&l.account, &l.function), &l.creditor, share)?;
            }
            if l.employer.0 > 0 {
                let account = l.employer_account.as_deref().unwrap_or(&l.account);
                self.credit(
                    MandateKey::new(account, &l.function),
                    &l.creditor,
                    l.employer,
                )?;
            }
        }
        Some(())
    }

    fn credit(&mut self, key: MandateKey, creditor: &str, amount: Cents) -> Option<()> {
        let m = self.mandates.entry(key).or_default();
        let c = m
            .creditors
            .entry(creditor.to_owned())
            .or_insert(Cents::ZERO);
        *c = c.checked_add(amount)?;
        m.total = m.total.checked_add(amount)?;
        Some(())
    }

    /// The month's total mandated.
    pub fn total(&self) -> Option<Cents> {
        Cents::checked_sum(self.mandates.values().map(|m| m.total))
    }
}

#[cfg(test)]
mod tests {
    use super::super::line::{PayLine, Rate};
    use super::super::repeat::{Exclusion, repeat_month};
    use super::super::settings::{Creditor, PayrollSettings};
    use super::*;
    use crate::calendar::Month;
    use crate::ids::{Bic, Iban};
    use crate::records::{Agent, Extra};
    use jiff::civil::date;

    fn agent(net: i64) -> Agent {
        Agent {
            matricule: "M001".into(),
            last_name: "Martin".into(),
            first_name: "Claire".into(),
            nir: crate::ids::Nir::parse("285057800604877").expect("test value"),
            iban: Iban::parse("FR7630006000011234567890189").expect("test value"),
            bic: Bic::parse("BNPAFRPP").expect("test value"),
            net_monthly: Cents(net),
            variables: Cents(12_000),
            entry_date: date(2015, 9, 1),
            exit_date: None,
            service: "Routes".into(),
            extra: Extra::default(),
        }
    }

    fn line(code: &str, employee: i64, employer: i64, creditor: &str) -> PayLine {
        PayLine {
            matricule: "M001".into(),
            month: Month::new(2026, 10).expect("test value"),
            code: code.into(),
            label: code.into(),
            base: None,
            rate: Some(Rate(98_800)),
            employee: Cents(employee),
            employer: Cents(employer),
            account: "6411".into(),
            employer_account: (employer > 0).then(|| "6451".into()),
            function: "020".into(),
            creditor: creditor.into(),
            extra: Extra::default(),
        }
    }

    fn settings() -> PayrollSettings {
        let body = Creditor {
            name: "URSSAF".into(),
            siret: None,
            iban: Iban::parse("FR7630006000011234567890189").expect("test value"),
            bic: None,
            category: "60".into(),
            legal_nature: "04".into(),
            address: "1 rue".into(),
            postal_code: "75001".into(),
            city: "Paris".into(),
        };
        let mut s = PayrollSettings::default();
        s.creditors.insert("URSSAF".into(), body.clone());
        s.creditors.insert("DGFIP".into(), body);
        s
    }

    fn month() -> Month {
        Month::new(2026, 12).expect("test value")
    }

    #[test]
    fn a_gross_splits_into_the_net_and_each_body_share() {
        // 2 500 € gross, 300 € of contributions to the URSSAF (plus 400 € employer's), 100 €
        // of PAS: the net is 2 100 €.
        let lines = [
            line("101", 250_000, 0, "AGENT"),
            line("CSG", -30_000, 40_000, "URSSAF"),
            line("PAS", -10_000, 0, "DGFIP"),
        ];
        let pay = repeat_month(&agent(210_000), &lines, month(), &settings())
            .expect("test value")
            .expect("test value");
        assert_eq!(
            (pay.net, pay.gross, pay.employer),
            (Cents(210_000), Cents(250_000), Cents(40_000))
        );
        assert_eq!(pay.deferred, Cents(12_000));
        let mut m = PayrollMandates::default();
        m.add(&pay).expect("test value");
        let gross = &m.mandates[&MandateKey::new("6411", "020")];
        // The mandat on 6411 is the gross: the net, the URSSAF's 300 € and the DGFiP's 100 €.
        assert_eq!(gross.total, Cents(250_000));
        assert_eq!(gross.creditors["URSSAF"], Cents(30_000));
        assert_eq!(gross.creditors["DGFIP"], Cents(10_000));
        let employer = &m.mandates[&MandateKey::new("6451", "020")];
        assert_eq!((employer.total, employer.agents), (Cents(40_000), 0));
        assert_eq!(m.total(), Some(Cents(290_000)));
    }

    #[test]
    fn lines_that_do_not_add_up_exclude_the_agent_with_the_difference() {
        let lines = [
            line("101", 250_000, 0, "AGENT"),
            line("CSG", -30_000, 0, "URSSAF"),
        ];
        let e = repeat_month(&agent(210_000), &lines, month(), &settings()).expect_err("excluded");
        assert_eq!(
            e,
            Exclusion::LinesDoNotAddUp {
                lines: Cents(220_000),
                net: Cents(210_000)
            }
        );
        assert!(e.label().contains("écart 100,00"), "{}", e.label());
    }

    #[test]
    fn an_unknown_creditor_excludes_the_agent() {
        let lines = [
            line("101", 250_000, 0, "AGENT"),
            line("MUT", -40_000, 0, "MNT"),
        ];
        let e = repeat_month(&agent(210_000), &lines, month(), &settings()).expect_err("excluded");
        assert_eq!(e.code(), "unknown_creditor");
    }

    #[test]
    fn without_lines_the_net_alone_is_repeated() {
        let pay = repeat_month(&agent(210_000), &[], month(), &settings())
            .expect("test value")
            .expect("test value");
        assert!(pay.net_only());
        assert_eq!(
            pay.nets,
            vec![(MandateKey::new("6411", "020"), Cents(210_000))]
        );
    }

    #[test]
    fn an_entry_within_the_month_pays_each_line_in_thirtieths_and_still_adds_up() {
        let mut a = agent(210_001);
        a.entry_date = date(2026, 12, 16);
        let lines = [
            line("101", 250_001, 0, "AGENT"),
            line("CSG", -30_000, 40_000, "URSSAF"),
            line("PAS", -10_000, 0, "DGFIP"),
        ];
        let pay = repeat_month(&a, &lines, month(), &settings())
            .expect("test value")
            .expect("test value");
        assert_eq!(pay.thirtieths, 15);
        // 2 500,01 × 15/30 = 1 250,005 → 1 250,01; the net is the sum of the rounded lines.
        assert_eq!(pay.lines[0].employee, Cents(125_001));
        assert_eq!(pay.net, Cents(125_001 - 15_000 - 5_000));
    }

    #[test]
    fn an_agent_who_left_before_the_month_is_not_paid() {
        let mut a = agent(210_000);
        a.exit_date = Some(date(2026, 11, 30));
        assert_eq!(repeat_month(&a, &[], month(), &settings()), Ok(None));
    }
}
