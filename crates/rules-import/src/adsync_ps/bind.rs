//! Binding a call's arguments to its cmdlet's parameters, as PowerShell does: names are
//! case-insensitive and may be shortened to a unique prefix, a switch takes `-Name:$false`,
//! positional arguments fill the cmdlet's positional parameters, and pipeline input goes
//! to the parameter that accepts it.

use super::cmdlets::{COMMON, Cmdlet, Kind};
use super::convert::nearest;
use super::parse::{Arg, Command};
use super::run::{Interp, Val};
use syncrules_lang::span::Span;

/// The arguments of one call, bound to the cmdlet's parameters.
pub(super) struct Bound {
    /// Value parameters by canonical name.
    values: Vec<(&'static str, Val)>,
    /// Switches by canonical name.
    switches: Vec<(&'static str, bool)>,
}

impl Bound {
    /// The value of a parameter.
    pub(super) fn get(&self, name: &str) -> Option<&Val> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Whether a switch is on.
    pub(super) fn switch(&self, name: &str) -> bool {
        self.switches.iter().any(|(n, on)| *n == name && *on)
    }

    fn has(&self, name: &str) -> bool {
        self.get(name).is_some() || self.switches.iter().any(|(n, _)| *n == name)
    }
}

impl Interp<'_> {
    /// The parameter `given` names, by exact name or unique prefix (as PowerShell does).
    fn resolve(
        &mut self,
        cmdlet: &Cmdlet,
        given: &str,
        span: Span,
    ) -> Option<(&'static str, Kind)> {
        let all = || cmdlet.params.iter().chain(COMMON.iter());
        if let Some(p) = all().find(|p| p.name.eq_ignore_ascii_case(given)) {
            return Some((p.name, p.kind));
        }
        let lower = given.to_lowercase();
        let prefixed: Vec<_> = all()
            .filter(|p| p.name.to_lowercase().starts_with(&lower))
            .collect();
        match prefixed.as_slice() {
            [p] => return Some((p.name, p.kind)),
            [] => {}
            many => {
                let names: Vec<String> = many.iter().map(|p| format!("`-{}`", p.name)).collect();
                self.error(
                    "E0332",
                    span,
                    format!("`-{given}` is ambiguous for `{}`", cmdlet.name),
                    &format!("it could be {}", names.join(", ")),
                );
                return None;
            }
        }
        let help = match nearest(given, all().map(|p| p.name)) {
            Some(p) => format!("did you mean `-{p}`?"),
            None => format!(
                "the parameters of `{}` are {}",
                cmdlet.name,
                cmdlet
                    .params
                    .iter()
                    .map(|p| format!("`-{}`", p.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.error(
            "E0332",
            span,
            format!("unknown parameter `-{given}` for `{}`", cmdlet.name),
            &help,
        );
        None
    }

    /// Binds a call's arguments; `false` when something was wrong (and reported).
    pub(super) fn bind(
        &mut self,
        cmdlet: &Cmdlet,
        c: &Command,
        input: Option<Val>,
    ) -> (Bound, bool) {
        let mut b = Bound {
            values: Vec::new(),
            switches: Vec::new(),
        };
        let mut ok = true;
        let mut args = c.args.iter().peekable();
        while let Some(arg) = args.next() {
            match arg {
                Arg::Param { name, span, bound } => {
                    let takes_next = bound.is_none() && matches!(args.peek(), Some(Arg::Value(_)));
                    let Some((p, kind)) = self.resolve(cmdlet, name, *span) else {
                        // Its value, if it had one, is not an argument of its own.
                        if takes_next {
                            args.next();
                        }
                        ok = false;
                        continue;
                    };
                    if b.has(p) {
                        self.error(
                            "E0332",
                            *span,
                            format!("`-{p}` is given twice"),
                            "keep one of them",
                        );
                        if takes_next && kind == Kind::Value {
                            args.next();
                        }
                        ok = false;
                        continue;
                    }
                    match kind {
                        Kind::Switch => {
                            let on = match bound {
                                Some(e) => {
                                    let v = self.eval(e);
                                    self.boolean(&v, &format!("`-{p}:`"))
                                }
                                None => Some(true),
                            };
                            ok &= on.is_some();
                            b.switches.push((p, on.unwrap_or(false)));
                        }
                        Kind::Value => {
                            let e = match bound {
                                Some(e) => Some(e),
                                None if takes_next => match args.next() {
                                    Some(Arg::Value(e)) => Some(e),
                                    _ => None,
                                },
                                None => None,
                            };
                            match e {
                                Some(e) => {
                                    let v = self.eval(e);
                                    b.values.push((p, v));
                                }
                                None => {
                                    self.error("E0333", *span, format!("`-{p}` needs a value"), "");
                                    ok = false;
                                }
                            }
                        }
                    }
                }
                Arg::Value(e) => {
                    let slot = cmdlet
                        .positional
                        .iter()
                        .copied()
                        .find(|p| b.get(p).is_none());
                    match slot {
                        Some(p) => {
                            let v = self.eval(e);
                            b.values.push((p, v));
                        }
                        None => {
                            self.error(
                                "E0332",
                                e.span,
                                format!("`{}` takes no positional argument here", cmdlet.name),
                                "name the parameter: `-Name value`",
                            );
                            ok = false;
                        }
                    }
                }
            }
        }
        if let Some(input) = input {
            match cmdlet.pipeline {
                Some(p) if b.has(p) => {
                    self.error(
                        "E0332",
                        c.name_span,
                        format!("`-{p}` is given both by name and through the pipeline"),
                        "keep one of them",
                    );
                    ok = false;
                }
                Some(p) => b.values.push((p, input)),
                None => {
                    self.error(
                        "E0332",
                        c.name_span,
                        format!("`{}` takes no pipeline input", cmdlet.name),
                        "remove the `|` before it",
                    );
                    ok = false;
                }
            }
        }
        (b, ok)
    }
}
