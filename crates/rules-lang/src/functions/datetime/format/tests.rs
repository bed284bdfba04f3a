//! `FormatDateTime`'s custom and standard formats, errors and null rule.

use chrono::{TimeDelta, TimeZone as _, Utc};

use crate::functions::FnError;
use crate::functions::args::testing::{dt, n, ok, run, s, value_err};
use crate::value::Value;

fn fmt(d: &Value, f: &str) -> Value {
    ok("FormatDateTime", &[d.clone(), s(f)])
}

#[test]
fn format_reference_examples() {
    let christmas = ok("CDate", &[s("12/25/2007")]);
    assert_eq!(fmt(&christmas, "yyyy-MM-dd"), s("2007-12-25"));
    let pwd = dt(2014, 9, 5, 8, 14, 53);
    assert_eq!(fmt(&pwd, "yyyyMMddHHmmss.0Z"), s("20140905081453.0Z"));
    // CStr(FormatDateTime(DateFromNum([pwdLastSet]),"yyyyMMddHHmmss.0Z"))
    let ticks = ok("NumFromDate", &[pwd]);
    let d = ok("DateFromNum", &[ticks]);
    assert_eq!(
        ok("CStr", &[fmt(&d, "yyyyMMddHHmmss.0Z")]),
        s("20140905081453.0Z")
    );
}

#[test]
fn format_custom_specifiers() {
    let d = Value::DateTime(
        Utc.with_ymd_and_hms(2007, 3, 4, 15, 6, 7).unwrap() + TimeDelta::nanoseconds(120_000_000),
    );
    let cases = [
        ("y yy yyy yyyy yyyyy", "7 07 2007 2007 02007"),
        ("M MM MMM MMMM", "3 03 Mar March"),
        ("d dd ddd dddd", "4 04 Sun Sunday"),
        ("h hh H HH", "3 03 15 15"),
        ("m mm s ss", "6 06 7 07"),
        ("f ff fff fffffff", "1 12 120 1200000"),
        ("F FF FFF FFFFFFF", "1 12 12 12"),
        ("t tt", "P PM"),
        ("z zz zzz K", "+0 +00 +00:00 Z"),
        ("g gg", "A.D. A.D."),
        ("HH:mm:ss", "15:06:07"),
        ("MM/dd/yyyy", "03/04/2007"),
        ("yyyy-MM-ddTHH:mm:ss", "2007-03-04T15:06:07"),
        ("'yyyy' \"MM\" \\d", "yyyy MM d"),
        ("'it''s'", "its"),
        ("'a\\'b'", "a'b"),
        ("%d", "4"),
        ("%M", "3"),
    ];
    for (format, want) in cases {
        assert_eq!(fmt(&d, format), s(want), "{format}");
    }
    let whole = dt(2007, 3, 4, 0, 0, 0);
    assert_eq!(fmt(&whole, "HH:mm:ss.FFF"), s("00:00:00"));
    assert_eq!(fmt(&whole, "HH:mm:ss.fff"), s("00:00:00.000"));
    assert_eq!(fmt(&whole, "h tt"), s("12 AM"));
    assert_eq!(fmt(&dt(2007, 3, 4, 12, 0, 0), "h tt"), s("12 PM"));
}

#[test]
fn format_standard_formats() {
    let d = dt(2007, 3, 4, 15, 6, 7);
    let cases = [
        ("d", "03/04/2007"),
        ("D", "Sunday, 04 March 2007"),
        ("f", "Sunday, 04 March 2007 15:06"),
        ("F", "Sunday, 04 March 2007 15:06:07"),
        ("g", "03/04/2007 15:06"),
        ("G", "03/04/2007 15:06:07"),
        ("", "03/04/2007 15:06:07"),
        ("M", "March 04"),
        ("o", "2007-03-04T15:06:07.0000000Z"),
        ("r", "Sun, 04 Mar 2007 15:06:07 GMT"),
        ("s", "2007-03-04T15:06:07"),
        ("t", "15:06"),
        ("T", "15:06:07"),
        ("u", "2007-03-04 15:06:07Z"),
        ("U", "Sunday, 04 March 2007 15:06:07"),
        ("y", "2007 March"),
    ];
    for (format, want) in cases {
        assert_eq!(fmt(&d, format), s(want), "{format}");
    }
}

#[test]
fn format_errors_and_null() {
    let d = dt(2007, 3, 4, 15, 6, 7);
    for (bad, why) in [
        ("x", "`x` is not a standard format"),
        ("'open", "unclosed quote"),
        ("yyyy\\", "trailing `\\`"),
        ("dd%", "`%` must precede a specifier"),
        ("%%", "`%` must precede a specifier"),
        ("ffffffff", "more than seven fraction digits"),
    ] {
        let e = value_err(run("FormatDateTime", &[d.clone(), s(bad)]));
        assert!(e.contains(&format!("bad format `{bad}`: {why}")), "{e}");
    }
    assert_eq!(ok("FormatDateTime", &[Value::Null, s("yyyy")]), Value::Null);
    assert_eq!(ok("FormatDateTime", &[d.clone(), Value::Null]), Value::Null);
    assert_eq!(
        ok("FormatDateTime", &[s("2007-12-25"), s("dd.MM.yyyy")]),
        s("25.12.2007")
    );
    assert_eq!(
        ok(
            "FormatDateTime",
            &[
                Value::multi(vec![d.clone(), dt(2001, 1, 1, 0, 0, 0)]),
                s("yyyy")
            ]
        ),
        Value::multi(vec![s("2007"), s("2001")])
    );
    assert!(matches!(
        run("FormatDateTime", &[n(1), s("yyyy")]),
        Err(FnError::Type { .. })
    ));
}
