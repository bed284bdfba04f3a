use chrono::DateTime;
use syncrules_lang::name::Name;

use super::*;

fn sample_cs() -> CsObject {
    CsObject {
        id: CsId::new(7),
        dn: "CN=Ana Chen,OU=Seattle,DC=contoso,DC=com".into(),
        anchor: Some("AAECAwQFBgcICQoLDA0ODw==".into()),
        object_type: "user".into(),
        attributes: syncrules_lang::name::attrs([
            ("cn".to_owned(), Value::from("Ana Chen")),
            ("userAccountControl".to_owned(), Value::Num(-512)),
            ("objectGUID".to_owned(), Value::bin([0u8, 1, 2, 255])),
            (
                "manager".to_owned(),
                Value::reference("CN=Boss,DC=contoso,DC=com"),
            ),
            ("enabled".to_owned(), Value::Bool(true)),
            (
                "whenCreated".to_owned(),
                Value::DateTime(DateTime::from_timestamp(1_700_000_000, 123).unwrap_or_default()),
            ),
            (
                "proxyAddresses".to_owned(),
                Value::multi(vec!["SMTP:a@x".into(), "smtp:b@x".into()]),
            ),
        ]),
        unconfirmed: syncrules_lang::name::attrs([("x".to_owned(), Value::Ignore)]),
        pending_import: Some(PendingImport::Update),
        pending_export: Some(PendingExport {
            op: ExportOp::Rename,
            attributes: syncrules_lang::name::attrs([("y".to_owned(), Value::AuthoritativeNull)]),
            old_dn: Some("CN=Old".into()),
        }),
        export_error: Some(ExportError {
            class: "refused".into(),
            message: "no".into(),
        }),
        link: Some(MvId::new(u64::MAX)),
        link_rule: Some("In from AD - User Join".into()),
        provisioned: true,
        unresolved: false,
    }
}

fn sample_mv() -> MvObject {
    MvObject {
        id: MvId::new(3),
        object_type: "person".into(),
        attributes: syncrules_lang::name::attrs([
            ("displayName".to_owned(), Value::from("Ana")),
            ("manager".to_owned(), MvRef(MvId::new(9)).to_value()),
            ("empty".to_owned(), Value::Null),
        ]),
        links: BTreeMap::from([
            (Name::new("AD"), CsId::new(7)),
            (Name::new("Entra"), CsId::new(1 << 40)),
        ]),
        anchored_by: BTreeSet::from([Name::new("AD")]),
    }
}

#[test]
fn objects_round_trip() {
    let cs = sample_cs();
    assert_eq!(decode_cs(CsId::new(7), &encode_cs(&cs)), Ok(cs));
    let bare = CsObject {
        id: CsId::new(1),
        ..CsObject::default()
    };
    assert_eq!(decode_cs(CsId::new(1), &encode_cs(&bare)), Ok(bare));
    let mv = sample_mv();
    assert_eq!(decode_mv(MvId::new(3), &encode_mv(&mv)), Ok(mv.clone()));
    assert_eq!(mv_refs(&mv).collect::<Vec<_>>(), [MvId::new(9)]);
}

#[test]
fn every_flipped_bit_and_every_truncation_is_refused() {
    let bytes = encode_cs(&sample_cs());
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut b = bytes.clone();
            if let Some(x) = b.get_mut(i) {
                *x ^= 1 << bit;
            }
            assert!(
                decode_cs(CsId::new(7), &b).is_err(),
                "byte {i} bit {bit} went unnoticed"
            );
        }
    }
    for n in 0..bytes.len() {
        assert!(
            decode_cs(CsId::new(7), bytes.get(..n).unwrap_or_default()).is_err(),
            "cut at {n}"
        );
    }
}

#[test]
fn other_layouts_are_named() {
    let mut b = encode_mv(&sample_mv());
    if let Some(v) = b.first_mut() {
        *v = 1;
    }
    let e = decode_mv(MvId::new(3), &b)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("layout 1"), "{e}");
}

