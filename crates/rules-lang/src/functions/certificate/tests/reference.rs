//! Checks `tests/reference/certificate.txt` against the implementation: every case whose
//! expression is a single call of a builtin on attributes and literals
//! (`CertThumbprint([userCertificate])`, `CertNameInfo([c], "SimpleName", False)`) is run
//! through `call`, so the file's expected values (taken from openssl) are also what this code
//! returns. Cases with operators or special forms wait for the full pipeline.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::DateTime;

use super::super::super::{CallCtx, call, lookup};
use super::now;
use crate::value::Value;

const FILE: &str = include_str!("../../../../tests/reference/certificate.txt");

/// Just enough JSON for the reference files.
#[derive(Debug)]
enum Json {
    Null,
    Bool(bool),
    Num(i64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.chars.peek().is_some_and(|c| c.is_whitespace()) {
            self.chars.next();
        }
    }

    fn expect(&mut self, c: char) {
        self.skip_ws();
        assert_eq!(self.chars.next(), Some(c));
    }

    fn string(&mut self) -> String {
        self.expect('"');
        let mut out = String::new();
        loop {
            match self.chars.next().unwrap() {
                '"' => return out,
                '\\' => match self.chars.next().unwrap() {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'u' => {
                        let hex: String = (0..4).map(|_| self.chars.next().unwrap()).collect();
                        let code = u32::from_str_radix(&hex, 16).unwrap();
                        out.push(char::from_u32(code).unwrap());
                    }
                    c => out.push(c),
                },
                c => out.push(c),
            }
        }
    }

    fn value(&mut self) -> Json {
        self.skip_ws();
        match *self.chars.peek().unwrap() {
            '"' => Json::Str(self.string()),
            '{' => {
                self.chars.next();
                let mut fields = Vec::new();
                self.skip_ws();
                if self.chars.peek() == Some(&'}') {
                    self.chars.next();
                    return Json::Obj(fields);
                }
                loop {
                    let key = self.string();
                    self.expect(':');
                    fields.push((key, self.value()));
                    self.skip_ws();
                    match self.chars.next() {
                        Some(',') => {}
                        Some('}') => return Json::Obj(fields),
                        c => panic!("unexpected {c:?}"),
                    }
                }
            }
            '[' => {
                self.chars.next();
                let mut items = Vec::new();
                loop {
                    items.push(self.value());
                    self.skip_ws();
                    match self.chars.next() {
                        Some(',') => {}
                        Some(']') => return Json::Arr(items),
                        c => panic!("unexpected {c:?}"),
                    }
                }
            }
            _ => {
                let mut word = String::new();
                while self
                    .chars
                    .peek()
                    .is_some_and(|c| c.is_alphanumeric() || *c == '-')
                {
                    word.push(self.chars.next().unwrap());
                }
                match word.as_str() {
                    "null" => Json::Null,
                    "true" => Json::Bool(true),
                    "false" => Json::Bool(false),
                    n => Json::Num(n.parse().unwrap()),
                }
            }
        }
    }
}

fn json(text: &str) -> Json {
    Parser {
        chars: text.chars().peekable(),
    }
    .value()
}

fn field<'j>(fields: &'j [(String, Json)], key: &str) -> Option<&'j Json> {
    fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn text(j: &Json) -> &str {
    match j {
        Json::Str(s) => s,
        other => panic!("not a string: {other:?}"),
    }
}

/// An `attrs` value: plain JSON or `{"binary": ...}`-style typed objects.
fn attr_value(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Num(n) => Value::Num(*n),
        Json::Str(s) => Value::str(s),
        Json::Arr(items) => Value::multi(items.iter().map(attr_value).collect()),
        Json::Obj(fields) => typed(fields.first().map(|(k, _)| k.as_str()).unwrap(), fields),
    }
}

