//! What `syncrules gen --forests N` made overlap on purpose, so tests can assert against the
//! generator's intent: the types, and their JSON (`forests.json`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};

use super::{guid_string, sid_string};
use crate::ldif::{Attr, LdifValue};

/// One generated object as tests look it up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRef {
    /// The DNS name of its forest's domain.
    pub domain: String,
    /// Its DN.
    pub dn: String,
    /// Its `objectGUID`; base64 of it is its connector-space anchor.
    pub object_guid: [u8; 16],
    /// Its `objectSid`, binary.
    pub object_sid: Vec<u8>,
    /// Its `sAMAccountName`.
    pub sam_account_name: String,
    /// Its `userPrincipalName`, if any.
    pub user_principal_name: Option<String>,
    /// Its `mail`, if any.
    pub mail: Option<String>,
}

impl ObjectRef {
    /// Reads the object's identifiers from its attributes; `None` without an `objectGUID` of
    /// 16 bytes.
    pub(super) fn from_attrs(domain: &str, dn: &str, attrs: &[Attr]) -> Option<ObjectRef> {
        let object_guid = first(attrs, "objectGUID")?.as_bytes().try_into().ok()?;
        let text = |name: &str| {
            first(attrs, name)
                .and_then(LdifValue::as_text)
                .map(str::to_owned)
        };
        Some(ObjectRef {
            domain: domain.to_owned(),
            dn: dn.to_owned(),
            object_guid,
            object_sid: first(attrs, "objectSid")
                .map(|v| v.as_bytes().to_vec())
                .unwrap_or_default(),
            sam_account_name: text("sAMAccountName").unwrap_or_default(),
            user_principal_name: text("userPrincipalName"),
            mail: text("mail"),
        })
    }

    /// Base64 of the `objectGUID`: the object's anchor in its connector space, and the
    /// source anchor (Entra's ImmutableId) of a person first seen through it.
    pub fn anchor(&self) -> String {
        BASE64.encode(self.object_guid)
    }

    /// The JSON form: `domain`, `dn`, `anchor`, `objectGUID` (text, as AD shows it),
    /// `objectSid` (text), `sAMAccountName`, `userPrincipalName` and `mail` (null when
    /// absent).
    pub fn to_json(&self) -> Value {
        json!({
            "domain": self.domain,
            "dn": self.dn,
            "anchor": self.anchor(),
            "objectGUID": guid_string(&self.object_guid),
            "objectSid": sid_string(&self.object_sid),
            "sAMAccountName": self.sam_account_name,
            "userPrincipalName": self.user_principal_name,
            "mail": self.mail,
        })
    }
}

/// The first value of `name` (any case) in `attrs`.
pub(super) fn first<'a>(attrs: &'a [Attr], name: &str) -> Option<&'a LdifValue> {
    attrs
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
        .map(|a| &a.value)
}

/// A user who moved from forest 1 to forest 2: in forest 1's base file and deleted by its
/// delta file; added by forest 2's delta file with `mS-DS-ConsistencyGuid` set to the
/// forest-1 `objectGUID` and `sIDHistory` to the forest-1 `objectSid`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migration {
    /// The account in forest 1.
    pub from: ObjectRef,
    /// The account in forest 2.
    pub to: ObjectRef,
}

/// An enabled forest-1 account without a mailbox and its disabled forest-2 shadow holding
/// its linked mailbox (`msExchRecipientTypeDetails: 2`, `msExchMasterAccountSid` = the
/// account's `objectSid`), both in the base files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountResource {
    /// The enabled account in forest 1.
    pub account: ObjectRef,
    /// The disabled account with the mailbox in forest 2.
    pub resource: ObjectRef,
}

/// The same person created independently in both forests: same names, `userPrincipalName`,
/// `mail`, `proxyAddresses`, `sAMAccountName`, `mailNickname` and `employeeID`; other
/// `objectGUID` and `objectSid`, nothing linking them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// The forest-1 account.
    pub first: ObjectRef,
    /// The forest-2 account.
    pub second: ObjectRef,
}

/// A forest-1 user in a forest-2 group, through a foreign security principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignMember {
    /// The forest-1 user.
    pub user: ObjectRef,
    /// The DN of its foreign security principal in forest 2, the group's `member` value.
    pub foreign_security_principal: String,
}

/// A forest-2 domain-local security group holding forest-1 users.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrossForestGroup {
    /// The group.
    pub group: ObjectRef,
    /// Its forest-1 members.
    pub foreign_members: Vec<ForeignMember>,
    /// Its forest-2 members' DNs.
    pub local_members: Vec<String>,
}

/// Every overlap generated between forest 1 and forest 2.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overlaps {
    /// Users moved from forest 1 to forest 2.
    pub migrated: Vec<Migration>,
    /// Account and resource (linked mailbox) pairs.
    pub account_resource: Vec<AccountResource>,
    /// The same person in both forests, unlinked.
    pub duplicates: Vec<Duplicate>,
    /// Forest-2 groups with forest-1 members.
    pub cross_forest_groups: Vec<CrossForestGroup>,
}

impl Overlaps {
    /// The JSON form: `migrated` (`from`, `to`, `source_anchor`), `account_resource`
    /// (`account`, `resource`), `duplicates` (`first`, `second`) and `cross_forest_groups`
    /// (`group`, `foreign_members` of `user` and `foreign_security_principal`,
    /// `local_members`), objects as [`ObjectRef::to_json`].
    pub fn to_json(&self) -> Value {
        let migrated: Vec<Value> = self
            .migrated
            .iter()
            .map(|m| {
                json!({
                    "from": m.from.to_json(),
                    "to": m.to.to_json(),
                    "source_anchor": m.from.anchor(),
                })
            })
            .collect();
        let pairs: Vec<Value> = self
            .account_resource
            .iter()
            .map(|p| json!({"account": p.account.to_json(), "resource": p.resource.to_json()}))
            .collect();
        let duplicates: Vec<Value> = self
            .duplicates
            .iter()
            .map(|d| json!({"first": d.first.to_json(), "second": d.second.to_json()}))
            .collect();
        let groups: Vec<Value> = self
            .cross_forest_groups
            .iter()
            .map(|g| {
                let members: Vec<Value> = g
                    .foreign_members
                    .iter()
                    .map(|m| {
                        json!({
                            "user": m.user.to_json(),
                            "foreign_security_principal": m.foreign_security_principal,
                        })
                    })
                    .collect();
                json!({
                    "group": g.group.to_json(),
                    "foreign_members": members,
                    "local_members": g.local_members,
                })
            })
            .collect();
        json!({
            "migrated": migrated,
            "account_resource": pairs,
            "duplicates": duplicates,
            "cross_forest_groups": groups,
        })
    }
}
