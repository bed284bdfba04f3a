//! The disassembler: a program as text, one instruction a line, for snapshot tests and
//! `syncrules eval --plan`.

use std::fmt::Write as _;

use super::{Instr, Program};
use crate::ir::{EachValue, Slots, Spread};

/// How a program runs once per value, in words.
fn each_value(each: &EachValue) -> String {
    let names = |list: &[Spread]| {
        list.iter()
            .map(Spread::shown)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (&each.typed, each.untyped.as_slice()) {
        (Some(t), []) => format!("runs once per value of {}", t.shown()),
        (Some(t), rest) => format!(
            "runs once per value of {}; fails if {} also holds several",
            t.shown(),
            names(rest)
        ),
        (None, [one]) => format!(
            "runs once per value of {} when it holds several",
            one.shown()
        ),
        (None, rest) => format!(
            "runs once per value of whichever of {} holds several; fails if two do",
            names(rest)
        ),
    }
}

/// Lists a program. `slots` names the attribute and parameter slots; `source` is the
/// expression's text, shown beside each instruction.
pub fn listing(program: &Program, slots: &Slots, source: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "; {} instructions, {} constants, stack {}, locals {}, type {}",
        program.code.len(),
        program.consts.len(),
        program.max_stack,
        program.locals,
        program.ty
    );
    if let Some(each) = &program.per_value {
        let _ = writeln!(out, "; {}", each_value(each));
    }
    for (pc, instr) in program.code.iter().enumerate() {
        let text = match *instr {
            Instr::Const(i) => format!(
                "const      {}",
                program.consts.get(i as usize).map_or("?".to_owned(), show)
            ),
            Instr::Bool(b) => format!("bool       {}", if b { "True" } else { "False" }),
            Instr::Attr(s) => format!(
                "attr       [{}]",
                name(slots.attributes.get_index(s as usize))
            ),
            Instr::Imported(s) => {
                format!(
                    "imported   [{}]",
                    name(slots.attributes.get_index(s as usize))
                )
            }
            Instr::ValueCount(s) => {
                format!(
                    "count      [{}]",
                    name(slots.attributes.get_index(s as usize))
                )
            }
            Instr::Param(s) => format!(
                "param      %{}%",
                name(slots.parameters.get_index(s as usize))
            ),
            Instr::Local(l) => format!("local      ${l}"),
            Instr::SetLocal(l) => format!("set        ${l}"),
            Instr::Call { func, argc } => format!(
                "call       {}/{argc}",
                program.funcs.get(func as usize).map_or("?", |b| b.name)
            ),
            Instr::CallAttr { func, slot } => format!(
                "call.attr  {}([{}])",
                program.funcs.get(func as usize).map_or("?", |b| b.name),
                name(slots.attributes.get_index(slot as usize))
            ),
            Instr::CallAttrConst { func, slot, k } => format!(
                "call.attr  {}([{}], {})",
                program.funcs.get(func as usize).map_or("?", |b| b.name),
                name(slots.attributes.get_index(slot as usize)),
                program.consts.get(k as usize).map_or("?".to_owned(), show)
            ),
            Instr::CallConst { func, k } => format!(
                "call.const {}/2 {}",
                program.funcs.get(func as usize).map_or("?", |b| b.name),
                program.consts.get(k as usize).map_or("?".to_owned(), show)
            ),
            Instr::JumpIfConst {
                op,
                k,
                target,
                when,
            } => format!(
                "jump.{:<5} {target:04} if {} {}",
                if when { "true" } else { "false" },
                op.symbol(),
                program.consts.get(k as usize).map_or("?".to_owned(), show)
            ),
            Instr::JumpIfCallAttr {
                func,
                slot,
                target,
                when,
            } => format!(
                "jump.{:<5} {target:04} if {}([{}])",
                if when { "true" } else { "false" },
                program.funcs.get(func as usize).map_or("?", |b| b.name),
                name(slots.attributes.get_index(slot as usize))
            ),
            Instr::BinaryConst(op, k) => format!(
                "op.const   {} {}",
                op.symbol(),
                program.consts.get(k as usize).map_or("?".to_owned(), show)
            ),
            Instr::Binary(op) => format!("op         {}", op.symbol()),
            Instr::Neg => "neg".to_owned(),
            Instr::ToBool => "bool?".to_owned(),
            Instr::Jump(t) => format!("jump       {t:04}"),
            Instr::JumpIfFalse(t) => format!("jump.false {t:04}"),
            Instr::JumpIfTrue(t) => format!("jump.true  {t:04}"),
            Instr::IterInit(l) => format!("iter       ${l}"),
            Instr::IterNext { iter, var, exit } => {
                format!("next       ${iter} -> ${var} else {exit:04}")
            }
            Instr::AccInit(l) => format!("acc        ${l}"),
            Instr::AccPush(l) => format!("acc.push   ${l}"),
            Instr::AccFinish(l) => format!("acc.done   ${l}"),
        };
        let snippet = program
            .spans
            .get(pc)
            .and_then(|s| source.get(s.range()))
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default();
        let snippet = if snippet.chars().count() > 40 {
            format!("{}…", snippet.chars().take(39).collect::<String>())
        } else {
            snippet
        };
        let _ = writeln!(out, "{pc:04}  {text:<32} ; {snippet}");
    }
    out
}

fn name(n: Option<&String>) -> &str {
    n.map_or("?", String::as_str)
}

fn show(v: &crate::value::Value) -> String {
    use crate::value::Value;
    match v {
        Value::Str(s) => format!("{s:?}"),
        Value::Ref(s) => format!("ref {s:?}"),
        Value::Null => "NULL".to_owned(),
        Value::Ignore => "IgnoreThisFlow".to_owned(),
        Value::AuthoritativeNull => "AuthoritativeNull".to_owned(),
        other => format!("{} {other}", other.kind()),
    }
}
