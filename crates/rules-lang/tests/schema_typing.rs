//! Checking against a schema: typed attributes, case mistakes, and the per-value reading
//! of multi-valued attributes.

#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]

use sha1::{Digest, Sha1};
use syncrules_lang::schema::AttributeDef;
use syncrules_lang::{Env, Expression, Scalar, Schema, Ty, Value, Vm};

fn schema() -> Schema {
    let mut s = Schema::new();
    s.add_attribute(AttributeDef::new("sAMAccountName", Scalar::Str, false));
    s.add_attribute(AttributeDef::new("userAccountControl", Scalar::Num, false));
    s.add_attribute(AttributeDef::new("proxyAddresses", Scalar::Str, true));
    s.add_attribute(AttributeDef::new("objectGUID", Scalar::Bin, false));
    s.add_attribute(AttributeDef::new("searchableDeviceKey", Scalar::Bin, true));
    s
}

fn render_err(src: &str) -> String {
    Expression::compile(src, &schema())
        .err()
        .map(|d| d.render("flow", src))
        .unwrap_or_default()
}

#[test]
fn attribute_names_are_case_sensitive() {
    assert_eq!(
        render_err("Trim([samaccountname])"),
        "flow:1:6: error[E0102]: unknown attribute `samaccountname`\n  |\n1 | Trim([samaccountname])\n  |      ^^^^^^^^^^^^^^^^\n  = help: did you mean `[sAMAccountName]`? attribute names are case-sensitive\n"
    );
}

#[test]
fn schema_types_drive_checking() {
    assert_eq!(
        Expression::compile("Trim([proxyAddresses])", &schema())
            .unwrap()
            .ty(),
        Ty::MVSTR
    );
    assert_eq!(
        Expression::compile("Item([proxyAddresses], 1)", &schema())
            .unwrap()
            .ty(),
        Ty::STR
    );
    assert_eq!(
        Expression::compile("[dn]", &schema()).unwrap().ty(),
        Ty::REF
    );
    assert_eq!(
        render_err("Left([userAccountControl], 2)"),
        "flow:1:6: error[E0106]: argument 1 of `Left` must be str, found num\n  |\n1 | Left([userAccountControl], 2)\n  |      ^^^^^^^^^^^^^^^^^^^^\n  = help: convert it with `CStr(...)`\n"
    );
    assert!(render_err("[objectGUID] & \"x\"").contains("`&` cannot join bin with str"));
    // Unknown to the schema: var, checked at run time.
    assert_eq!(
        Expression::compile("[extensionAttribute1]", &schema())
            .unwrap()
            .ty(),
        Ty::Var
    );
}

const DEVICE_KEY: &str = "IIF(IsNull([searchableDeviceKey]), NULL, IIF(CNum(Mid([searchableDeviceKey],1,1))=0, Mid([searchableDeviceKey],1,7+CNum(Mid([searchableDeviceKey],5,2))) & CBin(Len(Thumbprint(Mid([searchableDeviceKey],8+CNum(Mid([searchableDeviceKey],5,2)),Len([searchableDeviceKey])))),2) & CBin(2,1) & Thumbprint(Mid([searchableDeviceKey],8+CNum(Mid([searchableDeviceKey],5,2)),Len([searchableDeviceKey]))) & Mid([searchableDeviceKey],8+CNum(Mid([searchableDeviceKey],5,2)),Len([searchableDeviceKey])), NULL))";

/// A key blob: version byte 0, three bytes, a 2-byte little-endian length N, one byte, N
/// bytes of header, then the key material.
fn blob(header: &[u8], key: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8, 1, 2, 3];
    b.extend_from_slice(&u16::try_from(header.len()).unwrap().to_le_bytes());
    b.push(9);
    b.extend_from_slice(header);
    b.extend_from_slice(key);
    b
}

/// What the device-key rule builds, computed directly.
fn expected(blob: &[u8], header_len: usize) -> Vec<u8> {
    let (head, key) = blob.split_at(7 + header_len);
    let digest = Sha1::digest(key);
    let mut out = head.to_vec();
    out.extend_from_slice(&u16::try_from(digest.len()).unwrap().to_le_bytes());
    out.push(2);
    out.extend_from_slice(&digest);
    out.extend_from_slice(key);
    out
}

