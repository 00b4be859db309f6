//! The crisis cell's commands (courante, incident, cnil, systemes, taches, annuaire, message)
//! and the public page (publish).

use clap::{Args, Subcommand};
use std::path::PathBuf;

use super::{DataArg, UserArg};

#[derive(Debug, Subcommand)]
pub enum CouranteCommand {
    /// Ajoute une entrée (jamais modifiée ni supprimée ; une correction est une nouvelle entrée).
    Add(CouranteAddArgs),
    /// Affiche la main courante, dans l'ordre.
    List(DataArg),
    /// Exporte la main courante avec les empreintes du journal.
    Export(CouranteExportArgs),
}

#[derive(Debug, Args)]
pub struct CouranteAddArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Nature : décision, action, information, communication.
    #[arg(long)]
    pub kind: String,
    /// Ce qui a été décidé, fait, appris ou communiqué.
    #[arg(long)]
    pub text: String,
    /// Numéro de l'entrée que celle-ci corrige.
    #[arg(long)]
    pub corrects: Option<i64>,
    /// Système concerné (identifiant de l'inventaire).
    #[arg(long)]
    pub system: Option<String>,
    /// Site concerné (code de l'annuaire).
    #[arg(long)]
    pub site: Option<String>,
    /// Document concerné : son empreinte SHA-256.
    #[arg(long)]
    pub document: Option<String>,
    /// Date et heure des faits (AAAA-MM-JJ HH:MM, heure locale) ; par défaut maintenant.
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct CouranteExportArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Fichier CSV à écrire.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Fichier PDF à écrire (imprimable).
    #[arg(long)]
    pub pdf: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Enregistre (ou révise) un fait : debut, detection, prise_de_connaissance, confinement,
    /// plainte, anssi, rancon. Toutes les révisions sont gardées.
    Set(IncidentSetArgs),
    /// Affiche les faits, l'horloge CNIL et les notifications.
    Show(DataArg),
    /// Écrit la synthèse imprimable de l'incident.
    Summary(IncidentSummaryArgs),
}

#[derive(Debug, Args)]
pub struct IncidentSetArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Le fait : debut, detection, prise_de_connaissance, confinement, plainte, anssi, rancon.
    pub fact: String,
    /// Date et heure (AAAA-MM-JJ HH:MM, heure locale).
    #[arg(long)]
    pub at: Option<String>,
    /// L'heure est une estimation.
    #[arg(long)]
    pub estimate: bool,
    /// Lieu (plainte : commissariat, gendarmerie, parquet).
    #[arg(long)]
    pub place: Option<String>,
    /// Référence (numéro de plainte, ticket CERT-FR).
    #[arg(long)]
    pub reference: Option<String>,
    /// Rançon demandée : oui ou non.
    #[arg(long)]
    pub answer: Option<String>,
    /// Précisions (contact, montant demandé…).
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct IncidentSummaryArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Fichier PDF à écrire.
    #[arg(long)]
    pub pdf: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum CnilCommand {
    /// Enregistre une notification envoyée à la CNIL.
    Notify(CnilNotifyArgs),
}

