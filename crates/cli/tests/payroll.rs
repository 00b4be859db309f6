//! The agents' payroll as the paierie and the bank receive it, with the real binary: a month
//! repeated from the last good one, each agent paid once, mandats of nature 11 that the
//! official schemas accept, no NIR anywhere in the PES, numbering that continues the
//! exercice's, the same bytes when exported again, and the agents not paid named with why.

mod common;

use common::killed;
use common::{copy_dir as copy, files, relais_fails, relais_ok, values, xmllint};
use std::path::Path;
use std::time::Duration;

const PES_XSD: &str = "xsd/pes/PES_V2/Rev0/PES_Aller_Depense.xsd";
const PAIN_XSD: &str = "xsd/pain/pain.001.001.09.xsd";

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Makes the demo's `paie.csv` tell two stories: the first agent's lines a euro off their
/// net, the second agent's lines gone (their net alone is repeated); imports it again.
fn doctor_the_extracts(data: &Path) -> (String, String) {
    let path = data.join("extracts/paie.csv");
    let text = std::fs::read_to_string(&path).expect("paie.csv");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let first = lines[1].split(';').next().expect("matricule").to_owned();
    let second = lines
        .iter()
        .skip(1)
        .map(|l| l.split(';').next().unwrap_or("").to_owned())
        .find(|m| *m != first && !m.is_empty())
        .expect("a second agent");
    for l in lines.iter_mut() {
        let f: Vec<&str> = l.split(';').collect();
        if f.len() > 6 && f[0] == first && f[2] == "101" {
            let amount: f64 = f[6].replace(',', ".").parse().expect("amount");
            let mut g: Vec<String> = f.iter().map(|x| (*x).to_owned()).collect();
            g[6] = format!("{:.2}", amount + 1.0).replace('.', ",");
            *l = g.join(";");
        }
    }
    lines.retain(|l| !l.starts_with(&format!("{second};")));
    std::fs::write(&path, lines.join("\n") + "\n").expect("write");
    relais_ok(&[
        "import",
        &s(&data.join("extracts")),
        "--data",
        &s(data),
        "--user",
        "admin",
    ]);
    (first, second)
}

fn export(d: &str, id: &str, out: &Path) -> String {
    relais_ok(&[
        "run",
        "export",
        id,
        "--data",
        d,
        "--user",
        "liquidation",
        "--out",
        &s(out),
    ]);
    std::fs::read_to_string(out.join("SHA256SUMS")).expect("sums")
}

