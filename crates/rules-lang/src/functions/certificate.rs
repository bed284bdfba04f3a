//! Certificate: the 22 functions that read an X.509 certificate (`CertThumbprint`,
//! `CertSubject`, `CertNotAfter`, ..., `IsCert`).
//!
//! Entra Connect is .NET, and its functions read the certificate through `X509Certificate2`,
//! so the results are modelled on that class: hashes, serial numbers and parameters in
//! uppercase hexadecimal, names in `X500DistinguishedName.Name` form (`CN=John Doe, O=Contoso,
//! C=US`), object identifiers in dotted form.
//!
//! Every function takes the certificate as `bin` (DER, or Base64 text with or without PEM
//! armour: see [`input`]) or as `str` holding Base64/PEM, and maps over a multi-valued
//! argument (`CertThumbprint([userCertificate])`). A null certificate gives null (`IsCert`
//! gives False); data that is not a certificate is an error (`IsCert` gives False).
//!
//! Readings where the reference is silent or garbled:
//! - `CertVersion` returns a number (3 for an X.509 v3 certificate), as .NET's
//!   `X509Certificate2.Version` is an `int`; the reference's syntax line for it is a copy of
//!   `CertThumbprint`'s.
//! - `CertFriendlyName` is always `""`: a friendly name is a property of a Windows certificate
//!   store entry, never part of the DER.
//! - `CertNotBefore` / `CertNotAfter` are UTC date-times (the language's `dt` is UTC), not
//!   local time as the reference words it.
//! - `CertIssuer` and `CertIssuerDN` give the same string, as do `CertSubject` and
//!   `CertSubjectNameDN` (.NET's `Issuer` is `IssuerName.Name`).
//! - `CertIssuerOid` / `CertSubjectNameOid`: the attribute type of the most specific RDN (the
//!   one shown first, e.g. `2.5.4.3` for `CN=...`); null for an empty name.
//! - `CertKeyAlgorithm` and `CertPublicKeyOid` both give the public key algorithm's OID
//!   (`1.2.840.113549.1.1.1` for RSA), as .NET's `GetKeyAlgorithm()` and `PublicKey.Oid` do.
//! - `CertKeyAlgorithmParams`: the hexadecimal of the parameters' DER (`0500` for RSA's NULL),
//!   `""` when the algorithm has none, as .NET's `GetKeyAlgorithmParametersString()`.
//! - `CertPublicKeyParametersOid`: the OID the key parameters hold (an EC key's named curve,
//!   `1.2.840.10045.3.1.7` for P-256); null when the parameters are not an OID (RSA).
//! - `CertSerialNumber`: the bytes of the DER INTEGER, as .NET's `SerialNumber`, so a serial
//!   whose high bit is set keeps its leading `00`.
//! - `CertExtensionOids`: the OIDs of the critical extensions, in certificate order; null when
//!   there is none (an empty multi-valued result is null).
//! - `CertNameInfo`: the name type is one of .NET's `X509NameType` names (any case: SimpleName,
//!   EmailName, UpnName, DnsName, DnsFromAlternativeName, UrlName) or its number 0 to 5; a
//!   null name type gives null, a null `includesIssuerName` reads as False.

mod input;
mod names;
mod table;

use chrono::DateTime;
use sha1::{Digest as _, Sha1};
use x509_parser::der_parser::asn1_rs::{Tag, ToDer as _};
use x509_parser::prelude::*;

use self::input::{Cert, not_a_cert, with_cert};
use self::names::{NAME_TYPES, dotnet_name, most_specific_oid, name_info};
pub(super) use self::table::BUILTINS;
use super::conversion::hex_upper;
use super::{CallCtx, FnError, arg, bool_arg, type_error, value_error};
use crate::value::Value;

