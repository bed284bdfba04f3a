//! Diagnostics: located, coded messages with the offending source underlined.
//!
//! Messages are lowercase, without a final period, with user input in backticks; a `help`
//! says what to do where there is something to say ("did you mean `Trim`?").

use std::fmt;

use crate::span::Span;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// A lint finding: the input works but probably not as meant.
    Warning,
    /// The input is rejected.
    Error,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One finding about one piece of source.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Diagnostic {
    /// A stable code such as `E0101`, for documentation and for filtering.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// The offending source.
    pub span: Span,
    /// A short label under the underlined source, if it says more than the message.
    pub label: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error.
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span,
            label: None,
            help: None,
        }
    }

    /// A warning.
    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    /// With a label under the underlined source.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// With a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The diagnostic moved by `offset` bytes, for an expression embedded in a larger file.
    pub fn shifted(mut self, offset: usize) -> Self {
        self.span = self.span.shifted(offset);
        self
    }

    /// Renders as text: `file:line:col: severity[code]: message`, then the source line
    /// with the span underlined, then the help. `source` is the whole text `span` points
    /// into.
    pub fn render(&self, file: &str, source: &str) -> String {
        Rendered {
            diag: self,
            file,
            source,
        }
        .to_string()
    }
}

/// The option closest to `given` (ignoring case), for a "did you mean"; `None` when
/// nothing is close. On a tie the first option wins, so lists put their preferred
/// spelling first.
pub fn closest<'a>(given: &str, options: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given = given.to_lowercase();
    options
        .into_iter()
        .map(|o| (strsim::jaro_winkler(&o.to_lowercase(), &given), o))
        .filter(|(score, _)| *score > 0.8)
        .fold(None, |best: Option<(f64, &str)>, (score, o)| match best {
            Some((b, _)) if b >= score => best,
            _ => Some((score, o)),
        })
        .map(|(_, o)| o)
}

/// The 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, col)
}

struct Rendered<'a> {
    diag: &'a Diagnostic,
    file: &'a str,
    source: &'a str,
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diag;
        let start = (d.span.start as usize).min(self.source.len());
        let end = (d.span.end as usize).clamp(start, self.source.len());
        let (line, col) = line_col(self.source, start);
        writeln!(
            f,
            "{}:{line}:{col}: {}[{}]: {}",
            self.file,
            d.severity.as_str(),
            d.code,
            d.message
        )?;
        let line_start = self
            .source
            .get(..start)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1);
        let line_end = self
            .source
            .get(start..)
            .and_then(|s| s.find('\n'))
            .map_or(self.source.len(), |i| start + i);
        let text = self.source.get(line_start..line_end).unwrap_or("");
        let gutter = " ".repeat(line.to_string().len());
        writeln!(f, "{gutter} |")?;
        writeln!(f, "{line} | {}", text.trim_end_matches('\r'))?;
        let lead: String = self
            .source
            .get(line_start..start)
            .unwrap_or("")
            .chars()
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let width = self
            .source
            .get(start..end.min(line_end))
            .map_or(0, |s| s.chars().count())
            .max(1);
        write!(f, "{gutter} | {lead}{}", "^".repeat(width))?;
        if let Some(label) = &d.label {
            write!(f, " {label}")?;
        }
        writeln!(f)?;
        if let Some(help) = &d.help {
            writeln!(f, "{gutter} = help: {help}")?;
        }
        Ok(())
    }
}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(self.label.clone(), self.span),
        )))
    }
}

/// All the diagnostics of one piece of source (an expression, or later a rule file).
#[derive(Clone, Debug, Default, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.summary())]
pub struct Diagnostics {
    /// The findings, in source order.
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// True when any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Adds a finding.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Renders every finding (see [`Diagnostic::render`]).
    pub fn render(&self, file: &str, source: &str) -> String {
        self.items.iter().map(|d| d.render(file, source)).collect()
    }

    fn summary(&self) -> String {
        match self.items.as_slice() {
            [] => "no diagnostics".to_owned(),
            [one] => one.message.clone(),
            [first, rest @ ..] => format!("{} (and {} more)", first.message, rest.len()),
        }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics { items: vec![d] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_and_underline() {
        let src = "IIF(x,\n  Trimm([a]), 1)";
        let d = Diagnostic::error("E0101", Span::new(9, 14), "unknown function `Trimm`")
            .with_help("did you mean `Trim`?");
        assert_eq!(
            d.render("rule.yaml", src),
            "rule.yaml:2:3: error[E0101]: unknown function `Trimm`\n  |\n2 |   Trimm([a]), 1)\n  |   ^^^^^\n  = help: did you mean `Trim`?\n"
        );
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("aé\nbc", 4), (2, 1));
        assert_eq!(line_col("aéb", 3), (1, 3));
    }
}
