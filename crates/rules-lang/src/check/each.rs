//! Which reading of multi-valued attributes a checked expression gets: as written, or once
//! per value of one attribute (see `reading` for how reads are sorted), or E0113 when two
//! multi-valued attributes are read where one value is expected.

use super::reading::{self, Read};
use super::{AttributeTypes, run};
use crate::ast::Expr;
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{Checked, EachValue, Node, Slots, Spread};
use crate::types::Ty;

/// The reading of an expression that checks as written (`root`).
pub(super) fn as_written(
    expr: &Expr,
    types: &dyn AttributeTypes,
    slots: &mut Slots,
    root: Node,
    locals: u32,
) -> Result<Checked, Diagnostics> {
    let spread = reading::uses(&root).spread();
    let (typed, untyped): (Vec<Read>, Vec<Read>) = spread.into_iter().partition(|r| r.typed);
    let untyped = named(slots, &untyped);
    let per_value = match typed.as_slice() {
        [] => EachValue::of(None, untyped),
        // The schema says multi-valued: checked again with one value of it.
        [one] => {
            let checked = named(slots, &[*one])
                .pop()
                .and_then(|each| per_value(expr, types, slots, each));
            if let Some(checked) = checked {
                return Ok(checked);
            }
            EachValue::of(None, untyped)
        }
        [first, second, ..] => return Err(ambiguous(slots, first, second).into()),
    };
    Ok(Checked {
        root,
        locals,
        per_value,
    })
}

/// For an expression that does not check as written and reads the multi-valued
/// attributes `multi_reads`: the per-value reading when it reads one list (`[x]` or
/// `ImportedValue("x")`) and checks with one value of it, E0113 when it reads several and
/// two are where one value is expected.
pub(super) fn instead(
    expr: &Expr,
    types: &dyn AttributeTypes,
    slots: &mut Slots,
    multi_reads: &[(String, bool)],
) -> Option<Result<Checked, Diagnostics>> {
    match multi_reads {
        [(name, imported)] => {
            let each = Spread {
                slot: slots.attribute(name),
                imported: *imported,
                name: name.clone(),
                span: expr.span,
            };
            per_value(expr, types, slots, each).map(Ok)
        }
        [_, _, ..] => {
            let mut names: Vec<String> = multi_reads.iter().map(|(n, _)| n.clone()).collect();
            names.dedup();
            ambiguous_when_single(expr, types, slots, &names).map(|d| Err(d.into()))
        }
        [] => None,
    }
}

/// E0113 for an expression that does not check as written, when it would with its
/// multi-valued attributes read one value at a time and two of them are read so.
fn ambiguous_when_single(
    expr: &Expr,
    types: &dyn AttributeTypes,
    slots: &mut Slots,
    names: &[String],
) -> Option<Diagnostic> {
    let single = PerValue { types, names };
    let (root, _, diags, _) = run(expr, &single, slots);
    if diags.has_errors() {
        return None;
    }
    let multi: Vec<u32> = names.iter().map(|n| slots.attribute(n)).collect();
    let uses = reading::uses_of(&root, &|_, slot| multi.contains(&slot).then_some(true));
    match uses.spread().as_slice() {
        [first, second, ..] => Some(ambiguous(slots, first, second)),
        _ => None,
    }
}

/// The reads with their attributes' names.
fn named(slots: &Slots, reads: &[Read]) -> Vec<Spread> {
    reads
        .iter()
        .filter_map(|r| {
            let name = slots.attributes.get_index(r.slot as usize)?;
            Some(Spread {
                slot: r.slot,
                imported: r.imported,
                name: name.clone(),
                span: r.span,
            })
        })
        .collect()
}

/// E0113: two multi-valued attributes where one value is expected.
fn ambiguous(slots: &Slots, first: &Read, second: &Read) -> Diagnostic {
    let shown = |r: &Read| {
        named(slots, &[*r])
            .pop()
            .map_or_else(|| "?".to_owned(), |s| s.shown())
    };
    let (a, b) = (shown(first), shown(second));
    Diagnostic::error(
        "E0113",
        second.span,
        format!("`{a}` and `{b}` are both multi-valued and both used where one value is expected"),
    )
    .with_label(format!("`{a}` is already read where one value is expected"))
    .with_help(format!(
        "the expression would run once per value of each; pick values of one with `Item`, \
         `Join`, `Contains` or `Select($v, {b}, ...)`"
    ))
}

/// The expression checked to run once per value of the attribute `each`, if it checks so.
fn per_value(
    expr: &Expr,
    types: &dyn AttributeTypes,
    slots: &mut Slots,
    each: Spread,
) -> Option<Checked> {
    let names = [each.name.clone()];
    let single = PerValue {
        types,
        names: &names,
    };
    let (root, locals, diags, _) = run(expr, &single, slots);
    if diags.has_errors() {
        return None;
    }
    // `[name]` and `ImportedValue("name")` are two lists: both where one value is expected
    // is no reading of one of them.
    let twin = reading::uses_of(&root, &|_, slot| (slot == each.slot).then_some(true))
        .spread()
        .iter()
        .any(|r| r.imported != each.imported);
    if twin {
        return None;
    }
    let untyped: Vec<Read> = reading::uses(&root)
        .spread()
        .into_iter()
        .filter(|r| !(r.typed || r.slot == each.slot))
        .collect();
    let untyped = named(slots, &untyped);
    Some(Checked {
        root: Node {
            ty: root.ty.multi(),
            ..root
        },
        locals,
        per_value: EachValue::of(Some(each), untyped),
    })
}

/// A schema that reads some multi-valued attributes as single-valued.
struct PerValue<'a> {
    types: &'a dyn AttributeTypes,
    names: &'a [String],
}

impl AttributeTypes for PerValue<'_> {
    fn attribute_type(&self, name: &str) -> Ty {
        let ty = self.types.attribute_type(name);
        if self.names.iter().any(|n| n == name) {
            ty.element()
        } else {
            ty
        }
    }

    fn same_but_case(&self, name: &str) -> Option<String> {
        self.types.same_but_case(name)
    }
}
