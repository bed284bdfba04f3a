use std::path::Path;

use super::*;

fn records(text: &str) -> Vec<LdifRecord> {
    parse(text, Path::new("t.ldif")).unwrap()
}

/// The error's line and message, checking its display.
fn error(text: &str) -> (usize, String) {
    let err = parse(text, Path::new("t.ldif")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("t.ldif:{}: {}", err.line, err.message)
    );
    assert!(!err.message.ends_with('.'), "{}", err.message);
    (err.line, err.message)
}

fn text(name: &str, value: &str, line: usize) -> Attr {
    Attr {
        name: name.to_owned(),
        value: LdifValue::Text(value.to_owned()),
        line,
    }
}

#[test]
fn content_records_with_version_comments_and_folding() {
    let ldif = "version: 1\n\
                # exported by ldifde\n\
                dn: CN=Jane Doe,OU=Users,\n DC=contoso,DC=com\n\
                objectClass: top\n\
                description: a long\n  folded value\n\
                \n\
                \n\
                dn: CN=x,DC=y\r\n\
                cn:   x\r\n\
                empty:\n";
    let got = records(ldif);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].dn, "CN=Jane Doe,OU=Users,DC=contoso,DC=com");
    assert_eq!(got[0].line, 3);
    assert_eq!(
        got[0].kind,
        RecordKind::Content(vec![
            text("objectClass", "top", 5),
            text("description", "a long folded value", 6),
        ])
    );
    assert_eq!(got[1].line, 10);
    assert_eq!(
        got[1].kind,
        RecordKind::Content(vec![text("cn", "x", 11), text("empty", "", 12)])
    );
}

#[test]
fn version_may_directly_precede_the_first_record() {
    let got = records("version: 1\ndn: CN=a\ncn: a\n");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].line, 2);
}

#[test]
fn base64_values_and_dns() {
    let ldif = "dn:: Q049U8OjbyBQYXVsbyxEQz14\n\
                objectGUID:: AAEC/w==\n\
                cn::\n  U8OjbyBQ\n YXVsbw==\n";
    let got = records(ldif);
    assert_eq!(got[0].dn, "CN=São Paulo,DC=x");
    let RecordKind::Content(attrs) = &got[0].kind else {
        panic!("content expected")
    };
    assert_eq!(attrs[0].value, LdifValue::Binary(vec![0, 1, 2, 255]));
    assert_eq!(attrs[1].value.as_text(), Some("São Paulo"));
}

#[test]
fn change_records() {
    let ldif = "dn: CN=a,DC=x\nchangetype: add\nobjectClass: user\n\n\
                dn: CN=b,DC=x\ncontrol: 1.2.840.113556.1.4.805 true\nchangetype: delete\n\n\
                dn: CN=c,DC=x\nchangetype: modify\nadd: mail\nmail: c@x\n-\n\
                replace: title\n-\ndelete: member\nmember: CN=a,DC=x\nmember: CN=b,DC=x\n-\n\n\
                dn: CN=d,DC=x\nchangetype: modrdn\nnewrdn: CN=e\ndeleteoldrdn: 1\n\
                newsuperior: OU=y,DC=x\n\n\
                dn: CN=f,DC=x\nchangetype: moddn\nnewrdn: CN=g\ndeleteoldrdn: 0\n\n\
                dn: CN=h,DC=x\nchangetype: modify\nreplace: description\ndescription: no dash\n";
    let got = records(ldif);
    let kinds: Vec<_> = got.iter().map(|r| r.kind.name()).collect();
    assert_eq!(
        kinds,
        ["add", "delete", "modify", "modrdn", "modrdn", "modify"]
    );
    let RecordKind::Modify(mods) = &got[2].kind else {
        panic!("modify expected")
    };
    assert_eq!(
        mods.iter()
            .map(|m| (m.op, m.attribute.as_str(), m.values.len(), m.line))
            .collect::<Vec<_>>(),
        [
            (ModOp::Add, "mail", 1, 11),
            (ModOp::Replace, "title", 0, 14),
            (ModOp::Delete, "member", 2, 16)
        ]
    );
    assert_eq!(
        got[3].kind,
        RecordKind::ModDn {
            new_rdn: "CN=e".to_owned(),
            delete_old_rdn: true,
            new_superior: Some("OU=y,DC=x".to_owned())
        }
    );
    assert_eq!(
        got[4].kind,
        RecordKind::ModDn {
            new_rdn: "CN=g".to_owned(),
            delete_old_rdn: false,
            new_superior: None
        }
    );
    let RecordKind::Modify(mods) = &got[5].kind else {
        panic!("modify expected")
    };
    assert_eq!(mods[0].values[0].value.as_text(), Some("no dash"));
}

