//! The overlaps between forest 1 and forest 2: forest-1 employees picked at random (never
//! the first one, whose replication conflict victim shares its name, nor a disabled one or
//! one without a UPN), then their forest-2 counterparts appended to forest 2's records.

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use syncrules_lang::dn::DnKey;

use super::forests::{ForestsError, ForestsSpec};
use super::manifest::{AccountResource, Duplicate, Migration, ObjectRef, Overlaps, first};
use super::names::{SITES, Site};
use super::people::{NEVER, SAM_USER_OBJECT, USER_CLASSES};
use super::{Generator, TENANT_DOMAIN, filetime, guid_string, sid_bytes};
use crate::ldif::{Attr, LdifRecord, ModOp, Modification, RecordKind};

/// Mixed into the seed for picking the overlapping users.
const OVERLAP_SALT: u64 = 0x6f76_6572_6c61_7073;

/// The mailbox attributes an account of an account-resource pair loses in forest 1.
const MAILBOX: &[&str] = &[
    "mail",
    "mailNickname",
    "proxyAddresses",
    "targetAddress",
    "msExchRecipientTypeDetails",
    "msExchRecipientDisplayType",
];

/// What a forest-2 copy of a forest-1 user gets anew instead of copying.
const OWN: &[&str] = &[
    "objectClass",
    "instanceType",
    "whenCreated",
    "objectGUID",
    "objectCategory",
    "objectSid",
    "cn",
    "manager",
    "company",
    "pwdLastSet",
];

/// The two forests' records while the overlaps are added.
pub(super) struct Build<'a> {
    pub spec: &'a ForestsSpec,
    pub one: &'a Generator,
    pub one_base: &'a mut Vec<LdifRecord>,
    pub one_delta: &'a mut Vec<LdifRecord>,
    pub two: &'a mut Generator,
    pub two_base: &'a mut Vec<LdifRecord>,
    pub two_delta: &'a mut Vec<LdifRecord>,
}

/// A forest-1 employee fit for an overlap: its record's index, site, and whether it has a
/// mailbox.
#[derive(Clone, Copy, Debug)]
pub(super) struct Candidate {
    pub(super) index: usize,
    site: &'static Site,
    mail: bool,
}

