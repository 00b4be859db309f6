//! `relais deposit list --format tableur`: the register for a French spreadsheet
//! (`relais_formats::tableur`): the kinds' labels, both instants HH:MM in the authority's time zone,
//! amounts with a decimal comma, typed texts never read as formulas.

use relais_core::deposits::{Deposit, KindRules};
use std::io::Write;

pub fn write(
    out: impl Write,
    deposits: &[Deposit],
    rules: &[KindRules],
    tz: &jiff::tz::TimeZone,
) -> anyhow::Result<()> {
    use relais_formats::tableur::{amount, date, instant, text};
    let mut w = relais_formats::tableur::writer(out)?;
    w.write_record([
        "Numéro",
        "Reçu le",
        "Type",
        "Déposant",
        "Objet",
        "Pages",
        "Dossier",
        "SIRET",
        "Numéro de facture",
        "Montant TTC",
        "Enregistré par",
        "Enregistré le",
        "Motif de l'enregistrement différé",
        "Pièces manquantes",
        "À produire avant le",
        "Complète la demande",
        "Complétée par",
        "Complétée le",
        "Annulé le",
        "Motif de l'annulation",
        "Alertes",
    ])?;
    for d in deposits {
        let inv = d.facts.invoice.as_ref();
        let completion = d.completion.as_ref();
        let kind = relais_app::deposits::kind_label(rules, d.facts.kind);
        w.write_record([
            d.number.to_string(),
            instant(d.received_at, tz),
            kind,
            text(&d.facts.depositor),
            text(d.facts.subject.as_deref().unwrap_or_default()),
            d.facts.pages.to_string(),
            text(d.facts.dossier.as_deref().unwrap_or_default()),
            inv.map(|i| i.siret.to_string()).unwrap_or_default(),
            inv.map(|i| text(&i.number)).unwrap_or_default(),
            inv.map(|i| amount(i.amount)).unwrap_or_default(),
            d.registered_by.clone(),
            instant(d.registered_at, tz),
            text(d.facts.backdate_reason.as_deref().unwrap_or_default()),
            text(&d.facts.missing.join(" ; ")),
            d.facts.missing_deadline.map(date).unwrap_or_default(),
            d.facts.completes.map(|n| n.to_string()).unwrap_or_default(),
            completion.map(|c| c.by.to_string()).unwrap_or_default(),
            completion.map(|c| instant(c.at, tz)).unwrap_or_default(),
            d.cancellation
                .as_ref()
                .map(|c| instant(c.at, tz))
                .unwrap_or_default(),
            d.cancellation
                .as_ref()
                .map(|c| text(&c.reason))
                .unwrap_or_default(),
            d.warnings().join(" ; "),
        ])?;
    }
    w.flush()?;
    Ok(())
}
