//! The in-memory directory: users and groups with GUID ids, unique values, membership
//! edges, managers, a soft-delete bin, registered extension properties and an append-only
//! change log that delta rounds read.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

/// Users or groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `/users`.
    User,
    /// `/groups`.
    Group,
}

impl Kind {
    /// `#microsoft.graph.user` or `#microsoft.graph.group`.
    pub fn odata_type(self) -> &'static str {
        match self {
            Kind::User => "#microsoft.graph.user",
            Kind::Group => "#microsoft.graph.group",
        }
    }
}

/// One object.
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    /// Its GUID.
    pub id: String,
    /// User or group.
    pub kind: Kind,
    /// Its properties (without `id`).
    pub props: Map<String, Value>,
    /// A group's members' ids.
    pub members: BTreeSet<String>,
    /// A user's manager's id.
    pub manager: Option<String>,
    /// A group's owners' ids (users). Delta queries do not report them.
    pub owners: BTreeSet<String>,
}

/// What one entry of the change log says.
#[derive(Clone, Debug, PartialEq)]
pub enum What {
    /// Created.
    Created,
    /// These properties changed.
    Props(Vec<String>),
    /// The manager changed.
    Manager,
    /// A member was added (true) or removed (false).
    Member(String, bool),
    /// An owner was added (true) or removed (false); no delta round shows it.
    Owner(String, bool),
    /// Moved to the deleted-items bin.
    SoftDeleted,
    /// Gone for good.
    HardDeleted,
}

/// One entry of the change log.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// Its number, from 1.
    pub seq: u64,
    /// The object's kind.
    pub kind: Kind,
    /// The object's id.
    pub id: String,
    /// What changed.
    pub what: What,
}

/// A write the directory refuses: the status, `error.code`, message and details.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    /// HTTP status.
    pub status: u16,
    /// `error.code`.
    pub code: &'static str,
    /// `error.message`.
    pub message: String,
    /// `error.details`.
    pub details: Vec<Value>,
}

impl Refusal {
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    fn conflict(target: &str, value: &str) -> Self {
        Refusal {
            status: 400,
            code: "Request_BadRequest",
            message: format!(
                "Another object with the same value for property {target} already exists."
            ),
            details: vec![json!({"code": "ObjectConflict", "target": target, "message": value})],
        }
    }

    pub(crate) fn not_found(id: &str) -> Self {
        Refusal::new(
            404,
            "Request_ResourceNotFound",
            format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }
}

/// Properties unique across objects, ignoring case: (kind or both, name).
const UNIQUE: &[(Option<Kind>, &str)] = &[
    (Some(Kind::User), "userPrincipalName"),
    (Some(Kind::User), "onPremisesImmutableId"),
    (None, "mailNickname"),
];

/// Properties a client may not write.
const READ_ONLY: &[&str] = &[
    "id",
    "onPremisesSyncEnabled",
    "proxyAddresses",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "securityIdentifier",
    "createdDateTime",
];

/// Properties a create needs.
fn required(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::User => &[
            "accountEnabled",
            "displayName",
            "mailNickname",
            "userPrincipalName",
            "passwordProfile",
        ],
        Kind::Group => &[
            "displayName",
            "mailEnabled",
            "mailNickname",
            "securityEnabled",
        ],
    }
}

/// A registered directory extension property.
#[derive(Clone, Debug, PartialEq)]
pub struct Extension {
    /// Its full name, `extension_<appId without dashes>_<name>`.
    pub name: String,
    /// `String`, `Integer`, `Boolean`, `Binary`, `DateTime`.
    pub data_type: String,
    /// Multi-valued.
    pub multi: bool,
    /// `User`, `Group`.
    pub targets: Vec<String>,
}

/// The directory.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    /// Live objects by id.
    pub objects: BTreeMap<String, Object>,
    /// The deleted-items bin.
    pub deleted: BTreeMap<String, Object>,
    /// The change log.
    pub log: Vec<Change>,
    /// Registered extension properties.
    pub extensions: Vec<Extension>,
    /// The unique values held: (property, value in lowercase) to the object's id.
    unique: std::collections::HashMap<(String, String), String>,
}

impl Directory {
    /// Indexes (or with `add` false, unindexes) an object's unique values.
    pub(crate) fn index(&mut self, id: &str, add: bool) {
        let Some(o) = self.objects.get(id) else {
            return;
        };
        let keys: Vec<(String, String)> = UNIQUE
            .iter()
            .filter(|(only, _)| only.is_none_or(|k| k == o.kind))
            .filter_map(|(_, name)| {
                let v = o.props.get(*name).and_then(Value::as_str)?;
                Some(((*name).to_owned(), v.to_lowercase()))
            })
            .collect();
        for k in keys {
            if add {
                self.unique.insert(k, id.to_owned());
            } else {
                self.unique.remove(&k);
            }
        }
    }

    /// The last change's number (0 when none).
    pub fn seq(&self) -> u64 {
        self.log.last().map_or(0, |c| c.seq)
    }

    pub(crate) fn record(&mut self, kind: Kind, id: &str, what: What) {
        let seq = self.seq() + 1;
        self.log.push(Change {
            seq,
            kind,
            id: id.to_owned(),
            what,
        });
    }

