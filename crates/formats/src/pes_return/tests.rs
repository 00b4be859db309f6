use super::*;
use jiff::civil::date;

const PERIODIC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<r:PES_Retour xmlns:r="http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/retour">
  <EnTetePES><CodCol V="123"/></EnTetePES>
  <PES_DepenseRetour>
    <EnTeteDepense><TypRestit V="02"/><IdVer V="2"/><NatInf V="2"/></EnTeteDepense>
    <Bordereau>
      <BlocBordereau><Exer V="2026"/><IdBord V="42"/><TypBord V="01"/></BlocBordereau>
      <Piece>
        <InfoPiece><IdPce V="1201"/><TypPce V="01"/><NatPce V="01"/>
          <DtePcePec V="2026-12-08"/><EtatPce V="05"/></InfoPiece>
        <LigneDePiece>
          <BlocLignePiece><InfoLignePiece><IdLigne V="1"/><EtatLigPce V="01"/>
            <MtHT V="70.00"/></InfoLignePiece>
            <InfoPaiement><NbrPay V="2"/><MtPayTot V="70"/></InfoPaiement></BlocLignePiece>
          <Tiers><InfoTiers><CatTiers V="01"/><NatJur V="01"/><Nom V="DUPONT &amp; FILS"/></InfoTiers></Tiers>
          <PaiementEmargement><OrgEma V="01"/><DtePay V="2026-12-10"/><MtPay V="50.5"/></PaiementEmargement>
          <PaiementEmargement><OrgEma V="01"/><DtePay V="2026-12-11"/><MtPay V="19.50"/></PaiementEmargement>
        </LigneDePiece>
      </Piece>
      <Piece>
        <InfoPiece><IdPce V="1202"/><TypPce V="01"/><NatPce V="01"/><EtatPce V="04"/>
          <ObsEtat V="04-09"/><Commentaire V="RIB &apos;faux&apos;"/><DtePceRej V="2026-12-09"/></InfoPiece>
        <LigneDePiece><BlocLignePiece><InfoLignePiece><IdLigne V="1"/><EtatLigPce V="02"/>
          <MtHT V="12.34"/></InfoLignePiece></BlocLignePiece></LigneDePiece>
      </Piece>
    </Bordereau>
    <Bordereau>
      <BlocBordereau><Exer V="2026"/><IdBord V="9000001"/><TypBord V="04"/></BlocBordereau>
      <Piece>
        <InfoPiece><IdPce V="7700000000001"/><TypPce V="12"/><NatPce V="01"/><Obj V="Paiement avant mandat"/>
          <EtatPce V="02"/></InfoPiece>
        <LigneDePiece><BlocLignePiece><InfoLignePiece><IdLigne V="1"/><EtatLigPce V="01"/>
          <MtHT V="-3"/></InfoLignePiece></BlocLignePiece></LigneDePiece>
      </Piece>
    </Bordereau>
  </PES_DepenseRetour>
</r:PES_Retour>
"#;

fn read(text: &[u8]) -> Result<PesReturn, ReturnError> {
    read_pes_return(text)
}

#[test]
fn a_periodic_return_gives_each_piece_with_its_bordereau_and_payments() {
    let r = read(PERIODIC.as_bytes()).expect("read");
    assert_eq!(r.header.kind, Some(ReturnKind::Periodic));
    assert_eq!(r.header.version, Some(2));
    assert_eq!(r.pieces.len(), 3);
    let paid = &r.pieces[0];
    assert_eq!(
        paid.bordereau,
        ReturnBordereau {
            exercice: 2026,
            id: 42,
            kind: BordereauType::Ordinary
        }
    );
    assert_eq!((paid.id, paid.kind, paid.nature), (1201, 1, 1));
    assert_eq!(paid.state, PieceState::Settled);
    assert_eq!(paid.taken_on, Some(date(2026, 12, 8)));
    assert_eq!(paid.lines.len(), 1);
    assert_eq!(paid.lines[0].amount, Some(Cents(7_000)));
    assert_eq!(
        paid.lines[0].payments,
        vec![
            Payment {
                origin: 1,
                on: date(2026, 12, 10),
                amount: Cents(5_050)
            },
            Payment {
                origin: 1,
                on: date(2026, 12, 11),
                amount: Cents(1_950)
            }
        ]
    );
    assert_eq!(paid.paid(), Some((date(2026, 12, 11), Cents(7_000))));
    assert_eq!(paid.at, LineColumn { line: 8, column: 7 });
    let rejected = &r.pieces[1];
    assert_eq!(rejected.state, PieceState::Rejected);
    assert_eq!(rejected.rejected_on, Some(date(2026, 12, 9)));
    assert_eq!(rejected.paid(), None);
    assert_eq!(
        rejected.reason_fr(),
        "04 liquidation erronée, 09 domiciliation bancaire absente ou erronée — RIB 'faux'"
    );
    let request = &r.pieces[2];
    assert!(request.is_regularisation_request());
    assert_eq!(request.id, 7_700_000_000_001);
    assert_eq!(request.object.as_deref(), Some("Paiement avant mandat"));
    assert_eq!(request.amount(), Cents(-300));
    assert_eq!(r.sha256.len(), 64);
}

