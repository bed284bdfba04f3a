//! From a content record to an import entry: typed attributes, object type and anchor.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use syncrules_connector::{Change, ImportEntry};
use syncrules_lang::Value;
use syncrules_lang::name::AttrMap;
use syncrules_lang::name::Name;

use super::{Attr, AttributeTyping, LdifRecord, RecordError, RecordKind};

/// The import entry of a content record ([`Change::Present`]) or of a `changetype: add`
/// record ([`Change::Add`]).
///
/// - object type: the last value of `objectClass` (Active Directory lists the classes from
///   `top` to the most specific, `top, person, organizationalPerson, user`);
/// - anchor: `objectGUID` as base64 when present, else `entryUUID`, else none;
/// - attributes: typed by `typing`, values of one attribute gathered (its name spelt as on
///   its first line), one value as itself and several as [`Value::Multi`].
///
/// Other change records need the object's current state: see
/// [`Snapshot::apply`](super::Snapshot::apply).
pub fn entry_from_record(
    record: &LdifRecord,
    typing: &AttributeTyping,
) -> Result<ImportEntry, RecordError> {
    let (change, attrs) = match &record.kind {
        RecordKind::Content(attrs) => (Change::Present, attrs),
        RecordKind::Add(attrs) => (Change::Add, attrs),
        other => {
            return Err(RecordError::new(
                record.line,
                format!(
                    "a `{}` record changes an existing object and has no entry of its own",
                    other.name()
                ),
            ));
        }
    };
    let attributes = typed_attributes(attrs, typing)?;
    let Some(object_type) = object_type(&attributes) else {
        return Err(RecordError::new(
            record.line,
            format!("the record `{}` has no `objectClass`", record.dn),
        ));
    };
    Ok(ImportEntry {
        value_changes: Vec::new(),
        change,
        dn: RecordError::dn(record.line, &record.dn)?,
        old_dn: None,
        anchor: anchor(&attributes),
        object_type,
        attributes,
    })
}

/// The most specific object class: the last value of `objectClass` (any case).
pub fn object_type(attributes: &AttrMap) -> Option<String> {
    let (_, classes) = get_ignore_case(attributes, "objectClass")?;
    classes.values().last().map(ToString::to_string)
}

/// `objectGUID` as base64, else `entryUUID`, else `None`.
pub(crate) fn anchor(attributes: &AttrMap) -> Option<String> {
    if let Some((_, guid)) = get_ignore_case(attributes, "objectGUID") {
        return match guid.values().first()? {
            Value::Bin(bytes) => Some(BASE64.encode(bytes)),
            Value::Str(text) => Some(BASE64.encode(text.as_bytes())),
            other => Some(other.to_string()),
        };
    }
    let (_, uuid) = get_ignore_case(attributes, "entryUUID")?;
    uuid.values().first().map(ToString::to_string)
}

/// The attribute named `name` ignoring ASCII case, with its name as stored.
pub(crate) fn get_ignore_case<'a>(
    attributes: &'a AttrMap,
    name: &str,
) -> Option<(&'a Name, &'a Value)> {
    let held = syncrules_lang::name::held_name(attributes, name)?;
    attributes.get_key_value(held.as_str())
}

/// Typed values of each attribute: one value as itself, several as [`Value::Multi`].
pub(crate) fn typed_attributes(
    attrs: &[Attr],
    typing: &AttributeTyping,
) -> Result<AttrMap, RecordError> {
    // An entry has a few dozen attributes, and a multi-valued one's lines follow each
    // other: the last attribute, then a scan, find a name's place without a lowercase copy
    // of every line's name.
    let mut gathered: Vec<(Name, Vec<Value>)> = Vec::new();
    for attr in attrs {
        let value = typing
            .value(&attr.name, &attr.value)
            .map_err(|e| RecordError::new(attr.line, e.to_string()))?;
        let same = |(n, _): &(Name, Vec<Value>)| n.eq_ignore_ascii_case(&attr.name);
        let at = match gathered.last() {
            Some(last) if same(last) => Some(gathered.len() - 1),
            _ => gathered.iter().position(same),
        };
        match at.and_then(|i| gathered.get_mut(i)) {
            Some((_, values)) => values.push(value),
            None => gathered.push((Name::new(&attr.name), vec![value])),
        }
    }
    Ok(gathered
        .into_iter()
        .map(|(name, values)| (name, from_values(values)))
        .collect())
}

