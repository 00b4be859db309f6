//! "Will I be paid?" in one sentence per right, and the words of the person's page (benefits,
//! statuses, dates and months as an agent reads them, never a code).

use super::{Outlook, RightOutlook};
use jiff::civil::Date;
use relais_core::calendar::Month;
use relais_core::payment::Exclusion;
use relais_core::records::{Benefit, RightStatus};
use relais_documents::french::{date_short, month_long};
use relais_documents::french_days::{iso_date_short, weekday_date};

/// The answer at the top of the person's page: one sentence per right still concerned (a
/// right ended or closed before the month before `today` says nothing about this month), the
/// benefit named when there are several. A summed answer would hide the one right that is not
/// paid, which is what the person came to ask about.
pub fn answer_lines(outlooks: &[RightOutlook], today: Date) -> Vec<String> {
    let recent = Month::of(today).previous().first_day();
    let current: Vec<&RightOutlook> = outlooks
        .iter()
        .filter(|o| match o.outlook {
            Outlook::NotDue(Exclusion::Ended | Exclusion::Closed) => {
                o.end.is_some_and(|e| e >= recent)
            }
            _ => true,
        })
        .collect();
    if current.is_empty() {
        return vec![match outlooks.iter().filter_map(|o| o.end).max() {
            Some(end) => format!(
                "Non : aucun droit en cours (le dernier a pris fin le {}).",
                date_short(end)
            ),
            None => "Non : aucun droit enregistré pour cette personne.".to_owned(),
        }];
    }
    let named = current.len() > 1;
    current
        .iter()
        .map(|o| {
            let line = sentence(o, today);
            if named {
                format!("{} — {line}", o.benefit.label_fr())
            } else {
                line
            }
        })
        .collect()
}

/// `302,19 € le jeudi 10/12/2026 sur le compte …7576`; the RSA is paid by the CAF, which the
/// département's run funds.
fn what(o: &RightOutlook) -> String {
    let mut s = o.amount.map(|a| a.to_string()).unwrap_or_default();
    if let Some(d) = o.date {
        s.push_str(&format!(" le {}", weekday_date(d)));
    }
    if o.benefit == Benefit::Rsa {
        s.push_str(", versés par la CAF (CASF L262-16)");
    } else if !o.iban_end.is_empty() {
        s.push_str(&format!(" sur le compte …{}", o.iban_end));
    }
    s.trim().to_owned()
}

fn sentence(o: &RightOutlook, today: Date) -> String {
    let month = month_long(o.month);
    let pending = o.bank_request.as_ref().map(|at| {
        format!(
            " ; le changement de coordonnées bancaires demandé le {} attend la décision d'un \
             ordonnateur : ce paiement va sur le compte actuel",
            iso_date_short(at)
        )
    });
    let pending = pending.unwrap_or_default();
    match &o.outlook {
        Outlook::InRun {
            validated: true, ..
        } => format!("Oui : {}{pending}.", what(o)),
        Outlook::InRun { run, .. } => format!(
            "Oui, dès qu'un ordonnateur aura validé le paiement {run} : {}{pending}.",
            what(o)
        ),
        Outlook::Excluded { reason, label, .. } if reason == "bank_change_unapproved" => {
            format!(
                "Non, pas ce mois-ci : coordonnées bancaires en attente de validation{}.",
                since(label)
            )
        }
        Outlook::Excluded { run, label, .. } => format!(
            "Non, pas pour {month} : le paiement {run} a écarté ce droit ({}).",
            dates_in(label)
        ),
        Outlook::Missed { run } => format!(
            "Non, pas encore : le paiement {run} de {month} a été préparé sans ce droit ; un \
             paiement complémentaire doit être préparé ({}).",
            what(o)
        ),
        Outlook::NotDue(why) => format!("Non : {}.", not_due(o, *why)),
        Outlook::BankUnapproved { changed_on } => format!(
            "Non, pas ce mois-ci : coordonnées bancaires en attente de validation (depuis le \
             {}).",
            date_short(*changed_on)
        ),
        Outlook::NotPrepared => match o.date {
            Some(d) if d < today => format!(
                "Non, pas encore : {month} n'est pas payé (date prévue {} passée) et aucun \
                 paiement de ce mois n'est préparé{pending}.",
                date_short(d)
            ),
            _ => format!(
                "Pas encore de paiement préparé pour {month} ; prévu : {}{pending}.",
                what(o)
            ),
        },
    }
}

