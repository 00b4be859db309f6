//! What the public accountant (Hélios, the paierie) checks in the payment files, with the real
//! binary: bordereau and mandate numbers that continue the paierie's across runs, the
//! year-to-date total, payees named as the accountant knows them, the treasury's BIC, and pay
//! dates on days the bank settles.

mod common;

use common::{relais_fails, relais_ok, values, xmllint};
use std::path::Path;

const PES_XSD: &str = "xsd/pes/PES_V2/Rev0/PES_Aller_Depense.xsd";
const PAIN_XSD: &str = "xsd/pain/pain.001.001.09.xsd";

/// `relais` with no RELAIS_DATA, RELAIS_USER or RELAIS_PASSWORD_FILE from the environment, to
/// be given arguments (and run by `common::output`, which gives the demo user's password).
fn cmd() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_relais"));
    c.env_remove("RELAIS_DATA")
        .env_remove("RELAIS_USER")
        .env_remove("RELAIS_PASSWORD_FILE");
    c
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn numbers(xml: &str, name: &str) -> Vec<u64> {
    values(xml, name)
        .into_iter()
        .map(|v| v.parse().expect("number"))
        .collect()
}

/// Prepares `benefits` for December 2026, validates and exports the run: the PES and the
/// pain.001 files, as text, both valid against the official schemas.
fn pay(data: &str, benefits: &str, out: &Path) -> (String, String, String) {
    let prepared = relais_ok(&[
        "run",
        "prepare",
        "--data",
        data,
        "--month",
        "2026-12",
        "--benefits",
        benefits,
        "--user",
        "liquidation",
    ]);
    let id = prepared.lines().next().expect("id").to_owned();
    relais_ok(&[
        "run",
        "validate",
        &id,
        "--data",
        data,
        "--user",
        "ordonnateur",
    ]);
    relais_ok(&[
        "run",
        "export",
        &id,
        "--data",
        data,
        "--user",
        "liquidation",
        "--out",
        &s(out),
    ]);
    let pes_path = out.join(format!("PES_{id}.xml"));
    xmllint(PES_XSD, &pes_path);
    let pes = String::from_utf8(
        // The PES is ISO-8859-1: bytes as chars.
        std::fs::read(&pes_path)
            .expect("pes")
            .iter()
            .map(|b| char::from(*b))
            .collect::<String>()
            .into_bytes(),
    )
    .expect("text");
    let mut pain = String::new();
    for entry in std::fs::read_dir(out).expect("out") {
        let path = entry.expect("entry").path();
        if path.to_string_lossy().contains("pain001_") {
            xmllint(PAIN_XSD, &path);
            pain.push_str(&std::fs::read_to_string(&path).expect("pain"));
        }
    }
    (id, pes, pain)
}

