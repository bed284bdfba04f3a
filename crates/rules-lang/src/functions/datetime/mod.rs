//! Date / Time: `DateAdd`, `DateFromNum`, `FormatDateTime`, `Now`, `NumFromDate`.
//!
//! Dates are UTC. AD's date format is the Windows FILETIME: 100-nanosecond ticks since
//! 1601-01-01T00:00:00Z. `FormatDateTime` formats as .NET's `DateTime.ToString(format)`
//! with the invariant culture.
//!
//! Reading: where a date is expected, a string is read as `CDate` reads it (attributes no
//! schema describes arrive as strings), and one that is not a date is an error.

mod add;
mod filetime;
mod format;

use self::add::date_add;
use self::filetime::{date_from_num, num_from_date};
use self::format::format_date_time;
use super::{Builtin, CallCtx, FnError, Group, Param, Ret, Sig};
use crate::types::Ty;
use crate::value::Value;

fn now(_: &[Value], ctx: &CallCtx) -> Result<Value, FnError> {
    Ok(Value::DateTime(ctx.now))
}

pub(super) const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "DateAdd",
        group: Group::DateTime,
        sigs: &[Sig::new(
            &[Param::Ty(Ty::STR), Param::Ty(Ty::NUM), Param::Ty(Ty::DT)],
            Ret::Ty(Ty::DT),
        )],
        maps: true,
        pure: true,
        imp: Some(date_add),
        doc: "Adds a number of intervals (yyyy, q, m, y, d, w, ww, h, n, s) to a date; negative values go back.",
        example: r#"DateAdd("m", 3, CDate("2001-01-01"))"#,
    },
    Builtin {
        name: "DateFromNum",
        group: Group::DateTime,
        sigs: &[Sig::new(&[Param::Ty(Ty::NUM)], Ret::Ty(Ty::DT))],
        maps: true,
        pure: true,
        imp: Some(date_from_num),
        doc: "Converts an AD date (100 ns ticks since 1601-01-01 UTC, as in pwdLastSet) to a date.",
        example: "DateFromNum(129699324000000000)",
    },
    Builtin {
        name: "FormatDateTime",
        group: Group::DateTime,
        sigs: &[Sig::new(
            &[Param::Ty(Ty::DT), Param::Ty(Ty::STR)],
            Ret::Ty(Ty::STR),
        )],
        maps: true,
        pure: true,
        imp: Some(format_date_time),
        doc: "Formats a date with a .NET custom date and time format string (yyyy, MM, dd, HH, mm, ss, ...).",
        example: r#"FormatDateTime(CDate("12/25/2007"),"yyyy-MM-dd")"#,
    },
    Builtin {
        name: "Now",
        group: Group::DateTime,
        sigs: &[Sig::new(&[], Ret::Ty(Ty::DT))],
        maps: false,
        pure: false,
        imp: Some(now),
        doc: "The current date and time (UTC), fixed for the whole run.",
        example: "Now()",
    },
    Builtin {
        name: "NumFromDate",
        group: Group::DateTime,
        sigs: &[Sig::new(&[Param::Ty(Ty::DT)], Ret::Ty(Ty::NUM))],
        maps: true,
        pure: true,
        imp: Some(num_from_date),
        doc: "Converts a date to AD's date format (100 ns ticks since 1601-01-01 UTC).",
        example: r#"NumFromDate(CDate("2012-01-01 23:00:00"))"#,
    },
];

#[cfg(test)]
mod tests {
    use crate::functions::args::testing::{dt, ok};
    use crate::functions::{Group, lookup};

    #[test]
    fn registry_entries() {
        for name in [
            "DateAdd",
            "DateFromNum",
            "FormatDateTime",
            "Now",
            "NumFromDate",
        ] {
            let b = lookup(name).unwrap();
            assert_eq!(b.group, Group::DateTime);
            assert_eq!(b.pure, name != "Now", "{name}");
        }
    }

    #[test]
    fn now_is_the_context_time() {
        assert_eq!(ok("Now", &[]), dt(2024, 1, 1, 0, 0, 0));
    }
}
