//! `relais pes …`: the flux exchanged with the public accountant beyond the payment files.

use super::{DataArg, UserArg};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum PesCommand {
    /// Lit le retour du comptable (PES_DepenseRetour) : mandats payés, rejetés (avec le motif)
    /// ou pris en charge ; met à jour les factures et rend payables les droits d'un mandat
    /// rejeté ; liste les pièces inconnues et les demandes de régularisation.
    Retour(PesRetourArgs),
}

#[derive(Debug, Args)]
pub struct PesRetourArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Le fichier PES_DepenseRetour reçu de la paierie (XML, ISO-8859-1 ou UTF-8).
    pub file: PathBuf,
}
