//! Attribute typing: which attributes hold binaries, numbers, Booleans or references.

use std::collections::HashMap;

use syncrules_lang::{Scalar, Schema, Value};

use super::LdifValue;

/// Active Directory attributes holding binary data (octet strings, SIDs, certificates).
const AD_BINARY: &[&str] = &[
    "objectGUID",
    "objectSid",
    "mS-DS-ConsistencyGuid",
    "userCertificate",
    "userSMIMECertificate",
    "thumbnailPhoto",
    "jpegPhoto",
    "msExchMailboxGuid",
    "msExchArchiveGUID",
    "msExchDisabledArchiveGUID",
    "msExchMasterAccountSid",
    "msExchBlockedSendersHash",
    "msExchSafeRecipientsHash",
    "msExchSafeSendersHash",
    "sIDHistory",
    "logonHours",
    "nTSecurityDescriptor",
    "tokenGroups",
    "msDS-GenerationId",
];

/// Active Directory attributes of Integer, Enumeration or Large Integer syntax.
const AD_NUMBER: &[&str] = &[
    "userAccountControl",
    "groupType",
    "pwdLastSet",
    "accountExpires",
    "lastLogon",
    "lastLogonTimestamp",
    "lastLogoff",
    "badPasswordTime",
    "badPwdCount",
    "logonCount",
    "lockoutTime",
    "primaryGroupID",
    "sAMAccountType",
    "instanceType",
    "systemFlags",
    "adminCount",
    "codePage",
    "countryCode",
    "uSNChanged",
    "uSNCreated",
    "msDS-SupportedEncryptionTypes",
    "msDS-User-Account-Control-Computed",
    "msExchRecipientTypeDetails",
    "msExchRecipientDisplayType",
    "msExchRemoteRecipientType",
    "msExchUserAccountControl",
    "msExchVersion",
    "msExchModerationFlags",
    "msExchGroupDepartRestriction",
    "msExchGroupJoinRestriction",
    "msExchELCMailboxFlags",
];

/// Active Directory attributes of Boolean syntax (`TRUE`/`FALSE`).
const AD_BOOLEAN: &[&str] = &[
    "isCriticalSystemObject",
    "showInAdvancedViewOnly",
    "isDeleted",
    "isRecycled",
    "msExchHideFromAddressLists",
    "msExchRequireAuthToSendTo",
    "msExchEnableModeration",
    "mAPIRecipient",
];

/// Active Directory attributes of DN syntax.
const AD_REFERENCE: &[&str] = &[
    "member",
    "memberOf",
    "manager",
    "managedBy",
    "directReports",
    "secretary",
    "assistant",
    "owner",
    "seeAlso",
    "distinguishedName",
    "objectCategory",
    "lastKnownParent",
    "altRecipient",
    "publicDelegates",
    "publicDelegatesBL",
    "authOrig",
    "unauthOrig",
    "dLMemSubmitPerms",
    "dLMemRejectPerms",
    "homeMDB",
    "msExchArchiveDatabaseLink",
    "msExchCoManagedByLink",
    "msExchModeratedByLink",
    "msExchBypassModerationLink",
];

/// The type of each known attribute; unknown attributes are strings. Names match ignoring
/// ASCII case and options (`userCertificate;binary` is `userCertificate`).
///
/// A value is converted by [`AttributeTyping::value`]: a binary attribute's bytes become
/// [`Value::Bin`]; a number's text [`Value::Num`]; a Boolean's `TRUE`/`FALSE` (any case)
/// [`Value::Bool`]; a reference's DN [`Value::Ref`]; anything else [`Value::Str`], except a
/// base64 value that is not UTF-8, which stays [`Value::Bin`]. Date attributes (a schema's
/// `dt`, such as `whenCreated`) stay strings like `20160426114009.0Z`, as the Sync Service
/// keeps them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeTyping {
    scalars: HashMap<String, Scalar>,
}

impl Default for AttributeTyping {
    /// [`AttributeTyping::active_directory`].
    fn default() -> Self {
        AttributeTyping::active_directory()
    }
}

