//! The crisis cell's pictures, on its overview and on the dashboard: the systems' remediation
//! by status, the CNIL deadline on a line of time.

use crate::charts::{self, About, Mark, Segment, Unit};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use relais_core::crisis::cnil::deadline;
use relais_core::crisis::{FactKind, Incident, SystemsSummary};
use relais_documents::crisis::local;
use relais_documents::french;

/// The systems' remediation: one bar cut by status, in the workflow's order.
pub fn systems(summary: &SystemsSummary) -> String {
    let total: u64 = summary.by_status.iter().map(|(_, n)| n).sum();
    let parts: Vec<Segment> = summary
        .by_status
        .iter()
        .map(|(status, n)| Segment {
            label: status.label_fr().to_owned(),
            value: i64::try_from(*n).unwrap_or(i64::MAX),
            class: status.as_str().to_owned(),
        })
        .collect();
    let detail: Vec<String> = summary
        .by_status
        .iter()
        .map(|(status, n)| format!("{} {}", french::count(*n), status.label_fr()))
        .collect();
    let desc = format!(
        "{} de l'inventaire : {}.",
        french::count_of(total, "système", "systèmes"),
        detail.join(", ")
    );
    charts::stacked(
        &About {
            id: "graphique-systemes",
            title: "Remédiation des systèmes, par statut",
            desc: &desc,
            label_heading: "Statut",
            value_heading: "Systèmes",
        },
        &parts,
        Unit::Count,
    )
}

/// The CNIL deadline: awareness, now, the 72-hour limit and the notification when sent; `None`
/// while awareness is not recorded.
pub fn cnil(incident: &Incident, now: Timestamp, tz: &TimeZone) -> Option<String> {
    let awareness = incident.current(FactKind::Awareness)?.value.at?;
    let limit = deadline(awareness);
    let notified = relais_app::crisis::incident::first_notified(incident);
    let mark = |label: &str, at: Timestamp, class: &str| Mark {
        label: label.to_owned(),
        at: at.as_second(),
        when: local(at, tz),
        class: class.to_owned(),
    };
    let mut marks = vec![
        mark("Prise de connaissance", awareness, "debut"),
        mark("Limite des 72 h", limit, "limite"),
    ];
    match notified {
        Some(sent) => marks.push(mark("Notification", sent, "notification")),
        None => marks.push(mark("Maintenant", now, "maintenant")),
    }
    let desc = match notified {
        Some(sent) => format!(
            "Prise de connaissance le {}, limite le {} ; {}.",
            local(awareness, tz),
            local(limit, tz),
            relais_core::crisis::cnil::notified_label_fr(awareness, sent, tz)
        ),
        None => format!(
            "Prise de connaissance le {}, limite le {} ; il est {} : {}.",
            local(awareness, tz),
            local(limit, tz),
            local(now, tz),
            relais_core::crisis::cnil::CnilClock::at(awareness, now).label_fr()
        ),
    };
    Some(charts::timeline(
        &About {
            id: "graphique-cnil",
            title: "Délai de notification à la CNIL",
            desc: &desc,
            label_heading: "Moment",
            value_heading: "Date et heure",
        },
        &marks,
    ))
}
