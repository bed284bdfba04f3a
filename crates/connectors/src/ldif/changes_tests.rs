use std::path::Path;
use syncrules_lang::dn::Dn;

use syncrules_connector::{Change, ValueChange, ValueOp};
use syncrules_lang::Value;

use super::super::{AttributeTyping, parse};
use super::change_entry;

fn entry(ldif: &str) -> syncrules_connector::ImportEntry {
    let records = parse(ldif, Path::new("d.ldif")).unwrap();
    change_entry(&records[0], &AttributeTyping::default()).unwrap()
}

fn change(attribute: &str, op: ValueOp, values: Vec<Value>) -> ValueChange {
    ValueChange {
        attribute: attribute.into(),
        op,
        values,
    }
}

#[test]
fn replace_sets_values_and_add_delete_are_value_changes() {
    let e = entry(
        "dn: CN=g,DC=x\nchangetype: modify\nadd: member\nmember: CN=a,DC=x\nmember: CN=b,DC=x\n-\n\
         delete: member\nmember: CN=c,DC=x\n-\ndelete: info\n-\nreplace: groupType\ngroupType: 2\n-\n\
         replace: description\n-\n",
    );
    assert_eq!(e.change, Change::Modify);
    assert_eq!((e.anchor.as_deref(), e.object_type.as_str()), (None, ""));
    assert_eq!(e.attributes["groupType"], Value::Num(2));
    assert_eq!(e.attributes["description"], Value::Null);
    assert_eq!(
        e.value_changes,
        [
            change(
                "member",
                ValueOp::Add,
                vec![Value::reference("CN=a,DC=x"), Value::reference("CN=b,DC=x")]
            ),
            change(
                "member",
                ValueOp::Remove,
                vec![Value::reference("CN=c,DC=x")]
            ),
            change("info", ValueOp::Remove, Vec::new()),
        ]
    );
}

#[test]
fn a_replace_drops_the_value_changes_before_it() {
    let e = entry(
        "dn: CN=g,DC=x\nchangetype: modify\nadd: Member\nmember: CN=a,DC=x\n-\n\
         replace: member\nmember: CN=b,DC=x\n-\nadd: member\nmember: CN=c,DC=x\n-\n\
         replace: MEMBER\nmember: CN=d,DC=x\n-\n",
    );
    assert_eq!(
        e.attributes.iter().collect::<Vec<_>>(),
        [(
            &syncrules_lang::Name::new("member"),
            &Value::reference("CN=d,DC=x")
        )]
    );
    assert!(e.value_changes.is_empty(), "{:?}", e.value_changes);
}

#[test]
fn adds_and_deletes_need_no_state() {
    let add = entry(
        "dn: CN=a,DC=x\nchangetype: add\nobjectClass: user\nobjectGUID:: AAAAAAAAAAAAAAAAAAAAAQ==\n",
    );
    assert_eq!(
        (add.change, add.object_type.as_str(), add.anchor.as_deref()),
        (Change::Add, "user", Some("AAAAAAAAAAAAAAAAAAAAAQ=="))
    );
    let content = entry("dn: CN=a,DC=x\nobjectClass: contact\n");
    assert_eq!(content.change, Change::Add);
    let delete = entry("dn: CN=a,DC=x\nchangetype: delete\n");
    assert_eq!(
        (delete.change, delete.dn.as_str()),
        (Change::Delete, "CN=a,DC=x")
    );
    let class = entry(
        "dn: CN=a,DC=x\nchangetype: modify\nreplace: objectClass\nobjectClass: top\nobjectClass: contact\n-\n",
    );
    assert_eq!(class.object_type, "contact");
}

#[test]
fn renames_set_the_new_dn_and_the_naming_value() {
    let moved = entry(
        "dn: CN=Doe\\, Alex,OU=Staff,DC=x\nchangetype: modrdn\nnewrdn: CN=Alex Doe\n\
         deleteoldrdn: 1\nnewsuperior: OU=Leavers,DC=x\n",
    );
    assert_eq!(moved.dn.as_str(), "CN=Alex Doe,OU=Leavers,DC=x");
    assert_eq!(
        moved.old_dn.as_ref().map(Dn::as_str),
        Some("CN=Doe\\, Alex,OU=Staff,DC=x")
    );
    assert_eq!(moved.attributes["cn"], Value::from("Alex Doe"));
    assert!(moved.value_changes.is_empty());

    let kept = entry("dn: CN=a,OU=Staff,DC=x\nchangetype: moddn\nnewrdn: CN=b\ndeleteoldrdn: 0\n");
    assert_eq!(kept.dn.as_str(), "CN=b,OU=Staff,DC=x");
    assert!(kept.attributes.is_empty());
    assert_eq!(
        kept.value_changes,
        [change("cn", ValueOp::Add, vec![Value::from("b")])]
    );

    let other = entry("dn: CN=a,DC=x\nchangetype: modrdn\nnewrdn: uid=b\ndeleteoldrdn: 1\n");
    assert_eq!(
        other.value_changes,
        [
            change("cn", ValueOp::Remove, vec![Value::from("a")]),
            change("uid", ValueOp::Add, vec![Value::from("b")]),
        ]
    );

    let top = entry("dn: DC=x\nchangetype: modrdn\nnewrdn: DC=y\ndeleteoldrdn: 1\n");
    assert_eq!(top.dn.as_str(), "DC=y");
    let multi =
        entry("dn: CN=a+UID=b,DC=x\nchangetype: modrdn\nnewrdn: CN=c+UID=d\ndeleteoldrdn: 1\n");
    assert_eq!(multi.dn.as_str(), "CN=c+UID=d,DC=x");
    assert!(multi.attributes.is_empty() && multi.value_changes.is_empty());
}

#[test]
fn values_that_do_not_fit_are_located() {
    let records = parse(
        "dn: CN=a,DC=x\nchangetype: modify\nadd: userAccountControl\nuserAccountControl: x\n-\n",
        Path::new("d.ldif"),
    )
    .unwrap();
    let err = change_entry(&records[0], &AttributeTyping::default()).unwrap_err();
    assert_eq!(err.line, 4);
    assert!(err.message.contains("holds integers"), "{err}");
}
