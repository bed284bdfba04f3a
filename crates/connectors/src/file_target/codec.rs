//! The JSON of objects and journal lines, unique-value keys and anchors.

use std::borrow::Cow;
use std::collections::BTreeMap;
use syncrules_lang::name::{AttrMap, Name};

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value as Json, json};
use syncrules_connector::{Change, ImportEntry};
use syncrules_lang::Value;
use syncrules_lang::dn::Dn;
use syncrules_lang::json::{from_typed, to_typed};

use super::error::LineError;

/// The index keys of an object's unique values.
pub(super) fn unique_keys(unique: &[String], attributes: &AttrMap) -> Vec<String> {
    attributes
        .iter()
        .filter(|(name, _)| unique.contains(&name.to_ascii_lowercase()))
        .flat_map(|(name, value)| value.values().iter().map(move |v| unique_key(name, v)))
        .collect()
}

/// `attribute\0value`, lowercase.
pub(super) fn unique_key(name: &str, value: &Value) -> String {
    format!(
        "{}\0{}",
        name.to_ascii_lowercase(),
        value.to_string().to_lowercase()
    )
}

/// The lowercase attribute name of a unique key.
pub(super) fn key_attribute(key: &str) -> &str {
    key.split('\0').next().unwrap_or(key)
}

/// A GUID-like anchor from a counter: SplitMix64 of the counter (a bijection, so anchors
/// never repeat) and of a second mix of it, formatted `8-4-4-4-12`.
pub(super) fn anchor_for(counter: u64) -> String {
    let a = splitmix64(counter);
    let b = splitmix64(counter ^ 0x5851_f42d_4c95_7f2d);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// An entry as JSON: for journal lines (`seq` given) `seq`, `change` and `old_dn` first, then
/// `anchor`, `dn`, `object_type` and `attributes` (each an array of typed values, empty for a
/// removed one).
pub(super) fn entry_json(entry: &ImportEntry, seq: Option<u64>) -> Json {
    let attributes: Map<String, Json> = entry
        .attributes
        .iter()
        .map(|(name, value)| {
            (
                name.to_string(),
                Json::Array(value.values().iter().map(to_typed).collect()),
            )
        })
        .collect();
    let mut object = Map::new();
    if let Some(seq) = seq {
        object.insert("seq".into(), json!(seq));
        let change = match entry.change {
            Change::Add | Change::Present => "add",
            Change::Modify => "modify",
            Change::Delete => "delete",
        };
        object.insert("change".into(), json!(change));
        if let Some(old) = &entry.old_dn {
            object.insert("old_dn".into(), json!(old.as_str()));
        }
    }
    object.insert("anchor".into(), json!(entry.anchor));
    object.insert("dn".into(), json!(entry.dn.as_str()));
    object.insert("object_type".into(), json!(entry.object_type));
    object.insert("attributes".into(), Json::Object(attributes));
    Json::Object(object)
}

/// One line of JSON (no newline in it: JSON strings escape theirs), newline-terminated.
pub(super) fn line(json: &Json) -> Vec<u8> {
    // Written straight into bytes (`to_string` goes through `fmt`'s writer); a JSON value
    // always serializes, but the `fmt` path is kept should it not.
    let mut bytes = serde_json::to_vec(json).unwrap_or_else(|_| json.to_string().into_bytes());
    bytes.push(b'\n');
    bytes
}

/// A snapshot line: an object.
pub(super) fn object_line(entry: &ImportEntry) -> Vec<u8> {
    line(&entry_json(entry, None))
}

/// An object read from a snapshot line; its `anchor` is required.
pub(super) fn object_from_line(bytes: &[u8]) -> Result<ImportEntry, LineError> {
    let json: Json = serde_json::from_slice(bytes)?;
    let entry = entry_from_json(&json, Change::Present)?;
    if entry.anchor.is_none() {
        return Err(LineError::NotAString { key: "anchor" });
    }
    Ok(entry)
}

/// A journal line: its number and the delta entry it records.
pub(super) fn change_from_line(bytes: &[u8]) -> Result<(u64, ImportEntry), LineError> {
    let json: Json = serde_json::from_slice(bytes)?;
    change_from_json(&json)
}

/// A logged change (`seq`, `change` and the entry's fields) read from JSON.
pub(super) fn change_from_json(json: &Json) -> Result<(u64, ImportEntry), LineError> {
    let seq = json
        .get("seq")
        .and_then(Json::as_u64)
        .ok_or(LineError::NotANumber { key: "seq" })?;
    let change = match json.get("change").and_then(Json::as_str) {
        Some("add") => Change::Add,
        Some("modify") => Change::Modify,
        Some("delete") => Change::Delete,
        _ => return Err(LineError::Change),
    };
    let entry = entry_from_json(json, change)?;
    if entry.anchor.is_none() {
        return Err(LineError::NotAString { key: "anchor" });
    }
    Ok((seq, entry))
}

/// The DN in field `key`.
fn parse_dn(key: &'static str, text: &str) -> Result<Dn, LineError> {
    Dn::parse(text).map_err(|error| LineError::Dn { key, error })
}

/// An entry read from JSON.
pub(super) fn entry_from_json(j: &Json, change: Change) -> Result<ImportEntry, LineError> {
    let text = |key: &'static str| {
        j.get(key)
            .and_then(Json::as_str)
            .map(str::to_owned)
            .ok_or(LineError::NotAString { key })
    };
    let Some(attrs) = j.get("attributes").and_then(Json::as_object) else {
        return Err(LineError::Attributes);
    };
    let mut attributes = AttrMap::default();
    for (name, values) in attrs {
        attributes.insert(Name::new(name), attribute_from_json(name, values)?);
    }
    Ok(ImportEntry {
        value_changes: Vec::new(),
        change,
        dn: parse_dn("dn", &text("dn")?)?,
        old_dn: j
            .get("old_dn")
            .and_then(Json::as_str)
            .map(|t| parse_dn("old_dn", t))
            .transpose()?,
        anchor: j.get("anchor").and_then(Json::as_str).map(str::to_owned),
        object_type: text("object_type")?,
        attributes,
    })
}

