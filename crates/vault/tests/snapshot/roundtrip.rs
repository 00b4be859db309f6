//! What a sealing produces and what an opening gives back.

use crate::common::*;
use relais_vault::{
    Manifest, open, parse_identities, parse_recipients, trusted_comment, verify, verify_and_open,
};
use std::io::{Cursor, Read};

#[test]
fn seal_sign_verify_open_gives_back_the_files_and_manifest() {
    let h = holder();
    let s = sealed_sample(&h);

    let tc = verify(&mut &s.encrypted[..], s.signature.as_bytes(), &h.public).expect("verify");
    assert_eq!(
        tc,
        format!(
            "relais-snapshot format:1 created_at:2025-03-01T10:00:00Z bytes:{} authority:Département de l'Exemple",
            s.encrypted.len()
        )
    );

    let dest = tempfile::tempdir().expect("dir");
    let opened = verify_and_open(
        &mut Cursor::new(&s.encrypted),
        s.signature.as_bytes(),
        &h.public,
        &h.identities,
        dest.path(),
    )
    .expect("open");
    assert_eq!(opened.manifest, s.manifest);
    assert_eq!(opened.trusted_comment, tc);
    for (name, data) in &s.files {
        assert_eq!(
            &std::fs::read(dest.path().join(name)).expect("file"),
            data,
            "{name}"
        );
    }
    assert_eq!(dir_entries(dest.path()).len(), s.files.len());
}

#[cfg(unix)]
#[test]
fn opened_files_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let h = holder();
    let s = sealed_sample(&h);
    let dest = tempfile::tempdir().expect("dir");
    open(&mut &s.encrypted[..], &h.identities, dest.path()).expect("open");
    let mode = std::fs::metadata(dest.path().join("beneficiaires.csv"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn every_recipient_can_open() {
    let a = holder();
    let b = holder();
    let files = sample_files();
    let manifest = manifest_for(&files);
    let both = parse_recipients(&format!(
        "# titulaire\n{}\n\n# suppléant\n{}\n",
        a.keys.age_recipient, b.keys.age_recipient
    ))
    .expect("recipients");
    let encrypted = seal_to_vec(&manifest, &files, &both).expect("seal");
    for h in [&a, &b] {
        let dest = tempfile::tempdir().expect("dir");
        let m = open(&mut &encrypted[..], &h.identities, dest.path()).expect("open");
        assert_eq!(m, manifest);
    }
    // An identity file may hold several identities: the one that matches is used.
    let dest = tempfile::tempdir().expect("dir");
    let mut ids = holder().identities;
    ids.extend(b.identities.iter().cloned());
    open(&mut &encrypted[..], &ids, dest.path()).expect("second identity opens");
}

#[test]
fn payload_is_a_plain_tar_with_the_manifest_first() {
    let h = holder();
    let s = sealed_sample(&h);
    let identity = age_identity(&h);
    let plain = age::decrypt(&identity, &s.encrypted).expect("age decrypt");
    let mut archive = tar::Archive::new(&plain[..]);
    let mut names = Vec::new();
    for entry in archive.entries().expect("entries") {
        let mut entry = entry.expect("entry");
        let name = entry.path().expect("path").to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("data");
        if name == "manifest.json" {
            let m = Manifest::from_json(&data).expect("manifest");
            assert_eq!(m, s.manifest);
        } else {
            let expected = &s.manifest.file(&name).expect("listed").sha256;
            assert_eq!(&digest(&data), expected);
        }
        assert_eq!(entry.header().mode().expect("mode"), 0o644);
        names.push(name);
    }
    assert_eq!(
        names,
        [
            "manifest.json",
            "beneficiaires.csv",
            "paiements.csv",
            "vide.csv"
        ]
    );
}

#[test]
fn sealing_refuses_a_file_that_changed_since_the_manifest() {
    let h = holder();
    let files = sample_files();
    let manifest = manifest_for(&files);

    let mut changed = files.clone();
    changed[0].1[30] ^= 1;
    let err = seal_to_vec(&manifest, &changed, &h.recipients).expect_err("hash");
    assert_eq!(err.code(), "empreinte_fausse");
    assert!(err.to_string().contains("beneficiaires.csv"), "{err}");

    let mut shorter = files.clone();
    shorter[1].1.pop();
    let err = seal_to_vec(&manifest, &shorter, &h.recipients).expect_err("shorter");
    assert_eq!(err.code(), "taille_fausse");

    let mut longer = files.clone();
    longer[1].1.extend_from_slice(b"P99999;1,00\n");
    let err = seal_to_vec(&manifest, &longer, &h.recipients).expect_err("longer");
    assert_eq!(err.code(), "taille_fausse");
    assert!(err.to_string().contains("paiements.csv"), "{err}");

    let missing: Files = files[..2].to_vec();
    let err = seal_to_vec(&manifest, &missing, &h.recipients).expect_err("missing");
    assert_eq!(err.code(), "lecture_extraction");
    assert!(err.to_string().contains("vide.csv"), "{err}");
}

#[test]
fn sealing_refuses_empty_manifests_and_no_recipients() {
    let h = holder();
    let mut manifest = manifest_for(&sample_files());
    let err = seal_to_vec(&manifest, &sample_files(), &[]).expect_err("no recipient");
    assert_eq!(err.code(), "aucun_destinataire");
    manifest.files.clear();
    let err = seal_to_vec(&manifest, &Vec::new(), &h.recipients).expect_err("empty");
    assert_eq!(err.code(), "contenu_vide");
}

#[test]
fn trusted_comment_names_authority_and_time() {
    let m = manifest_for(&sample_files());
    let tc = trusted_comment(&m, 1234);
    assert!(tc.starts_with("relais-snapshot format:1 "));
    assert!(tc.contains(" created_at:2025-03-01T10:00:00Z bytes:1234 "));
    assert!(tc.ends_with("authority:Département de l'Exemple"));
}

#[test]
fn identities_from_a_file_with_comments() {
    let h = holder();
    let text = relais_vault::SecretString::from(format!(
        "# first\n\n{}",
        relais_vault::ExposeSecret::expose_secret(&h.keys.age_identity_file)
    ));
    assert_eq!(parse_identities(&text).expect("ids").len(), 1);
}
