//! Values as JSON, in the shapes the CLI contract fixes.
//!
//! Typed values (what `syncrules eval` prints): `{"type": "string", "value": "jdoe"}` with
//! `type` one of `string`, `number`, `boolean`, `binary` (base64), `reference` (the DN),
//! `datetime` (RFC 3339 UTC), `null` (no `value`), `multi` (an array of typed values),
//! `ignore`, `authoritative_null`.
//!
//! Attribute files (what `--attrs` reads): one object; a string, number or Boolean is a
//! single value, an array a multi-valued attribute, and `{"binary": "<base64>"}`,
//! `{"reference": "<dn>"}`, `{"datetime": "<rfc3339>"}` typed values (in arrays too).

use crate::name::AttrMap;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value as Json, json};

use crate::value::Value;

/// Why a JSON document does not describe values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct JsonError {
    /// Where in the document: `userCertificate[1]`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

fn fail<T>(path: &str, message: impl Into<String>) -> Result<T, JsonError> {
    Err(JsonError {
        path: path.to_owned(),
        message: message.into(),
    })
}

/// A value as typed JSON.
pub fn to_typed(v: &Value) -> Json {
    match v {
        Value::Null => json!({"type": "null"}),
        Value::Str(s) => json!({"type": "string", "value": s.as_ref()}),
        Value::Num(n) => json!({"type": "number", "value": n}),
        Value::Bool(b) => json!({"type": "boolean", "value": b}),
        Value::Bin(b) => json!({"type": "binary", "value": BASE64.encode(b)}),
        Value::Ref(dn) => json!({"type": "reference", "value": dn.as_ref()}),
        Value::DateTime(dt) => json!({"type": "datetime", "value": rfc3339(dt)}),
        Value::Multi(items) => {
            json!({"type": "multi", "value": items.iter().map(to_typed).collect::<Vec<_>>()})
        }
        Value::Ignore => json!({"type": "ignore"}),
        Value::AuthoritativeNull => json!({"type": "authoritative_null"}),
    }
}

/// A date as RFC 3339 UTC with a `Z` and no fractional seconds unless it has some.
pub fn rfc3339(dt: &DateTime<Utc>) -> String {
    dt.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn parse_datetime(path: &str, s: &str) -> Result<Value, JsonError> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| Value::DateTime(d.with_timezone(&Utc)))
        .or_else(|_| fail(path, format!("`{s}` is not an RFC 3339 date")))
}

fn parse_base64(path: &str, s: &str) -> Result<Value, JsonError> {
    BASE64
        .decode(s)
        .map(Value::bin)
        .or_else(|_| fail(path, "binary values are base64"))
}

/// Reads typed JSON (the inverse of [`to_typed`]).
pub fn from_typed(j: &Json) -> Result<Value, JsonError> {
    from_typed_at("$", j)
}

fn from_typed_at(path: &str, j: &Json) -> Result<Value, JsonError> {
    let Some(obj) = j.as_object() else {
        return fail(path, "a typed value is an object with `type` and `value`");
    };
    let ty = obj.get("type").and_then(Json::as_str).unwrap_or("");
    let value = obj.get("value").unwrap_or(&Json::Null);
    let text = || value.as_str().map(str::to_owned);
    match ty {
        "null" => Ok(Value::Null),
        "ignore" => Ok(Value::Ignore),
        "authoritative_null" => Ok(Value::AuthoritativeNull),
        "string" => text()
            .map(Value::from)
            .map_or_else(|| fail(path, "`value` must be a string"), Ok),
        "reference" => text()
            .map(Value::reference)
            .map_or_else(|| fail(path, "`value` must be a string"), Ok),
        "number" => value
            .as_i64()
            .map(Value::Num)
            .map_or_else(|| fail(path, "`value` must be a 64-bit integer"), Ok),
        "boolean" => value
            .as_bool()
            .map(Value::Bool)
            .map_or_else(|| fail(path, "`value` must be a Boolean"), Ok),
        "binary" => match value.as_str() {
            Some(s) => parse_base64(path, s),
            None => fail(path, "`value` must be base64"),
        },
        "datetime" => match value.as_str() {
            Some(s) => parse_datetime(path, s),
            None => fail(path, "`value` must be an RFC 3339 string"),
        },
        "multi" => match value.as_array() {
            Some(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| from_typed_at(&format!("{path}[{i}]"), item))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::multi),
            None => fail(path, "`value` must be an array"),
        },
        other => fail(path, format!("unknown type `{other}`")),
    }
}