#[derive(Debug, Args)]
pub struct CnilNotifyArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// initiale ou complementaire.
    #[arg(long, default_value = "initiale")]
    pub kind: String,
    /// Nature de la violation.
    #[arg(long)]
    pub nature: String,
    /// Catégories de personnes concernées.
    #[arg(long)]
    pub people_categories: String,
    /// Nombre approximatif de personnes concernées.
    #[arg(long)]
    pub people_count: u64,
    /// Catégories d'enregistrements concernés.
    #[arg(long)]
    pub record_categories: String,
    /// Nombre approximatif d'enregistrements concernés.
    #[arg(long)]
    pub record_count: u64,
    /// Conséquences probables.
    #[arg(long)]
    pub consequences: String,
    /// Mesures prises ou envisagées.
    #[arg(long)]
    pub measures: String,
    /// Coordonnées du délégué à la protection des données.
    #[arg(long)]
    pub dpo: String,
    /// Date et heure d'envoi (AAAA-MM-JJ HH:MM) ; par défaut maintenant.
    #[arg(long)]
    pub sent_at: Option<String>,
    /// Référence donnée par la CNIL.
    #[arg(long)]
    pub reference: Option<String>,
    /// Motifs du retard : obligatoires quand la notification initiale part plus de 72 h après
    /// la prise de connaissance (RGPD art. 33.1).
    #[arg(long)]
    pub delay_reasons: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SystemesCommand {
    /// Importe l'inventaire depuis un CSV (id, nom, fonction, criticite, responsable, site,
    /// statut) : tout ou rien.
    Import(SystemesImportArgs),
    /// Change le statut d'un système (compromis, isolé, en analyse, nettoyé, restauré) ;
    /// écrit l'entrée correspondante dans la main courante.
    Statut(SystemesStatutArgs),
    /// L'inventaire, le décompte par statut et les systèmes critiques non restaurés.
    List(DataArg),
}

#[derive(Debug, Args)]
pub struct SystemesImportArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Le fichier CSV.
    pub csv: PathBuf,
}

#[derive(Debug, Args)]
pub struct SystemesStatutArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Identifiant du système.
    pub system: String,
    /// Nouveau statut.
    pub status: String,
    /// Précision portée dans la main courante.
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TachesCommand {
    /// Ajoute une tâche (statut « à faire »).
    Add(TachesAddArgs),
    /// Change le statut d'une tâche : à faire, en cours, fait, abandonné.
    Statut(TachesStatutArgs),
    /// Les tâches ; avec --overdue, seulement celles en retard.
    List(TachesListArgs),
}

#[derive(Debug, Args)]
pub struct TachesAddArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    #[arg(long)]
    pub title: String,
    /// Qui la porte.
    #[arg(long)]
    pub owner: String,
    /// Échéance (AAAA-MM-JJ HH:MM, heure locale ; une date seule : la fin de ce jour).
    #[arg(long)]
    pub due: Option<String>,
}

#[derive(Debug, Args)]
pub struct TachesStatutArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    pub task: i64,
    pub status: String,
}

#[derive(Debug, Args)]
pub struct TachesListArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Seulement les tâches ouvertes dont l'échéance est passée.
    #[arg(long)]
    pub overdue: bool,
}

#[derive(Debug, Subcommand)]
pub enum AnnuaireCommand {
    /// Modifie l'entrée (site, service) ou l'ajoute ; les champs omis gardent leur valeur.
    Set(AnnuaireSetArgs),
}

#[derive(Debug, Args)]
pub struct AnnuaireSetArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Code du site.
    #[arg(long)]
    pub site_code: String,
    /// Service.
    #[arg(long)]
    pub service: String,
    /// Nom du site.
    #[arg(long)]
    pub site: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub address: Option<String>,
    #[arg(long)]
    pub hours: Option<String>,
    /// Dépôt de dossiers papier : oui ou non.
    #[arg(long)]
    pub paper_deposit: Option<String>,
    /// Publié sur la page publique : oui ou non.
    #[arg(long)]
    pub public: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum MessageCommand {
    /// Remplace le message au public (un élément par ligne).
    Set(MessageSetArgs),
}

#[derive(Debug, Args)]
pub struct MessageSetArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Ce qui est perturbé.
    #[arg(long)]
    pub affected: String,
    /// Ce qui est garanti (par ex. « les aides APA, PCH et ASH seront versées »).
    #[arg(long)]
    pub guaranteed: String,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Dossier de sortie (index.html, relais-public.css, affiches/).
    #[arg(long)]
    pub out: PathBuf,
    /// Écrit aussi une affiche A4 (PDF) par site public, dans OUT/affiches/.
    #[arg(long)]
    pub posters: bool,
    /// Codes des sites dont les numéros figurent sur chaque affiche (numéros généraux).
    #[arg(long, value_delimiter = ',')]
    pub general: Vec<String>,
}
