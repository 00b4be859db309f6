//! `relais journal …`: verify, list, and the hand-back's export and apply
//! (docs/journal-export.md).

use super::{DataArg, UserArg};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Vérifie la chaîne d'empreintes du journal et ses points de contrôle signés ; nomme la
    /// première entrée altérée.
    Verify(JournalVerifyArgs),
    /// Affiche les entrées du journal.
    List(JournalListArgs),
    /// Exporte les événements du journal (JSON Lines, CSV par domaine, points de contrôle
    /// signés, SHA256SUMS) pour le système restauré ; administrateur seulement.
    Export(JournalExportArgs),
    /// Applique un export du journal d'un autre dossier de données (événements non encore
    /// vus ; refuse un trou ou une fourche) ; administrateur seulement.
    Apply(JournalApplyArgs),
}

#[derive(Debug, Args)]
pub struct JournalVerifyArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Clé publique des points de contrôle (par défaut : keys/journal-signing.pub du dossier
    /// de données ; un auditeur donne la copie qu'on lui a remise).
    #[arg(long)]
    pub pubkey: Option<PathBuf>,
    /// Points de contrôle gardés ailleurs : le dossier checkpoints/ d'un export, ou une copie
    /// de journal/checkpoints.log.
    #[arg(long)]
    pub checkpoints: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct JournalListArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// À partir de l'entrée n°.
    #[arg(long, default_value_t = 1)]
    pub from: u64,
    /// Nombre maximal d'entrées.
    #[arg(long, default_value_t = 100)]
    pub limit: u64,
}

#[derive(Debug, Args)]
pub struct JournalExportArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Exporte les événements qui suivent l'entrée n° (par défaut : depuis le dernier import
    /// ou la dernière copie scellée ouverte).
    #[arg(long)]
    pub since: Option<u64>,
    /// Dossier de l'export (nouveau, ou vide).
    #[arg(long)]
    pub out: PathBuf,
    /// Fichier de destinataires age (un par ligne, comme `age -R`) : l'export est chiffré
    /// pour eux.
    #[arg(long)]
    pub recipients: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct JournalApplyArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Dossier de l'export à appliquer.
    pub dir: PathBuf,
    /// Identité age (fichier de clé secrète) qui ouvre un export chiffré.
    #[arg(long)]
    pub identity: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BenchJournalArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Nombre d'événements ajoutés.
    #[arg(long, default_value_t = 1_000_000)]
    pub count: u64,
}
