//! `relais commandes …`: purchase orders, issued and listed with what is invoiced against them.

use super::values;
use super::{DataArg, OutputFormat, UserArg};
use clap::{Args, Subcommand};
use jiff::civil::Date;

#[derive(Debug, Subcommand)]
pub enum CommandesCommand {
    /// Émet un bon de commande (rôle liquidation ou ordonnateur) : son numéro seul sur la
    /// première ligne, le chemin de son PDF sur la seconde.
    Emettre(EmettreArgs),
    /// Bons de commande avec le montant facturé et le reste ; bons sans facture ; factures
    /// sans bon de commande.
    List(CommandesListArgs),
    /// Écrit à nouveau le PDF d'un bon de commande : son chemin.
    Imprimer(ImprimerArgs),
}

#[derive(Debug, Args)]
pub struct EmettreArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Service demandeur.
    #[arg(long)]
    pub service: String,
    /// SIRET du fournisseur (connu de fournisseurs.csv).
    #[arg(long)]
    pub fournisseur: String,
    /// Objet de la commande.
    #[arg(long)]
    pub objet: String,
    /// Montant TTC en euros, `1 234,56` ou `1234.56`.
    #[arg(long, allow_hyphen_values = true)]
    pub montant: String,
    /// Numéro d'engagement donné par le système financier, s'il y en a un.
    #[arg(long)]
    pub engagement: Option<String>,
    /// Date de livraison souhaitée (AAAA-MM-JJ ou JJ/MM/AAAA).
    #[arg(long, value_parser = values::date)]
    pub date_livraison: Option<Date>,
}

#[derive(Debug, Args)]
pub struct CommandesListArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ImprimerArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Numéro du bon de commande (BC-2026-000123).
    pub numero: String,
}
