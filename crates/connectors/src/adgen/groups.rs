//! Groups: the built-in ones and the generated security and distribution groups.

use rand::Rng;
use rand::seq::{SliceRandom, index};
use syncrules_lang::dn::DnKey;

use super::names::{self, ascii_fold};
use super::{Generator, TENANT_DOMAIN, sid_bytes};
use crate::ldif::{Attr, LdifRecord, escape_rdn_value};

/// `groupType` of a global security group.
const GLOBAL_SECURITY: i64 = -2_147_483_646;
/// `groupType` of a universal security group.
const UNIVERSAL_SECURITY: i64 = -2_147_483_640;
/// `groupType` of a domain-local security group.
const DOMAIN_LOCAL_SECURITY: i64 = -2_147_483_644;
/// `groupType` of a (global) distribution group.
const DISTRIBUTION: i64 = 2;

/// What one group is.
struct GroupSpec {
    name: String,
    group_type: i64,
    rid: u32,
    description: String,
    members: Vec<String>,
    mail: Option<String>,
    managed_by: Option<String>,
    extra: Vec<Attr>,
}

impl Generator {
    /// Domain Admins (holding `admin`) and Domain Users (everyone's primary group, so no
    /// `member` values), in `CN=Users`.
    pub(super) fn builtin_groups(&mut self, admin: &str) {
        let critical = || Attr::new("isCriticalSystemObject", "TRUE");
        let admins = GroupSpec {
            name: "Domain Admins".to_owned(),
            group_type: GLOBAL_SECURITY,
            rid: 512,
            description: "Designated administrators of the domain".to_owned(),
            members: vec![admin.to_owned()],
            mail: None,
            managed_by: None,
            extra: vec![Attr::new("adminCount", "1"), critical()],
        };
        let users = GroupSpec {
            name: "Domain Users".to_owned(),
            group_type: GLOBAL_SECURITY,
            rid: 513,
            description: "All domain users".to_owned(),
            members: Vec::new(),
            mail: None,
            managed_by: None,
            extra: vec![critical()],
        };
        for spec in [admins, users] {
            let dn = format!("CN={},CN=Users,{}", spec.name, self.dn);
            self.taken_names.insert(spec.name.to_lowercase());
            let attrs = self.group_attrs(spec);
            self.push(dn, attrs);
        }
    }

    /// The `index`th generated group: `All Employees` first.
    pub(super) fn group(&mut self, index: usize) -> LdifRecord {
        let spec = if index == 0 {
            self.taken_names.insert("all employees".to_owned());
            let alias = Self::unique_name(&mut self.taken_mail, "allemployees", "", 64);
            GroupSpec {
                name: "All Employees".to_owned(),
                group_type: DISTRIBUTION,
                rid: self.next_rid(),
                description: format!("Every employee of {}", self.forest.name),
                members: self.user_dns.clone(),
                mail: Some(alias),
                managed_by: None,
                extra: Vec::new(),
            }
        } else {
            self.random_group(index)
        };
        let dn = format!(
            "CN={},OU=Groups,OU=Corp,{}",
            escape_rdn_value(&spec.name),
            self.dn
        );
        self.taken_dns.insert(DnKey::new(&dn));
        self.group_dns.push(dn.clone());
        LdifRecord::content(dn, self.group_attrs(spec))
    }

    /// A domain-local security group in `OU=Groups,OU=Corp` holding `members` (the kind of
    /// group that may hold foreign security principals).
    pub(super) fn domain_local_group(
        &mut self,
        name: &str,
        description: String,
        members: Vec<String>,
    ) -> LdifRecord {
        let name = Self::unique_name(&mut self.taken_names, name, "-", 64);
        let spec = GroupSpec {
            name,
            group_type: DOMAIN_LOCAL_SECURITY,
            rid: self.next_rid(),
            description,
            members,
            mail: None,
            managed_by: None,
            extra: Vec::new(),
        };
        let dn = format!(
            "CN={},OU=Groups,OU=Corp,{}",
            escape_rdn_value(&spec.name),
            self.dn
        );
        self.taken_dns.insert(DnKey::new(&dn));
        LdifRecord::content(dn, self.group_attrs(spec))
    }

