//! The stored encoding: compact JSON written by hand (the model has no serde derives), pure
//! functions both ways.
//!
//! A connector-space object (its connector and id are its key; absent and false fields are
//! left out; serde_json writes the keys sorted):
//!
//! ```json
//! {"dn":"CN=a,DC=x","anchor":"AAE=","type":"user",
//!  "attrs":[["cn",{"type":"string","value":"a"}]],"unconfirmed":[],
//!  "import":"update","export":{"op":"update","attrs":[...],"old_dn":"CN=b,DC=x"},
//!  "error":{"class":"refused","message":"..."},"link":4,"link_rule":"In from AD",
//!  "provisioned":true}
//! ```
//!
//! A metaverse object: `{"type":"person","attrs":[...],"links":[["AD",3]],"anchored_by":["AD"]}`.
//! Attributes are `[name, typed value]` pairs in their order, values in the typed shape of
//! [`to_typed`]. Decoding errors name the field, never a value.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use serde_json::{Map, Value as Json, json};
use syncrules_lang::Value;
use syncrules_lang::json::{from_typed, to_typed};

use crate::connector::ExportOp;
use crate::model::{
    ConnectorSpace, CsId, CsObject, ExportError, MvId, MvObject, PendingExport, PendingImport,
    State,
};

/// A decoding failure: what is wrong, without the offending value.
pub(crate) type Decoded<T> = Result<T, String>;

/// JSON as compact bytes.
pub(crate) fn to_bytes(j: &Json) -> Decoded<Vec<u8>> {
    serde_json::to_vec(j).map_err(|e| format!("cannot encode: {e}"))
}

/// Bytes as JSON.
pub(crate) fn from_bytes(bytes: &[u8]) -> Decoded<Json> {
    // serde_json's syntax errors give a position, not the text.
    serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))
}

/// A connector-space object as JSON.
pub(crate) fn cs_to_json(o: &CsObject) -> Json {
    let mut m = Map::new();
    m.insert("dn".into(), json!(o.dn));
    if let Some(a) = &o.anchor {
        m.insert("anchor".into(), json!(a));
    }
    m.insert("type".into(), json!(o.object_type));
    m.insert("attrs".into(), attrs_to_json(&o.attributes));
    m.insert("unconfirmed".into(), attrs_to_json(&o.unconfirmed));
    if let Some(p) = o.pending_import {
        m.insert("import".into(), json!(import_str(p)));
    }
    if let Some(e) = &o.pending_export {
        let mut x = Map::new();
        x.insert("op".into(), json!(e.op.as_str()));
        x.insert("attrs".into(), attrs_to_json(&e.attributes));
        if let Some(old) = &e.old_dn {
            x.insert("old_dn".into(), json!(old));
        }
        m.insert("export".into(), Json::Object(x));
    }
    if let Some(e) = &o.export_error {
        m.insert(
            "error".into(),
            json!({"class": e.class, "message": e.message}),
        );
    }
    if let Some(l) = o.link {
        m.insert("link".into(), json!(l));
    }
    if let Some(r) = &o.link_rule {
        m.insert("link_rule".into(), json!(r));
    }
    if o.unresolved {
        m.insert("unresolved".into(), json!(true));
    }
    if o.provisioned {
        m.insert("provisioned".into(), json!(true));
    }
    Json::Object(m)
}

/// A connector-space object from JSON (the inverse of [`cs_to_json`]).
pub(crate) fn cs_from_json(id: CsId, j: &Json) -> Decoded<CsObject> {
    let f = Fields::of(j)?;
    let pending_export = match f.0.get("export") {
        None | Some(Json::Null) => None,
        Some(x) => {
            let x = Fields::of(x).map_err(|e| format!("`export`: {e}"))?;
            Some(PendingExport {
                op: export_op(x.str("op")?)?,
                attributes: x.attrs("attrs")?,
                old_dn: x.opt_str("old_dn")?,
            })
        }
    };
    let export_error = match f.0.get("error") {
        None | Some(Json::Null) => None,
        Some(x) => {
            let x = Fields::of(x).map_err(|e| format!("`error`: {e}"))?;
            Some(ExportError {
                class: x.str("class")?.to_owned(),
                message: x.str("message")?.to_owned(),
            })
        }
    };
    Ok(CsObject {
        id,
        dn: f.str("dn")?.to_owned(),
        anchor: f.opt_str("anchor")?,
        object_type: f.str("type")?.to_owned(),
        attributes: f.attrs("attrs")?,
        unconfirmed: f.attrs("unconfirmed")?,
        pending_import: f.opt_str("import")?.as_deref().map(import).transpose()?,
        pending_export,
        export_error,
        link: f.opt_u64("link")?,
        link_rule: f.opt_str("link_rule")?,
        provisioned: f.0.get("provisioned").and_then(Json::as_bool) == Some(true),
        unresolved: f.0.get("unresolved").and_then(Json::as_bool) == Some(true),
    })
}

/// A metaverse object as JSON.
pub(crate) fn mv_to_json(o: &MvObject) -> Json {
    json!({
        "type": o.object_type,
        "attrs": attrs_to_json(&o.attributes),
        "links": o.links.iter().map(|(c, id)| json!([c, id])).collect::<Vec<_>>(),
        "anchored_by": o.anchored_by,
    })
}

