//! The schemas of the real Entra Connect Sync export in the shared conformance corpus
//! (`shared/corpus/aadconnect-contoso`): the metaverse schema and both connectors.
//!
//! Every count compared here is also taken from the file by a plain string scan in this test
//! (`raw`), independent of the crate's XML reader. A missing corpus fails the tests; it never
//! skips them.

#[path = "schema_corpus/files.rs"]
mod files;
#[path = "schema_corpus/raw.rs"]
mod raw;

use std::collections::HashSet;
use std::time::Instant;

use syncrules_lang::Ty;
use syncrules_lang::schema::ConnectorKind;

use files::{AAD_FILE, AD_FILE, Failure, MV_FILE, Outcome, connector, corpus, mv, text};
use raw::{check_against_raw, check_types};

// ---- the metaverse ------------------------------------------------------------------------

#[test]
fn metaverse_schema_matches_the_file() -> Outcome {
    let xml = text(MV_FILE)?;
    let schema = mv()?;
    check_against_raw(MV_FILE, &xml, &schema)?;
    assert_eq!(schema.attributes().len(), 219);
    let classes: Vec<&str> = schema.classes().map(|c| c.name.as_str()).collect();
    assert_eq!(classes, ["person", "group", "device"]);
    Ok(())
}

#[test]
fn metaverse_spot_checks() -> Outcome {
    let xml = text(MV_FILE)?;
    let schema = mv()?;
    let expected = [
        ("accountEnabled", Ty::BOOL),
        ("proxyAddresses", Ty::MVSTR),
        ("sourceAnchor", Ty::STR),
        ("manager", Ty::REF),
        ("objectSid", Ty::BIN),
        ("cloudMSExchArchiveStatus", Ty::NUM),
    ];
    check_types("mv", &xml, &schema, &expected);
    let person = schema.class("person").unwrap();
    for (name, _) in expected {
        assert!(
            person.attributes.iter().any(|a| a == name),
            "person has `{name}`"
        );
    }
    assert_eq!(schema.attribute_type("member"), Ty::MVREF);
    assert!(
        schema
            .class("group")
            .unwrap()
            .attributes
            .iter()
            .any(|a| a == "member")
    );
    assert!(schema.is_indexable("accountName") && !schema.is_indexable("accountEnabled"));
    // The metaverse spells it `ELC`, the Entra ID connector `Elc`: both are distinct names.
    assert_eq!(
        schema.attribute_type("msExchELCExpirySuspensionEnd"),
        Ty::STR
    );
    assert_eq!(
        schema.attribute_type("msExchElcExpirySuspensionEnd"),
        Ty::Var
    );
    assert_eq!(
        schema.attribute_names_like("msExchElcExpirySuspensionEnd"),
        Some("msExchELCExpirySuspensionEnd")
    );
    assert_eq!(
        schema.attribute_names_like("acountEnabled"),
        Some("accountEnabled")
    );
    assert_eq!(schema.attribute_type("noSuchAttribute"), Ty::Var);
    Ok(())
}

// ---- the Active Directory connector -------------------------------------------------------

#[test]
fn active_directory_connector_matches_the_file() -> Outcome {
    let xml = text(AD_FILE)?;
    let ad = connector(AD_FILE)?;
    check_against_raw(AD_FILE, &xml, &ad.schema)?;
    assert_eq!(ad.schema.attributes().len(), 3391);
    assert_eq!(ad.schema.classes().len(), 571);
    assert_eq!(ad.id, "{AE4DB4CC-B16B-4EB2-ACF5-837CA84E4D7D}");
    assert!(ad.has_id("{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}"));
    assert_eq!(ad.name, "contoso.com");
    assert_eq!(ad.kind, ConnectorKind::ActiveDirectory);

    let [partition] = ad.partitions.as_slice() else {
        panic!("one partition expected, got {:?}", ad.partitions);
    };
    assert_eq!(partition.name, "DC=contoso,DC=com");
    assert_eq!(partition.id, "{dc4c27db-d13d-460a-9a82-c48aba1ee815}");
    assert!(partition.selected);
    assert_eq!(partition.included_ous, ["OU=CORP,DC=contoso,DC=com"]);
    assert_eq!(partition.excluded_ous, ["DC=contoso,DC=com"]);
    let expected_classes = xml.matches("<object-class>").count();
    assert_eq!(partition.object_classes.len(), expected_classes);
    assert!(partition.object_classes.iter().any(|c| c == "user"));

    let inclusion = xml.split("attribute-inclusion>").nth(1).unwrap_or("");
    let included = inclusion.matches("<attribute>").count();
    assert_eq!(ad.attribute_inclusion.len(), included);
    assert!(
        ad.attribute_inclusion
            .iter()
            .any(|a| a == "msDS-CloudAnchor")
    );
    Ok(())
}

