//! The crisis cell's operations, for `relais courante|incident|cnil|systemes|taches|annuaire|
//! message` and the web's `/crise` screens: the main courante ([`courante`]: add, export), the
//! incident ([`incident`]: facts, CNIL notifications, the 72-hour clock, the summary), the
//! systems' inventory and the tasks ([`systems`]), the directory and the message to the public
//! ([`directory`]). Writing needs the role `crise` or `admin`, checked by the store in the
//! transaction that writes; what the store refuses is [`AppError::Crisis`], in its own French.
//! "Now" is the [`Cell`]'s injected clock.

use crate::clock::Clock;
use crate::error::AppError;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use relais_documents::crisis::Heading;
use relais_store::crisis::CrisisError;

pub mod courante;
pub mod directory;
pub mod incident;
pub mod systems;

/// Where and when the crisis cell works: the authority's name (on its documents), its time
/// zone and its clock.
#[derive(Clone, Copy)]
pub struct Cell<'a> {
    pub authority: &'a str,
    pub tz: &'a TimeZone,
    pub clock: &'a dyn Clock,
}

impl Cell<'_> {
    /// The heading of a document printed now.
    pub fn heading(&self) -> Heading<'_> {
        Heading {
            authority: self.authority,
            tz: self.tz,
            printed_at: self.clock.now(),
        }
    }

    /// The instant something happened, as typed: refused when it is after now (a typing slip,
    /// a wrong year); `field` names it in the message as the front end shows it.
    pub fn happened(&self, field: &'static str, at: Timestamp) -> Result<Timestamp, AppError> {
        relais_core::crisis::cnil::not_in_future(field, at, self.clock.now(), self.tz)
            .map_err(|e| AppError::Crisis(CrisisError::Input(e)))
    }
}
