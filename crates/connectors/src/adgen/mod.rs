//! A synthetic Active Directory, deterministic for a seed: what `syncrules gen` writes.
//!
//! The domain `DC=contoso,DC=com` holds, in an order an LDAP server can add them (parents
//! before children, referenced users and groups before the groups naming them):
//!
//! - the domain object, `CN=Users` and OUs: `OU=Corp`, `OU=Employees,OU=Corp` with one OU
//!   per site (Seattle, London, Munich, Tokyo, São Paulo, Bangalore), `OU=Groups,OU=Corp`,
//!   `OU=Service Accounts,OU=Corp`;
//! - [`BUILTIN_USERS`] accounts in `CN=Users`: `Administrator`, `Guest` and `krbtgt`
//!   (critical system objects, `isCriticalSystemObject: TRUE`) and the `MSOL_…` account Entra
//!   Connect creates; [`BUILTIN_GROUPS`] groups: `Domain Admins`, `Domain Users`;
//! - `users` users spread over the sites: names from an embedded list (some beyond ASCII,
//!   so base64 in LDIF), `sAMAccountName`, `userPrincipalName` (about 3% without one), `mail`
//!   and `proxyAddresses` (`SMTP:` primary, `smtp:` secondaries; about 8% without a mailbox),
//!   `objectGUID` (16 random bytes), `objectSid` (`S-1-5-21-a-b-c-RID`, binary),
//!   `userAccountControl` (512; about 5% disabled 514; about 10% 66048, password never
//!   expires), `pwdLastSet`, department, title, phone, and a `manager` among the earlier
//!   users (a tree of fan-out about 8). With two users or more, the last one is a replication
//!   conflict victim of the first: `CN=<name>\0ACNF:<its GUID>` in the same OU, with
//!   `sAMAccountName: $DUPLICATE-<RID>` and no UPN or mailbox;
//! - `groups` groups in `OU=Groups,OU=Corp`: the first, `All Employees`, a mail-enabled
//!   distribution group of every user; then global security (`groupType: -2147483646`),
//!   universal security (`-2147483640`, half of them mail-enabled) and distribution (`2`,
//!   mail-enabled) groups of random users, a quarter of them also holding earlier groups
//!   (nesting without cycles).
//!
//! Several forests ([`generate_forests`], `syncrules gen --forests N`): forest `i` is the same
//! kind of directory in its own domain ([`Domain::nth`]: contoso.com, fabrikam.com, ...), with
//! its own domain SID, GUIDs, account names and mail local parts; forest 1 is the one-forest
//! directory above. The overlaps between forest 1 and forest 2 (migrated users,
//! account-resource pairs, duplicates, cross-forest group members) are described by
//! [`Overlaps`] and written to `forests.json`.
//!
//! Not loadable as is into a real domain controller: `objectGUID`, `objectSid` and
//! `whenCreated` are system attributes there. Same seed and sizes, same output (with this
//! build's `rand`).

mod domain;
mod forests;
#[cfg(test)]
mod forests_tests;
mod fsp;
mod groups;
mod ids;
mod manifest;
mod names;
mod overlap;
mod people;

use std::collections::{HashSet, VecDeque};
use std::io::{self, Write};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use syncrules_lang::dn::DnKey;

pub use domain::{CONTOSO, Domain, MAX_FORESTS};
pub use forests::{Forest, Forests, ForestsError, ForestsSpec, MANIFEST_FILE, generate_forests};
pub use ids::{filetime, generalized_time, guid_string, sid_bytes, sid_string};
pub use manifest::{
    AccountResource, CrossForestGroup, Duplicate, ForeignMember, Migration, ObjectRef, Overlaps,
};

use crate::ldif::{Attr, LdifRecord, LdifWriter};

/// The one-forest directory's (forest 1's) domain DN.
pub const DOMAIN_DN: &str = "DC=contoso,DC=com";
/// The one-forest directory's (forest 1's) DNS name, the suffix of its `userPrincipalName`s.
pub const DOMAIN_FQDN: &str = "contoso.com";
/// The tenant's routing domain, in secondary `proxyAddresses`.
pub const TENANT_DOMAIN: &str = "contoso.mail.onmicrosoft.com";
/// The users generated besides the requested ones: Administrator, Guest, krbtgt, MSOL_.
pub const BUILTIN_USERS: usize = 4;
/// The groups generated besides the requested ones: Domain Admins, Domain Users.
pub const BUILTIN_GROUPS: usize = 2;

