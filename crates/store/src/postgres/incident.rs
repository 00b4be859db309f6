//! The incident's facts and the CNIL notifications on PostgreSQL, as on SQLite
//! (`sqlite/incident.rs`): rows are only ever added, so every revision stays.

use super::{journal, users, write};
use crate::StoreError;
use crate::crisis::CrisisError;
use crate::sqlite::courante::WRITERS;
use crate::sqlite::incident::{
    FACTS, NOTIFICATIONS, check_delay, fact, notification, notification_payload,
};
use postgres::{Client, GenericClient};
use relais_core::crisis::{FactKind, Incident, NewFact, Notification, NotificationKind};
use serde_json::json;

pub(crate) fn record_fact(
    client: &mut Client,
    actor: &str,
    kind: FactKind,
    fact: &NewFact,
) -> Result<i64, CrisisError> {
    let mut tx = write(client)?;
    users::require_any(&mut tx, actor, WRITERS)?;
    let at = fact.at.map(|t| t.to_string());
    let id: i64 = tx
        .query_one(
            "INSERT INTO incident_facts (kind, at, estimate, place, reference, answer, note,
                                         recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &[
                &kind.as_str(),
                &at,
                &i64::from(fact.estimate),
                &fact.place,
                &fact.reference,
                &fact.answer.map(i64::from),
                &fact.note,
                &actor,
                &crate::now(),
            ],
        )?
        .try_get(0)?;
    journal::append(
        &mut tx,
        actor,
        "incident.fact",
        &json!({ "id": id, "kind": kind.as_str(), "value": fact }),
    )?;
    tx.commit()?;
    Ok(id)
}

pub(crate) fn record_notification(
    client: &mut Client,
    actor: &str,
    n: &Notification,
) -> Result<i64, CrisisError> {
    let mut tx = write(client)?;
    users::require_any(&mut tx, actor, WRITERS)?;
    if n.kind == NotificationKind::Complementary {
        let initial: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM cnil_notifications WHERE kind = 'initiale')",
                &[],
            )?
            .try_get(0)?;
        if !initial {
            return Err(CrisisError::NoInitialNotification);
        }
    }
    if n.kind == NotificationKind::Initial && n.delay_reasons.is_none() {
        let awareness: Option<String> = tx
            .query_opt(
                "SELECT at FROM incident_facts WHERE kind = $1 ORDER BY id DESC LIMIT 1",
                &[&FactKind::Awareness.as_str()],
            )?
            .map(|r| r.try_get::<_, Option<String>>(0))
            .transpose()?
            .flatten();
        check_delay(awareness, n)?;
    }
    let id: i64 = tx
        .query_one(
            "INSERT INTO cnil_notifications (kind, nature, people_categories, people_count,
                 record_categories, record_count, consequences, measures, dpo_contact, sent_at,
                 reference, recorded_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            &[
                &n.kind.as_str(),
                &n.nature,
                &n.people_categories,
                &i64::try_from(n.people_count).unwrap_or(i64::MAX),
                &n.record_categories,
                &i64::try_from(n.record_count).unwrap_or(i64::MAX),
                &n.consequences,
                &n.measures,
                &n.dpo_contact,
                &n.sent_at.to_string(),
                &n.reference,
                &actor,
            ],
        )?
        .try_get(0)?;
    if let Some(reasons) = &n.delay_reasons {
        tx.execute(
            "INSERT INTO cnil_delay_reasons (notification_id, reasons) VALUES ($1, $2)",
            &[&id, reasons],
        )?;
    }
    journal::append(
        &mut tx,
        actor,
        "cnil.notification",
        &notification_payload(n, id)?,
    )?;
    tx.commit()?;
    Ok(id)
}

pub(crate) fn incident(c: &mut impl GenericClient) -> Result<Incident, StoreError> {
    let facts = c
        .query(FACTS, &[])?
        .iter()
        .map(fact)
        .collect::<Result<_, _>>()?;
    let notifications = c
        .query(NOTIFICATIONS, &[])?
        .iter()
        .map(notification)
        .collect::<Result<_, _>>()?;
    Ok(Incident {
        facts,
        notifications,
    })
}
