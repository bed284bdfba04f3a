//! Where a connector's secret comes from (`<name>-env` or `<name>-file`), shared by the
//! LDAP bind password and the Graph client secret: parsed with located errors, read when a
//! command needs it, and never shown.

use std::path::PathBuf;

use syncrules_lang::diag::Diagnostic;
use syncrules_lang::span::Span;

use crate::config_fields::{Fields, text};

/// Where a secret comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum PasswordSource {
    /// An environment variable's name.
    Env(String),
    /// A file (its first line).
    File(PathBuf),
}

/// The pair of keys naming a secret's source, e.g. `password-env` and `password-file`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SecretKeys {
    /// The key naming an environment variable.
    pub env: &'static str,
    /// The key naming a file.
    pub file: &'static str,
    /// What the secret is, for the help text (`the password`).
    pub what: &'static str,
}

/// Why a secret could not be read. The text names the key and the variable or file, never
/// the secret.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The environment variable is not set.
    #[error("`{key}`: the environment variable `{var}` is not set")]
    Unset {
        /// The key naming the variable (`password-env`).
        key: &'static str,
        /// The variable.
        var: String,
    },
    /// The file cannot be read.
    #[error("`{key}`: cannot read {}: {source}", .path.display())]
    Unreadable {
        /// The key naming the file (`password-file`).
        key: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The variable is set but empty.
    #[error("`{key}`: `{var}` is empty")]
    EmptyVariable {
        /// The key naming the variable.
        key: &'static str,
        /// The variable.
        var: String,
    },
    /// The file's first line is empty.
    #[error("`{key}`: {} is empty", .path.display())]
    EmptyFile {
        /// The key naming the file.
        key: &'static str,
        /// The file.
        path: PathBuf,
    },
}

impl PasswordSource {
    /// The secret: the variable's value or the file's first line; an error naming the key
    /// (never the secret) when it is missing, unreadable or empty.
    pub(crate) fn read(&self, keys: SecretKeys) -> Result<String, SecretError> {
        let secret = match self {
            PasswordSource::Env(var) => std::env::var(var).map_err(|_| SecretError::Unset {
                key: keys.env,
                var: var.clone(),
            })?,
            PasswordSource::File(path) => std::fs::read_to_string(path)
                .map_err(|source| SecretError::Unreadable {
                    key: keys.file,
                    path: path.clone(),
                    source,
                })?
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned(),
        };
        if secret.is_empty() {
            return Err(match self {
                PasswordSource::Env(var) => SecretError::EmptyVariable {
                    key: keys.env,
                    var: var.clone(),
                },
                PasswordSource::File(path) => SecretError::EmptyFile {
                    key: keys.file,
                    path: path.clone(),
                },
            });
        }
        Ok(secret)
    }
}

/// Reads the secret's source from `f`: exactly one of the two keys (E0603 for both, E0602
/// for neither); with the span of the key written.
pub(crate) fn parse_source(
    f: &mut Fields<'_>,
    keys: SecretKeys,
    what: &str,
    at: Span,
    errors: &mut Vec<Diagnostic>,
) -> Option<(PasswordSource, Span)> {
    let env = f
        .get(keys.env)
        .and_then(|(k, n)| text(keys.env, n, errors).map(|s| (k.span, s)));
    let file = f
        .get(keys.file)
        .and_then(|(k, n)| text(keys.file, n, errors).map(|s| (k.span, s)));
    match (env, file) {
        (Some((span, s)), None) => Some((PasswordSource::Env(s.value.trim().to_owned()), span)),
        (None, Some((span, s))) => {
            Some((PasswordSource::File(PathBuf::from(s.value.trim())), span))
        }
        (Some((span, _)), Some(_)) => {
            errors.push(Diagnostic::error(
                "E0603",
                span,
                format!("write one of `{}` and `{}`, not both", keys.env, keys.file),
            ));
            None
        }
        (None, None) => {
            errors.push(
                Diagnostic::error(
                    "E0602",
                    at,
                    format!("{what} needs `{}` or `{}`", keys.env, keys.file),
                )
                .with_help(format!("never {} itself", keys.what)),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: SecretKeys = SecretKeys {
        env: "password-env",
        file: "password-file",
        what: "the password",
    };

    /// An empty secret would be an anonymous LDAP bind or a refused token request: it is an
    /// error naming the key, and a file's first line only is the secret.
    #[test]
    fn the_first_line_is_read_and_an_empty_secret_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "s3cret\nsecond line\n").unwrap();
        let source = PasswordSource::File(path.clone());
        assert_eq!(source.read(KEYS).unwrap(), "s3cret");
        std::fs::write(&path, "\n").unwrap();
        let err = source.read(KEYS).unwrap_err().to_string();
        assert!(
            err.starts_with("`password-file`:") && err.ends_with("is empty"),
            "{err}"
        );
        let err = PasswordSource::Env("SYNCRULES_TEST_SECRET_NEVER_SET".into())
            .read(KEYS)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`password-env`") && err.contains("not set"),
            "{err}"
        );
    }
}