/// ` (depuis le 04/12/2026)` from a run's label that ends with `le 2026-12-04`.
fn since(label: &str) -> String {
    label
        .rsplit_once(" le ")
        .and_then(|(_, d)| d.get(..10)?.parse::<Date>().ok())
        .map(|d| format!(" (depuis le {})", date_short(d)))
        .unwrap_or_default()
}

/// A run's label with its ISO dates (`2026-12-04`) written `04/12/2026`.
fn dates_in(label: &str) -> String {
    label
        .split(' ')
        .map(|w| {
            let (core, tail) = w.split_at(w.len().min(10));
            match core.parse::<Date>() {
                Ok(d) if core.len() == 10 => format!("{}{tail}", date_short(d)),
                _ => w.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn not_due(o: &RightOutlook, why: Exclusion) -> String {
    match (why, o.start, o.end) {
        (Exclusion::Ended, _, Some(end)) => format!("droit terminé le {}", date_short(end)),
        (Exclusion::NotStarted, Some(start), _) => {
            format!("le droit commence le {}", date_short(start))
        }
        (Exclusion::Suspended, ..) => {
            "droit suspendu : rien n'est versé tant qu'il n'est pas rétabli".to_owned()
        }
        (why, ..) => why.label_fr().to_owned(),
    }
}

/// The "Où en est-il" column of the next payments' table.
pub(super) fn status_line(o: &RightOutlook) -> String {
    match &o.outlook {
        Outlook::InRun { run, validated } => format!(
            "paiement {run} {}",
            if *validated {
                "validé"
            } else {
                "préparé, à valider"
            }
        ),
        Outlook::Excluded { label, .. } => format!("non payé : {}", dates_in(label)),
        Outlook::Missed { run } => {
            format!("absent du paiement {run} : paiement complémentaire à préparer")
        }
        Outlook::NotDue(why) => format!("non payé : {}", why.label_fr()),
        Outlook::BankUnapproved { changed_on } => format!(
            "coordonnées bancaires modifiées le {}, à valider avant le paiement",
            date_short(*changed_on)
        ),
        Outlook::NotPrepared => "à préparer (aucun paiement de ce mois encore)".to_owned(),
    }
}

/// A benefit's code as its name (`APA_DOM` → `APA à domicile`).
pub fn benefit_fr(code: &str) -> String {
    Benefit::parse(code).map_or_else(|| code.to_owned(), |b| b.label_fr().to_owned())
}

/// A right's status code in words.
pub fn status_fr(code: &str) -> String {
    match RightStatus::parse(code) {
        Some(RightStatus::EnPaiement) => "en paiement".to_owned(),
        Some(RightStatus::Suspendu) => "suspendu".to_owned(),
        Some(RightStatus::Clos) => "clos".to_owned(),
        None => code.to_owned(),
    }
}

/// `2026-12-10` (or with a time) as `10/12/2026`.
pub fn date_fr(text: &str) -> String {
    iso_date_short(text)
}

/// `2026-12` as `décembre 2026`.
pub fn month_fr(text: &str) -> String {
    Month::parse(text).map_or_else(|_| text.to_owned(), month_long)
}

/// `2026-12-01 09:14` as `01/12/2026 09:14` (the store's local times).
pub fn at_fr(text: &str) -> String {
    match text.get(11..16) {
        Some(time) => format!("{} {time}", iso_date_short(text)),
        None => iso_date_short(text),
    }
}

/// A contact's channel code as its label.
pub fn channel_fr(code: &str) -> String {
    relais_store::desk::CHANNELS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_owned(), |(_, label)| (*label).to_owned())
}