#[test]
fn numbers_continue_the_paierie_s_and_payees_are_named_as_it_knows_them() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = lab.path().join("data");
    let d = s(&data);
    let demo = relais_ok(&[
        "demo",
        "--data",
        &d,
        "--size",
        "1500",
        "--today",
        "2026-11-30",
        "--no-serve",
    ]);
    assert!(demo.contains("Numérotation 2026 confirmée"), "{demo}");
    // Validations happen on the clock's day: its exercice is the one numbered here.
    let exercice = jiff::Zoned::now()
        .in_tz("Europe/Paris")
        .expect("tz")
        .year()
        .to_string();
    let show = relais_ok(&["numbering", "show", "--data", &d]);
    assert!(
        show.contains("Exercice 2026") && show.contains("démonstration"),
        "{show}"
    );
    let set = |user: &str| {
        vec![
            "numbering".to_owned(),
            "set".into(),
            "--data".into(),
            d.clone(),
            "--exercice".into(),
            exercice.clone(),
            "--last-bordereau".into(),
            "1532".into(),
            "--last-mandat".into(),
            "48210".into(),
            "--cumul-annuel".into(),
            "187654321,09".into(),
            "--reason".into(),
            "confirmés par la paierie le 1er décembre".into(),
            "--user".into(),
            user.into(),
        ]
    };
    let refused = relais_fails(&strs(&set("liquidation")));
    assert!(refused.contains("ordonnateur"), "{refused}");
    let done = relais_ok(&strs(&set("ordonnateur")));
    assert!(
        done.contains("prochain bordereau 1533, prochain mandat 48211"),
        "{done}"
    );

    let (_, first, pain) = pay(&d, "APA_DOM,APA_ETAB", &lab.path().join("r1"));
    let (_, second, _) = pay(&d, "PCH,ASH", &lab.path().join("r2"));
    // IdBord N+1 then N+2; IdPce continue from the paierie's last mandate, over both runs.
    assert_eq!(numbers(&first, "IdBord"), vec![1533]);
    assert_eq!(numbers(&second, "IdBord"), vec![1534]);
    let pieces: Vec<u64> = numbers(&first, "IdPce")
        .into_iter()
        .chain(numbers(&second, "IdPce"))
        .collect();
    assert!(pieces.len() > 2);
    let expected: Vec<u64> = (48_211..48_211 + pieces.len() as u64).collect();
    assert_eq!(pieces, expected);
    // MtCumulAnnuel: the paierie's amount plus each bordereau, growing.
    let cumul: Vec<f64> = values(&first, "MtCumulAnnuel")
        .into_iter()
        .chain(values(&second, "MtCumulAnnuel"))
        .map(|v| v.parse().expect("amount"))
        .collect();
    assert_eq!(cumul.len(), 2);
    assert!(
        cumul[0] > 187_654_321.09 && cumul[1] > cumul[0],
        "{cumul:?}"
    );
    // Numbers never go back: once given, the confirmation is final.
    let again = relais_fails(&strs(&set("ordonnateur")));
    assert!(again.contains("ne peut plus changer"), "{again}");

    // Payees: no placeholder; a natural person has a first name and a civility, a body none.
    for pes in [&first, &second] {
        assert!(!pes.contains("INCONNU"));
        for tiers in pes.split("<InfoTiers>").skip(1) {
            let tiers = tiers.split("</InfoTiers>").next().unwrap_or("");
            let person = tiers.contains("<CatTiers V=\"01\"/>");
            assert_eq!(tiers.contains("<Prenom "), person, "{tiers}");
            assert_eq!(tiers.contains("<Civilite "), person, "{tiers}");
        }
        // CatTiers/NatJur by the extract's legal form, each pair one annexe 3 allows: the
        // demo's companies are 50/03, not the default 50/06 of a body.
        let pairs: std::collections::BTreeSet<(&str, &str)> = values(pes, "CatTiers")
            .into_iter()
            .zip(values(pes, "NatJur"))
            .collect();
        let allowed = [
            ("01", "01"),
            ("50", "06"),
            ("50", "03"),
            ("27", "09"),
            ("26", "09"),
        ];
        assert!(pairs.iter().all(|p| allowed.contains(p)), "{pairs:?}");
        assert!(pairs.contains(&("50", "03")), "{pairs:?}");
        // One mandate carries one benefit: its object names a single one.
        for object in values(pes, "Obj") {
            let named = ["APA", "PCH", "ASH"]
                .iter()
                .filter(|b| object.contains(*b))
                .count();
            assert_eq!(named, 1, "{object}");
        }
        // M57 functions only (431 to 433 APA, 423 ASH, 425 PCH).
        for f in values(pes, "Fonction") {
            assert!(["431", "432", "433", "423", "425"].contains(&f), "{f}");
        }
    }
    // An establishment or a service paid for many people gets a statement of whom, named
    // by its transfer: its CSV's total is the transfer's amount.
    let etats = lab.path().join("r1").join("etats");
    let names: Vec<String> = std::fs::read_dir(&etats)
        .expect("statements written")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let csvs: Vec<&String> = names.iter().filter(|n| n.ends_with(".csv")).collect();
    assert!(!csvs.is_empty(), "{names:?}");
    // All of them in one PDF, each under its reference.
    let first_id = std::fs::read_dir(lab.path().join("r1"))
        .expect("r1")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("etats_nominatifs_"))
        .expect("the statements' PDF");
    let pdf_text = std::process::Command::new("pdftotext")
        .arg(lab.path().join("r1").join(&first_id))
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let pdf_text = String::from_utf8_lossy(&pdf_text.stdout);
    for csv in &csvs {
        let reference = csv.trim_end_matches(".csv");
        assert!(
            pdf_text.contains(reference),
            "{reference} not in {first_id}"
        );
        let text = std::fs::read_to_string(etats.join(csv)).expect("csv");
        let total = text
            .lines()
            .last()
            .and_then(|l| l.rsplit(';').next())
            .expect("total")
            .replace(',', ".");
        let transfer = pain
            .split("<CdtTrfTxInf>")
            .find(|t| t.contains(reference))
            .unwrap_or_else(|| panic!("no transfer names {reference}"));
        assert!(
            transfer.contains(&format!("<InstdAmt Ccy=\"EUR\">{total}</InstdAmt>")),
            "{reference}: {total}\n{transfer}"
        );
    }
    let sums = std::fs::read_to_string(lab.path().join("r1").join("SHA256SUMS")).expect("sums");
    assert!(sums.contains("etats/"), "the statements are in SHA256SUMS");
    // The debtor's bank is the Banque de France (treasury accounts), not NOTPROVIDED.
    assert!(pain.contains("<BICFI>BDFEFRPPCCT</BICFI>"), "debtor agent");
    assert!(!pain.contains("NOTPROVIDED"));
    relais_ok(&["journal", "verify", "--data", &d]);
}

