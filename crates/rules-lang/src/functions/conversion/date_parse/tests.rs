//! `CDate`'s forms, rejections and null rule.

use chrono::{TimeDelta, TimeZone as _, Utc};

use super::parse_date;
use crate::functions::args::testing::{dt, multi, ok, run, s, value_err};
use crate::value::Value;

#[test]
fn cdate_reference_examples() {
    // "Returns a DateTime representing 2013-01-11 12:00 AM".
    assert_eq!(
        ok("CDate", &[s("2013-01-10 4:00 PM -8")]),
        dt(2013, 1, 11, 0, 0, 0)
    );
    assert_eq!(ok("CDate", &[s("12/25/2007")]), dt(2007, 12, 25, 0, 0, 0));
    assert_eq!(ok("CDate", &[s("2001-01-01")]), dt(2001, 1, 1, 0, 0, 0));
    assert_eq!(
        ok("CDate", &[s("2012-01-01 23:00:00")]),
        dt(2012, 1, 1, 23, 0, 0)
    );
}

#[test]
fn cdate_forms() {
    let cases = [
        ("2012-01-01T23:00:00Z", dt(2012, 1, 1, 23, 0, 0)),
        ("2012-01-01T23:00:00+02:00", dt(2012, 1, 1, 21, 0, 0)),
        ("2012-01-01T23:00:00", dt(2012, 1, 1, 23, 0, 0)),
        ("2012-01-01T23:00", dt(2012, 1, 1, 23, 0, 0)),
        ("2012-01-01 23:00:00 UTC", dt(2012, 1, 1, 23, 0, 0)),
        ("2012-01-01 23:00 GMT+1", dt(2012, 1, 1, 22, 0, 0)),
        ("2012-01-01 23:00 +0130", dt(2012, 1, 1, 21, 30, 0)),
        ("2012/1/2", dt(2012, 1, 2, 0, 0, 0)),
        ("1/2/2012 11:05:09 PM", dt(2012, 1, 2, 23, 5, 9)),
        ("1/2/2012 12:00 AM", dt(2012, 1, 2, 0, 0, 0)),
        ("1/2/2012 12:30 PM", dt(2012, 1, 2, 12, 30, 0)),
        ("12-25-2007", dt(2007, 12, 25, 0, 0, 0)),
        ("12/25/07", dt(2007, 12, 25, 0, 0, 0)),
        ("12/25/69", dt(1969, 12, 25, 0, 0, 0)),
        ("25.12.2007", dt(2007, 12, 25, 0, 0, 0)),
        ("25 Dec 2007", dt(2007, 12, 25, 0, 0, 0)),
        ("25-Dec-2007 10:00", dt(2007, 12, 25, 10, 0, 0)),
        ("25.Dec.2007", dt(2007, 12, 25, 0, 0, 0)),
        ("Dec. 25, 2007 4:00PM", dt(2007, 12, 25, 16, 0, 0)),
        ("1/2/2012 10:00Z", dt(2012, 1, 2, 10, 0, 0)),
        ("December 25, 2007", dt(2007, 12, 25, 0, 0, 0)),
        (
            "Tuesday, December 25, 2007 4 PM",
            dt(2007, 12, 25, 16, 0, 0),
        ),
        ("Tue, 25 Dec 2007 10:00:00 GMT", dt(2007, 12, 25, 10, 0, 0)),
        ("20140905081453.0Z", dt(2014, 9, 5, 8, 14, 53)),
        ("20140905081453Z", dt(2014, 9, 5, 8, 14, 53)),
        ("20140905081453.0-0200", dt(2014, 9, 5, 10, 14, 53)),
        ("  2001-01-01  ", dt(2001, 1, 1, 0, 0, 0)),
        // The forms IsDate's own parser read before it shared this one.
        ("1/2/2007 12:30 AM", dt(2007, 1, 2, 0, 30, 0)),
        ("2007-01-02 12:30 pm +05:30", dt(2007, 1, 2, 7, 0, 0)),
        ("2007-01-02 10:00 +0200", dt(2007, 1, 2, 8, 0, 0)),
        (" 2007/01/02 ", dt(2007, 1, 2, 0, 0, 0)),
    ];
    for (text, want) in cases {
        assert_eq!(ok("CDate", &[s(text)]), want, "{text}");
    }
    assert_eq!(
        ok("CDate", &[s("2012-01-01 23:00:00.1234567")]),
        Value::DateTime(
            Utc.with_ymd_and_hms(2012, 1, 1, 23, 0, 0).unwrap()
                + TimeDelta::nanoseconds(123_456_700)
        )
    );
    assert_eq!(
        ok("CDate", &[s("2012-01-01 23:00:00.5Z")]),
        Value::DateTime(
            Utc.with_ymd_and_hms(2012, 1, 1, 23, 0, 0).unwrap() + TimeDelta::milliseconds(500)
        )
    );
}

#[test]
fn cdate_rejects() {
    for text in [
        "",
        "hello",
        "2012-13-01",
        "2012-02-30",
        "13/25/2007",
        "2012-01-01 25:00",
        "2012-01-01 13:00 PM",
        "2012-01-01 4:00 PM -15",
        "2012-01-01 trailing",
        "2012-01-01T",
        "12345",
        "20141305081453.0Z",
        "13/01/2007",
        "2007-01-02 10:00 +99",
        "129699324000000000",
    ] {
        assert!(
            value_err(run("CDate", &[s(text)])).contains("is not a date"),
            "{text}"
        );
    }
}

#[test]
fn cdate_null_date_and_multi() {
    assert_eq!(ok("CDate", &[Value::Null]), Value::Null);
    let d = dt(2001, 1, 1, 0, 0, 0);
    assert_eq!(ok("CDate", std::slice::from_ref(&d)), d);
    assert_eq!(
        ok("CDate", &[multi(&[s("2001-01-01"), s("12/25/2007")])]),
        multi(&[d, dt(2007, 12, 25, 0, 0, 0)])
    );
}

#[test]
fn parse_date_helper() {
    assert!(parse_date("2013-01-10 4:00 PM -8").is_some());
    assert!(parse_date("nope").is_none());
}
