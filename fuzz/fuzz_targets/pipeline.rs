//! Fuzz target: arbitrary text through the whole expression pipeline.
//!
//! bytes → UTF-8 (invalid input is skipped) → `parse` → `check` → `Program::compile` and
//! `Program::compile_unfolded` → evaluation against one fixed object by the VM (folded and
//! unfolded programs) and by the reference evaluator.
//!
//! Besides "nothing panics, overflows the stack, hangs or runs out of memory", it asserts:
//!
//! - the three evaluations agree: the same `Ok` value or the same `Err` (kind and span),
//!   except for expressions that call an impure builtin (`Guid`, `RandomNum`), where only
//!   the absence of panics is checked;
//! - no evaluation fails with `EvalErrorKind::Internal` (a compiler or VM bug by definition);
//! - constant folding never turns a program that compiles into one that does not.
//!
//! Every diagnostic (parse, check, compile, and a run-time error turned into one) is
//! rendered, and every compiled program is listed, so the renderers see arbitrary spans.

#![no_main]

use std::sync::LazyLock;

use chrono::{DateTime, TimeZone as _, Utc};
use indexmap::IndexMap;
use libfuzzer_sys::fuzz_target;
use syncrules_lang::check::check;
use syncrules_lang::functions::CallCtx;
use syncrules_lang::ir::{Node, NodeKind};
use syncrules_lang::parse::parse;
use syncrules_lang::{
    Diagnostic, Env, EvalError, EvalErrorKind, Program, Record, Slots, Untyped, Value, Vm,
    reference,
};

/// The file name diagnostics are rendered with.
const FILE: &str = "fuzz.expr";

/// Real DER certificates from the library's test fixtures (RSA leaf with SANs, EC P-256).
const CERT_RSA: &[u8] = include_bytes!("../../crates/rules-lang/tests/fixtures/certs/rsa.der");
const CERT_EC: &[u8] = include_bytes!("../../crates/rules-lang/tests/fixtures/certs/ec.der");

/// The clock every evaluation sees: `Now()` is 2024-01-01T00:00:00Z.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn s(v: &str) -> Value {
    Value::str(v)
}

fn multi_str(vs: &[&str]) -> Value {
    Value::multi(vs.iter().map(|v| Value::str(v)).collect())
}

/// The fixed object: a few attributes of every value type. Names are those of the seed
/// corpus (the out-of-box rules and the functions reference) plus one-letter names a
/// mutator finds quickly.
static ATTRIBUTES: LazyLock<IndexMap<String, Value>> = LazyLock::new(|| {
    let dt = |y, mo, d, h, mi, sec| {
        Value::DateTime(
            Utc.with_ymd_and_hms(y, mo, d, h, mi, sec)
                .single()
                .unwrap_or_default(),
        )
    };
    let guid: [u8; 16] = [
        0xd4, 0xc3, 0xb2, 0xa1, 0xf6, 0xe5, 0x11, 0x47, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
        0xff,
    ];
    // S-1-5-21-1004336348-1177238915-682003330-512
    let sid: [u8; 28] = [
        1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0xdc, 0xf4, 0xdc, 0x3b, 0x83, 0x3d, 0x2b, 0x46,
        0x82, 0x8b, 0xa6, 0x28, 0x00, 0x02, 0x00, 0x00,
    ];
    let attrs: Vec<(&str, Value)> = vec![
        // Strings.
        ("s", s(" a,b-c ")),
        ("displayName", s("John Doe")),
        ("givenName", s("John")),
        ("sn", s("Doe")),
        ("cn", s("jdoe")),
        ("sAMAccountName", s("jdoe")),
        ("userPrincipalName", s("john.doe@contoso.com")),
        ("mail", s("John.Doe@Contoso.com")),
        ("mailNickname", s("jdoe")),
        ("employeeID", s("00042")),
        ("info", s("  Räksmörgås\r\nline two  ")),
        ("address", s("1 Main St\r\nSpringfield")),
        ("dn", s("CN=John Doe,OU=Users,DC=contoso,DC=com")),
        ("sourceAnchor", s("1MPDocb0R0eImaq7zN3u/w==")),
        ("strAttribute", s("{a1b2c3d4-e5f6-4711-8899-aabbccddeeff}")),
        ("searchableDeviceKey", s("0001000A2B3C4D5E6F7A8B9C0D1E2F30")),
        ("empty", s("")),
        // Numbers.
        ("n", Value::Num(42)),
        ("userAccountControl", Value::Num(514)),
        ("groupType", Value::Num(-2_147_483_646)),
        ("pwdLastSet", Value::Num(129_699_324_000_000_000)),
        ("memberCount", Value::Num(3)),
        ("msExchRecipientTypeDetails", Value::Num(1)),
        ("big", Value::Num(i64::MAX)),
        ("small", Value::Num(i64::MIN)),
        // Booleans.
        ("b", Value::Bool(true)),
        ("cloudSOAExchMailbox", Value::Bool(false)),
        ("msExchHideFromAddressLists", Value::Bool(true)),
        // Binaries.
        ("objectGUID", Value::bin(guid)),
        ("objectSid", Value::bin(sid)),
        ("bin", Value::bin([0u8, 1, 2, 0xfe, 0xff])),
        ("certificate", Value::bin(CERT_RSA)),
        (
            "userCertificate",
            Value::multi(vec![Value::bin(CERT_RSA), Value::bin(CERT_EC)]),
        ),
        // Multi-valued strings.
        ("m", multi_str(&["a", "b", "a", ""])),
        (
            "proxyAddresses",
            multi_str(&[
                "SMTP:john.doe@contoso.com",
                "smtp:jd@contoso.com",
                "X500:/o=Contoso/ou=Exchange/cn=Recipients/cn=jdoe",
            ]),
        ),
        ("otherPhone", multi_str(&["555-0100", "+1 555-0101"])),
        ("url", multi_str(&["https://contoso.com/~jdoe", "http://x"])),
        ("description", multi_str(&["  first  ", "second"])),
        // References.
        ("r", Value::reference("CN=Jane Roe,OU=Users,DC=contoso,DC=com")),
        (
            "manager",
            Value::reference("CN=Jane Roe\\, Jr.,OU=Users,DC=contoso,DC=com"),
        ),
        (
            "member",
            Value::multi(vec![
                Value::reference("CN=A,OU=Groups,DC=contoso,DC=com"),
                Value::reference("CN=B,OU=Groups,DC=contoso,DC=com"),
            ]),
        ),
        // Dates.
        ("d", dt(2020, 5, 17, 10, 30, 0)),
        ("whenCreated", dt(2012, 1, 1, 23, 0, 0)),
        ("employeeStartTime", dt(1601, 1, 1, 0, 0, 0)),
        ("accountExpires", dt(9999, 12, 31, 23, 59, 59)),
        // Markers a flow can produce.
        ("ignore", Value::Ignore),
        ("authNull", Value::AuthoritativeNull),
    ];
    attrs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
});

