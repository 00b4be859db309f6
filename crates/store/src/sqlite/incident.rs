//! The incident's facts and the CNIL notifications in SQLite: rows are only ever added, so
//! every revision stays.

use super::courante::WRITERS;
use super::decode::{Columns, corrupt};
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

/// The incident's facts, in order (the columns [`fact`] reads).
pub(crate) const FACTS: &str =
    "SELECT id, kind, at, estimate, place, reference, answer, note, recorded_by, recorded_at
     FROM incident_facts ORDER BY id";

/// The CNIL notifications with their delay's reasons, in order (the columns
/// [`notification`] reads).
pub(crate) const NOTIFICATIONS: &str = "SELECT n.id, n.kind, n.nature, n.people_categories,
        n.people_count, n.record_categories, n.record_count, n.consequences, n.measures,
        n.dpo_contact, n.sent_at, n.reference, n.recorded_by, d.reasons
     FROM cnil_notifications n LEFT JOIN cnil_delay_reasons d ON d.notification_id = n.id
     ORDER BY n.id";

fn required<T>(value: Option<T>, what: &str) -> Result<T, StoreError> {
    value.ok_or_else(|| corrupt(what, "NULL"))
}

/// A row of [`FACTS`], from either backend.
pub(crate) fn fact(r: &impl Columns) -> Result<Fact, StoreError> {
    let kind = required(r.text(1)?, "incident fact kind")?;
    Ok(Fact {
        id: required(r.int(0)?, "incident fact id")?,
        kind: FactKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("incident fact kind {kind:?}")))?,
        value: NewFact {
            at: opt_timestamp(r.text(2)?)?,
            estimate: required(r.int(3)?, "incident fact estimate")? != 0,
            place: r.text(4)?,
            reference: r.text(5)?,
            answer: r.int(6)?.map(|a| a != 0),
            note: r.text(7)?,
        },
        recorded_by: required(r.text(8)?, "incident fact author")?,
        recorded_at: timestamp(&required(r.text(9)?, "incident fact instant")?)?,
    })
}

/// A row of [`NOTIFICATIONS`], from either backend.
pub(crate) fn notification(r: &impl Columns) -> Result<RecordedNotification, StoreError> {
    let kind = required(r.text(1)?, "notification kind")?;
    let count = |i: usize, what: &str| -> Result<u64, StoreError> {
        Ok(required(r.int(i)?, what)?.max(0) as u64)
    };
    let text = |i: usize, what: &str| required(r.text(i)?, what);
    Ok(RecordedNotification {
        id: required(r.int(0)?, "notification id")?,
        notification: Notification {
            kind: NotificationKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("notification kind {kind:?}")))?,
            nature: text(2, "notification nature")?,
            people_categories: text(3, "notification people")?,
            people_count: count(4, "notification people count")?,
            record_categories: text(5, "notification records")?,
            record_count: count(6, "notification record count")?,
            consequences: text(7, "notification consequences")?,
            measures: text(8, "notification measures")?,
            dpo_contact: text(9, "notification DPO")?,
            sent_at: timestamp(&text(10, "notification sent")?)?,
            reference: r.text(11)?,
            delay_reasons: r.text(13)?,
        },
        recorded_by: text(12, "notification author")?,
    })
}

pub(crate) fn incident(conn: &Connection) -> Result<Incident, StoreError> {
    let mut facts = Vec::new();
    let mut stmt = conn.prepare(FACTS)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        facts.push(fact(r)?);
    }
    let mut notifications = Vec::new();
    let mut stmt = conn.prepare(NOTIFICATIONS)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        notifications.push(notification(r)?);
    }
    Ok(Incident {
        facts,
        notifications,
    })
}
