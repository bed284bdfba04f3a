//! The attribute names a connector's data actually holds: what a check can compare an
//! inbound rule's reads with when the rule set has no schema for the connector.
//!
//! For LDIF this is a scan of attribute names, not a parse: values are not decoded and
//! records not checked, so it is cheap on a large export and never fails on bad data (the
//! import reports that, located).
//!
//! ```
//! use syncrules_connectors::observed::ldif_attribute_names;
//!
//! let text = b"version: 1\n\ndn: CN=a,DC=x\nobjectClass: user\ngivenName: Ann\ndescription: long\n  folded\n\ndn: CN=a,DC=x\nchangetype: modify\nreplace: title\ntitle: Boss\n-\n";
//! let names = ldif_attribute_names(text);
//! let names: Vec<&str> = names.iter().map(String::as_str).collect();
//! assert_eq!(names, ["description", "givenName", "objectClass", "title"]);
//! ```

use std::collections::BTreeSet;
use std::path::Path;

/// Line names that are LDIF syntax, not attributes: the version, a record's DN and change
/// type, controls, a modify's operations, a modrdn's fields.
const SYNTAX: &[&str] = &[
    "version",
    "dn",
    "changetype",
    "control",
    "add",
    "replace",
    "delete",
    "increment",
    "newrdn",
    "deleteoldrdn",
    "newsuperior",
];

/// The attribute names (as spelt, options such as `;binary` included, as the LDIF
/// connector stores them) on the lines of an LDIF text.
pub fn ldif_attribute_names(text: &[u8]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in text.split(|b| *b == b'\n') {
        // Continuations, comments, record separators and a modify's `-`.
        if matches!(line.first(), None | Some(b' ' | b'#' | b'-' | b'\r')) {
            continue;
        }
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let Some(name) = line.get(..colon).and_then(|n| std::str::from_utf8(n).ok()) else {
            continue;
        };
        let name = name.trim();
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ';' | '.' | '_'));
        if valid && !SYNTAX.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            names.insert(name.to_owned());
        }
    }
    names
}

/// The attribute names in LDIF files (a base file and its delta log, say); a file that
/// cannot be read is an error.
/// The files are read a block at a time, never whole.
pub fn ldif_files_attribute_names(paths: &[&Path]) -> std::io::Result<BTreeSet<String>> {
    use std::io::BufRead as _;
    let mut names = BTreeSet::new();
    let mut block = Vec::with_capacity(BLOCK + 4096);
    for p in paths {
        let mut reader = std::io::BufReader::new(std::fs::File::open(p)?);
        loop {
            // Whole lines only, so that no name is cut in two.
            let read = reader.read_until(b'\n', &mut block)?;
            if read == 0 || block.len() >= BLOCK {
                names.extend(ldif_attribute_names(&block));
                block.clear();
            }
            if read == 0 {
                break;
            }
        }
    }
    Ok(names)
}

/// How much of a file [`ldif_files_attribute_names`] scans at once.
const BLOCK: usize = 1 << 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_and_base64_values_keep_their_names_and_syntax_is_skipped() {
        let text = b"version: 1\r\ndn:: Q049YQ==\r\nobjectGUID:: AAEC\r\nuserCertificate;binary:: AA==\r\nphoto:< file:///x\r\n\r\ndn: CN=b\r\nchangetype: moddn\r\nnewrdn: CN=c\r\ndeleteoldrdn: 1\r\n";
        let names: Vec<String> = ldif_attribute_names(text).into_iter().collect();
        assert_eq!(names, ["objectGUID", "photo", "userCertificate;binary"]);
    }

    #[test]
    fn bad_bytes_and_odd_lines_are_skipped_not_errors() {
        let text = b"dn: CN=a\n\xff\xfe: x\nno colon here\n: empty name\ncn: a\n";
        let names: Vec<String> = ldif_attribute_names(text).into_iter().collect();
        assert_eq!(names, ["cn"]);
    }

    #[test]
    fn files_are_read_and_a_missing_one_is_an_error() {
        let dir = std::env::temp_dir().join(format!("syncrules-observed-{}", std::process::id()));
        assert!(std::fs::create_dir_all(&dir).is_ok());
        let a = dir.join("a.ldif");
        assert!(std::fs::write(&a, "dn: CN=a\nsn: A\n").is_ok());
        let names = ldif_files_attribute_names(&[a.as_path()]);
        assert_eq!(
            names.ok().map(|n| n.into_iter().collect::<Vec<_>>()),
            Some(vec!["sn".to_owned()])
        );
        assert!(ldif_files_attribute_names(&[dir.join("missing.ldif").as_path()]).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
