use std::path::Path;

use super::super::{AttributeTyping, Snapshot, entry_from_record, parse};
use super::*;

fn written(f: impl FnOnce(&mut LdifWriter<Vec<u8>>)) -> String {
    let mut writer = LdifWriter::new(Vec::new());
    f(&mut writer);
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

fn user() -> ImportEntry {
    let mut attributes = syncrules_lang::AttrMap::default();
    let mut put = |k: &str, v: Value| {
        attributes.insert(k.into(), v);
    };
    put(
        "objectClass",
        Value::multi(vec!["top".into(), "person".into(), "user".into()]),
    );
    put("cn", "José Núñez".into());
    put("objectGUID", Value::bin([0x10; 16]));
    put("userAccountControl", Value::Num(512));
    put("isCriticalSystemObject", Value::Bool(false));
    put("manager", Value::reference("CN=Boss,DC=contoso,DC=com"));
    put("description", " leading space".into());
    put("info", "line one\nline two".into());
    put("comment", "ends with a space ".into());
    put("title", ":colon".into());
    put("notes", "x".repeat(200).into());
    ImportEntry {
        value_changes: Vec::new(),
        change: Change::Present,
        dn: Dn::parse("CN=José Núñez,OU=Users,DC=contoso,DC=com").unwrap(),
        old_dn: None,
        anchor: Some("EBAQEBAQEBAQEBAQEBAQEA==".to_owned()),
        object_type: "user".to_owned(),
        attributes,
    }
}

#[test]
fn lines_are_folded_at_76_columns() {
    let text = written(|w| w.write_entry(&user()).unwrap());
    assert!(text.lines().all(|l| l.len() <= 76), "{text}");
    assert!(text.contains("\nnotes: xxxx"));
    assert!(text.contains("\n xxxx"));
}

#[test]
fn unsafe_and_binary_values_are_base64() {
    let text = written(|w| w.write_entry(&user()).unwrap());
    for expected in [
        "dn:: Q049Sm9zw6kgTsO6w7FleixPVT1Vc2VycyxEQz1jb250b3NvLERDPWNvbQ==\n",
        "cn:: Sm9zw6kgTsO6w7Fleg==\n",
        "objectGUID:: EBAQEBAQEBAQEBAQEBAQEA==\n",
        "userAccountControl: 512\n",
        "isCriticalSystemObject: FALSE\n",
        "manager: CN=Boss,DC=contoso,DC=com\n",
        "description:: ",
        "info:: ",
        "comment:: ",
        "title:: ",
    ] {
        assert!(text.contains(expected), "{expected} not in\n{text}");
    }
}

#[test]
fn entries_round_trip_through_text() {
    let entry = user();
    let text = written(|w| {
        w.write_version().unwrap();
        w.write_comment("generated\nfor a test").unwrap();
        w.write_entry(&entry).unwrap();
    });
    assert!(text.starts_with("version: 1\n# generated\n# for a test\n\ndn:: "));
    let records = parse(&text, Path::new("x.ldif")).unwrap();
    let back = entry_from_record(&records[0], &AttributeTyping::default()).unwrap();
    assert_eq!(back, entry);
}

#[test]
fn delta_entries_become_change_records_that_replay_to_the_same_entries() {
    let base = user();
    let mut snapshot = Snapshot::new(AttributeTyping::default());
    for record in records_from_entry(&base) {
        snapshot.apply(&record).unwrap();
    }
    let mut rename = ImportEntry {
        value_changes: Vec::new(),
        change: Change::Modify,
        dn: Dn::parse("CN=Jose Nunez,OU=Leavers,DC=contoso,DC=com").unwrap(),
        old_dn: Some(base.dn.clone()),
        anchor: base.anchor.clone(),
        object_type: "user".to_owned(),
        attributes: syncrules_lang::AttrMap::default(),
    };
    rename.attributes.insert("cn".into(), "Jose Nunez".into());
    rename.attributes.insert("title".into(), Value::Null);
    rename
        .attributes
        .insert("userAccountControl".into(), Value::Num(514));
    let records = records_from_entry(&rename);
    assert_eq!(
        records.iter().map(|r| r.kind.name()).collect::<Vec<_>>(),
        ["modrdn", "modify"]
    );
    let text = written(|w| {
        for r in &records {
            w.write_record(r).unwrap();
        }
    });
    assert!(
        text.contains("newsuperior: OU=Leavers,DC=contoso,DC=com\n"),
        "{text}"
    );
    assert!(text.contains("replace: title\n-\n"), "{text}");
    let mut replayed = Vec::new();
    for record in parse(&text, Path::new("d.ldif")).unwrap() {
        replayed.push(snapshot.apply(&record).unwrap());
    }
    let merged = crate::coalesce(replayed);
    assert_eq!(merged.len(), 1);
    assert_eq!(merged[0].dn, rename.dn);
    assert_eq!(merged[0].old_dn, rename.old_dn);
    for (name, value) in &rename.attributes {
        assert_eq!(&merged[0].attributes[name], value, "{name}");
    }
    let delete = ImportEntry {
        change: Change::Delete,
        ..rename.clone()
    };
    assert_eq!(records_from_entry(&delete)[0].kind, RecordKind::Delete);
}

#[test]
fn entries_without_object_class_get_their_type() {
    let entry = ImportEntry {
        value_changes: Vec::new(),
        change: Change::Add,
        dn: Dn::parse("CN=a,DC=x").unwrap(),
        old_dn: None,
        anchor: None,
        object_type: "contact".to_owned(),
        attributes: syncrules_lang::name::attrs([("mail".to_owned(), Value::from("a@x"))]),
    };
    let text = written(|w| w.write_entry(&entry).unwrap());
    assert_eq!(
        text,
        "dn: CN=a,DC=x\nchangetype: add\nobjectClass: contact\nmail: a@x\n"
    );
}

#[test]
fn values_convert_to_ldif_text() {
    let dt = syncrules_lang::json::from_typed(
        &serde_json::json!({"type": "datetime", "value": "2012-01-01T23:00:00Z"}),
    )
    .unwrap();
    assert_eq!(
        value_to_ldif(&dt),
        [LdifValue::Text("20120101230000.0Z".to_owned())]
    );
    assert!(value_to_ldif(&Value::Null).is_empty());
    assert_eq!(
        value_to_ldif(&Value::multi(vec![1.into(), true.into()])).len(),
        2
    );
}
