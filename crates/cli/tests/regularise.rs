//! `relais regularise`: a benefit run paid, then regularised by mandats émis après paiement
//! (TypPce 05) whose numbers continue the exercice's; valid against the PES schema; the same
//! file again without new numbers; late regularisations warned of; payroll refused.

mod common;
use common::{relais, relais_fails, relais_ok, values, xmllint};

use std::path::Path;

const PES_XSD: &str = "xsd/pes/PES_V2/Rev0/PES_Aller_Depense.xsd";

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn latin1(path: &Path) -> String {
    std::fs::read(path)
        .expect("read")
        .iter()
        .map(|&b| char::from(b))
        .collect()
}

/// Prepares (liquidation), validates (ordonnateur) and exports the run of `kind` into the
/// data folder's `exports/RUN`: its id.
fn paid_run(d: &str, kind: &str) -> String {
    let id = common::validated_run(d, kind, "2026-12");
    common::paid_run_export(d, &id, &Path::new(d).join("exports").join(&id));
    id
}

fn numbers(xml: &str, name: &str) -> Vec<u64> {
    values(xml, name)
        .iter()
        .map(|v| v.parse().expect("number"))
        .collect()
}

#[test]
fn a_paid_run_is_regularised_once_with_numbers_that_continue_the_exercice_s() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = lab.path().join("data");
    let d = s(&data);
    common::demo_on(&data, 400, 20, "2026-11-30");
    let id = relais_ok(&[
        "run",
        "prepare",
        "--kind",
        "aides",
        "--month",
        "2026-12",
        "--data",
        &d,
        "--user",
        "liquidation",
    ])
    .lines()
    .next()
    .expect("id")
    .to_owned();
    // Not validated, then not exported: nothing to regularise yet.
    let refused = relais_fails(&[
        "regularise",
        "--run",
        &id,
        "--data",
        &d,
        "--user",
        "ordonnateur",
    ]);
    assert!(refused.contains("validé"), "{refused}");
    relais_ok(&[
        "run",
        "validate",
        &id,
        "--data",
        &d,
        "--user",
        "ordonnateur",
    ]);
    let refused = relais_fails(&[
        "regularise",
        "--run",
        &id,
        "--data",
        &d,
        "--user",
        "ordonnateur",
    ]);
    assert!(refused.contains("pas été exporté"), "{refused}");
    let folder = data.join("exports").join(&id);
    common::paid_run_export(&d, &id, &folder);
    // Only an ordonnateur regularises.
    let refused = relais_fails(&[
        "regularise",
        "--run",
        &id,
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert!(refused.contains("ordonnateur"), "{refused}");

    let out = relais_ok(&[
        "regularise",
        "--run",
        &id,
        "--data",
        &d,
        "--user",
        "ordonnateur",
    ]);
    let name = format!("PES_REGUL_{id}.xml");
    let file = folder.join(&name);
    xmllint(PES_XSD, &file);
    let original = latin1(&folder.join(format!("PES_{id}.xml")));
    let regul = latin1(&file);
    let run_bord = numbers(&original, "IdBord");
    let run_pieces = numbers(&original, "IdPce");
    let bord = numbers(&regul, "IdBord");
    let pieces = numbers(&regul, "IdPce");
    assert_eq!(run_bord.len(), 1);
    assert_eq!(bord, vec![run_bord[0] + 1], "the next bordereau");
    assert_eq!(
        pieces.len(),
        run_pieces.len(),
        "one mandat per mandate of the run"
    );
    let last = *run_pieces.last().expect("mandates");
    let expected: Vec<u64> = (last + 1..=last + pieces.len() as u64).collect();
    assert_eq!(pieces, expected, "mandates continue after the run's");
    assert!(values(&regul, "TypPce").iter().all(|v| *v == "05"));
    assert!(values(&regul, "NatPce").iter().all(|v| *v == "01"));
    assert!(values(&regul, "NatPceOrig").iter().all(|v| *v == "03"));
    // Each names the run's mandate whose payment it regularises.
    let originals: Vec<u64> = numbers(&regul, "IdPceOrig");
    assert_eq!(
        originals.iter().collect::<std::collections::BTreeSet<_>>(),
        run_pieces.iter().collect::<std::collections::BTreeSet<_>>()
    );
    let first = out.lines().next().expect("first line");
    assert_eq!(
        first,
        format!(
            "Régularisation du paiement {id} : bordereau {}, mandats {} à {} (TypPce 05), fichier {name}.",
            bord[0],
            pieces[0],
            pieces.last().expect("last")
        )
    );
    assert!(
        out.contains("Délai de régularisation : au plus tard le "),
        "{out}"
    );
    assert!(!out.contains("ATTENTION"), "{out}");
    let sums = std::fs::read_to_string(folder.join("SHA256SUMS")).expect("sums");
    assert!(sums.contains(&format!("  PES_{id}.xml\n")), "{sums}");
    assert!(sums.contains(&format!("  {name}\n")), "{sums}");

    // Again, weeks later: the same bytes and numbers, no new number, the delay said past.
    let bytes = std::fs::read(&file).expect("bytes");
    std::fs::remove_file(&file).expect("remove");
    let again = common::output(
        std::process::Command::new(env!("CARGO_BIN_EXE_relais"))
            .env_remove("RELAIS_DATA")
            .env_remove("RELAIS_USER")
            .env_remove("RELAIS_PASSWORD_FILE")
            .env("RELAIS_TEST_TODAY", "2027-02-15")
            .args([
                "regularise",
                "--run",
                &id,
                "--data",
                &d,
                "--user",
                "ordonnateur",
            ]),
    );
    let again_text = String::from_utf8_lossy(&again.stdout).into_owned();
    assert!(
        again.status.success(),
        "{again_text}{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(again_text.lines().next(), Some(first));
    assert!(again_text.contains("Déjà régularisé"), "{again_text}");
    assert!(
        again_text.contains("ATTENTION : délai de régularisation dépassé"),
        "{again_text}"
    );
    assert_eq!(std::fs::read(&file).expect("bytes again"), bytes);
    assert_eq!(
        std::fs::read_to_string(folder.join("SHA256SUMS")).expect("sums"),
        sums
    );

    // A later run continues after the regularisation's numbers; a payroll is never
    // regularised, and says why.
    let paie = paid_run(&d, "paie");
    let paie_pes = latin1(
        &data
            .join("exports")
            .join(&paie)
            .join(format!("PES_{paie}.xml")),
    );
    assert_eq!(numbers(&paie_pes, "IdBord")[0], bord[0] + 1);
    assert_eq!(
        numbers(&paie_pes, "IdPce")[0],
        *pieces.last().expect("last") + 1
    );
    let refused = relais_fails(&[
        "regularise",
        "--run",
        &paie,
        "--data",
        &d,
        "--user",
        "ordonnateur",
    ]);
    assert!(
        refused.contains("la paie ne peut pas être régularisée par des mandats émis après paiement (annexe 1 du PES V2 : TypPce 05 non admis pour la paie)"),
        "{refused}"
    );
    assert!(
        !data
            .join("exports")
            .join(&paie)
            .join(format!("PES_REGUL_{paie}.xml"))
            .exists()
    );
    let _ = relais(&["journal", "verify", "--data", &d]);
}

/// `relais ARGS` on `today`, as the demo user it names: (success, stdout and stderr).
fn on(today: &str, args: &[&str]) -> (bool, String) {
    let out = common::output(
        std::process::Command::new(env!("CARGO_BIN_EXE_relais"))
            .env_remove("RELAIS_DATA")
            .env_remove("RELAIS_USER")
            .env_remove("RELAIS_PASSWORD_FILE")
            .env("RELAIS_TEST_TODAY", today)
            .args(args),
    );
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn a_supplier_run_is_regularised_with_its_invoices_natures() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = lab.path().join("data");
    let d = s(&data);
    let today = "2026-12-07";
    let must = |args: &[&str]| {
        let (ok, text) = on(today, args);
        assert!(ok, "relais {args:?} failed:\n{text}");
        text
    };
    must(&[
        "demo",
        "--data",
        &d,
        "--size",
        "400",
        "--today",
        "2026-11-30",
        "--no-serve",
    ]);
    let prepared = must(&[
        "run",
        "prepare",
        "--kind",
        "fournisseurs",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    let id = prepared.lines().next().expect("id").to_owned();
    must(&[
        "run",
        "validate",
        &id,
        "--data",
        &d,
        "--user",
        "ordonnateur",
    ]);
    let folder = data.join("exports").join(&id);
    must(&[
        "run",
        "export",
        &id,
        "--data",
        &d,
        "--user",
        "liquidation",
        "--out",
        &s(&folder),
    ]);
    let out = must(&[
        "regularise",
        "--run",
        &id,
        "--data",
        &d,
        "--user",
        "ordonnateur",
    ]);
    assert!(
        out.starts_with(&format!("Régularisation du paiement {id} : bordereau ")),
        "{out}"
    );
    let file = folder.join(format!("PES_REGUL_{id}.xml"));
    xmllint(PES_XSD, &file);
    let original = latin1(&folder.join(format!("PES_{id}.xml")));
    let regul = latin1(&file);
    assert_eq!(
        numbers(&regul, "IdBord"),
        vec![numbers(&original, "IdBord")[0] + 1]
    );
    assert!(values(&regul, "TypPce").iter().all(|v| *v == "05"));
    // The natures the invoices had (01 fonctionnement, 02 investissement), in the same order.
    assert_eq!(values(&regul, "NatPce"), values(&original, "NatPce"));
    assert_eq!(numbers(&regul, "IdPceOrig"), numbers(&original, "IdPce"));
    // The supplier's invoice numbers stay; the délai global de paiement was the original's.
    assert_eq!(values(&regul, "Facture"), values(&original, "Facture"));
    assert!(!regul.contains("<DGP>"));
}
