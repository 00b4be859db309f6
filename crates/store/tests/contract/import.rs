//! An import is all or nothing, and commits with its journal entry.

use super::TestBackend;
use super::fixtures::with_admin;
use relais_core::records::{DirectoryEntry, Record};
use serde_json::json;

fn directory_entry(code: &str) -> Record {
    Record::DirectoryEntry(DirectoryEntry {
        site_code: code.into(),
        site: format!("MDS {code}"),
        service: "Accueil".into(),
        phone: "01 99 00 12 34".into(),
        email: "mds@demo.invalid".into(),
        address: "1 rue de la Paix 77000 Melun".into(),
        hours: "9h-17h".into(),
        paper_deposit: true,
        public: true,
        extra: vec![("commentaire".into(), "ouvert".into())],
    })
}

fn site_codes<B: TestBackend>(s: &B) -> Vec<String> {
    let rows = s.directory().expect("directory");
    rows.into_iter().map(|r| r.site_code).collect()
}

pub fn an_import_commits_with_its_journal_entry<B: TestBackend>() {
    let mut f = with_admin::<B>();
    let s = &mut f.store;
    let mut session = s.begin_import().expect("begin");
    session.insert(&directory_entry("MDS01")).expect("insert");
    let entry = session
        .commit("admin", json!({"files": []}))
        .expect("commit");
    assert_eq!(entry.kind, "import");
    assert_eq!(s.counts().expect("counts").directory, 1);
    assert_eq!(s.verify_journal().expect("verify"), 2);
}

pub fn an_import_is_all_or_nothing<B: TestBackend>() {
    let mut f = with_admin::<B>();
    let s = &mut f.store;
    let mut session = s.begin_import().expect("begin");
    session.insert(&directory_entry("MDS01")).expect("insert");
    session.commit("admin", json!({})).expect("commit");
    let before = s.counts().expect("counts");

    // A second import fails halfway: a duplicate key, as a store error would arise mid-way.
    let mut session = s.begin_import().expect("begin");
    session.insert(&directory_entry("MDS02")).expect("insert");
    session.insert(&directory_entry("MDS03")).expect("insert");
    assert!(session.insert(&directory_entry("MDS03")).is_err());
    drop(session);

    assert_eq!(s.counts().expect("counts"), before);
    assert_eq!(s.verify_journal().expect("verify"), 2);
    assert_eq!(site_codes(s), ["MDS01"]);
    // Another handle on the store sees the same: nothing of the abandoned import.
    assert_eq!(site_codes(&B::connect(f.dir.path())), ["MDS01"]);
}