impl AttributeTyping {
    /// No known attribute: everything is a string (or a binary when not UTF-8).
    pub fn untyped() -> Self {
        AttributeTyping {
            scalars: HashMap::new(),
        }
    }

    /// Active Directory's built-in attributes: objectGUID, objectSid, ... binary;
    /// userAccountControl, groupType, pwdLastSet, ... numbers; isCriticalSystemObject,
    /// showInAdvancedViewOnly, ... Booleans; member, manager, managedBy, ... references.
    pub fn active_directory() -> Self {
        let mut typing = AttributeTyping::untyped();
        let lists = [
            (AD_BINARY, Scalar::Bin),
            (AD_NUMBER, Scalar::Num),
            (AD_BOOLEAN, Scalar::Bool),
            (AD_REFERENCE, Scalar::Ref),
        ];
        for (names, scalar) in lists {
            for name in names {
                typing.set(name, scalar);
            }
        }
        typing
    }

    /// Active Directory's built-in types, then every attribute `schema` describes with the
    /// schema's type (the schema wins where both know an attribute).
    pub fn from_schema(schema: &Schema) -> Self {
        AttributeTyping::active_directory().with_schema(schema)
    }

    /// These types, then every attribute `schema` describes with the schema's type.
    pub fn with_schema(mut self, schema: &Schema) -> Self {
        for def in schema.attributes() {
            self.set(&def.name, def.scalar);
        }
        self
    }

    /// Sets one attribute's type.
    pub fn set(&mut self, name: &str, scalar: Scalar) {
        self.scalars.insert(name.to_ascii_lowercase(), scalar);
    }

    /// The attribute's type: [`Scalar::Str`] when unknown.
    pub fn scalar(&self, name: &str) -> Scalar {
        let base = name.split(';').next().unwrap_or(name);
        self.scalars
            .get(&base.to_ascii_lowercase())
            .copied()
            .unwrap_or(Scalar::Str)
    }

    /// One value of attribute `name` as a typed value; the error says why the text does not
    /// fit the attribute's type.
    pub fn value(&self, name: &str, raw: &LdifValue) -> Result<Value, TypingError> {
        let scalar = self.scalar(name);
        if scalar == Scalar::Bin {
            return Ok(Value::bin(raw.as_bytes()));
        }
        let Some(text) = raw.as_text() else {
            return match scalar {
                Scalar::Str | Scalar::Dt | Scalar::Bin => Ok(Value::bin(raw.as_bytes())),
                scalar => Err(TypingError::NotText {
                    name: name.to_owned(),
                    scalar,
                }),
            };
        };
        match scalar {
            Scalar::Num => {
                text.trim()
                    .parse::<i64>()
                    .map(Value::Num)
                    .map_err(|_| TypingError::NotAnInteger {
                        name: name.to_owned(),
                        text: text.to_owned(),
                    })
            }
            Scalar::Bool => match text.trim() {
                t if t.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
                t if t.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
                _ => Err(TypingError::NotABoolean {
                    name: name.to_owned(),
                    text: text.to_owned(),
                }),
            },
            Scalar::Ref => Ok(Value::reference(text)),
            Scalar::Str | Scalar::Dt | Scalar::Bin => Ok(Value::str(text)),
        }
    }
}

/// Why an LDIF value does not fit its attribute's type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TypingError {
    /// A value given as bytes for an attribute whose type needs text.
    #[error("`{name}` holds {} values, and this one is not text", describe(*.scalar))]
    NotText {
        /// The attribute.
        name: String,
        /// The attribute's type.
        scalar: Scalar,
    },
    /// Text that is not an integer, for an integer attribute.
    #[error("`{name}` holds integers, and `{text}` is not one")]
    NotAnInteger {
        /// The attribute.
        name: String,
        /// The value as written.
        text: String,
    },
    /// Text that is not `TRUE` or `FALSE`, for a Boolean attribute.
    #[error("`{name}` holds booleans (`TRUE` or `FALSE`), and `{text}` is not one")]
    NotABoolean {
        /// The attribute.
        name: String,
        /// The value as written.
        text: String,
    },
}

