//! What an export would do, for every connector: adds, updates, deletes and renames with
//! their values, and the object errors; as text for people and as the JSON of the CLI
//! contract. `explain` says, for one object, why each value is what it is.

mod conflicts;
mod report;

pub use conflicts::conflicts;
use std::collections::HashSet;
use std::fmt::Write as _;

use base64::Engine as _;
use indexmap::IndexMap;
use serde_json::{Value as Json, json};
use syncrules_lang::Value;
use syncrules_lang::dn::DnKey;
use syncrules_lang::json::rfc3339;
use syncrules_lang::name::AttrMap;

use crate::connector::ExportOp;
use crate::model::{CsObject, MvId, State};
use crate::sync::ObjectError;

/// One pending export.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedExport {
    /// The connector.
    pub connector: String,
    /// What it does.
    pub op: ExportOp,
    /// The object's DN (the new DN of a rename).
    pub dn: String,
    /// The DN before a rename.
    pub old_dn: Option<String>,
    /// The object's anchor, if it has one yet.
    pub anchor: Option<String>,
    /// The attributes it writes.
    pub attributes: AttrMap,
    /// With `--explain`: for each attribute written, the rule that set it and the in-scope
    /// rules it outranked.
    pub sources: IndexMap<String, Source>,
}

/// Where an exported attribute's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The rule whose contribution won, if one did.
    pub rule: Option<String>,
    /// The rules in scope it outranked.
    pub outranked: Vec<String>,
}

/// Every pending export and object error.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Preview {
    /// Pending exports, by connector then DN.
    pub exports: Vec<PlannedExport>,
    /// Object errors of the run.
    pub errors: Vec<ObjectError>,
}

/// The pending exports of a state, optionally only those of one object (by DN or anchor)
/// and the objects joined with it: what will happen to one person or group, in every
/// connector, whichever of its objects is named.
pub fn preview(state: &State, errors: &[ObjectError], object: Option<&str>) -> Preview {
    let related = object.map(|o| Related::of(state, o));
    let shown = |o: &CsObject| related.as_ref().is_none_or(|r| r.holds(o));
    let mut exports = Vec::new();
    for (name, space) in &state.spaces {
        let mut list: Vec<PlannedExport> = space
            .objects
            .values()
            .filter_map(|o| {
                let p = o.pending_export.as_ref()?;
                shown(o).then(|| PlannedExport {
                    connector: name.clone(),
                    op: p.op,
                    dn: o.dn.clone(),
                    old_dn: p.old_dn.clone(),
                    anchor: o.anchor.clone(),
                    attributes: p.attributes.clone(),
                    sources: IndexMap::new(),
                })
            })
            .collect();
        list.sort_by(|a, b| (a.op, &a.dn).cmp(&(b.op, &b.dn)));
        exports.extend(list);
    }
    let errors = errors
        .iter()
        .filter(|e| related.as_ref().is_none_or(|r| r.names(&e.object)))
        .cloned()
        .collect();
    Preview { exports, errors }
}

/// The objects of one named object: it (by DN or anchor, in any connector space) and every
/// object joined to the same metaverse object.
struct Related {
    /// The DNs of those objects, and the name itself.
    dns: HashSet<DnKey>,
    /// The metaverse objects the named object is joined to.
    joined: HashSet<MvId>,
}

impl Related {
    fn of(state: &State, object: &str) -> Related {
        let name = DnKey::new(object);
        let named = |o: &CsObject| {
            syncrules_lang::dn::same(&o.dn, object) || o.anchor.as_deref() == Some(object)
        };
        let all = || state.spaces.values().flat_map(|s| s.objects.values());
        let joined: HashSet<MvId> = all().filter(|o| named(o)).filter_map(|o| o.link).collect();
        let dns = all()
            .filter(|o| named(o) || o.link.is_some_and(|l| joined.contains(&l)))
            .map(|o| DnKey::new(&o.dn))
            .chain(std::iter::once(name.clone()))
            .collect();
        Related { dns, joined }
    }

    /// Whether `o` is the named object or joined with it.
    fn holds(&self, o: &CsObject) -> bool {
        o.link.is_some_and(|l| self.joined.contains(&l)) || self.names(&o.dn)
    }

    /// Whether `dn` is the DN of one of the objects.
    fn names(&self, dn: &str) -> bool {
        self.dns.contains(&DnKey::new(dn))
    }
}

/// One value as a JSON scalar: strings, numbers and Booleans as themselves, binaries as
/// base64, references as their DN, dates as RFC 3339.
pub fn scalar(v: &Value) -> Json {
    match v {
        Value::Str(s) | Value::Ref(s) => json!(s.as_ref()),
        Value::Num(n) => json!(n),
        Value::Bool(b) => json!(b),
        Value::Bin(b) => json!(base64::engine::general_purpose::STANDARD.encode(b)),
        Value::DateTime(d) => json!(rfc3339(d)),
        other => json!(other.to_string()),
    }
}

