//! Logical lines: continuation lines unfolded, comments dropped, records separated by blank
//! lines.

use std::borrow::Cow;

use super::RecordError;

/// One logical line: a physical line and its continuations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Line<'a> {
    /// The 1-based number of its first physical line.
    pub number: usize,
    /// Its text, continuations joined (each without its leading space).
    pub text: Cow<'a, str>,
}

/// The logical lines of `text`, grouped by record (one or more blank lines separate records);
/// the first line of `text` is numbered `first_line`.
///
/// A line starting with one space continues the previous line (a comment's continuation
/// belongs to the comment); a line starting with `#` is a comment. Line ends may be `\n` or
/// `\r\n`.
pub(super) fn record_groups(
    text: &str,
    first_line: usize,
) -> Result<Vec<Vec<Line<'_>>>, RecordError> {
    let mut groups = Vec::new();
    let mut current: Vec<Line<'_>> = Vec::new();
    // Whether the previous logical line was a comment, and whether there is one at all.
    let mut in_comment = false;
    let mut after_blank = true;
    for (index, raw) in text.split('\n').enumerate() {
        let number = first_line + index;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.is_empty() {
            if !current.is_empty() {
                groups.push(std::mem::take(&mut current));
            }
            in_comment = false;
            after_blank = true;
            continue;
        }
        if let Some(rest) = raw.strip_prefix(' ') {
            if in_comment {
                continue;
            }
            match current.last_mut() {
                Some(last) if !after_blank => last.text.to_mut().push_str(rest),
                _ => {
                    return Err(RecordError::new(
                        number,
                        "a continuation line (starting with a space) must follow another line",
                    ));
                }
            }
            continue;
        }
        after_blank = false;
        in_comment = raw.starts_with('#');
        if !in_comment {
            current.push(Line {
                number,
                text: Cow::Borrowed(raw),
            });
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<Vec<(usize, String)>> {
        record_groups(text, 1)
            .unwrap()
            .into_iter()
            .map(|g| {
                g.into_iter()
                    .map(|l| (l.number, l.text.into_owned()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn unfolds_continuations_and_keeps_first_line_numbers() {
        let groups = texts("dn: CN=a,\r\n DC=b\r\ndescription: one\n  two\n");
        assert_eq!(
            groups,
            vec![vec![
                (1, "dn: CN=a,DC=b".to_owned()),
                (3, "description: one two".to_owned())
            ]]
        );
    }

    #[test]
    fn blank_lines_separate_records_and_comments_vanish() {
        let groups = texts("# head\n #  continued comment\n\n\ndn: a\n# mid\nx: 1\n\ndn: b\n");
        assert_eq!(
            groups,
            vec![
                vec![(5, "dn: a".to_owned()), (7, "x: 1".to_owned())],
                vec![(9, "dn: b".to_owned())]
            ]
        );
    }

    #[test]
    fn continuation_without_a_line_is_an_error() {
        let err = record_groups(" dn: a\n", 1).unwrap_err();
        assert_eq!(err.line, 1);
        let err = record_groups("dn: a\n\n x\n", 1).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("continuation line"));
    }

    #[test]
    fn a_comment_continuation_after_a_value_stays_in_the_comment() {
        let groups = texts("dn: a\n# note\n more note\nx: 1\n");
        assert_eq!(
            groups,
            vec![vec![(1, "dn: a".to_owned()), (4, "x: 1".to_owned())]]
        );
    }
}