/// A metaverse object from JSON (the inverse of [`mv_to_json`]).
pub(crate) fn mv_from_json(id: MvId, j: &Json) -> Decoded<MvObject> {
    let f = Fields::of(j)?;
    let mut links = BTreeMap::new();
    for (i, pair) in f.array("links")?.iter().enumerate() {
        match pair.as_array().map(Vec::as_slice) {
            Some([Json::String(c), n]) => {
                let n = n
                    .as_u64()
                    .ok_or(format!("`links[{i}]`: the id is not a u64"))?;
                links.insert(c.clone(), n);
            }
            _ => return Err(format!("`links[{i}]` is not a [connector, id] pair")),
        }
    }
    let mut anchored_by = BTreeSet::new();
    for (i, c) in f.array("anchored_by")?.iter().enumerate() {
        let c = c
            .as_str()
            .ok_or(format!("`anchored_by[{i}]` is not a string"))?;
        anchored_by.insert(c.to_owned());
    }
    Ok(MvObject {
        id,
        object_type: f.str("type")?.to_owned(),
        attributes: f.attrs("attrs")?,
        links,
        anchored_by,
    })
}

/// One connector space's stored meta.
#[derive(Debug, PartialEq)]
pub(crate) struct SpaceMeta {
    /// The connector.
    pub name: String,
    /// Where its next delta import starts.
    pub watermark: Option<String>,
    /// Its next id.
    pub next_id: CsId,
}

/// The connector list with each one's watermark and next id, in order.
pub(crate) fn spaces_to_json(state: &State) -> Json {
    Json::Array(
        state
            .spaces
            .iter()
            .map(|(name, s): (&String, &ConnectorSpace)| {
                json!({"name": name, "watermark": s.watermark, "next_id": s.next_id})
            })
            .collect(),
    )
}

/// The connector list from JSON (the inverse of [`spaces_to_json`]).
pub(crate) fn spaces_from_json(j: &Json) -> Decoded<Vec<SpaceMeta>> {
    let items = j.as_array().ok_or("not an array")?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let f = Fields::of(item).map_err(|e| format!("[{i}]: {e}"))?;
            Ok(SpaceMeta {
                name: f.str("name")?.to_owned(),
                watermark: f.opt_str("watermark")?,
                next_id: f.opt_u64("next_id")?.unwrap_or(0),
            })
        })
        .collect()
}

fn attrs_to_json(attrs: &IndexMap<String, Value>) -> Json {
    Json::Array(
        attrs
            .iter()
            .map(|(name, v)| json!([name, to_typed(v)]))
            .collect(),
    )
}

fn import_str(p: PendingImport) -> &'static str {
    match p {
        PendingImport::Add => "add",
        PendingImport::Update => "update",
        PendingImport::Delete => "delete",
    }
}

fn import(s: &str) -> Decoded<PendingImport> {
    match s {
        "add" => Ok(PendingImport::Add),
        "update" => Ok(PendingImport::Update),
        "delete" => Ok(PendingImport::Delete),
        _ => Err("`import` is not add, update or delete".into()),
    }
}

fn export_op(s: &str) -> Decoded<ExportOp> {
    [
        ExportOp::Add,
        ExportOp::Update,
        ExportOp::Rename,
        ExportOp::Delete,
    ]
    .into_iter()
    .find(|op| op.as_str() == s)
    .ok_or_else(|| "`export.op` is not add, update, rename or delete".into())
}

/// The fields of a JSON object, read with errors that name the field.
struct Fields<'a>(&'a Map<String, Json>);

impl<'a> Fields<'a> {
    fn of(j: &'a Json) -> Decoded<Self> {
        j.as_object()
            .map(Fields)
            .ok_or_else(|| "not an object".into())
    }

    fn str(&self, key: &str) -> Decoded<&'a str> {
        self.0
            .get(key)
            .and_then(Json::as_str)
            .ok_or_else(|| format!("`{key}` must be a string"))
    }

    fn opt_str(&self, key: &str) -> Decoded<Option<String>> {
        match self.0.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("`{key}` must be a string")),
        }
    }

    fn opt_u64(&self, key: &str) -> Decoded<Option<u64>> {
        match self.0.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(n) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| format!("`{key}` must be an unsigned integer")),
        }
    }

    fn array(&self, key: &str) -> Decoded<&'a [Json]> {
        match self.0.get(key) {
            None => Ok(&[]),
            Some(Json::Array(items)) => Ok(items),
            Some(_) => Err(format!("`{key}` must be an array")),
        }
    }

    fn attrs(&self, key: &str) -> Decoded<IndexMap<String, Value>> {
        let mut out = IndexMap::new();
        for (i, pair) in self.array(key)?.iter().enumerate() {
            let Some([Json::String(name), typed]) = pair.as_array().map(Vec::as_slice) else {
                return Err(format!("`{key}[{i}]` is not a [name, value] pair"));
            };
            // `from_typed`'s messages may quote the value: keep only where it failed.
            let v = from_typed(typed).map_err(|e| {
                format!(
                    "`{key}`: attribute `{name}` has a bad typed value at {}",
                    e.path
                )
            })?;
            out.insert(name.clone(), v);
        }
        Ok(out)
    }
}

#[cfg(test)]
pub(super) mod tests;
