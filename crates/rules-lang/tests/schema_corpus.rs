//! The schemas of the real Entra Connect Sync export in the shared conformance corpus
//! (`shared/corpus/aadconnect-contoso`): the metaverse schema and both connectors.
//!
//! Every count compared here is also taken from the file by a plain string scan in this test,
//! independent of the crate's XML reader. A missing corpus fails the tests; it never skips them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use syncrules_lang::schema::{ConnectorDef, ConnectorKind, Schema, scalar_for_syntax};
use syncrules_lang::{Scalar, Ty};

const CORPUS: &str = "shared/corpus/aadconnect-contoso";
const MV_FILE: &str = "GlobalSettings/MV.xml";
const AD_FILE: &str = "Connectors/Connector_{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}.xml";
const AAD_FILE: &str = "Connectors/Connector_{b891884f-051e-4a83-95af-2544101c9083}.xml";

/// A test failure whose message prints as plain text.
struct Failure(String);

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

type Outcome = Result<(), Failure>;

/// The corpus directory: `../../../shared/corpus/...` from this crate, else the nearest
/// ancestor holding `shared/corpus/...` (a git worktree sits one level deeper).
fn corpus() -> Result<PathBuf, Failure> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = std::iter::once(manifest.join("../../..").join(CORPUS))
        .chain(manifest.ancestors().map(|a| a.join(CORPUS)));
    let mut tried = Vec::new();
    for dir in candidates {
        if dir.join(MV_FILE).is_file() {
            return Ok(dir);
        }
        tried.push(dir.display().to_string());
    }
    Err(Failure(format!(
        "the conformance corpus is missing: no {MV_FILE} under any of\n  {}\n\
         restore shared/corpus/aadconnect-contoso beside the repository",
        tried.join("\n  ")
    )))
}

fn path(file: &str) -> Result<PathBuf, Failure> {
    Ok(corpus()?.join(file))
}

fn text(file: &str) -> Result<String, Failure> {
    let path = path(file)?;
    std::fs::read_to_string(&path)
        .map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))
}

fn mv() -> Result<Schema, Failure> {
    Schema::from_mv_file(&path(MV_FILE)?).map_err(|e| Failure(e.to_string()))
}

fn connector(file: &str) -> Result<ConnectorDef, Failure> {
    ConnectorDef::from_file(&path(file)?).map_err(|e| Failure(e.to_string()))
}

// ---- independent string scans -------------------------------------------------------------

/// The text of the document's `directory-schema` element.
fn schema_text(xml: &str) -> &str {
    let start = xml.find("directory-schema").unwrap_or(0);
    let end = xml.rfind("directory-schema>").unwrap_or(xml.len());
    xml.get(start..end).unwrap_or("")
}

/// Each attribute type's name → (id, single-valued, syntax OID).
fn raw_attribute_types(schema: &str) -> BTreeMap<String, (String, bool, String)> {
    let mut out = BTreeMap::new();
    for chunk in schema.split("attribute-type id=\"").skip(1) {
        let (id, rest) = chunk.split_once('"').unwrap_or_default();
        let (tag, body) = rest.split_once('>').unwrap_or_default();
        let field = |name: &str| {
            let value = body.split_once(name).map_or("", |(_, v)| v);
            value.split('<').next().unwrap_or("").trim().to_owned()
        };
        let single = tag.contains("single-value=\"true\"");
        out.insert(field("name>"), (id.to_owned(), single, field("syntax>")));
    }
    out
}

/// Each class's name → (id, superior id, referenced attribute-type ids in order).
fn raw_classes(schema: &str) -> BTreeMap<String, (String, Option<String>, Vec<String>)> {
    let mut out = BTreeMap::new();
    for chunk in schema.split("class id=\"").skip(1) {
        let (id, rest) = chunk.split_once('"').unwrap_or_default();
        let (tag, body) = rest.split_once('>').unwrap_or_default();
        let body = body.split("class>").next().unwrap_or("");
        let name = body.split_once("name>").map_or("", |(_, v)| v);
        let name = name.split('<').next().unwrap_or("");
        let superior = tag
            .split_once("superior=\"#")
            .and_then(|(_, v)| v.split('"').next())
            .map(str::to_owned);
        let refs = body
            .split("ref=\"#")
            .skip(1)
            .filter_map(|r| r.split('"').next())
            .map(str::to_owned)
            .collect();
        out.insert(name.to_owned(), (id.to_owned(), superior, refs));
    }
    out
}

/// How many attribute types name each syntax OID.
fn raw_syntax_counts(schema: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for chunk in schema.split("syntax>").skip(1) {
        let oid: String = chunk
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        if !oid.is_empty() {
            *counts.entry(oid).or_default() += 1;
        }
    }
    counts
}

fn loaded_syntax_counts(schema: &Schema) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for def in schema.attributes() {
        *counts
            .entry(def.syntax.clone().unwrap_or_default())
            .or_default() += 1;
    }
    counts
}

