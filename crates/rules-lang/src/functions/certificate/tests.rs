//! Tests of the Certificate functions on the fixtures in `tests/fixtures/certs`, whose expected
//! values come from `openssl` (see the fixtures' README). The cases of
//! `tests/reference/certificate.txt` run through the whole pipeline in
//! `tests/reference_examples.rs`.

use crate::functions::FnError;
use crate::functions::args::testing::{dt, multi, ok, run, s};
use crate::value::Value;

const RSA: &[u8] = include_bytes!("../../../tests/fixtures/certs/rsa.der");
const RSA_PEM: &str = include_str!("../../../tests/fixtures/certs/rsa.pem");
const RSA_B64: &str = include_str!("../../../tests/fixtures/certs/rsa.b64");
const EC: &[u8] = include_bytes!("../../../tests/fixtures/certs/ec.der");
const EC_PEM: &str = include_str!("../../../tests/fixtures/certs/ec.pem");
const V1: &[u8] = include_bytes!("../../../tests/fixtures/certs/v1.der");
const CA: &[u8] = include_bytes!("../../../tests/fixtures/certs/ca.der");

const RSA_THUMB: &str = "13B851B05D6595840466A80F13B7B64C948904D3";
const EC_THUMB: &str = "A081F37CB89AA72A2BB6940D2D03B0C64FE03B65";
const CA_NAME: &str = "CN=Syncrules Test Root CA, O=\"Syncrules Test, Inc.\", C=US";

fn one(name: &str, cert: &[u8]) -> Value {
    ok(name, &[Value::bin(cert)])
}

fn date(y: i32) -> Value {
    dt(y, 1, 1, 0, 0, 0)
}

#[test]
fn hashes() {
    assert_eq!(one("CertThumbprint", RSA), s(RSA_THUMB));
    assert_eq!(one("CertHashString", RSA), s(RSA_THUMB));
    assert_eq!(one("CertThumbprint", EC), s(EC_THUMB));
    assert_eq!(
        one("CertThumbprint", V1),
        s("3BCDBD412DFEE87EDFBFC33B28887B4A2571EB24")
    );
    assert_eq!(
        one("CertThumbprint", CA),
        s("9539E4B41FF8D5FE3073676163804A6BCB2E4A20")
    );
}

#[test]
fn constants() {
    assert_eq!(one("CertFormat", RSA), s("X509"));
    assert_eq!(one("CertFriendlyName", RSA), s(""));
    assert_eq!(one("CertVersion", RSA), Value::Num(3));
    assert_eq!(one("CertVersion", V1), Value::Num(1));
}

#[test]
fn names() {
    for f in ["CertIssuer", "CertIssuerDN"] {
        assert_eq!(one(f, RSA), s(CA_NAME));
        assert_eq!(one(f, EC), s("CN=web.contoso.com, O=Contoso, C=US"));
    }
    for f in ["CertSubject", "CertSubjectNameDN"] {
        assert_eq!(one(f, RSA), s("CN=John Doe, OU=Users, O=Contoso, C=US"));
        assert_eq!(one(f, V1), s("OU=Kiosks, O=Fabrikam, C=US"));
        assert_eq!(one(f, CA), s(CA_NAME));
    }
    assert_eq!(one("CertIssuerOid", RSA), s("2.5.4.3"));
    assert_eq!(one("CertSubjectNameOid", RSA), s("2.5.4.3"));
    assert_eq!(one("CertSubjectNameOid", V1), s("2.5.4.11"));
}

#[test]
fn keys_and_algorithms() {
    assert_eq!(one("CertKeyAlgorithm", RSA), s("1.2.840.113549.1.1.1"));
    assert_eq!(one("CertPublicKeyOid", RSA), s("1.2.840.113549.1.1.1"));
    assert_eq!(one("CertKeyAlgorithmParams", RSA), s("0500"));
    assert_eq!(one("CertPublicKeyParametersOid", RSA), Value::Null);
    assert_eq!(
        one("CertSignatureAlgorithmOid", RSA),
        s("1.2.840.113549.1.1.11")
    );
    assert_eq!(one("CertKeyAlgorithm", EC), s("1.2.840.10045.2.1"));
    assert_eq!(one("CertPublicKeyOid", EC), s("1.2.840.10045.2.1"));
    assert_eq!(one("CertKeyAlgorithmParams", EC), s("06082A8648CE3D030107"));
    assert_eq!(
        one("CertPublicKeyParametersOid", EC),
        s("1.2.840.10045.3.1.7")
    );
    assert_eq!(
        one("CertSignatureAlgorithmOid", EC),
        s("1.2.840.10045.4.3.2")
    );
    assert_eq!(one("CertKeyAlgorithmParams", V1), s("06052B81040022"));
    assert_eq!(one("CertPublicKeyParametersOid", V1), s("1.3.132.0.34"));
}

#[test]
fn serial_numbers_keep_the_der_bytes() {
    assert_eq!(one("CertSerialNumber", RSA), s("1A2B3C4D5E6F7081"));
    assert_eq!(one("CertSerialNumber", EC), s("008F00000000000001"));
    assert_eq!(one("CertSerialNumber", V1), s("05"));
}

#[test]
fn validity_dates_are_utc() {
    assert_eq!(one("CertNotBefore", RSA), date(2023));
    assert_eq!(one("CertNotAfter", RSA), date(2033));
    assert_eq!(one("CertNotBefore", EC), date(2020));
    assert_eq!(one("CertNotAfter", EC), date(2022));
}

#[test]
fn critical_extensions_only() {
    let both = multi(&[s("2.5.29.19"), s("2.5.29.15")]);
    assert_eq!(one("CertExtensionOids", RSA), both);
    assert_eq!(one("CertExtensionOids", CA), both);
    assert_eq!(one("CertExtensionOids", EC), Value::Null);
    assert_eq!(one("CertExtensionOids", V1), Value::Null);
}

