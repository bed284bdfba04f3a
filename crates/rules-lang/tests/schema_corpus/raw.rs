//! Independent string scans of a schema file, and the checks of a loaded schema against them.
//!
//! Nothing here uses the crate's XML reader: the counts and types come from plain splitting
//! of the file's text.

use std::collections::{BTreeMap, HashMap};

use syncrules_lang::schema::{Schema, scalar_for_syntax};
use syncrules_lang::{Scalar, Ty};

use crate::files::{Failure, Outcome};

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
pub fn check_against_raw(file: &str, xml: &str, schema: &Schema) -> Outcome {
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

/// Each attribute of `expected` has its type both in the loaded schema and by the raw scan.
pub fn check_types(label: &str, xml: &str, schema: &Schema, expected: &[(&str, Ty)]) {
    let raw = raw_attribute_types(schema_text(xml));
    for &(name, ty) in expected {
        assert_eq!(schema.attribute_type(name), ty, "{label} `{name}`");
        assert_eq!(raw_ty(&raw, name), ty, "{label} `{name}` in the raw file");
    }
}

/// The type the raw scan gives an attribute.
fn raw_ty(raw: &BTreeMap<String, (String, bool, String)>, name: &str) -> Ty {
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