/// Every attribute type agrees with the raw scan: same names, multiplicity, syntax and type,
/// and the counts of the file's markers match what was loaded.
fn check_against_raw(file: &str, xml: &str, schema: &Schema) -> Outcome {
    let raw_text = schema_text(xml);
    let raw = raw_attribute_types(raw_text);
    let tags = raw_text.matches("attribute-type id=").count();
    assert_eq!(schema.attributes().len(), tags, "{file}: attribute types");
    assert_eq!(raw.len(), tags, "{file}: attribute type names are unique");
    for (name, (_, single, oid)) in &raw {
        let Some(def) = schema.attribute(name) else {
            return Err(Failure(format!("{file}: `{name}` not loaded")));
        };
        assert_eq!(def.multi, !single, "{file}: `{name}` multiplicity");
        assert_eq!(
            def.syntax.as_deref(),
            Some(oid.as_str()),
            "{file}: `{name}`"
        );
        let scalar = scalar_for_syntax(oid);
        assert!(
            scalar.is_some(),
            "{file}: `{name}` has unmapped syntax {oid}"
        );
        assert_eq!(Some(def.scalar), scalar, "{file}: `{name}` scalar");
    }
    let singles = raw_text.matches("single-value=\"true\"").count();
    let loaded_singles = schema.attributes().filter(|a| !a.multi).count();
    assert_eq!(loaded_singles, singles, "{file}: single-valued attributes");
    assert_eq!(
        loaded_syntax_counts(schema),
        raw_syntax_counts(raw_text),
        "{file}: syntax OIDs"
    );

    let classes = raw_text.matches("class id=").count();
    assert_eq!(schema.classes().len(), classes, "{file}: classes");
    let refs = raw_text.matches("attribute ref=").count();
    let loaded_refs: usize = schema
        .classes()
        .map(|c| c.attributes.len() + c.auxiliary_attributes.len())
        .sum();
    assert_eq!(loaded_refs, refs, "{file}: attribute references");
    let aux = raw_text.matches("aux-class ref=").count();
    let loaded_aux: usize = schema.classes().map(|c| c.auxiliary.len()).sum();
    assert_eq!(loaded_aux, aux, "{file}: auxiliary class references");
    let anchors = raw_text.matches("isAnchor=\"true\"").count();
    let loaded_anchors: usize = schema.classes().map(|c| c.anchors.len()).sum();
    assert_eq!(loaded_anchors, anchors, "{file}: anchors");
    let indexable = raw_text.matches("indexable=\"true\"").count();
    let loaded_indexable = schema
        .attributes()
        .filter(|a| schema.is_indexable(&a.name))
        .count();
    assert_eq!(loaded_indexable, indexable, "{file}: indexable attributes");

    // Each class's own references, resolved through the ids, in file order.
    let ids: HashMap<&str, &str> = raw
        .iter()
        .map(|(n, (id, ..))| (id.as_str(), n.as_str()))
        .collect();
    for (name, (_, _, refs)) in raw_classes(raw_text) {
        let Some(class) = schema.class(&name) else {
            return Err(Failure(format!("{file}: class `{name}` not loaded")));
        };
        let expected: Vec<&str> = refs
            .iter()
            .map(|r| ids.get(r.as_str()).copied().unwrap_or(r))
            .collect();
        assert_eq!(class.attributes, expected, "{file}: class `{name}`");
    }
    Ok(())
}

/// The type the raw scan gives an attribute, for the spot checks below.
fn raw_ty(xml: &str, name: &str) -> Ty {
    let raw = raw_attribute_types(schema_text(xml));
    let Some((_, single, oid)) = raw.get(name) else {
        return Ty::Var;
    };
    let scalar = scalar_for_syntax(oid).unwrap_or(Scalar::Str);
    if *single {
        Ty::One(scalar)
    } else {
        Ty::Many(scalar)
    }
}

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
    let person = schema.class("person").unwrap();
    for (name, ty) in [
        ("accountEnabled", Ty::BOOL),
        ("proxyAddresses", Ty::MVSTR),
        ("sourceAnchor", Ty::STR),
        ("manager", Ty::REF),
        ("objectSid", Ty::BIN),
        ("cloudMSExchArchiveStatus", Ty::NUM),
    ] {
        assert_eq!(schema.attribute_type(name), ty, "mv `{name}`");
        assert_eq!(raw_ty(&xml, name), ty, "mv `{name}` in the raw file");
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
    for (name, ty) in [
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
    ] {
        assert_eq!(schema.attribute_type(name), ty, "ad `{name}`");
        assert_eq!(raw_ty(&xml, name), ty, "ad `{name}` in the raw file");
    }

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

    for (name, ty) in [
        ("accountEnabled", Ty::BOOL),
        ("proxyAddresses", Ty::MVSTR),
        ("cloudAnchor", Ty::STR),
        ("member", Ty::MVREF),
        ("manager", Ty::REF),
        ("msExchElcExpirySuspensionEnd", Ty::STR),
    ] {
        assert_eq!(aad.schema.attribute_type(name), ty, "aad `{name}`");
        assert_eq!(raw_ty(&xml, name), ty, "aad `{name}` in the raw file");
    }
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
