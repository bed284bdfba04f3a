//! Checking: resolves names (functions, attributes, parameters, variables) and types every
//! node, collecting every error of an expression rather than stopping at the first.

mod calls;
mod each;
mod forms;
mod ops;
mod reading;

use crate::ast::{Expr, ExprKind};
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{Checked, Node, NodeKind, Slots};
use crate::span::Span;
use crate::types::Ty;
use crate::value::Value;

/// Where the checker learns attribute types. Attributes it does not know are `var`.
pub trait AttributeTypes {
    /// The type of an attribute; [`Ty::Var`] when unknown.
    fn attribute_type(&self, name: &str) -> Ty;

    /// A known attribute spelled like `name` but for case, if any: attribute names are
    /// case-sensitive, so `[samaccountname]` is a mistake when `sAMAccountName` exists.
    fn same_but_case(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }
}

/// No schema: every attribute is `var`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Untyped;

impl AttributeTypes for Untyped {
    fn attribute_type(&self, _: &str) -> Ty {
        Ty::Var
    }
}

/// The parameters Entra Connect's connectors supply (`%Domain.FQDN%` and friends).
pub const KNOWN_PARAMETERS: &[&str] = &[
    "Domain.Netbios",
    "Domain.FQDN",
    "Domain.LDAP",
    "Forest.Netbios",
    "Forest.FQDN",
    "Forest.LDAP",
    "Connector.ID",
];

/// Type-checks an expression, giving attribute and parameter names slots in `slots`.
///
/// Reading: an expression that uses one multi-valued attribute where single values are
/// expected runs once per value of that attribute, the whole expression, as Entra Connect
/// evaluates it (`IIF(InStr([proxyAddresses],"SIP:")=1,NULL,[proxyAddresses])` keeps every
/// address but the SIP one), and its results form a multi-valued result; see
/// `reading`. An attribute that is also handed on as a list (`Count`,
/// `Join`, `Select`, ...) keeps its values together. The same reading is tried when the
/// expression does not check as written and reads one multi-valued attribute (the
/// out-of-box NGC device-key rule does arithmetic on `Mid([searchableDeviceKey], ...)`).
/// Two attributes the schema types multi-valued, both used where one value is expected,
/// are an error (E0113): the expression does not say which to run once per value of.
pub fn check(
    expr: &Expr,
    types: &dyn AttributeTypes,
    slots: &mut Slots,
) -> Result<Checked, Diagnostics> {
    let (root, locals, diags, multi_reads) = run(expr, types, slots);
    if !diags.has_errors() {
        return each::as_written(expr, types, slots, root, locals);
    }
    each::instead(expr, types, slots, &multi_reads).unwrap_or(Err(diags))
}

/// A read of a multi-valued attribute: its name, and whether through `ImportedValue`.
type MultiRead = (String, bool);

fn run(
    expr: &Expr,
    types: &dyn AttributeTypes,
    slots: &mut Slots,
) -> (Node, u32, Diagnostics, Vec<MultiRead>) {
    let mut checker = Checker {
        types,
        slots,
        diags: Diagnostics::default(),
        scope: Vec::new(),
        locals: 0,
        multi_reads: Vec::new(),
    };
    let root = checker.expr(expr);
    (root, checker.locals, checker.diags, checker.multi_reads)
}

pub(crate) struct Checker<'a> {
    types: &'a dyn AttributeTypes,
    slots: &'a mut Slots,
    diags: Diagnostics,
    /// Bound variables, innermost last: name, local index, type.
    scope: Vec<(String, u32, Ty)>,
    locals: u32,
    /// The multi-valued attributes the expression reads, each once.
    multi_reads: Vec<MultiRead>,
}

