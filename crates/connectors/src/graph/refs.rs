//! References (a user's manager, a group's members and owners) written by `$ref` as soon as the ids
//! they need are known: a reference to an object created in the same export waits for
//! that create's answer, not for the whole pass, so the write pipeline never drains
//! between objects and references.

use std::collections::{HashMap, HashSet};

use serde_json::{Value as Json, json};
use syncrules_connector::{ConnectorError, ExportChange, ExportOp};

use super::GraphConnector;
use super::batch::{Call, What};
use super::export::Progress;
use super::map::Kind;

/// A reference target: an id, or the change that creates it.
#[derive(Clone, Debug)]
enum Target {
    Id(String),
    Created(usize),
}

/// One reference attribute of one change.
#[derive(Clone, Debug)]
struct Plan {
    attr: String,
    targets: Vec<Target>,
    /// The value is null: remove (a manager).
    clear: bool,
    /// Members Graph holds now (updates of a group's members).
    held: Option<HashSet<String>>,
}

/// The reference writes of one export, released as their ids become known.
#[derive(Debug, Default)]
pub(crate) struct Refs {
    plans: HashMap<usize, Vec<Plan>>,
    /// The creates each change waits for (its own among them, when it is an add).
    waiting: HashMap<usize, HashSet<usize>>,
    /// The changes waiting for each create.
    dependents: HashMap<usize, Vec<usize>>,
}

impl GraphConnector {
    /// Plans the references of `changes`; `creating` maps the DN of each add to its change.
    pub(crate) async fn plan_refs(
        &mut self,
        changes: &[ExportChange],
        progress: &[Progress],
        creating: &HashMap<syncrules_lang::dn::DnKey, usize>,
    ) -> Result<Refs, ConnectorError> {
        let mut refs = Refs::default();
        // Deleting an object ends its memberships in Graph: no removal is sent for it.
        let deleting: HashSet<String> = changes
            .iter()
            .zip(progress)
            .filter(|(c, _)| c.op == ExportOp::Delete)
            .filter_map(|(_, p)| p.id.clone())
            .collect();
        for (i, (c, p)) in changes.iter().zip(progress).enumerate() {
            if p.failed.is_some() || p.refs.is_empty() || c.op == ExportOp::Delete {
                continue;
            }
            let mut waits = HashSet::new();
            if c.op == ExportOp::Add {
                waits.insert(i);
            }
            let mut plans = Vec::new();
            for (attr, value) in &p.refs {
                let mut targets = Vec::new();
                for v in value.values() {
                    let dn = v.to_string();
                    if let Some(j) = creating.get(&syncrules_lang::dn::DnKey::new(&dn)) {
                        waits.insert(*j);
                        targets.push(Target::Created(*j));
                    } else if let Some((_, id)) = self.id_of_dn(&dn).await? {
                        targets.push(Target::Id(id));
                    }
                    // Otherwise Entra ID does not hold it: left out, and sent again by the
                    // engine once it is there.
                }
                let edge = match attr.as_str() {
                    "member" => Some("members"),
                    "managedBy" => Some("owners"),
                    _ => None,
                };
                let held = match (&p.id, p.kind, edge, c.op) {
                    (Some(id), Some(Kind::Group), Some(edge), op) if op != ExportOp::Add => {
                        let mut held = self.edges(id, edge).await?;
                        held.retain(|m| !deleting.contains(m));
                        Some(held)
                    }
                    _ => None,
                };
                plans.push(Plan {
                    attr: attr.clone(),
                    targets,
                    clear: value.is_null() && c.op != ExportOp::Add,
                    held,
                });
            }
            for j in &waits {
                refs.dependents.entry(*j).or_default().push(i);
            }
            refs.waiting.insert(i, waits);
            refs.plans.insert(i, plans);
        }
        Ok(refs)
    }
}

impl Refs {
    /// The reference writes that wait for nothing.
    pub(crate) fn ready(&self, progress: &[Progress], api: &str) -> Vec<Call> {
        let mut out = Vec::new();
        for (i, waits) in &self.waiting {
            if waits.is_empty() {
                out.extend(self.calls(*i, progress, api));
            }
        }
        out
    }

    /// Change `j`'s create was answered: the reference writes no longer waiting.
    pub(crate) fn created(&mut self, j: usize, progress: &[Progress], api: &str) -> Vec<Call> {
        let mut out = Vec::new();
        for i in self.dependents.remove(&j).unwrap_or_default() {
            let Some(waits) = self.waiting.get_mut(&i) else {
                continue;
            };
            waits.remove(&j);
            if waits.is_empty() {
                out.extend(self.calls(i, progress, api));
            }
        }
        out
    }

    /// The reference writes of change `i`, with the ids known now.
    pub(crate) fn calls(&self, i: usize, progress: &[Progress], api: &str) -> Vec<Call> {
        let Some(p) = progress.get(i) else {
            return Vec::new();
        };
        let (Some(id), None, Some(kind)) = (&p.id, &p.failed, p.kind) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for plan in self.plans.get(&i).into_iter().flatten() {
            let wanted: Vec<String> = plan
                .targets
                .iter()
                .filter_map(|t| match t {
                    Target::Id(id) => Some(id.clone()),
                    Target::Created(j) => progress.get(*j).and_then(|q| q.id.clone()),
                })
                .collect();
            match (kind, plan.attr.as_str()) {
                (Kind::User, "manager") => match wanted.first() {
                    Some(m) => out.push(Call::new(
                        i,
                        What::SetManager,
                        "PUT",
                        format!("/users/{id}/manager/$ref"),
                        Some(json!({"@odata.id": format!("{api}/users/{m}")})),
                    )),
                    None if plan.clear => out.push(Call::new(
                        i,
                        What::RemoveManager,
                        "DELETE",
                        format!("/users/{id}/manager/$ref"),
                        None,
                    )),
                    None => {}
                },
                (Kind::Group, attr @ ("member" | "managedBy")) => {
                    // Members may be any directory object; owners are users.
                    let (edge, add, remove, target) = if attr == "member" {
                        (
                            "members",
                            What::AddMember,
                            What::RemoveMember,
                            "directoryObjects",
                        )
                    } else {
                        ("owners", What::AddOwner, What::RemoveOwner, "users")
                    };
                    let held = plan.held.clone().unwrap_or_default();
                    let wanted: HashSet<String> = wanted.into_iter().collect();
                    for m in wanted.difference(&held) {
                        out.push(Call::new(
                            i,
                            add.clone(),
                            "POST",
                            format!("/groups/{id}/{edge}/$ref"),
                            Some(json!({"@odata.id": format!("{api}/{target}/{m}")})),
                        ));
                    }
                    for m in held.difference(&wanted) {
                        out.push(Call::new(
                            i,
                            remove.clone(),
                            "DELETE",
                            format!("/groups/{id}/{edge}/{m}/$ref"),
                            None,
                        ));
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// A create's id from its answer.
pub(crate) fn created_id(outcome: &super::batch::Outcome) -> Option<String> {
    match outcome {
        Ok(a) if a.ok() => a.body.get("id").and_then(Json::as_str).map(str::to_owned),
        _ => None,
    }
}
