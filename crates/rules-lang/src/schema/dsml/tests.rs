//! Reader tests: both DSML forms, connectors, and the errors' positions and messages.

use crate::schema::{ConnectorDef, ConnectorKind, Position, Schema, SchemaError};
use crate::types::{Scalar, Ty};

/// The Active Directory connector's form: DSML as the default namespace, short ids,
/// `superior` and `m:dit-content-rule`.
const AD_STYLE: &str = r##"<ma-data><id>{AE4DB4CC-0000}</id><name>contoso.com</name>
<category>AD</category><schema><dsml xmlns="http://www.dsml.org/DSML" xmlns:m="http://www.microsoft.com/MMS/DSML"><directory-schema>
<attribute-type id="A0" m:range-upper="256"><name>member</name><syntax>1.3.6.1.4.1.1466.115.121.1.12</syntax></attribute-type>
<attribute-type id="A1" single-value="true"><name>objectGUID</name><syntax>1.3.6.1.4.1.1466.115.121.1.40</syntax></attribute-type>
<attribute-type id="A2" single-value="true"><name>cn</name><syntax>1.3.6.1.4.1.1466.115.121.1.15</syntax></attribute-type>
<class id="C0" type="abstract"><name>top</name><attribute ref="#A1" required="true" /></class>
<class id="C1" superior="#C0" type="structural"><name>group</name><attribute ref="#A0" required="false" /><attribute ref="#A2" required="false" /></class>
<class id="C2" superior="#C0" type="auxiliary"><name>mailRecipient</name></class>
<attribute-type id="A3"><name>proxyAddresses</name><syntax>1.3.6.1.4.1.1466.115.121.1.15</syntax></attribute-type>
<m:dit-content-rule id="C1"><attribute ref="#A3" required="false" /><m:aux-class ref="#C2" /></m:dit-content-rule>
</directory-schema></dsml></schema>
<ma-partition-data><partition><id>{P1}</id><name>DC=contoso,DC=com</name><selected>1</selected>
<filter><object-classes><object-class>user</object-class><object-class>group</object-class></object-classes>
<containers><exclusions><exclusion>DC=contoso,DC=com</exclusion></exclusions>
<inclusions><inclusion>OU=CORP,DC=contoso,DC=com</inclusion><inclusion /></inclusions></containers></filter>
<custom-data><adma-partition-data><name>contoso.com</name></adma-partition-data></custom-data></partition></ma-partition-data>
<attribute-inclusion><attribute>cn</attribute><attribute>member</attribute></attribute-inclusion>
</ma-data>"##;

#[test]
fn reads_the_default_namespace_form_with_ids() {
    let schema = Schema::from_dsml(AD_STYLE).unwrap();
    assert_eq!(schema.attribute_type("member"), Ty::MVREF);
    assert_eq!(schema.attribute_type("objectGUID"), Ty::BIN);
    assert_eq!(schema.attribute_type("A2"), Ty::Var, "ids are not names");
    let group = schema.class("group").unwrap();
    assert_eq!(group.attributes, ["member", "cn"]);
    assert_eq!(group.superior.as_deref(), Some("top"));
    assert_eq!(group.auxiliary, ["mailRecipient"]);
    assert_eq!(group.auxiliary_attributes, ["proxyAddresses"]);
    let all = schema.class_attributes("group").unwrap();
    assert_eq!(all, ["member", "cn", "proxyAddresses", "objectGUID"]);
}

#[test]
fn reads_a_connector() {
    let c = ConnectorDef::from_xml(AD_STYLE).unwrap();
    assert_eq!(
        (c.id.as_str(), c.name.as_str()),
        ("{AE4DB4CC-0000}", "contoso.com")
    );
    assert_eq!(c.kind, ConnectorKind::ActiveDirectory);
    assert!(c.has_id("{ae4db4cc-0000}") && c.has_id("AE4DB4CC-0000") && !c.has_id("{x}"));
    assert_eq!(c.attribute_inclusion, ["cn", "member"]);
    let [p] = c.partitions.as_slice() else {
        panic!("one partition expected: {:?}", c.partitions)
    };
    assert_eq!(
        (p.id.as_str(), p.name.as_str(), p.selected),
        ("{P1}", "DC=contoso,DC=com", true)
    );
    assert_eq!(p.object_classes, ["user", "group"]);
    assert_eq!(p.included_ous, ["OU=CORP,DC=contoso,DC=com"]);
    assert_eq!(p.excluded_ous, ["DC=contoso,DC=com"]);
}

#[test]
fn classifies_connectors() {
    use ConnectorKind::{ActiveDirectory, EntraId, Other};
    let aad = "Windows Azure Active Directory (Microsoft)";
    assert_eq!(ConnectorKind::classify("AD", "", ""), ActiveDirectory);
    assert_eq!(ConnectorKind::classify("Extensible2", aad, aad), EntraId);
    assert_eq!(ConnectorKind::classify("AAD", "", ""), EntraId);
    assert_eq!(
        ConnectorKind::classify("Extensible2", "", "Microsoft Entra ID"),
        EntraId
    );
    assert_eq!(
        ConnectorKind::classify("Extensible2", "Generic LDAP", ""),
        Other("Generic LDAP".into())
    );
    assert_eq!(ConnectorKind::classify("SQL", "", ""), Other("SQL".into()));
}

fn xml_error(xml: &str) -> (Position, String) {
    match Schema::from_dsml(xml) {
        Err(SchemaError::Xml {
            position,
            message,
            path: None,
        }) => (position, message),
        other => panic!("expected an xml error, got {other:?}"),
    }
}

fn invalid(xml: &str) -> (Option<Position>, String) {
    match Schema::from_dsml(xml) {
        Err(SchemaError::Invalid {
            position,
            message,
            path: None,
        }) => (position, message),
        other => panic!("expected an invalid-schema error, got {other:?}"),
    }
}

