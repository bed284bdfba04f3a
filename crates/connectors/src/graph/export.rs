//! Exports: each change planned as Graph writes, run through `$batch`: the objects
//! (creates, updates, deletes) and their references (managers, members; see [`super::refs`]),
//! each reference as soon as the creates it needs are answered.
//!
//! - A create that meets `ObjectConflict` looks the object up: one holding the same source
//!   anchor is this object (a create retried after a lost answer, or a hard match) and is
//!   updated instead; a user without a source anchor holding the same
//!   `userPrincipalName` is soft-matched (it gets the anchor); anything else is the
//!   object's [`FailureClass::DuplicateAttribute`] error.
//! - Contacts, distribution lists and mail-enabled security groups are not creatable
//!   through Graph: each is that object's error.
//! - An update sends only the attributes the engine says changed; a group's members and
//!   owners (`managedBy`) are compared with the ones Graph holds and only the difference is
//!   sent. A reference to an
//!   object Entra ID does not hold is left out (the engine sends it again once it is there).

use std::collections::{HashMap, HashSet};
use syncrules_lang::name::AttrMap;

use serde_json::{Map, Value as Json, json};
use syncrules_connector::{ConnectorError, ExportChange, ExportOp, ExportResult, FailureClass};
use syncrules_lang::Value;

use super::GraphConnector;
use super::batch::{self, Call, Outcome, What};
use super::client::Answer;
use super::map::{self, Kind};
use super::outcome::{classify, followup_done, is_object, ref_done};
use super::refs::created_id;

/// Where one change stands.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    pub(crate) kind: Option<Kind>,
    pub(crate) id: Option<String>,
    pub(crate) failed: Option<(FailureClass, String)>,
    pub(crate) retry: Option<String>,
    pub(crate) refs: Vec<(String, Value)>,
    create_body: Option<Map<String, Json>>,
}

impl Progress {
    pub(crate) fn fail(&mut self, class: FailureClass, message: impl Into<String>) {
        if self.failed.is_none() {
            self.failed = Some((class, message.into()));
        }
    }
}

fn random_password() -> String {
    use rand::Rng as _;
    let mut rng = rand::thread_rng();
    let chars: Vec<char> = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789!#%+=?"
        .chars()
        .collect();
    let body: String = (0..24)
        .filter_map(|_| chars.get(rng.gen_range(0..chars.len())).copied())
        .collect();
    format!("Aa1!{body}")
}

fn anchor_of(attrs: &AttrMap) -> Option<String> {
    match attrs.get("sourceAnchor") {
        Some(Value::Str(s)) => Some(s.to_string()),
        Some(Value::Multi(vs)) => vs.first().map(|v| v.to_string()),
        _ => None,
    }
}

fn holds(attrs: &AttrMap, name: &str) -> bool {
    attrs
        .get(name)
        .is_some_and(|v| !v.is_null() && !v.values().iter().all(|x| x.to_string().is_empty()))
}

