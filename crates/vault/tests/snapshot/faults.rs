//! Every fault named by the issue is refused, with its own error, and leaves nothing behind.

use crate::common::*;
use relais_vault::{
    Manifest, SecretString, SigningKey, VaultError, open, sign, trusted_comment, verify,
    verify_and_open,
};
use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::Path;

/// Opens into a fresh folder and returns the error, checking that the folder was left empty.
fn open_fails(encrypted: &[u8], h: &Holder) -> VaultError {
    let dest = tempfile::tempdir().expect("dir");
    let err = open(&mut &encrypted[..], &h.identities, dest.path()).expect_err("must be refused");
    assert!(
        dir_entries(dest.path()).is_empty(),
        "left behind after {}: {:?}",
        err.code(),
        dir_entries(dest.path())
    );
    assert_no_secret(&err, h, None);
    err
}

fn crafted(h: &Holder, entries: &[RawEntry]) -> Vec<u8> {
    age_encrypt(&raw_tar(entries), h)
}

#[test]
fn any_flipped_byte_of_the_sealed_file_is_refused_by_verify_and_by_open() {
    let h = holder();
    let s = sealed_sample(&h);
    let mut open_codes = BTreeSet::new();
    for mask in [0x01u8, 0xff] {
        for i in 0..s.encrypted.len() {
            let mut bad = s.encrypted.clone();
            bad[i] ^= mask;
            let err = verify(&mut &bad[..], s.signature.as_bytes(), &h.public)
                .expect_err("signature must fail");
            assert_eq!(err.code(), "signature_invalide", "byte {i}");
            let err = open_fails(&bad, &h);
            open_codes.insert(err.code());
        }
    }
    // Even without the signature, age's authentication catches every change.
    let allowed: BTreeSet<&str> = [
        "fichier_modifie",
        "identite_non_destinataire",
        "pas_un_instantane",
        "fichier_tronque",
    ]
    .into();
    assert!(open_codes.is_subset(&allowed), "{open_codes:?}");
}

#[test]
fn any_flipped_byte_of_the_signature_is_refused() {
    let h = holder();
    let s = sealed_sample(&h);
    let sig = s.signature.as_bytes();
    for mask in [0x01u8, 0x20, 0xff] {
        for i in 0..sig.len() {
            let mut bad = sig.to_vec();
            bad[i] ^= mask;
            let err = verify(&mut &s.encrypted[..], &bad, &h.public)
                .expect_err(&format!("byte {i} mask {mask:#x} accepted"));
            assert!(
                [
                    "signature_illisible",
                    "signature_modifiee",
                    "signature_invalide",
                    "signature_autre_cle",
                    // A digit of `bytes:` raised: the file is then shorter than announced.
                    "fichier_tronque",
                ]
                .contains(&err.code()),
                "byte {i}: {}",
                err.code()
            );
        }
    }
    // Removing or adding a byte too.
    let err = verify(&mut &s.encrypted[..], &sig[..sig.len() - 1], &h.public).expect_err("cut");
    assert_eq!(err.code(), "signature_modifiee");
    for extra in [&b" "[..], b"\n", b"\r", b"x\n"] {
        let mut longer = sig.to_vec();
        longer.extend_from_slice(extra);
        let err = verify(&mut &s.encrypted[..], &longer, &h.public).expect_err("longer");
        assert!(
            ["signature_modifiee", "signature_illisible"].contains(&err.code()),
            "{extra:?}: {}",
            err.code()
        );
    }
}

#[test]
fn a_truncated_file_is_refused() {
    let h = holder();
    let s = sealed_sample(&h);
    let len = s.encrypted.len();
    for cut in [0, 1, 20, 100, 200, len / 2, len - 17, len - 1] {
        let bad = &s.encrypted[..cut];
        // The signature's comment states the sealed length: the refusal names the truncation.
        let err = verify(&mut &bad[..], s.signature.as_bytes(), &h.public).expect_err("verify");
        assert_eq!(err.code(), "fichier_tronque", "cut {cut}");
        assert!(
            err.to_string().contains(&format!(
                "fait {cut} octets alors que sa signature en annonce {len}"
            )),
            "{err}"
        );
        // Without the signature, age tells a cut at a chunk boundary or in the header; a cut
        // inside the last chunk fails its authentication like any other change.
        let err = open_fails(bad, &h);
        assert!(
            ["fichier_tronque", "pas_un_instantane", "fichier_modifie"].contains(&err.code()),
            "cut {cut}: {}",
            err.code()
        );
    }
    let err = open_fails(&s.encrypted[..50], &h);
    assert_eq!(err.code(), "fichier_tronque");
    let err = open_fails(&s.encrypted[..len - 1], &h);
    assert!(err.to_string().contains("tronqué"), "{err}");
}

