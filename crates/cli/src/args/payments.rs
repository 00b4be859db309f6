//! Paying: runs, renewal of rights, bank-detail decisions, PES numbering, the CAF's statements.

use clap::{Args, Subcommand};
use std::path::PathBuf;

use super::{DataArg, UserArg, values};
use relais_core::calendar::Month;
use relais_core::run::RunId;

#[derive(Debug, Subcommand)]
pub enum RunCommand {
    /// Prépare le paiement d'un mois : affiche son identifiant sur la première ligne.
    Prepare(RunPrepareArgs),
    /// Résumé d'un paiement ; avec --out, écrit le rapport de contrôle (HTML et CSV).
    Show(RunShowArgs),
    /// Liste les paiements.
    List(RunListArgs),
    /// Valide un paiement préparé (ordonnateur, autre que le préparateur) : il devient immuable.
    Validate(RunValidateArgs),
    /// Annule un paiement préparé : ses droits redeviennent payables.
    Cancel(RunCancelArgs),
    /// Écrit les fichiers d'un paiement validé : PES, pain.001, contrôle, bordereau, CAF.
    Export(RunExportArgs),
    /// Lève l'exclusion d'un droit dont la personne a déjà reçu la prestation ce mois sous un
    /// autre droit (ordonnateur, décision motivée et journalisée) : le prochain paiement du
    /// mois le paie.
    Release(RunReleaseArgs),
}

#[derive(Debug, Args)]
pub struct RunReleaseArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Identifiant du droit exclu (droits.csv droit_id).
    pub right: String,
    /// Mois concerné (AAAA-MM).
    #[arg(long, value_parser = values::month)]
    pub month: Month,
    /// Motif de la décision (journalisé).
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct RunPrepareArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Mois payé (AAAA-MM) ; sans objet pour les fournisseurs.
    #[arg(long, value_parser = values::month)]
    pub month: Option<Month>,
    /// Nature du paiement : aides (prestations d'aide sociale), paie (paie des agents,
    /// reprise du dernier mois normal) ou fournisseurs (factures liquidées, intérêts
    /// moratoires).
    #[arg(long, value_parser = values::run_kind, default_value = "aides")]
    pub kind: relais_core::run::RunKind,
    /// Prestations payées, séparées par des virgules (RSA : fichier pour la CAF).
    #[arg(
        long,
        default_value = "APA_DOM,APA_ETAB,PCH,ASH",
        value_delimiter = ','
    )]
    pub benefits: Vec<String>,
    /// Paiement de rappel d'un mois antérieur au dernier mois payé : seuls les droits sans
    /// paiement ce mois-là (historique ou Relais) sont payés ; exige --reason.
    #[arg(long, requires = "reason")]
    pub rappel: bool,
    /// Motif du rappel (journalisé).
    #[arg(long, requires = "rappel")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct RunShowArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Identifiant du paiement (P2026-12-01).
    #[arg(value_parser = values::run_id)]
    pub run: RunId,
    /// Dossier où écrire le rapport de contrôle (HTML) et ses listes (CSV).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunListArgs {
    #[command(flatten)]
    pub data: DataArg,
}

#[derive(Debug, Args)]
pub struct RunValidateArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    #[arg(value_parser = values::run_id)]
    pub run: RunId,
}

#[derive(Debug, Args)]
pub struct RunCancelArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    #[arg(value_parser = values::run_id)]
    pub run: RunId,
    /// Motif de l'annulation (journalisé).
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct RunExportArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    #[arg(value_parser = values::run_id)]
    pub run: RunId,
    /// Dossier de sortie.
    #[arg(long)]
    pub out: PathBuf,
    /// Seulement les fichiers de paiement (PES et pain.001) et SHA256SUMS : pour mesurer.
    #[arg(long)]
    pub payment_files_only: bool,
}

#[derive(Debug, Args)]
pub struct RenewArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Politique de renouvellement (TOML : benefits, ends_from, ends_to, new_end,
    /// legal_reference, decided_by).
    #[arg(long)]
    pub policy: PathBuf,
    /// Montre ce qui changerait, sans rien changer.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum BankCommand {
    /// Liste les coordonnées bancaires retenues : demandes en attente, et coordonnées changées
    /// par les extractions sans approbation (leurs droits ne sont pas payés) ; personnes et
    /// montants concernés, depuis quand. Lecture seule.
    List(BankListArgs),
    /// Montre une demande : coordonnées actuelles et demandées en entier, pièce vue, qui l'a
    /// faite, personnes et montant mensuel concernés, pays de la banque, IBAN déjà connu.
    Show(BankShowArgs),
    /// Approuve une demande (ordonnateur, jamais l'agent qui l'a faite), ou avec --payee les
    /// coordonnées d'un tiers modifiées par les extractions.
    Approve(BankApproveArgs),
    /// Refuse une demande (ordonnateur, jamais l'agent qui l'a faite).
    Refuse(BankRefuseArgs),
}