impl Build<'_> {
    /// Picks the users, adds the records; the overlaps made.
    pub(super) fn run(&mut self) -> Result<Overlaps, ForestsError> {
        let spec = self.spec;
        let mut pool = self.candidates();
        let wanted = spec.migrated + spec.account_resource + spec.duplicates;
        let wanted = wanted + spec.cross_forest_members;
        if pool.len() < wanted {
            return Err(ForestsError::NotEnoughUsers {
                wanted,
                available: pool.len(),
                what: "",
            });
        }
        let with_mail = pool.iter().filter(|c| c.mail).count();
        if with_mail < spec.duplicates {
            return Err(ForestsError::NotEnoughUsers {
                wanted: spec.duplicates,
                available: with_mail,
                what: " and a mailbox",
            });
        }
        let mut rng = StdRng::seed_from_u64(spec.seed ^ OVERLAP_SALT);
        pool.shuffle(&mut rng);
        let duplicates = take(&mut pool, spec.duplicates, |c| c.mail);
        let migrated = take(&mut pool, spec.migrated, |_| true);
        let accounts = take(&mut pool, spec.account_resource, |_| true);
        let members = take(&mut pool, spec.cross_forest_members, |_| true);
        let mut overlaps = Overlaps {
            duplicates: duplicates
                .iter()
                .filter_map(|c| self.duplicate(c))
                .collect(),
            account_resource: accounts.iter().filter_map(|c| self.shadow(c)).collect(),
            migrated: migrated.iter().filter_map(|c| self.migrate(c)).collect(),
            cross_forest_groups: Vec::new(),
        };
        self.leave(&overlaps.migrated);
        overlaps
            .cross_forest_groups
            .extend(self.cross_forest_group(&members));
        Ok(overlaps)
    }

    /// Forest 1's generated employees fit for an overlap, in file order.
    fn candidates(&self) -> Vec<Candidate> {
        let employees = format!(",OU=Employees,OU=Corp,{}", self.one.dn);
        let sites: Vec<(String, &'static Site)> = SITES
            .iter()
            .map(|s| (format!(",{}", self.one.site_dn(s)), s))
            .collect();
        let mut seen_first = false;
        let mut pool = Vec::new();
        for (index, record) in self.one_base.iter().enumerate() {
            let RecordKind::Content(attrs) = &record.kind else {
                continue;
            };
            let is_user = attrs.iter().any(|a| {
                a.name.eq_ignore_ascii_case("objectClass") && a.value.as_text() == Some("user")
            });
            if !is_user || !record.dn.ends_with(&employees) {
                continue;
            }
            if !std::mem::replace(&mut seen_first, true) {
                continue;
            }
            let text = |name| first(attrs, name).and_then(|v| v.as_text());
            let enabled = text("userAccountControl")
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|uac| uac & 2 == 0);
            let fit = enabled
                && text("userPrincipalName").is_some()
                && text("cn").is_some()
                && text("sAMAccountName").is_some_and(|s| !s.starts_with('$'))
                && ObjectRef::from_attrs("", "", attrs).is_some();
            let site = sites
                .iter()
                .find(|(suffix, _)| record.dn.ends_with(suffix.as_str()))
                .map(|(_, site)| *site);
            if let (true, Some(site)) = (fit, site) {
                pool.push(Candidate {
                    index,
                    site,
                    mail: text("mail").is_some(),
                });
            }
        }
        pool
    }

    /// The forest-1 record's DN and attributes.
    fn one_record(&self, index: usize) -> Option<(&str, &[Attr])> {
        match self.one_base.get(index) {
            Some(LdifRecord {
                dn,
                kind: RecordKind::Content(attrs),
                ..
            }) => Some((dn, attrs)),
            _ => None,
        }
    }

    pub(super) fn one_ref(&self, index: usize) -> Option<ObjectRef> {
        let (dn, attrs) = self.one_record(index)?;
        ObjectRef::from_attrs(self.one.forest.fqdn, dn, attrs)
    }

    /// A forest-2 user copying the forest-1 one in the same site OU: its own GUID, SID,
    /// `whenCreated`, `pwdLastSet` and company, no manager; its DN and attributes.
    fn copy(&mut self, c: &Candidate) -> Option<(String, Vec<Attr>)> {
        let (_, one) = self.one_record(c.index)?;
        let one = one.to_vec();
        let cn = first(&one, "cn")?.as_text()?.to_owned();
        let ou = self.two.site_dn(c.site);
        let (cn, dn) = self.two.free_cn(&cn, &ou);
        let (mut attrs, _) = self.two.base_with_guid(USER_CLASSES, "Person", 4);
        attrs.push(Attr::new("cn", cn));
        let own = |a: &Attr| OWN.iter().any(|n| a.name.eq_ignore_ascii_case(n));
        attrs.extend(one.into_iter().filter(|a| !own(a)));
        let rid = self.two.next_rid();
        let sid = sid_bytes(self.two.domain, Some(rid));
        attrs.push(Attr::binary("objectSid", sid));
        attrs.push(Attr::new("company", self.two.forest.company));
        let set = self.two.rng.gen_range(1_672_531_200..1_748_736_000);
        attrs.push(Attr::new("pwdLastSet", filetime(set).to_string()));
        Some((dn, attrs))
    }

    /// The same person created again in forest 2, in its base file.
    fn duplicate(&mut self, c: &Candidate) -> Option<Duplicate> {
        let first = self.one_ref(c.index)?;
        let (dn, attrs) = self.copy(c)?;
        let second = ObjectRef::from_attrs(self.two.forest.fqdn, &dn, &attrs)?;
        self.two_base.push(LdifRecord::content(dn, attrs));
        Some(Duplicate { first, second })
    }

    /// The user as forest 2's delta file adds it: `mS-DS-ConsistencyGuid` = its forest-1
    /// anchor, `sIDHistory` = its forest-1 SID, a UPN in forest 2's domain.
    fn migrate(&mut self, c: &Candidate) -> Option<Migration> {
        let from = self.one_ref(c.index)?;
        let (_, one) = self.one_record(c.index)?;
        let anchor = first(one, "mS-DS-ConsistencyGuid")
            .map_or_else(|| from.object_guid.to_vec(), |v| v.as_bytes().to_vec());
        let (dn, mut attrs) = self.copy(c)?;
        let local = from.user_principal_name.as_deref()?.split('@').next()?;
        let upn = format!("{local}@{}", self.two.forest.fqdn);
        attrs.retain(|a| {
            !["userPrincipalName", "mS-DS-ConsistencyGuid", "sIDHistory"]
                .iter()
                .any(|n| a.name.eq_ignore_ascii_case(n))
        });
        attrs.push(Attr::new("userPrincipalName", upn));
        attrs.push(Attr::binary("mS-DS-ConsistencyGuid", anchor));
        attrs.push(Attr::binary("sIDHistory", from.object_sid.clone()));
        let to = ObjectRef::from_attrs(self.two.forest.fqdn, &dn, &attrs)?;
        self.two_delta.push(LdifRecord {
            dn,
            line: 0,
            kind: RecordKind::Add(attrs),
        });
        Some(Migration { from, to })
    }

    /// Forest 1's delta file: the migrated users leave their groups and stop being anyone's
    /// manager (as Active Directory cleans up links to a deleted object), then are deleted.
    fn leave(&mut self, migrated: &[Migration]) {
        let gone: HashSet<DnKey> = migrated.iter().map(|m| DnKey::new(&m.from.dn)).collect();
        if gone.is_empty() {
            return;
        }
        for record in self.one_base.iter() {
            let RecordKind::Content(attrs) = &record.kind else {
                continue;
            };
            let mods: Vec<Modification> = ["member", "manager"]
                .into_iter()
                .filter_map(|name| {
                    let values: Vec<Attr> = attrs
                        .iter()
                        .filter(|a| a.name.eq_ignore_ascii_case(name))
                        .filter(|a| {
                            a.value
                                .as_text()
                                .is_some_and(|dn| gone.contains(&DnKey::new(dn)))
                        })
                        .cloned()
                        .collect();
                    (!values.is_empty()).then(|| Modification {
                        op: ModOp::Delete,
                        attribute: name.to_owned(),
                        values,
                        line: 0,
                    })
                })
                .collect();
            if !mods.is_empty() {
                self.one_delta.push(LdifRecord {
                    dn: record.dn.clone(),
                    line: 0,
                    kind: RecordKind::Modify(mods),
                });
            }
        }
        self.one_delta.extend(migrated.iter().map(|m| LdifRecord {
            dn: m.from.dn.clone(),
            line: 0,
            kind: RecordKind::Delete,
        }));
    }

    /// The account loses its mailbox in forest 1; forest 2's base file gains its disabled
    /// shadow with the linked mailbox.
    fn shadow(&mut self, c: &Candidate) -> Option<AccountResource> {
        if let Some(LdifRecord {
            kind: RecordKind::Content(attrs),
            ..
        }) = self.one_base.get_mut(c.index)
        {
            attrs.retain(|a| !MAILBOX.iter().any(|n| a.name.eq_ignore_ascii_case(n)));
        }
        let account = self.one_ref(c.index)?;
        let (_, one) = self.one_record(c.index)?;
        let names: Vec<Attr> = ["sn", "givenName", "displayName"]
            .iter()
            .filter_map(|n| Some(Attr::new(*n, first(one, n)?.clone())))
            .collect();
        let cn = first(one, "cn")?.as_text()?.to_owned();
        let local = account.user_principal_name.as_deref()?.split('@').next()?;
        let mail = format!("{local}@{}", self.one.forest.fqdn);
        let sam = account.sam_account_name.clone();
        let ou = self.two.site_dn(c.site);
        let (cn, dn) = self.two.free_cn(&cn, &ou);
        let (mut attrs, guid) = self.two.base_with_guid(USER_CLASSES, "Person", 4);
        attrs.push(Attr::new("cn", cn));
        attrs.extend(names);
        attrs.push(Attr::new("userAccountControl", "514"));
        let set = self.two.rng.gen_range(1_672_531_200..1_748_736_000);
        attrs.push(Attr::new("pwdLastSet", filetime(set).to_string()));
        attrs.push(Attr::new("accountExpires", NEVER.to_string()));
        attrs.push(Attr::new("primaryGroupID", "513"));
        let rid = self.two.next_rid();
        let sid = sid_bytes(self.two.domain, Some(rid));
        attrs.push(Attr::binary("objectSid", sid));
        attrs.push(Attr::new("sAMAccountName", sam.clone()));
        attrs.push(Attr::new("sAMAccountType", SAM_USER_OBJECT));
        attrs.push(Attr::new("mail", mail.clone()));
        attrs.push(Attr::new("mailNickname", sam.clone()));
        attrs.push(Attr::new("proxyAddresses", format!("SMTP:{mail}")));
        let routing = format!("smtp:{sam}@{TENANT_DOMAIN}");
        attrs.push(Attr::new("proxyAddresses", routing));
        attrs.push(Attr::new("msExchRecipientTypeDetails", "2"));
        let master = account.object_sid.clone();
        attrs.push(Attr::binary("msExchMasterAccountSid", master));
        let mailbox: [u8; 16] = self.two.guid();
        attrs.push(Attr::binary("msExchMailboxGuid", mailbox.to_vec()));
        let legacy = format!(
            "/o={}/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn={}-{sam}",
            self.two.forest.name,
            guid_string(&guid).replace('-', "")
        );
        attrs.push(Attr::new("legacyExchangeDN", legacy));
        let resource = ObjectRef::from_attrs(self.two.forest.fqdn, &dn, &attrs)?;
        self.two_base.push(LdifRecord::content(dn, attrs));
        Some(AccountResource { account, resource })
    }
}

/// Takes the first `n` candidates `fit` from `pool`, in file order.
fn take(pool: &mut Vec<Candidate>, n: usize, fit: impl Fn(&Candidate) -> bool) -> Vec<Candidate> {
    let mut taken = Vec::with_capacity(n);
    pool.retain(|c| {
        if taken.len() < n && fit(c) {
            taken.push(*c);
            false
        } else {
            true
        }
    });
    taken.sort_by_key(|c| c.index);
    taken
}