/// The records of a synthetic directory with `users` users and `groups` groups besides the
/// built-in ones, deterministic for `seed`; generated one at a time.
pub fn generate(users: usize, groups: usize, seed: u64) -> Generator {
    Generator::new(users, groups, seed)
}

/// Writes [`generate`]'s records as LDIF: `version: 1`, a comment naming the sizes and seed,
/// then the records.
pub fn write_ldif(users: usize, groups: usize, seed: u64, out: impl Write) -> io::Result<()> {
    let comment = base_comment(&CONTOSO, users, groups, seed);
    write_records(true, &comment, generate(users, groups, seed), out)
}

/// The comment at the top of a forest's base file.
fn base_comment(forest: &Domain, users: usize, groups: usize, seed: u64) -> String {
    format!(
        "syncrules gen: {}, {users} users, {groups} groups, seed {seed}",
        forest.fqdn
    )
}

/// `version: 1` when `version`, the comment, then the records.
fn write_records<R>(version: bool, comment: &str, records: R, out: impl Write) -> io::Result<()>
where
    R: IntoIterator,
    R::Item: std::borrow::Borrow<LdifRecord>,
{
    use std::borrow::Borrow as _;
    let mut writer = LdifWriter::new(io::BufWriter::new(out));
    if version {
        writer.write_version()?;
    }
    writer.write_comment(comment)?;
    for record in records {
        writer.write_record(record.borrow())?;
    }
    writer.into_inner()?.flush()
}

/// The account names and mail local parts already used, lowercase: a forest's generator
/// avoids those of the forests before it, so that no two forests' users share a routing
/// address in the one tenant unless an overlap says so.
#[derive(Clone, Debug, Default)]
pub(super) struct Taken {
    names: HashSet<String>,
    mail: HashSet<String>,
}

/// The iterator [`generate`] returns.
#[derive(Debug)]
pub struct Generator {
    rng: StdRng,
    users: usize,
    groups: usize,
    pending: VecDeque<LdifRecord>,
    next_user: usize,
    next_group: usize,
    forest: &'static Domain,
    dn: String,
    domain: [u32; 3],
    next_rid: u32,
    given_names: Vec<&'static str>,
    surnames: Vec<&'static str>,
    user_dns: Vec<String>,
    group_dns: Vec<String>,
    taken_dns: HashSet<DnKey>,
    taken_names: HashSet<String>,
    taken_mail: HashSet<String>,
    first_user: Option<people::FirstUser>,
}

impl Iterator for Generator {
    type Item = LdifRecord;

    fn next(&mut self) -> Option<LdifRecord> {
        if let Some(record) = self.pending.pop_front() {
            return Some(record);
        }
        if self.next_user < self.users {
            self.next_user += 1;
            return Some(self.user(self.next_user - 1));
        }
        if self.next_group < self.groups {
            self.next_group += 1;
            return Some(self.group(self.next_group - 1));
        }
        None
    }
}

impl Generator {
    fn new(users: usize, groups: usize, seed: u64) -> Self {
        Self::in_domain(&CONTOSO, users, groups, seed, Taken::default())
    }

    /// A generator of `forest`'s directory whose account names and mail local parts avoid
    /// `taken` (those of the forests before it).
    pub(super) fn in_domain(
        forest: &'static Domain,
        users: usize,
        groups: usize,
        seed: u64,
        taken: Taken,
    ) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let domain = [rng.gen_range(1 << 28..u32::MAX), rng.r#gen(), rng.r#gen()];
        let mut generator = Generator {
            rng,
            users,
            groups,
            pending: VecDeque::new(),
            next_user: 0,
            next_group: 0,
            forest,
            dn: forest.dn(),
            domain,
            next_rid: 1103,
            given_names: names::GIVEN_NAMES.split_whitespace().collect(),
            surnames: names::SURNAMES.split_whitespace().collect(),
            user_dns: Vec::with_capacity(users),
            group_dns: Vec::with_capacity(groups),
            taken_dns: HashSet::new(),
            taken_names: taken.names,
            taken_mail: taken.mail,
            first_user: None,
        };
        generator.prelude();
        generator
    }

