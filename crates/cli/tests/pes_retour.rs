//! `relais pes retour` with the real binary (issue #24): a supplier run and a benefit run
//! exported, the accountant's return written from their PES (a mandat paid, two rejected, one
//! taken in charge, one unknown, a regularisation request), read once and again; the invoices
//! paid and rejected, the rejected right paid by a new run of the month once, never twice.

mod common;

use common::{files, values, xmllint};
use std::path::Path;

const PES_XSD: &str = "xsd/pes/PES_V2/Rev0/PES_Aller_Depense.xsd";
const TODAY: &str = "2026-12-07";
const MONTH: &str = "2026-12";

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn at(args: &[&str]) -> std::process::Output {
    common::relais_on(TODAY, args)
}

fn text(o: &std::process::Output) -> String {
    common::said(o)
}

fn ok(args: &[&str]) -> String {
    common::relais_ok_on(TODAY, args)
}

/// A piece of an exported PES_Aller: its bordereau, number and number of lines.
#[derive(Debug, Clone)]
struct Sent {
    exercice: String,
    bordereau: String,
    piece: String,
    lines: usize,
}

/// The pieces of the PES_Aller `pes`, in order.
fn pieces(pes: &str) -> Vec<Sent> {
    let mut out = Vec::new();
    for bordereau in pes.split("<Bordereau>").skip(1) {
        let exercice = values(bordereau, "Exer")[0].to_owned();
        let id = values(bordereau, "IdBord")[0].to_owned();
        for piece in bordereau.split("<Piece>").skip(1) {
            out.push(Sent {
                exercice: exercice.clone(),
                bordereau: id.clone(),
                piece: values(piece, "IdPce")[0].to_owned(),
                lines: piece.matches("<LigneDePiece>").count(),
            });
        }
    }
    out
}

/// Runs of `kind` prepared, validated and exported: the run's id and its folder of files.
fn run(d: &str, prepare: &[&str], out: &Path) -> String {
    let mut args = vec!["run", "prepare", "--data", d, "--user", "liquidation"];
    args.extend_from_slice(prepare);
    let prepared = ok(&args);
    let id = prepared.lines().next().expect("id").to_owned();
    ok(&["run", "validate", &id, "--data", d, "--user", "ordonnateur"]);
    ok(&[
        "run",
        "export",
        &id,
        "--data",
        d,
        "--user",
        "liquidation",
        "--out",
        &s(out),
    ]);
    let pes = out.join(format!("PES_{id}.xml"));
    xmllint(PES_XSD, &pes);
    id
}

fn pes_of(out: &Path, id: &str) -> String {
    let bytes = std::fs::read(out.join(format!("PES_{id}.xml"))).expect("PES");
    String::from_utf8_lossy(&bytes).into_owned()
}

/// One returned piece: `state` 05 paid (with a payment of `paid`), 04 rejected, 02 taken in
/// charge.
fn returned(p: &Sent, state: &str, paid: Option<&str>) -> String {
    let mut lines = String::new();
    for i in 1..=p.lines.max(1) {
        let payment = match (paid, i) {
            (Some(amount), 1) => format!(
                "<PaiementEmargement><OrgEma V=\"01\"/><DtePay V=\"2026-12-10\"/><MtPay V=\"{amount}\"/></PaiementEmargement>"
            ),
            _ => String::new(),
        };
        lines.push_str(&format!(
            "<LigneDePiece><BlocLignePiece><InfoLignePiece><IdLigne V=\"{i}\"/><EtatLigPce V=\"01\"/><MtHT V=\"1.00\"/></InfoLignePiece></BlocLignePiece>{payment}</LigneDePiece>\n"
        ));
    }
    let rejection = if state == "04" {
        "<ObsEtat V=\"09\"/><Commentaire V=\"Coordonnées bancaires clôturées\"/><DtePceRej V=\"2026-12-09\"/>"
    } else {
        ""
    };
    format!(
        "<Bordereau><BlocBordereau><Exer V=\"{}\"/><IdBord V=\"{}\"/><TypBord V=\"01\"/></BlocBordereau>\n<Piece><InfoPiece><IdPce V=\"{}\"/><TypPce V=\"01\"/><NatPce V=\"01\"/><DtePcePec V=\"2026-12-08\"/><EtatPce V=\"{state}\"/>{rejection}</InfoPiece>\n{lines}</Piece></Bordereau>\n",
        p.exercice, p.bordereau, p.piece
    )
}

