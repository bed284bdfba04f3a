//! Duplicate values before they are refused: objects of one connector that would hold the
//! same value of an attribute the directory keeps unique (Entra ID's userPrincipalName and
//! proxyAddresses). The export of the later one would fail with `duplicate-attribute`; the
//! preview reports both objects now, as the export would, so that the same person synced
//! from two forests is never two silent users.

use std::collections::BTreeMap;
use syncrules_lang::name::AttrMap;

use indexmap::IndexMap;
use syncrules_lang::Value;

use crate::connector::ExportOp;
use crate::model::{CsObject, State};
use crate::sync::ObjectError;

/// The conflicts in `state`'s connector spaces, for each connector's unique attributes
/// (`unique`: connector name → attribute names, compared ignoring case): one error per
/// object holding a value another object of its connector holds, after the pending
/// exports. Objects pending a delete hold nothing; only resident objects are compared.
pub fn conflicts(state: &State, unique: &IndexMap<String, Vec<String>>) -> Vec<ObjectError> {
    let mut out = Vec::new();
    for (connector, attributes) in unique {
        let Some(space) = state.spaces.get(connector) else {
            continue;
        };
        // (attribute, value) ignoring case → the first spelling of each, and the holders.
        let mut holders: BTreeMap<(String, String), Holders<'_>> = BTreeMap::new();
        for o in space.objects.values() {
            if o.pending_export
                .as_ref()
                .is_some_and(|p| p.op == ExportOp::Delete)
            {
                continue;
            }
            for attribute in attributes {
                let Some((spelt, value)) = held(o, attribute) else {
                    continue;
                };
                for v in value.values() {
                    let Some(text) = text(v) else { continue };
                    let key = (attribute.to_ascii_lowercase(), text.to_lowercase());
                    let entry = holders.entry(key).or_insert_with(|| Holders {
                        attribute: spelt,
                        value: text,
                        objects: Vec::new(),
                    });
                    if !entry.objects.iter().any(|x| x.dn == o.dn) {
                        entry.objects.push(o);
                    }
                }
            }
        }
        for h in holders.values().filter(|h| h.objects.len() > 1) {
            let (attribute, value) = (h.attribute, &h.value);
            for o in &h.objects {
                let others: Vec<String> = h
                    .objects
                    .iter()
                    .filter(|x| x.dn != o.dn)
                    .map(|x| format!("`{}`{}", x.dn, sources(state, connector, x)))
                    .collect();
                out.push(ObjectError {
                    connector: connector.clone(),
                    object: o.dn.clone(),
                    rule: None,
                    message: format!(
                        "duplicate-attribute: the `{attribute}` value `{value}` of this object{} is also that of {}; {connector} keeps it unique, so the export of one of them will be refused",
                        sources(state, connector, o),
                        others.join(", ")
                    ),
                    flow: None,
                });
            }
        }
    }
    out
}

/// The objects holding one value.
struct Holders<'a> {
    attribute: &'a str,
    value: String,
    objects: Vec<&'a CsObject>,
}

/// ` (from DN in CONNECTOR, ...)`: the objects of other connectors joined to the same
/// metaverse object, so that the people behind a conflict are found; empty when none is
/// known.
fn sources(state: &State, connector: &str, o: &CsObject) -> String {
    let Some(m) = o.link.and_then(|mv| state.metaverse.objects.get(&mv)) else {
        return String::new();
    };
    let from: Vec<String> = m
        .links
        .iter()
        .filter(|(c, _)| c.as_str() != connector)
        .filter_map(|(c, id)| {
            let dn = &state.spaces.get(c.as_str())?.objects.get(id)?.dn;
            Some(format!("`{dn}` in {c}"))
        })
        .collect();
    if from.is_empty() {
        String::new()
    } else {
        format!(" (from {})", from.join(", "))
    }
}

/// The value an object will hold for `attribute`, with the attribute's spelling there: its
/// pending export's, else the exported (unconfirmed) one, else the imported one.
fn held<'a>(o: &'a CsObject, attribute: &str) -> Option<(&'a str, &'a Value)> {
    let find = |m: &'a AttrMap| {
        m.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(attribute))
            .map(|(k, v)| (k.as_str(), v))
    };
    o.pending_export
        .as_ref()
        .and_then(|p| find(&p.attributes))
        .or_else(|| find(&o.unconfirmed))
        .or_else(|| find(&o.attributes))
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) | Value::Ref(s) => Some(s.to_string()),
        _ => None,
    }
}