    fn random_group(&mut self, index: usize) -> GroupSpec {
        let (department, code) = names::DEPARTMENTS
            .choose(&mut self.rng)
            .copied()
            .unwrap_or(("IT", "IT"));
        let kind = self.rng.gen_range(0..100);
        let (base, group_type, description) = if kind < 70 {
            let role = names::GROUP_ROLES
                .choose(&mut self.rng)
                .copied()
                .unwrap_or("Readers");
            let group_type = if kind < 50 {
                GLOBAL_SECURITY
            } else {
                UNIVERSAL_SECURITY
            };
            let description = format!("{department}: {role} access");
            (format!("SG-{code}-{role}"), group_type, description)
        } else {
            let topic = names::LIST_TOPICS
                .choose(&mut self.rng)
                .copied()
                .unwrap_or("All");
            let description = format!("{department} mailing list: {topic}");
            (
                format!("DL-{department} {topic}"),
                DISTRIBUTION,
                description,
            )
        };
        let name = Self::unique_name(&mut self.taken_names, &base, "-", 64);
        let mail_enabled = group_type == DISTRIBUTION
            || (group_type == UNIVERSAL_SECURITY && self.rng.gen_bool(0.5));
        let mail = mail_enabled
            .then(|| Self::unique_name(&mut self.taken_mail, &ascii_fold(&name), "", 64));
        let users = self.user_dns.len();
        let size = match self.rng.gen_range(0..100) {
            0..70 => self.rng.gen_range(2..=25),
            70..95 => self.rng.gen_range(25..=200),
            _ => self.rng.gen_range(200..=2000),
        };
        let mut picked = index::sample(&mut self.rng, users, size.min(users)).into_vec();
        picked.sort_unstable();
        let mut members: Vec<String> = picked
            .into_iter()
            .filter_map(|i| self.user_dns.get(i).cloned())
            .collect();
        // Nest earlier groups (never `All Employees`), so there is no cycle.
        if index >= 2 && self.rng.gen_bool(0.25) {
            let count = self.rng.gen_range(1..=2).min(index - 1);
            for i in index::sample(&mut self.rng, index - 1, count) {
                members.extend(self.group_dns.get(i + 1).cloned());
            }
        }
        let managed_by = if users > 0 && self.rng.gen_bool(0.4) {
            self.user_dns.get(self.rng.gen_range(0..users)).cloned()
        } else {
            None
        };
        GroupSpec {
            name,
            group_type,
            rid: self.next_rid(),
            description,
            members,
            mail,
            managed_by,
            extra: Vec::new(),
        }
    }

    fn group_attrs(&mut self, spec: GroupSpec) -> Vec<Attr> {
        let mut attrs = self.base(&["top", "group"], "Group", 4);
        attrs.push(Attr::new("cn", spec.name.clone()));
        attrs.push(Attr::new("description", spec.description));
        attrs.push(Attr::new("groupType", spec.group_type.to_string()));
        attrs.push(Attr::binary(
            "objectSid",
            sid_bytes(self.domain, Some(spec.rid)),
        ));
        // SAM_ALIAS_OBJECT for domain-local security groups, SAM_GROUP_OBJECT for other
        // security groups, SAM_NON_SECURITY_GROUP_OBJECT otherwise.
        let sam_type = if spec.group_type == DOMAIN_LOCAL_SECURITY {
            "536870912"
        } else if spec.group_type < 0 {
            "268435456"
        } else {
            "268435457"
        };
        attrs.push(Attr::new("sAMAccountName", spec.name));
        attrs.push(Attr::new("sAMAccountType", sam_type));
        if let Some(alias) = spec.mail {
            let fqdn = self.forest.fqdn;
            attrs.push(Attr::new("mail", format!("{alias}@{fqdn}")));
            attrs.push(Attr::new("mailNickname", alias.clone()));
            attrs.push(Attr::new("proxyAddresses", format!("SMTP:{alias}@{fqdn}")));
            attrs.push(Attr::new(
                "proxyAddresses",
                format!("smtp:{alias}@{TENANT_DOMAIN}"),
            ));
        }
        if let Some(manager) = spec.managed_by {
            attrs.push(Attr::new("managedBy", manager));
        }
        attrs.extend(spec.extra);
        attrs.extend(spec.members.into_iter().map(|m| Attr::new("member", m)));
        attrs
    }
}
