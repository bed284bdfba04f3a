//! The rule model: what a rule file says, independent of how it was written.
//!
//! See `docs/rules.md` for the YAML format. Every enum carries both its YAML spelling and
//! Entra Connect's, so importers and the loader share one table.

use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;

use super::yaml::Scalar;
use crate::span::Span;

/// Which way a rule flows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// Connector space → metaverse.
    Inbound,
    /// Metaverse → connector space.
    Outbound,
}

/// How a rule links objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkType {
    /// May only join an existing object.
    Join,
    /// Joins, or creates the target object when nothing joins.
    Provision,
    /// Never provisions; once joined, the target lives until the source is deleted.
    StickyJoin,
}

/// How contributions to one attribute combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MergeType {
    /// The highest-precedence non-null contribution wins.
    Update,
    /// Same as [`MergeType::Update`].
    Replace,
    /// The union of all contributions, exact duplicates removed.
    Merge,
    /// The union, values differing only by case removed.
    MergeCaseInsensitive,
}

/// The 20 scoping operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[expect(
    missing_docs,
    reason = "each variant is its name; the table in docs/rules.md says what it tests"
)]
pub enum ScopeOp {
    Equal,
    NotEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    Contains,
    NotContains,
    StartsWith,
    NotStartsWith,
    EndsWith,
    NotEndsWith,
    IsNull,
    IsNotNull,
    IsIn,
    IsNotIn,
    IsBitSet,
    IsNotBitSet,
    IsMemberOf,
    IsNotMemberOf,
}

/// An enum's spellings: (variant, YAML spelling, Entra Connect spellings).
pub type Spellings<T> = &'static [(T, &'static str, &'static [&'static str])];

/// Directions.
pub const DIRECTIONS: Spellings<Direction> = &[
    (Direction::Inbound, "inbound", &["Inbound"]),
    (Direction::Outbound, "outbound", &["Outbound"]),
];

/// Link types.
pub const LINK_TYPES: Spellings<LinkType> = &[
    (LinkType::Join, "join", &["Join"]),
    (LinkType::Provision, "provision", &["Provision"]),
    (LinkType::StickyJoin, "sticky-join", &["StickyJoin"]),
];

/// Merge types.
pub const MERGE_TYPES: Spellings<MergeType> = &[
    (MergeType::Update, "update", &["Update"]),
    (MergeType::Replace, "replace", &["Replace"]),
    (MergeType::Merge, "merge", &["Merge"]),
    (
        MergeType::MergeCaseInsensitive,
        "merge-case-insensitive",
        &["MergeCaseInsensitive"],
    ),
];

/// Scoping operators.
pub const SCOPE_OPS: Spellings<ScopeOp> = &[
    (ScopeOp::Equal, "equal", &["EQUAL"]),
    (ScopeOp::NotEqual, "not-equal", &["NOTEQUAL"]),
    (ScopeOp::LessThan, "less-than", &["LESSTHAN"]),
    (
        ScopeOp::LessThanOrEqual,
        "less-than-or-equal",
        &["LESSTHAN_OR_EQUAL"],
    ),
    (ScopeOp::GreaterThan, "greater-than", &["GREATERTHAN"]),
    (
        ScopeOp::GreaterThanOrEqual,
        "greater-than-or-equal",
        &["GREATERTHAN_OR_EQUAL"],
    ),
    (ScopeOp::Contains, "contains", &["CONTAINS"]),
    (ScopeOp::NotContains, "not-contains", &["NOTCONTAINS"]),
    (ScopeOp::StartsWith, "starts-with", &["STARTSWITH"]),
    (
        ScopeOp::NotStartsWith,
        "not-starts-with",
        &["NOTSTARTSWITH"],
    ),
    (ScopeOp::EndsWith, "ends-with", &["ENDSWITH"]),
    (ScopeOp::NotEndsWith, "not-ends-with", &["NOTENDSWITH"]),
    (ScopeOp::IsNull, "is-null", &["ISNULL"]),
    (ScopeOp::IsNotNull, "is-not-null", &["ISNOTNULL"]),
    (ScopeOp::IsIn, "is-in", &["ISIN"]),
    (ScopeOp::IsNotIn, "is-not-in", &["ISNOTIN"]),
    (ScopeOp::IsBitSet, "is-bit-set", &["ISBITSET"]),
    (
        ScopeOp::IsNotBitSet,
        "is-not-bit-set",
        &["ISNOTBITSET", "ISBITNOTSET"],
    ),
    (ScopeOp::IsMemberOf, "is-member-of", &["ISMEMBEROF"]),
    (
        ScopeOp::IsNotMemberOf,
        "is-not-member-of",
        &["ISNOTMEMBEROF"],
    ),
];

