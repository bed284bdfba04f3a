//! Tests of the schema types and lookups, the syntax table, errors and file decoding.

use std::path::PathBuf;

use super::*;

const LDAP: &str = "1.3.6.1.4.1.1466.115.121.1.";
const AD: &str = "1.2.840.113556.1.4.";

#[test]
fn syntax_oids_map_to_scalars() {
    let table: &[(&str, &str, Scalar)] = &[
        (LDAP, "15", Scalar::Str),
        (LDAP, "26", Scalar::Str),
        (LDAP, "44", Scalar::Str),
        (LDAP, "36", Scalar::Str),
        (LDAP, "38", Scalar::Str),
        (LDAP, "11", Scalar::Str),
        (LDAP, "50", Scalar::Str),
        (LDAP, "22", Scalar::Str),
        (LDAP, "43", Scalar::Str),
        (LDAP, "2", Scalar::Str),
        (LDAP, "34", Scalar::Str),
        (AD, "905", Scalar::Str),
        (AD, "1362", Scalar::Str),
        (AD, "903", Scalar::Str),
        (AD, "904", Scalar::Str),
        (LDAP, "12", Scalar::Ref),
        (AD, "1221", Scalar::Ref),
        (LDAP, "27", Scalar::Num),
        (AD, "906", Scalar::Num),
        (LDAP, "7", Scalar::Bool),
        (LDAP, "40", Scalar::Bin),
        (LDAP, "5", Scalar::Bin),
        (LDAP, "4", Scalar::Bin),
        (LDAP, "8", Scalar::Bin),
        (LDAP, "9", Scalar::Bin),
        (LDAP, "10", Scalar::Bin),
        (LDAP, "28", Scalar::Bin),
        (AD, "907", Scalar::Bin),
        (LDAP, "24", Scalar::Dt),
        (LDAP, "53", Scalar::Dt),
    ];
    for (prefix, n, scalar) in table {
        let oid = format!("{prefix}{n}");
        assert_eq!(scalar_for_syntax(&oid), Some(*scalar), "{oid}");
    }
    assert_eq!(
        scalar_for_syntax(" 1.3.6.1.4.1.1466.115.121.1.7 "),
        Some(Scalar::Bool)
    );
    for unknown in [
        "1.3.6.1.4.1.1466.115.121.1.99",
        "1.2.840.113556.1.4.1",
        "2.5.5.12",
        "",
    ] {
        assert_eq!(scalar_for_syntax(unknown), None, "{unknown}");
    }
}

#[test]
fn unknown_syntax_reads_as_str_and_keeps_the_oid() {
    let xml = r#"<dsml:directory-schema xmlns:dsml="http://www.dsml.org/DSML">
        <dsml:attribute-type id="x" single-value="true"><dsml:name>x</dsml:name>
        <dsml:syntax>1.2.3.4</dsml:syntax></dsml:attribute-type>
        <dsml:attribute-type id="y"><dsml:name>y</dsml:name></dsml:attribute-type>
        </dsml:directory-schema>"#;
    let schema = Schema::from_dsml(xml).unwrap();
    let x = schema.attribute("x").unwrap();
    assert_eq!(
        (x.scalar, x.multi, x.syntax.as_deref()),
        (Scalar::Str, false, Some("1.2.3.4"))
    );
    let y = schema.attribute("y").unwrap();
    assert_eq!(
        (y.scalar, y.multi, y.syntax.as_deref()),
        (Scalar::Str, true, None)
    );
}

#[test]
fn unknown_attributes_are_var() {
    assert_eq!(Schema::new().attribute_type("anything"), Ty::Var);
    let mut schema = Schema::new();
    schema.add_attribute(AttributeDef::new("mail", Scalar::Str, false));
    schema.add_attribute(AttributeDef::new("member", Scalar::Ref, true));
    assert_eq!(schema.attribute_type("mail"), Ty::STR);
    assert_eq!(schema.attribute_type("member"), Ty::MVREF);
    assert_eq!(
        schema.attribute_type("Mail"),
        Ty::Var,
        "names are case-sensitive"
    );
    assert_eq!(schema.attribute_type("nope"), Ty::Var);
}

#[test]
fn lookups_ignoring_case_and_suggestions() {
    let mut schema = Schema::new();
    for name in [
        "accountEnabled",
        "proxyAddresses",
        "mail",
        "mailNickname",
        "cn",
    ] {
        schema.add_attribute(AttributeDef::new(name, Scalar::Str, false));
    }
    assert!(schema.attribute("accountenabled").is_none());
    let found = schema.attribute_ignore_case("accountenabled").unwrap();
    assert_eq!(found.name, "accountEnabled");
    assert_eq!(
        schema.attribute_names_like("ACCOUNTENABLED"),
        Some("accountEnabled")
    );
    assert_eq!(
        schema.attribute_names_like("acountEnabled"),
        Some("accountEnabled")
    );
    assert_eq!(
        schema.attribute_names_like("proxyAdresses"),
        Some("proxyAddresses")
    );
    assert_eq!(schema.attribute_names_like("mial"), Some("mail"));
    assert_eq!(
        schema.attribute_names_like("mailNickName"),
        Some("mailNickname")
    );
    assert_eq!(schema.attribute_names_like("department"), None);
    assert_eq!(schema.attribute_names_like("xy"), None);
    assert_eq!(Schema::new().attribute_names_like("mail"), None);
}