impl GraphConnector {
    pub(crate) async fn export_changes(
        &mut self,
        changes: &[ExportChange],
    ) -> Result<Vec<ExportResult>, ConnectorError> {
        let client = self.client()?;
        let api = self.api();
        let app = self.settings.client_id.clone();
        let mut progress: Vec<Progress> = changes.iter().map(|_| Progress::default()).collect();
        // Extensions first: every one the batch writes, registered once.
        let mut specs = Vec::new();
        let mut planned = Vec::new();
        for c in changes {
            let kind = Kind::of(&c.object_type);
            let (body, refs, exts) = match kind {
                Some(k) => map::body_for(k, &c.attributes, &app),
                None => (Map::new(), Vec::new(), Vec::new()),
            };
            specs.extend(exts);
            planned.push((kind, body, refs));
        }
        let mut seen = HashSet::new();
        specs.retain(|s| seen.insert(s.name.clone()));
        if !specs.is_empty() {
            self.register(&specs).await?;
        }
        let registered: HashSet<String> = self
            .registered()
            .await?
            .into_iter()
            .map(|r| r.full)
            .collect();
        let mut calls = Vec::new();
        for (i, (c, (kind, mut body, refs))) in changes.iter().zip(planned).enumerate() {
            body.retain(|k, _| !k.starts_with("extension_") || registered.contains(k));
            let p = progress
                .get_mut(i)
                .ok_or_else(|| self.unavailable("internal"))?;
            p.kind = kind;
            p.refs = refs;
            p.id = c.anchor.clone();
            let Some(kind) = kind else {
                p.fail(
                    FailureClass::Refused,
                    format!("a `{}` is not creatable through Graph", c.object_type),
                );
                continue;
            };
            if p.id.is_none() && c.op != ExportOp::Add {
                p.id = self.id_of_dn(c.dn.as_str()).await?.map(|(_, id)| id);
            }
            match (c.op, p.id.clone()) {
                (ExportOp::Add, _) => {
                    if let Some(call) = self.plan_create(i, kind, c, body, p) {
                        calls.push(call);
                    }
                }
                (ExportOp::Delete, Some(id)) => calls.push(Call::new(
                    i,
                    What::Delete,
                    "DELETE",
                    format!("/{}/{id}", kind.segment()),
                    None,
                )),
                // Already gone.
                (ExportOp::Delete, None) => {}
                (ExportOp::Update | ExportOp::Rename, Some(id)) => {
                    // A removed alias keeps the made-up nickname Graph requires.
                    if body.get("mailNickname").is_some_and(Json::is_null) {
                        let anchor = anchor_of(&c.attributes)
                            .or_else(|| map::anchor_of_dn(c.dn.as_str()))
                            .unwrap_or_else(|| id.clone());
                        body.insert("mailNickname".into(), json!(map::derived_nickname(&anchor)));
                    }
                    if !body.is_empty() {
                        calls.push(Call::new(
                            i,
                            What::Patch,
                            "PATCH",
                            format!("/{}/{id}", kind.segment()),
                            Some(Json::Object(body)),
                        ));
                    }
                }
                (ExportOp::Update | ExportOp::Rename, None) => p.fail(
                    FailureClass::NoSuchObject,
                    format!("`{}` is not in Entra ID", c.dn),
                ),
            }
        }
        // References to objects this export creates wait for those creates' answers.
        let creating: HashMap<syncrules_lang::dn::DnKey, usize> = calls
            .iter()
            .filter(|c| c.what == What::Create)
            .filter_map(|c| {
                changes
                    .get(c.change)
                    .map(|x| (syncrules_lang::dn::DnKey::new(x.dn.as_str()), c.change))
            })
            .collect();
        let mut refs = self.plan_refs(changes, &progress, &creating).await?;
        calls.extend(refs.ready(&progress, &api));
        let answers = batch::run(&client, &api, calls, |call, outcome| {
            if call.what != What::Create {
                return Vec::new();
            }
            if let (Some(id), Some(p)) = (created_id(outcome), progress.get_mut(call.change)) {
                p.id = Some(id);
            }
            refs.created(call.change, &progress, &api)
        })
        .await;
        let (objects, references): (Vec<_>, Vec<_>) =
            answers.into_iter().partition(|(c, _)| is_object(&c.what));
        for (call, outcome) in references {
            if let Some(p) = progress.get_mut(call.change) {
                ref_done(p, &call, outcome);
            }
        }
        let followups = self.objects_done(changes, &mut progress, objects).await?;
        // Objects found after a conflict: updated, then their references written.
        let mut calls = followups;
        let found: Vec<usize> = calls.iter().map(|c| c.change).collect();
        for i in found {
            calls.extend(refs.calls(i, &progress, &api));
        }
        let answers = batch::run(&client, &api, calls, |_, _| Vec::new()).await;
        for (call, outcome) in answers {
            if let Some(p) = progress.get_mut(call.change) {
                if is_object(&call.what) {
                    followup_done(p, outcome);
                } else {
                    ref_done(p, &call, outcome);
                }
            }
        }
        Ok(progress
            .into_iter()
            .map(|p| match (p.failed, p.retry) {
                (Some((class, message)), _) => ExportResult::Failed { class, message },
                (None, Some(message)) => ExportResult::Retry { message },
                (None, None) => ExportResult::Done { anchor: p.id },
            })
            .collect())
    }

