//! Reading a certificate argument: DER bytes, or Base64 text with or without PEM armour.
//!
//! The reference says the byte array "can be binary (DER) encoded or Base64-encoded X.509
//! data". Reading: the bytes are first tried as DER; when they do not parse, they are read as
//! text (UTF-8, a leading byte-order mark ignored): the body of the first
//! `-----BEGIN CERTIFICATE-----` (or `X509 CERTIFICATE`) block when there is one, else the
//! whole text, with all ASCII white space removed and `=` padding optional. A string argument
//! goes through the same path. The DER must hold exactly one certificate and nothing after it.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use x509_parser::prelude::*;

use super::super::{FnError, scalar, type_error, value_error};
use crate::value::Value;

/// Base64 with the standard alphabet, padding optional.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The PEM labels read as a certificate.
const PEM_LABELS: [&str; 2] = ["CERTIFICATE", "X509 CERTIFICATE"];

/// A parsed certificate with the DER it came from.
pub(super) struct Cert<'a> {
    /// The certificate's DER encoding (what the thumbprint hashes).
    pub der: &'a [u8],
    /// The parsed certificate.
    pub x509: X509Certificate<'a>,
}

/// The DER bytes, parsed as exactly one certificate.
fn parse_der(der: &[u8]) -> Option<X509Certificate<'_>> {
    match X509Certificate::from_der(der) {
        Ok(([], cert)) => Some(cert),
        _ => None,
    }
}

/// The body of the first certificate PEM block in `text`, if it has one.
fn pem_body(text: &str) -> Option<&str> {
    PEM_LABELS.iter().find_map(|label| {
        let begin = format!("-----BEGIN {label}-----");
        let start = text.find(&begin)? + begin.len();
        let rest = text.get(start..)?;
        let end = rest.find("-----END")?;
        rest.get(..end)
    })
}

/// The DER a Base64 text (with or without PEM armour) decodes to.
fn decode_text(input: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(input).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let body = if text.contains("-----BEGIN") {
        pem_body(text)?
    } else {
        text
    };
    let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return None;
    }
    BASE64.decode(compact).ok()
}

/// The certificate argument's bytes: `None` for null, an error for a value that is neither
/// binary nor a string.
fn input_bytes<'a>(function: &'static str, args: &'a [Value]) -> Result<Option<&'a [u8]>, FnError> {
    match scalar(args, 0) {
        Value::Null => Ok(None),
        Value::Bin(b) => Ok(Some(b)),
        Value::Str(s) => Ok(Some(s.as_bytes())),
        other => Err(type_error(function, 0, "binary or a Base64 string", other)),
    }
}

/// The error for data that is not a certificate.
pub(super) fn not_a_cert(function: &'static str) -> FnError {
    value_error(function, "the data is not an X.509 certificate")
}

/// Parses `bytes` as DER or Base64 text and runs `f` on the certificate; `None` when the
/// bytes are not a certificate.
pub(super) fn parse_with<T>(bytes: &[u8], f: impl FnOnce(&Cert<'_>) -> T) -> Option<T> {
    if let Some(x509) = parse_der(bytes) {
        return Some(f(&Cert { der: bytes, x509 }));
    }
    let der = decode_text(bytes)?;
    let x509 = parse_der(&der)?;
    Some(f(&Cert { der: &der, x509 }))
}

/// Runs `f` on the certificate in argument 0: null for a null argument, an error when the
/// argument is not a certificate.
pub(super) fn with_cert(
    function: &'static str,
    args: &[Value],
    f: impl FnOnce(&Cert<'_>) -> Result<Value, FnError>,
) -> Result<Value, FnError> {
    let Some(bytes) = input_bytes(function, args)? else {
        return Ok(Value::Null);
    };
    parse_with(bytes, f).unwrap_or_else(|| Err(not_a_cert(function)))
}

/// Whether argument 0 holds a certificate; false for null and for values of other types.
pub(super) fn is_cert(args: &[Value]) -> bool {
    match input_bytes("IsCert", args) {
        Ok(Some(bytes)) => parse_with(bytes, |_| ()).is_some(),
        _ => false,
    }
}

/// The certificate's DER, decoded from any accepted form (for tests and callers that need
/// the raw bytes).
#[cfg(test)]
pub(super) fn der_of(bytes: &[u8]) -> Option<std::borrow::Cow<'_, [u8]>> {
    use std::borrow::Cow;
    if parse_der(bytes).is_some() {
        return Some(Cow::Borrowed(bytes));
    }
    let der = decode_text(bytes)?;
    parse_der(&der).is_some().then_some(Cow::Owned(der))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSA_DER: &[u8] = include_bytes!("../../../tests/fixtures/certs/rsa.der");
    const RSA_PEM: &str = include_str!("../../../tests/fixtures/certs/rsa.pem");
    const RSA_B64: &str = include_str!("../../../tests/fixtures/certs/rsa.b64");

    #[test]
    fn der_pem_and_base64_decode_to_the_same_der() {
        assert_eq!(der_of(RSA_DER).unwrap().as_ref(), RSA_DER);
        assert_eq!(der_of(RSA_PEM.as_bytes()).unwrap().as_ref(), RSA_DER);
        assert_eq!(der_of(RSA_B64.as_bytes()).unwrap().as_ref(), RSA_DER);
        // One-line PEM, CRLF line ends, a byte-order mark, no padding.
        let one_line = RSA_PEM.replace('\n', "");
        assert_eq!(der_of(one_line.as_bytes()).unwrap().as_ref(), RSA_DER);
        let crlf = RSA_PEM.replace('\n', "\r\n");
        assert_eq!(der_of(crlf.as_bytes()).unwrap().as_ref(), RSA_DER);
        let bom = format!("\u{feff}{RSA_B64}");
        assert_eq!(der_of(bom.as_bytes()).unwrap().as_ref(), RSA_DER);
        let unpadded = RSA_B64.trim().trim_end_matches('=');
        assert_eq!(der_of(unpadded.as_bytes()).unwrap().as_ref(), RSA_DER);
    }

    #[test]
    fn rejects_what_is_not_one_certificate() {
        assert!(der_of(b"").is_none());
        assert!(der_of(b"   ").is_none());
        assert!(der_of(b"not base64!").is_none());
        assert!(der_of(b"SGVsbG8gd29ybGQh").is_none()); // base64 of "Hello world!"
        assert!(der_of(&RSA_DER[..100]).is_none()); // truncated
        let mut trailing = RSA_DER.to_vec();
        trailing.push(0);
        assert!(der_of(&trailing).is_none());
        let key = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n";
        assert!(der_of(key.as_bytes()).is_none());
        assert!(der_of(&[0xff, 0xfe, 0x30]).is_none()); // not UTF-8, not DER
    }
}