/// Runs `f` on the certificate in argument 0 and returns its string.
fn text(
    function: &'static str,
    args: &[Value],
    f: impl FnOnce(&Cert<'_>) -> String,
) -> Result<Value, FnError> {
    with_cert(function, args, |c| Ok(Value::str(f(c))))
}

fn thumbprint(c: &Cert<'_>) -> String {
    hex_upper(&Sha1::digest(c.der))
}

fn key_algorithm(c: &Cert<'_>) -> String {
    c.x509.public_key().algorithm.algorithm.to_id_string()
}

fn date(function: &'static str, time: ASN1Time) -> Result<Value, FnError> {
    DateTime::from_timestamp(time.timestamp(), 0)
        .map(Value::DateTime)
        .ok_or_else(|| value_error(function, "the certificate's date is out of range"))
}

fn cert_extension_oids(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    with_cert("CertExtensionOids", args, |c| {
        let oids = c.x509.extensions().iter().filter(|e| e.critical);
        Ok(Value::multi(
            oids.map(|e| Value::str(e.oid.to_id_string())).collect(),
        ))
    })
}

fn cert_format(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    text("CertFormat", args, |_| "X509".to_owned())
}

fn cert_friendly_name(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    text("CertFriendlyName", args, |_| String::new())
}

fn cert_hash_string(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    text("CertHashString", args, thumbprint)
}

fn cert_issuer(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    text("CertIssuer", args, |c| dotnet_name(c.x509.issuer()))
}

fn cert_issuer_dn(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    text("CertIssuerDN", args, |c| dotnet_name(c.x509.issuer()))
}

fn cert_issuer_oid(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    with_cert("CertIssuerOid", args, |c| {
        Ok(most_specific_oid(c.x509.issuer()).map_or(Value::Null, Value::str))
    })
}

fn cert_key_algorithm(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    text("CertKeyAlgorithm", args, key_algorithm)
}

fn cert_key_algorithm_params(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    with_cert("CertKeyAlgorithmParams", args, |c| {
        let Some(params) = c.x509.public_key().algorithm.parameters() else {
            return Ok(Value::str(""));
        };
        let der = params
            .to_der_vec()
            .map_err(|_| not_a_cert("CertKeyAlgorithmParams"))?;
        Ok(Value::str(hex_upper(&der)))
    })
}

/// The `X509NameType` argument: a name (any case) or its number.
fn name_type_arg(args: &[Value]) -> Result<Option<&'static str>, FnError> {
    let unknown = |s: &str| {
        value_error(
            "CertNameInfo",
            format!("`{s}` is not one of {}", NAME_TYPES.join(", ")),
        )
    };
    let by_number = |n: i64| {
        usize::try_from(n)
            .ok()
            .and_then(|i| NAME_TYPES.get(i).copied())
    };
    match arg(args, 1).values() {
        [] => Ok(None),
        [Value::Str(s)] => {
            let s = s.trim();
            NAME_TYPES
                .iter()
                .find(|t| t.eq_ignore_ascii_case(s))
                .copied()
                .or_else(|| s.parse().ok().and_then(by_number))
                .map(Some)
                .ok_or_else(|| unknown(s))
        }
        [Value::Num(n)] => by_number(*n)
            .map(Some)
            .ok_or_else(|| unknown(&n.to_string())),
        [other] => Err(type_error("CertNameInfo", 1, "an X509NameType name", other)),
        _ => Err(value_error("CertNameInfo", "takes one X509NameType")),
    }
}

fn cert_name_info(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    with_cert("CertNameInfo", args, |c| {
        let Some(name_type) = name_type_arg(args)? else {
            return Ok(Value::Null);
        };
        let issuer = bool_arg("CertNameInfo", args, 2)?.unwrap_or(false);
        Ok(Value::str(name_info(&c.x509, name_type, issuer)))
    })
}

fn cert_not_after(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    with_cert("CertNotAfter", args, |c| {
        date("CertNotAfter", c.x509.validity().not_after)
    })
}

fn cert_not_before(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    with_cert("CertNotBefore", args, |c| {
        date("CertNotBefore", c.x509.validity().not_before)
    })
}

fn cert_public_key_oid(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    text("CertPublicKeyOid", args, key_algorithm)
}

fn cert_public_key_parameters_oid(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    with_cert("CertPublicKeyParametersOid", args, |c| {
        let params = c.x509.public_key().algorithm.parameters();
        let oid = params.filter(|p| p.tag() == Tag::Oid);
        Ok(match oid.and_then(|p| p.as_oid().ok()) {
            Some(oid) => Value::str(oid.to_id_string()),
            None => Value::Null,
        })
    })
}

fn cert_serial_number(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    text("CertSerialNumber", args, |c| hex_upper(c.x509.raw_serial()))
}

fn cert_signature_algorithm_oid(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    text("CertSignatureAlgorithmOid", args, |c| {
        c.x509.signature_algorithm.algorithm.to_id_string()
    })
}

fn cert_subject(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    text("CertSubject", args, |c| dotnet_name(c.x509.subject()))
}

fn cert_subject_name_dn(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    text("CertSubjectNameDN", args, |c| dotnet_name(c.x509.subject()))
}

fn cert_subject_name_oid(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    with_cert("CertSubjectNameOid", args, |c| {
        Ok(most_specific_oid(c.x509.subject()).map_or(Value::Null, Value::str))
    })
}

fn cert_thumbprint(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    text("CertThumbprint", args, thumbprint)
}

fn cert_version(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    with_cert("CertVersion", args, |c| {
        Ok(Value::Num(i64::from(c.x509.version().0) + 1))
    })
}

fn is_cert(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(Value::Bool(input::is_cert(args)))
}

#[cfg(test)]
mod tests;
