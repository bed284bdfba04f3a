//! Records from logical lines: `dn:`, then either attribute values (a content record) or
//! `changetype:` and what that change type takes.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::lines::{Line, record_groups};
use super::{Attr, LdifError, LdifRecord, LdifValue, ModOp, Modification, RecordError, RecordKind};

/// Reads every record of an LDIF text. `path` only locates errors. Nothing is returned unless
/// the whole text is valid.
pub fn parse(text: &str, path: &Path) -> Result<Vec<LdifRecord>, LdifError> {
    parse_records(text.strip_prefix('\u{feff}').unwrap_or(text), 1).map_err(|e| e.in_file(path))
}

/// Reads every record of an LDIF file's bytes, which must be UTF-8 (a byte order mark is
/// skipped). `path` only locates errors.
pub fn parse_bytes(bytes: &[u8], path: &Path) -> Result<Vec<LdifRecord>, LdifError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    parse_from(bytes, path, 1)
}

/// Reads every record of a part of an LDIF file that starts at a record boundary on line
/// `first_line` (1 for the whole file): records and errors carry the file's line numbers. A
/// `version:` line is only taken as such on the file's first line.
pub fn parse_from(
    bytes: &[u8],
    path: &Path,
    first_line: usize,
) -> Result<Vec<LdifRecord>, LdifError> {
    let text = utf8(bytes, path, first_line)?;
    parse_records(text, first_line).map_err(|e| e.in_file(path))
}

/// The bytes as text; the error names the line of the first byte that is not UTF-8.
pub(super) fn utf8<'b>(
    bytes: &'b [u8],
    path: &Path,
    first_line: usize,
) -> Result<&'b str, LdifError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = bytes.get(..e.valid_up_to()).unwrap_or_default();
        LdifError {
            path: path.to_owned(),
            line: first_line + valid.iter().filter(|&&b| b == b'\n').count(),
            message: "the file is not valid utf-8 (use `::` and base64 for binary values)"
                .to_owned(),
        }
    })
}

fn parse_records(text: &str, first_line: usize) -> Result<Vec<LdifRecord>, RecordError> {
    let mut groups = record_groups(text, first_line)?;
    if let Some(first) = groups.first_mut()
        && let Some(line) = first
            .first()
            .filter(|l| first_line == 1 && has_name(l, "version"))
    {
        let (_, raw) = split(line)?;
        match raw {
            Raw::Text(v) if v.trim() == "1" => {}
            _ => {
                let shown = show(line.text.split_once(':').map_or("", |(_, v)| v.trim()));
                return Err(RecordError::new(
                    line.number,
                    format!("unsupported ldif version `{shown}`: only 1 is known"),
                ));
            }
        }
        first.remove(0);
    }
    groups
        .iter()
        .filter(|group| !group.is_empty())
        .map(|group| record(group))
        .collect()
}

/// A value as written after the attribute name.
enum Raw<'l> {
    Text(&'l str),
    Base64(&'l str),
    Url,
}

fn has_name(line: &Line<'_>, name: &str) -> bool {
    line.text
        .split_once(':')
        .is_some_and(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// Shortens user text for a message.
fn show(text: &str) -> String {
    const MAX: usize = 60;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", text.get(..cut).unwrap_or(text)),
        None => text.to_owned(),
    }
}

/// Splits `name: value`, `name:: base64` or `name:< url` and checks the name.
fn split<'l>(line: &'l Line<'_>) -> Result<(&'l str, Raw<'l>), RecordError> {
    let Some((name, rest)) = line.text.split_once(':') else {
        return Err(RecordError::new(
            line.number,
            format!("expected `attribute: value`, found `{}`", show(&line.text)),
        ));
    };
    let valid_start = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let valid_rest = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ';' | '.' | '=' | '_'));
    if !valid_start || !valid_rest {
        return Err(RecordError::new(
            line.number,
            format!("invalid attribute name `{}`", show(name)),
        ));
    }
    let raw = if let Some(b64) = rest.strip_prefix(':') {
        Raw::Base64(b64.trim())
    } else if rest.starts_with('<') {
        Raw::Url
    } else {
        Raw::Text(rest.trim_start_matches(' '))
    };
    Ok((name, raw))
}