#[test]
fn a_latin1_file_is_decoded_as_its_declaration_says() {
    let text = PERIODIC
        .replace("UTF-8", "ISO-8859-1")
        .replace("RIB &apos;faux&apos;", "Pièce jointe : défaut");
    let (latin1, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    assert!(latin1.contains(&0xE8), "è as one byte");
    let r = read(&latin1).expect("read");
    assert_eq!(
        r.pieces[1].comment.as_deref(),
        Some("Pièce jointe : défaut")
    );
    // The same bytes declared UTF-8 are refused where they are.
    let lying = PERIODIC.replace("RIB &apos;faux&apos;", "Pièce jointe : défaut");
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&lying);
    let e = read(&bytes).expect_err("not UTF-8");
    assert_eq!(e.code(), "retour_encodage");
    assert_eq!((e.line, e.element.as_str()), (22, "Commentaire"));
}

#[test]
fn namespace_prefixes_do_not_matter() {
    let prefixed = PERIODIC
        .replace("<EnTeteDepense>", "<x:EnTeteDepense xmlns:x=\"urn:x\">")
        .replace("</EnTeteDepense>", "</x:EnTeteDepense>")
        .replace("<TypRestit ", "<x:TypRestit ");
    let r = read(prefixed.as_bytes()).expect("read");
    assert_eq!(r.header.kind, Some(ReturnKind::Periodic));
    assert_eq!(r.pieces.len(), 3);
}

#[test]
fn malformed_xml_is_named_with_its_line_and_column() {
    let broken = PERIODIC.replace(
        "</LigneDePiece>\n      </Piece>",
        "</LignePiece>\n      </Piece>",
    );
    let e = read(broken.as_bytes()).expect_err("malformed");
    assert_eq!(e.code(), "retour_xml");
    assert_eq!((e.line, e.column), (18, 9));
    assert_eq!(e.element, "LigneDePiece");
    let said = e.to_string();
    assert!(
        said.starts_with("ligne 18, colonne 9, élément « LigneDePiece » : XML mal formé"),
        "{said}"
    );
    // A file cut in the middle.
    let cut = &PERIODIC.as_bytes()[..PERIODIC.len() / 2];
    assert!(read(cut).is_err());
}

#[test]
fn wrong_values_are_named_with_their_element() {
    let amount = PERIODIC.replace("<MtPay V=\"50.5\"/>", "<MtPay V=\"50,5\"/>");
    let e = read(amount.as_bytes()).expect_err("comma");
    assert_eq!((e.line, e.column, e.element.as_str()), (16, 71, "MtPay"));
    assert!(e.to_string().contains("valeur « 50,5 » incorrecte"), "{e}");
    let day = PERIODIC.replace("2026-12-10", "2026-02-30");
    let e = read(day.as_bytes()).expect_err("30 February");
    assert_eq!(e.element, "DtePay");
    let state = PERIODIC.replace("<EtatPce V=\"05\"/>", "<EtatPce V=\"03\"/>");
    let e = read(state.as_bytes()).expect_err("state 03");
    assert_eq!((e.line, e.element.as_str()), (10, "EtatPce"));
    let missing = PERIODIC.replace("<IdPce V=\"1202\"/>", "");
    let e = read(missing.as_bytes()).expect_err("no IdPce");
    assert_eq!(e.problem, ReturnProblem::Missing("IdPce"));
    assert_eq!(e.element, "Piece");
    let huge = PERIODIC.replace("<MtPay V=\"50.5\"/>", "<MtPay V=\"99999999999999999999\"/>");
    assert!(read(huge.as_bytes()).is_err());
}

#[test]
fn other_files_are_not_returns() {
    let aller = br#"<?xml version="1.0" encoding="ISO-8859-1"?><n:PES_Aller xmlns:n="urn:a"><Enveloppe/></n:PES_Aller>"#;
    let e = read(aller).expect_err("aller");
    assert_eq!(e.code(), "retour_pas_pes");
    let e = read(b"").expect_err("empty");
    assert_eq!(e.code(), "retour_pas_pes");
    let e = read(b"\x00\x01garbage<<<").expect_err("garbage");
    assert!(matches!(e.code(), "retour_pas_pes" | "retour_xml"), "{e}");
    let unknown = PERIODIC.replace("UTF-8", "EBCDIC");
    assert_eq!(
        read(unknown.as_bytes()).expect_err("ebcdic").code(),
        "retour_encodage"
    );
}

proptest::proptest! {
    /// Whatever the bytes, the reader answers without panicking.
    #[test]
    fn never_panics(cut in 0usize..PERIODIC.len(), byte in proptest::num::u8::ANY) {
        let mut bytes = PERIODIC.as_bytes().to_vec();
        bytes[cut] = byte;
        let _ = read(&bytes);
        let _ = read(&bytes[..cut]);
    }
}