#[test]
fn a_month_of_payroll_is_repeated_mandated_and_paid_once() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = lab.path().join("data");
    let d = s(&data);
    relais_ok(&[
        "demo",
        "--data",
        &d,
        "--size",
        "1500",
        "--agents",
        "60",
        "--today",
        "2026-11-30",
        "--no-serve",
    ]);
    let (off, alone) = doctor_the_extracts(&data);
    let prepare = [
        "run",
        "prepare",
        "--kind",
        "paie",
        "--month",
        "2026-12",
        "--data",
        &d,
        "--user",
        "liquidation",
    ];
    let prepared = relais_ok(&prepare);
    let id = prepared.lines().next().expect("id").to_owned();
    assert!(id.starts_with("P2026-12-"), "{prepared}");
    // The agent whose lines do not add up is excluded, with the difference shown; the agent
    // without lines is paid their net alone, flagged.
    assert!(
        prepared.contains(&off) && prepared.contains("écart 1,00"),
        "{prepared}"
    );
    assert!(
        prepared.contains("net only: contributions to regularise"),
        "{prepared}"
    );
    assert!(
        prepared.contains("Éléments variables reportés"),
        "{prepared}"
    );
    // The control report, for the review before validation.
    let review = lab.path().join("review");
    relais_ok(&["run", "show", &id, "--data", &d, "--out", &s(&review)]);
    let control =
        std::fs::read_to_string(review.join(format!("controle_paie_{id}.csv"))).expect("control");
    assert!(
        control.contains("payés au net seul") && control.contains("éléments variables reportés"),
        "{control}"
    );
    // Prepared again: the same run, nothing claimed twice.
    let again = relais_ok(&prepare);
    assert_eq!(again.lines().next(), Some(id.as_str()), "{again}");
    assert!(again.contains("Déjà préparé"), "{again}");
    // The preparer does not validate.
    let same = relais_fails(&[
        "run",
        "validate",
        &id,
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert!(!same.is_empty());
    relais_ok(&[
        "run",
        "validate",
        &id,
        "--data",
        &d,
        "--user",
        "ordonnateur",
    ]);
    // Validated, the month is paid: another prepare of it finds no agent to pay.
    let twice = relais_fails(&prepare);
    assert!(twice.contains("déjà payé"), "{twice}");

    let out = lab.path().join("out");
    let sums = export(&d, &id, &out);
    let pes_path = out.join(format!("PES_{id}.xml"));
    xmllint(PES_XSD, &pes_path);
    let pain_path = out.join(format!("pain001_{id}_2026-12-24.xml"));
    xmllint(PAIN_XSD, &pain_path);
    let pes: String = std::fs::read(&pes_path)
        .expect("pes")
        .iter()
        .map(|b| char::from(*b))
        .collect();
    // Nature 11 (paie) in TypBord 01 with TypPce 08 or 01, as DosTech annexe 1 allows.
    assert!(values(&pes, "NatPce").iter().all(|v| *v == "11"));
    assert!(
        values(&pes, "TypPce")
            .iter()
            .all(|v| ["01", "08"].contains(v))
    );
    assert_eq!(values(&pes, "TypBord"), ["01"]);
    // Never a NIR: an agent goes by their matricule.
    assert!(!pes.contains("<IdTiers"));
    assert!(values(&pes, "RefTiers").contains(&alone.as_str()));
    assert!(!values(&pes, "RefTiers").contains(&off.as_str()));
    // Numbering continues the exercice's (the demo confirmed it).
    let first: u32 = values(&pes, "IdPce")[0].parse().expect("IdPce");
    assert!(
        first > 1,
        "mandats numbered from the exercice's, not from 1"
    );
    // Each agent's net is transferred once, in the pain.001.
    let pain = std::fs::read_to_string(&pain_path).expect("pain");
    assert_eq!(
        pain.matches(&format!("<EndToEndId>{id}-{alone}<")).count(),
        1
    );
    for name in [
        format!("etat_liquidatif_{id}.csv"),
        format!("etat_liquidatif_totaux_{id}.csv"),
        format!("variables_differees_{id}.csv"),
        format!("agents_non_payes_{id}.csv"),
        format!("controle_paie_{id}.csv"),
        format!("etat_liquidatif_{id}.pdf"),
        format!("bulletins/{alone}.pdf"),
        format!("bulletins_a_imprimer_{id}_001.pdf"),
    ] {
        assert!(sums.contains(&name), "{name} not in SHA256SUMS:\n{sums}");
    }
    let not_paid =
        std::fs::read_to_string(out.join(format!("agents_non_payes_{id}.csv"))).expect("csv");
    assert!(
        not_paid.contains(&off) && not_paid.contains("lines_do_not_add_up"),
        "{not_paid}"
    );
    // Exported again: the same bytes.
    let again = export(&d, &id, &lab.path().join("again"));
    assert_eq!(sums, again);
}

#[test]
fn an_agent_s_situation_changes_only_once_another_ordonnateur_approves_it() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = lab.path().join("data");
    let d = s(&data);
    relais_ok(&[
        "demo",
        "--data",
        &d,
        "--size",
        "1500",
        "--agents",
        "20",
        "--today",
        "2026-11-30",
        "--no-serve",
    ]);
    let text = std::fs::read_to_string(data.join("extracts/paie.csv")).expect("paie.csv");
    let leaver = text
        .lines()
        .nth(1)
        .and_then(|l| l.split(';').next())
        .expect("agent")
        .to_owned();
    let ask = |args: &[&str]| {
        let mut all = vec![
            "paie",
            "change",
            "--data",
            &d,
            "--user",
            "liquidation",
            "--arrete",
            "ARR-2026-123",
            "--reason",
            "arrêté de radiation",
        ];
        all.extend_from_slice(args);
        relais_ok(&all).lines().next().expect("id").to_owned()
    };
    let exit = ask(&[
        "--matricule",
        &leaver,
        "--kind",
        "sortie",
        "--date",
        "2026-12-15",
    ]);
    let newcomer = ask(&[
        "--matricule",
        "N000001",
        "--kind",
        "entree",
        "--date",
        "2026-12-16",
        "--nom",
        "Nouvel",
        "--prenom",
        "Agent",
        "--nir",
        "185057800604830",
        "--iban",
        "FR7630006000011234567890189",
        "--bic",
        "BNPAFRPP",
        "--net",
        "1800,00",
        "--service",
        "Direction des routes",
    ]);
    // A change to an agent that does not exist is refused at once.
    let unknown = relais_fails(&[
        "paie",
        "change",
        "--data",
        &d,
        "--user",
        "liquidation",
        "--matricule",
        "ZZZ",
        "--kind",
        "net",
        "--net",
        "100",
        "--arrete",
        "A",
        "--reason",
        "r",
    ]);
    assert!(unknown.contains("aucun agent"), "{unknown}");
    // Listed as waiting; not applied before approval.
    let pending = relais_ok(&["paie", "list", "--data", &d, "--pending"]);
    assert!(
        pending.contains(&leaver) && pending.contains("en attente"),
        "{pending}"
    );
    // The asker cannot approve (nor can a non-ordonnateur); another ordonnateur can.
    let own = relais_fails(&[
        "paie",
        "approve",
        &exit,
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert!(!own.is_empty());
    relais_ok(&[
        "paie",
        "approve",
        &exit,
        "--data",
        &d,
        "--user",
        "ordonnateur",
    ]);
    relais_ok(&[
        "paie",
        "approve",
        &newcomer,
        "--data",
        &d,
        "--user",
        "ordonnateur",
    ]);
    let twice = relais_fails(&[
        "paie",
        "approve",
        &exit,
        "--data",
        &d,
        "--user",
        "ordonnateur",
    ]);
    assert!(twice.contains("déjà décidée"), "{twice}");
    let prepared = relais_ok(&[
        "run",
        "prepare",
        "--kind",
        "paie",
        "--month",
        "2026-12",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    let id = prepared.lines().next().expect("id").to_owned();
    // The leaver and the newcomer are paid in thirtieths: 15/30 and 15/30.
    assert!(
        prepared.contains("2 agent(s) payé(s) en trentièmes"),
        "{prepared}"
    );
    relais_ok(&[
        "run",
        "validate",
        &id,
        "--data",
        &d,
        "--user",
        "ordonnateur",
    ]);
    let out = lab.path().join("out");
    export(&d, &id, &out);
    let etat =
        std::fs::read_to_string(out.join(format!("etat_liquidatif_{id}.csv"))).expect("état");
    assert!(
        etat.lines()
            .any(|l| l.starts_with(&format!("{leaver};")) && l.contains(";15;")),
        "{etat}"
    );
    let newcomer_net = etat
        .lines()
        .find(|l| l.starts_with("N000001;") && l.contains(";NET;"))
        .expect("the newcomer is paid");
    // 1 800,00 × 15/30.
    assert!(newcomer_net.contains(";900,00;"), "{newcomer_net}");
    let journal = relais_ok(&["journal", "list", "--data", &d]);
    assert!(
        journal.contains("payroll_change_ask") && journal.contains("payroll_change_decide"),
        "{journal}"
    );
}

/// `run show`'s figures, without the times.
fn figures(d: &str, id: &str) -> Vec<String> {
    relais_ok(&["run", "show", id, "--data", d])
        .lines()
        .filter(|l| {
            !l.starts_with("Préparé") && !l.starts_with("Validé") && !l.starts_with("Paiement")
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn sigkill_at_any_moment_of_the_payroll_then_the_same_command_gives_the_same_result() {
    let lab = tempfile::tempdir().expect("tempdir");
    let base = lab.path().join("base");
    relais_ok(&[
        "demo",
        "--data",
        &s(&base),
        "--size",
        "1500",
        "--agents",
        "1500",
        "--today",
        "2026-11-30",
        "--no-serve",
    ]);
    let prepare = |d: &str| {
        relais_ok(&[
            "run",
            "prepare",
            "--kind",
            "paie",
            "--month",
            "2026-12",
            "--data",
            d,
            "--user",
            "liquidation",
        ])
        .lines()
        .next()
        .expect("id")
        .to_owned()
    };
    let reference = lab.path().join("reference");
    copy(&base, &reference);
    let id = prepare(&s(&reference));
    let expected = figures(&s(&reference), &id);
    for ms in [0u64, 30, 120, 400] {
        let case = lab.path().join(format!("case{ms}"));
        copy(&base, &case);
        let d = s(&case);
        let prepare_args = [
            "run",
            "prepare",
            "--kind",
            "paie",
            "--month",
            "2026-12",
            "--data",
            &d,
            "--user",
            "liquidation",
        ];
        killed(&prepare_args, Duration::from_millis(ms));
        let again = prepare(&d);
        assert_eq!(again, id, "no run number lost or doubled ({ms} ms)");
        assert_eq!(figures(&d, &again), expected, "prepare killed at {ms} ms");
        killed(
            &[
                "run",
                "validate",
                &again,
                "--data",
                &d,
                "--user",
                "ordonnateur",
            ],
            Duration::from_millis(ms),
        );
        relais_ok(&[
            "run",
            "validate",
            &again,
            "--data",
            &d,
            "--user",
            "ordonnateur",
        ]);
        let out = case.join("out");
        let export_args = [
            "run",
            "export",
            &again,
            "--data",
            &d,
            "--user",
            "liquidation",
            "--out",
            &s(&out),
        ];
        killed(&export_args, Duration::from_millis(ms));
        let partial = files(&out);
        let complete_dir = case.join("complete");
        export(&d, &again, &complete_dir);
        let complete = files(&complete_dir);
        for (name, bytes) in &partial {
            assert!(
                complete.get(name) == Some(bytes),
                "{name} half-written after SIGKILL at {ms} ms"
            );
        }
        export(&d, &again, &out);
        assert_eq!(
            files(&out),
            complete,
            "export again after SIGKILL at {ms} ms"
        );
    }
}