/// One value as itself, several as [`Value::Multi`], none as [`Value::Null`].
pub(crate) fn from_values(mut values: Vec<Value>) -> Value {
    if values.len() == 1 {
        values.pop().unwrap_or(Value::Null)
    } else {
        Value::multi(values)
    }
}

#[cfg(test)]
mod tests {
    use super::super::LdifValue;
    use super::*;

    fn record(kind: RecordKind) -> LdifRecord {
        LdifRecord {
            dn: "CN=Jane Doe,OU=Users,DC=contoso,DC=com".to_owned(),
            line: 3,
            kind,
        }
    }

    fn user_attrs() -> Vec<Attr> {
        vec![
            Attr::new("objectClass", "top"),
            Attr::new("objectClass", "person"),
            Attr::new("cn", "Jane Doe"),
            Attr::new("objectClass", "organizationalPerson"),
            Attr::new("objectclass", "user"),
            Attr::binary("objectGUID", vec![0xab; 16]),
            Attr::new("userAccountControl", "512"),
            Attr::new("proxyAddresses", "SMTP:jane@contoso.com"),
            Attr::new("proxyAddresses", "smtp:jd@contoso.com"),
            Attr::new("manager", "CN=Boss,DC=contoso,DC=com"),
        ]
    }

    #[test]
    fn content_records_map_to_present_entries() {
        let entry = entry_from_record(
            &record(RecordKind::Content(user_attrs())),
            &AttributeTyping::default(),
        )
        .unwrap();
        assert_eq!(entry.change, Change::Present);
        assert_eq!(entry.object_type, "user");
        assert_eq!(entry.anchor.as_deref(), Some("q6urq6urq6urq6urq6urqw=="));
        assert_eq!(
            entry.attributes.keys().collect::<Vec<_>>(),
            [
                "objectClass",
                "cn",
                "objectGUID",
                "userAccountControl",
                "proxyAddresses",
                "manager"
            ]
        );
        assert_eq!(entry.attributes["userAccountControl"], Value::Num(512));
        assert_eq!(
            entry.attributes["proxyAddresses"],
            Value::multi(vec![
                Value::from("SMTP:jane@contoso.com"),
                Value::from("smtp:jd@contoso.com")
            ])
        );
        assert_eq!(
            entry.attributes["manager"],
            Value::reference("CN=Boss,DC=contoso,DC=com")
        );
    }

    #[test]
    fn add_records_are_adds_and_entry_uuid_is_the_fallback_anchor() {
        let attrs = vec![
            Attr::new("objectClass", "inetOrgPerson"),
            Attr::new("entryUUID", "5e8b0f0c-1c2d-4e3f-9a0b-1c2d3e4f5a6b"),
        ];
        let entry = entry_from_record(&record(RecordKind::Add(attrs)), &AttributeTyping::default())
            .unwrap();
        assert_eq!(entry.change, Change::Add);
        assert_eq!(
            entry.anchor.as_deref(),
            Some("5e8b0f0c-1c2d-4e3f-9a0b-1c2d3e4f5a6b")
        );
        let plain = vec![Attr::new("objectClass", "person")];
        let entry = entry_from_record(
            &record(RecordKind::Content(plain)),
            &AttributeTyping::default(),
        )
        .unwrap();
        assert_eq!(entry.anchor, None);
    }

    #[test]
    fn errors_are_located() {
        let typing = AttributeTyping::default();
        let mut attrs = user_attrs();
        attrs.push(Attr {
            name: "pwdLastSet".to_owned(),
            value: LdifValue::Text("never".to_owned()),
            line: 17,
        });
        let err = entry_from_record(&record(RecordKind::Content(attrs)), &typing).unwrap_err();
        assert_eq!(err.line, 17);
        assert!(err.message.contains("`never` is not one"));
        let err = entry_from_record(
            &record(RecordKind::Content(vec![Attr::new("cn", "x")])),
            &typing,
        )
        .unwrap_err();
        assert_eq!(
            err,
            RecordError::new(
                3,
                "the record `CN=Jane Doe,OU=Users,DC=contoso,DC=com` has no `objectClass`"
            )
        );
        assert!(entry_from_record(&record(RecordKind::Delete), &typing).is_err());
    }
}