#[test]
fn a_file_signed_by_another_key_is_refused() {
    let h = holder();
    let other = holder();
    let s = sealed_sample(&h);
    let forged = sign(
        &mut &s.encrypted[..],
        &other.signing,
        &trusted_comment(&s.manifest, s.encrypted.len() as u64),
    )
    .expect("sign");
    let err = verify(&mut &s.encrypted[..], forged.as_bytes(), &h.public).expect_err("other");
    assert_eq!(err.code(), "signature_autre_cle");
    assert!(err.to_string().contains(&other.signing.key_id()), "{err}");
    assert!(err.to_string().contains(&h.public.key_id()), "{err}");

    let dest = tempfile::tempdir().expect("dir");
    let err = verify_and_open(
        &mut Cursor::new(&s.encrypted),
        forged.as_bytes(),
        &h.public,
        &h.identities,
        dest.path(),
    )
    .expect_err("refused before decrypting");
    assert_eq!(err.code(), "signature_autre_cle");
    assert!(dir_entries(dest.path()).is_empty());
}

#[test]
fn an_identity_that_is_not_a_recipient_is_refused() {
    let h = holder();
    let stranger = holder();
    let s = sealed_sample(&h);
    let err = open_fails(&s.encrypted, &stranger);
    assert_eq!(err.code(), "identite_non_destinataire");
}

#[test]
fn a_manifest_whose_hash_does_not_match_a_file_is_refused() {
    let h = holder();
    let files = sample_files();
    let mut manifest = manifest_for(&files);
    manifest.files[1].sha256 = digest(b"something else");
    let err = open_fails(&crafted(&h, &sample_entries(&manifest, &files)), &h);
    assert_eq!(err.code(), "empreinte_fausse");
    assert!(err.to_string().contains("paiements.csv"), "{err}");

    let mut manifest = manifest_for(&files);
    manifest.files[0].bytes += 1;
    let err = open_fails(&crafted(&h, &sample_entries(&manifest, &files)), &h);
    assert_eq!(err.code(), "taille_fausse");
}

#[test]
fn an_unknown_future_format_version_is_refused() {
    let h = holder();
    let files = sample_files();
    let manifest = manifest_for(&files);
    let mut json: serde_json::Value = serde_json::to_value(&manifest).expect("value");
    json["format_version"] = 2.into();
    let mut entries = sample_entries(&manifest, &files);
    entries[0] = regular("manifest.json", &serde_json::to_vec(&json).expect("json"));
    let err = open_fails(&crafted(&h, &entries), &h);
    assert_eq!(err.code(), "version_inconnue");
    assert!(err.to_string().contains("format 2"), "{err}");
    assert!(err.message_en().contains("format 2"));
}

#[test]
fn an_empty_payload_is_refused() {
    let h = holder();
    // Nothing at all was encrypted.
    let err = open_fails(&age_encrypt(b"", &h), &h);
    assert_eq!(err.code(), "contenu_vide");
    // A tar with no entry.
    let err = open_fails(&crafted(&h, &[]), &h);
    assert_eq!(err.code(), "contenu_vide");
    // A manifest that lists no file.
    let mut manifest = manifest_for(&sample_files());
    manifest.files.clear();
    let err = open_fails(&crafted(&h, &sample_entries(&manifest, &Vec::new())), &h);
    assert_eq!(err.code(), "contenu_vide");
}

#[test]
fn entries_that_could_escape_or_are_not_plain_files_are_refused() {
    let h = holder();
    let files = sample_files();
    let manifest = manifest_for(&files);
    let parent = tempfile::tempdir().expect("parent");
    let dest = parent.path().join("dest");
    std::fs::create_dir(&dest).expect("dest");

    let cases: Vec<(RawEntry, &str)> = vec![
        (regular("../evil.csv", b"x"), "entree_dangereuse"),
        (regular("/tmp/evil.csv", b"x"), "entree_dangereuse"),
        (regular("sub/evil.csv", b"x"), "entree_dangereuse"),
        (regular("evil.csv", b"x"), "fichier_inattendu"),
        (regular("beneficiaires.csv", &files[0].1), "fichier_double"),
        (
            RawEntry {
                name: b"link.csv".to_vec(),
                kind: tar::EntryType::Symlink,
                data: Vec::new(),
            },
            "entree_dangereuse",
        ),
        (
            RawEntry {
                name: b"hard.csv".to_vec(),
                kind: tar::EntryType::Link,
                data: Vec::new(),
            },
            "entree_dangereuse",
        ),
        (
            RawEntry {
                name: b"dir".to_vec(),
                kind: tar::EntryType::Directory,
                data: Vec::new(),
            },
            "entree_dangereuse",
        ),
        (
            RawEntry {
                name: b"fifo".to_vec(),
                kind: tar::EntryType::Fifo,
                data: Vec::new(),
            },
            "entree_dangereuse",
        ),
    ];
    for (extra, code) in cases {
        let shown = String::from_utf8_lossy(&extra.name).into_owned();
        let mut entries = sample_entries(&manifest, &files);
        entries.insert(2, extra);
        let err = open(&mut &crafted(&h, &entries)[..], &h.identities, &dest).expect_err(&shown);
        assert_eq!(err.code(), code, "{shown}: {err}");
        assert!(dir_entries(&dest).is_empty(), "{shown}");
        assert_eq!(dir_entries(parent.path()), ["dest"], "{shown}");
        assert!(!Path::new("/tmp/evil.csv").exists());
    }
}

