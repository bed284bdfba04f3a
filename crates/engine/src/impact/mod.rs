//! What a rule change would do: the exports of the same imported data synced under two
//! rule sets, compared per target connector object. An object is *added* when it would be
//! provisioned (or kept from deletion) under the new rules and not under the base ones,
//! *removed* in the reverse case, and *changed* when it exists under both and the values
//! an export would leave on it differ; a changed object lists only the attributes that
//! differ, with the rule that sets each new value.
//!
//! The comparison is the difference of the two [`Preview`]s: exports are matched by
//! connector and by the DN the object has before the export (a rename's old DN, an add's
//! DN), case-insensitively; values are compared as the JSON of `preview` shows them.

mod render;

use indexmap::IndexMap;
use serde_json::{Value as Json, json};
use syncrules_lang::Name;
use syncrules_lang::dn::{self, DnKey};

use crate::connector::ExportOp;
use crate::model::State;
use crate::preview::{PlannedExport, Preview, scalar};
use crate::sync::{ObjectError, SyncContext};

/// The kind of difference for one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// Provisioned under the new rules and not under the base ones.
    Added,
    /// Provisioned under the base rules and not under the new ones (deprovisioned).
    Removed,
    /// Provisioned under both, with different values.
    Changed,
}

impl Change {
    /// `added`, `removed` or `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
        }
    }
}

/// One attribute's values under both rule sets.
#[derive(Clone, Debug, PartialEq)]
pub struct AttributeChange {
    /// The value under the base rules (as `preview`'s JSON shows values).
    pub old: Vec<Json>,
    /// The value under the new rules.
    pub new: Vec<Json>,
    /// The rule that sets the new value, when one does.
    pub rule: Option<String>,
}

/// One target object that differs.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectChange {
    /// The target connector.
    pub connector: String,
    /// The object's DN (under the new rules when it has one there).
    pub dn: String,
    /// Its anchor, when it has one.
    pub anchor: Option<String>,
    /// What differs.
    pub change: Change,
    /// A name people know it by (its displayName, UPN, mail, cn or account name), when
    /// it has one: target DNs are often opaque.
    pub label: Option<String>,
    /// The attributes whose values differ (every attribute of an added object; none of a
    /// removed one). A differing DN is listed as the attribute `dn`.
    pub attributes: IndexMap<String, AttributeChange>,
}

/// The difference between the exports of two rule sets.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Impact {
    /// Per connector: added, removed, changed.
    pub summary: IndexMap<String, [usize; 3]>,
    /// The objects that differ, by connector, kind of change and DN.
    pub objects: Vec<ObjectChange>,
}

/// One side of the comparison: a state synced under some rules and its exports.
pub struct Side<'a> {
    /// The state after the sync.
    pub state: &'a State,
    /// Its pending exports.
    pub preview: &'a Preview,
}

/// The DN the object has before the export: the key exports are matched by.
fn key(e: &PlannedExport) -> DnKey {
    DnKey::new(e.old_dn.as_deref().unwrap_or(&e.dn))
}

fn values(v: &syncrules_lang::Value) -> Vec<Json> {
    v.values().iter().map(scalar).collect()
}

/// Whether an export leaves the object in the target directory.
fn exists(op: Option<ExportOp>, other: Option<ExportOp>) -> bool {
    match op {
        Some(ExportOp::Delete) => false,
        Some(_) => true,
        // No export: the object stays as it is. It is there unless the other side
        // creates it.
        None => other != Some(ExportOp::Add),
    }
}

/// What an object's attribute would hold after one side's export: the exported value
/// when the export writes it, nothing for an object being created, otherwise the value the
/// engine believes the object has.
fn after(
    side: &Side<'_>,
    connector: &str,
    dn: &str,
    e: Option<&PlannedExport>,
    attr: &str,
) -> Vec<Json> {
    if let Some(v) = e.and_then(|e| e.attributes.get(attr)) {
        return values(v);
    }
    if e.is_some_and(|e| e.op == ExportOp::Add) {
        return Vec::new();
    }
    side.state
        .spaces
        .get(connector)
        .and_then(|s| s.find_dn(dn))
        .map(|o| values(o.current(attr)))
        .unwrap_or_default()
}

/// An object's export under the base rules and under the new ones.
type Pair<'a> = (Option<&'a PlannedExport>, Option<&'a PlannedExport>);

/// Attributes that name an object, in the order a label is taken from.
const NAMING: &[&str] = &[
    "displayName",
    "userPrincipalName",
    "mail",
    "cn",
    "sAMAccountName",
];

/// A name for an object: a naming attribute's value in either export, else in either
/// side's connector space object.
fn label(
    base: &Side<'_>,
    new: &Side<'_>,
    connector: &str,
    exports: [Option<&PlannedExport>; 2],
    dns: [&str; 2],
) -> Option<String> {
    let text = |v: &syncrules_lang::Value| match v.values().first() {
        Some(syncrules_lang::Value::Str(s)) if !s.is_empty() => Some(s.to_string()),
        _ => None,
    };
    NAMING.iter().find_map(|attr| {
        exports
            .iter()
            .flatten()
            .find_map(|e| e.attributes.get(*attr).and_then(text))
            .or_else(|| {
                [new, base].iter().find_map(|side| {
                    let space = side.state.spaces.get(connector)?;
                    dns.iter()
                        .find_map(|dn| space.find_dn(dn))
                        .and_then(|o| text(o.current(attr)))
                })
            })
    })
}

