//! CEL (`cel-interpreter`) and Rhai: host functions for the builtins they lack, values
//! converted from the language's, and their results in the comparable form.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "benchmark setup fails loudly"
)]

use std::sync::Arc;

use cel_interpreter::Value as CelValue;
use cel_interpreter::{Context as CelContext, ExecutionError};
use rhai::{Dynamic, Engine, INT, ImmutableString};
use syncrules_lang::Value;

use crate::helpers::{Out, dn_component, left};

pub(crate) type CelResult = Result<CelValue, ExecutionError>;

pub(crate) fn cel_context() -> CelContext<'static> {
    let mut ctx = CelContext::default();
    ctx.add_function("isPresent", |v: CelValue| cel_is_present(&v));
    ctx.add_function("trim", |v: CelValue| -> CelResult {
        Ok(match v {
            CelValue::String(s) => CelValue::String(Arc::new(s.trim().to_owned())),
            _ => CelValue::Null,
        })
    });
    ctx.add_function("left", |v: CelValue, n: i64| -> CelResult {
        Ok(match v {
            CelValue::String(s) => CelValue::String(Arc::new(
                left(&s, usize::try_from(n).unwrap_or(0)).to_owned(),
            )),
            _ => CelValue::String(Arc::new(String::new())),
        })
    });
    ctx.add_function("bitAnd", |a: CelValue, b: CelValue| -> CelResult {
        Ok(match (a, b) {
            (CelValue::Int(a), CelValue::Int(b)) => CelValue::Int(a & b),
            _ => CelValue::Null,
        })
    });
    ctx.add_function("dnComponent", |dn: CelValue, n: i64| -> CelResult {
        Ok(match dn {
            CelValue::String(dn) => dn_component(&dn, usize::try_from(n).unwrap_or(0))
                .map_or(CelValue::Null, |c| CelValue::String(Arc::new(c.to_owned()))),
            _ => CelValue::Null,
        })
    });
    ctx.add_function("error", |msg: Arc<String>| -> CelResult {
        Err(ExecutionError::function_error("error", msg.as_str()))
    });
    ctx
}

pub(crate) fn cel_is_present(v: &CelValue) -> bool {
    match v {
        CelValue::Null => false,
        CelValue::String(s) => !s.is_empty(),
        CelValue::Bytes(b) => !b.is_empty(),
        CelValue::List(items) => items.iter().any(cel_is_present),
        _ => true,
    }
}

pub(crate) fn to_cel(v: &Value) -> CelValue {
    match v {
        Value::Null => CelValue::Null,
        Value::Str(s) | Value::Ref(s) => CelValue::String(Arc::new(s.to_string())),
        Value::Num(n) => CelValue::Int(*n),
        Value::Bool(b) => CelValue::Bool(*b),
        Value::Multi(items) => CelValue::List(Arc::new(items.iter().map(to_cel).collect())),
        other => panic!("no CEL form for {}", other.kind()),
    }
}

pub(crate) fn rhai_engine() -> Engine {
    let mut engine = Engine::new();
    engine.register_fn("is_present", |v: Dynamic| rhai_is_present(&v));
    engine.register_fn("trimmed", |s: ImmutableString| -> ImmutableString {
        s.trim().into()
    });
    engine.register_fn("trimmed", |_: ()| ());
    engine.register_fn("left", |s: ImmutableString, n: INT| -> ImmutableString {
        left(&s, usize::try_from(n).unwrap_or(0)).into()
    });
    engine.register_fn("left", |_: (), _: INT| -> ImmutableString { "".into() });
    engine.register_fn("dn_component", |dn: ImmutableString, n: INT| -> Dynamic {
        dn_component(&dn, usize::try_from(n).unwrap_or(0))
            .map_or(Dynamic::UNIT, |c| Dynamic::from(ImmutableString::from(c)))
    });
    engine.register_fn("dn_component", |_: (), _: INT| ());
    engine
}

pub(crate) fn rhai_is_present(v: &Dynamic) -> bool {
    if v.is_unit() {
        false
    } else if let Some(s) = v.read_lock::<ImmutableString>() {
        !s.is_empty()
    } else if let Some(items) = v.read_lock::<rhai::Array>() {
        items.iter().any(rhai_is_present)
    } else {
        true
    }
}

pub(crate) fn to_rhai(v: &Value) -> Dynamic {
    match v {
        Value::Null => Dynamic::UNIT,
        Value::Str(s) | Value::Ref(s) => Dynamic::from(ImmutableString::from(&**s)),
        Value::Num(n) => Dynamic::from(*n),
        Value::Bool(b) => Dynamic::from(*b),
        Value::Multi(items) => Dynamic::from_array(items.iter().map(to_rhai).collect()),
        other => panic!("no Rhai form for {}", other.kind()),
    }
}

pub(crate) fn from_cel(r: &CelResult) -> Out {
    match r {
        Ok(CelValue::Null) => Out::Null,
        Ok(CelValue::Bool(b)) => Out::Bool(*b),
        Ok(CelValue::Int(n)) => Out::Num(*n),
        Ok(CelValue::String(s)) => Out::Str(s.to_string()),
        Ok(other) => panic!("unexpected CEL result {other:?}"),
        Err(_) => Out::Failed,
    }
}

pub(crate) fn from_rhai(r: &Result<Dynamic, Box<rhai::EvalAltResult>>) -> Out {
    match r {
        Ok(d) if d.is_unit() => Out::Null,
        Ok(d) if d.is_bool() => Out::Bool(d.as_bool().unwrap()),
        Ok(d) if d.is_int() => Out::Num(d.as_int().unwrap()),
        Ok(d) if d.is_string() => Out::Str(d.clone().into_string().unwrap()),
        Ok(other) => panic!("unexpected Rhai result {other:?}"),
        Err(_) => Out::Failed,
    }
}
