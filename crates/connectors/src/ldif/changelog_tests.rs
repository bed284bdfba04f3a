use std::path::Path;

use super::*;

fn read(text: &str, first_line: usize) -> LogPart {
    read_log(text.as_bytes(), Path::new("d.ldif"), first_line).unwrap()
}

const DELETE: &str = "dn: CN=a,DC=x\nchangetype: delete\n";
const MODIFY: &str = "dn: CN=b,DC=x\nchangetype: modify\nreplace: title\ntitle: t\n-\n";

#[test]
fn whole_records_are_read_and_counted() {
    let text = format!("{DELETE}\n{MODIFY}");
    let part = read(&text, 1);
    assert_eq!(part.records.len(), 2);
    assert_eq!(
        (part.complete, part.lines, part.torn),
        (text.len(), 8, None)
    );
    let ended = format!("{text}\n");
    assert_eq!(read(&ended, 1).complete, ended.len());
    assert_eq!(
        read("", 1),
        LogPart {
            records: Vec::new(),
            complete: 0,
            lines: 0,
            torn: None
        }
    );
}

#[test]
fn line_numbers_continue_from_the_first_line() {
    let part = read(&format!("\n{MODIFY}"), 41);
    assert_eq!(part.records[0].line, 42);
    let err = read_log(
        format!("{DELETE}\nbad line\n\n{DELETE}").as_bytes(),
        Path::new("d.ldif"),
        10,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "d.ldif:13: expected `attribute: value`, found `bad line`"
    );
}

#[test]
fn a_record_without_a_final_line_end_is_torn() {
    let text = format!("{DELETE}\n{}", &MODIFY[..MODIFY.len() - 3]);
    let part = read(&text, 1);
    assert_eq!(part.records.len(), 1);
    assert_eq!(part.complete, DELETE.len() + 1);
    assert_eq!(part.lines, 3);
    let torn = part.torn.unwrap();
    assert_eq!(torn.dn.as_deref(), Some("CN=b,DC=x"));
    assert_eq!(
        torn.error.to_string(),
        "d.ldif:4: the last record is incomplete (the file does not end with a line end): \
         it is read once it is complete"
    );
    // Cut inside a UTF-8 character, or inside the `dn:` line.
    let cut = [DELETE.as_bytes(), b"\ndn: CN=J\xc3"].concat();
    let part = read_log(&cut, Path::new("d.ldif"), 1).unwrap();
    assert_eq!((part.records.len(), part.complete), (1, DELETE.len() + 1));
    assert_eq!(part.torn.unwrap().dn, None);
}

#[test]
fn an_unclosed_modify_or_a_bad_final_record_is_torn() {
    let open = format!("{DELETE}\n{}", &MODIFY[..MODIFY.len() - 2]);
    let part = read(&open, 1);
    assert_eq!(part.complete, DELETE.len() + 1);
    assert!(
        part.torn
            .unwrap()
            .error
            .message
            .contains("its last modification is not closed by `-`")
    );
    let half = format!("{DELETE}\ndn: CN=b,DC=x\nchangetype: modify\nreplace: title\n");
    assert!(read(&half, 1).torn.is_some());
    let bad = format!("{DELETE}\ndn: CN=b,DC=x\nchangetype: modi\n");
    let torn = read(&bad, 1).torn.unwrap();
    assert_eq!(torn.error.line, 5);
    assert!(
        torn.error.message.contains("unknown changetype `modi`"),
        "{torn:?}"
    );
    // Followed by a blank line, the same record is whole (the `-` may be left out).
    let closed = format!("{}\n", &MODIFY[..MODIFY.len() - 2]);
    let part = read(&closed, 1);
    assert_eq!((part.records.len(), part.torn), (1, None));
    // An add or a delete at a line end is whole.
    assert_eq!(read(DELETE, 1).torn, None);
}

#[test]
fn trailing_comments_are_read_once_their_line_ends() {
    let ended = format!("{DELETE}\n# done\n");
    let part = read(&ended, 1);
    assert_eq!((part.complete, part.torn), (ended.len(), None));
    let open = format!("{DELETE}\n# do");
    let part = read(&open, 1);
    assert_eq!((part.complete, part.torn), (DELETE.len() + 1, None));
}

#[test]
fn a_byte_order_mark_is_skipped_at_the_start_only() {
    let text = format!("\u{feff}{DELETE}");
    let part = read(&text, 1);
    assert_eq!((part.records.len(), part.complete), (1, text.len()));
    let torn = format!("\u{feff}{}", &DELETE[..5]);
    assert_eq!(read(&torn, 1).complete, 0);
    let later = read(&text, 5);
    assert_eq!((later.records.len(), later.complete), (0, 0));
    assert!(
        later
            .torn
            .unwrap()
            .error
            .message
            .contains("invalid attribute name")
    );
}

#[test]
fn the_final_record_starts_after_the_last_blank_line() {
    assert_eq!(final_record_start(b""), 0);
    assert_eq!(final_record_start(b"a\nb\n"), 0);
    assert_eq!(final_record_start(b"a\n\nb\n"), 3);
    assert_eq!(final_record_start(b"a\r\n\r\nb"), 5);
    assert_eq!(final_record_start(b"\nb"), 1);
    assert_eq!(final_record_start(b"a\n\n"), 3);
    assert_eq!(final_record_start(b"a\n \nb"), 0);
}

#[test]
fn bytes_after_a_record_taken_whole_at_a_line_end_continue_it() {
    let closed = format!("{DELETE}\n{MODIFY}");
    assert!(continues_a_record(closed.as_bytes(), b"replace: x\n-\n"));
    assert!(continues_a_record(closed.as_bytes(), b"dn: CN=c,DC=x\n"));
    assert!(!continues_a_record(closed.as_bytes(), b"\ndn: CN=c,DC=x\n"));
    assert!(!continues_a_record(
        closed.as_bytes(),
        b"\r\ndn: CN=c,DC=x\n"
    ));
    assert!(!continues_a_record(closed.as_bytes(), b""));
    let ended = format!("{closed}\n");
    assert!(!continues_a_record(ended.as_bytes(), b"dn: CN=c,DC=x\n"));
    assert!(!continues_a_record(b"", b"dn: CN=c,DC=x\n"));
}

/// Found by the `ldif` fuzz target: a log holding only blank lines before its version line
/// was consumed up to the version line, which a read from there refused as not on the
/// file's first line. Nothing but blank lines, comments and the version is not consumed.
#[test]
fn a_log_without_records_consumes_nothing() {
    let blank = read("\n\r\n", 1);
    assert_eq!((blank.complete, blank.lines), (0, 0));
    let text = format!("\n\r\nversion: 1\n\n{DELETE}");
    let whole = read(&text, 1);
    assert_eq!(whole.records.len(), 1);
    assert_eq!(whole.complete, text.len());
    let comment = read("# a comment\n", 1);
    assert_eq!(comment.complete, 0);
}
