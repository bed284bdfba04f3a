//! What each cmdlet does to the rules being built.
//!
//! This module dispatches a bound call to its cmdlet and holds the helpers that read
//! parameters; the submodules do the work: `rules` creates and adds rules, `flows` adds
//! attribute flows, `conditions` creates scope and join conditions and adds their groups.

mod conditions;
mod flows;
mod rules;

use super::bind::Bound;
use super::cmdlets::{Action, Cmdlet};
use super::parse::Command;
use super::run::{Interp, Output, Val};
use conditions::{add_join_group, add_scope_group, new_object};
use flows::add_flow;
use rules::{add_rule, new_rule};

/// Runs a bound call.
pub(super) fn run(i: &mut Interp<'_>, cmdlet: &Cmdlet, c: &Command, b: &Bound) -> Output {
    let out = match cmdlet.action {
        Action::NewRule => new_rule(i, c, b),
        Action::AddFlow => add_flow(i, c, b),
        Action::AddScopeGroup => add_scope_group(i, c, b),
        Action::AddJoinGroup => add_join_group(i, c, b),
        Action::AddRule => add_rule(i, c, b),
        Action::NewObject => new_object(i, c, b),
        Action::Discard | Action::Ignored => return Output::Nothing,
    };
    out.map_or(Output::Failed, Output::Value)
}

/// The value of a required parameter, or an error at the cmdlet's name.
fn required<'b>(i: &mut Interp<'_>, c: &Command, b: &'b Bound, p: &str) -> Option<&'b Val> {
    let found = b.get(p);
    if found.is_none() {
        i.error(
            "E0333",
            c.name_span,
            format!("`{}` needs `-{p}`", c.name),
            "",
        );
    }
    found
}

fn required_text(i: &mut Interp<'_>, c: &Command, b: &Bound, p: &str) -> Option<String> {
    required(i, c, b, p).and_then(|v| i.text(v, p))
}

/// An optional string: `None` when absent, empty or only blanks.
fn optional_string(i: &mut Interp<'_>, b: &Bound, p: &str) -> Option<Option<String>> {
    match b.get(p) {
        Some(v) => i.string(v, p).map(|s| (!s.trim().is_empty()).then_some(s)),
        None => Some(None),
    }
}

/// The rule of `-SynchronizationRule`.
fn target_rule(i: &mut Interp<'_>, c: &Command, b: &Bound) -> Option<usize> {
    required(i, c, b, "SynchronizationRule").and_then(|v| i.rule(v, "SynchronizationRule"))
}
