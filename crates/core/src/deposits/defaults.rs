//! The built-in rules of each kind of deposit, with the texts they rest on. An authority checks
//! them for its own procedures and overrides them in `deposit-kinds.toml` (docs/receipts.md).
//!
//! Why aid applications are not "silence vaut acceptation": the common rule (CRPA L231-1, SVA
//! after two months) does not apply to an application "à caractère financier" (CRPA L231-4 3°),
//! where two months of silence are a rejection — which is what an application for a benefit or
//! a subsidy is, unless a text of its own says otherwise. APA and PCH have such texts: APA is
//! deemed granted at a flat amount after two months (CASF L232-14), the CDAPH's silence on a
//! PCH application is a rejection after four months (CASF R241-33).

use super::kinds::{Delay, DepositKind, KindRules, Regime, ServiceContact};

/// CRPA L112-3 and R112-5: the receipt's own mentions.
const RECEIPT_TEXTS: &str = "code des relations entre le public et l'administration, art. L112-3 \
et R112-5";

/// Appeal routes against an implicit rejection where no prior appeal is compulsory (CRPA
/// L411-2, L232-4; CJA R421-1, R421-2): subsidies.
const APPEAL_SVR: &str = "En cas de rejet implicite, vous pouvez former un recours gracieux \
auprès du président de la collectivité, et un recours contentieux devant le tribunal \
administratif territorialement compétent, dans un délai de deux mois à compter de la date \
de la décision implicite (code de justice administrative, art. R421-1 et R421-2). Le recours \
gracieux, formé dans ce délai, le proroge. Vous pouvez demander la communication des motifs \
de la décision implicite dans le même délai (CRPA, art. L232-4).";

/// Appeal routes in social aid: a legal social-aid benefit decided by the president of the
/// council is first contested before its author (recours administratif préalable obligatoire,
/// CASF L134-1 and L134-2, since 1 January 2019, loi n° 2016-1547 art. 12), then before the
/// administrative court (CJA R421-1, R421-2).
const APPEAL_SOCIAL_AID: &str = "En cas de rejet implicite, vous devez d'abord former un recours \
administratif préalable auprès du président du conseil départemental (ou de la collectivité), \
auteur de la décision, dans un délai de deux mois à compter de la date de la décision \
implicite : pour une prestation légale d'aide sociale, ce recours est obligatoire avant tout \
recours contentieux (code de l'action sociale et des familles, art. L134-1 et L134-2). Le \
tribunal administratif territorialement compétent peut ensuite être saisi dans un délai de \
deux mois à compter du rejet de ce recours (code de justice administrative, art. R421-1 et \
R421-2). Vous pouvez demander la communication des motifs de la décision implicite dans le \
délai du recours (CRPA, art. L232-4).";

/// Appeal routes against a decision of the CDAPH on the PCH: a compulsory prior appeal
/// (RAPO) sent to the MDPH with a copy of this receipt when the decision is implicit (CASF
/// R241-36; code de la sécurité sociale L142-4), then the social division of the tribunal
/// judiciaire (CASF L241-9; CSS L142-1). The two-month delays are those of CSS R142-1 and the
/// RAPO's own silence rule; to be checked against the MDPH's notices before use.
const APPEAL_PCH: &str = "En cas de rejet implicite, vous devez d'abord former un recours \
administratif préalable obligatoire (RAPO), adressé à la maison départementale des personnes \
handicapées (MDPH) à l'attention de la CDAPH, dans un délai de deux mois à compter de la date \
de la décision implicite, en y joignant une copie du présent accusé de réception (code de \
l'action sociale et des familles, art. R241-36 ; code de la sécurité sociale, art. L142-4). \
Le silence gardé deux mois sur ce recours vaut rejet. Vous pourrez ensuite saisir le pôle \
social du tribunal judiciaire dans un délai de deux mois à compter de la décision prise sur \
votre recours (code de l'action sociale et des familles, art. L241-9 ; code de la sécurité \
sociale, art. L142-1).";

/// What the silence of the département on a complete APA file gives (CASF L232-14: "à défaut
/// d'une notification dans ce délai, l'allocation personnalisée d'autonomie est réputée
/// accordée pour un montant forfaitaire fixé par décret … jusqu'à ce que la décision expresse
/// le concernant soit notifiée").
const APA_ACCEPTANCE: &str = "l'allocation personnalisée d'autonomie sera réputée accordée \
pour un montant forfaitaire fixé par décret, jusqu'à la notification de la décision expresse";

