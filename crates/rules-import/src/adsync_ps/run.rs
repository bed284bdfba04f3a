//! Running the statements: variables, values, pipelines and `-OutVariable`. Binding
//! arguments is in [`super::bind`], converting values in [`super::convert`], what each
//! cmdlet does in [`super::build`].

use std::collections::HashMap;

use super::build;
use super::cmdlets::{self, Action};
use super::convert::{describe, nearest};
use super::parse::{Arg, Command, Expr, ExprKind, Stage, Statement};
use syncrules_lang::diag::Diagnostic;
use syncrules_lang::rules::model::{JoinCondition, Rule, ScopeClause};
use syncrules_lang::span::Span;

/// A value at run time.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum V {
    /// A string.
    Str(String),
    /// A whole number.
    Int(i64),
    /// `$true` or `$false`.
    Bool(bool),
    /// `$null`.
    Null,
    /// An array (what `-OutVariable` stores, `@(...)`, a comma list).
    Array(Vec<Val>),
    /// A rule being built, by index.
    Rule(usize),
    /// A `ScopeCondition` object.
    Scope(ScopeClause),
    /// A `JoinCondition` object: the connector attribute is `source`, the metaverse one
    /// `target`, whatever the direction of the rule it will join.
    Join(JoinCondition),
    /// The result of something that failed and was reported: using it reports nothing more.
    Poison,
}

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Val {
    /// The value.
    pub v: V,
    /// Where it was written.
    pub span: Span,
}

/// What a cmdlet call produced.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Output {
    /// One object.
    Value(V),
    /// Nothing (`Out-Null`, `Get-ADSyncRule`...).
    Nothing,
    /// It failed; the reason is reported.
    Failed,
}

/// A rule being built.
pub(super) struct Building {
    /// The rule so far.
    pub rule: Rule,
    /// `-ImmutableTag`, when not empty.
    pub tag: Option<String>,
    /// The `New-ADSyncRule` that created it.
    pub at: Span,
    /// Its position in the output once `Add-ADSyncRule` has run.
    pub added: Option<usize>,
}

/// The interpreter's state.
pub(super) struct Interp<'c> {
    /// Connector GUID → name.
    pub connectors: &'c dyn Fn(&str) -> Option<String>,
    /// Variables by lowercase name, with the name as first written.
    vars: HashMap<String, (String, Val)>,
    /// Rules created so far.
    pub rules: Vec<Building>,
    /// Rules added, in order.
    pub out: Vec<Rule>,
    /// Errors so far.
    pub errors: Vec<Diagnostic>,
    /// Set when a statement was skipped, so a rule left un-added may not be the script's fault.
    pub lost_track: bool,
}

impl<'c> Interp<'c> {
    /// A fresh interpreter.
    pub(super) fn new(connectors: &'c dyn Fn(&str) -> Option<String>) -> Self {
        Interp {
            connectors,
            vars: HashMap::new(),
            rules: Vec::new(),
            out: Vec::new(),
            errors: Vec::new(),
            lost_track: false,
        }
    }

    /// Records an error.
    pub(super) fn error(&mut self, code: &'static str, span: Span, message: String, help: &str) {
        let mut d = Diagnostic::error(code, span, message);
        if !help.is_empty() {
            d = d.with_help(help);
        }
        self.errors.push(d);
    }

    /// Runs one statement.
    pub(super) fn statement(&mut self, s: &Statement) {
        match s {
            Statement::Broken(names) => {
                self.lost_track = true;
                for n in names {
                    self.set(n, V::Poison, Span::default());
                }
            }
            Statement::Pipeline { assign, stages } => {
                let mut last = Output::Nothing;
                for (i, stage) in stages.iter().enumerate() {
                    last = match stage {
                        Stage::Value(e) => Output::Value(self.eval(e).v),
                        Stage::Command(c) => self.pipe(c, (i > 0).then_some(last)),
                    };
                }
                if let Some((name, span)) = assign {
                    let v = match last {
                        Output::Value(v) => v,
                        Output::Nothing => V::Null,
                        Output::Failed => V::Poison,
                    };
                    self.set(name, v, *span);
                }
            }
        }
    }