fn typed(kind: &str, fields: &[(String, Json)]) -> Value {
    let v = || {
        text(
            field(fields, kind)
                .or_else(|| field(fields, "value"))
                .unwrap(),
        )
    };
    match kind {
        "binary" => Value::bin(STANDARD.decode(v()).unwrap()),
        "reference" => Value::reference(v()),
        "datetime" => Value::DateTime(DateTime::parse_from_rfc3339(v()).unwrap().to_utc()),
        "string" => Value::str(v()),
        other => panic!("unknown typed value {other}"),
    }
}

/// A `yields` value.
fn expected(j: &Json) -> Value {
    let Json::Obj(fields) = j else {
        panic!("yields must be an object")
    };
    let kind = text(field(fields, "type").unwrap());
    let value = field(fields, "value");
    match kind {
        "null" => Value::Null,
        "number" => match value.unwrap() {
            Json::Num(n) => Value::Num(*n),
            other => panic!("{other:?}"),
        },
        "boolean" => match value.unwrap() {
            Json::Bool(b) => Value::Bool(*b),
            other => panic!("{other:?}"),
        },
        "multi" => match value.unwrap() {
            Json::Arr(items) => Value::multi(items.iter().map(expected).collect()),
            other => panic!("{other:?}"),
        },
        _ => typed(kind, fields),
    }
}

/// Splits `a, "b,c", d` at the commas outside quotes.
fn split_args(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out.into_iter().map(|a| a.trim().to_owned()).collect()
}

/// `Name(args)` with literal or attribute arguments, evaluated; `None` for other forms.
fn simple_call(expr: &str, attrs: &HashMap<String, Value>) -> Option<Result<Value, String>> {
    let open = expr.find('(')?;
    let name = &expr[..open];
    let inner = expr[open + 1..].strip_suffix(')')?;
    let builtin = lookup(name)?;
    if inner.contains(['(', '$', '>', '<', '&']) {
        return None;
    }
    let mut args = Vec::new();
    for a in split_args(inner) {
        let v = if let Some(attr) = a.strip_prefix('[').and_then(|a| a.strip_suffix(']')) {
            attrs.get(attr).cloned().unwrap_or(Value::Null)
        } else if let Some(lit) = a.strip_prefix('"').and_then(|a| a.strip_suffix('"')) {
            Value::str(lit)
        } else if a.eq_ignore_ascii_case("true") || a.eq_ignore_ascii_case("false") {
            Value::Bool(a.eq_ignore_ascii_case("true"))
        } else if a.eq_ignore_ascii_case("null") {
            Value::Null
        } else if let Ok(n) = a.parse::<i64>() {
            Value::Num(n)
        } else {
            Value::str(&a) // an unquoted enumeration constant
        };
        args.push(v);
    }
    Some(call(builtin, &args, &CallCtx { now: now() }).map_err(|e| e.to_string()))
}

#[test]
fn reference_file_matches_the_implementation() {
    let mut checked = 0;
    for case in FILE.split("\n\n") {
        let lines: Vec<&str> = case.lines().filter(|l| !l.starts_with('#')).collect();
        let get = |key: &str| lines.iter().find_map(|l| l.strip_prefix(key));
        let Some(expr) = get("expr: ") else {
            continue;
        };
        let attrs: HashMap<String, Value> = match get("attrs: ").map(json) {
            Some(Json::Obj(fields)) => fields
                .iter()
                .map(|(k, v)| (k.clone(), attr_value(v)))
                .collect(),
            Some(other) => panic!("attrs must be an object: {other:?}"),
            None => HashMap::new(),
        };
        let Some(result) = simple_call(expr, &attrs) else {
            continue;
        };
        match (get("yields: "), get("error: ")) {
            (Some(y), None) => assert_eq!(result, Ok(expected(&json(y))), "{expr}"),
            (None, Some(e)) => {
                let err = result.expect_err(expr);
                assert!(err.contains(e), "{expr}: {err} lacks {e}");
            }
            _ => panic!("{expr}: needs exactly one of yields and error"),
        }
        checked += 1;
    }
    assert!(checked >= 85, "only {checked} cases checked");
}