/// Compares the exports of `base` and `new`, for the `connectors` named (others that have
/// exports are added after them). `ctx` is the new rules' context: it names the rule that
/// sets each new value.
pub fn impact<'a>(
    base: &Side<'a>,
    new: &Side<'a>,
    ctx: &SyncContext<'_>,
    connectors: &[String],
) -> Result<Impact, ObjectError> {
    let mut by_key: IndexMap<(String, DnKey), Pair<'a>> = IndexMap::new();
    for e in &base.preview.exports {
        by_key.entry((e.connector.clone(), key(e))).or_default().0 = Some(e);
    }
    for e in &new.preview.exports {
        by_key.entry((e.connector.clone(), key(e))).or_default().1 = Some(e);
    }
    let mut summary: IndexMap<String, [usize; 3]> =
        connectors.iter().map(|c| (c.clone(), [0; 3])).collect();
    let mut objects = Vec::new();
    for ((connector, _), (b, n)) in by_key {
        let (bop, nop) = (b.map(|e| e.op), n.map(|e| e.op));
        let change = match (exists(bop, nop), exists(nop, bop)) {
            (false, false) => continue,
            (false, true) => Change::Added,
            (true, false) => Change::Removed,
            (true, true) => Change::Changed,
        };
        let Some(any) = n.or(b) else { continue };
        // The DN the object has now, and after each side's export.
        let current = any.old_dn.as_deref().unwrap_or(&any.dn);
        let dn_after =
            |e: Option<&'a PlannedExport>| -> &'a str { e.map_or(current, |e| e.dn.as_str()) };
        let new_dn = dn_after(n).to_owned();
        let mut attributes = IndexMap::new();
        if change != Change::Removed {
            let names: indexmap::IndexSet<&Name> = [n, b]
                .into_iter()
                .flatten()
                .flat_map(|e| e.attributes.keys())
                .collect();
            for attr in names {
                let old = if change == Change::Added {
                    Vec::new()
                } else {
                    after(base, &connector, dn_after(b), b, attr)
                };
                let newv = after(new, &connector, &new_dn, n, attr);
                if old != newv {
                    let rule = None;
                    attributes.insert(
                        attr.to_string(),
                        AttributeChange {
                            old,
                            new: newv,
                            rule,
                        },
                    );
                }
            }
            let old_dn = dn_after(b);
            if change == Change::Changed && !dn::same(old_dn, &new_dn) {
                attributes.insert(
                    "dn".to_owned(),
                    AttributeChange {
                        old: vec![json!(old_dn)],
                        new: vec![json!(new_dn)],
                        rule: None,
                    },
                );
            }
            if change == Change::Changed && attributes.is_empty() {
                continue;
            }
            let traces = crate::explain::export_sources(new.state, ctx, &connector, &new_dn)?;
            for t in traces {
                if let Some(a) = attributes.get_mut(&t.attribute) {
                    a.rule = t.winner;
                }
            }
        }
        let counts = summary.entry(connector.clone()).or_insert([0; 3]);
        if let Some(c) = counts.get_mut(change as usize) {
            *c += 1;
        }
        let label = label(base, new, &connector, [n, b], [&new_dn, current]);
        objects.push(ObjectChange {
            connector,
            dn: if change == Change::Removed {
                dn_after(b).to_owned()
            } else {
                new_dn
            },
            anchor: n
                .and_then(|e| e.anchor.clone())
                .or_else(|| b.and_then(|e| e.anchor.clone())),
            change,
            label,
            attributes,
        });
    }
    let order: IndexMap<&str, usize> = summary
        .keys()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    objects.sort_by_cached_key(|o| {
        (
            order
                .get(o.connector.as_str())
                .copied()
                .unwrap_or(usize::MAX),
            o.change,
            DnKey::new(&o.dn),
        )
    });
    Ok(Impact { summary, objects })
}

impl Impact {
    /// Whether anything differs.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The JSON of the CLI contract.
    pub fn to_json(&self) -> Json {
        let summary: serde_json::Map<String, Json> = self
            .summary
            .iter()
            .map(|(c, [a, r, ch])| (c.clone(), json!({"added": a, "removed": r, "changed": ch})))
            .collect();
        let objects: Vec<Json> = self
            .objects
            .iter()
            .map(|o| {
                let attributes: serde_json::Map<String, Json> = o
                    .attributes
                    .iter()
                    .map(|(k, a)| {
                        (
                            k.clone(),
                            json!({"old": a.old, "new": a.new, "rule": a.rule}),
                        )
                    })
                    .collect();
                json!({
                    "connector": o.connector,
                    "dn": o.dn,
                    "anchor": o.anchor,
                    "change": o.change.as_str(),
                    "attributes": attributes,
                })
            })
            .collect();
        json!({"summary": summary, "objects": objects})
    }
}
