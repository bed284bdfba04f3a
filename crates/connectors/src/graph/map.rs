//! The mapping between the Entra connector space's attribute names (as the default rules
//! write them: `sourceAnchor`, `alias`, `surname`, `telephoneNumber`, ...) and Graph's
//! properties, both ways; pure functions.
//!
//! - A property Graph has is written under its Graph name (`sourceAnchor` →
//!   `onPremisesImmutableId`, `alias` → `mailNickname`, `title` → `jobTitle`,
//!   `telephoneNumber` → `businessPhones`, ...).
//! - References (`manager` of a user, `member` and `managedBy` of a group, the last as the
//!   group's owners) are edges written with `$ref`, never values.
//! - Any other attribute is a directory extension property, `extension_<appId>_<name>`,
//!   registered on the application before its first write; its data type follows the value
//!   (binary, integer, Boolean, else string) and the names known to hold several values.
//! - A group's `sourceAnchor` is an extension too (groups have no `onPremisesImmutableId`).
//!
//! An object's DN in the connector space is `CN={HEX}`, HEX being the uppercase hexadecimal
//! of the UTF-8 of its source anchor (as the default rules' provisioning flows write it),
//! else `CN={User_<id>}` / `CN={Group_<id>}` for an object without one.

use serde_json::{Map, Value as Json};
use syncrules_lang::Value;
use syncrules_lang::name::{AttrMap, Name};

/// A Graph object kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `/users`.
    User,
    /// `/groups`.
    Group,
}

impl Kind {
    /// `users` or `groups`.
    pub fn segment(self) -> &'static str {
        match self {
            Kind::User => "users",
            Kind::Group => "groups",
        }
    }

    /// `user` or `group`, the connector space's object type.
    pub fn object_type(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
        }
    }

    /// `User` or `Group`, as `cloudAnchor` and extension targets write it.
    pub fn title(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Group => "Group",
        }
    }

    /// The kind of a connector-space object type; contacts and others are not writable
    /// through Graph.
    pub fn of(object_type: &str) -> Option<Kind> {
        match object_type.to_ascii_lowercase().as_str() {
            "user" => Some(Kind::User),
            "group" => Some(Kind::Group),
            _ => None,
        }
    }
}

const USER_PROPS: &[(&str, &str)] = &[
    ("userPrincipalName", "userPrincipalName"),
    ("accountEnabled", "accountEnabled"),
    ("displayName", "displayName"),
    ("givenName", "givenName"),
    ("surname", "surname"),
    ("mail", "mail"),
    ("alias", "mailNickname"),
    ("sourceAnchor", "onPremisesImmutableId"),
    ("title", "jobTitle"),
    ("department", "department"),
    ("company", "companyName"),
    ("physicalDeliveryOfficeName", "officeLocation"),
    ("streetAddress", "streetAddress"),
    ("city", "city"),
    ("state", "state"),
    ("postalCode", "postalCode"),
    ("country", "country"),
    ("mobile", "mobilePhone"),
    ("facsimileTelephoneNumber", "faxNumber"),
    ("preferredLanguage", "preferredLanguage"),
    ("employeeId", "employeeId"),
    ("usageLocation", "usageLocation"),
];

const GROUP_PROPS: &[(&str, &str)] = &[
    ("displayName", "displayName"),
    ("description", "description"),
    ("alias", "mailNickname"),
    ("securityEnabled", "securityEnabled"),
    ("mailEnabled", "mailEnabled"),
];

/// A user's `telephoneNumber` is the first of Graph's `businessPhones`.
const PHONE: &str = "telephoneNumber";

/// Attributes known to hold several values (registered multi-valued).
const MULTI: &[&str] = &[
    "proxyAddresses",
    "otherTelephone",
    "otherMobile",
    "otherHomePhone",
    "otherFacsimileTelephoneNumber",
    "otherPager",
    "otherIpPhone",
    "url",
];

/// The reference attributes of a kind: a user's `manager`, a group's `member` and
/// `managedBy` (its owners).
pub fn is_reference(kind: Kind, attr: &str) -> bool {
    matches!(
        (kind, attr),
        (Kind::User, "manager") | (Kind::Group, "member" | "managedBy")
    )
}

fn props(kind: Kind) -> &'static [(&'static str, &'static str)] {
    match kind {
        Kind::User => USER_PROPS,
        Kind::Group => GROUP_PROPS,
    }
}