    fn set(&mut self, name: &str, v: V, span: Span) {
        let written = self
            .vars
            .get(&name.to_lowercase())
            .map_or_else(|| name.to_owned(), |(w, _)| w.clone());
        self.vars
            .insert(name.to_lowercase(), (written, Val { v, span }));
    }

    /// Runs a command once per object of its input (once when it has none).
    fn pipe(&mut self, c: &Command, input: Option<Output>) -> Output {
        let inputs: Vec<Option<V>> = match input {
            None | Some(Output::Nothing) => vec![None],
            Some(Output::Failed) => vec![Some(V::Poison)],
            Some(Output::Value(V::Array(xs))) => xs.into_iter().map(|x| Some(x.v)).collect(),
            Some(Output::Value(v)) => vec![Some(v)],
        };
        let mut outputs = Vec::new();
        let mut failed = false;
        for input in inputs {
            match self.call(c, input) {
                Output::Value(v) => outputs.push(Val {
                    v,
                    span: c.name_span,
                }),
                Output::Nothing => {}
                Output::Failed => failed = true,
            }
        }
        match (failed, outputs.len()) {
            (true, _) => Output::Failed,
            (false, 0) => Output::Nothing,
            (false, 1) => outputs
                .pop()
                .map_or(Output::Nothing, |v| Output::Value(v.v)),
            (false, _) => Output::Value(V::Array(outputs)),
        }
    }

    /// Runs one call: binds its arguments, runs the cmdlet, sets `-OutVariable`.
    fn call(&mut self, c: &Command, input: Option<V>) -> Output {
        let Some(cmdlet) = cmdlets::find(&c.name) else {
            self.unknown_cmdlet(c);
            return Output::Failed;
        };
        if cmdlet.action == Action::Ignored {
            // Read for the record only (Get-ADSyncRule, Import-Module): not checked.
            return Output::Nothing;
        }
        let input = input.map(|v| Val {
            v,
            span: c.name_span,
        });
        let (bound, ok) = self.bind(cmdlet, c, input);
        // An `Add-ADSyncRule` with a stray parameter still adds its rule, so the rule is not
        // reported un-added as well.
        let output = if ok || cmdlet.action == Action::AddRule {
            build::run(self, cmdlet, c, &bound)
        } else {
            Output::Failed
        };
        // A call that failed on a rule still hands the rule on, so the statements after it
        // are checked against it rather than silenced.
        let output = match (output, bound.get("SynchronizationRule").map(|v| &v.v)) {
            (Output::Failed, Some(V::Rule(i))) => Output::Value(V::Rule(*i)),
            (Output::Failed, Some(V::Array(xs))) => match xs.as_slice() {
                [Val { v: V::Rule(i), .. }] => Output::Value(V::Rule(*i)),
                _ => Output::Failed,
            },
            (output, _) => output,
        };
        if let Some(v) = bound.get("OutVariable").cloned()
            && let Some(name) = self.string(&v, "OutVariable")
        {
            let (append, name) = match name.strip_prefix('+') {
                Some(n) => (true, n.to_owned()),
                None => (false, name),
            };
            let new = match &output {
                Output::Value(v) => vec![Val {
                    v: v.clone(),
                    span: c.name_span,
                }],
                Output::Nothing => Vec::new(),
                Output::Failed => {
                    self.set(&name, V::Poison, v.span);
                    return output;
                }
            };
            let items = match self.vars.get(&name.to_lowercase()).map(|(_, x)| &x.v) {
                Some(V::Array(old)) if append => old.iter().cloned().chain(new).collect(),
                _ => new,
            };
            self.set(&name, V::Array(items), v.span);
        }
        output
    }