/// The accountant's return, in ISO-8859-1 as the paierie sends it.
fn write_return(path: &Path, bordereaux: &[String]) {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<n:PES_Retour xmlns:n=\"http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/retour\">\n<EnTetePES><CodCol V=\"001\"/></EnTetePES>\n<PES_DepenseRetour><EnTeteDepense><TypRestit V=\"02\"/><IdVer V=\"2\"/><NatInf V=\"2\"/></EnTeteDepense>\n{}</PES_DepenseRetour></n:PES_Retour>\n",
        bordereaux.concat()
    );
    let latin1: Vec<u8> = body
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("Latin-1"))
        .collect();
    std::fs::write(path, latin1).expect("write return");
}

/// Invoice `id`'s line in `relais factures list` (the invoices not paid), if listed.
fn invoice_line(d: &str, id: &str) -> Option<String> {
    let listed = ok(&["factures", "list", "--data", d, "--today", TODAY]);
    listed
        .lines()
        .find(|l| l.split('\t').next() == Some(id))
        .map(str::to_owned)
}

#[test]
fn the_accountant_s_return_pays_rejects_and_releases_once() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = lab.path().join("data");
    ok(&[
        "demo",
        "--data",
        &s(&data),
        "--size",
        "1500",
        "--today",
        "2026-11-30",
        "--no-serve",
    ]);
    let d = s(&data);
    // A supplier run and a benefit run, exported.
    let out = lab.path().join("fournisseurs");
    let before = ok(&["factures", "list", "--data", &d, "--today", TODAY]);
    let suppliers = run(&d, &["--kind", "fournisseurs"], &out);
    let mandates = String::from_utf8(
        files(&out)
            .remove(&format!("mandats_{suppliers}.csv"))
            .expect("mandats csv"),
    )
    .expect("utf-8");
    // Two invoices' mandats (not interest): (mandat, invoice).
    let invoices: Vec<(String, String)> = mandates
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(';').collect();
            (f.get(1) == Some(&"facture")).then(|| (f[0].to_owned(), f[2].to_owned()))
        })
        .take(2)
        .collect();
    assert_eq!(invoices.len(), 2, "{mandates}");
    assert!(before.contains(&invoices[0].1), "listed before it is paid");
    let sent = pieces(&pes_of(&out, &suppliers));
    let find = |n: &str| sent.iter().find(|p| p.piece == n).expect("piece").clone();
    let (paid, rejected) = (find(&invoices[0].0), find(&invoices[1].0));
    let out = lab.path().join("prestations");
    let benefits = run(&d, &["--month", MONTH, "--benefits", "APA_DOM"], &out);
    let sent = pieces(&pes_of(&out, &benefits));
    let (benefit_rejected, benefit_taken) = (sent[0].clone(), sent[1].clone());
    let unknown = Sent {
        piece: "99999".into(),
        bordereau: "9999999".into(),
        ..benefit_taken.clone()
    };
    let request = "<Bordereau><BlocBordereau><Exer V=\"2026\"/><IdBord V=\"8000001\"/><TypBord V=\"04\"/></BlocBordereau>\n<Piece><InfoPiece><IdPce V=\"5550001\"/><TypPce V=\"12\"/><NatPce V=\"01\"/><Obj V=\"Secours payé avant mandat\"/><EtatPce V=\"02\"/></InfoPiece>\n<LigneDePiece><BlocLignePiece><InfoLignePiece><IdLigne V=\"1\"/><EtatLigPce V=\"01\"/><MtHT V=\"150.00\"/></InfoLignePiece></BlocLignePiece></LigneDePiece></Piece></Bordereau>\n".to_owned();
    let file = lab.path().join("PES_DepenseRetour.xml");
    write_return(
        &file,
        &[
            returned(&paid, "05", Some("12.34")),
            returned(&rejected, "04", None),
            returned(&benefit_rejected, "04", None),
            returned(&benefit_taken, "02", None),
            returned(&unknown, "05", None),
            request,
        ],
    );
    let f = s(&file);
    let first = ok(&["pes", "retour", &f, "--data", &d, "--user", "liquidation"]);
    let head = first.lines().next().expect("first line");
    assert_eq!(
        head,
        "Retour du comptable : 6 pièce(s) lue(s) — 1 payée(s), 2 rejetée(s), 1 prise(s) en charge, 1 inconnue(s).",
        "{first}"
    );
    assert!(
        first.contains(&format!("Rejet : mandat n° {}", rejected.piece)),
        "{first}"
    );
    assert!(
        first.contains(
            "09 domiciliation bancaire absente ou erronée — Coordonnées bancaires clôturées"
        ),
        "{first}"
    );
    assert!(
        first.contains(&format!(
            "facture(s) {} à mandater de nouveau",
            invoices[1].1
        )),
        "{first}"
    );
    assert!(
        first.contains(&format!(
            "{} droit(s) de nouveau payable(s) pour {MONTH}",
            benefit_rejected.lines
        )),
        "{first}"
    );
    assert!(
        first.contains("Pièce inconnue : n° 99999, bordereau n° 9999999"),
        "{first}"
    );
    assert!(
        first.contains("Demande de régularisation : pièce n° 5550001"),
        "{first}"
    );
    assert!(first.contains("« Secours payé avant mandat »"), "{first}");
    // The invoices: one paid (no longer among those to pay), the other to mandate again.
    assert_eq!(invoice_line(&d, &invoices[0].1), None, "paid");
    let line = invoice_line(&d, &invoices[1].1).expect("listed");
    assert!(line.contains("liquidée : à mandater"), "{line}");
    // The same file again: nothing changes, and it is said.
    let journal = ok(&["journal", "verify", "--data", &d]);
    let again = ok(&["pes", "retour", &f, "--data", &d, "--user", "ordonnateur"]);
    assert_eq!(again.lines().next(), Some(head));
    assert!(again.contains("déjà été lu"), "{again}");
    assert_eq!(ok(&["journal", "verify", "--data", &d]), journal);
    // A new run of the month pays the rejected mandat's rights, once.
    let out = lab.path().join("encore");
    let second = run(&d, &["--month", MONTH, "--benefits", "APA_DOM"], &out);
    let lines: usize = pieces(&pes_of(&out, &second)).iter().map(|p| p.lines).sum();
    assert_eq!(lines, benefit_rejected.lines);
    let third = at(&[
        "run",
        "prepare",
        "--data",
        &d,
        "--user",
        "liquidation",
        "--month",
        MONTH,
        "--benefits",
        "APA_DOM",
    ]);
    assert!(
        !third.status.success(),
        "nothing left to pay:\n{}",
        text(&third)
    );
    // A file that is not a return: exit 2, where and why, nothing changed.
    let broken = lab.path().join("casse.xml");
    std::fs::write(
        &broken,
        "<?xml version=\"1.0\"?>\n<PES_Retour>\n<PES_DepenseRetour>\n</PES_Retour>\n",
    )
    .expect("write");
    let o = at(&[
        "pes",
        "retour",
        &s(&broken),
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("ligne 4"), "{}", text(&o));
    // Only the roles that handle mandats read a return.
    let o = at(&["pes", "retour", &f, "--data", &d, "--user", "accueil"]);
    assert!(!o.status.success());
}
