//! The plan: a checked rule set compiled for the engine. Rules are grouped by direction,
//! connector and source object type, each group in precedence order with its scoping
//! filters, join criteria and flows compiled; every target attribute has its contributions
//! in precedence order with their merge type.
//!
//! A plan can only be built from a rule set that checks: [`Plan::build`] reports every
//! error and returns `None` if there is one.

mod attributes;
mod build;
mod listing;
mod scope;
mod whole;

use indexmap::IndexMap;

pub use build::build;
pub use scope::{ClauseOutcome, ScopeContext};

use super::model::{Direction, JoinCondition, LinkType, MergeType, ScopeOp};
use crate::compile::Program;
use crate::ir::Slots;
use crate::name::Name;
use crate::value::Value;

/// Which rules a group holds: one direction, one connector, one source object type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupKey {
    /// Inbound or outbound.
    pub direction: Direction,
    /// The connector's name.
    pub connector: String,
    /// The source object type.
    pub source: String,
}

/// The compiled rule set.
#[derive(Clone, Debug)]
pub struct Plan {
    /// A fingerprint of everything that affects results: a changed plan needs a full sync.
    pub fingerprint: String,
    /// Rule groups.
    pub groups: IndexMap<GroupKey, RuleGroup>,
    /// Per target attribute, the contributions in precedence order.
    pub contributions: IndexMap<TargetKey, Vec<Contribution>>,
}

/// The rules of one group, sharing one attribute-slot table.
#[derive(Clone, Debug)]
pub struct RuleGroup {
    /// Attribute and parameter slots of every expression and clause in the group.
    pub slots: Slots,
    /// Enabled rules, lowest precedence number first.
    pub rules: Vec<PlannedRule>,
    /// The connector's parameter values, laid out by slot.
    pub parameters: Vec<Value>,
}

/// One rule, compiled.
#[derive(Clone, Debug)]
pub struct PlannedRule {
    /// The rule's name (interned: every contribution of the rule names it).
    pub name: Name,
    /// Its precedence.
    pub precedence: i64,
    /// Its link type.
    pub link: LinkType,
    /// The target object type.
    pub target: String,
    /// OR of groups, AND of clauses.
    pub scope: Vec<Vec<Clause>>,
    /// Join groups tried in order.
    pub join: Vec<Vec<JoinCondition>>,
    /// Flows.
    pub flows: Vec<PlannedFlow>,
}

/// A compiled scoping clause.
#[derive(Clone, Debug)]
pub struct Clause {
    /// The attribute's name.
    pub attribute: String,
    /// Its slot.
    pub slot: u32,
    /// The test.
    pub operator: ScopeOp,
    /// The value compared with.
    pub value: String,
    /// The value as a number, when it is one (comparisons and bit tests).
    pub number: Option<i64>,
}

/// A compiled flow.
#[derive(Clone, Debug)]
pub struct PlannedFlow {
    /// The target attribute.
    pub target: Name,
    /// The value as written: the expression, source attribute or constant.
    pub text: String,
    /// How the value is computed.
    pub value: FlowValue,
    /// How contributions combine.
    pub merge: MergeType,
    /// Set only on creation.
    pub apply_once: bool,
}

/// How a flow computes its value.
#[derive(Clone, Debug)]
pub enum FlowValue {
    /// Run a program.
    Expression(Program),
    /// Copy the attribute in this slot.
    Direct(u32),
    /// A constant.
    Constant(Value),
}

/// A target attribute: direction, target connector (outbound) or the metaverse (inbound),
/// target object type, attribute.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TargetKey {
    /// Inbound (into the metaverse) or outbound (into `connector`).
    pub direction: Direction,
    /// The target connector for outbound flows; empty for the metaverse.
    pub connector: String,
    /// The target object type.
    pub object_type: String,
    /// The attribute.
    pub attribute: String,
}

/// One rule's contribution to a target attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    /// The group holding the rule.
    pub group: GroupKey,
    /// The rule's index in its group.
    pub rule: usize,
    /// The flow's index in the rule.
    pub flow: usize,
    /// The rule's precedence.
    pub precedence: i64,
    /// The rule's name.
    pub rule_name: String,
    /// The flow's merge type.
    pub merge: MergeType,
}

impl Plan {
    /// Checks and compiles a rule set; errors and warnings go to `report`.
    pub fn build(set: &super::set::RuleSet, report: &mut super::report::Report) -> Option<Plan> {
        build(set, report)
    }

    /// The plan as text, for review and snapshot tests.
    pub fn listing(&self) -> String {
        listing::listing(self)
    }
}