#[derive(Debug, Args)]
pub struct BankListArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// text (lecture) ou csv (tableur).
    #[arg(long, value_enum, default_value = "text")]
    pub format: crate::args::OutputFormat,
}

#[derive(Debug, Args)]
pub struct BankShowArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Numéro de la demande.
    pub request: i64,
}

#[derive(Debug, Args)]
pub struct BankApproveArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Numéro de la demande à approuver.
    #[arg(required_unless_present = "payee", conflicts_with = "payee")]
    pub request: Option<i64>,
    /// Identifiant d'un tiers dont les extractions ont modifié les coordonnées (pas de demande).
    #[arg(long)]
    pub payee: Option<String>,
}

#[derive(Debug, Args)]
pub struct BankRefuseArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Numéro de la demande à refuser.
    pub request: i64,
}

#[derive(Debug, Subcommand)]
pub enum NumberingCommand {
    /// Enregistre (ordonnateur) les derniers numéros d'un exercice confirmés par la paierie.
    Set(NumberingSetArgs),
    /// Les derniers numéros de chaque exercice, et qui les a confirmés.
    Show(NumberingShowArgs),
}

#[derive(Debug, Args)]
pub struct NumberingSetArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// L'exercice (AAAA).
    #[arg(long, value_parser = values::exercice)]
    pub exercice: i16,
    /// Le dernier numéro de bordereau (IdBord) de l'exercice reçu par la paierie (0 : aucun).
    #[arg(long = "last-bordereau")]
    pub last_bordereau: u32,
    /// Le dernier numéro de mandat (IdPce) de l'exercice reçu par la paierie (0 : aucun).
    #[arg(long = "last-mandat")]
    pub last_mandat: u32,
    /// Le montant déjà mandaté dans l'exercice (MtCumulAnnuel), s'il est connu : 1234567,89.
    #[arg(long = "cumul-annuel")]
    pub cumul_annuel: Option<String>,
    /// Qui, à la paierie, a confirmé ces numéros, quand, comment.
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct NumberingShowArgs {
    #[command(flatten)]
    pub data: DataArg,
}

#[derive(Debug, Subcommand)]
pub enum CafCommand {
    /// Importe le relevé mensuel de la CAF (RSA versé par foyer, CASF L262-25), tout ou rien,
    /// et le compare aux droits RSA de la base.
    Import(CafImportArgs),
}

#[derive(Debug, Args)]
pub struct CafImportArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Relevé CSV de la CAF (colonnes allocataire, nir, montant, mois, dossier : docs/caf.md).
    pub file: PathBuf,
    /// Mois du relevé (AAAA-MM) : chaque ligne doit porter ce mois.
    #[arg(long, value_parser = values::month)]
    pub month: Month,
    /// Écart signalé entre le relevé et les droits d'un foyer, en euros : au-delà de ce montant.
    #[arg(long = "threshold-euros", default_value = "50")]
    pub threshold_euros: String,
    /// Dossier où écrire la comparaison en fichiers CSV (lisibles par leur seul propriétaire :
    /// ils contiennent des NIR).
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// `relais reconcile`: what Relais paid against what the restored system says was due.
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Dossier des nouvelles extractions du système restauré (mêmes formats que la copie).
    #[arg(long)]
    pub extracts: PathBuf,
    /// Dossier où écrire le rapprochement (créé s'il n'existe pas).
    #[arg(long)]
    pub out: PathBuf,
    /// Profil de correspondance (TOML) des extractions.
    #[arg(long)]
    pub profile: Option<PathBuf>,
    /// Liste aussi les droits payés sans écart dans rapprochement_personnes.csv.
    #[arg(long)]
    pub tout: bool,
}

/// `relais regularise`: the mandats issued after a payment made before them.
#[derive(Debug, Args)]
pub struct RegulariseArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Paiement validé et exporté à régulariser.
    #[arg(long, value_parser = values::run_id)]
    pub run: RunId,
    /// Dossier des fichiers du paiement (par défaut : exports/PAIEMENT du dossier de données).
    #[arg(long)]
    pub out: Option<PathBuf>,
}
