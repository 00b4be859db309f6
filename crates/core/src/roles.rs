//! The roles an agent may hold. Separation of duties is decided here, checked by every caller.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Desk agent in a site (MDS, MDPH, point autonomie).
    Accueil,
    /// Courrier service: registers paper deposits.
    Courrier,
    /// Instruction of applications and rights.
    Instruction,
    /// Finance: prepares payment runs.
    Liquidation,
    /// The ordonnateur's delegate: validates payment runs.
    Ordonnateur,
    /// Crisis cell.
    Crise,
    /// Administration of the instance: users, imports, settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Accueil,
        Role::Courrier,
        Role::Instruction,
        Role::Liquidation,
        Role::Ordonnateur,
        Role::Crise,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Accueil => "accueil",
            Role::Courrier => "courrier",
            Role::Instruction => "instruction",
            Role::Liquidation => "liquidation",
            Role::Ordonnateur => "ordonnateur",
            Role::Crise => "crise",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_ascii_lowercase())
    }

    /// The roles that move money: a payment run is prepared by `liquidation` and validated by
    /// `ordonnateur`, two people (décret GBCP art. 9). Creating or changing an account that
    /// holds one is shown to every ordonnateur (an administrator who makes themselves a second
    /// account to validate their own run must be seen).
    pub fn moves_money(self) -> bool {
        matches!(self, Role::Liquidation | Role::Ordonnateur)
    }

    /// French label for screens.
    pub fn label_fr(self) -> &'static str {
        match self {
            Role::Accueil => "Accueil",
            Role::Courrier => "Courrier",
            Role::Instruction => "Instruction",
            Role::Liquidation => "Liquidation",
            Role::Ordonnateur => "Ordonnateur",
            Role::Crise => "Cellule de crise",
            Role::Admin => "Administration",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses `a,b,c` into roles, or names the first unknown one.
pub fn parse_roles(s: &str) -> Result<Vec<Role>, String> {
    let mut roles = Vec::new();
    for part in s.split([',', ' ']).filter(|p| !p.trim().is_empty()) {
        let role = Role::parse(part).ok_or_else(|| part.trim().to_owned())?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    roles.sort();
    Ok(roles)
}

/// `a,b,c`.
pub fn format_roles(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        let roles = parse_roles("ordonnateur, admin,accueil").expect("roles");
        assert_eq!(format_roles(&roles), "accueil,ordonnateur,admin");
        assert_eq!(parse_roles("admin,chef"), Err("chef".to_owned()));
    }

    #[test]
    fn only_the_finance_roles_move_money() {
        let moving: Vec<Role> = Role::ALL.into_iter().filter(|r| r.moves_money()).collect();
        assert_eq!(moving, vec![Role::Liquidation, Role::Ordonnateur]);
    }
}