fn decode(line: &Line<'_>, name: &str, raw: Raw<'_>) -> Result<LdifValue, RecordError> {
    match raw {
        Raw::Text(text) => Ok(LdifValue::Text(text.to_owned())),
        Raw::Base64(b64) => BASE64.decode(b64).map(LdifValue::Binary).map_err(|_| {
            RecordError::new(
                line.number,
                format!("invalid base64 in the value of `{name}`"),
            )
        }),
        Raw::Url => Err(RecordError::new(
            line.number,
            format!("`{name}:<` url values are not supported: put the value in the file"),
        )),
    }
}

/// A value that must be text (a DN, an RDN, an attribute name).
fn text(line: &Line<'_>, name: &str, raw: Raw<'_>) -> Result<String, RecordError> {
    match decode(line, name, raw)? {
        LdifValue::Text(t) => Ok(t),
        LdifValue::Binary(b) => String::from_utf8(b).map_err(|_| {
            RecordError::new(
                line.number,
                format!("the value of `{name}` is not valid utf-8"),
            )
        }),
    }
}

fn attr(line: &Line<'_>) -> Result<Attr, RecordError> {
    let (name, raw) = split(line)?;
    if name.eq_ignore_ascii_case("dn") {
        return Err(RecordError::new(
            line.number,
            "a `dn:` line inside a record: separate records by a blank line",
        ));
    }
    if name.eq_ignore_ascii_case("changetype") {
        return Err(RecordError::new(
            line.number,
            "`changetype:` must directly follow the `dn:` line (and any `control:` lines)",
        ));
    }
    Ok(Attr {
        name: name.to_owned(),
        value: decode(line, name, raw)?,
        line: line.number,
    })
}

fn record(group: &[Line<'_>]) -> Result<LdifRecord, RecordError> {
    let Some((first, mut rest)) = group.split_first() else {
        return Err(RecordError::new(0, "empty record"));
    };
    let (name, raw) = split(first)?;
    if !name.eq_ignore_ascii_case("dn") {
        return Err(RecordError::new(
            first.number,
            format!("a record must start with `dn:`, found `{}:`", show(name)),
        ));
    }
    let dn = text(first, "dn", raw)?;
    let mut controls = false;
    while let Some((line, tail)) = rest.split_first().filter(|(l, _)| has_name(l, "control")) {
        split(line)?;
        controls = true;
        rest = tail;
    }
    let kind = match rest.split_first() {
        Some((line, tail)) if has_name(line, "changetype") => {
            let (name, raw) = split(line)?;
            change(line, &text(line, name, raw)?, tail)?
        }
        Some((line, _)) if controls => {
            return Err(RecordError::new(
                line.number,
                "`control:` lines must be followed by `changetype:`",
            ));
        }
        _ => {
            let attrs = rest.iter().map(attr).collect::<Result<Vec<_>, _>>()?;
            if attrs.is_empty() {
                return Err(RecordError::new(
                    first.number,
                    format!("the record `{}` has no attributes", show(&dn)),
                ));
            }
            RecordKind::Content(attrs)
        }
    };
    Ok(LdifRecord {
        dn,
        line: first.number,
        kind,
    })
}

fn change(line: &Line<'_>, changetype: &str, rest: &[Line<'_>]) -> Result<RecordKind, RecordError> {
    match changetype.trim().to_ascii_lowercase().as_str() {
        "add" => {
            let attrs = rest.iter().map(attr).collect::<Result<Vec<_>, _>>()?;
            if attrs.is_empty() {
                return Err(RecordError::new(
                    line.number,
                    "an add record needs at least one attribute",
                ));
            }
            Ok(RecordKind::Add(attrs))
        }
        "delete" => match rest.first() {
            Some(extra) => Err(RecordError::new(
                extra.number,
                format!(
                    "a delete record has no further lines, found `{}`",
                    show(&extra.text)
                ),
            )),
            None => Ok(RecordKind::Delete),
        },
        "modify" => modifications(rest).map(RecordKind::Modify),
        "modrdn" | "moddn" => moddn(line, rest),
        other => Err(RecordError::new(
            line.number,
            format!(
                "unknown changetype `{}`: expected add, delete, modify, modrdn or moddn",
                show(other)
            ),
        )),
    }
}