#[test]
fn only_the_encoders_own_forms_are_read() {
    // A metaverse record whose link id 7 is written in two bytes instead of one.
    let mut w = Writer::new();
    w.str("person");
    w.attrs(&syncrules_lang::AttrMap::default());
    w.u(1);
    w.str("AD");
    w.out.extend_from_slice(&[0x87, 0x00]);
    w.u(0);
    let e = decode_mv(MvId::new(3), &w.finish())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("shortest form"), "{e}");
    // Links out of order.
    let mut w = Writer::new();
    w.str("person");
    w.attrs(&syncrules_lang::AttrMap::default());
    w.u(2);
    w.str("HR");
    w.u(1);
    w.str("AD");
    w.u(2);
    w.u(0);
    let e = decode_mv(MvId::new(3), &w.finish())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("out of order"), "{e}");
}

#[test]
fn decode_errors_read_as_before() {
    let cases = [
        (
            DecodeError::TooShort { len: 3 },
            "a record of 3 bytes is too short",
        ),
        (
            DecodeError::Layout { version: 1 },
            "record layout 1; this build reads layout 2",
        ),
        (
            DecodeError::Checksum,
            "the record's checksum does not match: the file is damaged",
        ),
        (
            DecodeError::EndsEarly { at: 9 },
            "the record ends early at byte 9",
        ),
        (
            DecodeError::UnknownTag { tag: 4, at: 9 },
            "an unknown tag 4 at byte 9",
        ),
        (
            DecodeError::LengthPastEnd { at: 9 },
            "a length past the record's end at byte 9",
        ),
        (
            DecodeError::UnknownValueTag { tag: 12, at: 9 },
            "an unknown value tag 12 at byte 9",
        ),
        (
            DecodeError::Unread { count: 2 },
            "2 unread bytes after the record",
        ),
        (DecodeError::UnknownFlags { flags: 8 }, "unknown flags 8"),
    ];
    for (e, text) in cases {
        assert_eq!(e.to_string(), text);
    }
    // A cut record fails its checksum before a byte of the body is read.
    let bytes = encode_mv(&sample_mv());
    let cut = bytes.get(..bytes.len() - 1).unwrap_or_default();
    assert!(matches!(
        decode_mv(MvId::new(3), cut),
        Err(DecodeError::Checksum)
    ));
}

#[test]
fn what_references_need_is_read_without_the_attributes() {
    let o = sample_cs();
    let t = decode_cs_target(&encode_cs(&o)).unwrap();
    assert_eq!((t.dn.as_str(), t.link), (o.dn.as_str(), o.link));
    assert!(!t.refused, "a rename that failed is not a refused add");
    // A refused add: no anchor, an add still pending, an export error.
    let refused = CsObject {
        anchor: None,
        link: None,
        pending_export: Some(PendingExport {
            op: ExportOp::Add,
            attributes: o.attributes.clone(),
            old_dn: None,
        }),
        ..o.clone()
    };
    assert!(refused.refused());
    let t = decode_cs_target(&encode_cs(&refused)).unwrap();
    assert!(t.refused);
    assert_eq!(t.link, None);
    for unrefused in [
        CsObject {
            export_error: None,
            ..refused.clone()
        },
        CsObject {
            anchor: Some("a".into()),
            ..refused.clone()
        },
        CsObject {
            pending_export: None,
            ..refused.clone()
        },
    ] {
        let t = decode_cs_target(&encode_cs(&unrefused)).unwrap();
        assert_eq!(t.refused, unrefused.refused());
        assert!(!t.refused);
    }
    let m = sample_mv();
    assert_eq!(decode_mv_links(&encode_mv(&m)).unwrap(), m.links);
    // Damage is found as by the whole decoders.
    let mut bytes = encode_mv(&m);
    if let Some(b) = bytes.last_mut() {
        *b ^= 1;
    }
    assert!(decode_mv_links(&bytes).is_err());
}
