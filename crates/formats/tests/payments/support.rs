//! What the tests share: a valid issuer, payees and transfers to vary one field at a time,
//! writers driven in two passes like the export will, and `xmllint` against the real schemas.

use jiff::civil::date;
use relais_core::Cents;
use relais_core::ids::{Bic, Iban, Siret};
use relais_formats::payments::model::{
    Address, BankAccount, Bordereau, BordereauId, BordereauKind, BudgetAccount, BudgetCode,
    CollectivityCode, Debtor, FunctionCode, Issuer, LegalNature, Line, LineId, Payee,
    PayeeCategory, PaymentMode, PesFile, PesFileName, Piece, PieceId, PieceKind, PieceNature,
    PostCode, PostId, SepaAmount, SepaFile, SepaId, Totals, Transfer,
};
use relais_formats::payments::{Pain001Writer, PaymentFileError, PesWriter};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const PES_XSD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/xsd/pes/PES_V2/Rev0/PES_Aller_Depense.xsd"
);
pub const PAIN_XSD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/xsd/pain/pain.001.001.09.xsd"
);

/// Test values that are valid by construction; a failure here is a broken fixture.
pub fn iban(s: &str) -> Iban {
    Iban::parse(s).unwrap_or_else(|e| panic!("fixture IBAN {s}: {e}"))
}

pub fn bic(s: &str) -> Bic {
    Bic::parse(s).unwrap_or_else(|e| panic!("fixture BIC {s}: {e}"))
}

fn ok<T>(r: Result<T, PaymentFileError>) -> T {
    r.unwrap_or_else(|e| panic!("fixture: {e}"))
}

pub const IBAN_FR: &str = "FR7630006000011234567890189";
/// IBANs of other SEPA countries (the banks' published examples, right keys).
pub const IBANS_ABROAD: [(&str, &str); 4] = [
    ("DE89370400440532013000", "DEUTDEFF"),
    ("BE68539007547034", "GEBABEBB"),
    ("ES9121000418450200051332", "CAIXESBB"),
    ("IT60X0542811101000000123456", "UNCRITMM"),
];

pub fn issuer() -> Issuer {
    Issuer {
        name: "Département du Rhône — Conseil départemental".into(),
        siret: Siret::parse("22690099100010").unwrap_or_else(|e| panic!("fixture SIRET: {e}")),
        collectivity: ok(CollectivityCode::parse("069")),
        budget: ok(BudgetCode::parse("01")),
        post: ok(PostId::parse("069099")),
        budget_label: "DEPARTEMENT - BUDGET PRINCIPAL".into(),
        debtor: Debtor {
            name: "Paierie départementale du Rhône".into(),
            iban: Iban::from_french_rib("30001", "00690", "C6900000000")
                .unwrap_or_else(|e| panic!("fixture debtor IBAN: {e}")),
            bic: Some(bic("BDFEFRPPCCT")),
        },
    }
}

pub fn pes_file() -> PesFile {
    PesFile {
        name: ok(PesFileName::parse(
            "PESALR1_22690099100010_APA_202501_BORD15.xml",
        )),
        created: date(2025, 1, 24).at(10, 30, 0, 0),
    }
}

pub fn sepa_file() -> SepaFile {
    SepaFile {
        message_id: ok(SepaId::parse("RELAIS-2025-01-APA-001")),
        payment_info_id: ok(SepaId::parse("RELAIS-2025-01-APA-001-P1")),
        created: date(2025, 1, 24).at(10, 30, 0, 0),
        execution_date: date(2025, 1, 31),
    }
}

pub fn bordereau(id: u32) -> Bordereau {
    Bordereau {
        year: 2025,
        id: ok(BordereauId::new(id)),
        date: date(2025, 1, 24),
        kind: BordereauKind::ORDINARY,
        cumulative_annual: Some(Cents(18_643_255)),
    }
}

pub fn payee(last: &str, first: &str, account: &str, bic_code: Option<&str>) -> Payee {
    Payee {
        siret: None,
        reference: "APA0001234".into(),
        category: PayeeCategory::PERSON,
        legal_nature: LegalNature::INDIVIDUAL,
        civility: "MME".into(),
        last_name: last.into(),
        first_name: first.into(),
        address: Some(Address {
            line1: String::new(),
            line2: "12 rue des Lilas".into(),
            line3: String::new(),
            postcode: ok(PostCode::parse("69003")),
            city: "Lyon".into(),
        }),
        bank: Some(BankAccount {
            iban: iban(account),
            bic: bic_code.map(bic),
            holder: String::new(),
        }),
    }
}