/// A value's values as text, separated by commas (empty for null).
pub(crate) fn listed(v: &Value) -> String {
    v.values()
        .iter()
        .map(|x| scalar(x).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Preview {
    /// Fills each export's [`PlannedExport::sources`].
    pub fn explain(
        &mut self,
        state: &State,
        ctx: &crate::sync::SyncContext<'_>,
    ) -> Result<(), ObjectError> {
        for e in &mut self.exports {
            let traces = crate::explain::export_sources(state, ctx, &e.connector, &e.dn)?;
            e.sources = traces
                .into_iter()
                .filter(|t| e.attributes.contains_key(t.attribute.as_str()) || t.attribute == "dn")
                .map(|t| {
                    let outranked = t
                        .contributions
                        .iter()
                        .filter(|c| Some(&c.rule) != t.winner.as_ref())
                        .map(|c| c.rule.clone())
                        .collect();
                    let source = Source {
                        rule: t.winner,
                        outranked,
                    };
                    (t.attribute, source)
                })
                .collect();
        }
        Ok(())
    }

    /// Counts per connector: add, update, delete, rename.
    pub fn counts(&self, connectors: &[String]) -> IndexMap<String, [usize; 4]> {
        let mut out: IndexMap<String, [usize; 4]> =
            connectors.iter().map(|c| (c.clone(), [0; 4])).collect();
        for e in &self.exports {
            let c = out.entry(e.connector.clone()).or_insert([0; 4]);
            let i = match e.op {
                ExportOp::Add => 0,
                ExportOp::Update => 1,
                ExportOp::Delete => 2,
                ExportOp::Rename => 3,
            };
            if let Some(n) = c.get_mut(i) {
                *n += 1;
            }
        }
        out
    }

    /// The JSON of the CLI contract.
    pub fn to_json(&self, connectors: &[String]) -> Json {
        let counts: serde_json::Map<String, Json> = self
            .counts(connectors)
            .into_iter()
            .map(|(c, [a, u, d, r])| (c, json!({"add": a, "update": u, "delete": d, "rename": r})))
            .collect();
        let exports: Vec<Json> = self
            .exports
            .iter()
            .map(|e| {
                let attributes: serde_json::Map<String, Json> = e
                    .attributes
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.to_string(),
                            Json::Array(v.values().iter().map(scalar).collect()),
                        )
                    })
                    .collect();
                let mut o = json!({
                    "connector": e.connector,
                    "operation": e.op.as_str(),
                    "dn": e.dn,
                    "anchor": e.anchor,
                    "attributes": attributes,
                });
                if let (Some(old), Some(obj)) = (&e.old_dn, o.as_object_mut()) {
                    obj.insert("old_dn".into(), json!(old));
                }
                if let (false, Some(obj)) = (e.sources.is_empty(), o.as_object_mut()) {
                    let explain: serde_json::Map<String, Json> = e
                        .sources
                        .iter()
                        .map(|(k, s)| {
                            (k.clone(), json!({"rule": s.rule, "outranked": s.outranked}))
                        })
                        .collect();
                    obj.insert("explain".into(), Json::Object(explain));
                }
                o
            })
            .collect();
        let errors: Vec<Json> = self
            .errors
            .iter()
            .map(|e| json!({"connector": e.connector, "object": e.object, "rule": e.rule, "message": e.message}))
            .collect();
        json!({"connectors": counts, "exports": exports, "errors": errors})
    }

    /// A readable summary: counts per connector, then each export with its values.
    pub fn render(&self, connectors: &[String], detail: bool) -> String {
        let mut out = String::new();
        for (c, [a, u, d, r]) in self.counts(connectors) {
            let _ = writeln!(
                out,
                "{c}: {a} to add, {u} to update, {d} to delete, {r} to rename"
            );
        }
        if detail {
            for e in &self.exports {
                let _ = writeln!(out, "\n{} {} {}", e.connector, e.op.as_str(), e.dn);
                if let Some(old) = &e.old_dn {
                    let _ = writeln!(out, "    from {old}");
                }
                for (k, v) in &e.attributes {
                    let shown = if v.values().is_empty() {
                        "(remove)".to_owned()
                    } else {
                        listed(v)
                    };
                    let source = match e.sources.get(k.as_str()) {
                        Some(Source {
                            rule: Some(rule),
                            outranked,
                        }) if outranked.is_empty() => format!("  <- {rule}"),
                        Some(Source {
                            rule: Some(rule),
                            outranked,
                        }) => format!("  <- {rule} (outranks {})", outranked.join(", ")),
                        _ => String::new(),
                    };
                    let _ = writeln!(out, "    {k}: {shown}{source}");
                }
            }
        }
        if !self.errors.is_empty() {
            let _ = writeln!(out, "\n{} object errors:", self.errors.len());
            for e in &self.errors {
                let rule = e
                    .rule
                    .as_deref()
                    .map(|r| format!(" [{r}]"))
                    .unwrap_or_default();
                let _ = writeln!(out, "  {} {}{rule}: {}", e.connector, e.object, e.message);
            }
        }
        out
    }
}