impl Checker<'_> {
    /// Records a read of `name`, of type `ty`, if it is multi-valued.
    fn multi_read(&mut self, name: &str, ty: Ty, imported: bool) {
        let read = (name.to_owned(), imported);
        if ty.is_multi() && !self.multi_reads.contains(&read) {
            self.multi_reads.push(read);
        }
    }

    fn error(&mut self, d: Diagnostic) -> Node {
        let span = d.span;
        self.diags.push(d);
        Node {
            kind: NodeKind::Const(Value::Null),
            ty: Ty::Var,
            span,
        }
    }

    fn expr(&mut self, e: &Expr) -> Node {
        let (kind, ty) = match &e.kind {
            ExprKind::Attribute(name) => {
                if let Some(right) = self.types.same_but_case(name) {
                    return self.error(
                        Diagnostic::error("E0102", e.span, format!("unknown attribute `{name}`"))
                            .with_help(format!(
                                "did you mean `[{right}]`? attribute names are case-sensitive"
                            )),
                    );
                }
                let ty = self.types.attribute_type(name);
                self.multi_read(name, ty, false);
                (NodeKind::Attr(self.slots.attribute(name)), ty)
            }
            ExprKind::Parameter(name) => (NodeKind::Param(self.slots.parameter(name)), Ty::STR),
            ExprKind::Str(s) => (NodeKind::Const(Value::str(s)), Ty::STR),
            ExprKind::Num(n) => (NodeKind::Const(Value::Num(*n)), Ty::NUM),
            ExprKind::Bool(b) => (NodeKind::Const(Value::Bool(*b)), Ty::BOOL),
            ExprKind::Null => (NodeKind::Const(Value::Null), Ty::Null),
            ExprKind::IgnoreThisFlow => (NodeKind::Const(Value::Ignore), Ty::FlowControl),
            ExprKind::AuthoritativeNull => {
                (NodeKind::Const(Value::AuthoritativeNull), Ty::FlowControl)
            }
            ExprKind::Variable(name) => match self.lookup_var(name) {
                Some((index, ty)) => (NodeKind::Local(index), ty),
                None => {
                    return self.error(
                        Diagnostic::error("E0103", e.span, format!("unknown variable `${name}`"))
                            .with_help("variables are bound by `Select`, `Where` and `With`"),
                    );
                }
            },
            ExprKind::EnumName(name) => return self.bare_name(name, e.span),
            ExprKind::Call {
                name,
                name_span,
                args,
            } => return self.call(name, *name_span, args, e.span),
            ExprKind::Unary { operand, .. } => return self.neg(operand, e.span),
            ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => return self.binary(*op, *op_span, lhs, rhs, e.span),
        };
        Node {
            kind,
            ty,
            span: e.span,
        }
    }

    /// A name that is not a call, keyword or argument option.
    fn bare_name(&mut self, name: &str, span: Span) -> Node {
        let keywords = [
            "True",
            "False",
            "NULL",
            "CRLF",
            "IgnoreThisFlow",
            "AuthoritativeNull",
        ];
        let d = Diagnostic::error("E0104", span, format!("`{name}` is not a value here"));
        let d = if let Some(k) = keywords.iter().find(|k| k.eq_ignore_ascii_case(name)) {
            d.with_help(format!("did you mean `{k}`? keywords are case-sensitive"))
        } else if crate::functions::lookup(name).is_some() {
            d.with_help(format!("`{name}` is a function: call it as `{name}(...)`"))
        } else {
            d.with_help(format!(
                "write an attribute as `[{name}]`, a parameter as `%{name}%`, a string as `\"{name}\"`"
            ))
        };
        self.error(d)
    }

    fn lookup_var(&self, name: &str) -> Option<(u32, Ty)> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _, _)| n == name)
            .map(|(_, i, t)| (*i, *t))
    }

    /// Binds `name` for the duration of `f`.
    fn with_var<T>(&mut self, name: &str, ty: Ty, f: impl FnOnce(&mut Self, u32) -> T) -> T {
        let index = self.locals;
        self.locals += 1;
        self.scope.push((name.to_owned(), index, ty));
        let out = f(self, index);
        self.scope.pop();
        out
    }
}

impl AttributeTypes for crate::schema::Schema {
    /// The schema's type; `var` when the schema does not hold the attribute. `dn`, the
    /// object's own distinguished name, is a reference even where no schema declares it.
    fn attribute_type(&self, name: &str) -> Ty {
        match self.attribute(name) {
            Some(def) => def.ty(),
            None if name == "dn" => Ty::REF,
            None => Ty::Var,
        }
    }

    fn same_but_case(&self, name: &str) -> Option<String> {
        if self.attribute(name).is_some() {
            return None;
        }
        self.attribute_ignore_case(name).map(|a| a.name.clone())
    }
}
