//! The difference of two `preview --format json` reports, computed independently of the
//! engine: what `syncrules impact` must report.

#![expect(clippy::unwrap_used, reason = "reports in the contract's shape")]

use std::collections::BTreeMap;

use serde_json::{Value, json};

type Exports = BTreeMap<(String, String), Value>;

/// Per attribute: the old and new values, when the reports tell them.
pub type Attrs = BTreeMap<String, (Option<Value>, Option<Value>)>;

/// Exports by connector and the DN the object has before the export.
fn exports(preview: &Value) -> Exports {
    preview["exports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let dn = e
                .get("old_dn")
                .unwrap_or(&e["dn"])
                .as_str()
                .unwrap()
                .to_lowercase();
            ((e["connector"].as_str().unwrap().to_owned(), dn), e.clone())
        })
        .collect()
}

/// Whether the object is in the directory after an export (`op`; `None`: no export, the
/// object stays as it is, and is there unless the other side creates it).
fn there(op: Option<&str>, other: Option<&str>) -> bool {
    match op {
        Some("delete") => false,
        Some(_) => true,
        None => other != Some("add"),
    }
}

/// The difference of two preview reports, as `impact` must report it: per object, the
/// kind of change and, for attributes whose value is known from the reports (written by
/// an export, or absent from an object being created), the old and new values.
pub fn expected(base: &Value, new: &Value) -> BTreeMap<(String, String), (String, Attrs)> {
    let (b, n) = (exports(base), exports(new));
    let mut out = BTreeMap::new();
    let keys: std::collections::BTreeSet<_> = b.keys().chain(n.keys()).cloned().collect();
    for k in keys {
        let (be, ne) = (b.get(&k), n.get(&k));
        let op = |e: Option<&Value>| e.map(|e| e["operation"].as_str().unwrap().to_owned());
        let (bop, nop) = (op(be), op(ne));
        let change = match (
            there(bop.as_deref(), nop.as_deref()),
            there(nop.as_deref(), bop.as_deref()),
        ) {
            (false, false) => continue,
            (false, true) => "added",
            (true, false) => "removed",
            (true, true) => "changed",
        };
        let mut attrs = BTreeMap::new();
        if change != "removed" {
            let value = |e: Option<&Value>, o: &Option<String>, a: &str| match e
                .and_then(|e| e["attributes"].get(a))
            {
                Some(v) => Some(v.clone()),
                None if o.as_deref() == Some("add") || change == "added" => Some(json!([])),
                None => None,
            };
            for e in [be, ne].into_iter().flatten() {
                for a in e["attributes"].as_object().unwrap().keys() {
                    let old = if change == "added" {
                        Some(json!([]))
                    } else {
                        value(be, &bop, a)
                    };
                    let new = value(ne, &nop, a);
                    if old.is_none() || new.is_none() || old != new {
                        attrs.insert(a.clone(), (old, new));
                    }
                }
            }
            if change == "changed" && attrs.is_empty() {
                continue;
            }
        }
        out.insert(k, (change.to_owned(), attrs));
    }
    out
}
