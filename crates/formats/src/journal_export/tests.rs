use super::*;
use relais_core::journal::{Entry, entry_hash};
use serde_json::json;

fn entries(n: u64) -> Vec<Entry> {
    let mut prev = EntryHash::GENESIS;
    (1..=n)
        .map(|seq| {
            let payload = json!({ "number": format!("2026-{seq:06}") }).to_string();
            let at = format!("2026-12-10T09:{seq:02}:00Z");
            let hash = entry_hash(&prev, seq, &at, "courrier", "deposit.register", &payload);
            let e = Entry {
                seq,
                at,
                actor: "courrier".into(),
                kind: "deposit.register".into(),
                payload,
                prev,
                hash,
            };
            prev = hash;
            e
        })
        .collect()
}

fn export(entries: &[Entry]) -> String {
    let last = entries.last().expect("entries");
    let header = Header::new(
        Authority {
            siret: "21770001700019".into(),
            name: "Département".into(),
        },
        Point {
            seq: 0,
            hash: EntryHash::GENESIS,
        },
        Point {
            seq: last.seq,
            hash: last.hash,
        },
        "start",
        "2026-12-10T10:00:00Z".into(),
        "admin",
    );
    let mut out = Vec::new();
    write_header(&mut out, &header).expect("header");
    for e in entries {
        let id = relais_core::handback::event_id("21770001700019", e.seq);
        let payload: serde_json::Value = serde_json::from_str(&e.payload).expect("json");
        let entity = relais_core::handback::entity(e.seq, &e.kind, &payload);
        begin_event(
            &mut out,
            &EventHead {
                id: &id,
                entry: e,
                entity: entity.as_ref(),
                before: None,
            },
        )
        .expect("event");
        let mut lines = ArrayWriter::begin(&mut out).expect("array");
        lines.item(&mut out, &json!({ "line": 1 })).expect("item");
        lines.end(&mut out).expect("end");
        end_event(&mut out).expect("end");
    }
    String::from_utf8(out).expect("utf-8")
}

fn read(text: &str) -> Result<Vec<ExportedEvent>, ReadError> {
    ExportReader::new(text.as_bytes())?.collect()
}

#[test]
fn an_export_reads_back_with_every_hash_recomputed() {
    let text = export(&entries(3));
    let events = read(&text).expect("read");
    assert_eq!(events.len(), 3);
    assert_eq!(events[2].id, "21770001700019-3");
    assert_eq!(events[2].line, 4);
    assert_eq!(events[0].after, r#"[{"line":1}]"#);
    assert_eq!(
        events[0].entity.as_ref().map(|e| e.id.as_str()),
        Some("2026-000001")
    );
}

#[test]
fn a_changed_removed_or_reordered_event_is_named() {
    let text = export(&entries(3));
    // The payload changed, its hash kept: the recomputation catches it.
    let changed = text.replacen(r#"\"2026-000002\""#, r#"\"2026-000009\""#, 1);
    assert_ne!(changed, text);
    let e = read(&changed).expect_err("changed");
    assert_eq!((e.line, e.event.as_deref()), (3, Some("21770001700019-2")));
    assert!(e.problem.contains("contenu modifié"), "{e}");
    // The entity, outside the hash, is recomputed from the payload.
    let changed = text.replacen(r#""id":"2026-000002""#, r#""id":"2026-000009""#, 1);
    assert_ne!(changed, text);
    let e = read(&changed).expect_err("entity");
    assert_eq!(e.line, 3);
    assert!(
        e.problem
            .contains("entité modifiée (attendue depot 2026-000002)"),
        "{e}"
    );
    // A line removed.
    let lines: Vec<&str> = text.lines().collect();
    let removed = [lines[0], lines[1], lines[3]].join("\n") + "\n";
    let e = read(&removed).expect_err("removed");
    assert_eq!(e.line, 3);
    assert!(e.to_string().contains("evenements.jsonl, ligne 3"), "{e}");
    // The last line removed: the header's count catches it.
    let truncated = [lines[0], lines[1], lines[2]].join("\n") + "\n";
    let e = read(&truncated).expect_err("truncated");
    assert!(e.problem.contains("supprimés"), "{e}");
    // Two lines swapped.
    let swapped = [lines[0], lines[2], lines[1], lines[3]].join("\n") + "\n";
    assert!(read(&swapped).is_err());
}