#[test]
fn active_directory_spot_checks() -> Outcome {
    let xml = text(AD_FILE)?;
    let schema = connector(AD_FILE)?.schema;
    let expected = [
        ("objectGUID", Ty::BIN),
        ("objectSid", Ty::BIN),
        ("member", Ty::MVREF),
        ("manager", Ty::REF),
        ("userAccountControl", Ty::NUM),
        ("proxyAddresses", Ty::MVSTR),
        ("pwdLastSet", Ty::NUM),
        ("accountExpires", Ty::NUM),
        ("whenCreated", Ty::DT),
        ("authOrig", Ty::MVREF),
        ("legacyExchangeDN", Ty::STR),
        ("wellKnownObjects", Ty::MVSTR),
        ("nTSecurityDescriptor", Ty::BIN),
        ("sIDHistory", Ty::MVBIN),
    ];
    check_types("ad", &xml, &schema, &expected);

    let user = schema.class("user").unwrap();
    assert_eq!(user.superior.as_deref(), Some("organizationalPerson"));
    assert!(user.auxiliary.iter().any(|c| c == "securityPrincipal"));
    assert!(user.auxiliary.iter().any(|c| c == "mailRecipient"));
    let all = schema.class_attributes("user").unwrap();
    for name in [
        "userAccountControl",
        "userPrincipalName",
        "pwdLastSet",
        "manager",
        "sAMAccountName",
        "objectSid",
        "mail",
        "proxyAddresses",
        "objectGUID",
        "cn",
    ] {
        assert!(all.contains(&name), "a user may hold `{name}`");
    }
    assert!(!user.attributes.iter().any(|a| a == "sAMAccountName"));
    assert!(
        user.auxiliary_attributes
            .iter()
            .any(|a| a == "sAMAccountName")
    );
    assert!(
        schema
            .class_attributes("group")
            .unwrap()
            .contains(&"member")
    );
    Ok(())
}

// ---- the Entra ID connector ---------------------------------------------------------------

#[test]
fn entra_id_connector_matches_the_file() -> Outcome {
    let xml = text(AAD_FILE)?;
    let aad = connector(AAD_FILE)?;
    check_against_raw(AAD_FILE, &xml, &aad.schema)?;
    assert_eq!(aad.schema.attributes().len(), 185);
    assert_eq!(aad.id, "{B891884F-051E-4A83-95AF-2544101C9083}");
    assert_eq!(aad.name, "contoso.onmicrosoft.com - AAD");
    assert_eq!(aad.kind, ConnectorKind::EntraId);
    let classes: Vec<&str> = aad.schema.classes().map(|c| c.name.as_str()).collect();
    assert_eq!(
        classes,
        ["contact", "device", "group", "publicFolder", "user"]
    );
    for class in aad.schema.classes() {
        assert_eq!(class.anchors, ["cloudAnchor"], "anchor of `{}`", class.name);
    }
    let [partition] = aad.partitions.as_slice() else {
        panic!("one partition expected, got {:?}", aad.partitions);
    };
    assert_eq!(partition.name, "default");
    assert_eq!(
        partition.object_classes,
        ["contact", "device", "group", "user"]
    );
    assert!(partition.included_ous.is_empty() && partition.excluded_ous.is_empty());

    let expected = [
        ("accountEnabled", Ty::BOOL),
        ("proxyAddresses", Ty::MVSTR),
        ("cloudAnchor", Ty::STR),
        ("member", Ty::MVREF),
        ("manager", Ty::REF),
        ("msExchElcExpirySuspensionEnd", Ty::STR),
    ];
    check_types("aad", &xml, &aad.schema, &expected);
    Ok(())
}

