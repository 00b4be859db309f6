//! The next payment of each of a person's rights, as the desk tells it: when, how much, to
//! whom, and where it stands (in a run, still to be prepared, or not paid and why).

use jiff::civil::Date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::payment::{RightTerms, due};
use relais_core::records::{Benefit, RightStatus};
use relais_core::run::pay_date;
use relais_core::settings::Settings;
use relais_store::desk::PersonPage;

/// One line of "Prochains paiements".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextPayment {
    pub right_id: String,
    pub benefit: String,
    pub month: String,
    /// The pay date, when known.
    pub date: String,
    pub amount: String,
    pub payee: String,
    pub status: String,
}

/// A run's status code as the agent reads it.
pub fn run_status_fr(code: &str) -> &str {
    match code {
        "prepared" => "préparé, à valider",
        "validated" => "validé",
        "cancelled" => "annulé",
        other => other,
    }
}

/// `P2026-12-01 (validated)` → `paiement P2026-12-01 validé`; `historique` stays.
pub fn source_fr(source: &str) -> String {
    match source.split_once(" (") {
        Some((run, status)) => format!(
            "paiement {run} {}",
            run_status_fr(status.trim_end_matches(')'))
        ),
        None => source.to_owned(),
    }
}

/// The month whose payment comes next for `benefit` on `today`: this month until its pay date
/// has passed, then the next one.
pub(crate) fn coming_month(today: Date, pay_day: i8, settings: &Settings) -> (Month, Date) {
    let zone = settings.authority.holiday_zone;
    let this = Month::of(today);
    let date = pay_date(this, pay_day, zone);
    if today <= date {
        (this, date)
    } else {
        let next = this.next();
        (next, pay_date(next, pay_day, zone))
    }
}

/// The next payment of each right of `page` on `today`.
pub fn next_payments(
    page: &PersonPage,
    today: Date,
    settings: Option<&Settings>,
) -> Vec<NextPayment> {
    let death = page
        .death_date
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok());
    page.rights
        .iter()
        .filter_map(|r| {
            let benefit = Benefit::parse(&r.benefit)?;
            let terms = RightTerms {
                benefit,
                monthly_amount: Cents(r.monthly_amount),
                start: r.start.parse().ok()?,
                end: r.end.parse().ok()?,
                status: RightStatus::parse(&r.status)?,
            };
            let pay_day = settings
                .and_then(|s| s.payments.as_ref())
                .and_then(|p| p.benefit(benefit))
                .map(|b| b.pay_day);
            let (month, date) = match (settings, pay_day) {
                (Some(s), Some(day)) => {
                    let (m, d) = coming_month(today, day, s);
                    (m, d.to_string())
                }
                _ => (Month::of(today).next(), String::new()),
            };
            // Paid or in a run already: what the run says.
            let month_text = month.to_string();
            let in_run = page
                .payments
                .iter()
                .find(|p| p.right_id == r.id && p.month >= month_text);
            let (month_text, date, amount, status) = match in_run {
                Some(p) => (
                    p.month.clone(),
                    p.date.clone(),
                    Cents(p.amount).to_string(),
                    source_fr(&p.source),
                ),
                None => match due(&terms, month, death) {
                    Ok(amount) => (
                        month_text,
                        date,
                        amount.to_string(),
                        "à préparer (aucun paiement de ce mois encore)".to_owned(),
                    ),
                    Err(why) => (
                        month_text,
                        String::new(),
                        "—".to_owned(),
                        format!("non payé : {}", why.label_fr()),
                    ),
                },
            };
            Some(NextPayment {
                right_id: r.id.clone(),
                benefit: benefit.label_fr().to_owned(),
                month: month_text,
                date,
                amount,
                payee: r.payee_name.clone(),
                status,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use relais_store::desk::{PaymentRow, PersonHit, RightRow};

    fn page(rights: Vec<RightRow>, payments: Vec<PaymentRow>, death: Option<&str>) -> PersonPage {
        PersonPage {
            person: PersonHit {
                dossier: "D1".into(),
                last_name: "X".into(),
                first_name: "Y".into(),
                birth_date: "1940-01-01".into(),
                city: String::new(),
                deceased: death.is_some(),
            },
            nir: None,
            address: String::new(),
            postal_code: String::new(),
            phone: String::new(),
            site: String::new(),
            death_date: death.map(str::to_owned),
            rights,
            payments,
            contacts: Vec::new(),
        }
    }

    fn right(id: &str, benefit: &str, status: &str, end: &str) -> RightRow {
        RightRow {
            id: id.into(),
            benefit: benefit.into(),
            monthly_amount: 30_000,
            start: "2020-01-01".into(),
            end: end.into(),
            status: status.into(),
            payee_id: "T1".into(),
            payee_name: "Payé".into(),
            iban_end: "1234".into(),
        }
    }

    fn settings() -> Settings {
        toml::from_str(include_str!("../tests/next_payment_settings.toml")).expect("settings")
    }

    #[test]
    fn this_month_until_its_pay_date_then_the_next() {
        let s = settings();
        let p = page(
            vec![right("R1", "APA_DOM", "en_paiement", "2030-12-31")],
            vec![],
            None,
        );
        // APA is paid on the 10th; 2026-12-10 is a Thursday.
        let before = next_payments(&p, Date::constant(2026, 12, 10), Some(&s));
        assert_eq!(
            (before[0].month.as_str(), before[0].date.as_str()),
            ("2026-12", "2026-12-10")
        );
        assert_eq!(before[0].amount, "300,00\u{a0}€");
        let after = next_payments(&p, Date::constant(2026, 12, 11), Some(&s));
        // 2027-01-10 is a Sunday: paid on Friday the 8th.
        assert_eq!(
            (after[0].month.as_str(), after[0].date.as_str()),
            ("2027-01", "2027-01-08")
        );
    }

    #[test]
    fn a_run_line_is_shown_as_the_run_says_and_exclusions_say_why() {
        let s = settings();
        let p = page(
            vec![
                right("R1", "APA_DOM", "en_paiement", "2030-12-31"),
                right("R2", "PCH", "suspendu", "2030-12-31"),
                right("R3", "ASH", "en_paiement", "2026-11-30"),
            ],
            vec![PaymentRow {
                right_id: "R1".into(),
                month: "2026-12".into(),
                amount: 12_345,
                date: "2026-12-10".into(),
                source: "P2026-12-01 (validated)".into(),
            }],
            None,
        );
        let next = next_payments(&p, Date::constant(2026, 12, 2), Some(&s));
        assert_eq!(next[0].status, "paiement P2026-12-01 validé");
        assert_eq!(next[0].amount, "123,45\u{a0}€");
        assert_eq!(next[1].status, "non payé : droit suspendu");
        assert_eq!(next[2].status, "non payé : droit terminé avant le mois");
    }
}
