//! Converting values to what parameters take, as PowerShell converts them where that is
//! safe, with an error at the value otherwise.

use super::run::{Interp, V, Val};
use syncrules_lang::rules::model::Spellings;

/// The nearest of `known` to `given`, for a "did you mean".
pub(super) fn nearest<'a>(given: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    syncrules_lang::diag::closest(given, known)
}

/// How a value is named in messages.
pub(super) fn describe(v: &V) -> String {
    match v {
        V::Str(s) => format!("`{s}`"),
        V::Int(n) => format!("`{n}`"),
        V::Bool(true) => "`$true`".into(),
        V::Bool(false) => "`$false`".into(),
        V::Null => "`$null`".into(),
        V::Array(xs) => format!("a list of {}", xs.len()),
        V::Rule(_) => "a synchronization rule".into(),
        V::Scope(_) => "a scope condition".into(),
        V::Join(_) => "a join condition".into(),
        V::Poison => "an earlier error".into(),
    }
}

impl Interp<'_> {
    /// Reports that `v` is not what `wanted` says a parameter takes (E0334).
    pub(super) fn mismatch<T>(&mut self, v: &Val, wanted: &str, help: &str) -> Option<T> {
        let found = describe(&v.v);
        self.error("E0334", v.span, format!("{wanted}, found {found}"), help);
        None
    }

    /// A value as a string (PowerShell's conversions of numbers and Booleans).
    pub(super) fn string(&mut self, v: &Val, param: &str) -> Option<String> {
        match &v.v {
            V::Str(s) => Some(s.clone()),
            V::Int(n) => Some(n.to_string()),
            V::Bool(b) => Some(if *b { "True" } else { "False" }.to_owned()),
            V::Null => Some(String::new()),
            V::Array(xs) if xs.len() == 1 => xs.first().and_then(|x| self.string(x, param)),
            V::Poison => None,
            _ => self.mismatch(v, &format!("`-{param}` takes a string"), ""),
        }
    }

    /// A non-empty string, trimmed.
    pub(super) fn text(&mut self, v: &Val, param: &str) -> Option<String> {
        let s = self.string(v, param)?;
        let t = s.trim();
        if t.is_empty() {
            self.error("E0334", v.span, format!("`-{param}` must not be empty"), "");
            return None;
        }
        Some(t.to_owned())
    }

    /// A list of strings (a single string is a list of one; `$null` an empty list).
    pub(super) fn strings(&mut self, v: &Val, param: &str) -> Option<Vec<String>> {
        match &v.v {
            V::Array(xs) => {
                let mut out = Vec::with_capacity(xs.len());
                for x in xs {
                    out.push(self.string(x, param)?);
                }
                Some(out)
            }
            V::Null => Some(Vec::new()),
            _ => self.string(v, param).map(|s| vec![s]),
        }
    }

    /// A whole number (a string of digits is converted, as PowerShell does).
    pub(super) fn integer(&mut self, v: &Val, param: &str) -> Option<i64> {
        match &v.v {
            V::Int(n) => Some(*n),
            V::Str(s) if s.trim().parse::<i64>().is_ok() => s.trim().parse::<i64>().ok(),
            V::Array(xs) if xs.len() == 1 => xs.first().and_then(|x| self.integer(x, param)),
            V::Poison => None,
            _ => self.mismatch(v, &format!("`-{param}` takes a whole number"), ""),
        }
    }

    /// `$true` or `$false` (or 1 and 0). Strings are refused: PowerShell reads any
    /// non-empty string, `'False'` included, as true.
    pub(super) fn boolean(&mut self, v: &Val, what: &str) -> Option<bool> {
        match &v.v {
            V::Bool(b) => Some(*b),
            V::Int(0) => Some(false),
            V::Int(1) => Some(true),
            V::Poison => None,
            _ => self.mismatch(
                v,
                &format!("{what} must be `$true` or `$false`"),
                "PowerShell reads any non-empty string as true, `'False'` included",
            ),
        }
    }

    /// One of a table's spellings of the value of `param`, case-insensitively (Entra
    /// Connect's or ours); `noun` names it in messages when the parameter would not.
    pub(super) fn choice<T: Copy>(
        &mut self,
        v: &Val,
        param: &str,
        noun: Option<&str>,
        table: Spellings<T>,
    ) -> Option<T> {
        let s = self.string(v, param)?;
        let s = s.trim();
        let found = table
            .iter()
            .find(|(_, ours, theirs)| {
                ours.eq_ignore_ascii_case(s) || theirs.iter().any(|t| t.eq_ignore_ascii_case(s))
            })
            .map(|(x, _, _)| *x);
        if found.is_none() {
            let names = table
                .iter()
                .map(|(_, ours, theirs)| theirs.first().copied().unwrap_or(ours));
            let all = table
                .iter()
                .flat_map(|(_, ours, theirs)| theirs.iter().copied().chain([*ours]));
            let help = match nearest(s, all) {
                Some(n) => format!("did you mean `{n}`?"),
                None => format!(
                    "use one of {}",
                    names
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            self.error(
                "E0334",
                v.span,
                match noun {
                    Some(n) => format!("`{s}` is not a valid {n}"),
                    None => format!("`{s}` is not a valid `-{param}`"),
                },
                &help,
            );
        }
        found
    }

    /// The rule a value holds.
    pub(super) fn rule(&mut self, v: &Val, param: &str) -> Option<usize> {
        match &v.v {
            V::Rule(i) => Some(*i),
            V::Array(xs) if xs.len() == 1 => xs.first().and_then(|x| self.rule(x, param)),
            V::Poison => None,
            _ => self.mismatch(
                v,
                &format!("`-{param}` takes a synchronization rule"),
                "pass the `-OutVariable` of `New-ADSyncRule`: `$syncRule[0]`",
            ),
        }
    }

    /// Every object in a value, nested lists flattened.
    pub(super) fn objects(v: &Val) -> Vec<Val> {
        match &v.v {
            V::Array(xs) => xs.iter().flat_map(Self::objects).collect(),
            _ => vec![v.clone()],
        }
    }
}
