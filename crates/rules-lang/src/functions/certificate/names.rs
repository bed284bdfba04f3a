//! Certificate names as .NET shows them: `X500DistinguishedName.Name` (Windows'
//! `CertNameToStr` with the X.500 keys, most specific RDN first) and
//! `X509Certificate2.GetNameInfo`.
//!
//! The string form follows Microsoft's published description of that conversion (open
//! specification MS-OSCO, "Subject name"): RDNs most specific first, separated by `, `;
//! attributes of one multi-valued RDN separated by ` + `; the keys `CN`, `L`, `O`, `OU`, `E`,
//! `C`, `S`, `STREET`, `T`, `G`, `I`, `SN`, `SERIALNUMBER`, `DC`, `Description`,
//! `PostalCode`, `POBox`, `Phone`, and `OID.<dotted>` for any other type; a value in double
//! quotes when it is empty, has a leading or trailing space, or holds one of `, + = < > # ; '`
//! or a line feed, in single quotes when it holds a double quote. Reading: a value that is
//! not a character string is shown as `#` and the hexadecimal of its DER, as `CertNameToStr`
//! does for octet strings.

use x509_parser::der_parser::asn1_rs::{Any, Oid, Tag, ToDer};
use x509_parser::prelude::*;

use crate::functions::conversion::hex_upper;

