//! The Conversion registry entries, `CRef`, `CStr`, `Thumbprint`, and the device rule's
//! use of `CNum`, `Thumbprint` and `CBin` together.

use super::BUILTINS;
use crate::functions::args::testing::{dt, multi, ok, run, s};
use crate::functions::{FnError, Group, lookup};
use crate::value::Value;

pub(super) const GUID: &str = "a1b2c3d4-e5f6-4711-8899-aabbccddeeff";
pub(super) const GUID_BYTES: [u8; 16] = [
    0xd4, 0xc3, 0xb2, 0xa1, 0xf6, 0xe5, 0x11, 0x47, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
];

#[test]
fn registry_entries() {
    assert_eq!(BUILTINS.len(), 14);
    for b in BUILTINS {
        let group = match b.name {
            "CBin" | "Thumbprint" => Group::Undocumented,
            _ => Group::Conversion,
        };
        assert_eq!(b.group, group, "{}", b.name);
        assert!(b.pure && b.imp.is_some(), "{}", b.name);
    }
    assert!(!lookup("CBool").unwrap().maps);
    assert!(lookup("CStr").unwrap().maps);
}

#[test]
fn cref() {
    assert_eq!(
        ok(
            "CRef",
            &[s("CN=LC Services,CN=Microsoft,DC=contoso,DC=com")]
        ),
        Value::reference("CN=LC Services,CN=Microsoft,DC=contoso,DC=com")
    );
    assert_eq!(
        ok("CRef", &[Value::reference("cn=a")]),
        Value::reference("cn=a")
    );
    assert_eq!(ok("CRef", &[Value::Null]), Value::Null);
    assert_eq!(
        ok("CRef", &[multi(&[s("cn=a"), s("cn=b")])]),
        multi(&[Value::reference("cn=a"), Value::reference("cn=b")])
    );
}

#[test]
fn cstr() {
    assert_eq!(
        ok("CStr", &[Value::reference("cn=Joe,dc=contoso,dc=com")]),
        s("cn=Joe,dc=contoso,dc=com")
    );
    assert_eq!(ok("CStr", &[Value::Num(-42)]), s("-42"));
    assert_eq!(ok("CStr", &[Value::Bool(true)]), s("True"));
    assert_eq!(ok("CStr", &[Value::Bool(false)]), s("False"));
    assert_eq!(ok("CStr", &[s("x")]), s("x"));
    assert_eq!(
        ok("CStr", &[Value::bin(GUID_BYTES)]),
        s("1MOyofblEUeImaq7zN3u/w==")
    );
    assert_eq!(
        ok("CStr", &[dt(2012, 1, 1, 23, 0, 0)]),
        s("2012-01-01T23:00:00Z")
    );
    assert_eq!(ok("CStr", &[Value::Null]), Value::Null);
    assert_eq!(
        ok("CStr", &[multi(&[Value::Num(1), Value::Bool(true)])]),
        multi(&[s("1"), s("True")])
    );
    assert!(matches!(
        run("CStr", &[Value::Ignore]),
        Err(FnError::Type { .. })
    ));
}

#[test]
fn thumbprint() {
    // SHA-1("abc") = a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d (FIPS 180 example).
    let abc = [
        0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e, 0x25, 0x71, 0x78, 0x50, 0xc2,
        0x6c, 0x9c, 0xd0, 0xd8, 0x9d,
    ];
    assert_eq!(ok("Thumbprint", &[Value::bin(b"abc")]), Value::bin(abc));
    assert_eq!(ok("Thumbprint", &[s("abc")]), Value::bin(abc));
    assert_eq!(ok("Thumbprint", &[Value::Null]), Value::Null);
    let empty = ok("Thumbprint", &[Value::bin([])]);
    assert_eq!(
        ok("ConvertToBase64", &[empty]),
        s("2jmj7l5rSw0yVb/vlWAYkK/YBwk=")
    );
    assert_eq!(
        ok("Thumbprint", &[multi(&[Value::bin(b"abc"), s("abc")])]),
        multi(&[Value::bin(abc), Value::bin(abc)])
    );
}

/// The device rule's `searchableDeviceKey` rewrite, step by step on a small key.
#[test]
fn searchable_device_key_pieces() {
    // Version 0, 4 header bytes, then a 2-byte little-endian length (3) and a pad byte.
    let key = [0u8, 1, 2, 3, 3, 0, 9, b'a', b'b', b'c', b'x', b'y'];
    assert_eq!(ok("CNum", &[Value::bin(&key[0..1])]), Value::Num(0));
    assert_eq!(ok("CNum", &[Value::bin(&key[4..6])]), Value::Num(3));
    let hash = ok("Thumbprint", &[Value::bin(&key[10..])]);
    let Value::Bin(h) = &hash else { panic!() };
    assert_eq!(h.len(), 20);
    assert_eq!(
        ok("CBin", &[Value::Num(h.len() as i64), Value::Num(2)]),
        Value::bin([20, 0])
    );
}
