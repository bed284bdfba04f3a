//! The Certificate group's registry entries: signatures, docs and examples.

use super::names::NAME_TYPES;
use super::{
    cert_extension_oids, cert_format, cert_friendly_name, cert_hash_string, cert_issuer,
    cert_issuer_dn, cert_issuer_oid, cert_key_algorithm, cert_key_algorithm_params, cert_name_info,
    cert_not_after, cert_not_before, cert_public_key_oid, cert_public_key_parameters_oid,
    cert_serial_number, cert_signature_algorithm_oid, cert_subject, cert_subject_name_dn,
    cert_subject_name_oid, cert_thumbprint, cert_version, is_cert,
};
use crate::functions::{Builtin, Group, Impl, Param, Ret, Sig};
use crate::types::Ty;

const ON_BIN: &[Param] = &[Param::Ty(Ty::BIN)];
const ON_STR: &[Param] = &[Param::Ty(Ty::STR)];
const TO_STR: &[Sig] = &[
    Sig::new(ON_BIN, Ret::Ty(Ty::STR)),
    Sig::new(ON_STR, Ret::Ty(Ty::STR)),
];
const TO_MVSTR: &[Sig] = &[
    Sig::new(ON_BIN, Ret::Ty(Ty::MVSTR)),
    Sig::new(ON_STR, Ret::Ty(Ty::MVSTR)),
];
const TO_DT: &[Sig] = &[
    Sig::new(ON_BIN, Ret::Ty(Ty::DT)),
    Sig::new(ON_STR, Ret::Ty(Ty::DT)),
];
const TO_NUM: &[Sig] = &[
    Sig::new(ON_BIN, Ret::Ty(Ty::NUM)),
    Sig::new(ON_STR, Ret::Ty(Ty::NUM)),
];
const TO_BOOL: &[Sig] = &[
    Sig::new(ON_BIN, Ret::Ty(Ty::BOOL)),
    Sig::new(ON_STR, Ret::Ty(Ty::BOOL)),
];
const NAME_INFO: &[Sig] = &[
    Sig::new(
        &[
            Param::Ty(Ty::BIN),
            Param::Enum(NAME_TYPES),
            Param::Ty(Ty::BOOL),
        ],
        Ret::Ty(Ty::STR),
    ),
    Sig::new(
        &[Param::Ty(Ty::BIN), Param::Ty(Ty::STR), Param::Ty(Ty::BOOL)],
        Ret::Ty(Ty::STR),
    ),
    Sig::new(
        &[
            Param::Ty(Ty::STR),
            Param::Enum(NAME_TYPES),
            Param::Ty(Ty::BOOL),
        ],
        Ret::Ty(Ty::STR),
    ),
    Sig::new(
        &[Param::Ty(Ty::STR), Param::Ty(Ty::STR), Param::Ty(Ty::BOOL)],
        Ret::Ty(Ty::STR),
    ),
];

/// A certificate function: group Certificate, maps over a multi-valued certificate, pure.
const fn cert_fn(
    name: &'static str,
    sigs: &'static [Sig],
    imp: Impl,
    doc: &'static str,
    example: &'static str,
) -> Builtin {
    Builtin {
        name,
        group: Group::Certificate,
        sigs,
        maps: true,
        pure: true,
        imp: Some(imp),
        doc,
        example,
    }
}

