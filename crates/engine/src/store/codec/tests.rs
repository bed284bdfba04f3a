use chrono::DateTime;
use proptest::prelude::*;

use super::*;

pub(crate) fn sample_cs(id: CsId) -> CsObject {
    let when = DateTime::from_timestamp(1_325_458_800, 123_000_000).unwrap_or_default();
    CsObject {
        id,
        dn: format!("CN=user{id},OU=People,DC=contoso,DC=com"),
        anchor: Some(format!("anchor-{id}")),
        object_type: "user".into(),
        attributes: IndexMap::from([
            ("cn".to_owned(), Value::from(format!("user{id}"))),
            ("objectGUID".to_owned(), Value::bin([0, 1, 254, 255])),
            (
                "manager".to_owned(),
                Value::reference("CN=boss,DC=contoso,DC=com"),
            ),
            (
                "proxyAddresses".to_owned(),
                Value::multi(vec![Value::from("SMTP:a@x"), Value::from("smtp:b@x")]),
            ),
            ("whenCreated".to_owned(), Value::DateTime(when)),
            ("uac".to_owned(), Value::Num(-512)),
            ("enabled".to_owned(), Value::Bool(true)),
        ]),
        unconfirmed: IndexMap::from([("title".to_owned(), Value::from("CEO"))]),
        pending_import: Some(PendingImport::Update),
        pending_export: Some(PendingExport {
            op: ExportOp::Rename,
            attributes: IndexMap::from([
                ("title".to_owned(), Value::from("CEO")),
                ("info".to_owned(), Value::Null),
            ]),
            old_dn: Some("CN=old,DC=contoso,DC=com".into()),
        }),
        export_error: Some(ExportError {
            class: "duplicate-attribute".into(),
            message: "the UPN is taken".into(),
        }),
        link: Some(9),
        link_rule: Some("In from AD - User Join".into()),
        provisioned: true,
        unresolved: true,
    }
}

fn bare_cs(id: CsId) -> CsObject {
    CsObject {
        id,
        object_type: "group".into(),
        ..CsObject::default()
    }
}

fn round_trip_cs(o: &CsObject) -> CsObject {
    let bytes = to_bytes(&cs_to_json(o)).unwrap_or_default();
    let j = from_bytes(&bytes).unwrap_or_default();
    match cs_from_json(o.id, &j) {
        Ok(back) => back,
        Err(e) => panic!("decode failed: {e}"),
    }
}

#[test]
fn cs_round_trips() {
    for o in [sample_cs(3), bare_cs(u64::MAX)] {
        assert_eq!(round_trip_cs(&o), o);
    }
    // Attribute order is kept.
    let o = sample_cs(1);
    let back = round_trip_cs(&o);
    assert!(back.attributes.keys().eq(o.attributes.keys()));
}

#[test]
fn cs_encoding_is_compact_and_leaves_out_defaults() {
    let text = String::from_utf8(to_bytes(&cs_to_json(&bare_cs(1))).unwrap_or_default())
        .unwrap_or_default();
    assert_eq!(
        text,
        r#"{"attrs":[],"dn":"","type":"group","unconfirmed":[]}"#
    );
}

#[test]
fn mv_round_trips() {
    let o = MvObject {
        id: 4,
        object_type: "person".into(),
        attributes: IndexMap::from([
            ("manager".to_owned(), Value::reference("mv:7")),
            ("displayName".to_owned(), Value::from("Ann")),
        ]),
        links: BTreeMap::from([("AD".to_owned(), 3), ("HR".to_owned(), 12)]),
        anchored_by: BTreeSet::from(["HR".to_owned()]),
    };
    assert_eq!(mv_from_json(4, &mv_to_json(&o)), Ok(o));
}

#[test]
fn spaces_round_trip() {
    let mut state = State::default();
    state.space("AD").watermark = Some("usn:42".into());
    state.space("AD").next_id = 17;
    state.space("HR");
    let back = spaces_from_json(&spaces_to_json(&state));
    assert_eq!(
        back,
        Ok(vec![
            SpaceMeta {
                name: "AD".into(),
                watermark: Some("usn:42".into()),
                next_id: 17
            },
            SpaceMeta {
                name: "HR".into(),
                watermark: None,
                next_id: 0
            },
        ])
    );
    assert!(spaces_from_json(&json!({})).is_err());
}

