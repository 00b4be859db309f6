//! `relais paie …`: changes of an agent's situation, asked and approved.

use super::values;
use super::{DataArg, UserArg};
use clap::{Args, Subcommand};
use jiff::civil::Date;

#[derive(Debug, Subcommand)]
// Parsed once at start-up and matched once: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum PaieCommand {
    /// Demande un changement de situation d'un agent (entrée, sortie, net, RIB), avec sa pièce
    /// justificative ; appliqué à la paie une fois approuvé par un autre ordonnateur.
    Change(PaieChangeArgs),
    /// Approuve une demande (un ordonnateur qui ne l'a pas faite).
    Approve(PaieDecideArgs),
    /// Refuse une demande, avec son motif.
    Refuse(PaieRefuseArgs),
    /// Liste les demandes (les plus récentes d'abord).
    List(PaieListArgs),
}

#[derive(Debug, Args)]
pub struct PaieChangeArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Matricule de l'agent.
    #[arg(long)]
    pub matricule: String,
    /// Nature du changement : entree, sortie, net ou rib.
    #[arg(long, value_parser = ["entree", "sortie", "net", "rib"])]
    pub kind: String,
    /// Date d'entrée ou de sortie (dernier jour en poste).
    #[arg(long, value_parser = values::date)]
    pub date: Option<Date>,
    /// Net mensuel (nouveau net, ou net d'un nouvel agent).
    #[arg(long, value_parser = values::cents)]
    pub net: Option<relais_core::Cents>,
    /// Nouvel IBAN (rib), ou celui d'un nouvel agent.
    #[arg(long, value_parser = values::iban)]
    pub iban: Option<relais_core::ids::Iban>,
    #[arg(long, value_parser = values::bic)]
    pub bic: Option<relais_core::ids::Bic>,
    /// Nouvel agent : nom, prénom, NIR, service.
    #[arg(long)]
    pub nom: Option<String>,
    #[arg(long)]
    pub prenom: Option<String>,
    #[arg(long, value_parser = values::nir)]
    pub nir: Option<relais_core::ids::Nir>,
    #[arg(long)]
    pub service: Option<String>,
    /// Référence de la pièce justificative (arrêté).
    #[arg(long)]
    pub arrete: String,
    /// Motif (journalisé).
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct PaieDecideArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Numéro de la demande.
    pub id: u64,
}

#[derive(Debug, Args)]
pub struct PaieRefuseArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Numéro de la demande.
    pub id: u64,
    /// Motif du refus (journalisé).
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct PaieListArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Seulement les demandes en attente de décision.
    #[arg(long)]
    pub pending: bool,
}