    fn unknown_cmdlet(&mut self, c: &Command) {
        self.lost_track = true;
        let near = nearest(&c.name, cmdlets::CMDLETS.iter().map(|k| k.name));
        let help = match near {
            Some(k) => format!("did you mean `{k}`?"),
            None => format!(
                "an exported rule uses {}",
                cmdlets::CMDLETS
                    .iter()
                    .filter(|k| k.exported)
                    .map(|k| format!("`{}`", k.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.error(
            "E0331",
            c.name_span,
            format!("unknown cmdlet `{}`", c.name),
            &help,
        );
        // Whatever it would have stored is unknown: later uses report nothing more.
        let mut args = c.args.iter().peekable();
        while let Some(arg) = args.next() {
            let value = match arg {
                Arg::Param { name, bound, .. } if name.eq_ignore_ascii_case("OutVariable") => {
                    match (bound, args.peek()) {
                        (Some(e), _) | (None, Some(Arg::Value(e))) => e,
                        _ => continue,
                    }
                }
                _ => continue,
            };
            if let ExprKind::Str(v) | ExprKind::Word(v) = &value.kind {
                self.set(v.trim_start_matches('+'), V::Poison, value.span);
            }
        }
    }

    /// Evaluates a value.
    pub(super) fn eval(&mut self, e: &Expr) -> Val {
        let v = match &e.kind {
            ExprKind::Str(s) | ExprKind::Word(s) => V::Str(s.clone()),
            ExprKind::Int(n) => V::Int(*n),
            ExprKind::Var {
                name,
                index,
                member,
            } => self.var(name, *index, member.as_deref(), e.span),
            ExprKind::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    let v = self.eval(item);
                    match v.v {
                        V::Array(xs) => out.extend(xs),
                        _ => out.push(v),
                    }
                }
                V::Array(out)
            }
            ExprKind::List(items) => V::Array(items.iter().map(|i| self.eval(i)).collect()),
        };
        Val { v, span: e.span }
    }

    fn var(&mut self, name: &str, index: Option<i64>, member: Option<&str>, span: Span) -> V {
        let lower = name.to_lowercase();
        let base = match lower.as_str() {
            "true" => V::Bool(true),
            "false" => V::Bool(false),
            "null" => V::Null,
            _ => match self.vars.get(&lower) {
                Some((_, v)) => v.v.clone(),
                None => {
                    let set = self.vars.values().map(|(w, _)| w.as_str());
                    let help = match nearest(name, set) {
                        Some(n) => format!("did you mean `${n}`?"),
                        None => format!(
                            "set it first with `-OutVariable {name}` on a cmdlet, or `${name} = ...`"
                        ),
                    };
                    self.error("E0335", span, format!("`${name}` is not set"), &help);
                    return V::Poison;
                }
            },
        };
        if base == V::Poison {
            return V::Poison;
        }
        let v = match (index, base) {
            (None, v) => v,
            (Some(i), V::Array(xs)) => {
                let k = if i < 0 {
                    i64::try_from(xs.len()).unwrap_or(i64::MAX) + i
                } else {
                    i
                };
                match usize::try_from(k).ok().and_then(|k| xs.get(k)) {
                    Some(x) => x.v.clone(),
                    None => {
                        let what = match xs.len() {
                            0 => "nothing: the cmdlet that set it produced no object".to_owned(),
                            1 => "one element, `[0]`".to_owned(),
                            n => format!("{n} elements"),
                        };
                        self.error(
                            "E0335",
                            span,
                            format!("`${name}` has no element [{i}]"),
                            &format!("it holds {what}"),
                        );
                        return V::Poison;
                    }
                }
            }
            // PowerShell indexes a single object as a list of one.
            (Some(0 | -1), v) => v,
            (Some(i), v) => {
                self.error(
                    "E0335",
                    span,
                    format!("`${name}` has no element [{i}]"),
                    &format!("it holds {}, not a list", describe(&v)),
                );
                return V::Poison;
            }
        };
        if let Some(m) = member {
            self.error(
                "E0330",
                span,
                format!("member access `.{m}` is not supported"),
                "write the value itself, quoted",
            );
            return V::Poison;
        }
        v
    }

    /// Reports rules that were created but never added, unless statements were skipped.
    pub(super) fn finish(&mut self) {
        if self.lost_track {
            return;
        }
        let pending: Vec<(Span, String)> = self
            .rules
            .iter()
            .filter(|b| b.added.is_none())
            .map(|b| (b.at, b.rule.name.clone()))
            .collect();
        for (at, name) in pending {
            self.error(
                "E0336",
                at,
                format!("the rule `{name}` is never added"),
                "end its statements with `Add-ADSyncRule -SynchronizationRule $syncRule[0]`",
            );
        }
    }
}