/// Windows' X.500 keys for the attribute types it names.
const KEYS: &[(&str, &str)] = &[
    ("2.5.4.3", "CN"),
    ("2.5.4.7", "L"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("1.2.840.113549.1.9.1", "E"),
    ("2.5.4.6", "C"),
    ("2.5.4.8", "S"),
    ("2.5.4.9", "STREET"),
    ("2.5.4.12", "T"),
    ("2.5.4.42", "G"),
    ("2.5.4.43", "I"),
    ("2.5.4.4", "SN"),
    ("2.5.4.5", "SERIALNUMBER"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("2.5.4.13", "Description"),
    ("2.5.4.17", "PostalCode"),
    ("2.5.4.18", "POBox"),
    ("2.5.4.20", "Phone"),
];

const OID_CN: &str = "2.5.4.3";
const OID_OU: &str = "2.5.4.11";
const OID_O: &str = "2.5.4.10";
const OID_EMAIL: &str = "1.2.840.113549.1.9.1";
const OID_SAN: &str = "2.5.29.17";
const OID_IAN: &str = "2.5.29.18";
/// Microsoft's user principal name `otherName`.
const OID_UPN: &str = "1.3.6.1.4.1.311.20.2.3";

/// The text of a character-string value; `None` for other ASN.1 types.
fn any_text(any: &Any<'_>) -> Option<String> {
    let data = any.data;
    match any.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::NumericString
        | Tag::VisibleString => std::str::from_utf8(data).ok().map(str::to_owned),
        // T.61 read as Latin-1, as Windows does without CERT_NAME_STR_ENABLE_T61_UNICODE_FLAG.
        Tag::TeletexString => Some(data.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            let units: Option<Vec<u16>> = data
                .chunks(2)
                .map(|c| <[u8; 2]>::try_from(c).ok().map(u16::from_be_bytes))
                .collect();
            String::from_utf16(&units?).ok()
        }
        Tag::UniversalString => data
            .chunks(4)
            .map(|c| {
                <[u8; 4]>::try_from(c)
                    .ok()
                    .and_then(|b| char::from_u32(u32::from_be_bytes(b)))
            })
            .collect(),
        _ => None,
    }
}

/// An attribute's value as shown in a name string.
fn attr_value(attr: &AttributeTypeAndValue<'_>) -> String {
    let any = attr.attr_value();
    match any_text(any) {
        Some(text) => quote(&text),
        None => {
            let der = any.to_der_vec().unwrap_or_else(|_| any.data.to_vec());
            format!("#{}", hex_upper(&der))
        }
    }
}

/// Quotes a value as `CertNameToStr` does.
fn quote(value: &str) -> String {
    if value.contains('"') {
        return format!("'{value}'");
    }
    let special = |c: char| matches!(c, ',' | '+' | '=' | '\n' | '<' | '>' | '#' | ';' | '\'');
    if value.is_empty()
        || value.starts_with(' ')
        || value.ends_with(' ')
        || value.chars().any(special)
    {
        format!("\"{value}\"")
    } else {
        value.to_owned()
    }
}

/// The key naming an attribute type.
fn key(oid: &Oid<'_>) -> String {
    let dotted = oid.to_id_string();
    match KEYS.iter().find(|(o, _)| *o == dotted) {
        Some((_, k)) => (*k).to_owned(),
        None => format!("OID.{dotted}"),
    }
}

/// The RDNs of a name, most specific (last encoded) first.
fn most_specific_first<'n, 'a>(
    name: &'n X509Name<'a>,
) -> impl Iterator<Item = &'n RelativeDistinguishedName<'a>> {
    name.iter_rdn().collect::<Vec<_>>().into_iter().rev()
}

/// The name as .NET's `X500DistinguishedName.Name` shows it: `CN=John Doe, O=Contoso, C=US`.
pub(super) fn dotnet_name(name: &X509Name<'_>) -> String {
    let rdns: Vec<String> = most_specific_first(name)
        .map(|rdn| {
            let attrs: Vec<String> = rdn
                .iter()
                .map(|a| format!("{}={}", key(a.attr_type()), attr_value(a)))
                .collect();
            attrs.join(" + ")
        })
        .collect();
    rdns.join(", ")
}

/// Reading of `CertIssuerOid` / `CertSubjectNameOid`: the attribute type of the most specific
/// RDN (the one .NET shows first), e.g. `2.5.4.3` for `CN=...`; `None` for an empty name.
pub(super) fn most_specific_oid(name: &X509Name<'_>) -> Option<String> {
    let rdn = name.iter_rdn().last()?;
    rdn.iter().next().map(|a| a.attr_type().to_id_string())
}

/// The string attributes of a name, most specific RDN first, as (dotted type, text).
fn reverse_attrs(name: &X509Name<'_>) -> Vec<(String, String)> {
    most_specific_first(name)
        .flat_map(|rdn| rdn.iter())
        .filter_map(|a| Some((a.attr_type().to_id_string(), any_text(a.attr_value())?)))
        .collect()
}

/// The values of .NET's `X509NameType`, in enumeration order (0 to 5).
pub(super) const NAME_TYPES: &[&str] = &[
    "SimpleName",
    "EmailName",
    "UpnName",
    "DnsName",
    "DnsFromAlternativeName",
    "UrlName",
];

/// `GetNameInfo(SimpleName)` from the name alone: the most specific CN, else OU, O, E, else
/// the most specific other attribute. For several OU (or O, or E) values the least specific
/// one is used, as .NET's managed implementation does.
fn simple_name(name: &X509Name<'_>) -> Option<String> {
    let (mut ou, mut o, mut e, mut other) = (None, None, None, None);
    for (oid, text) in reverse_attrs(name) {
        match oid.as_str() {
            OID_CN => return Some(text),
            OID_OU => ou = Some(text),
            OID_O => o = Some(text),
            OID_EMAIL => e = Some(text),
            _ => {
                if other.is_none() {
                    other = Some(text);
                }
            }
        }
    }
    ou.or(o).or(e).or(other)
}

/// The UTF-8 string of an `otherName` value (`[0] EXPLICIT UTF8String`).
fn other_name_text(rest: &[u8]) -> Option<String> {
    let (_, outer) = Any::from_der(rest).ok()?;
    let (_, inner) = Any::from_der(outer.data).ok()?;
    (inner.tag() == Tag::Utf8String)
        .then(|| std::str::from_utf8(inner.data).ok().map(str::to_owned))
        .flatten()
}

/// The first alternative name (subject's, or issuer's) of the kind `name_type` looks for.
fn alt_name(cert: &X509Certificate<'_>, name_type: &str, issuer: bool) -> Option<String> {
    let wanted = if issuer { OID_IAN } else { OID_SAN };
    let names = cert
        .extensions()
        .iter()
        .filter(|ext| ext.oid.to_id_string() == wanted)
        .flat_map(|ext| match ext.parsed_extension() {
            ParsedExtension::SubjectAlternativeName(san) => san.general_names.as_slice(),
            ParsedExtension::IssuerAlternativeName(ian) => ian.general_names.as_slice(),
            _ => &[],
        });
    names.into_iter().find_map(|gn| match (name_type, gn) {
        ("SimpleName" | "EmailName", GeneralName::RFC822Name(s))
        | ("DnsName" | "DnsFromAlternativeName", GeneralName::DNSName(s))
        | ("UrlName", GeneralName::URI(s)) => Some((*s).to_owned()),
        ("UpnName", GeneralName::OtherName(oid, rest)) if oid.to_id_string() == OID_UPN => {
            other_name_text(rest)
        }
        _ => None,
    })
}

/// `X509Certificate2.GetNameInfo(nameType, forIssuer)`; `name_type` is one of
/// [`NAME_TYPES`]. Gives `""` when nothing matches, as .NET does.
///
/// - SimpleName: see [`simple_name`]; then the first RFC 822 alternative name.
/// - EmailName: the first RFC 822 alternative name, else the name's `E` attribute.
/// - UpnName: the first UPN `otherName` alternative name.
/// - DnsName: the first DNS alternative name, else the most specific CN.
/// - DnsFromAlternativeName: the first DNS alternative name.
/// - UrlName: the first URI alternative name.
pub(super) fn name_info(cert: &X509Certificate<'_>, name_type: &str, issuer: bool) -> String {
    let name = if issuer {
        cert.issuer()
    } else {
        cert.subject()
    };
    if name_type == "SimpleName"
        && let Some(s) = simple_name(name)
    {
        return s;
    }
    if let Some(s) = alt_name(cert, name_type, issuer) {
        return s;
    }
    let fallback = match name_type {
        "EmailName" => OID_EMAIL,
        "DnsName" => OID_CN,
        _ => return String::new(),
    };
    reverse_attrs(name)
        .into_iter()
        .find_map(|(oid, text)| (oid == fallback).then_some(text))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(der: &[u8]) -> X509Certificate<'_> {
        X509Certificate::from_der(der).unwrap().1
    }

    const RSA: &[u8] = include_bytes!("../../../tests/fixtures/certs/rsa.der");
    const EC: &[u8] = include_bytes!("../../../tests/fixtures/certs/ec.der");
    const V1: &[u8] = include_bytes!("../../../tests/fixtures/certs/v1.der");

    #[test]
    fn quoting_follows_cert_name_to_str() {
        assert_eq!(quote("John Doe"), "John Doe");
        assert_eq!(quote("Contoso, Inc."), "\"Contoso, Inc.\"");
        assert_eq!(quote(" x"), "\" x\"");
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote("a+b"), "\"a+b\"");
        assert_eq!(quote("O'Neil"), "\"O'Neil\"");
        assert_eq!(quote("say \"hi\""), "'say \"hi\"'");
        assert_eq!(quote("two  spaces"), "two  spaces");
    }

    #[test]
    fn names_most_specific_first() {
        let rsa = cert(RSA);
        assert_eq!(
            dotnet_name(rsa.subject()),
            "CN=John Doe, OU=Users, O=Contoso, C=US"
        );
        assert_eq!(
            dotnet_name(rsa.issuer()),
            "CN=Syncrules Test Root CA, O=\"Syncrules Test, Inc.\", C=US"
        );
        assert_eq!(most_specific_oid(rsa.subject()).as_deref(), Some("2.5.4.3"));
        let v1 = cert(V1);
        assert_eq!(dotnet_name(v1.subject()), "OU=Kiosks, O=Fabrikam, C=US");
        assert_eq!(most_specific_oid(v1.subject()).as_deref(), Some("2.5.4.11"));
    }

    #[test]
    fn name_info_kinds() {
        let rsa = cert(RSA);
        assert_eq!(name_info(&rsa, "SimpleName", false), "John Doe");
        assert_eq!(
            name_info(&rsa, "SimpleName", true),
            "Syncrules Test Root CA"
        );
        assert_eq!(name_info(&rsa, "EmailName", false), "john.doe@contoso.com");
        assert_eq!(name_info(&rsa, "UpnName", false), "john.doe@contoso.com");
        assert_eq!(
            name_info(&rsa, "UrlName", false),
            "https://contoso.com/users/john.doe"
        );
        assert_eq!(name_info(&rsa, "DnsName", false), "John Doe"); // falls back to CN
        assert_eq!(name_info(&rsa, "DnsFromAlternativeName", false), "");
        assert_eq!(name_info(&rsa, "EmailName", true), "");
        let ec = cert(EC);
        assert_eq!(name_info(&ec, "DnsName", false), "web.contoso.com");
        assert_eq!(
            name_info(&ec, "DnsFromAlternativeName", false),
            "web.contoso.com"
        );
        assert_eq!(name_info(&ec, "EmailName", false), "");
        assert_eq!(name_info(&ec, "UpnName", false), "");
        let v1 = cert(V1);
        assert_eq!(name_info(&v1, "SimpleName", false), "Kiosks");
        assert_eq!(name_info(&v1, "DnsName", false), "");
    }

    #[test]
    fn string_types_decode() {
        let bmp = [0x1e, 0x04, 0x00, 0x4a, 0x00, 0xe9];
        let (_, any) = Any::from_der(&bmp).unwrap();
        assert_eq!(any_text(&any).as_deref(), Some("Jé"));
        let t61 = [0x14, 0x02, 0x4a, 0xe9];
        let (_, any) = Any::from_der(&t61).unwrap();
        assert_eq!(any_text(&any).as_deref(), Some("Jé"));
        let univ = [0x1c, 0x04, 0x00, 0x01, 0xf6, 0x00];
        let (_, any) = Any::from_der(&univ).unwrap();
        assert_eq!(any_text(&any).as_deref(), Some("\u{1f600}"));
        let int = [0x02, 0x01, 0x05];
        let (_, any) = Any::from_der(&int).unwrap();
        assert_eq!(any_text(&any), None);
    }
}