/// Good Friday is a working day in Paris but TARGET2 is closed: a pay day on it moves to the
/// Thursday before, and the control report says why.
#[test]
fn a_pay_day_on_good_friday_moves_to_thursday() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = lab.path().join("data");
    let d = s(&data);
    relais_ok(&[
        "demo",
        "--data",
        &d,
        "--size",
        "300",
        "--today",
        "2026-11-30",
        "--no-serve",
    ]);
    let settings = data.join("settings.toml");
    let text = std::fs::read_to_string(&settings).expect("settings");
    // PCH paid on the 26th: 26 March 2027 is Good Friday.
    let pch = text.find("[payments.benefits.PCH]").expect("PCH section");
    let day = text[pch..].find("pay_day = 10").expect("pay day") + pch;
    let text = format!(
        "{}pay_day = 26{}",
        &text[..day],
        &text[day + "pay_day = 10".len()..]
    );
    std::fs::write(&settings, text).expect("write settings");
    let prepare = [
        "run",
        "prepare",
        "--data",
        &d,
        "--month",
        "2027-03",
        "--benefits",
        "PCH",
        "--user",
        "liquidation",
    ];
    // March is paid from February on, not from December: nobody pays in advance.
    let early = common::output(cmd().args(prepare).env("RELAIS_TEST_TODAY", "2026-12-05"));
    let said = String::from_utf8_lossy(&early.stderr);
    assert!(
        !early.status.success() && said.contains("on ne paie pas d'avance"),
        "{said}"
    );
    let out = common::output(cmd().args(prepare).env("RELAIS_TEST_TODAY", "2027-02-20"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.contains("2027-03-25"), "{out}");
    let id = out.lines().next().expect("id");
    let report = lab.path().join("controle");
    relais_ok(&["run", "show", id, "--data", &d, "--out", &s(&report)]);
    let html = std::fs::read_to_string(report.join(format!("controle_{id}.html"))).expect("html");
    assert!(html.contains("Vendredi saint"), "the report says why");
    assert!(html.contains("25/03/2027"));
    // A month of 2027 is not validated in 2026: its exercice has not begun.
    if jiff::Zoned::now().year() == 2026 {
        let e = relais_fails(&["run", "validate", id, "--data", &d, "--user", "ordonnateur"]);
        assert!(e.contains("01/01/2027"), "{e}");
    }
}
