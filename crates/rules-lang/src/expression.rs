//! One expression, compiled: the convenient entry point for a single attribute flow.

use crate::name::AttrMap;
use indexmap::IndexMap;

use crate::check::{AttributeTypes, check};
use crate::compile::{Program, listing};
use crate::diag::Diagnostics;
use crate::env::{Env, Record, parameters};
use crate::error::EvalError;
use crate::ir::{Checked, Slots};
use crate::parse::parse;
use crate::reference;
use crate::types::Ty;
use crate::value::Value;
use crate::vm::Vm;

/// Parses, checks and compiles `source`, giving its attributes and parameters slots in a
/// table shared with other expressions.
pub fn compile(
    source: &str,
    types: &dyn AttributeTypes,
    slots: &mut Slots,
) -> Result<(Checked, Program), Diagnostics> {
    let ast = parse(source)?;
    let checked = check(&ast, types, slots)?;
    let program = Program::compile(&checked)?;
    Ok((checked, program))
}

/// A compiled expression with its own slot table.
#[derive(Clone, Debug)]
pub struct Expression {
    source: String,
    slots: Slots,
    checked: Checked,
    program: Program,
}

impl Expression {
    /// Parses, checks and compiles an expression.
    pub fn compile(source: &str, types: &dyn AttributeTypes) -> Result<Self, Diagnostics> {
        let mut slots = Slots::default();
        let (checked, program) = compile(source, types, &mut slots)?;
        Ok(Expression {
            source: source.to_owned(),
            slots,
            checked,
            program,
        })
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The attribute and parameter slots the expression reads.
    pub fn slots(&self) -> &Slots {
        &self.slots
    }

    /// The result type.
    pub fn ty(&self) -> Ty {
        self.checked.ty()
    }

    /// The compiled program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The checked tree.
    pub fn checked(&self) -> &Checked {
        &self.checked
    }

    /// The program listing.
    pub fn listing(&self) -> String {
        listing(&self.program, &self.slots, &self.source)
    }

    /// Lays out named attribute values by this expression's slots.
    pub fn record(&self, attributes: &AttrMap) -> Record {
        Record::from_named(&self.slots, attributes)
    }

    /// Lays out named parameter values by this expression's slots.
    pub fn parameters(&self, named: &IndexMap<String, String>) -> Vec<Value> {
        parameters(&self.slots, named)
    }

    /// Evaluates with the VM.
    pub fn eval(&self, vm: &mut Vm, env: &Env<'_>) -> Result<Value, EvalError> {
        vm.run(&self.program, env)
    }

    /// Evaluates with the reference evaluator.
    pub fn eval_reference(&self, env: &Env<'_>) -> Result<Value, EvalError> {
        reference::evaluate(&self.checked, env)
    }
}
