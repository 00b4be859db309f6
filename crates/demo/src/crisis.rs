//! The crisis cell's demo inventory: a handful of the systems a département runs, as the CSV
//! the DSI would write (`relais systemes import`), in every status of the workflow.

/// The file name the demo writes it under, in the data folder.
pub const SYSTEMS_FILE: &str = "systemes.csv";

pub const SYSTEMS_CSV: &str = "\
id;nom;fonction;criticite;responsable;site;statut
GF;Gestion financière;Mandats, titres et flux PES avec la paierie;critique;Direction des finances;HDD-STANDARD;isolé
SOCIAL;Logiciel de l'action sociale;Dossiers APA, PCH, ASH et RSA;critique;Direction de l'autonomie;HDD-STANDARD;en analyse
PAIE;Ressources humaines et paie;Paie des 5 000 agents;critique;Direction des ressources humaines;HDD-STANDARD;compromis
GED;Gestion électronique du courrier;Enregistrement et circuit du courrier;importante;Service courrier;HDD-COURRIER;nettoyé
MESSAGERIE;Messagerie;Courriels des agents;importante;DSI;HDD-STANDARD;compromis
WEB;Site internet;Information du public;normale;Direction de la communication;;restauré
";
