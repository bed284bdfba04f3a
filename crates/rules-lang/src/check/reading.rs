//! Which reading of a multi-valued attribute an expression asks for.
//!
//! Entra Connect evaluates an expression that uses a multi-valued attribute where single
//! values are expected once per value of that attribute, the whole expression, and the
//! results form the multi-valued result
//! (`concept-azure-ad-connect-sync-declarative-provisioning-expressions.md`,
//! "Multi-valued attributes"): `IIF(InStr([proxyAddresses],"SIP:")=1,NULL,[proxyAddresses])`
//! drops the SIP addresses and keeps the others, which mapping `InStr` alone over the
//! values could not do (the condition would be a list).
//!
//! This module walks a checked expression and sorts each read of a multi-valued attribute
//! by where its values go: a **mapped** use puts them where one value is expected (the
//! first argument of a mapping function such as `InStr` or `Trim`, an operator, the
//! condition of `IIF`); a **native** use hands the list to something that takes lists
//! (`Count`, `Join`, `Contains`, `Item`, the source of `Select` or `Where`, a `var`
//! parameter such as `IsPresent`'s). Branches of `IIF` and the result of a mapping pass
//! the values on to whatever consumes them.
//!
//! An attribute the schema does not type (`var`) may hold several values, so its reads are
//! sorted the same way; the expression then runs once per value only when the attribute
//! holds several (see [`crate::ir::EachValue`]).
//!
//! Two different multi-valued attributes used where one value is expected leave the
//! reading ambiguous (run once per value of which? of every pair?), and Microsoft's
//! documentation is silent: the checker rejects the expression when the schema types both
//! (E0113), and an evaluation fails when attributes of unknown type turn out to hold
//! several values each.

use crate::functions::{Builtin, Param};
use crate::ir::{Node, NodeKind};
use crate::span::Span;
use crate::types::Ty;

use super::calls::param_at;

/// A read of an attribute that may hold several values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Read {
    /// The attribute's slot.
    pub slot: u32,
    /// Read through `ImportedValue`: its import-confirmed values, another list.
    pub imported: bool,
    /// Where the value is read (the first such read).
    pub span: Span,
    /// The schema types the attribute multi-valued (otherwise it is `var`).
    pub typed: bool,
}

impl Read {
    /// Whether both read the same list of values.
    pub fn same(&self, other: &Read) -> bool {
        self.slot == other.slot && self.imported == other.imported
    }
}

/// The multi-valued attribute reads of an expression, by use.
#[derive(Debug, Default)]
pub(super) struct Uses {
    /// Attributes whose values reach a place where one value is expected.
    pub mapped: Vec<Read>,
    /// Attributes whose values are handed on as a list.
    pub native: Vec<Read>,
}

impl Uses {
    /// The attributes the whole expression may run once per value of: those used as
    /// single values and never as a list, in the order they are first read.
    pub fn spread(&self) -> Vec<Read> {
        self.mapped
            .iter()
            .filter(|m| !self.native.iter().any(|n| n.same(m)))
            .copied()
            .collect()
    }

    fn add(list: &mut Vec<Read>, reads: Vec<Read>) {
        for r in reads {
            if !list.iter().any(|x| x.same(&r)) {
                list.push(r);
            }
        }
    }
}

/// Sorts the multi-valued attribute reads of a checked expression.
pub(super) fn uses(root: &Node) -> Uses {
    uses_of(root, &|node: &Node, _| {
        may_be_multi(node.ty).then_some(node.ty.is_multi())
    })
}

/// Sorts the reads of the attributes `multi` picks: `Some(typed)` for an attribute that
/// may hold several values (typed multi-valued by the schema, or not), `None` for others.
pub(super) fn uses_of(root: &Node, multi: &dyn Fn(&Node, u32) -> Option<bool>) -> Uses {
    let mut uses = Uses::default();
    let _ = visit(root, &mut uses, multi);
    uses
}

/// Picks the reads to sort (see [`uses_of`]).
type Pick<'a> = &'a dyn Fn(&Node, u32) -> Option<bool>;

/// Records the uses inside `node` and returns the reads whose values `node` carries on to
/// its consumer.
fn visit(node: &Node, uses: &mut Uses, multi: Pick<'_>) -> Vec<Read> {
    match &node.kind {
        NodeKind::Attr(slot) | NodeKind::Imported(slot) => multi(node, *slot)
            .map(|typed| Read {
                slot: *slot,
                imported: matches!(node.kind, NodeKind::Imported(_)),
                span: node.span,
                typed,
            })
            .into_iter()
            .collect(),
        NodeKind::Const(_) | NodeKind::ValueCount(_) | NodeKind::Param(_) | NodeKind::Local(_) => {
            Vec::new()
        }
        NodeKind::Call(builtin, args) => call(builtin, args, uses, multi),
        NodeKind::Iif(cond, then, otherwise) => {
            let _ = single(cond, uses, multi);
            let mut carried = visit(then, uses, multi);
            Uses::add(&mut carried, visit(otherwise, uses, multi));
            carried
        }
        NodeKind::And(a, b) | NodeKind::Or(a, b) => {
            let _ = single(a, uses, multi);
            let _ = single(b, uses, multi);
            Vec::new()
        }
        NodeKind::Binary(_, a, b) => {
            let mut carried = single(a, uses, multi);
            Uses::add(&mut carried, single(b, uses, multi));
            carried
        }
        NodeKind::Neg(a) => single(a, uses, multi),
        NodeKind::Select { source, body, .. } => {
            list(source, uses, multi);
            let _ = visit(body, uses, multi);
            Vec::new()
        }
        NodeKind::Where { source, cond, .. } => {
            list(source, uses, multi);
            let _ = visit(cond, uses, multi);
            Vec::new()
        }
        NodeKind::With { value, body, .. } => {
            list(value, uses, multi);
            visit(body, uses, multi)
        }
    }
}

/// A node whose values go where one value is expected; returns what it carries on (the
/// result of a mapping is one value per value).
fn single(node: &Node, uses: &mut Uses, multi: Pick<'_>) -> Vec<Read> {
    let carried = visit(node, uses, multi);
    Uses::add(&mut uses.mapped, carried.clone());
    carried
}

/// A node whose values are taken as a list.
fn list(node: &Node, uses: &mut Uses, multi: Pick<'_>) {
    let carried = visit(node, uses, multi);
    Uses::add(&mut uses.native, carried);
}

fn call(builtin: &Builtin, args: &[Node], uses: &mut Uses, multi: Pick<'_>) -> Vec<Read> {
    let mut carried = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        if takes_one(builtin, i) {
            Uses::add(&mut carried, single(arg, uses, multi));
        } else {
            list(arg, uses, multi);
        }
    }
    carried
}

/// Whether every overload wants one value at `index`: a multi-valued argument there is
/// mapped (the function runs once per value).
fn takes_one(builtin: &Builtin, index: usize) -> bool {
    let mut params = builtin.sigs.iter().filter_map(|sig| param_at(sig, index));
    let mut any = false;
    let all = params.all(|p| {
        any = true;
        matches!(p, Param::Ty(Ty::One(_)) | Param::Enum(_) | Param::AttrName)
    });
    any && all
}

/// A value that is multi-valued, or may be: an attribute of unknown type.
fn may_be_multi(ty: Ty) -> bool {
    ty.is_multi() || ty == Ty::Var
}