#[test]
fn decode_errors_name_the_field_not_the_value() {
    let j = json!({"dn": "CN=a", "type": "user",
        "attrs": [["whenCreated", {"type": "datetime", "value": "secret-1999"}]]});
    let e = cs_from_json(1, &j).err().unwrap_or_default();
    assert!(e.contains("whenCreated"), "{e}");
    assert!(!e.contains("secret"), "{e}");
    let e = cs_from_json(1, &json!({"type": "user"}))
        .err()
        .unwrap_or_default();
    assert_eq!(e, "`dn` must be a string");
    assert!(cs_from_json(1, &json!({"dn": "a", "type": "u", "import": "x"})).is_err());
    assert!(
        cs_from_json(
            1,
            &json!({"dn": "a", "type": "u", "export": {"op": "move"}})
        )
        .is_err()
    );
    assert!(cs_from_json(1, &json!({"dn": "a", "type": "u", "attrs": [["x"]]})).is_err());
    assert!(mv_from_json(1, &json!({"type": "p", "links": [["AD", -1]]})).is_err());
    assert!(mv_from_json(1, &json!({"type": "p", "anchored_by": [1]})).is_err());
    assert!(
        from_bytes(b"{\"dn\": \"secret")
            .err()
            .unwrap_or_default()
            .starts_with("not JSON")
    );
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(Value::Ignore),
        Just(Value::AuthoritativeNull),
        any::<String>().prop_map(Value::from),
        any::<i64>().prop_map(Value::Num),
        any::<bool>().prop_map(Value::Bool),
        proptest::collection::vec(any::<u8>(), 0..16).prop_map(Value::bin),
        "[A-Za-z=, ]{0,20}".prop_map(Value::reference),
        (0i64..253_402_300_799, 0u32..1_000_000_000).prop_map(|(s, n)| {
            Value::DateTime(DateTime::from_timestamp(s, n).unwrap_or_default())
        }),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => leaf(),
        1 => proptest::collection::vec(leaf(), 1..4).prop_map(Value::multi),
    ]
}

fn attrs() -> impl Strategy<Value = IndexMap<String, Value>> {
    proptest::collection::vec((any::<String>(), value()), 0..5)
        .prop_map(|pairs| pairs.into_iter().collect())
}

fn cs_object() -> impl Strategy<Value = CsObject> {
    let export = (0usize..4, attrs(), proptest::option::of(any::<String>())).prop_map(
        |(op, attributes, old_dn)| PendingExport {
            op: [
                ExportOp::Add,
                ExportOp::Update,
                ExportOp::Rename,
                ExportOp::Delete,
            ]
            .get(op)
            .copied()
            .unwrap_or(ExportOp::Add),
            attributes,
            old_dn,
        },
    );
    let import = prop_oneof![
        Just(None),
        Just(Some(PendingImport::Add)),
        Just(Some(PendingImport::Update)),
        Just(Some(PendingImport::Delete)),
    ];
    (
        (
            any::<u64>(),
            any::<String>(),
            proptest::option::of(any::<String>()),
        ),
        (any::<String>(), attrs(), attrs(), import),
        (
            proptest::option::of(export),
            proptest::option::of((any::<String>(), any::<String>())),
        ),
        (
            proptest::option::of(any::<u64>()),
            proptest::option::of(any::<String>()),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (id, dn, anchor),
                (object_type, attributes, unconfirmed, pending_import),
                (pending_export, error),
                (link, link_rule, provisioned),
            )| CsObject {
                id,
                dn,
                anchor,
                object_type,
                attributes,
                unconfirmed,
                pending_import,
                pending_export,
                export_error: error.map(|(class, message)| ExportError { class, message }),
                link,
                link_rule,
                provisioned,
                unresolved: provisioned,
            },
        )
}

proptest! {
    #[test]
    fn any_cs_object_round_trips(o in cs_object()) {
        prop_assert_eq!(round_trip_cs(&o), o);
    }

    #[test]
    fn any_mv_object_round_trips(
        id in any::<u64>(),
        object_type in any::<String>(),
        attributes in attrs(),
        links in proptest::collection::btree_map(any::<String>(), any::<u64>(), 0..4),
        anchored_by in proptest::collection::btree_set(any::<String>(), 0..4),
    ) {
        let o = MvObject { id, object_type, attributes, links, anchored_by };
        let bytes = to_bytes(&mv_to_json(&o)).unwrap_or_default();
        let j = from_bytes(&bytes).unwrap_or_default();
        prop_assert_eq!(mv_from_json(id, &j), Ok(o));
    }
}