impl KindRules {
    /// The built-in rules of `kind` (see the module's comment for the regimes).
    pub fn default_for(kind: DepositKind) -> KindRules {
        let courrier = Some("HDD-COURRIER".to_owned());
        let text = |s: &str| Some(s.to_owned());
        let base = |label: &str, service: &str| KindRules {
            kind,
            label: label.to_owned(),
            service: ServiceContact {
                name: service.to_owned(),
                ..ServiceContact::default()
            },
            directory: courrier.clone(),
            decided_by: None,
            regime: Regime::None,
            delay: None,
            basis: None,
            acceptance: None,
            completion_basis: None,
            appeal: None,
            documents: Vec::new(),
            payment_days: None,
        };
        let docs = |d: &[&str]| d.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let social_docs = docs(&[
            "formulaire de demande daté et signé",
            "pièce d'identité ou titre de séjour",
            "justificatif de domicile",
            "dernier avis d'imposition ou de non-imposition",
            "relevé d'identité bancaire",
        ]);
        let president = text("le président du conseil départemental (ou de la collectivité)");
        match kind {
            DepositKind::DemandeApa => KindRules {
                decided_by: president,
                regime: Regime::Sva,
                delay: Some(Delay::Months(2)),
                basis: Some(format!(
                    "code de l'action sociale et des familles, art. L232-14 ; {RECEIPT_TEXTS}"
                )),
                acceptance: text(APA_ACCEPTANCE),
                completion_basis: text("code de l'action sociale et des familles, art. R232-23"),
                documents: docs(&[
                    "formulaire de demande d'APA daté et signé",
                    "pièce d'identité ou titre de séjour",
                    "justificatif de domicile",
                    "dernier avis d'imposition ou de non-imposition",
                    "relevé d'identité bancaire",
                ]),
                ..base(
                    "Demande d'allocation personnalisée d'autonomie (APA)",
                    "Direction de l'autonomie — APA",
                )
            },
            DepositKind::DemandePch => KindRules {
                decided_by: text(
                    "la commission des droits et de l'autonomie des personnes handicapées \
                     (CDAPH) de la maison départementale des personnes handicapées (MDPH)",
                ),
                regime: Regime::Svr,
                delay: Some(Delay::Months(4)),
                basis: Some(format!(
                    "code de l'action sociale et des familles, art. R241-33 ; {RECEIPT_TEXTS}"
                )),
                appeal: text(APPEAL_PCH),
                documents: docs(&[
                    "formulaire de demande à la MDPH (Cerfa n° 15692) daté et signé",
                    "certificat médical de moins d'un an (Cerfa n° 15695)",
                    "pièce d'identité ou titre de séjour",
                    "justificatif de domicile",
                ]),
                ..base(
                    "Demande de prestation de compensation du handicap (PCH)",
                    "Maison départementale des personnes handicapées (MDPH)",
                )
            },
            DepositKind::DemandeAsh => KindRules {
                decided_by: president,
                regime: Regime::Svr,
                delay: Some(Delay::Months(2)),
                basis: Some(format!(
                    "demande à caractère financier, code des relations entre le public et \
                     l'administration, art. L231-4 (3°) ; {RECEIPT_TEXTS}"
                )),
                appeal: text(APPEAL_SOCIAL_AID),
                documents: social_docs.clone(),
                ..base(
                    "Demande d'aide sociale à l'hébergement (ASH)",
                    "Direction de l'autonomie — aide sociale à l'hébergement",
                )
            },
            DepositKind::DemandeAide => KindRules {
                decided_by: president,
                regime: Regime::Svr,
                delay: Some(Delay::Months(2)),
                basis: Some(format!(
                    "demande à caractère financier, code des relations entre le public et \
                     l'administration, art. L231-4 (3°) ; {RECEIPT_TEXTS}"
                )),
                appeal: text(APPEAL_SOCIAL_AID),
                documents: social_docs,
                ..base(
                    "Autre demande d'aide sociale",
                    "Direction de l'action sociale",
                )
            },
            DepositKind::DemandeSubvention => KindRules {
                decided_by: president,
                regime: Regime::Svr,
                delay: Some(Delay::Months(2)),
                basis: Some(format!(
                    "demande à caractère financier, code des relations entre le public et \
                     l'administration, art. L231-4 (3°) ; {RECEIPT_TEXTS}"
                )),
                appeal: text(APPEAL_SVR),
                documents: docs(&[
                    "formulaire de demande (Cerfa n° 12156)",
                    "statuts et liste des dirigeants",
                    "budget prévisionnel de l'action",
                    "derniers comptes approuvés",
                    "relevé d'identité bancaire",
                ]),
                ..base(
                    "Demande de subvention",
                    "Direction des finances — subventions",
                )
            },
            DepositKind::Facture => KindRules {
                payment_days: Some(30),
                documents: docs(&[
                    "facture originale",
                    "bon de commande ou référence de l'engagement",
                ]),
                ..base(
                    "Facture fournisseur",
                    "Direction des finances — service des dépenses",
                )
            },
            DepositKind::OffreMarche => KindRules {
                documents: docs(&["pli cacheté portant la référence de la consultation"]),
                ..base(
                    "Offre à un marché public",
                    "Service de la commande publique",
                )
            },
            DepositKind::PiecesComplementaires => KindRules {
                documents: docs(&["pièces demandées, avec la référence du dossier"]),
                ..base("Pièces complémentaires", "Service instructeur du dossier")
            },
            DepositKind::Autre => base("Autre courrier", "Service du courrier"),
        }
    }
}