#[test]
fn malformed_xml_reports_a_position() {
    let (pos, message) = xml_error("<directory-schema>\n  <class id=\"a\">\n</directory-schema>");
    assert_eq!(pos.line, 3, "{message}");
    assert!(message.contains("class"), "{message}");

    let cases = [
        (
            "<directory-schema>\n  <attribute-type id=\"a\" single-value=true>",
            (2, 39),
            "attribute values must be quoted",
        ),
        (
            "<directory-schema><name>a &bogus; b  </name></directory-schema>",
            (1, 27),
            "unrecognized entity `&bogus;`",
        ),
        (
            "<directory-schema>\n <attribute-type id=\"a&b\"/></directory-schema>",
            (2, 2),
            "`&` without a closing `;`",
        ),
        (
            "<directory-schema><class id='a' id='b'/>",
            (1, 33),
            "duplicated attribute",
        ),
        (
            "<directory-schema>\n<class>",
            (2, 8),
            "unexpected end of input: 2 element(s) not closed",
        ),
    ];
    for (xml, (line, column), expected) in cases {
        let (pos, message) = xml_error(xml);
        assert_eq!(
            (pos, message.as_str()),
            (Position { line, column }, expected),
            "{xml}"
        );
    }

    let err = Schema::from_dsml("<a><b></a>").unwrap_err().to_string();
    assert!(
        err.starts_with("1:") && err.contains("malformed xml"),
        "{err}"
    );
}

#[test]
fn invalid_schemas_report_the_element() {
    let (pos, message) = invalid("<x/>");
    assert_eq!(
        (pos, message.as_str()),
        (None, "no dsml:directory-schema element found")
    );

    let xml = "<directory-schema>\n<class id=\"c\"><name>person</name>\n  <attribute ref=\"#nope\"/></class></directory-schema>";
    let (pos, message) = invalid(xml);
    assert_eq!(pos, Some(Position { line: 3, column: 3 }));
    assert_eq!(
        message,
        "class `person` refers to unknown attribute type `#nope`"
    );

    let xml = "<directory-schema><class id=\"c\" superior=\"#d\"><name>p</name></class></directory-schema>";
    assert_eq!(invalid(xml).1, "class `p` refers to unknown class `#d`");

    let xml = "<directory-schema>\n <attribute-type id=\"a\"><syntax>1</syntax></attribute-type></directory-schema>";
    let (pos, message) = invalid(xml);
    assert_eq!(pos, Some(Position { line: 2, column: 2 }));
    assert_eq!(message, "attribute type `a` has no name");

    let xml = "<directory-schema><attribute-type id=\"a\" single-value=\"yes\"><name>a</name></attribute-type></directory-schema>";
    assert_eq!(invalid(xml).1, "`yes` is not a boolean (true or false)");

    let xml =
        "<directory-schema><attribute-type><syntax>1</syntax></attribute-type></directory-schema>";
    assert_eq!(invalid(xml).1, "attribute type has no name");

    let xml = "<directory-schema><class id=\"c\"><name>p</name>\n<attribute required=\"true\"/></class></directory-schema>";
    let (pos, message) = invalid(xml);
    assert_eq!(
        (pos, message.as_str()),
        (
            Some(Position { line: 2, column: 1 }),
            "`attribute` without `ref`"
        )
    );

    let xml = "<directory-schema><m:dit-content-rule id=\"x\" xmlns:m=\"urn:m\"><m:aux-class ref=\"#y\"/></m:dit-content-rule></directory-schema>";
    assert_eq!(invalid(xml).1, "content rule `x` names no class");

    let xml = "<directory-schema><class id=\"x\"><name>p</name></class><dit-content-rule id=\"x\"><aux-class/></dit-content-rule></directory-schema>";
    assert_eq!(invalid(xml).1, "`aux-class` without `ref`");

    let xml = "<directory-schema><class id=\"x\"><name>p</name></class><dit-content-rule id=\"x\"><aux-class ref=\"#q\"/></dit-content-rule></directory-schema>";
    assert_eq!(invalid(xml).1, "class `p` refers to unknown class `#q`");

    // An attribute type without an id is still read; it just cannot be referred to.
    let xml = "<directory-schema><attribute-type single-value=\"true\"><name>n</name></attribute-type></directory-schema>";
    assert_eq!(Schema::from_dsml(xml).unwrap().attribute_type("n"), Ty::STR);
}

#[test]
fn connector_errors() {
    let err = ConnectorDef::from_xml("<directory-schema/>")
        .unwrap_err()
        .to_string();
    assert_eq!(err, "not a connector: the root element is not `ma-data`");
    let err = ConnectorDef::from_xml("<ma-data><id>{x}</id><name>n</name></ma-data>").unwrap_err();
    assert_eq!(
        err.to_string(),
        "connector `n` has no dsml:directory-schema"
    );
    let err = ConnectorDef::from_xml("<ma-data><name>n</name><directory-schema/></ma-data>");
    assert_eq!(err.unwrap_err().to_string(), "the connector has no `id`");
}

#[test]
fn entities_and_cdata_are_decoded() {
    let xml = "<directory-schema><attribute-type id=\"a&amp;b\"><name>a&amp;b</name><syntax><![CDATA[1.3.6.1.4.1.1466.115.121.1.27]]></syntax></attribute-type>\
               <class id=\"k\"><name>k</name><attribute ref=\"#a&amp;b\"/></class></directory-schema>";
    let schema = Schema::from_dsml(xml).unwrap();
    assert_eq!(schema.attribute_type("a&b"), Ty::Many(Scalar::Num));
    assert_eq!(schema.class("k").unwrap().attributes, ["a&b"]);
}
