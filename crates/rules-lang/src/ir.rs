//! The checked, typed tree: names resolved to slots and builtins, every node typed.
//! Only the checker builds it, and only the compiler and the reference evaluator read it.

use indexmap::IndexSet;

use crate::functions::Builtin;
use crate::span::Span;
use crate::types::Ty;
use crate::value::Value;

/// A checked expression node.
#[derive(Clone, Debug)]
pub struct Node {
    /// What it computes.
    pub kind: NodeKind,
    /// Its static type.
    pub ty: Ty,
    /// Its source.
    pub span: Span,
}

/// Binary operators after checking (`BAND`/`BOR` have become calls, `&&`/`||` control flow).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `&`
    Concat,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Concat => "&",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Eq => "=",
            BinOp::Ne => "<>",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
        }
    }
}

/// The kinds of checked node.
#[derive(Clone, Debug)]
pub enum NodeKind {
    /// A constant.
    Const(Value),
    /// The current value of the attribute in this slot.
    Attr(u32),
    /// The import-confirmed value of the attribute in this slot (`ImportedValue`).
    Imported(u32),
    /// The number of values of the attribute in this slot (`ValueCount`).
    ValueCount(u32),
    /// The parameter in this slot (`%Domain.FQDN%`).
    Param(u32),
    /// The local variable with this index (`$item`).
    Local(u32),
    /// A builtin call (arguments evaluated first).
    Call(&'static Builtin, Vec<Node>),
    /// `IIF(cond, then, else)`: only one branch runs.
    Iif(Box<Node>, Box<Node>, Box<Node>),
    /// `a && b` (short-circuit).
    And(Box<Node>, Box<Node>),
    /// `a || b` (short-circuit).
    Or(Box<Node>, Box<Node>),
    /// A binary operator.
    Binary(BinOp, Box<Node>, Box<Node>),
    /// `-x`
    Neg(Box<Node>),
    /// `Select($var, source, body)`
    Select {
        /// The local bound to each value.
        var: u32,
        /// The values.
        source: Box<Node>,
        /// What each value becomes.
        body: Box<Node>,
    },
    /// `Where($var, source, cond)`
    Where {
        /// The local bound to each value.
        var: u32,
        /// The values.
        source: Box<Node>,
        /// Which values to keep.
        cond: Box<Node>,
    },
    /// `With($var, value, body)`
    With {
        /// The local bound to the value.
        var: u32,
        /// The value, evaluated once.
        value: Box<Node>,
        /// The expression using it.
        body: Box<Node>,
    },
}

/// An attribute read where one value is expected, which may hold several values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spread {
    /// The attribute's slot.
    pub slot: u32,
    /// Its import-confirmed values are read (`ImportedValue("name")`), not its current
    /// ones (`[name]`): the two are different lists.
    pub imported: bool,
    /// The attribute's name, for messages.
    pub name: String,
    /// The first read of it where one value is expected.
    pub span: Span,
}

impl Spread {
    /// The read as written: `[name]` or `ImportedValue("name")`.
    pub fn shown(&self) -> String {
        if self.imported {
            format!("ImportedValue(\"{}\")", self.name)
        } else {
            format!("[{}]", self.name)
        }
    }
}

/// How an expression runs once per value of a multi-valued attribute, the whole
/// expression (see [`crate::check::check`]).
///
/// At run time the attribute to run over is `typed` if the schema named one, and otherwise
/// the one of `untyped` that holds several values. When two attributes would have to be
/// spread (two of `untyped` hold several values, or `typed` and one of `untyped` do), the
/// evaluation fails: which attribute the expression runs once per value of is ambiguous.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EachValue {
    /// The attribute the schema says is multi-valued: the expression always runs once per
    /// value of it and its result is multi-valued.
    pub typed: Option<Spread>,
    /// Attributes of unknown type (`var`): the expression runs once per value of one of
    /// them only when it holds several values, and as written when each holds one or
    /// none.
    pub untyped: Vec<Spread>,
}

impl EachValue {
    /// The reading with these attributes, or `None` when there are none.
    pub fn of(typed: Option<Spread>, untyped: Vec<Spread>) -> Option<EachValue> {
        (typed.is_some() || !untyped.is_empty()).then_some(EachValue { typed, untyped })
    }

    /// The attribute the expression always runs once per value of, if the schema
    /// names one.
    pub fn typed_slot(&self) -> Option<u32> {
        self.typed.as_ref().map(|s| s.slot)
    }
}

/// Attribute and parameter names mapped to dense slot numbers. One table may be shared
/// by every expression of a rule set, so an object's attributes are resolved once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Slots {
    /// Attribute names by slot.
    pub attributes: IndexSet<String>,
    /// Parameter names by slot.
    pub parameters: IndexSet<String>,
}

impl Slots {
    /// The slot of an attribute, added if new.
    pub fn attribute(&mut self, name: &str) -> u32 {
        slot(&mut self.attributes, name)
    }

    /// The slot of a parameter, added if new.
    pub fn parameter(&mut self, name: &str) -> u32 {
        slot(&mut self.parameters, name)
    }
}

fn slot(set: &mut IndexSet<String>, name: &str) -> u32 {
    let index = match set.get_index_of(name) {
        Some(i) => i,
        None => set.insert_full(name.to_owned()).0,
    };
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// A type-checked expression, ready to compile. Only [`crate::check::check`] makes one.
#[derive(Clone, Debug)]
pub struct Checked {
    pub(crate) root: Node,
    pub(crate) locals: u32,
    pub(crate) per_value: Option<EachValue>,
}

impl Checked {
    /// The root node.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// The result type.
    pub fn ty(&self) -> Ty {
        self.root.ty
    }

    /// How many local variables the expression binds.
    pub fn locals(&self) -> u32 {
        self.locals
    }

    /// The attribute slot the whole expression always runs once per value of, if the
    /// schema says it is multi-valued (see [`crate::check::check`]).
    pub fn per_value(&self) -> Option<u32> {
        self.per_value.as_ref().and_then(EachValue::typed_slot)
    }

    /// How the whole expression runs once per value of an attribute, if it may.
    pub fn each_value(&self) -> Option<&EachValue> {
        self.per_value.as_ref()
    }
}