/// Graph's name of a connector-space attribute, when Graph has the property.
pub fn graph_name(kind: Kind, attr: &str) -> Option<&'static str> {
    if kind == Kind::User && attr == PHONE {
        return Some("businessPhones");
    }
    props(kind)
        .iter()
        .find(|(a, _)| *a == attr)
        .map(|(_, g)| *g)
}

/// The extension property's full name of an attribute.
pub fn extension_name(app: &str, attr: &str) -> String {
    format!("extension_{}_{attr}", app.replace('-', ""))
}

/// An extension property to register: name (short), data type, multi-valued.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExtensionSpec {
    /// The attribute's name (the property is `extension_<app>_<name>`).
    pub name: String,
    /// `String`, `Integer`, `Boolean` or `Binary`.
    pub data_type: &'static str,
    /// Holds several values.
    pub multi: bool,
}

/// The extension an attribute's value needs.
pub fn extension_spec(attr: &str, value: &Value) -> ExtensionSpec {
    let first = match value {
        Value::Multi(vs) => vs.first().cloned().unwrap_or(Value::Null),
        v => v.clone(),
    };
    let data_type = match first {
        Value::Bin(_) => "Binary",
        Value::Num(_) => "Integer",
        Value::Bool(_) => "Boolean",
        Value::DateTime(_) => "DateTime",
        _ => "String",
    };
    let multi = MULTI.contains(&attr) || matches!(value, Value::Multi(vs) if vs.len() > 1);
    ExtensionSpec {
        name: attr.to_owned(),
        data_type,
        multi,
    }
}

/// A value as Graph JSON.
pub fn to_json(v: &Value) -> Json {
    match v {
        Value::Null | Value::Ignore | Value::AuthoritativeNull => Json::Null,
        Value::Str(s) | Value::Ref(s) => Json::String(s.to_string()),
        Value::Num(n) => Json::from(*n),
        Value::Bool(b) => Json::Bool(*b),
        Value::Bin(b) => {
            use base64::Engine as _;
            Json::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        Value::DateTime(dt) => Json::String(syncrules_lang::json::rfc3339(dt)),
        Value::Multi(vs) => Json::Array(vs.iter().map(to_json).collect()),
    }
}

/// Graph JSON as a value of `data_type` (`Binary` from base64, `DateTime` from RFC 3339).
pub fn from_json(j: &Json, data_type: &str) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => n.as_i64().map_or(Value::Null, Value::Num),
        Json::String(s) => match data_type {
            "Binary" => {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(s)
                    .map_or_else(|_| Value::str(s), |b| Value::Bin(b.into()))
            }
            "DateTime" => {
                let typed = serde_json::json!({"type": "datetime", "value": s});
                syncrules_lang::json::from_typed(&typed).unwrap_or_else(|_| Value::str(s))
            }
            _ => Value::str(s),
        },
        Json::Array(a) if a.is_empty() => Value::Null,
        Json::Array(a) => Value::Multi(a.iter().map(|x| from_json(x, data_type)).collect()),
        Json::Object(_) => Value::Null,
    }
}

/// Uppercase hexadecimal of the UTF-8 of `s` (`ConvertToUTF8Hex`).
fn hex_upper(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02X}")).collect()
}

/// The connector-space DN of an object.
pub fn dn_for(kind: Kind, source_anchor: Option<&str>, id: &str) -> String {
    match source_anchor.filter(|s| !s.is_empty()) {
        Some(a) => format!("CN={{{}}}", hex_upper(a)),
        None => format!("CN={{{}_{id}}}", kind.title()),
    }
}

/// The source anchor a DN holds (`CN={HEX}`), when it holds one.
pub fn anchor_of_dn(dn: &str) -> Option<String> {
    let hex = dn.strip_prefix("CN={")?.strip_suffix('}')?;
    if hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    String::from_utf8(bytes?).ok()
}

/// The `mailNickname` written when the rules give none (Graph requires one): derived from
/// the source anchor, and not reported back by imports.
pub fn derived_nickname(source_anchor: &str) -> String {
    let hex = hex_upper(source_anchor).to_lowercase();
    format!("sync{}", hex.get(..56.min(hex.len())).unwrap_or(&hex))
}

/// A change as Graph sees it: the body, the references (attribute and value), and the
/// extensions the body writes.
pub type Planned = (Map<String, Json>, Vec<(String, Value)>, Vec<ExtensionSpec>);