    /// The live object `id` of `kind`.
    pub fn get(&self, kind: Kind, id: &str) -> Option<&Object> {
        self.objects.get(id).filter(|o| o.kind == kind)
    }

    fn check_props(
        &self,
        kind: Kind,
        id: Option<&str>,
        props: &Map<String, Value>,
        client: bool,
    ) -> Result<(), Refusal> {
        for (k, v) in props {
            if client && READ_ONLY.contains(&k.as_str()) {
                return Err(Refusal::new(
                    400,
                    "Request_BadRequest",
                    format!("Property '{k}' is read-only and cannot be set."),
                ));
            }
            if k.starts_with("extension_") {
                let target = match kind {
                    Kind::User => "User",
                    Kind::Group => "Group",
                };
                let known = self
                    .extensions
                    .iter()
                    .any(|e| &e.name == k && e.targets.iter().any(|t| t == target));
                if !known {
                    return Err(Refusal::new(
                        400,
                        "Request_BadRequest",
                        format!(
                            "Property '{k}' does not exist as a declared property or extension property."
                        ),
                    ));
                }
            }
            if k == "onPremisesImmutableId"
                && let Some(s) = v.as_str()
                && (s.contains('$') || s.contains('_'))
            {
                return Err(Refusal::new(
                    400,
                    "Request_BadRequest",
                    "Property 'onPremisesImmutableId' has an invalid value.",
                ));
            }
        }
        for (only, name) in UNIQUE {
            if only.is_some_and(|k| k != kind) {
                continue;
            }
            let Some(value) = props.get(*name).and_then(Value::as_str) else {
                continue;
            };
            let key = ((*name).to_owned(), value.to_lowercase());
            let clash = self
                .unique
                .get(&key)
                .is_some_and(|holder| Some(holder.as_str()) != id);
            if clash {
                return Err(Refusal::conflict(name, value));
            }
        }
        Ok(())
    }

    /// Creates an object from a client's body; its id.
    pub fn create(&mut self, kind: Kind, mut props: Map<String, Value>) -> Result<Object, Refusal> {
        for r in required(kind) {
            if props.get(*r).is_none_or(Value::is_null) {
                return Err(Refusal::new(
                    400,
                    "Request_BadRequest",
                    format!("Invalid value specified for property '{r}' of resource '{kind:?}'."),
                ));
            }
        }
        if kind == Kind::Group {
            let unified = props
                .get("groupTypes")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|t| t == "Unified"));
            if props.get("mailEnabled") == Some(&Value::Bool(true)) && !unified {
                return Err(Refusal::new(
                    400,
                    "Request_BadRequest",
                    "Only Microsoft 365 groups and security groups can be created through Microsoft Graph.",
                ));
            }
        }
        self.check_props(kind, None, &props, true)?;
        props.remove("passwordProfile");
        let id = uuid::Uuid::new_v4().to_string();
        let object = Object {
            id: id.clone(),
            kind,
            props,
            members: BTreeSet::new(),
            manager: None,
            owners: BTreeSet::new(),
        };
        self.objects.insert(id.clone(), object.clone());
        self.index(&id, true);
        self.record(kind, &id, What::Created);
        Ok(object)
    }

    /// Seeds an object as an administrator would (read-only properties allowed, such as
    /// `onPremisesSyncEnabled`); unique values still checked.
    pub fn seed(&mut self, kind: Kind, props: Map<String, Value>) -> Result<String, Refusal> {
        self.check_props(kind, None, &props, false)?;
        let id = uuid::Uuid::new_v4().to_string();
        self.objects.insert(
            id.clone(),
            Object {
                id: id.clone(),
                kind,
                props,
                members: BTreeSet::new(),
                manager: None,
                owners: BTreeSet::new(),
            },
        );
        self.index(&id, true);
        self.record(kind, &id, What::Created);
        Ok(id)
    }

    /// Sets properties (a null removes one).
    pub fn update(
        &mut self,
        kind: Kind,
        id: &str,
        props: Map<String, Value>,
        client: bool,
    ) -> Result<(), Refusal> {
        let o = self.get(kind, id).ok_or_else(|| Refusal::not_found(id))?;
        if client && o.props.get("onPremisesSyncEnabled") == Some(&Value::Bool(true)) {
            return Err(Refusal::new(
                400,
                "Request_BadRequest",
                "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.",
            ));
        }
        for r in required(kind) {
            if props.get(*r).is_some_and(Value::is_null) {
                return Err(Refusal::new(
                    400,
                    "Request_BadRequest",
                    format!("Property '{r}' cannot be removed."),
                ));
            }
        }
        self.check_props(kind, Some(id), &props, client)?;
        let mut changed = Vec::new();
        self.index(id, false);
        if let Some(o) = self.objects.get_mut(id) {
            for (k, v) in props {
                if k == "passwordProfile" {
                    continue;
                }
                let old = o.props.get(&k).cloned().unwrap_or(Value::Null);
                if old != v {
                    changed.push(k.clone());
                }
                if v.is_null() {
                    o.props.remove(&k);
                } else {
                    o.props.insert(k, v);
                }
            }
        }
        self.index(id, true);
        if !changed.is_empty() {
            self.record(kind, id, What::Props(changed));
        }
        Ok(())
    }
}