/// One attribute's value from its array of typed values (empty: a null).
fn attribute_from_json(name: &str, values: &Json) -> Result<Value, LineError> {
    let Some(values) = values.as_array() else {
        return Err(LineError::NotAnArray {
            name: name.to_owned(),
        });
    };
    let mut scalars = Vec::with_capacity(values.len());
    for v in values {
        let value = from_typed(v).map_err(|error| LineError::Value {
            name: name.to_owned(),
            error,
        })?;
        scalars.extend(value.values().iter().cloned());
    }
    Ok(crate::ldif::from_values(scalars))
}

/// A journal line read without its attribute values: the fields, and each attribute's
/// array left as text (checked as JSON, not decoded). Replaying a journal reads lines this
/// way and decodes a value only when it is needed (a unique attribute at once, the others
/// when the object is read).
#[derive(Debug, Deserialize)]
pub(super) struct Head<'a> {
    /// The change's number.
    pub seq: u64,
    /// `add`, `modify` or `delete`.
    #[serde(borrow)]
    pub change: Cow<'a, str>,
    /// The DN before a rename.
    #[serde(borrow, default)]
    pub old_dn: Option<Cow<'a, str>>,
    /// The object's anchor.
    #[serde(borrow)]
    pub anchor: Cow<'a, str>,
    /// The DN.
    #[serde(borrow)]
    pub dn: Cow<'a, str>,
    /// The object type.
    #[serde(borrow)]
    pub object_type: Cow<'a, str>,
    /// Each attribute's array of typed values, as text, in name order.
    #[serde(borrow)]
    pub attributes: BTreeMap<Cow<'a, str>, &'a RawValue>,
}

/// What a [`Head`] says, checked: the change, its DNs parsed.
#[derive(Debug)]
pub(super) struct LightChange<'a> {
    /// The change's number.
    pub seq: u64,
    /// Add, modify or delete.
    pub change: Change,
    /// The DN before a rename.
    pub old_dn: Option<Dn>,
    /// The DN.
    pub dn: Dn,
    /// The line's fields and undecoded attributes.
    pub head: Head<'a>,
}