/// The YAML spelling of a value.
pub fn spelling<T: PartialEq + Copy>(table: Spellings<T>, v: T) -> &'static str {
    table
        .iter()
        .find(|(x, _, _)| *x == v)
        .map_or("?", |(_, s, _)| s)
}

/// The value spelled `s`, in YAML's or Entra Connect's spelling.
pub fn parse_spelling<T: Copy>(table: Spellings<T>, s: &str) -> Option<T> {
    table
        .iter()
        .find(|(_, yaml, legacy)| *yaml == s || legacy.contains(&s))
        .map(|(v, _, _)| *v)
}

impl ScopeOp {
    /// True for `is-null` and `is-not-null`, which take no value.
    pub fn takes_value(self) -> bool {
        !matches!(self, ScopeOp::IsNull | ScopeOp::IsNotNull)
    }
}

/// One scoping clause.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ScopeClause {
    /// The attribute tested (the source side's).
    pub attribute: String,
    /// The test.
    pub operator: ScopeOp,
    /// The value compared with; empty for `is-null`/`is-not-null`.
    pub value: String,
}

/// One join condition.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct JoinCondition {
    /// The source side's attribute.
    pub source: String,
    /// The target side's attribute.
    pub target: String,
    /// Whether values compare case-sensitively.
    pub case_sensitive: bool,
}

impl JoinCondition {
    /// As reports write it: `source = target`, marked when case-sensitive.
    pub(crate) fn text(&self) -> String {
        let case = if self.case_sensitive {
            " (case-sensitive)"
        } else {
            ""
        };
        format!("{} = {}{case}", self.source, self.target)
    }
}

/// Where a flow's value comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FlowSource {
    /// An expression.
    Expression(String),
    /// A source attribute, unchanged.
    Direct(String),
    /// A constant string.
    Constant(String),
}

/// One attribute flow.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Flow {
    /// The target attribute.
    pub target: String,
    /// The value.
    pub source: FlowSource,
    /// How it combines with other rules' contributions.
    pub merge: MergeType,
    /// Set only when the target object is created.
    pub apply_once: bool,
}

/// What marks a vendor default rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Vendor {
    /// Entra Connect's immutable tag.
    pub immutable_tag: String,
    /// The content fingerprint recorded when the rule was imported; `None` when unknown.
    pub fingerprint: Option<String>,
}

/// One synchronization rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Unique name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Inbound or outbound.
    pub direction: Direction,
    /// The connector's name.
    pub connector: String,
    /// The source object type.
    pub source: String,
    /// The target object type.
    pub target: String,
    /// The link type.
    pub link: LinkType,
    /// Lower wins.
    pub precedence: i64,
    /// Disabled rules are checked but not planned.
    pub enabled: bool,
    /// Set for vendor defaults.
    pub vendor: Option<Vendor>,
    /// OR of groups, AND of clauses.
    pub scope: Vec<Vec<ScopeClause>>,
    /// Groups tried in order, AND of conditions.
    pub join: Vec<Vec<JoinCondition>>,
    /// Join groups offered per user-matching option (`mail`, `account-resource`, ...):
    /// the option `sync.yaml` selects appends its groups after [`Rule::join`] when the
    /// rule set is instantiated.
    pub matching: IndexMap<String, Vec<Vec<JoinCondition>>>,
    /// Attribute flows.
    pub flows: Vec<Flow>,
    /// Where the rule was read from, if it was read from a file.
    pub origin: Option<Arc<Origin>>,
}