/// A change's attributes as a Graph body: Graph properties and extensions (`app` is the
/// application's client id); references and the extension specs it needs are returned
/// apart. A null removes a property.
pub fn body_for(kind: Kind, attrs: &AttrMap, app: &str) -> Planned {
    let mut body = Map::new();
    let mut refs = Vec::new();
    let mut exts = Vec::new();
    for (name, value) in attrs {
        if matches!(value, Value::Ignore) {
            continue;
        }
        if is_reference(kind, name) {
            refs.push((name.to_string(), value.clone()));
            continue;
        }
        let is_group_anchor = kind == Kind::Group && name == "sourceAnchor";
        match graph_name(kind, name).filter(|_| !is_group_anchor) {
            Some("businessPhones") => {
                let phones = match value {
                    Value::Null => Json::Array(Vec::new()),
                    v => Json::Array(v.values().iter().map(to_json).collect()),
                };
                body.insert("businessPhones".into(), phones);
            }
            Some(g) => {
                let v = match value {
                    Value::Multi(vs) if vs.len() == 1 => vs.first().map_or(Json::Null, to_json),
                    v => to_json(v),
                };
                body.insert(g.into(), v);
            }
            None => {
                let spec = extension_spec(name, value);
                let v = match value {
                    Value::Multi(_) => to_json(value),
                    Value::Null => Json::Null,
                    v if spec.multi => Json::Array(vec![to_json(v)]),
                    v => to_json(v),
                };
                body.insert(extension_name(app, name), v);
                if !value.is_null() {
                    exts.push(spec);
                }
            }
        }
    }
    (body, refs, exts)
}

/// A registered extension: full name, short name, data type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registered {
    /// `extension_<app>_<name>`.
    pub full: String,
    /// `<name>`, the connector-space attribute.
    pub short: String,
    /// Its data type.
    pub data_type: String,
}

/// The `$select` of an import: Graph properties, registered extensions, references.
pub fn select(kind: Kind, exts: &[Registered]) -> String {
    let mut out: Vec<String> = vec!["id".to_owned()];
    out.extend(props(kind).iter().map(|(_, g)| (*g).to_owned()));
    match kind {
        Kind::User => out.extend(["businessPhones".to_owned(), "manager".to_owned()]),
        Kind::Group => out.push("members".to_owned()),
    }
    out.extend(exts.iter().map(|e| e.full.clone()));
    out.join(",")
}

/// The connector-space attributes of a Graph object (references apart): Graph names back
/// to the rules' names, extensions by their short names, `cloudAnchor`, and
/// `cloudMastered` for an object without a source anchor. A property that is `null` is a
/// null value (it removes the attribute in a delta import).
pub fn attributes_of(kind: Kind, o: &Map<String, Json>, exts: &[Registered]) -> AttrMap {
    let mut out = AttrMap::default();
    let id = o.get("id").and_then(Json::as_str).unwrap_or_default();
    for (attr, g) in props(kind) {
        if kind == Kind::Group && *attr == "sourceAnchor" {
            continue;
        }
        if let Some(j) = o.get(*g) {
            out.insert((*attr).into(), from_json(j, "String"));
        }
    }
    if kind == Kind::User
        && let Some(j) = o.get("businessPhones")
    {
        let first = j
            .as_array()
            .and_then(|a| a.first())
            .cloned()
            .unwrap_or(Json::Null);
        out.insert(PHONE.into(), from_json(&first, "String"));
    }
    // A reference is an edge, never an extension (even one registered before it was).
    let own =
        |e: &&Registered| graph_name(kind, &e.short).is_none() && !is_reference(kind, &e.short);
    for e in exts.iter().filter(own) {
        if let Some(j) = o.get(&e.full) {
            out.insert(Name::new(&e.short), from_json(j, &e.data_type));
        }
    }
    let anchor = match out.get("sourceAnchor") {
        Some(Value::Str(s)) => Some(s.to_string()),
        _ => None,
    };
    // A mailNickname the connector made up is not the rules' alias.
    if let (Some(a), Some(Value::Str(nick))) = (&anchor, out.get("alias"))
        && **nick == *derived_nickname(a)
    {
        out.insert("alias".into(), Value::Null);
    }
    out.insert(
        "cloudAnchor".into(),
        Value::str(format!("{}_{id}", kind.title())),
    );
    if anchor.is_none() {
        out.insert("cloudMastered".into(), Value::Bool(true));
    }
    out
}

#[cfg(test)]
#[path = "map_tests.rs"]
mod tests;
