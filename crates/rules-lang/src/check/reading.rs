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

use crate::functions::{Builtin, Param};
use crate::ir::{Node, NodeKind};
use crate::types::Ty;

use super::calls::param_at;

/// The multi-valued attribute slots an expression reads, by use.
#[derive(Debug, Default)]
pub(super) struct Uses {
    /// Slots whose values reach a place where one value is expected.
    pub mapped: Vec<u32>,
    /// Slots whose values are handed on as a list.
    pub native: Vec<u32>,
}

impl Uses {
    /// The one attribute the whole expression should run once per value of: the only
    /// attribute used as single values, when it is never used as a list.
    pub fn per_value(&self) -> Option<u32> {
        match self.mapped.as_slice() {
            [slot] if !self.native.contains(slot) => Some(*slot),
            _ => None,
        }
    }

    fn add(list: &mut Vec<u32>, slots: Vec<u32>) {
        for s in slots {
            if !list.contains(&s) {
                list.push(s);
            }
        }
    }
}

/// Sorts the multi-valued attribute reads of a checked expression.
pub(super) fn uses(root: &Node) -> Uses {
    let mut uses = Uses::default();
    let _ = visit(root, &mut uses);
    uses
}

/// Records the uses inside `node` and returns the slots whose values `node` carries on to
/// its consumer.
fn visit(node: &Node, uses: &mut Uses) -> Vec<u32> {
    match &node.kind {
        NodeKind::Attr(slot) | NodeKind::Imported(slot) if may_be_multi(node.ty) => vec![*slot],
        NodeKind::Const(_)
        | NodeKind::Attr(_)
        | NodeKind::Imported(_)
        | NodeKind::ValueCount(_)
        | NodeKind::Param(_)
        | NodeKind::Local(_) => Vec::new(),
        NodeKind::Call(builtin, args) => call(builtin, args, uses),
        NodeKind::Iif(cond, then, otherwise) => {
            let _ = single(cond, uses);
            let mut carried = visit(then, uses);
            Uses::add(&mut carried, visit(otherwise, uses));
            carried
        }
        NodeKind::And(a, b) | NodeKind::Or(a, b) => {
            let _ = single(a, uses);
            let _ = single(b, uses);
            Vec::new()
        }
        NodeKind::Binary(_, a, b) => {
            let mut carried = single(a, uses);
            Uses::add(&mut carried, single(b, uses));
            carried
        }
        NodeKind::Neg(a) => single(a, uses),
        NodeKind::Select { source, body, .. } => {
            list(source, uses);
            let _ = visit(body, uses);
            Vec::new()
        }
        NodeKind::Where { source, cond, .. } => {
            list(source, uses);
            let _ = visit(cond, uses);
            Vec::new()
        }
        NodeKind::With { value, body, .. } => {
            list(value, uses);
            visit(body, uses)
        }
    }
}

/// A node whose values go where one value is expected; returns what it carries on (the
/// result of a mapping is one value per value).
fn single(node: &Node, uses: &mut Uses) -> Vec<u32> {
    let carried = visit(node, uses);
    Uses::add(&mut uses.mapped, carried.clone());
    carried
}

/// A node whose values are taken as a list.
fn list(node: &Node, uses: &mut Uses) {
    let carried = visit(node, uses);
    Uses::add(&mut uses.native, carried);
}

fn call(builtin: &Builtin, args: &[Node], uses: &mut Uses) -> Vec<u32> {
    let mut carried = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        if takes_one(builtin, i) {
            Uses::add(&mut carried, single(arg, uses));
        } else {
            list(arg, uses);
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
