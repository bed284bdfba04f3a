//! Directory: `DNComponent`, `DNComponentRev`, `EscapeDNComponent`.
//!
//! Reading: a DN is split into its RDNs as [`crate::dn`] splits it: at every comma not
//! escaped by a backslash and not inside a `"quoted"` value (RFC 4514; the LDAPv2 `;`
//! separator is not recognised, as AD never writes it). Each RDN is trimmed of surrounding
//! white space (an escaped trailing space `\ ` is kept), and empty RDNs (`cn=Joe,ou=x,`)
//! are skipped. The value of an RDN is the text after its first unescaped `=`, trimmed,
//! with its escapes kept exactly as the DN writes them (`CN=John\0ACNF:...` gives
//! `John\0ACNF:...`, which the out-of-box rules look for); a multi-valued RDN `cn=a+sn=b`
//! gives `a+sn=b`, and an RDN without `=` gives the whole RDN. A component number out of
//! range (including 0 and negatives) gives null.

use super::{
    Builtin, CallCtx, FnError, Group, Param, Ret, Sig, enum_arg, map_str, nth, num_arg, ref_arg,
};
pub use crate::dn::escape_rdn_value;
use crate::dn::{self, push_escaped_rdn_value};
use crate::types::Ty;
use crate::value::Value;

/// The value of the `n`-th (1-based) RDN of `dn`, as `DNComponent` gives it.
pub(crate) fn component(dn: &str, n: i64) -> Option<&str> {
    let i = usize::try_from(n).ok()?.checked_sub(1)?;
    dn::rdns(dn).nth(i).map(|rdn| rdn.split_type().1)
}

fn dn_component(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "DNComponent";
    let (Some(dn), Some(n)) = (ref_arg(F, args, 0)?, num_arg(F, args, 1)?) else {
        return Ok(Value::Null);
    };
    Ok(component(dn, n).map_or(Value::Null, Value::str))
}

/// Reading: with the option `DC` (any case), components whose attribute type is `dc` (any
/// case) are left out before counting from the right.
fn dn_component_rev(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "DNComponentRev";
    let (Some(dn), Some(n)) = (ref_arg(F, args, 0)?, num_arg(F, args, 1)?) else {
        return Ok(Value::Null);
    };
    let skip_dc = enum_arg(F, args, 2, DN_OPTIONS)?.is_some();
    let mut parts: Vec<(&str, &str)> = dn::rdns(dn).map(|rdn| rdn.split_type()).collect();
    parts.reverse();
    let parts: Vec<(&str, &str)> = parts
        .into_iter()
        .filter(|(ty, _)| !(skip_dc && ty.eq_ignore_ascii_case("dc")))
        .collect();
    Ok(nth(&parts, n).map_or(Value::Null, |(_, value)| Value::str(value)))
}

/// Reading: the argument is one RDN `type=value`; the type and `=` are kept as given and the
/// value is escaped as AD requires (a superset of RFC 4514): `, + " \ < > ; =` get a
/// backslash, as do a leading `#`, a leading space and a trailing space; control characters
/// (CR, LF, NUL, ...) become `\XX` hex pairs of their UTF-8 bytes, uppercase (AD writes LF as
/// `\0A`). Without an `=`, the whole argument is escaped as a value.
fn escape_dn_component(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    map_str("EscapeDNComponent", args, |s| {
        let (prefix, value) = match s.find('=') {
            Some(eq) => (s.get(..=eq).unwrap_or(""), s.get(eq + 1..).unwrap_or("")),
            None => ("", s),
        };
        let mut out = String::with_capacity(s.len() + 8);
        out.push_str(prefix);
        push_escaped_rdn_value(&mut out, value);
        out
    })
}

const DN_OPTIONS: &[&str] = &["DC"];