/// A journal line read as a [`LightChange`]: values are not decoded, but every attribute
/// must be an array. On any fault the full reading's error is returned, so a damaged line
/// is reported as [`change_from_line`] reports it.
pub(super) fn light_change_from_line(bytes: &[u8]) -> Result<LightChange<'_>, LineError> {
    let light = || -> Option<LightChange<'_>> {
        let head: Head<'_> = serde_json::from_slice(bytes).ok()?;
        let change = match head.change.as_ref() {
            "add" => Change::Add,
            "modify" => Change::Modify,
            "delete" => Change::Delete,
            _ => return None,
        };
        let arrays = head
            .attributes
            .values()
            .all(|raw| raw.get().trim_start().starts_with('['));
        if !arrays {
            return None;
        }
        Some(LightChange {
            seq: head.seq,
            change,
            old_dn: match &head.old_dn {
                Some(old) => Some(Dn::parse(old).ok()?),
                None => None,
            },
            dn: Dn::parse(&head.dn).ok()?,
            head,
        })
    };
    match light() {
        Some(change) => Ok(change),
        None => match change_from_line(bytes) {
            Err(e) => Err(e),
            // The full reading accepts what the light one does not (a field of another
            // type it ignores): said as the light reading's own error.
            Ok(_) => Err(serde_json::from_slice::<Head<'_>>(bytes)
                .err()
                .map_or(LineError::Change, LineError::Json)),
        },
    }
}

/// One attribute of a [`Head`], decoded.
pub(super) fn raw_attribute(name: &str, raw: &RawValue) -> Result<Value, LineError> {
    let json: Json = serde_json::from_str(raw.get())?;
    attribute_from_json(name, &json)
}

/// Whether an attribute's text is the empty array (the attribute removed).
pub(super) fn raw_is_empty(raw: &RawValue) -> bool {
    let text = raw.get().trim();
    text.strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .is_some_and(|inner| inner.trim().is_empty())
}

/// The number of a journal line, read without decoding the rest (which must still be JSON).
pub(super) fn seq_of_line(bytes: &[u8]) -> Result<u64, LineError> {
    #[derive(Deserialize)]
    struct Seq {
        seq: u64,
    }
    match serde_json::from_slice::<Seq>(bytes) {
        Ok(s) => Ok(s.seq),
        Err(_) => change_from_line(bytes).map(|(seq, _)| seq),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_deterministic_distinct_and_guid_shaped() {
        assert_eq!(anchor_for(0), anchor_for(0));
        let anchors: std::collections::HashSet<_> = (0..10_000).map(anchor_for).collect();
        assert_eq!(anchors.len(), 10_000);
        let a = anchor_for(1);
        assert_eq!(a.len(), 36);
        assert_eq!(
            a.split('-').map(str::len).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
    }

    #[test]
    fn journal_lines_round_trip() {
        let entry = ImportEntry {
            value_changes: Vec::new(),
            change: Change::Modify,
            dn: Dn::parse("CN=b\nc").unwrap(),
            old_dn: Some(Dn::parse("CN=a").unwrap()),
            anchor: Some(anchor_for(3)),
            object_type: "user".to_owned(),
            attributes: [("title".into(), Value::Null)].into_iter().collect(),
        };
        let bytes = line(&entry_json(&entry, Some(7)));
        assert_eq!(bytes.iter().filter(|b| **b == b'\n').count(), 1);
        assert_eq!(change_from_line(&bytes).ok(), Some((7, entry)));
    }

    #[test]
    fn bad_lines_say_why() {
        let why = |line: &str| {
            object_from_line(line.as_bytes())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(why(r#"{"dn":"CN=a"}"#), "`attributes` must be an object");
        assert_eq!(
            why(r#"{"dn":"CN=a","object_type":"user","attributes":{}}"#),
            "`anchor` must be a string"
        );
        assert_eq!(
            why(r#"{"object_type":"user","attributes":{}}"#),
            "`dn` must be a string"
        );
        assert_eq!(
            why(r#"{"attributes":{"mail":"a@b"}}"#),
            "attribute `mail` must be an array of typed values"
        );
        assert_eq!(
            why(r#"{"attributes":{"mail":[1]}}"#),
            "attribute `mail`: a typed value is an object with `type` and `value`"
        );
        assert!(why("{").starts_with("EOF while parsing"), "{}", why("{"));
        let change = |line: &str| {
            change_from_line(line.as_bytes())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(change(r#"{"change":"add"}"#), "`seq` must be a number");
        assert_eq!(
            change(r#"{"seq":1,"change":"move"}"#),
            "`change` must be `add`, `modify` or `delete`"
        );
    }
}
