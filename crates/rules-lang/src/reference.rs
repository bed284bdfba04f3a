//! The reference evaluator: walks the checked tree directly. It is slow and obviously
//! right; the VM must agree with it on every expression (see the property tests).

use crate::env::Env;
use crate::error::{EvalError, EvalErrorKind};
use crate::functions;
use crate::ir::{Checked, Node, NodeKind};
use crate::ops;
use crate::value::Value;

/// Evaluates a checked expression.
pub fn evaluate(checked: &Checked, env: &Env<'_>) -> Result<Value, EvalError> {
    let mut locals = State {
        values: vec![Value::Null; checked.locals as usize],
        iterations: 0,
    };
    match &checked.per_value {
        None => eval(&checked.root, env, &mut locals),
        Some(each) => crate::env::per_value(env, each, |e| {
            locals.iterations = 0;
            eval(&checked.root, e, &mut locals)
        }),
    }
}

/// The locals, and the `Select`/`Where` items visited so far (see [`ops::MAX_ITERATIONS`]).
struct State {
    values: Vec<Value>,
    iterations: u64,
}

fn eval(n: &Node, env: &Env<'_>, locals: &mut State) -> Result<Value, EvalError> {
    let fail = |kind: EvalErrorKind| EvalError { span: n.span, kind };
    Ok(match &n.kind {
        NodeKind::Const(v) => v.clone(),
        NodeKind::Attr(s) => env.attributes.get(*s).clone(),
        NodeKind::Imported(s) => env.attributes.imported(*s).clone(),
        NodeKind::ValueCount(s) => {
            Value::Num(i64::try_from(env.attributes.get(*s).values().len()).unwrap_or(i64::MAX))
        }
        NodeKind::Param(s) => env.parameter(*s).clone(),
        NodeKind::Local(l) => locals
            .values
            .get(*l as usize)
            .cloned()
            .unwrap_or(Value::Null),
        NodeKind::Call(b, args) => {
            let values = args
                .iter()
                .map(|a| eval(a, env, locals))
                .collect::<Result<Vec<_>, _>>()?;
            functions::call(b, &values, &env.ctx).map_err(|e| fail(e.into()))?
        }
        NodeKind::Iif(c, t, f) => {
            let cond = eval(c, env, locals)?;
            if ops::truth(&cond).map_err(|e| fail(e.into()))? {
                eval(t, env, locals)?
            } else {
                eval(f, env, locals)?
            }
        }
        NodeKind::And(l, r) | NodeKind::Or(l, r) => {
            let is_and = matches!(n.kind, NodeKind::And(..));
            let lv = eval(l, env, locals)?;
            let lt = ops::truth(&lv).map_err(|e| fail(e.into()))?;
            if lt != is_and {
                Value::Bool(lt)
            } else {
                let rv = eval(r, env, locals)?;
                Value::Bool(ops::truth(&rv).map_err(|e| fail(e.into()))?)
            }
        }
        NodeKind::Binary(op, l, r) => {
            let lv = eval(l, env, locals)?;
            let rv = eval(r, env, locals)?;
            ops::binary(*op, &lv, &rv).map_err(|e| fail(e.into()))?
        }
        NodeKind::Neg(x) => {
            let v = eval(x, env, locals)?;
            ops::neg(&v).map_err(|e| fail(e.into()))?
        }
        NodeKind::Select { var, source, body } => {
            let src = eval(source, env, locals)?;
            let (mut acc, mut bytes) = (Vec::new(), 0);
            for item in src.values() {
                ops::iterate(&mut locals.iterations).map_err(|e| fail(e.into()))?;
                set(locals, *var, item.clone());
                let v = eval(body, env, locals)?;
                ops::accumulate_bounded(&mut acc, &mut bytes, v).map_err(|e| fail(e.into()))?;
            }
            Value::multi(acc)
        }
        NodeKind::Where { var, source, cond } => {
            let src = eval(source, env, locals)?;
            let (mut acc, mut bytes) = (Vec::new(), 0);
            for item in src.values() {
                ops::iterate(&mut locals.iterations).map_err(|e| fail(e.into()))?;
                set(locals, *var, item.clone());
                let keep = eval(cond, env, locals)?;
                if ops::truth(&keep).map_err(|e| fail(e.into()))? {
                    ops::accumulate_bounded(&mut acc, &mut bytes, item.clone())
                        .map_err(|e| fail(e.into()))?;
                }
            }
            Value::multi(acc)
        }
        NodeKind::With { var, value, body } => {
            let v = eval(value, env, locals)?;
            set(locals, *var, v);
            eval(body, env, locals)?
        }
    })
}

fn set(state: &mut State, l: u32, v: Value) {
    let locals = &mut state.values;
    let i = l as usize;
    if locals.len() <= i {
        locals.resize(i + 1, Value::Null);
    }
    if let Some(slot) = locals.get_mut(i) {
        *slot = v;
    }
}