pub(super) const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "DNComponent",
        group: Group::Directory,
        sigs: &[Sig::new(
            &[Param::Ty(Ty::REF), Param::Ty(Ty::NUM)],
            Ret::Ty(Ty::STR),
        )],
        maps: true,
        pure: true,
        imp: Some(dn_component),
        doc: "The value of the n-th RDN of a DN counting from the left (1-based); null when out of range.",
        example: "DNComponent(CRef([dn]),1)",
    },
    Builtin {
        name: "DNComponentRev",
        group: Group::Directory,
        sigs: &[
            Sig::new(&[Param::Ty(Ty::REF), Param::Ty(Ty::NUM)], Ret::Ty(Ty::STR)),
            Sig::new(
                &[
                    Param::Ty(Ty::REF),
                    Param::Ty(Ty::NUM),
                    Param::Enum(DN_OPTIONS),
                ],
                Ret::Ty(Ty::STR),
            ),
        ],
        maps: true,
        pure: true,
        imp: Some(dn_component_rev),
        doc: "The value of the n-th RDN of a DN counting from the right (1-based), optionally ignoring dc= components.",
        example: r#"DNComponentRev(CRef([dn]),1,"DC")"#,
    },
    Builtin {
        name: "EscapeDNComponent",
        group: Group::Directory,
        sigs: &[Sig::new(&[Param::Ty(Ty::STR)], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(escape_dn_component),
        doc: "Escapes the value of one RDN (\"cn=value\") so it can be used in an LDAP DN.",
        example: r#"EscapeDNComponent("cn=" & [displayName]) & "," & %Forest.LDAP%"#,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::args::testing::{n, ok, r, run, s};
    use crate::functions::lookup;

    const ATLANTA: &str = "cn=Joe,ou=Atlanta,ou=GA,ou=US, dc=contoso,dc=com";

    #[test]
    fn registry_entries() {
        for name in ["DNComponent", "DNComponentRev", "EscapeDNComponent"] {
            let b = lookup(name).unwrap();
            assert_eq!(b.group, Group::Directory);
            assert!(b.maps && b.pure);
        }
    }

    #[test]
    fn dn_component() {
        assert_eq!(ok("DNComponent", &[r("cn=Joe,ou=Sales,")]), Value::Null);
        assert_eq!(ok("DNComponent", &[r("cn=Joe,ou=Sales,"), n(1)]), s("Joe"));
        assert_eq!(ok("DNComponent", &[r(ATLANTA), n(1)]), s("Joe"));
        assert_eq!(ok("DNComponent", &[r(ATLANTA), n(2)]), s("Atlanta"));
        assert_eq!(ok("DNComponent", &[r(ATLANTA), n(5)]), s("contoso"));
        assert_eq!(ok("DNComponent", &[r(ATLANTA), n(6)]), s("com"));
        assert_eq!(ok("DNComponent", &[r(ATLANTA), n(7)]), Value::Null);
        assert_eq!(ok("DNComponent", &[r(ATLANTA), n(0)]), Value::Null);
        assert_eq!(ok("DNComponent", &[r(ATLANTA), n(-1)]), Value::Null);
        assert_eq!(ok("DNComponent", &[s(ATLANTA), n(1)]), s("Joe"));
        assert_eq!(ok("DNComponent", &[Value::Null, n(1)]), Value::Null);
        assert_eq!(ok("DNComponent", &[r(ATLANTA), Value::Null]), Value::Null);
        assert_eq!(ok("DNComponent", &[r(""), n(1)]), Value::Null);
    }

    #[test]
    fn dn_component_escapes() {
        let dn = r"CN=Doe\, John,OU=Users,DC=contoso,DC=com";
        assert_eq!(ok("DNComponent", &[r(dn), n(1)]), s(r"Doe\, John"));
        assert_eq!(ok("DNComponent", &[r(dn), n(2)]), s("Users"));
        // A replication conflict RDN keeps its escaped line feed.
        let cnf = r"CN=John\0ACNF:4a1f2b3c-0000-4000-8000-000000000001,OU=Users,DC=contoso,DC=com";
        let first = ok("DNComponent", &[r(cnf), n(1)]);
        assert_eq!(first, s(r"John\0ACNF:4a1f2b3c-0000-4000-8000-000000000001"));
        let Value::Str(v) = first else { panic!() };
        assert!(v.contains(r"\0ACNF:"));
        // Escaped backslash before a comma: the comma separates.
        assert_eq!(ok("DNComponent", &[r(r"cn=a\\,ou=b"), n(1)]), s(r"a\\"));
        assert_eq!(ok("DNComponent", &[r(r"cn=a\\,ou=b"), n(2)]), s("b"));
        // Escaped trailing space kept, unescaped trimmed.
        assert_eq!(ok("DNComponent", &[r(r"cn=a\ , ou=b "), n(1)]), s(r"a\ "));
        assert_eq!(ok("DNComponent", &[r(r"cn=a\ , ou=b "), n(2)]), s("b"));
        // Escaped equals sign in the value; multi-valued RDN; no '='.
        assert_eq!(ok("DNComponent", &[r(r"cn=a\=b,dc=x"), n(1)]), s(r"a\=b"));
        assert_eq!(ok("DNComponent", &[r("cn=a+sn=b,dc=x"), n(1)]), s("a+sn=b"));
        assert_eq!(ok("DNComponent", &[r("justtext"), n(1)]), s("justtext"));
        assert_eq!(ok("DNComponent", &[r("cn = Joe ,dc=x"), n(1)]), s("Joe"));
    }

    #[test]
    fn dn_component_maps() {
        assert_eq!(
            ok(
                "DNComponent",
                &[
                    Value::multi(vec![r("cn=a,dc=x"), r("cn=b,dc=x"), r("")]),
                    n(1)
                ]
            ),
            Value::multi(vec![s("a"), s("b")])
        );
    }

    #[test]
    fn dn_component_rev() {
        assert_eq!(ok("DNComponentRev", &[r(ATLANTA), n(3)]), s("US"));
        assert_eq!(ok("DNComponentRev", &[r(ATLANTA), n(1), s("DC")]), s("US"));
        assert_eq!(ok("DNComponentRev", &[r(ATLANTA), n(1), s("dc")]), s("US"));
        assert_eq!(ok("DNComponentRev", &[r(ATLANTA), n(1)]), s("com"));
        assert_eq!(ok("DNComponentRev", &[r(ATLANTA), n(2)]), s("contoso"));
        assert_eq!(ok("DNComponentRev", &[r(ATLANTA), n(6)]), s("Joe"));
        assert_eq!(ok("DNComponentRev", &[r(ATLANTA), n(7)]), Value::Null);
        assert_eq!(ok("DNComponentRev", &[r(ATLANTA), n(4), s("DC")]), s("Joe"));
        assert_eq!(
            ok("DNComponentRev", &[r(ATLANTA), n(5), s("DC")]),
            Value::Null
        );
        assert_eq!(ok("DNComponentRev", &[r(ATLANTA), n(0)]), Value::Null);
        assert_eq!(
            ok(
                "DNComponentRev",
                &[r("CN=x,DC=Contoso,Dc=com"), n(1), s("DC")]
            ),
            s("x")
        );
        assert_eq!(ok("DNComponentRev", &[Value::Null, n(1)]), Value::Null);
        assert_eq!(
            ok("DNComponentRev", &[r(ATLANTA), Value::Null]),
            Value::Null
        );
        assert!(matches!(
            run("DNComponentRev", &[r(ATLANTA), n(1), s("OU")]),
            Err(FnError::Value { .. })
        ));
        assert_eq!(
            ok(
                "DNComponentRev",
                &[
                    Value::multi(vec![r("ou=a,dc=x"), r("ou=b,dc=x")]),
                    n(1),
                    s("DC")
                ]
            ),
            Value::multi(vec![s("a"), s("b")])
        );
    }

    #[test]
    fn escape_dn_component() {
        let cases = [
            ("cn=Doe, John", r"cn=Doe\, John"),
            ("cn=a+b", r"cn=a\+b"),
            (r#"cn="q" <x> ;\"#, r#"cn=\"q\" \<x\> \;\\"#),
            ("cn=#1", r"cn=\#1"),
            ("cn=a#1", "cn=a#1"),
            ("cn= padded ", r"cn=\ padded\ "),
            ("cn=a=b", r"cn=a\=b"),
            ("cn=line\nfeed\r", r"cn=line\0Afeed\0D"),
            ("cn=nul\0", r"cn=nul\00"),
            ("cn=Jöhn/Doe", "cn=Jöhn/Doe"),
            ("cn=", "cn="),
            ("Doe, John", r"Doe\, John"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(ok("EscapeDNComponent", &[s(input)]), s(want), "{input}");
        }
        assert_eq!(ok("EscapeDNComponent", &[Value::Null]), Value::Null);
        assert_eq!(
            ok(
                "EscapeDNComponent",
                &[Value::multi(vec![s("cn=a,b"), s("cn=c")])]
            ),
            Value::multi(vec![s(r"cn=a\,b"), s("cn=c")])
        );
    }

    #[test]
    fn escaped_round_trip() {
        let escaped = ok("EscapeDNComponent", &[s("cn=Doe, John")]);
        let Value::Str(e) = escaped else { panic!() };
        let dn = format!("{e},ou=Users,dc=contoso,dc=com");
        assert_eq!(ok("DNComponent", &[r(&dn), n(1)]), s(r"Doe\, John"));
        assert_eq!(
            ok("DNComponentRev", &[r(&dn), n(2), s("DC")]),
            s(r"Doe\, John")
        );
    }
}