#[test]
fn multi_valued_attribute_used_as_single_runs_per_value() {
    let expr = Expression::compile(DEVICE_KEY, &schema()).unwrap();
    assert_eq!(expr.ty(), Ty::MVBIN);
    assert!(
        expr.listing()
            .contains("; runs once per value of [searchableDeviceKey]")
    );
    let a = blob(b"hdr", b"key material one");
    let b = blob(b"longer header", b"two");
    let mut not_v0 = blob(b"x", b"y");
    not_v0[0] = 1;
    let attrs = syncrules_lang::name::attrs([(
        "searchableDeviceKey".to_owned(),
        Value::multi(vec![Value::bin(&a), Value::bin(&not_v0), Value::bin(&b)]),
    )]);
    let record = expr.record(&attrs);
    let env = Env::new(&record, &[]);
    let want = Value::multi(vec![
        Value::bin(expected(&a, 3)),
        Value::bin(expected(&b, 13)),
    ]);
    assert_eq!(expr.eval(&mut Vm::new(), &env), Ok(want.clone()));
    assert_eq!(expr.eval_reference(&env), Ok(want));

    let empty = expr.record(&syncrules_lang::AttrMap::default());
    assert_eq!(
        expr.eval(&mut Vm::new(), &Env::new(&empty, &[])),
        Ok(Value::Null)
    );
}

fn strings(values: &[&str]) -> Value {
    Value::multi(values.iter().map(|v| Value::str(*v)).collect())
}

/// Runs `src` (checked against the schema) in the VM and the reference evaluator, which
/// must agree, on an object with these proxyAddresses.
fn run_over_proxy_addresses(src: &str, values: &[&str]) -> Value {
    let expr = Expression::compile(src, &schema()).unwrap();
    let attrs = syncrules_lang::name::attrs([("proxyAddresses".to_owned(), strings(values))]);
    let record = expr.record(&attrs);
    let env = Env::new(&record, &[]);
    let vm = expr.eval(&mut Vm::new(), &env).unwrap();
    assert_eq!(expr.eval_reference(&env).unwrap(), vm, "{src}");
    vm
}

/// The examples of "Multi-valued attributes" in
/// concept-azure-ad-connect-sync-declarative-provisioning-expressions.md, with the schema
/// saying proxyAddresses is multi-valued: the whole expression runs once per value.
#[test]
fn documented_multi_valued_examples_run_the_whole_expression_per_value() {
    let sip = "IIF(InStr([proxyAddresses],\"SIP:\")=1,NULL,[proxyAddresses])";
    let expr = Expression::compile(sip, &schema()).unwrap();
    assert_eq!(expr.ty(), Ty::MVSTR);
    assert!(
        expr.listing()
            .contains("; runs once per value of [proxyAddresses]\n")
    );
    assert_eq!(
        run_over_proxy_addresses(
            sip,
            &["SMTP:a@contoso.com", "SIP:a@contoso.com", "x500:/o=c"]
        ),
        strings(&["SMTP:a@contoso.com", "x500:/o=c"])
    );
    assert_eq!(
        run_over_proxy_addresses(sip, &["SIP:a@contoso.com"]),
        Value::Null
    );
    assert_eq!(
        run_over_proxy_addresses(
            "Word([proxyAddresses],1,\"@\") & \"@contoso.com\"",
            &["SMTP:ann@fabrikam.com", "smtp:ann@fabrikam.net"]
        ),
        strings(&["SMTP:ann@contoso.com", "smtp:ann@contoso.com"])
    );
    assert_eq!(
        run_over_proxy_addresses("Trim([proxyAddresses])", &[" a ", "b"]),
        strings(&["a", "b"])
    );
}

/// An attribute handed to something that takes lists (`Count`, `Join`, `Contains`) keeps
/// its values together, even where it is also mapped.
#[test]
fn an_attribute_used_as_a_list_is_not_split_into_values() {
    for src in [
        "Join(Trim([proxyAddresses]), \",\")",
        "IIF(Count([proxyAddresses])>1, Trim([proxyAddresses]), NULL)",
        "IIF(Contains([proxyAddresses],\"SMTP:\")>0, [proxyAddresses], NULL)",
        "[proxyAddresses]",
    ] {
        let expr = Expression::compile(src, &schema()).unwrap();
        assert!(!expr.listing().contains("runs once per value"), "{src}");
    }
    assert_eq!(
        run_over_proxy_addresses("Join(Trim([proxyAddresses]), \",\")", &[" a", "b "]),
        Value::str("a,b")
    );
}