    /// The domain, its containers and OUs, and the built-in accounts and groups.
    fn prelude(&mut self) {
        let domain_sid = sid_bytes(self.domain, None);
        let mut attrs = self.base(&["top", "domain", "domainDNS"], "Domain-DNS", 5);
        attrs.push(Attr::new("dc", self.forest.label));
        attrs.push(Attr::binary("objectSid", domain_sid));
        attrs.push(Attr::new("isCriticalSystemObject", "TRUE"));
        self.push(self.dn.clone(), attrs);

        let mut attrs = self.base(&["top", "container"], "Container", 4);
        attrs.push(Attr::new("cn", "Users"));
        attrs.push(Attr::new(
            "description",
            "Default container for upgraded user accounts",
        ));
        attrs.push(Attr::new("isCriticalSystemObject", "TRUE"));
        attrs.push(Attr::new("showInAdvancedViewOnly", "FALSE"));
        self.push(format!("CN=Users,{}", self.dn), attrs);

        let corp = format!("OU=Corp,{}", self.dn);
        let employees = format!("OU=Employees,{corp}");
        let description = format!("{} corporate objects", self.forest.name);
        self.ou(&corp, "Corp", &description);
        self.ou(&employees, "Employees", "Employee accounts by site");
        for site in names::SITES {
            let dn = format!("OU={},{employees}", crate::ldif::escape_rdn_value(site.ou));
            self.ou(&dn, site.ou, &format!("Employees in {}", site.city));
        }
        self.ou(
            &format!("OU=Groups,{corp}"),
            "Groups",
            "Security and distribution groups",
        );
        let service = format!("OU=Service Accounts,{corp}");
        self.ou(
            &service,
            "Service Accounts",
            "Accounts of services and applications",
        );
        self.builtin_accounts();
    }

    /// The account names and mail local parts this forest has used.
    pub(super) fn taken(&self) -> Taken {
        Taken {
            names: self.taken_names.clone(),
            mail: self.taken_mail.clone(),
        }
    }

    /// The domain SID as text (`S-1-5-21-a-b-c`).
    pub(super) fn domain_sid(&self) -> String {
        sid_string(&sid_bytes(self.domain, None)).unwrap_or_default()
    }

    pub(super) fn ou(&mut self, dn: &str, name: &str, description: &str) {
        let mut attrs = self.base(&["top", "organizationalUnit"], "Organizational-Unit", 4);
        attrs.push(Attr::new("ou", name));
        attrs.push(Attr::new("description", description));
        self.push(dn.to_owned(), attrs);
    }

    /// `objectClass`, `instanceType`, `whenCreated`, `objectGUID` and `objectCategory`.
    fn base(&mut self, classes: &[&str], category: &str, instance_type: i64) -> Vec<Attr> {
        self.base_with_guid(classes, category, instance_type).0
    }

    /// [`Generator::base`] and the object's GUID.
    pub(super) fn base_with_guid(
        &mut self,
        classes: &[&str],
        category: &str,
        instance_type: i64,
    ) -> (Vec<Attr>, [u8; 16]) {
        let mut attrs: Vec<Attr> = classes
            .iter()
            .map(|c| Attr::new("objectClass", *c))
            .collect();
        attrs.push(Attr::new("instanceType", instance_type.to_string()));
        let created = self.rng.gen_range(1_420_070_400..1_672_531_200);
        attrs.push(Attr::new("whenCreated", generalized_time(created)));
        let guid = self.guid();
        attrs.push(Attr::binary("objectGUID", guid.to_vec()));
        attrs.push(Attr::new(
            "objectCategory",
            format!("CN={category},CN=Schema,CN=Configuration,{}", self.dn),
        ));
        (attrs, guid)
    }

    fn push(&mut self, dn: String, attrs: Vec<Attr>) {
        self.taken_dns.insert(DnKey::new(&dn));
        self.pending.push_back(LdifRecord::content(dn, attrs));
    }

    pub(super) fn guid(&mut self) -> [u8; 16] {
        self.rng.r#gen()
    }

    pub(super) fn next_rid(&mut self) -> u32 {
        self.next_rid += 1;
        self.next_rid - 1
    }

    /// `base`, or `base` followed by the first free number (`{base}{sep}2`, ...), cut to
    /// `max` characters, unused in `taken`; marked used.
    fn unique_name(taken: &mut HashSet<String>, base: &str, sep: &str, max: usize) -> String {
        let cut = |s: &str, max: usize| s.chars().take(max).collect::<String>();
        let mut candidate = cut(base, max);
        let mut n = 2;
        while !taken.insert(candidate.to_lowercase()) {
            let suffix = format!("{sep}{n}");
            candidate = format!("{}{suffix}", cut(base, max.saturating_sub(suffix.len())));
            n += 1;
        }
        candidate
    }
}
