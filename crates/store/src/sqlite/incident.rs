//! The incident's facts and the CNIL notifications in SQLite: rows are only ever added, so
//! every revision stays.

use super::courante::WRITERS;
use super::{journal, opt_timestamp, timestamp, users};
use crate::StoreError;
use crate::crisis::CrisisError;
use relais_core::crisis::cnil;
use relais_core::crisis::{
    Fact, FactKind, Incident, NewFact, Notification, NotificationKind, RecordedNotification,
};
use rusqlite::{Connection, OptionalExtension};
use serde_json::json;

/// An initial notification sent more than 72 hours after the last time of `awareness` (the
/// incident's last recorded) says why (RGPD art. 33.1).
pub(crate) fn check_delay(awareness: Option<String>, n: &Notification) -> Result<(), CrisisError> {
    if let Some(awareness) = opt_timestamp(awareness)?
        && cnil::is_late(awareness, n.sent_at)
    {
        return Err(CrisisError::LateWithoutReasons {
            hours: cnil::hours_after(awareness, n.sent_at),
        });
    }
    Ok(())
}

/// The journal payload of notification `id`: the notification and its id.
pub(crate) fn notification_payload(
    n: &Notification,
    id: i64,
) -> Result<serde_json::Value, StoreError> {
    let mut payload = serde_json::to_value(n).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if let Some(map) = payload.as_object_mut() {
        map.insert("id".into(), json!(id));
    }
    Ok(payload)
}

pub(crate) fn record_fact(
    conn: &mut Connection,
    actor: &str,
    kind: FactKind,
    fact: &NewFact,
) -> Result<i64, CrisisError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    users::require_any(&tx, actor, WRITERS)?;
    let at = fact.at.map(|t| t.to_string());
    tx.execute(
        "INSERT INTO incident_facts (kind, at, estimate, place, reference, answer, note,
                                     recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        rusqlite::params![
            kind.as_str(),
            at,
            fact.estimate,
            fact.place,
            fact.reference,
            fact.answer,
            fact.note,
            actor,
            super::now(),
        ],
    )?;
    let id = tx.last_insert_rowid();
    journal::append(
        &tx,
        actor,
        "incident.fact",
        &json!({ "id": id, "kind": kind.as_str(), "value": fact }),
    )?;
    tx.commit()?;
    Ok(id)
}

pub(crate) fn record_notification(
    conn: &mut Connection,
    actor: &str,
    n: &Notification,
) -> Result<i64, CrisisError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    users::require_any(&tx, actor, WRITERS)?;
    if n.kind == NotificationKind::Complementary {
        let initial: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM cnil_notifications WHERE kind = 'initiale')",
            [],
            |r| r.get(0),
        )?;
        if !initial {
            return Err(CrisisError::NoInitialNotification);
        }
    }
    if n.kind == NotificationKind::Initial && n.delay_reasons.is_none() {
        let awareness: Option<String> = tx
            .query_row(
                "SELECT at FROM incident_facts WHERE kind = ?1 ORDER BY id DESC LIMIT 1",
                [FactKind::Awareness.as_str()],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        check_delay(awareness, n)?;
    }
    tx.execute(
        "INSERT INTO cnil_notifications (kind, nature, people_categories, people_count,
             record_categories, record_count, consequences, measures, dpo_contact, sent_at,
             reference, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        rusqlite::params![
            n.kind.as_str(),
            n.nature,
            n.people_categories,
            i64::try_from(n.people_count).unwrap_or(i64::MAX),
            n.record_categories,
            i64::try_from(n.record_count).unwrap_or(i64::MAX),
            n.consequences,
            n.measures,
            n.dpo_contact,
            n.sent_at.to_string(),
            n.reference,
            actor,
        ],
    )?;
    let id = tx.last_insert_rowid();
    if let Some(reasons) = &n.delay_reasons {
        tx.execute(
            "INSERT INTO cnil_delay_reasons (notification_id, reasons) VALUES (?1, ?2)",
            rusqlite::params![id, reasons],
        )?;
    }
    journal::append(
        &tx,
        actor,
        "cnil.notification",
        &notification_payload(n, id)?,
    )?;
    tx.commit()?;
    Ok(id)
}

pub(crate) fn incident(conn: &Connection) -> Result<Incident, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, kind, at, estimate, place, reference, answer, note, recorded_by, recorded_at
         FROM incident_facts ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut facts = Vec::new();
    while let Some(r) = rows.next()? {
        let kind: String = r.get(1)?;
        facts.push(Fact {
            id: r.get(0)?,
            kind: FactKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("incident fact kind {kind:?}")))?,
            value: NewFact {
                at: opt_timestamp(r.get(2)?)?,
                estimate: r.get(3)?,
                place: r.get(4)?,
                reference: r.get(5)?,
                answer: r.get(6)?,
                note: r.get(7)?,
            },
            recorded_by: r.get(8)?,
            recorded_at: timestamp(&r.get::<_, String>(9)?)?,
        });
    }
    let mut stmt = conn.prepare(
        "SELECT n.id, n.kind, n.nature, n.people_categories, n.people_count,
                n.record_categories, n.record_count, n.consequences, n.measures, n.dpo_contact,
                n.sent_at, n.reference, n.recorded_by, d.reasons
         FROM cnil_notifications n LEFT JOIN cnil_delay_reasons d ON d.notification_id = n.id
         ORDER BY n.id",
    )?;
    let mut rows = stmt.query([])?;
    let mut notifications = Vec::new();
    while let Some(r) = rows.next()? {
        let kind: String = r.get(1)?;
        notifications.push(RecordedNotification {
            id: r.get(0)?,
            notification: Notification {
                kind: NotificationKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("notification kind {kind:?}")))?,
                nature: r.get(2)?,
                people_categories: r.get(3)?,
                people_count: r.get::<_, i64>(4)?.max(0) as u64,
                record_categories: r.get(5)?,
                record_count: r.get::<_, i64>(6)?.max(0) as u64,
                consequences: r.get(7)?,
                measures: r.get(8)?,
                dpo_contact: r.get(9)?,
                sent_at: timestamp(&r.get::<_, String>(10)?)?,
                reference: r.get(11)?,
                delay_reasons: r.get(13)?,
            },
            recorded_by: r.get(12)?,
        });
    }
    Ok(Incident {
        facts,
        notifications,
    })
}