fn modifications(lines: &[Line<'_>]) -> Result<Vec<Modification>, RecordError> {
    let mut mods = Vec::new();
    let mut lines = lines.iter();
    while let Some(line) = lines.next() {
        if line.text.trim_end() == "-" {
            return Err(RecordError::new(
                line.number,
                "unexpected `-`: expected `add:`, `delete:` or `replace:`",
            ));
        }
        let (name, raw) = split(line)?;
        let op = match name.to_ascii_lowercase().as_str() {
            "add" => ModOp::Add,
            "delete" => ModOp::Delete,
            "replace" => ModOp::Replace,
            _ => {
                return Err(RecordError::new(
                    line.number,
                    format!(
                        "expected `add:`, `delete:` or `replace:`, found `{}:`",
                        show(name)
                    ),
                ));
            }
        };
        let attribute = text(line, name, raw)?.trim().to_owned();
        if attribute.is_empty() {
            return Err(RecordError::new(
                line.number,
                format!("`{name}:` needs an attribute name"),
            ));
        }
        let mut values = Vec::new();
        // The last group may omit its `-`, as ldapmodify allows.
        for value_line in lines.by_ref() {
            if value_line.text.trim_end() == "-" {
                break;
            }
            let value = attr(value_line)?;
            if !value.name.eq_ignore_ascii_case(&attribute) {
                return Err(RecordError::new(
                    value_line.number,
                    format!(
                        "expected a value of `{attribute}` or `-`, found `{}:`",
                        show(&value.name)
                    ),
                ));
            }
            values.push(value);
        }
        if op == ModOp::Add && values.is_empty() {
            return Err(RecordError::new(
                line.number,
                format!("`add: {attribute}` needs at least one value"),
            ));
        }
        mods.push(Modification {
            op,
            attribute,
            values,
            line: line.number,
        });
    }
    Ok(mods)
}

fn moddn(changetype: &Line<'_>, lines: &[Line<'_>]) -> Result<RecordKind, RecordError> {
    let mut new_rdn = None;
    let mut delete_old_rdn = None;
    let mut new_superior = None;
    for line in lines {
        let (name, raw) = split(line)?;
        let lower = name.to_ascii_lowercase();
        let slot_taken = match lower.as_str() {
            "newrdn" => new_rdn.replace(text(line, name, raw)?).is_some(),
            "deleteoldrdn" => {
                let flag = match text(line, name, raw)?.trim() {
                    "0" => false,
                    "1" => true,
                    other => {
                        return Err(RecordError::new(
                            line.number,
                            format!("`deleteoldrdn:` must be 0 or 1, found `{}`", show(other)),
                        ));
                    }
                };
                delete_old_rdn.replace(flag).is_some()
            }
            "newsuperior" => new_superior.replace(text(line, name, raw)?).is_some(),
            _ => {
                return Err(RecordError::new(
                    line.number,
                    format!(
                        "unexpected `{}:` in a modrdn record: expected `newrdn:`, \
                         `deleteoldrdn:` or `newsuperior:`",
                        show(name)
                    ),
                ));
            }
        };
        if slot_taken {
            return Err(RecordError::new(
                line.number,
                format!("`{lower}:` given twice"),
            ));
        }
    }
    let missing = |what: &str| {
        RecordError::new(
            changetype.number,
            format!("a modrdn record needs `{what}:`"),
        )
    };
    let new_rdn = new_rdn
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| missing("newrdn"))?;
    let delete_old_rdn = delete_old_rdn.ok_or_else(|| missing("deleteoldrdn"))?;
    Ok(RecordKind::ModDn {
        new_rdn,
        delete_old_rdn,
        new_superior,
    })
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
