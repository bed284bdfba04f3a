use super::*;
use syncrules_lang::dn::Dn;
use syncrules_lang::name::{AttrMap, Name};

fn entry(change: Change, dn: &str, attributes: AttrMap) -> ImportEntry {
    ImportEntry {
        change,
        dn: Dn::parse(dn).unwrap(),
        old_dn: None,
        anchor: None,
        object_type: "group".to_owned(),
        attributes,
        value_changes: Vec::new(),
    }
}

fn members(space: &ConnectorSpace) -> Vec<String> {
    let o = space.objects.values().next().map(|o| o.current("member"));
    o.map(|v| v.values().iter().map(ToString::to_string).collect())
        .unwrap_or_default()
}

#[test]
fn value_changes_add_and_remove_members() {
    let mut space = ConnectorSpace::default();
    let start = syncrules_lang::name::attrs([(
        "member".to_owned(),
        Value::multi(vec![Value::reference("CN=a"), Value::reference("CN=b")]),
    )]);
    apply(
        &mut space,
        ImportBatch {
            entries: vec![entry(Change::Present, "CN=g", start)],
            ..ImportBatch::default()
        },
        true,
    );
    let mut modify = entry(Change::Modify, "CN=g", AttrMap::default());
    modify.value_changes = vec![
        ValueChange {
            attribute: "member".into(),
            op: ValueOp::Add,
            values: vec![Value::reference("cn=A"), Value::reference("CN=c")],
        },
        ValueChange {
            attribute: "member".into(),
            op: ValueOp::Remove,
            values: vec![Value::reference("cn=B")],
        },
    ];
    let r = apply(
        &mut space,
        ImportBatch {
            entries: vec![modify],
            ..ImportBatch::default()
        },
        false,
    );
    assert_eq!(r.updates, 1);
    assert_eq!(members(&space), ["CN=a", "CN=c"]);
    let mut clear = entry(Change::Modify, "CN=g", AttrMap::default());
    clear.value_changes = vec![ValueChange {
        attribute: "member".into(),
        op: ValueOp::Remove,
        values: Vec::new(),
    }];
    apply(
        &mut space,
        ImportBatch {
            entries: vec![clear],
            ..ImportBatch::default()
        },
        false,
    );
    assert!(members(&space).is_empty());
}

#[test]
fn an_attribute_over_the_value_limit_is_that_objects_error() {
    let mut space = ConnectorSpace::default();
    let many = Value::multi((0..5).map(|i| Value::from(format!("v{i}"))).collect());
    let r = apply_with_progress(
        &mut space,
        ImportBatch {
            entries: vec![
                entry(
                    Change::Present,
                    "CN=big",
                    syncrules_lang::name::attrs([("member".to_owned(), many)]),
                ),
                entry(
                    Change::Present,
                    "CN=ok",
                    syncrules_lang::name::attrs([("cn".to_owned(), Value::from("ok"))]),
                ),
            ],
            ..ImportBatch::default()
        },
        true,
        4,
        &mut |_| {},
    );
    assert_eq!(space.objects.len(), 1, "the other object is imported");
    assert_eq!(r.errors.len(), 1);
    assert!(
        r.errors[0]
            .message
            .contains("`member` holds 5 values, over the limit of 4"),
        "{:?}",
        r.errors
    );
}