#[test]
fn edit_distances() {
    assert_eq!(edit_distance("", ""), 0);
    assert_eq!(edit_distance("abc", ""), 3);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("kitten", "sitting"), 3);
    assert_eq!(edit_distance("Mail", "mail"), 0);
    assert_eq!(edit_distance("mial", "mail"), 1);
    assert_eq!(edit_distance("ca", "abc"), 3);
    assert_eq!(edit_distance("abcdef", "abdcef"), 1);
}

#[test]
fn merge_keeps_own_definitions_and_unites_classes() {
    let mut a = Schema::new();
    a.add_attribute(AttributeDef::new("x", Scalar::Str, false));
    a.add_class(ObjectClassDef::new("person", vec!["x".to_owned()]));
    let mut b = Schema::new();
    b.add_attribute(AttributeDef::new("x", Scalar::Num, true));
    b.add_attribute(AttributeDef::new("y", Scalar::Bool, false));
    b.add_class(ObjectClassDef::new(
        "person",
        vec!["y".to_owned(), "x".to_owned()],
    ));
    b.add_class(ObjectClassDef::new("group", vec![]));
    b.set_indexable("y");
    a.merge(&b);
    assert_eq!(a.attribute_type("x"), Ty::STR);
    assert_eq!(a.attribute_type("y"), Ty::BOOL);
    assert!(a.is_indexable("y") && !a.is_indexable("x"));
    assert_eq!(a.class("person").unwrap().attributes, ["x", "y"]);
    let names: Vec<&str> = a.classes().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["person", "group"]);
}

#[test]
fn class_attributes_follow_superiors_and_auxiliaries() {
    let mut schema = Schema::new();
    let mut top = ObjectClassDef::new("top", vec!["objectClass".to_owned()]);
    top.superior = Some("top".to_owned());
    schema.add_class(top);
    let mut person = ObjectClassDef::new("person", vec!["sn".to_owned(), "cn".to_owned()]);
    person.superior = Some("top".to_owned());
    schema.add_class(person);
    schema.add_class(ObjectClassDef::new(
        "mailRecipient",
        vec!["mail".to_owned()],
    ));
    let mut user = ObjectClassDef::new("user", vec!["cn".to_owned(), "upn".to_owned()]);
    user.superior = Some("person".to_owned());
    user.auxiliary = vec!["mailRecipient".to_owned(), "missing".to_owned()];
    user.auxiliary_attributes = vec!["mail".to_owned(), "sam".to_owned()];
    schema.add_class(user);
    let all = schema.class_attributes("user").unwrap();
    assert_eq!(all, ["cn", "upn", "mail", "sam", "sn", "objectClass"]);
    assert!(schema.class_attributes("nope").is_none());
}

#[test]
fn positions_count_lines_and_characters() {
    let text = "ab\ncé\nxyz";
    for (offset, line, column) in [(0, 1, 1), (3, 2, 1), (6, 2, 3), (7, 3, 1), (99, 3, 4)] {
        let expected = Position { line, column };
        assert_eq!(Position::of_offset(text, offset), expected, "{offset}");
    }
}

#[test]
fn error_messages_are_lowercase_with_location() {
    let err = SchemaError::Invalid {
        path: Some(PathBuf::from("MV.xml")),
        position: Some(Position { line: 3, column: 7 }),
        message: "class `person` has no name".to_owned(),
    };
    assert_eq!(err.to_string(), "MV.xml:3:7: class `person` has no name");
    let err = SchemaError::Xml {
        path: None,
        position: Position { line: 1, column: 2 },
        message: "boom".to_owned(),
    };
    assert_eq!(err.to_string(), "1:2: malformed xml: boom");
}

#[test]
fn files_in_utf8_with_bom_and_utf16_read_alike() {
    let dir = std::env::temp_dir().join(format!("syncrules-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let xml = r#"<directory-schema><attribute-type id="a" single-value="true"><name>é</name><syntax>1.3.6.1.4.1.1466.115.121.1.7</syntax></attribute-type></directory-schema>"#;
    let mut utf8 = b"\xEF\xBB\xBF".to_vec();
    utf8.extend_from_slice(xml.as_bytes());
    let mut le = b"\xFF\xFE".to_vec();
    le.extend(xml.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = b"\xFE\xFF".to_vec();
    be.extend(xml.encode_utf16().flat_map(u16::to_be_bytes));
    for (name, bytes) in [("utf8.xml", utf8), ("le.xml", le), ("be.xml", be)] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let schema = Schema::from_mv_file(&path).unwrap();
        assert_eq!(schema.attribute_type("é"), Ty::BOOL, "{name}");
    }
    let path = dir.join("bad.xml");
    std::fs::write(&path, b"<a>\xFF</a>").unwrap();
    let err = Schema::from_mv_file(&path).unwrap_err().to_string();
    assert!(
        err.ends_with("bad.xml: the file is not valid utf-8"),
        "{err}"
    );
    let missing = dir.join("missing.xml");
    let err = Schema::from_mv_file(&missing).unwrap_err();
    assert!(matches!(err, SchemaError::Io { .. }), "{err}");
    assert!(err.to_string().starts_with("cannot read "), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
