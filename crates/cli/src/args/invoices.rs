//! `relais factures …`: the suppliers' invoices, from receipt to liquidation.

use super::values;
use super::{DataArg, InvoicesDueArgs, UserArg};
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum FacturesCommand {
    /// Factures non payées par jours restants avant l'échéance légale (suspensions déduites),
    /// avec leur état et ce qui les bloque.
    List(InvoicesDueArgs),
    /// Certifie le service fait (rôle instruction), en tout ou partie, et ce qui a été vérifié.
    ServiceFait(ServiceFaitArgs),
    /// Liquide une facture (rôle liquidation, pas celui qui a certifié le service fait).
    Liquider(LiquiderArgs),
    /// Suspend le délai de paiement, avec le motif adressé au fournisseur (CCP R2192-27).
    Suspendre(ReasonArgs),
    /// Reprend le délai d'une facture suspendue.
    Reprendre(InvoiceArgs),
    /// Rejette une facture, avec son motif.
    Rejeter(ReasonArgs),
    /// Enregistre le paiement d'une facture mandatée, quand le retour du comptable ou un
    /// relevé le dit.
    Payee(PayeeArgs),
    /// Fournisseurs dont les coordonnées bancaires ont changé depuis l'instantané, en attente
    /// d'approbation.
    RibEnAttente(DataArg),
    /// Approuve les coordonnées bancaires actuelles d'un fournisseur (rôle ordonnateur).
    ApprouverRib(ApprouverRibArgs),
    /// Enregistre un lot d'étapes saisi dans un tableur (CSV) : tout le fichier, ou rien.
    Lot(LotArgs),
}

/// L'étape d'un lot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LotEtape {
    /// Colonnes facture, verifie, montant (facultative) ; rôle instruction.
    ServiceFait,
    /// Colonnes facture, nature, fonction, montant (facultative) ; rôle liquidation.
    Liquider,
}

#[derive(Debug, Args)]
pub struct LotArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Le fichier CSV (`;` ou `,`, UTF-8), une facture par ligne.
    pub file: std::path::PathBuf,
    /// L'étape enregistrée pour chaque facture du fichier.
    #[arg(long, value_enum)]
    pub etape: LotEtape,
}

#[derive(Debug, Args)]
pub struct PayeeArgs {
    #[command(flatten)]
    pub invoice: InvoiceArgs,
    /// Date du paiement (JJ/MM/AAAA ou AAAA-MM-JJ).
    #[arg(long, value_parser = values::date)]
    pub date: jiff::civil::Date,
    /// D'où vient l'information (retour PES du comptable, relevé de compte…).
    #[arg(long)]
    pub source: String,
}

#[derive(Debug, Args)]
pub struct ApprouverRibArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// SIRET du fournisseur.
    pub siret: String,
}

#[derive(Debug, Args)]
pub struct InvoiceArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// La facture : son identifiant dans factures.csv, ou le numéro chrono de son dépôt.
    pub id: String,
}

#[derive(Debug, Args)]
pub struct ServiceFaitArgs {
    #[command(flatten)]
    pub invoice: InvoiceArgs,
    /// Montant du service fait, s'il est partiel (par défaut, celui de la facture).
    #[arg(long, value_parser = values::cents)]
    pub montant: Option<relais_core::Cents>,
    /// Ce qui a été vérifié (bon de livraison, travaux constatés…).
    #[arg(long)]
    pub verifie: String,
}

#[derive(Debug, Args)]
pub struct LiquiderArgs {
    #[command(flatten)]
    pub invoice: InvoiceArgs,
    /// Compte budgétaire (M57) : de charge (6…) ou d'investissement (2…).
    #[arg(long)]
    pub nature: String,
    /// Fonction (M57).
    #[arg(long)]
    pub fonction: String,
    /// Montant à payer (par défaut, celui du service fait).
    #[arg(long, value_parser = values::cents)]
    pub montant: Option<relais_core::Cents>,
}

#[derive(Debug, Args)]
pub struct ReasonArgs {
    #[command(flatten)]
    pub invoice: InvoiceArgs,
    /// Motif (journalisé).
    #[arg(long)]
    pub reason: String,
}
