//! What the receipt says, line by line: the mentions CRPA L112-3 and R112-5 require for an
//! application (with L114-5 for an incomplete one), an invoice's payment deadline, a bid's
//! timeliness on both its instants.

use super::{Line, ReceiptInput};
use crate::code::code_lines;
use crate::french::{date_long, date_short, datetime_long, datetime_short};
use jiff::civil::Date;
use relais_core::deposits::{BidTimeliness, DepositKind, KindRules, Regime};
use relais_core::invoices::invoice_deadline;

/// The receipt's lines, in order: what the PDF prints (and what a test can read back).
pub fn receipt_lines(input: &ReceiptInput<'_>) -> Vec<Line> {
    use Line::*;
    let d = input.deposit;
    let f = &d.facts;
    let zoned = |t: jiff::Timestamp| t.to_zoned(input.tz.clone());
    let received = zoned(d.received_at).date();
    let s = input.service;
    let mut l = vec![
        Small(input.authority.to_owned()),
        Title("Accusé de réception — récépissé de dépôt".to_owned()),
        Field("N° d'enregistrement".into(), d.number.to_string()),
        Field("Reçu le".into(), datetime_long(&zoned(d.received_at))),
        Field(
            "Enregistré le".into(),
            datetime_long(&zoned(d.registered_at)),
        ),
    ];
    if d.is_backdated() {
        l.push(Field(
            "Enregistrement différé".into(),
            format!(
                "la réception ci-dessus est déclarée par l'agent ; motif : {}",
                f.backdate_reason.as_deref().unwrap_or("non indiqué")
            ),
        ));
    }
    l.extend([
        Small(format!(
            "Heure légale du fuseau {}",
            input.tz.iana_name().unwrap_or("local")
        )),
        Gap,
        Heading("Service chargé du dossier".into()),
        Field("Service".into(), s.name.clone()),
        Field("Adresse postale".into(), s.address.clone()),
        Field("Courriel".into(), s.email.clone()),
        Field("Téléphone".into(), s.phone.clone()),
        Gap,
        Heading("Dépôt".into()),
        Field("Nature".into(), input.rules.label.clone()),
    ]);
    if let Some(subject) = &f.subject {
        l.push(Field("Objet".into(), subject.clone()));
    }
    l.push(Field("Déposant".into(), f.depositor.clone()));
    if let Some(a) = &f.address {
        l.push(Field("Adresse du déposant".into(), a.clone()));
    }
    if let Some(dossier) = &f.dossier {
        l.push(Field("N° de dossier".into(), dossier.clone()));
    }
    l.push(Field(
        "Nombre de pages ou de pièces".into(),
        f.pages.to_string(),
    ));
    if let Some(c) = &d.cancellation {
        l.push(Field(
            "ANNULÉ".into(),
            format!("le {} : {}", datetime_short(&zoned(c.at)), c.reason),
        ));
    }
    l.push(Gap);
    if let Some(first) = &input.completed {
        completion(&mut l, input, first, received);
    } else if f.kind.is_application() || input.rules.regime != Regime::None {
        application(&mut l, input, received);
    }
    if let (Some(inv), DepositKind::Facture) = (&f.invoice, f.kind) {
        l.push(Heading("Facture".into()));
        l.push(Field(
            "Facture".into(),
            format!(
                "n° {}{} — SIRET {} — montant TTC {}",
                inv.number,
                inv.date
                    .map(|d| format!(" du {}", date_short(d)))
                    .unwrap_or_default(),
                inv.siret,
                inv.amount
            ),
        ));
        l.push(Field(
            "Date de réception de la facture".into(),
            date_long(received),
        ));
        let days = input.rules.payment_days.unwrap_or(30);
        if let Some(deadline) = invoice_deadline(received, days) {
            l.push(Field(
                "Délai global de paiement".into(),
                format!("{days} jours, soit au plus tard le {}", date_long(deadline)),
            ));
        }
        l.push(Small(
            "Le délai court à compter de cette date de réception (code de la commande publique, \
             art. R2192-10 à R2192-12). Au-delà, des intérêts moratoires (taux de la BCE + 8 points) \
             et une indemnité forfaitaire de 40 € pour frais de recouvrement sont dus de plein droit \
             (art. R2192-31 à R2192-35)."
                .into(),
        ));
        l.push(Gap);
    }
    if let (Some(deadline), Some(on_time)) = (f.bid_deadline, d.bid_timeliness()) {
        l.push(Heading("Offre à un marché public".into()));
        l.push(Field(
            "Date limite de remise des offres".into(),
            datetime_long(&zoned(deadline)),
        ));
        let verdict = match on_time {
            BidTimeliness::OnTime => "offre remise dans le délai".to_owned(),
            BidTimeliness::Late => "offre remise HORS DÉLAI (après la date limite)".to_owned(),
            // Never "dans le délai" on the agent's claim alone: the register saw it late.
            BidTimeliness::RegisteredLate => format!(
                "offre ENREGISTRÉE APRÈS LA DATE LIMITE, le {} ; sa remise le {} est déclarée \
                 par l'agent, non attestée par le registre : l'acheteur apprécie si elle est \
                 recevable",
                datetime_short(&zoned(d.registered_at)),
                datetime_short(&zoned(d.received_at)),
            ),
        };
        l.push(Field("Remise".into(), verdict));
        l.push(Gap);
    }
    if !input.rules.documents.is_empty() {
        l.push(Heading("Pièces habituellement demandées".into()));
        for doc in &input.rules.documents {
            l.push(Text(format!("• {doc}")));
        }
        l.push(Gap);
    }
    l.push(Heading("Code de vérification".into()));
    for line in code_lines(&d.receipt_code, 8) {
        l.push(Code(line));
    }
    l.push(Small(
        "Ce code et le QR code portent un résumé signé (Ed25519) du dépôt, dont les heures de \
         réception et d'enregistrement : la collectivité l'authentifie hors ligne (« relais \
         receipt verify »)."
            .into(),
    ));
    l.push(Small(format!("Enregistré par : {}", d.registered_by)));
    l
}

