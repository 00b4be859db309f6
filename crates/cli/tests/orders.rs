//! Purchase orders with the real binary (issue #23): issued by a `liquidation` agent and an
//! ordonnateur under gap-free numbers of the exercice (the number alone on the first line, the
//! PDF's path on the second), the PDF private and carrying the CCP D2192-2 mention, bad input
//! refused naming the field without using a number, and the invoices that name an order
//! matched to it after the extracts are imported again.

mod common;

use std::path::Path;
use std::process::{Command, Output};

/// `relais ARGS` as the demo user it names, on the authority's day `today`.
fn relais_on(today: &str, args: &[&str]) -> Output {
    common::output(
        Command::new(env!("CARGO_BIN_EXE_relais"))
            .env_remove("RELAIS_DATA")
            .env_remove("RELAIS_USER")
            .env_remove("RELAIS_PASSWORD_FILE")
            .env("RELAIS_TEST_TODAY", today)
            .args(args),
    )
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Issues an order on `today` as `user`; its two lines of output.
fn issue(data: &str, today: &str, user: &str, extra: &[&str]) -> (String, String) {
    let mut args = vec!["commandes", "emettre", "--data", data, "--user", user];
    args.extend_from_slice(extra);
    let o = relais_on(today, &args);
    assert!(o.status.success(), "{}", said(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    (lines[0].to_owned(), lines[1].to_owned())
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn refused(data: &str, user: &str, extra: &[&str], why: &str) {
    let mut args = vec!["commandes", "emettre", "--data", data, "--user", user];
    args.extend_from_slice(extra);
    let o = relais_on("2026-12-01", &args);
    assert_eq!(o.status.code(), Some(1), "{}", said(&o));
    assert!(o.stdout.is_empty(), "{}", said(&o));
    assert!(said(&o).contains(why), "{why:?} not in {}", said(&o));
}

/// The first supplier of the demo's `fournisseurs.csv` (quoted, comma-separated).
fn a_supplier(data: &Path) -> String {
    let text = std::fs::read_to_string(data.join("extracts/fournisseurs.csv")).expect("read");
    let row = text.lines().nth(1).expect("a supplier");
    row.split(',')
        .next()
        .expect("siret")
        .trim_matches('"')
        .to_owned()
}

fn pdf_text(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed");
    assert!(o.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `factures.csv` (`;`, unquoted, as the demo writes it) with the `engagement` of invoices
/// `ids` set to `order`.
fn name_order(data: &Path, ids: &[&str], order: &str) {
    let path = data.join("extracts/factures.csv");
    let text = std::fs::read_to_string(&path).expect("read");
    let header: Vec<&str> = text.lines().next().expect("header").split(';').collect();
    let column = header
        .iter()
        .position(|h| *h == "engagement")
        .expect("an engagement column");
    let mut out = String::new();
    for line in text.lines() {
        let mut fields: Vec<&str> = line.split(';').collect();
        if ids.contains(&fields[0]) {
            assert_eq!(fields.len(), header.len(), "{line}");
            fields[column] = order;
        }
        out.push_str(&fields.join(";"));
        out.push('\n');
    }
    std::fs::write(&path, out).expect("write");
}

#[test]
fn orders_are_issued_numbered_printed_and_matched_with_invoices() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = lab.path().join("data");
    let d = data.to_string_lossy().into_owned();
    common::demo(&data, 150);
    let siret = a_supplier(&data);
    // The demo issued orders of its own (those its invoices name): ours come after them.
    let demo = list_csv(&d);
    let demo_orders = |year: &str| {
        demo.iter()
            .filter(|r| r[0].starts_with("commande") && r[1].starts_with(&format!("BC-{year}-")))
            .count()
    };
    let (base26, base27) = (demo_orders("2026"), demo_orders("2027"));
    let demo_all = demo.iter().filter(|r| r[0] == *"commande").count();
    let demo_loose = demo
        .iter()
        .filter(|r| &r[0] == "commande_sans_facture")
        .count();
    let bc = |year: i32, n: usize| {
        let base = if year == 2026 { base26 } else { base27 };
        format!("BC-{year}-{:06}", base + n)
    };
    let order = |object: &'static str, amount: &'static str| {
        vec![
            "--service".to_owned(),
            "Direction des routes".into(),
            "--fournisseur".into(),
            siret.clone(),
            "--objet".into(),
            object.into(),
            "--montant".into(),
            amount.into(),
        ]
    };

    let first = order("Sel de déneigement, 20 tonnes", "1 000,00");
    let (number, pdf) = issue(&d, "2026-12-01", "liquidation", &args(&first));
    assert_eq!(number, bc(2026, 1));
    let pdf = Path::new(&pdf);
    assert_eq!(pdf, data.join(format!("commandes/{}.pdf", bc(2026, 1))));
    assert!(std::fs::read(pdf).expect("pdf").starts_with(b"%PDF"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(pdf).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let text = pdf_text(pdf);
    for expected in [
        &format!("Bon de commande n° {}", bc(2026, 1)),
        &format!(
            "La facture doit porter le numéro de ce bon de commande, {} (code de la commande publique, art. D2192-2)",
            bc(2026, 1)
        ),
        "Sel de déneigement, 20 tonnes",
        "1 000,00 €",
        &format!("SIRET {siret}"),
        "Direction des routes",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }

    // Bad input is refused, naming the field; none uses a number.
    let mut bad_siret = order("x", "10");
    bad_siret[3] = format!("{}{}", &siret[..13], (siret.as_bytes()[13] - b'0' + 1) % 10);
    refused(&d, "liquidation", &args(&bad_siret), "fournisseur : SIRET");
    let mut unknown = order("x", "10");
    unknown[3] = "44306184100013".into();
    refused(
        &d,
        "liquidation",
        &args(&unknown),
        "fournisseur : aucun fournisseur de SIRET 44306184100013",
    );
    for amount in ["0", "-5", "0,00"] {
        let why = "un bon de commande engage un montant supérieur à zéro";
        refused(&d, "liquidation", &args(&order("x", amount)), why);
    }
    refused(
        &d,
        "liquidation",
        &args(&order("x", "douze")),
        "montant : montant illisible",
    );
    refused(
        &d,
        "liquidation",
        &args(&order(" ", "10")),
        "objet : à renseigner",
    );
    refused(
        &d,
        "instruction",
        &args(&order("x", "10")),
        "n'a pas le rôle",
    );
    // Issuing changes the data: the user's password is checked first.
    let wrong = common::password_file(lab.path(), "faux", "pas le bon");
    let mut command = Command::new(env!("CARGO_BIN_EXE_relais"));
    command
        .args([
            "commandes",
            "emettre",
            "--data",
            &d,
            "--user",
            "liquidation",
        ])
        .args(args(&order("x", "10")))
        .env("RELAIS_PASSWORD_FILE", &wrong);
    let o = common::output(&mut command);
    assert!(said(&o).contains("mot de passe incorrect"), "{}", said(&o));

    let mut second = order("Panneaux de signalisation", "500");
    second.extend(["--engagement".into(), "ENG-2026-00042".into()]);
    second.extend(["--date-livraison".into(), "15/12/2026".into()]);
    let (number, _) = issue(&d, "2026-12-02", "ordonnateur", &args(&second));
    assert_eq!(number, bc(2026, 2));
    // A new exercice starts again from 1.
    let (number, _) = issue(
        &d,
        "2027-01-04",
        "liquidation",
        &args(&order("Gravier", "80")),
    );
    assert_eq!(number, bc(2027, 1));

    // Two invoices name the first order: imported again, they are matched to it.
    let before = list_csv(&d);
    let loose: Vec<(String, i64)> = before
        .iter()
        .filter(|r| &r[0] == "facture_sans_commande" && &r[12] == "extraction")
        .map(|r| (r[1].to_owned(), cents(&r[8])))
        .take(2)
        .collect();
    assert_eq!(loose.len(), 2, "{before:?}");
    let ids: Vec<&str> = loose.iter().map(|(id, _)| id.as_str()).collect();
    let invoiced: i64 = loose.iter().map(|(_, c)| c).sum();
    name_order(&data, &ids, &bc(2026, 1).to_lowercase());
    let extracts = data.join("extracts").to_string_lossy().into_owned();
    common::relais_ok(&["import", &extracts, "--data", &d, "--user", "admin"]);
    let after = list_csv(&d);
    let row = |key: &str| {
        after
            .iter()
            .find(|r| &r[1] == key)
            .unwrap_or_else(|| panic!("{key} not in {after:?}"))
    };
    let first = row(&bc(2026, 1));
    assert_eq!(&first[0], "commande");
    assert_eq!(&first[11], ids.join(" "));
    assert_eq!(cents(&first[9]), invoiced);
    assert_eq!(cents(&first[10]), 100_000 - invoiced);
    for number in [bc(2026, 2), bc(2027, 1)] {
        assert_eq!(&row(&number)[0], "commande_sans_facture");
    }
    assert_eq!(&row(&bc(2026, 2))[7], "ENG-2026-00042");
    for id in &ids {
        assert!(
            after.iter().all(|r| &r[1] != *id),
            "{id} still without order"
        );
    }
    let unmatched = after
        .iter()
        .filter(|r| &r[0] == "facture_sans_commande")
        .count();
    assert_eq!(
        unmatched,
        before
            .iter()
            .filter(|r| &r[0] == "facture_sans_commande")
            .count()
            - 2
    );
    // For reading: the three lists, in French.
    let text = common::relais_ok(&["commandes", "list", "--data", &d]);
    for expected in [
        "Bons de commande :",
        &format!("{} bon(s) de commande", demo_all + demo_loose + 3),
        "Bons de commande sans facture :",
        &format!("{} bon(s) de commande sans facture", demo_loose + 2),
        "Factures sans bon de commande :",
        "sans engagement",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    // The PDF written again from the store.
    std::fs::remove_file(data.join(format!("commandes/{}.pdf", bc(2026, 2)))).expect("remove");
    let path = common::relais_ok(&["commandes", "imprimer", &bc(2026, 2), "--data", &d]);
    let text = pdf_text(Path::new(path.trim()));
    assert!(
        text.contains("ENG-2026-00042") && text.contains("D2192-2"),
        "{text}"
    );
    let journal = common::relais_ok(&["journal", "list", "--data", &d]);
    assert_eq!(
        journal.matches("order_issued").count(),
        demo_all + demo_loose + 3
    );
}

/// `relais commandes list --format csv`, its rows.
fn list_csv(data: &str) -> Vec<csv::StringRecord> {
    let out = common::relais_ok(&["commandes", "list", "--data", data, "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    reader.records().map(|r| r.expect("row")).collect()
}

fn cents(decimal: &str) -> i64 {
    relais_core::Cents::parse(decimal).expect("amount").0
}