/// A rule file as read: its path, text, the spans of the rule's parts, and its comments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The file.
    pub path: PathBuf,
    /// The file's text.
    pub text: String,
    /// Spans of the rule's parts.
    pub spans: RuleSpans,
    /// Comments, by where they stand.
    pub comments: Comments,
}

/// Spans of a rule's parts in its file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleSpans {
    /// The document.
    pub whole: Span,
    /// Values of top-level keys, by key.
    pub keys: IndexMap<String, Span>,
    /// Scope clauses: the clause's span, by group and clause.
    pub scope: Vec<Vec<Span>>,
    /// Join conditions, by group and condition.
    pub join: Vec<Vec<Span>>,
    /// Each `matching` option's name.
    pub matching: IndexMap<String, Span>,
    /// Flows.
    pub flows: Vec<FlowSpans>,
}

/// Spans of one flow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowSpans {
    /// The whole item.
    pub item: Span,
    /// The target's value.
    pub target: Span,
    /// The expression, direct source or constant scalar (for positions inside it).
    pub value: Option<Scalar>,
    /// The `merge` value, when written.
    pub merge: Option<Span>,
}

/// Where a comment stands, so the formatter can put it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CommentAnchor {
    /// Before the first key.
    Header,
    /// Before a top-level key (by its index in the canonical key order).
    Key(usize),
    /// Before a scope clause.
    Clause(usize, usize),
    /// Before a join condition.
    Condition(usize, usize),
    /// Before a user-matching option under `matching`.
    Matching(usize),
    /// Before a flow.
    Flow(usize),
    /// After everything.
    Trailer,
}

/// Comment lines (without `#`), by anchor.
pub type Comments = std::collections::BTreeMap<CommentAnchor, Vec<String>>;

/// The canonical order of a rule file's top-level keys.
pub const RULE_KEYS: &[&str] = &[
    "name",
    "description",
    "direction",
    "connector",
    "source",
    "target",
    "link",
    "precedence",
    "enabled",
    "vendor",
    "scope",
    "join",
    "matching",
    "flows",
];

impl Rule {
    /// A rule with the required parts and everything else at its default.
    pub fn new(
        name: impl Into<String>,
        direction: Direction,
        connector: impl Into<String>,
        source: impl Into<String>,
        target: impl Into<String>,
        precedence: i64,
    ) -> Rule {
        Rule {
            name: name.into(),
            description: None,
            direction,
            connector: connector.into(),
            source: source.into(),
            target: target.into(),
            link: LinkType::Join,
            precedence,
            enabled: true,
            vendor: None,
            scope: Vec::new(),
            join: Vec::new(),
            matching: IndexMap::new(),
            flows: Vec::new(),
            origin: None,
        }
    }

    /// The span of a top-level key's value, if the rule was read from a file.
    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.origin.as_ref()?.spans.keys.get(key).copied()
    }

    /// The rule's file (`<rule NAME>` for a rule built in code).
    pub fn file(&self) -> PathBuf {
        self.origin.as_ref().map_or_else(
            || PathBuf::from(format!("<rule {}>", self.name)),
            |o| o.path.clone(),
        )
    }

    /// Where a finding about a top-level key points: the file, and the key's value (the
    /// whole document when the key is not written).
    pub fn at(&self, key: &str) -> (PathBuf, Span) {
        let span = self.origin.as_ref().map_or_else(Span::default, |o| {
            o.spans.keys.get(key).copied().unwrap_or(o.spans.whole)
        });
        (self.file(), span)
    }
}

/// A short fingerprint of what a rule does: its identity, scope, join and flows, but not
/// its description, enabled flag or recorded fingerprint, so disabling a vendor default or
/// documenting it does not count as editing it.
pub fn fingerprint(rule: &Rule) -> String {
    use sha1::{Digest, Sha1};
    let canonical = Rule {
        description: None,
        enabled: true,
        vendor: rule.vendor.as_ref().map(|v| Vendor {
            immutable_tag: v.immutable_tag.clone(),
            fingerprint: None,
        }),
        origin: None,
        ..rule.clone()
    };
    let digest = Sha1::digest(super::emit::emit_rule(&canonical).as_bytes());
    digest
        .iter()
        .take(8)
        .fold(String::with_capacity(16), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        })
}