/// The implicit decision of an application whose delay runs from `start`: its date, what it
/// means, on which texts (`completed`: `start` is the day the file became complete).
fn decision(l: &mut Vec<Line>, rules: &KindRules, start: Date, completed: bool) {
    use Line::*;
    match (rules.implicit_decision(start), rules.delay) {
        (Some((regime, end)), Some(delay)) => {
            l.push(Field(
                "Décision implicite".into(),
                format!("le {} ({})", date_long(end), regime.label_fr()),
            ));
            let consequence = match (regime, &rules.acceptance) {
                (Regime::Sva, Some(a)) => a.clone(),
                (Regime::Sva, None) => "votre demande sera réputée acceptée".to_owned(),
                _ => "votre demande sera réputée rejetée".to_owned(),
            };
            let from = if completed {
                format!(
                    "du {}, date à laquelle le dossier est complet",
                    date_long(start)
                )
            } else {
                "de la date de réception ci-dessus".to_owned()
            };
            let basis = rules
                .basis
                .as_deref()
                .unwrap_or("code des relations entre le public et l'administration, art. L231-1");
            l.push(Text(format!(
                "Sans décision notifiée dans un délai de {} à compter {from}, soit au terme du {}, \
                 {consequence} ({basis}).",
                delay.label_fr(),
                date_long(end)
            )));
            if regime == Regime::Sva {
                l.push(Small(
                    "Vous pourrez demander une attestation de la décision implicite d'acceptation \
                     (CRPA, art. L232-3)."
                        .into(),
                ));
            }
        }
        _ => l.push(Text(
            "Ce dépôt ne fait pas naître de décision implicite : le service vous répondra.".into(),
        )),
    }
}

fn appeal(l: &mut Vec<Line>, rules: &KindRules) {
    if rules.regime == Regime::Svr
        && let Some(appeal) = &rules.appeal
    {
        l.push(Line::Heading("Voies et délais de recours".into()));
        l.push(Line::Text(appeal.clone()));
    }
}

fn decided_by(l: &mut Vec<Line>, rules: &KindRules) {
    if let Some(who) = &rules.decided_by {
        l.push(Line::Field("Décision prise par".into(), who.clone()));
    }
}

fn application(l: &mut Vec<Line>, input: &ReceiptInput<'_>, received: Date) {
    use Line::*;
    let rules = input.rules;
    let d = input.deposit;
    l.push(Heading("Délai de décision".into()));
    decided_by(l, rules);
    if d.facts.missing.is_empty() {
        if let Some(basis) = &rules.completion_basis {
            l.push(Field(
                "Dossier complet le".into(),
                format!("{} ({basis})", date_long(received)),
            ));
        }
        decision(l, rules, received, false);
        if rules.completion_basis.is_none() {
            l.push(Small(
                "Si le dossier est incomplet, le service vous indiquera les pièces manquantes et \
                 le délai pour les produire ; le délai de décision ne court qu'à compter de leur \
                 réception (CRPA, art. L114-5)."
                    .into(),
            ));
        }
    } else {
        l.push(Field(
            "Dossier".into(),
            "INCOMPLET : pièces manquantes ci-dessous".into(),
        ));
        match (&d.completion, rules.delay) {
            (Some(c), _) => {
                let on = c.at.to_zoned(input.tz.clone()).date();
                l.push(Field(
                    "Dossier complété le".into(),
                    format!("{} par le dépôt n° {}", date_long(on), c.by),
                ));
                decision(l, rules, on, true);
            }
            (None, Some(delay)) => l.push(Text(format!(
                "Le délai de {} au terme duquel naît une décision implicite ({}) ne court qu'à \
                 compter de la réception des pièces manquantes (CRPA, art. L114-5). Un accusé de \
                 réception vous sera remis à leur dépôt, avec la date à laquelle le dossier est \
                 complet et celle de la décision implicite.",
                delay.label_fr(),
                rules.regime.label_fr()
            ))),
            (None, None) => {}
        }
        l.push(Heading("Pièces manquantes".into()));
        for m in &d.facts.missing {
            l.push(Text(format!("• {m}")));
        }
        if let Some(by) = d.facts.missing_deadline {
            l.push(Field("À produire au plus tard le".into(), date_long(by)));
        }
    }
    appeal(l, rules);
    l.push(Gap);
}

/// The receipt of additional documents that complete an application: the day the file became
/// complete, and the implicit decision counted from it (CRPA L114-5; APA: CASF R232-23).
fn completion(
    l: &mut Vec<Line>,
    input: &ReceiptInput<'_>,
    first: &super::Completed<'_>,
    received: Date,
) {
    use Line::*;
    let f = first.deposit;
    l.push(Heading("Dossier complété".into()));
    l.push(Field(
        "Complète le dépôt".into(),
        format!(
            "n° {} — {} reçue le {}",
            f.number,
            first.rules.label,
            date_long(f.received_at.to_zoned(input.tz.clone()).date())
        ),
    ));
    let basis = first
        .rules
        .completion_basis
        .as_deref()
        .unwrap_or("code des relations entre le public et l'administration, art. L114-5");
    l.push(Field(
        "Dossier complet le".into(),
        format!("{} ({basis})", date_long(received)),
    ));
    decided_by(l, first.rules);
    decision(l, first.rules, received, true);
    appeal(l, first.rules);
    l.push(Gap);
}