/// A one-line APA mandate.
pub fn piece(id: u32, amount: i64, payee: Payee) -> Piece {
    Piece {
        id: ok(PieceId::new(id)),
        kind: PieceKind::ORDINARY_MANDATE,
        nature: PieceNature::OPERATING,
        object: "APA à domicile - janvier 2025".into(),
        due_date: Some(date(2025, 1, 31)),
        deadline: None,
        settles: None,
        lines: vec![Line {
            id: ok(LineId::new(1)),
            account: ok(BudgetAccount::parse("651141")),
            function: Some(ok(FunctionCode::parse("551"))),
            invoice: String::new(),
            transfer_label: format!("APA JANVIER 2025 DOSSIER APA{id:07}"),
            payment_mode: PaymentMode::TRANSFER,
            amount: Cents(amount),
            payee: std::sync::Arc::new(payee),
        }],
    }
}

pub fn transfer(
    seq: u32,
    amount: i64,
    name: &str,
    account: &str,
    bic_code: Option<&str>,
) -> Transfer {
    Transfer {
        end_to_end_id: ok(SepaId::parse(&format!("APA-2025-01-{seq:08}"))),
        amount: ok(SepaAmount::new(Cents(amount))),
        creditor_name: name.into(),
        creditor_iban: iban(account),
        creditor_bic: bic_code.map(bic),
        remittance: format!("APA janvier 2025 - dossier APA{seq:07}"),
    }
}

/// A PES file of `bordereaux`, each bordereau's totals counted in a first pass.
pub fn write_pes(bordereaux: &[(Bordereau, Vec<Piece>)]) -> Result<Vec<u8>, PaymentFileError> {
    let mut w = PesWriter::new(Vec::new(), &issuer(), &pes_file())?;
    for (b, pieces) in bordereaux {
        let mut totals = Totals::default();
        for p in pieces {
            totals.add_piece(p)?;
        }
        w.begin_bordereau(b, totals)?;
        for p in pieces {
            w.write_piece(p)?;
        }
    }
    Ok(w.finish()?.0)
}

/// A pain.001 file of `transfers`, the totals counted in a first pass.
pub fn write_pain(transfers: &[Transfer]) -> Result<Vec<u8>, PaymentFileError> {
    let mut totals = Totals::default();
    for t in transfers {
        totals.add_transfer(t)?;
    }
    let mut w = Pain001Writer::new(Vec::new(), &issuer(), &sepa_file(), totals)?;
    for t in transfers {
        w.write_transfer(t)?;
    }
    Ok(w.finish()?.0)
}

/// ISO-8859-1 bytes as text (each byte is the code point of the same value).
pub fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Runs `xmllint --noout --schema XSD FILES…`, giving whether every file validates and what
/// it said; panics with an install hint when xmllint is missing (a test never skips).
pub fn run_xmllint(xsd: &str, files: &[PathBuf]) -> (bool, String) {
    let output = match Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(xsd)
        .args(files)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!(
            "xmllint is needed to validate the payment files against the XSD and could not be run ({e}): install it with `apt-get install libxml2-utils` (Debian/Ubuntu)"
        ),
    };
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let validated = stderr.lines().filter(|l| l.ends_with(" validates")).count();
    (output.status.success() && validated == files.len(), stderr)
}

/// Panics with xmllint's report unless every file validates against `xsd`.
pub fn xmllint(xsd: &str, files: &[PathBuf]) {
    let (valid, report) = run_xmllint(xsd, files);
    assert!(valid, "xmllint against {xsd}:\n{report}");
}

/// Writes `bytes` to `dir/name` and gives the path.
pub fn save(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path
}

pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("temporary folder: {e}"))
}

/// Validates one PES and one pain.001 file.
pub fn validate(pes: Option<&[u8]>, pain: Option<&[u8]>) {
    let dir = temp_dir();
    if let Some(bytes) = pes {
        xmllint(PES_XSD, &[save(dir.path(), "pes.xml", bytes)]);
    }
    if let Some(bytes) = pain {
        xmllint(PAIN_XSD, &[save(dir.path(), "pain.xml", bytes)]);
    }
}
