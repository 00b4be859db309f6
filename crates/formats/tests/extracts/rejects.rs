//! The rejects CSV: one line per problem with its gravity, quoted where needed, readable back.

use relais_formats::extract::rejects::RejectsWriter;
use relais_formats::extract::{Entity, FlaggedRow, Problem};

fn problem(column: Option<u32>, field: &str, code: &str, fr: &str, en: &str) -> Problem {
    Problem {
        column,
        field: field.into(),
        code: code.into(),
        message_fr: fr.into(),
        message_en: en.into(),
    }
}

#[test]
fn one_line_per_problem_with_quoting() {
    let row = FlaggedRow {
        entity: Entity::Droits,
        file: "droits.csv".into(),
        line: 12,
        key: Some("R1".into()),
        raw: vec![("droit_id".into(), "R1".into())],
        problems: vec![
            problem(
                None,
                "",
                "colonnes",
                "la ligne a 3 champs, pas 9",
                "3 fields, not 9",
            ),
            problem(
                Some(4),
                "montant_mensuel",
                "montant_invalide",
                "« 1,2,3 » : \"illisible\"",
                "unreadable\nvalue",
            ),
        ],
    };
    let mut w = RejectsWriter::new(Vec::new()).expect("writer");
    w.write(&row).expect("write");
    let bytes = w.finish().expect("finish");
    let text = String::from_utf8(bytes).expect("utf8");
    assert_eq!(
        text,
        "file,line,column,field,code,message_fr,message_en,gravite\n\
         droits.csv,12,,,colonnes,\"la ligne a 3 champs, pas 9\",\"3 fields, not 9\",rejet\n\
         droits.csv,12,4,montant_mensuel,montant_invalide,\"« 1,2,3 » : \"\"illisible\"\"\",\"unreadable\nvalue\",rejet\n"
    );
    // Read back by a CSV reader, the fields are intact.
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(records.len(), 2);
    assert_eq!(&records[1][5], "« 1,2,3 » : \"illisible\"");
    assert_eq!(&records[1][6], "unreadable\nvalue");
}

#[test]
fn no_rejected_row_gives_the_header_alone() {
    let w = RejectsWriter::new(Vec::new()).expect("writer");
    let text = String::from_utf8(w.finish().expect("finish")).expect("utf8");
    assert_eq!(
        text,
        "file,line,column,field,code,message_fr,message_en,gravite\n"
    );
}