/// The connector parameters (`%Domain.FQDN%` and friends).
static PARAMETERS: LazyLock<IndexMap<String, String>> = LazyLock::new(|| {
    [
        ("Domain.FQDN", "contoso.com"),
        ("Domain.Netbios", "CONTOSO"),
        ("Domain.LDAP", "DC=contoso,DC=com"),
        ("Forest.FQDN", "contoso.com"),
        ("Forest.Netbios", "CONTOSO"),
        ("Forest.LDAP", "DC=contoso,DC=com"),
        ("Connector.ID", "ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
});

/// True when the tree calls a builtin whose result changes between calls.
fn calls_impure(node: &Node) -> bool {
    let kids: Vec<&Node> = match &node.kind {
        NodeKind::Call(b, args) => {
            if !b.pure {
                return true;
            }
            args.iter().collect()
        }
        NodeKind::Const(_)
        | NodeKind::Attr(_)
        | NodeKind::Imported(_)
        | NodeKind::ValueCount(_)
        | NodeKind::Param(_)
        | NodeKind::Local(_) => Vec::new(),
        NodeKind::Iif(c, t, f) => vec![c, t, f],
        NodeKind::And(a, b) | NodeKind::Or(a, b) | NodeKind::Binary(_, a, b) => vec![a, b],
        NodeKind::Neg(x) => vec![x],
        NodeKind::Select { source, body, .. } => vec![source, body],
        NodeKind::Where { source, cond, .. } => vec![source, cond],
        NodeKind::With { value, body, .. } => vec![value, body],
    };
    kids.into_iter().any(calls_impure)
}

/// Exercises the renderers on a result: values are displayed, errors rendered as
/// diagnostics at their span. Also rejects internal errors.
fn consume(src: &str, what: &str, result: &Result<Value, EvalError>) {
    match result {
        Ok(v) => {
            let _ = v.to_string();
            let _ = v.kind();
        }
        Err(e) => {
            assert!(
                !matches!(e.kind, EvalErrorKind::Internal(_)),
                "{what} failed with an internal error on {src:?}: {e:?}"
            );
            let _ = Diagnostic::error("E9999", e.span, e.to_string()).render(FILE, src);
        }
    }
}

fn run(src: &str) {
    let ast = match parse(src) {
        Ok(ast) => ast,
        Err(d) => {
            let _ = d.render(FILE, src);
            return;
        }
    };
    let mut slots = Slots::default();
    let checked = match check(&ast, &Untyped, &mut slots) {
        Ok(c) => c,
        Err(ds) => {
            let _ = ds.render(FILE, src);
            return;
        }
    };
    let unfolded = Program::compile_unfolded(&checked);
    let folded = Program::compile(&checked);
    for p in [&unfolded, &folded] {
        match p {
            Ok(p) => {
                let _ = syncrules_lang::compile::listing(p, &slots, src);
            }
            Err(d) => {
                let _ = d.render(FILE, src);
            }
        }
    }
    assert!(
        !(unfolded.is_ok() && folded.is_err()),
        "constant folding broke compilation of {src:?}: {folded:?}"
    );

    let record = Record::from_named(&slots, &ATTRIBUTES);
    let params = syncrules_lang::env::parameters(&slots, &PARAMETERS);
    let env = Env {
        attributes: &record,
        parameters: &params,
        ctx: CallCtx { now: now() },
    };
    let want = reference::evaluate(&checked, &env);
    consume(src, "the reference evaluator", &want);
    let mut vm = Vm::new();
    let got_unfolded = unfolded.as_ref().ok().map(|p| vm.run(p, &env));
    let got_folded = folded.as_ref().ok().map(|p| vm.run(p, &env));
    for (what, got) in [("unfolded VM", &got_unfolded), ("folded VM", &got_folded)] {
        if let Some(got) = got {
            consume(src, what, got);
        }
    }
    if calls_impure(checked.root()) {
        return;
    }
    for (what, got) in [("unfolded VM", got_unfolded), ("folded VM", got_folded)] {
        if let Some(got) = got {
            assert_eq!(
                got, want,
                "{what} disagrees with the reference evaluator on {src:?}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        run(src);
    }
});
