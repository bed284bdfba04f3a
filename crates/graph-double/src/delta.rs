//! Delta rounds: the first round is a snapshot of every object, a deltaLink's round the
//! objects changed since; `@removed` for deleted objects (`changed`: in the bin,
//! `deleted`: gone), `members@delta` and `manager@delta`, a large group's members over
//! several entries of the same group, and nothing for changes outside `$select`.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::{Map, Value, json};

use crate::directory::{Kind, Object, What};
use crate::server::{DeltaState, Reply, State};

impl DeltaState {
    /// `/users/delta` or `/groups/delta`.
    pub(crate) fn path(&self) -> &'static str {
        match self.kind {
            Kind::User => "/users/delta",
            Kind::Group => "/groups/delta",
        }
    }
}

/// What changed about one object since a round's start.
#[derive(Default)]
struct Since {
    created: bool,
    props: BTreeSet<String>,
    manager: bool,
    members: BTreeMap<String, bool>,
}

pub(crate) fn delta(st: &mut State, kind: Kind, path: &str, params: &[(String, String)]) -> Reply {
    if let Some((_, token)) = params.iter().find(|(k, _)| k == "$skiptoken") {
        return crate::routes::next_page(st, token);
    }
    let select: Vec<String> = params
        .iter()
        .find(|(k, _)| k == "$select")
        .map(|(_, v)| v.split(',').map(|s| s.trim().to_owned()).collect())
        .unwrap_or_default();
    let now = st.now();
    let seq = st.dir.seq();
    let state = match params.iter().find(|(k, _)| k == "$deltatoken") {
        None => None,
        Some((_, t)) if t == "latest" => {
            let d = DeltaState {
                kind,
                seq,
                select,
                issued: now,
            };
            return crate::routes::page(st, path, Vec::new(), Some(d));
        }
        Some((_, t)) => match st.deltas.get(t).cloned() {
            Some(d) if d.kind == kind => {
                let expired = st
                    .config
                    .delta_lifetime
                    .is_some_and(|life| now - d.issued > life);
                if expired {
                    return Reply::error(
                        400,
                        "syncStateNotFound",
                        "The sync state generation is not found.",
                    );
                }
                Some(d)
            }
            _ => {
                return Reply::error(400, "syncStateNotFound", "The sync state is not found.");
            }
        },
    };
    let (items, select) = match state {
        None => (snapshot(st, kind, &select), select),
        Some(d) => (changes(st, kind, d.seq, &d.select), d.select),
    };
    let next = DeltaState {
        kind,
        seq,
        select,
        issued: now,
    };
    crate::routes::page(st, path, items, Some(next))
}

fn wants(select: &[String], name: &str) -> bool {
    select.is_empty() || select.iter().any(|s| s == name)
}

/// Entries for one live object: its properties, then its members in chunks.
fn entries(
    st: &State,
    o: &Object,
    select: &[String],
    members: &BTreeMap<String, bool>,
    manager: bool,
) -> Vec<Value> {
    let mut first = st.dir.render(o, select);
    if manager
        && wants(select, "manager")
        && let Some(m) = first.as_object_mut()
    {
        let list: Vec<Value> = o
            .manager
            .iter()
            .map(|id| json!({"@odata.type": "#microsoft.graph.user", "id": id}))
            .collect();
        m.insert("manager@delta".into(), Value::Array(list));
    }
    if !wants(select, "members") || members.is_empty() {
        return vec![first];
    }
    let edges: Vec<Value> = members
        .iter()
        .map(|(id, added)| {
            let t = st
                .dir
                .objects
                .get(id)
                .or_else(|| st.dir.deleted.get(id))
                .map_or("#microsoft.graph.user", |m| m.kind.odata_type());
            if *added {
                json!({"@odata.type": t, "id": id})
            } else {
                json!({"@odata.type": t, "id": id, "@removed": {"reason": "deleted"}})
            }
        })
        .collect();
    let chunk = st.config.members_per_entry.max(1);
    let mut out = Vec::new();
    for (i, part) in edges.chunks(chunk).enumerate() {
        let mut e = if i == 0 {
            first.clone()
        } else {
            json!({"id": o.id})
        };
        if let Some(m) = e.as_object_mut() {
            m.insert("members@delta".into(), Value::Array(part.to_vec()));
        }
        out.push(e);
    }
    out
}

fn snapshot(st: &State, kind: Kind, select: &[String]) -> Vec<Value> {
    st.dir
        .objects
        .values()
        .filter(|o| o.kind == kind)
        .flat_map(|o| {
            let members = o.members.iter().map(|m| (m.clone(), true)).collect();
            entries(st, o, select, &members, o.manager.is_some())
        })
        .collect()
}

fn changes(st: &State, kind: Kind, since: u64, select: &[String]) -> Vec<Value> {
    let mut order = Vec::new();
    let mut seen = HashSet::new();
    let mut by_id: BTreeMap<String, Since> = BTreeMap::new();
    for c in st
        .dir
        .log
        .iter()
        .filter(|c| c.seq > since && c.kind == kind)
    {
        if seen.insert(c.id.clone()) {
            order.push(c.id.clone());
        }
        let s = by_id.entry(c.id.clone()).or_default();
        match &c.what {
            What::Created => s.created = true,
            What::Props(p) => s.props.extend(p.iter().cloned()),
            What::Manager => s.manager = true,
            What::Member(m, added) => {
                s.members.insert(m.clone(), *added);
            }
            // Delta queries do not track owners.
            What::Owner(..) | What::SoftDeleted | What::HardDeleted => {}
        }
    }
    let mut out = Vec::new();
    for id in order {
        let Some(s) = by_id.get(&id) else { continue };
        match st.dir.get(kind, &id) {
            Some(o) if s.created => {
                let members = o.members.iter().map(|m| (m.clone(), true)).collect();
                out.extend(entries(st, o, select, &members, o.manager.is_some()));
            }
            Some(o) => {
                let props = select.is_empty() || s.props.iter().any(|p| wants(select, p));
                let manager = s.manager && wants(select, "manager");
                let members = !s.members.is_empty() && wants(select, "members");
                if props || manager || members {
                    out.extend(entries(st, o, select, &s.members, manager));
                }
            }
            None => {
                let reason = if st.dir.deleted.contains_key(&id) {
                    "changed"
                } else {
                    "deleted"
                };
                let mut m = Map::new();
                m.insert("id".into(), Value::String(id.clone()));
                m.insert("@removed".into(), json!({ "reason": reason }));
                out.push(Value::Object(m));
            }
        }
    }
    out
}