#[test]
fn errors_name_their_line() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "version: 2\n",
            1,
            "unsupported ldif version `2`: only 1 is known",
        ),
        ("cn: x\n", 1, "a record must start with `dn:`, found `cn:`"),
        ("dn: CN=a\n", 1, "the record `CN=a` has no attributes"),
        (
            "dn: CN=a\ncn x\n",
            2,
            "expected `attribute: value`, found `cn x`",
        ),
        ("dn: CN=a\nc n: x\n", 2, "invalid attribute name `c n`"),
        ("dn: CN=a\n: x\n", 2, "invalid attribute name ``"),
        (
            "\n dn: CN=a\n",
            2,
            "a continuation line (starting with a space) must follow another line",
        ),
        (
            "dn: CN=a\ncn:: !!!\n",
            2,
            "invalid base64 in the value of `cn`",
        ),
        (
            "dn:: /w==\ncn: x\n",
            1,
            "the value of `dn` is not valid utf-8",
        ),
        (
            "dn: CN=a\njpegPhoto:< file:///tmp/a.jpg\n",
            2,
            "`jpegPhoto:<` url values are not supported: put the value in the file",
        ),
        (
            "dn: CN=a\ncn: a\ndn: CN=b\n",
            3,
            "a `dn:` line inside a record: separate records by a blank line",
        ),
        (
            "dn: CN=a\ncn: a\nchangetype: add\n",
            3,
            "`changetype:` must directly follow the `dn:` line (and any `control:` lines)",
        ),
        (
            "dn: CN=a\ncontrol: 1.2.3\ncn: a\n",
            3,
            "`control:` lines must be followed by `changetype:`",
        ),
        (
            "dn: CN=a\nchangetype: rename\n",
            2,
            "unknown changetype `rename`: expected add, delete, modify, modrdn or moddn",
        ),
        (
            "dn: CN=a\nchangetype: add\n",
            2,
            "an add record needs at least one attribute",
        ),
        (
            "dn: CN=a\nchangetype: delete\ncn: a\n",
            3,
            "a delete record has no further lines, found `cn: a`",
        ),
        (
            "dn: CN=a\nchangetype: modify\nset: mail\n",
            3,
            "expected `add:`, `delete:` or `replace:`, found `set:`",
        ),
        (
            "dn: CN=a\nchangetype: modify\n-\n",
            3,
            "unexpected `-`: expected `add:`, `delete:` or `replace:`",
        ),
        (
            "dn: CN=a\nchangetype: modify\nreplace: mail\nmail: a\ntitle: b\n-\n",
            5,
            "expected a value of `mail` or `-`, found `title:`",
        ),
        (
            "dn: CN=a\nchangetype: modify\nadd: mail\n-\n",
            3,
            "`add: mail` needs at least one value",
        ),
        (
            "dn: CN=a\nchangetype: modify\nadd:\n",
            3,
            "`add:` needs an attribute name",
        ),
        (
            "dn: CN=a\nchangetype: modrdn\ndeleteoldrdn: 1\n",
            2,
            "a modrdn record needs `newrdn:`",
        ),
        (
            "dn: CN=a\nchangetype: modrdn\nnewrdn: CN=b\n",
            2,
            "a modrdn record needs `deleteoldrdn:`",
        ),
        (
            "dn: CN=a\nchangetype: modrdn\nnewrdn: CN=b\ndeleteoldrdn: yes\n",
            4,
            "`deleteoldrdn:` must be 0 or 1, found `yes`",
        ),
        (
            "dn: CN=a\nchangetype: modrdn\nnewrdn: CN=b\nnewrdn: CN=c\n",
            4,
            "`newrdn:` given twice",
        ),
        (
            "dn: CN=a\nchangetype: modrdn\nnewrdn: CN=b\ncn: b\n",
            4,
            "unexpected `cn:` in a modrdn record: expected `newrdn:`, `deleteoldrdn:` or `newsuperior:`",
        ),
    ];
    for (ldif, line, message) in cases {
        assert_eq!(error(ldif), (*line, (*message).to_owned()), "{ldif:?}");
    }
}

#[test]
fn a_bad_record_anywhere_returns_nothing() {
    let mut ldif = String::new();
    for i in 0..50 {
        ldif.push_str(&format!("dn: CN=u{i},DC=x\ncn: u{i}\n\n"));
    }
    ldif.push_str("dn: CN=bad,DC=x\nuserAccountControl 512\n");
    assert_eq!(error(&ldif).0, 152);
}

#[test]
fn invalid_utf8_is_located() {
    let bytes = b"dn: CN=a\ncn: a\n\ndn: CN=b\ncn: \xff\n";
    let err = parse_bytes(bytes, Path::new("t.ldif")).unwrap_err();
    assert_eq!(err.line, 5);
    assert!(err.message.starts_with("the file is not valid utf-8"));
    let bom = "\u{feff}dn: CN=a\ncn: a\n".as_bytes();
    assert_eq!(parse_bytes(bom, Path::new("t.ldif")).unwrap()[0].dn, "CN=a");
}

#[test]
fn long_values_are_shortened_in_messages() {
    let long = "x".repeat(200);
    let (_, message) = error(&format!("dn: CN=a\n{long}\n"));
    assert!(message.len() < 120, "{message}");
    assert!(message.ends_with("...`"), "{message}");
}