/// Reads an attributes document.
pub fn attributes(j: &Json) -> Result<AttrMap, JsonError> {
    let Some(obj) = j.as_object() else {
        return fail("$", "the attributes file must hold one JSON object");
    };
    obj.iter()
        .map(|(name, v)| Ok((crate::Name::new(name), attribute_value(name, v, true)?)))
        .collect()
}

fn attribute_value(path: &str, v: &Json, top: bool) -> Result<Value, JsonError> {
    match v {
        Json::Null => Ok(Value::Null),
        Json::String(s) => Ok(Value::str(s)),
        Json::Bool(b) => Ok(Value::Bool(*b)),
        Json::Number(n) => n
            .as_i64()
            .map(Value::Num)
            .map_or_else(|| fail(path, format!("`{n}` is not a 64-bit integer")), Ok),
        Json::Array(items) if top => items
            .iter()
            .enumerate()
            .map(|(i, item)| attribute_value(&format!("{path}[{i}]"), item, false))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::multi),
        Json::Array(_) => fail(path, "arrays cannot nest"),
        Json::Object(o) => typed_object(path, o),
    }
}

fn typed_object(path: &str, o: &Map<String, Json>) -> Result<Value, JsonError> {
    let mut entries = o.iter();
    let (Some((key, val)), None) = (entries.next(), entries.next()) else {
        return fail(
            path,
            "a typed value has one key: `binary`, `reference` or `datetime`",
        );
    };
    let Some(s) = val.as_str() else {
        return fail(path, format!("`{key}` takes a string"));
    };
    match key.as_str() {
        "binary" => parse_base64(path, s),
        "reference" => Ok(Value::reference(s)),
        "datetime" => parse_datetime(path, s),
        other => fail(
            path,
            format!("unknown typed value `{other}`: use `binary`, `reference` or `datetime`"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_round_trip() {
        let values = [
            Value::Null,
            Value::from("x"),
            Value::Num(-5),
            Value::Bool(true),
            Value::bin([0, 255]),
            Value::reference("CN=a,DC=b"),
            Value::DateTime(DateTime::from_timestamp(1_325_458_800, 0).unwrap()),
            Value::multi(vec![Value::from("a"), Value::Num(1)]),
            Value::Ignore,
            Value::AuthoritativeNull,
        ];
        for v in values {
            assert_eq!(from_typed(&to_typed(&v)), Ok(v.clone()));
        }
        assert_eq!(
            to_typed(&Value::DateTime(
                DateTime::from_timestamp(1_325_458_800, 0).unwrap()
            )),
            json!({"type": "datetime", "value": "2012-01-01T23:00:00Z"})
        );
    }

    #[test]
    fn attribute_documents() {
        let j = json!({"a": "x", "n": 3, "b": true, "m": ["p", {"binary": "AAE="}],
                       "r": {"reference": "CN=x"}, "d": {"datetime": "2012-01-01T23:00:00Z"}});
        let attrs = attributes(&j).unwrap();
        assert_eq!(
            attrs["m"],
            Value::multi(vec![Value::from("p"), Value::bin([0, 1])])
        );
        assert_eq!(attrs["r"], Value::reference("CN=x"));
        assert!(attributes(&json!({"x": 1.5})).is_err());
        assert!(
            attributes(&json!({"x": {"guid": "a"}}))
                .unwrap_err()
                .message
                .contains("unknown typed value")
        );
        assert!(attributes(&json!([1])).is_err());
    }
}