/// The Certificate group.
pub(in crate::functions) const BUILTINS: &[Builtin] = &[
    cert_fn(
        "CertExtensionOids",
        TO_MVSTR,
        cert_extension_oids,
        "The OIDs of the certificate's critical extensions.",
        "CertExtensionOids([userCertificate])",
    ),
    cert_fn(
        "CertFormat",
        TO_STR,
        cert_format,
        "The name of the certificate's format: always \"X509\".",
        "CertFormat([userCertificate])",
    ),
    cert_fn(
        "CertFriendlyName",
        TO_STR,
        cert_friendly_name,
        "The certificate's alias: always \"\" for certificate data, which carries none.",
        "CertFriendlyName([userCertificate])",
    ),
    cert_fn(
        "CertHashString",
        TO_STR,
        cert_hash_string,
        "The SHA-1 hash of the certificate as uppercase hexadecimal.",
        "CertHashString([userCertificate])",
    ),
    cert_fn(
        "CertIssuer",
        TO_STR,
        cert_issuer,
        "The name of the authority that issued the certificate (`CN=..., O=..., C=...`).",
        "CertIssuer([userCertificate])",
    ),
    cert_fn(
        "CertIssuerDN",
        TO_STR,
        cert_issuer_dn,
        "The distinguished name of the certificate's issuer (`CN=..., O=..., C=...`).",
        "CertIssuerDN([userCertificate])",
    ),
    cert_fn(
        "CertIssuerOid",
        TO_STR,
        cert_issuer_oid,
        "The OID of the issuer name's most specific attribute (`2.5.4.3` for CN).",
        "CertIssuerOid([userCertificate])",
    ),
    cert_fn(
        "CertKeyAlgorithm",
        TO_STR,
        cert_key_algorithm,
        "The OID of the public key algorithm (`1.2.840.113549.1.1.1` for RSA).",
        "CertKeyAlgorithm([userCertificate])",
    ),
    cert_fn(
        "CertKeyAlgorithmParams",
        TO_STR,
        cert_key_algorithm_params,
        "The public key algorithm's parameters as hexadecimal DER (`0500` for RSA).",
        "CertKeyAlgorithmParams([userCertificate])",
    ),
    cert_fn(
        "CertNameInfo",
        NAME_INFO,
        cert_name_info,
        "A subject (or issuer) name of the given X509NameType, as .NET's GetNameInfo.",
        r#"CertNameInfo([userCertificate],"SimpleName",False)"#,
    ),
    cert_fn(
        "CertNotAfter",
        TO_DT,
        cert_not_after,
        "The date and time (UTC) after which the certificate is no longer valid.",
        "CertNotAfter([userCertificate])",
    ),
    cert_fn(
        "CertNotBefore",
        TO_DT,
        cert_not_before,
        "The date and time (UTC) from which the certificate is valid.",
        "CertNotBefore([userCertificate])",
    ),
    cert_fn(
        "CertPublicKeyOid",
        TO_STR,
        cert_public_key_oid,
        "The OID of the certificate's public key algorithm.",
        "CertPublicKeyOid([userCertificate])",
    ),
    cert_fn(
        "CertPublicKeyParametersOid",
        TO_STR,
        cert_public_key_parameters_oid,
        "The OID held by the public key parameters (an EC key's curve); null when there is none.",
        "CertPublicKeyParametersOid([userCertificate])",
    ),
    cert_fn(
        "CertSerialNumber",
        TO_STR,
        cert_serial_number,
        "The certificate's serial number as uppercase hexadecimal, big-endian.",
        "CertSerialNumber([userCertificate])",
    ),
    cert_fn(
        "CertSignatureAlgorithmOid",
        TO_STR,
        cert_signature_algorithm_oid,
        "The OID of the algorithm that signed the certificate.",
        "CertSignatureAlgorithmOid([userCertificate])",
    ),
    cert_fn(
        "CertSubject",
        TO_STR,
        cert_subject,
        "The certificate's subject distinguished name (`CN=..., O=..., C=...`).",
        "CertSubject([userCertificate])",
    ),
    cert_fn(
        "CertSubjectNameDN",
        TO_STR,
        cert_subject_name_dn,
        "The certificate's subject distinguished name (`CN=..., O=..., C=...`).",
        "CertSubjectNameDN([userCertificate])",
    ),
    cert_fn(
        "CertSubjectNameOid",
        TO_STR,
        cert_subject_name_oid,
        "The OID of the subject name's most specific attribute (`2.5.4.3` for CN).",
        "CertSubjectNameOid([userCertificate])",
    ),
    cert_fn(
        "CertThumbprint",
        TO_STR,
        cert_thumbprint,
        "The certificate's thumbprint: its SHA-1 hash as uppercase hexadecimal.",
        "CertThumbprint([userCertificate])",
    ),
    cert_fn(
        "CertVersion",
        TO_NUM,
        cert_version,
        "The certificate's X.509 format version (3 for v3).",
        "CertVersion([userCertificate])",
    ),
    cert_fn(
        "IsCert",
        TO_BOOL,
        is_cert,
        "True when the data is an X.509 certificate (DER, or Base64 with or without PEM armour).",
        "IsCert([userCertificate])",
    ),
];
