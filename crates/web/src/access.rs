//! Who may use what: the access a route requires, and the lists of roles that open each
//! screen. The route table (`routes.rs`) gives every route one of these; the menu
//! (`pages.rs`) and the screens (what a page offers) read the same lists.

use relais_core::roles::Role;
use relais_store::sessions::Session;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// A signed-in user holding one of these roles.
    AnyOf(&'static [Role]),
}

impl Access {
    /// Whether a signed-in `session` may use a route of this access.
    pub fn admits(self, session: &Session) -> bool {
        match self {
            Access::Public | Access::SignedIn => true,
            Access::AnyOf(roles) => holds(session, roles),
        }
    }
}

/// Whether the session holds one of `roles` (what a page offers: a button, a form).
pub fn holds(session: &Session, roles: &[Role]) -> bool {
    roles.iter().any(|r| session.has(*r))
}

/// The desk: finding a person, the person's page.
pub const DESK: &[Role] = &[Role::Accueil, Role::Instruction, Role::Crise];
/// Payment runs.
pub const PAYMENTS: &[Role] = &[Role::Liquidation, Role::Ordonnateur];
/// Suppliers' invoices: the service fait (instruction), the liquidation (liquidation), and the
/// ordonnateur who may suspend or reject one.
pub const INVOICES: &[Role] = &[Role::Instruction, Role::Liquidation, Role::Ordonnateur];
/// Rows rejected at import ("Dossiers à traiter").
pub const REJECTS: &[Role] = &[Role::Instruction, Role::Admin];
/// Who asks for a change of bank details, and who decides one (never the same person): the
/// rule of `relais_core::bank_change`, which the store applies.
pub const BANK_ASK: &[Role] = relais_core::bank_change::ASK;
pub const BANK_DECIDE: &[Role] = relais_core::bank_change::DECIDE;
/// Who applies a crisis decision renewing rights.
pub const RENEW: &[Role] = &[Role::Instruction, Role::Liquidation, Role::Admin];
/// Who registers deposits: the courrier service and the desks.
pub const COURRIER: &[Role] = &[Role::Courrier, Role::Accueil];
/// Who writes the crisis cell's records, and reads the main courante and the incident.
pub const CRISE: &[Role] = &[Role::Crise, Role::Admin];
/// Who sees a payee's page: the desk, and the ordonnateur reviewing a change.
pub const PAYEE_VIEW: &[Role] = &[
    Role::Accueil,
    Role::Instruction,
    Role::Crise,
    Role::Ordonnateur,
];
