use std::path::Path;

use super::super::parse;
use super::*;

const BASE: &str = "\
dn: CN=Jane Doe,OU=Users,DC=x
objectClass: top
objectClass: user
cn: Jane Doe
objectGUID:: AAAAAAAAAAAAAAAAAAAAAQ==
mail: jane@x
proxyAddresses: SMTP:jane@x
title: Engineer

dn: CN=Staff,OU=Groups,DC=x
objectClass: group
cn: Staff
member: CN=Jane Doe,OU=Users,DC=x
";

fn snapshot() -> Snapshot {
    let mut snapshot = Snapshot::new(AttributeTyping::default());
    for record in parse(BASE, Path::new("base.ldif")).unwrap() {
        assert_eq!(snapshot.apply(&record).unwrap().change, Change::Add);
    }
    snapshot
}

fn apply(snapshot: &mut Snapshot, ldif: &str) -> Result<Vec<ImportEntry>, RecordError> {
    parse(ldif, Path::new("delta.ldif"))
        .unwrap()
        .iter()
        .map(|r| snapshot.apply(r))
        .collect()
}

#[test]
fn modify_lists_the_touched_attributes_with_their_new_values() {
    let mut s = snapshot();
    let out = apply(
        &mut s,
        "dn: cn=jane doe,ou=users,dc=x\nchangetype: modify\n\
         add: proxyAddresses\nproxyAddresses: smtp:jd@x\n-\n\
         delete: title\n-\nreplace: mail\nmail: jane.doe@x\n-\n\
         delete: proxyAddresses\nproxyaddresses: smtp:JANE@x\n-\n",
    )
    .unwrap();
    let entry = &out[0];
    assert_eq!(entry.change, Change::Modify);
    assert_eq!(entry.dn.as_str(), "CN=Jane Doe,OU=Users,DC=x");
    assert_eq!(entry.anchor.as_deref(), Some("AAAAAAAAAAAAAAAAAAAAAQ=="));
    assert_eq!(entry.object_type, "user");
    assert_eq!(
        entry.attributes.iter().collect::<Vec<_>>(),
        [
            (&Name::new("proxyAddresses"), &Value::from("smtp:jd@x")),
            (&Name::new("title"), &Value::Null),
            (&Name::new("mail"), &Value::from("jane.doe@x")),
        ]
    );
    let now = s.get("CN=Jane Doe,OU=Users,DC=x").unwrap();
    assert_eq!(now.change, Change::Present);
    assert!(!now.attributes.contains_key("title"));
}

#[test]
fn delete_gives_the_anchor_and_type() {
    let mut s = snapshot();
    let out = apply(
        &mut s,
        "dn: CN=Jane Doe,OU=Users,DC=x\nchangetype: delete\n",
    )
    .unwrap();
    assert_eq!(out[0].change, Change::Delete);
    assert_eq!(out[0].object_type, "user");
    assert!(out[0].anchor.is_some());
    assert_eq!(s.len(), 1);
}

#[test]
fn modrdn_renames_and_moves() {
    let mut s = snapshot();
    let out = apply(
        &mut s,
        "dn: CN=Jane Doe,OU=Users,DC=x\nchangetype: modrdn\nnewrdn: CN=Jane Roe\n\
         deleteoldrdn: 1\nnewsuperior: OU=Leavers,DC=x\n",
    )
    .unwrap();
    assert_eq!(out[0].dn.as_str(), "CN=Jane Roe,OU=Leavers,DC=x");
    assert_eq!(
        out[0].old_dn.as_ref().map(Dn::as_str),
        Some("CN=Jane Doe,OU=Users,DC=x")
    );
    assert_eq!(out[0].attributes["cn"], Value::from("Jane Roe"));
    assert!(s.get("CN=Jane Doe,OU=Users,DC=x").is_none());
    let out = apply(
        &mut s,
        "dn: CN=Jane Roe,OU=Leavers,DC=x\nchangetype: moddn\nnewrdn: CN=J\ndeleteoldrdn: 0\n",
    )
    .unwrap();
    assert_eq!(out[0].dn.as_str(), "CN=J,OU=Leavers,DC=x");
    assert_eq!(
        out[0].attributes["cn"],
        Value::multi(vec![Value::from("Jane Roe"), Value::from("J")])
    );
}

#[test]
fn changing_object_class_changes_the_type() {
    let mut s = snapshot();
    let out = apply(
        &mut s,
        "dn: CN=Staff,OU=Groups,DC=x\nchangetype: modify\nadd: objectClass\nobjectClass: msExchDynamicDistributionList\n",
    )
    .unwrap();
    assert_eq!(out[0].object_type, "msExchDynamicDistributionList");
    let err = apply(
        &mut s,
        "dn: CN=Staff,OU=Groups,DC=x\nchangetype: modify\ndelete: objectClass\n",
    )
    .unwrap_err();
    assert_eq!(err.line, 1);
    assert!(err.message.contains("without `objectClass`"));
}

#[test]
fn changes_that_do_not_fit_are_errors_and_change_nothing() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "dn: CN=Staff,OU=Groups,DC=x\nobjectClass: group\n",
            1,
            "`CN=Staff,OU=Groups,DC=x` already exists",
        ),
        (
            "dn: CN=Nobody,DC=x\nchangetype: delete\n",
            1,
            "`CN=Nobody,DC=x` does not exist",
        ),
        (
            "dn: CN=Staff,OU=Groups,DC=x\nchangetype: modify\nadd: member\nmember: cn=jane doe,ou=users,dc=x\n",
            4,
            "`member` already has the value `cn=jane doe,ou=users,dc=x`",
        ),
        (
            "dn: CN=Staff,OU=Groups,DC=x\nchangetype: modify\ndelete: member\nmember: CN=Bob,DC=x\n",
            4,
            "`member` has no value `CN=Bob,DC=x`",
        ),
        (
            "dn: CN=Staff,OU=Groups,DC=x\nchangetype: modify\ndelete: mail\n-\n",
            3,
            "`mail` has no values to delete",
        ),
        (
            "dn: CN=Staff,OU=Groups,DC=x\nchangetype: modify\nreplace: groupType\ngroupType: global\n",
            4,
            "`groupType` holds integers, and `global` is not one",
        ),
        (
            "dn: CN=Staff,OU=Groups,DC=x\nchangetype: modrdn\nnewrdn: CN=Jane Doe\ndeleteoldrdn: 1\nnewsuperior: OU=Users,DC=x\n",
            1,
            "cannot rename to `CN=Jane Doe,OU=Users,DC=x`: it already exists",
        ),
    ];
    for (ldif, line, message) in cases {
        let mut s = snapshot();
        let before: Vec<_> = s.entries().cloned().collect();
        let err = apply(&mut s, ldif).unwrap_err();
        assert_eq!(
            (err.line, err.message.as_str()),
            (*line, *message),
            "{ldif}"
        );
        assert_eq!(s.entries().cloned().collect::<Vec<_>>(), before);
    }
}