#[test]
fn attribute_names_and_string_values_match_without_regard_to_case() {
    let mut space = ConnectorSpace::default();
    let start = syncrules_lang::name::attrs([
        ("title".to_owned(), Value::from("Engineer")),
        (
            "proxyAddresses".to_owned(),
            Value::multi(vec!["SMTP:a@x".into(), "smtp:b@x".into()]),
        ),
    ]);
    apply(
        &mut space,
        ImportBatch {
            entries: vec![entry(Change::Present, "CN=u", start)],
            ..ImportBatch::default()
        },
        true,
    );
    let mut m = entry(
        Change::Modify,
        "CN=u",
        syncrules_lang::name::attrs([("Title".to_owned(), Value::from("Lead"))]),
    );
    m.value_changes = vec![ValueChange {
        attribute: "PROXYADDRESSES".into(),
        op: ValueOp::Remove,
        values: vec![Value::from("SMTP:B@X")],
    }];
    apply(
        &mut space,
        ImportBatch {
            entries: vec![m],
            ..ImportBatch::default()
        },
        false,
    );
    let o = space.objects.values().next().map(|o| o.attributes.clone());
    let attrs = o.unwrap_or_default();
    assert_eq!(attrs.len(), 2, "{attrs:?}");
    assert_eq!(attrs.get("title"), Some(&Value::from("Lead")));
    assert_eq!(attrs.get("proxyAddresses"), Some(&Value::from("SMTP:a@x")));
}

#[test]
fn a_delta_modify_of_an_unknown_object_is_that_records_error() {
    let mut space = ConnectorSpace::default();
    let mut m = entry(
        Change::Modify,
        "CN=Nobody",
        syncrules_lang::name::attrs([("title".to_owned(), Value::from("x"))]),
    );
    m.object_type = String::new();
    let r = apply(
        &mut space,
        ImportBatch {
            entries: vec![m],
            ..ImportBatch::default()
        },
        false,
    );
    assert!(space.objects.is_empty());
    assert_eq!(r.errors.len(), 1);
    assert!(r.errors[0].message.contains("no such object to modify"));
}

#[test]
fn secrets_are_never_kept() {
    let mut space = ConnectorSpace::default();
    let mut e = entry(
        Change::Present,
        "CN=u",
        syncrules_lang::name::attrs([
            ("cn".to_owned(), Value::from("u")),
            ("userPassword".to_owned(), Value::from("hunter2")),
            ("UNICODEPWD".to_owned(), Value::bin(b"x")),
        ]),
    );
    e.value_changes.push(ValueChange {
        attribute: "userpassword".into(),
        op: ValueOp::Add,
        values: vec![Value::from("hunter3")],
    });
    apply(
        &mut space,
        ImportBatch {
            entries: vec![e],
            ..ImportBatch::default()
        },
        true,
    );
    let o = space.objects.values().next().map(|o| o.attributes.clone());
    assert_eq!(
        o.map(|a| a.keys().cloned().collect::<Vec<_>>()),
        Some(vec![Name::new("cn")])
    );
}

#[test]
fn a_delta_delete_of_an_unknown_object_is_that_records_error() {
    let mut space = ConnectorSpace::default();
    let r = apply(
        &mut space,
        ImportBatch {
            entries: vec![entry(Change::Delete, "CN=Nobody", AttrMap::default())],
            errors: vec![ImportError {
                dn: None,
                message: "f.ldif:3: torn".into(),
            }],
            ..ImportBatch::default()
        },
        false,
    );
    assert_eq!(r.errors.len(), 2);
    assert_eq!(r.errors[1].dn.as_deref(), Some("CN=Nobody"));
    assert!(
        r.errors[1].message.contains("no such object"),
        "{:?}",
        r.errors
    );
    assert!(space.objects.is_empty());
}

#[test]
fn a_delete_by_anchor_alone_deletes_the_held_object_and_ignores_others() {
    let mut space = ConnectorSpace::default();
    let mut held = entry(Change::Present, "CN=g", AttrMap::default());
    held.anchor = Some("a1".into());
    apply(
        &mut space,
        ImportBatch {
            entries: vec![held],
            ..ImportBatch::default()
        },
        true,
    );
    let by_anchor = |a: &str| {
        let mut e = entry(Change::Delete, "", AttrMap::default());
        e.anchor = Some(a.to_owned());
        e
    };
    let r = apply(
        &mut space,
        ImportBatch {
            entries: vec![by_anchor("a1"), by_anchor("never-held")],
            ..ImportBatch::default()
        },
        false,
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.deletes, 1);
    assert!(
        space
            .objects
            .values()
            .all(|o| o.pending_import == Some(PendingImport::Delete))
    );
}