fn describe(scalar: Scalar) -> &'static str {
    match scalar {
        Scalar::Num => "integer",
        Scalar::Bool => "boolean",
        Scalar::Ref => "dn",
        Scalar::Dt => "date",
        Scalar::Bin => "binary",
        Scalar::Str => "string",
    }
}

#[cfg(test)]
mod tests {
    use syncrules_lang::schema::AttributeDef;

    use super::*;

    fn text(s: &str) -> LdifValue {
        LdifValue::Text(s.to_owned())
    }

    #[test]
    fn active_directory_types() {
        let t = AttributeTyping::default();
        assert_eq!(
            t.value("objectGUID", &LdifValue::Binary(vec![1, 2])),
            Ok(Value::bin([1, 2]))
        );
        assert_eq!(
            t.value("userAccountControl", &text("512")),
            Ok(Value::Num(512))
        );
        assert_eq!(
            t.value("groupType", &text("-2147483646")),
            Ok(Value::Num(-2_147_483_646))
        );
        assert_eq!(
            t.value("accountExpires", &text("9223372036854775807")),
            Ok(Value::Num(i64::MAX))
        );
        assert_eq!(
            t.value("isCriticalSystemObject", &text("TRUE")),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            t.value("showInAdvancedViewOnly", &text("false")),
            Ok(Value::Bool(false))
        );
        assert_eq!(
            t.value("MANAGER", &text("CN=a,DC=b")),
            Ok(Value::reference("CN=a,DC=b"))
        );
        assert_eq!(t.value("mail", &text("a@b")), Ok(Value::from("a@b")));
        assert_eq!(
            t.value("userCertificate;binary", &text("x")),
            Ok(Value::bin(b"x"))
        );
    }

    #[test]
    fn base64_text_is_a_string_and_base64_bytes_a_binary() {
        let t = AttributeTyping::default();
        let utf8 = LdifValue::Binary("São Paulo".as_bytes().to_vec());
        assert_eq!(t.value("l", &utf8), Ok(Value::from("São Paulo")));
        let bytes = LdifValue::Binary(vec![0xff, 0x00]);
        assert_eq!(t.value("l", &bytes), Ok(Value::bin([0xff, 0])));
        assert!(t.value("userAccountControl", &bytes).is_err());
    }

    #[test]
    fn bad_values_say_why() {
        let t = AttributeTyping::default();
        assert_eq!(
            t.value("userAccountControl", &text("abc"))
                .map_err(|e| e.to_string()),
            Err("`userAccountControl` holds integers, and `abc` is not one".to_owned())
        );
        assert!(
            t.value("isCriticalSystemObject", &text("yes"))
                .unwrap_err()
                .to_string()
                .contains("booleans")
        );
        assert_eq!(
            t.value("userAccountControl", &LdifValue::Binary(vec![0xff]))
                .map_err(|e| e.to_string()),
            Err("`userAccountControl` holds integer values, and this one is not text".to_owned())
        );
    }

    #[test]
    fn a_schema_drives_the_types() {
        let mut schema = Schema::new();
        schema.add_attribute(AttributeDef::new("extensionAttribute1", Scalar::Num, false));
        schema.add_attribute(AttributeDef::new("groupType", Scalar::Str, false));
        let t = AttributeTyping::from_schema(&schema);
        assert_eq!(t.scalar("extensionattribute1"), Scalar::Num);
        assert_eq!(t.scalar("groupType"), Scalar::Str);
        assert_eq!(t.scalar("objectGUID"), Scalar::Bin);
        let only = AttributeTyping::untyped().with_schema(&schema);
        assert_eq!(only.scalar("objectGUID"), Scalar::Str);
        assert_eq!(
            only.value("whenCreated", &text("20160426114009.0Z")),
            Ok(Value::from("20160426114009.0Z"))
        );
    }
}