    fn plan_create(
        &self,
        i: usize,
        kind: Kind,
        c: &ExportChange,
        mut body: Map<String, Json>,
        p: &mut Progress,
    ) -> Option<Call> {
        body.retain(|_, v| !v.is_null());
        let anchor = anchor_of(&c.attributes).or_else(|| map::anchor_of_dn(c.dn.as_str()));
        let nickname = anchor
            .as_deref()
            .map(map::derived_nickname)
            .unwrap_or_else(|| format!("sync{}", uuid::Uuid::new_v4().simple()));
        body.entry("mailNickname")
            .or_insert_with(|| json!(nickname));
        match kind {
            Kind::User => {
                for required in ["userPrincipalName", "displayName"] {
                    if !body.contains_key(required) {
                        p.fail(
                            FailureClass::InvalidValue,
                            format!("a user needs `{required}` to be created"),
                        );
                        return None;
                    }
                }
                body.entry("accountEnabled").or_insert(json!(true));
                body.insert(
                    "passwordProfile".into(),
                    json!({"forceChangePasswordNextSignIn": false, "password": random_password()}),
                );
            }
            Kind::Group => {
                let mail_enabled = holds(&c.attributes, "mail")
                    || holds(&c.attributes, "proxyAddresses")
                    || c.attributes.get("mailEnabled") == Some(&Value::Bool(true));
                if mail_enabled {
                    p.fail(
                        FailureClass::Refused,
                        "a distribution list or mail-enabled security group is not creatable through Graph (it belongs to Exchange Online)",
                    );
                    return None;
                }
                if !body.contains_key("displayName") {
                    p.fail(
                        FailureClass::InvalidValue,
                        "a group needs `displayName` to be created",
                    );
                    return None;
                }
                body.insert("mailEnabled".into(), json!(false));
                body.entry("securityEnabled").or_insert(json!(true));
            }
        }
        p.create_body = Some(body.clone());
        Some(Call::new(
            i,
            What::Create,
            "POST",
            format!("/{}", kind.segment()),
            Some(Json::Object(body)),
        ))
    }

    /// The objects' answers: ids learnt, conflicts looked up (the follow-up updates
    /// returned), failures recorded.
    async fn objects_done(
        &mut self,
        changes: &[ExportChange],
        progress: &mut [Progress],
        answers: Vec<(Call, Outcome)>,
    ) -> Result<Vec<Call>, ConnectorError> {
        let mut followups = Vec::new();
        for (call, outcome) in answers {
            let (Some(p), Some(c)) = (progress.get_mut(call.change), changes.get(call.change))
            else {
                continue;
            };
            let a = match outcome {
                Err(e) => {
                    p.retry = Some(e.to_string());
                    continue;
                }
                Ok(a) => a,
            };
            let kind = p.kind.unwrap_or(Kind::User);
            match call.what {
                What::Create if a.ok() => {
                    if let Some(id) = a.body.get("id").and_then(Json::as_str) {
                        p.id = Some(id.to_owned());
                        self.ids.learn(kind, c.dn.as_str(), id);
                    }
                }
                What::Create if classify(&a) == FailureClass::DuplicateAttribute => {
                    if let Some(f) = self.conflict(call.change, kind, c, p, &a).await? {
                        followups.push(f);
                    }
                }
                What::Delete if a.ok() || a.status == 404 => {}
                What::Patch if a.ok() => {}
                _ if a.transient() => p.retry = Some(a.message()),
                _ => p.fail(classify(&a), a.message()),
            }
        }
        Ok(followups)
    }

    /// A create met `ObjectConflict`: the object holding the value, if it is this one (same
    /// source anchor) or a cloud user to soft-match by UPN, is updated instead.
    async fn conflict(
        &mut self,
        i: usize,
        kind: Kind,
        c: &ExportChange,
        p: &mut Progress,
        a: &Answer,
    ) -> Result<Option<Call>, ConnectorError> {
        let anchor_prop = self.anchor_prop(kind);
        let select = format!("id,userPrincipalName,onPremisesSyncEnabled,{anchor_prop}");
        let anchor = anchor_of(&c.attributes).or_else(|| map::anchor_of_dn(c.dn.as_str()));
        let mut found = None;
        if let Some(anchor) = &anchor {
            found = self.find_by(kind, &anchor_prop, anchor, &select).await?;
        }
        let upn = c.attributes.get("userPrincipalName").map(|v| v.to_string());
        if found.is_none()
            && kind == Kind::User
            && let Some(upn) = upn
        {
            found = self
                .find_by(kind, "userPrincipalName", &upn, &select)
                .await?
                .filter(|o| {
                    o.get(&anchor_prop).is_none_or(Json::is_null)
                        && o.get("onPremisesSyncEnabled") != Some(&json!(true))
                });
        }
        let Some(id) = found.and_then(|o| o.get("id").and_then(Json::as_str).map(str::to_owned))
        else {
            p.fail(FailureClass::DuplicateAttribute, a.message());
            return Ok(None);
        };
        p.id = Some(id.clone());
        self.ids.learn(kind, c.dn.as_str(), &id);
        let mut body = p.create_body.take().unwrap_or_default();
        body.remove("passwordProfile");
        Ok(Some(Call::new(
            i,
            What::Patch,
            "PATCH",
            format!("/{}/{id}", kind.segment()),
            Some(Json::Object(body)),
        )))
    }
}