#[test]
fn missing_files_misplaced_manifest_and_trailing_data_are_refused() {
    let h = holder();
    let files = sample_files();
    let manifest = manifest_for(&files);

    let mut entries = sample_entries(&manifest, &files);
    entries.pop();
    let err = open_fails(&crafted(&h, &entries), &h);
    assert_eq!(err.code(), "fichier_manquant");
    assert!(err.to_string().contains("vide.csv"));

    let mut entries = sample_entries(&manifest, &files);
    entries.swap(0, 1);
    let err = open_fails(&crafted(&h, &entries), &h);
    assert_eq!(err.code(), "manifeste_absent");

    let mut entries = sample_entries(&manifest, &files);
    entries[0] = regular("manifest.json", b"{not json");
    let err = open_fails(&crafted(&h, &entries), &h);
    assert_eq!(err.code(), "manifeste_invalide");

    let mut plain = raw_tar(&sample_entries(&manifest, &files));
    plain.extend_from_slice(b"appended after the archive");
    let err = open_fails(&age_encrypt(&plain, &h), &h);
    assert_eq!(err.code(), "donnees_en_trop");

    // Zero padding after the end, as other tar writers add, is fine.
    let mut plain = raw_tar(&sample_entries(&manifest, &files));
    plain.extend_from_slice(&[0u8; 8192]);
    let dest = tempfile::tempdir().expect("dir");
    open(
        &mut &age_encrypt(&plain, &h)[..],
        &h.identities,
        dest.path(),
    )
    .expect("padding ok");
}

#[test]
fn not_a_snapshot_and_unusable_destinations() {
    let h = holder();
    let err = open_fails(b"PK\x03\x04 this is a zip file", &h);
    assert_eq!(err.code(), "pas_un_instantane");

    let s = sealed_sample(&h);
    let dest = tempfile::tempdir().expect("dir");
    std::fs::write(dest.path().join("old.csv"), b"keep me").expect("write");
    let err = open(&mut &s.encrypted[..], &h.identities, dest.path()).expect_err("not empty");
    assert_eq!(err.code(), "destination_non_vide");
    assert_eq!(dir_entries(dest.path()), ["old.csv"]);

    let err = open(
        &mut &s.encrypted[..],
        &h.identities,
        &dest.path().join("absent"),
    )
    .expect_err("absent");
    assert_eq!(err.code(), "destination_inutilisable");
}

#[test]
fn a_signed_comment_that_does_not_match_the_manifest_is_refused_after_opening() {
    let h = holder();
    let s = sealed_sample(&h);
    let mut other: Manifest = s.manifest.clone();
    other.authority = "Une autre collectivité".into();
    let sig = sign(
        &mut &s.encrypted[..],
        &h.signing,
        &trusted_comment(&other, s.encrypted.len() as u64),
    )
    .expect("sign");
    let dest = tempfile::tempdir().expect("dir");
    let err = verify_and_open(
        &mut Cursor::new(&s.encrypted),
        sig.as_bytes(),
        &h.public,
        &h.identities,
        dest.path(),
    )
    .expect_err("mismatch");
    assert_eq!(err.code(), "commentaire_discordant");
    assert!(dir_entries(dest.path()).is_empty());
}

#[test]
fn secrets_never_show_in_debug_or_errors() {
    let pass = "une phrase de passe assez longue";
    let keys =
        relais_vault::generate_keys(Some(&SecretString::from(pass.to_owned()))).expect("keys");
    let shown = format!("{keys:?}");
    assert!(!shown.contains(pass));
    let wrong = "une autre phrase";
    let err = SigningKey::from_file_text(
        &keys.minisign_secret_file,
        Some(&SecretString::from(wrong.to_owned())),
    )
    .expect_err("wrong");
    for text in [err.to_string(), err.message_en(), format!("{err:?}")] {
        assert!(!text.contains(wrong) && !text.contains(pass), "{text}");
    }
    let sk = SigningKey::from_file_text(
        &keys.minisign_secret_file,
        Some(&SecretString::from(pass.to_owned())),
    )
    .expect("opens");
    assert!(!format!("{sk:?}").contains(pass));

    let h = holder();
    let line = identity_line(&h);
    for shown in [
        format!("{:?}", h.identities),
        format!("{:?}", h.keys),
        format!("{:?}", h.signing),
    ] {
        assert!(!shown.contains(&line[15..]), "{shown}");
        assert!(!shown.to_uppercase().contains(&line[15..]), "{shown}");
    }
}
