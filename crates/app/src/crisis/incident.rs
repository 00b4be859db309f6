//! The incident: its facts (every revision kept), the notifications sent to the CNIL, the
//! 72-hour clock they stop (RGPD art. 33.1), and its summary on paper.

use super::Cell;
use crate::clock::Clock;
use crate::error::AppError;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use relais_core::crisis::cnil::{CnilClock, is_late, notified_label_fr};
use relais_core::crisis::{FactKind, Incident, NewFact, Notification, NotificationKind};
use relais_documents::DocumentError;
use relais_documents::crisis::write_incident_pdf;
use relais_store::Backend;
use std::io::Write;

/// A fact recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The revision's number.
    pub revision: i64,
    /// For the moment of awareness: the CNIL clock it sets, at now.
    pub cnil: Option<CnilClock>,
}

/// Records a revision of the fact `kind` by `actor`.
pub fn record_fact(
    store: &mut dyn Backend,
    clock: &dyn Clock,
    actor: &str,
    kind: FactKind,
    fact: &NewFact,
) -> Result<Recorded, AppError> {
    let revision = store
        .record_fact(actor, kind, fact)
        .map_err(AppError::Crisis)?;
    let cnil = match (kind, fact.at) {
        (FactKind::Awareness, Some(at)) => Some(CnilClock::at(at, clock.now())),
        _ => None,
    };
    Ok(Recorded { revision, cnil })
}

/// Records a notification sent to the CNIL by `actor`; its number. A complementary one needs
/// an initial one, and one sent after the 72 hours the reasons for the delay (the store's
/// rules, [`AppError::Crisis`]).
pub fn notify(
    store: &mut dyn Backend,
    actor: &str,
    notification: &Notification,
) -> Result<i64, AppError> {
    store
        .record_notification(actor, notification)
        .map_err(AppError::Crisis)
}

/// The incident: every fact's revisions and the notifications.
pub fn read(store: &dyn Backend) -> Result<Incident, AppError> {
    store.incident().map_err(AppError::Crisis)
}

/// The incident's summary (A4 PDF), printed now on the cell's clock.
pub fn summary_pdf(
    cell: &Cell<'_>,
    incident: &Incident,
    out: &mut dyn Write,
) -> Result<(), DocumentError> {
    write_incident_pdf(&cell.heading(), incident, out)
}

/// When the CNIL was first notified: the initial notification's sending (the earliest, should
/// there be several), else the earliest of any.
pub fn first_notified(incident: &Incident) -> Option<Timestamp> {
    let sent = |initial: bool| {
        incident
            .notifications
            .iter()
            .map(|n| &n.notification)
            .filter(|n| !initial || n.kind == NotificationKind::Initial)
            .map(|n| n.sent_at)
            .min()
    };
    sent(true).or_else(|| sent(false))
}

/// Where the CNIL notification stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cnil {
    /// The moment of awareness is not recorded: no deadline (`notified`: a notification was
    /// sent all the same).
    Unknown { notified: bool },
    /// Running: the deadline and what is left of it now.
    Running {
        awareness: Timestamp,
        clock: CnilClock,
    },
    /// Stopped by the first notification, sent at `sent`.
    Notified {
        awareness: Timestamp,
        clock: CnilClock,
        sent: Timestamp,
    },
}

impl Cnil {
    /// The CNIL clock of `incident` now, from its current moment of awareness; it stops once
    /// the CNIL is notified.
    pub fn of(incident: &Incident, clock: &dyn Clock) -> Cnil {
        let sent = first_notified(incident);
        let Some(awareness) = incident
            .current(FactKind::Awareness)
            .and_then(|f| f.value.at)
        else {
            return Cnil::Unknown {
                notified: sent.is_some(),
            };
        };
        let cnil = CnilClock::at(awareness, clock.now());
        match sent {
            Some(sent) => Cnil::Notified {
                awareness,
                clock: cnil,
                sent,
            },
            None => Cnil::Running {
                awareness,
                clock: cnil,
            },
        }
    }

    /// "reste 12 h 05 min", "dépassé de 3 h 00 min", or, stopped, "notifiée le … à …, n h
    /// après la découverte" on the authority's clock; `None` while awareness is unknown.
    pub fn label_fr(&self, tz: &TimeZone) -> Option<String> {
        match self {
            Cnil::Unknown { .. } => None,
            Cnil::Running { clock, .. } => Some(clock.label_fr()),
            Cnil::Notified {
                awareness, sent, ..
            } => Some(notified_label_fr(*awareness, *sent, tz)),
        }
    }

    /// The deadline passed and nobody notified the CNIL yet.
    pub fn is_overdue(&self) -> bool {
        matches!(self, Cnil::Running { clock, .. } if clock.is_overdue())
    }

    /// The CNIL was notified after the 72 hours.
    pub fn is_late(&self) -> bool {
        matches!(self, Cnil::Notified { awareness, sent, .. } if is_late(*awareness, *sent))
    }
}