// ---- across files -------------------------------------------------------------------------

/// Every attribute the sync rules read or write is in the schema of the side it is on, except
/// `dn`, the connector-space object's distinguished name, which no schema declares.
#[test]
fn every_attribute_the_rules_name_is_declared() -> Outcome {
    let metaverse = mv()?;
    let connectors = [connector(AD_FILE)?, connector(AAD_FILE)?];
    let dir = corpus()?.join("SynchronizationRules");
    let entries = std::fs::read_dir(&dir)
        .map_err(|e| Failure(format!("cannot list {}: {e}", dir.display())))?;
    let mut rules = 0;
    let mut checked = 0;
    for entry in entries {
        let path = entry.map_err(|e| Failure(e.to_string()))?.path();
        let xml = std::fs::read_to_string(&path).map_err(|e| Failure(e.to_string()))?;
        let field = |tag: &str| {
            let open = format!("<{tag}>");
            let value = xml.split_once(open.as_str()).map_or("", |(_, v)| v);
            value.split('<').next().unwrap_or("").to_owned()
        };
        let (direction, id) = (field("direction"), field("connector"));
        let Some(cs) = connectors.iter().find(|c| c.has_id(&id)) else {
            panic!("{}: no connector {id}", path.display());
        };
        let (source, target) = match direction.as_str() {
            "Inbound" => (&cs.schema, &metaverse),
            "Outbound" => (&metaverse, &cs.schema),
            other => panic!("{}: direction {other}", path.display()),
        };
        rules += 1;
        for mapping in xml.split("<mapping").skip(1) {
            let mapping = mapping.split("</mapping>").next().unwrap_or("");
            let dest = mapping.split_once("<dest>").map_or("", |(_, v)| v);
            let mut names = vec![(target, dest.split('<').next().unwrap_or(""))];
            for attr in mapping.split("<attr>").skip(1) {
                names.push((source, attr.split('<').next().unwrap_or("")));
            }
            let expression = mapping.split_once("<expression>").map_or("", |(_, v)| v);
            let expression = expression.split("</expression>").next().unwrap_or("");
            for bracketed in expression.split('[').skip(1) {
                names.push((source, bracketed.split(']').next().unwrap_or("")));
            }
            for (schema, name) in names {
                if name != "dn" {
                    checked += 1;
                    assert_ne!(
                        schema.attribute_type(name),
                        Ty::Var,
                        "{}: `{name}` ({direction})",
                        path.display()
                    );
                }
            }
        }
    }
    assert_eq!(rules, 62, "sync rules");
    assert!(checked > 1000, "only {checked} attribute uses found");
    Ok(())
}

#[test]
fn merging_the_connector_schemas_into_the_metaverse() -> Outcome {
    let mut schema = mv()?;
    let aad = connector(AAD_FILE)?.schema;
    schema.merge(&aad);
    // `user` comes from the connector; `person` keeps the metaverse's definition.
    assert!(schema.class("user").is_some());
    assert_eq!(schema.class("person"), mv()?.class("person"));
    assert_eq!(
        schema.attribute_type("msExchElcExpirySuspensionEnd"),
        Ty::STR
    );
    let metaverse = mv()?;
    let union: HashSet<&str> = metaverse
        .attributes()
        .chain(aad.attributes())
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(schema.attributes().len(), union.len());
    Ok(())
}

#[test]
fn loading_is_fast() -> Outcome {
    let mut total = std::time::Duration::ZERO;
    for file in [MV_FILE, AD_FILE, AAD_FILE] {
        let started = Instant::now();
        if file == MV_FILE {
            mv()?;
        } else {
            connector(file)?;
        }
        let elapsed = started.elapsed();
        eprintln!("loaded {file} in {elapsed:?}");
        total += elapsed;
    }
    // Generous, for unoptimized builds on busy machines: a release build takes about 10 ms.
    assert!(total.as_secs() < 10, "loading took {total:?}");
    Ok(())
}
