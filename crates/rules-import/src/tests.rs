//! Unit tests of the importer on small synthetic exports.

use std::path::{Path, PathBuf};

use super::{ImportError, Imported, import_aadconnect, rule_paths, slug, write_rule_set};
use syncrules_lang::rules::model::{Direction, FlowSource, Rule, ScopeOp};

/// A throwaway export folder holding `files` (relative path, text); removed when dropped.
struct Export(PathBuf);

impl Export {
    fn new(name: &str, files: &[(&str, &str)]) -> Export {
        let dir = std::env::temp_dir().join(format!(
            "syncrules-import-unit-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Export(dir)
    }

    fn import(&self) -> Result<Imported, ImportError> {
        import_aadconnect(&self.0)
    }
}

impl Drop for Export {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A rule file: `body` goes inside `<synchronizationRule>` after the usual head.
fn rule_xml(name: &str, direction: &str, precedence: &str, body: &str) -> String {
    format!(
        "<synchronizationRule>\n  <name>{name}</name>\n  <direction>{direction}</direction>\n  \
         <connector>{{0000AAAA-0000-0000-0000-000000000001}}</connector>\n  \
         <sourceObjectType>person</sourceObjectType>\n  <targetObjectType>user</targetObjectType>\n  \
         <precedence>{precedence}</precedence>\n{body}\n</synchronizationRule>\n"
    )
}

const CONNECTOR: &str = r##"<ma-data><id>{0000AAAA-0000-0000-0000-000000000001}</id><name>fabrikam.com</name>
<category>AD</category><schema><dsml xmlns="http://www.dsml.org/DSML"><directory-schema>
<attribute-type id="A1" single-value="true"><name>cn</name><syntax>1.3.6.1.4.1.1466.115.121.1.15</syntax></attribute-type>
<class id="C1" type="structural"><name>user</name><attribute ref="#A1" required="false" /></class>
</directory-schema></dsml></schema>
<private-configuration><adma-configuration><forest-name>fabrikam.com</forest-name></adma-configuration></private-configuration>
<ma-partition-data><partition><id>{P1}</id><name>DC=corp,DC=fabrikam,DC=com</name><selected>1</selected>
<custom-data><adma-partition-data><name>corp.fabrikam.com</name><is-domain>1</is-domain></adma-partition-data></custom-data></partition>
<partition><id>{P2}</id><name>DC=other,DC=fabrikam,DC=com</name><selected>1</selected></partition>
<partition><id>{P3}</id><name>CN=Configuration,DC=fabrikam,DC=com</name><selected>1</selected></partition></ma-partition-data>
</ma-data>"##;

fn only(imported: &Imported) -> &Rule {
    let [rule] = imported.rules.as_slice() else {
        panic!("one rule expected: {:#?}", imported.rules)
    };
    rule
}

#[test]
fn outbound_rule_with_everything() {
    let body = r#"<description>  Says &lt;hello&gt;  </description>
<immutable-tag>Vendor.Tag.001</immutable-tag><disabled>True</disabled><linkType>StickyJoin</linkType>
<attribute-mappings>
  <mapping execute-once="true"><dest>a</dest><src> spaced &amp; kept </src><valueMergeType>MergeCaseInsensitive</valueMergeType></mapping>
  <mapping><dest>b</dest><src><attr>cn</attr><attr>sn</attr></src><expression>[cn] &amp; ImportedValue("sn")</expression><valueMergeType>Merge</valueMergeType></mapping>
  <mapping><dest>c</dest><src><attr>cn</attr></src></mapping>
</attribute-mappings>
<relationshipCriteria><conditions><condition><csAttribute>objectGUID</csAttribute><ilmAttribute>sourceAnchorBinary</ilmAttribute><caseSensitive>true</caseSensitive></condition></conditions><conditions /></relationshipCriteria>
<synchronizationCriteria><conditions><scope><csAttribute>x</csAttribute><csOperator>ISBITNOTSET</csOperator><csValue>&amp;H2</csValue></scope>
<scope><csAttribute>y</csAttribute><csOperator>ISNULL</csOperator><csValue>junk</csValue></scope></conditions></synchronizationCriteria>"#;
    let export = Export::new(
        "everything",
        &[
            (
                "SynchronizationRules/r1.xml",
                &rule_xml("Out", "Outbound", "7", body),
            ),
            ("Connectors/c.xml", CONNECTOR),
        ],
    );
    let imported = export.import().unwrap();
    let r = only(&imported);
    assert_eq!(r.description.as_deref(), Some("Says <hello>"));
    assert_eq!(r.connector, "fabrikam.com");
    assert_eq!(r.direction, Direction::Outbound);
    assert!(!r.enabled);
    assert_eq!(format!("{:?}", r.link), "StickyJoin");
    let flows: Vec<String> = r
        .flows
        .iter()
        .map(|f| format!("{} {:?} {:?} {}", f.target, f.source, f.merge, f.apply_once))
        .collect();
    assert_eq!(
        flows,
        [
            r#"a Constant(" spaced & kept ") MergeCaseInsensitive true"#,
            r#"b Expression("[cn] & ImportedValue(\"sn\")") Merge false"#,
            r#"c Direct("cn") Update false"#,
        ]
    );
    // Outbound: the metaverse attribute is the source side.
    let c = &r.join[0][0];
    assert_eq!(
        (c.source.as_str(), c.target.as_str(), c.case_sensitive),
        ("sourceAnchorBinary", "objectGUID", true)
    );
    assert_eq!(r.join.len(), 1, "the empty group is dropped");
    let clauses: Vec<(&str, ScopeOp, &str)> = r.scope[0]
        .iter()
        .map(|c| (c.attribute.as_str(), c.operator, c.value.as_str()))
        .collect();
    assert_eq!(
        clauses,
        [
            ("x", ScopeOp::IsNotBitSet, "&H2"),
            ("y", ScopeOp::IsNull, "")
        ]
    );
    let w = imported.warnings.join("\n");
    assert!(w.contains("dropped the value `junk`"), "{w}");
    assert!(w.contains("dropped an empty join group"), "{w}");
    assert!(
        !w.contains("source attribute `sn`"),
        "named as a string: {w}"
    );
    // The AD parameters: none recorded, all derived and said so; two domain partitions.
    let p = &imported.config.connectors["fabrikam.com"].parameters;
    let got: Vec<String> = p.iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert_eq!(
        got,
        [
            "Domain.FQDN=corp.fabrikam.com",
            "Domain.Netbios=CORP",
            "Domain.LDAP=DC=corp,DC=fabrikam,DC=com",
            "Forest.FQDN=fabrikam.com",
            "Forest.Netbios=FABRIKAM",
            "Forest.LDAP=DC=fabrikam,DC=com",
        ]
    );
    assert!(w.contains("has 2 selected domain partitions"), "{w}");
    assert!(w.contains("not recorded in the file, derived: Domain.FQDN = corp.fabrikam.com (the partition's name)"), "{w}");
    let v = r.vendor.as_ref().unwrap();
    assert_eq!(
        v.fingerprint.as_deref(),
        Some(syncrules_lang::rules::fingerprint(r).as_str())
    );
    assert_eq!(imported.config.default_band, Some((7, 7)));
}

#[test]
fn unknown_connector_and_unknown_elements_are_reported() {
    let body = "<colour>blue</colour><attribute-mappings><mapping wibble=\"1\"><dest note=\"n\">a<b/></dest>\
                <src><attr>cn</attr></src><extra /></mapping></attribute-mappings>\
                <synchronizationCriteria><conditions /><conditions><scope><csAttribute>a</csAttribute>\
                <csOperator>EQUAL</csOperator><csValue>1</csValue></scope></conditions></synchronizationCriteria>";
    let export = Export::new(
        "unknown",
        &[
            (
                "SynchronizationRules/r.xml",
                &rule_xml("In", "Inbound", "3", body),
            ),
            ("GlobalSettings/Other.xml", "<x/>"),
        ],
    );
    let imported = export.import().unwrap();
    let r = only(&imported);
    let guid = "{0000aaaa-0000-0000-0000-000000000001}";
    assert_eq!(r.connector, guid);
    assert!(r.scope.is_empty(), "an empty group matches everything");
    assert_eq!(r.vendor, None);
    assert_eq!(imported.config.default_band, None);
    let decl = &imported.config.connectors[guid];
    assert_eq!(decl.object_types, ["person"]);
    assert_eq!(imported.config.metaverse.object_types, ["user"]);
    let w = imported.warnings.join("\n");
    for needle in [
        "r.xml:8:1: rule `In`: dropped unknown element `<colour>` of `<synchronizationRule>`",
        "dropped attribute wibble=\"1\" of `<mapping>`",
        "dropped unknown element `<extra>` of `<mapping>`",
        "dropped attribute note=\"n\" of `<dest>`",
        "dropped unknown element `<b>` of `<dest>`",
        "an empty scoping group matches every object",
        "no connector file has the id",
        "Other.xml: not imported",
    ] {
        assert!(w.contains(needle), "`{needle}` not in:\n{w}");
    }
}

#[test]
fn errors_are_located() {
    let cases: &[(&str, &str)] = &[
        (
            "<precedence>0</precedence>",
            "r.xml:7:3: `<precedence>` must be a whole number from 1, found `0`",
        ),
        (
            "<attribute-mappings><mapping><dest>a</dest><src><attr>x</attr><attr>y</attr></src></mapping></attribute-mappings>",
            "the direct flow to `a` has several source attributes and no expression",
        ),
        (
            "<attribute-mappings><mapping><dest>a</dest></mapping></attribute-mappings>",
            "the flow to `a` has no expression, source attribute or constant",
        ),
        (
            "<linkType>Sometimes</linkType>",
            "`Sometimes` is not a valid `<linkType>`: expected one of Join, Provision, StickyJoin",
        ),
        ("<name>Again</name>", "more than one `<name>`"),
        ("<oops>", "malformed xml"),
    ];
    for (i, (body, message)) in cases.iter().enumerate() {
        let xml = if body.starts_with("<precedence>") {
            rule_xml("R", "Inbound", "1", "").replace("<precedence>1</precedence>", body)
        } else {
            rule_xml("R", "Inbound", "1", body)
        };
        let export = Export::new(&format!("err{i}"), &[("SynchronizationRules/r.xml", &xml)]);
        let error = export.import().unwrap_err().to_string();
        assert!(error.contains(message), "{error}");
        assert!(error.contains("r.xml:"), "{error}");
        assert!(!error.ends_with('.'), "{error}");
    }
    let empty = Export::new("noexport", &[("x.txt", "")]);
    let error = empty.import().unwrap_err().to_string();
    assert!(error.ends_with("not an Entra Connect export: no `SynchronizationRules` folder"));
}

#[test]
fn slugs_and_paths() {
    assert_eq!(
        slug("In from AD - User Common", "rule"),
        "in-from-ad-user-common"
    );
    assert_eq!(
        slug("contoso.onmicrosoft.com - AAD", "c"),
        "contoso-onmicrosoft-com-aad"
    );
    assert_eq!(slug("--Ünïcode--", "rule"), "n-code");
    assert_eq!(slug("ÉÉ", "rule"), "rule");
    let mut imported = Imported::default();
    for name in ["A b", "a-B", "a b"] {
        imported.rules.push(Rule::new(
            name,
            Direction::Inbound,
            "c.com",
            "user",
            "person",
            1,
        ));
    }
    imported.rules.push(Rule::new(
        "A b",
        Direction::Outbound,
        "C com",
        "person",
        "user",
        2,
    ));
    let paths: Vec<String> = rule_paths(&imported)
        .iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    assert_eq!(
        paths,
        [
            "rules/c-com/inbound/a-b.yaml",
            "rules/c-com/inbound/a-b-2.yaml",
            "rules/c-com/inbound/a-b-3.yaml",
            "rules/c-com-2/outbound/a-b.yaml",
        ]
    );
}

#[test]
fn write_refuses_a_non_empty_directory_and_unsafe_schema_paths() {
    let dir = Export::new("target", &[("keep.txt", "mine")]);
    let imported = Imported::default();
    let e = write_rule_set(&dir.0, &imported).unwrap_err();
    assert!(matches!(e, ImportError::NotEmpty { .. }), "{e}");
    let fresh: &Path = &dir.0.join("fresh");
    let bad = Imported {
        schemas: vec![super::SchemaCopy {
            from: PathBuf::from("x.xml"),
            to: PathBuf::from("../x.xml"),
        }],
        ..Imported::default()
    };
    let e = write_rule_set(fresh, &bad).unwrap_err();
    assert!(
        e.to_string().contains("relative path inside the rule set"),
        "{e}"
    );
    let written = write_rule_set(fresh, &imported).unwrap();
    assert_eq!(written, [fresh.join("syncrules.yaml")]);
}

#[test]
fn constant_text_is_kept_verbatim_and_expressions_trimmed() {
    let body = "<attribute-mappings><mapping><dest>a</dest><src>x</src></mapping>\
                <mapping><dest>b</dest><expression>\n  Trim([cn])\n</expression></mapping></attribute-mappings>";
    let export = Export::new(
        "constants",
        &[(
            "SynchronizationRules/r.xml",
            &rule_xml("R", "Inbound", "1", body),
        )],
    );
    let imported = export.import().unwrap();
    let sources: Vec<&FlowSource> = only(&imported).flows.iter().map(|f| &f.source).collect();
    assert_eq!(
        sources,
        [
            &FlowSource::Constant("x".to_owned()),
            &FlowSource::Expression("Trim([cn])".to_owned())
        ]
    );
}
