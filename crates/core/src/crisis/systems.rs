//! The remediation workflow of a compromised system, and how critical a system is.
//!
//! The path a system follows (ANSSI, « Remédiation d'un incident de sécurité ») is
//! compromis → isolé → en analyse → nettoyé → restauré. A step may be skipped only at the
//! start (a system already off the network goes straight to analysis); cleaning needs an
//! analysis, restoring needs cleaning. A system found infected again goes back to compromis
//! from any other status.

use super::{french_enum, same_word};
use serde::{Deserialize, Serialize};

french_enum! {
    /// Where a system stands, in workflow order.
    SystemStatus {
        Compromised => ("compromis", "compromis"),
        Isolated => ("isole", "isolé"),
        Analysing => ("en_analyse", "en analyse"),
        Cleaned => ("nettoye", "nettoyé"),
        Restored => ("restaure", "restauré"),
    }
}

french_enum! {
    /// How much the authority needs the system to pay and to receive.
    Criticality {
        Critical => ("critique", "critique"),
        High => ("importante", "importante"),
        Normal => ("normale", "normale"),
    }
}

/// A change of status the workflow refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("passage de « {from} » à « {to} » refusé : {why}")]
pub struct TransitionError {
    pub from: SystemStatus,
    pub to: SystemStatus,
    pub why: &'static str,
}

impl SystemStatus {
    /// The statuses a system may go to from this one.
    pub fn next(self) -> &'static [SystemStatus] {
        use SystemStatus::*;
        match self {
            Compromised => &[Isolated, Analysing],
            Isolated => &[Analysing, Compromised],
            Analysing => &[Cleaned, Compromised],
            Cleaned => &[Restored, Compromised],
            Restored => &[Compromised],
        }
    }

    /// Whether `self → to` is allowed, and why not.
    pub fn check_transition(self, to: SystemStatus) -> Result<(), TransitionError> {
        use SystemStatus::*;
        if self.next().contains(&to) {
            return Ok(());
        }
        let why = match (self, to) {
            _ if self == to => "le système a déjà ce statut",
            (_, Restored) => "un système n'est restauré qu'après avoir été nettoyé",
            (_, Cleaned) => "un système n'est nettoyé qu'après une analyse",
            (_, Isolated) => "seul un système compromis est isolé",
            _ => "retour en arrière non prévu (un système réinfecté repasse à « compromis »)",
        };
        Err(TransitionError {
            from: self,
            to,
            why,
        })
    }
}

/// "oui"/"non" and their usual spellings.
pub fn parse_yes_no(s: &str) -> Option<bool> {
    let t = s.trim();
    if ["oui", "o", "yes", "vrai", "true", "1"]
        .iter()
        .any(|w| same_word(t, w))
    {
        Some(true)
    } else if ["non", "n", "no", "faux", "false", "0"]
        .iter()
        .any(|w| same_word(t, w))
    {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::SystemStatus::*;
    use super::*;

    #[test]
    fn the_workflow_goes_forward_and_back_to_compromised() {
        for (from, to) in [
            (Compromised, Isolated),
            (Compromised, Analysing),
            (Isolated, Analysing),
            (Analysing, Cleaned),
            (Cleaned, Restored),
            (Restored, Compromised),
            (Cleaned, Compromised),
        ] {
            assert_eq!(from.check_transition(to), Ok(()), "{from} → {to}");
        }
    }

    #[test]
    fn skipping_cleaning_or_analysis_is_refused_in_words() {
        let e = Compromised.check_transition(Restored).expect_err("refused");
        assert_eq!(
            e.to_string(),
            "passage de « compromis » à « restauré » refusé : un système n'est restauré qu'après avoir été nettoyé"
        );
        assert!(Isolated.check_transition(Cleaned).is_err());
        assert!(Analysing.check_transition(Isolated).is_err());
        assert!(Restored.check_transition(Cleaned).is_err());
        let same = Isolated.check_transition(Isolated).expect_err("refused");
        assert!(same.why.contains("déjà"));
    }

    #[test]
    fn every_status_can_be_reached_and_parsed() {
        for s in SystemStatus::ALL {
            assert_eq!(SystemStatus::parse(s.label_fr()), Some(*s));
            assert_eq!(SystemStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(SystemStatus::parse("Nettoyé"), Some(Cleaned));
        assert_eq!(Criticality::parse("CRITIQUE"), Some(Criticality::Critical));
        assert_eq!(parse_yes_no("Oui"), Some(true));
        assert_eq!(parse_yes_no("non"), Some(false));
        assert_eq!(parse_yes_no("peut-être"), None);
    }
}