#[test]
fn name_info() {
    let info =
        |cert: &[u8], t: Value, issuer: Value| ok("CertNameInfo", &[Value::bin(cert), t, issuer]);
    let f = Value::Bool(false);
    assert_eq!(info(RSA, s("SimpleName"), f.clone()), s("John Doe"));
    assert_eq!(info(RSA, s("simplename"), f.clone()), s("John Doe"));
    assert_eq!(
        info(RSA, s("SimpleName"), Value::Bool(true)),
        s("Syncrules Test Root CA")
    );
    assert_eq!(
        info(RSA, s("EmailName"), f.clone()),
        s("john.doe@contoso.com")
    );
    assert_eq!(
        info(RSA, Value::Num(1), f.clone()),
        s("john.doe@contoso.com")
    );
    assert_eq!(info(RSA, s("2"), f.clone()), s("john.doe@contoso.com"));
    assert_eq!(
        info(RSA, s("UrlName"), Value::Null),
        s("https://contoso.com/users/john.doe")
    );
    assert_eq!(info(EC, s("DnsName"), f.clone()), s("web.contoso.com"));
    assert_eq!(info(V1, s("SimpleName"), f.clone()), s("Kiosks"));
    assert_eq!(info(RSA, Value::Null, f.clone()), Value::Null);
    let bad = run("CertNameInfo", &[Value::bin(RSA), s("FullName"), f.clone()]);
    assert!(bad.unwrap_err().to_string().contains("is not one of"));
    let bad = run("CertNameInfo", &[Value::bin(RSA), Value::Num(6), f.clone()]);
    assert!(bad.is_err());
    let bad = run("CertNameInfo", &[Value::bin(RSA), Value::bin([1]), f]);
    assert!(matches!(bad, Err(FnError::Type { index: 2, .. })));
}

#[test]
fn every_input_form() {
    let pem_bin = Value::bin(RSA_PEM.as_bytes());
    let b64_bin = Value::bin(RSA_B64.as_bytes());
    for v in [pem_bin, b64_bin, s(RSA_PEM), s(RSA_B64.trim())] {
        assert_eq!(ok("CertThumbprint", std::slice::from_ref(&v)), s(RSA_THUMB));
        assert_eq!(ok("IsCert", &[v]), Value::Bool(true));
    }
    assert_eq!(
        ok("CertSubject", &[s(EC_PEM)]),
        s("CN=web.contoso.com, O=Contoso, C=US")
    );
}

#[test]
fn multi_valued_certificates_map() {
    let both = multi(&[Value::bin(RSA), Value::bin(EC)]);
    assert_eq!(
        ok("CertThumbprint", std::slice::from_ref(&both)),
        multi(&[s(RSA_THUMB), s(EC_THUMB)])
    );
    assert_eq!(
        ok("CertNotAfter", std::slice::from_ref(&both)),
        multi(&[date(2033), date(2022)])
    );
    assert_eq!(
        ok("IsCert", std::slice::from_ref(&both)),
        multi(&[Value::Bool(true), Value::Bool(true)])
    );
    assert_eq!(
        ok("CertNameInfo", &[both, s("SimpleName"), Value::Bool(false)]),
        multi(&[s("John Doe"), s("web.contoso.com")])
    );
    // Critical extension OIDs flatten; the EC certificate contributes none.
    let three = multi(&[Value::bin(RSA), Value::bin(EC), Value::bin(CA)]);
    assert_eq!(ok("CertExtensionOids", &[three]).values().len(), 4);
    // A one-value multi reads as that value.
    assert_eq!(
        ok("CertThumbprint", &[multi(&[Value::bin(RSA)])]),
        multi(&[s(RSA_THUMB)])
    );
}

#[test]
fn null_gives_null_and_is_cert_false() {
    let names: Vec<&str> = super::BUILTINS.iter().map(|b| b.name).collect();
    assert_eq!(names.len(), 22);
    for name in names {
        let args = [Value::Null, s("SimpleName"), Value::Bool(false)];
        let expected = if name == "IsCert" {
            Value::Bool(false)
        } else {
            Value::Null
        };
        assert_eq!(ok(name, &args), expected, "{name}(NULL)");
    }
}

#[test]
fn invalid_data_is_an_error_and_is_cert_false() {
    let hello = Value::bin(b"Hello world!");
    let truncated = Value::bin(&RSA[..RSA.len() - 1]);
    for bad in [hello, truncated, s("not a certificate"), Value::bin([])] {
        for b in super::BUILTINS.iter().filter(|b| b.name != "IsCert") {
            let args = [bad.clone(), s("SimpleName"), Value::Bool(false)];
            let err = run(b.name, &args).unwrap_err();
            assert!(
                err.to_string().contains("not an X.509 certificate"),
                "{}: {err}",
                b.name
            );
        }
        assert_eq!(ok("IsCert", &[bad]), Value::Bool(false));
    }
    // Wrong kinds: an error for the readers, False for IsCert.
    let err = run("CertThumbprint", &[Value::Num(5)]).unwrap_err();
    assert!(matches!(err, FnError::Type { index: 1, .. }));
    assert_eq!(ok("IsCert", &[Value::Num(5)]), Value::Bool(false));
    assert_eq!(ok("IsCert", &[Value::Bool(true)]), Value::Bool(false));
}

#[test]
fn registry_entries() {
    for b in super::BUILTINS {
        assert_eq!(b.group, super::super::Group::Certificate);
        assert!(b.maps && b.pure && b.imp.is_some(), "{}", b.name);
        assert!(b.example.starts_with(b.name), "{}", b.name);
        assert!(!b.sigs.is_empty());
    }
}
