//! User accounts: the built-in ones and the generated employees.

use rand::Rng;
use rand::seq::SliceRandom;
use syncrules_lang::dn::DnKey;

use super::names::{self, Site, ascii_fold};
use super::{Generator, TENANT_DOMAIN, filetime, guid_string, sid_bytes};
use crate::ldif::{Attr, LdifRecord, escape_rdn_value};

/// `accountExpires` of an account that never expires.
pub(super) const NEVER: i64 = i64::MAX;
/// `sAMAccountType` of a user account (`SAM_USER_OBJECT`).
pub(super) const SAM_USER_OBJECT: &str = "805306368";
pub(super) const USER_CLASSES: &[&str] = &["top", "person", "organizationalPerson", "user"];

/// What the replication conflict victim copies from the first user.
#[derive(Clone, Debug)]
pub(super) struct FirstUser {
    given: &'static str,
    surname: &'static str,
    cn: String,
    site: &'static Site,
}

impl Generator {
    /// The DN of `site`'s OU in this domain.
    pub(super) fn site_dn(&self, site: &Site) -> String {
        format!(
            "OU={},OU=Employees,OU=Corp,{}",
            escape_rdn_value(site.ou),
            self.dn
        )
    }

    /// Administrator, Guest, krbtgt, the `MSOL_` account, then Domain Admins and Domain Users.
    pub(super) fn builtin_accounts(&mut self) {
        let admin = self.builtin_user(
            "Administrator",
            500,
            66048,
            "Built-in account for administering the computer/domain",
            &[("adminCount", "1"), ("isCriticalSystemObject", "TRUE")],
        );
        self.builtin_user(
            "Guest",
            501,
            66082,
            "Built-in account for guest access to the computer/domain",
            &[("isCriticalSystemObject", "TRUE")],
        );
        self.builtin_user(
            "krbtgt",
            502,
            514,
            "Key Distribution Center Service Account",
            &[
                ("isCriticalSystemObject", "TRUE"),
                ("showInAdvancedViewOnly", "TRUE"),
                ("servicePrincipalName", "kadmin/changepw"),
            ],
        );
        let id: [u8; 16] = self.rng.r#gen();
        let install: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let rid = self.next_rid();
        self.builtin_user(
            &format!("MSOL_{}", install.get(..12).unwrap_or(&install)),
            rid,
            66048,
            &format!(
                "Account created by Microsoft Azure Active Directory Connect with installation \
                 identifier {install} running on computer AADCONNECT01 configured to \
                 synchronize to tenant contoso.onmicrosoft.com. This account must have \
                 directory replication permissions in the local Active Directory and write \
                 permission on certain attributes to enable Hybrid Deployment."
            ),
            &[],
        );
        self.builtin_groups(&admin);
    }

    /// A built-in account in `CN=Users`; returns its DN.
    fn builtin_user(
        &mut self,
        name: &str,
        rid: u32,
        uac: i64,
        description: &str,
        extra: &[(&str, &str)],
    ) -> String {
        let dn = format!("CN={name},CN=Users,{}", self.dn);
        let mut attrs = self.base(USER_CLASSES, "Person", 4);
        attrs.push(Attr::new("cn", name));
        attrs.push(Attr::new("description", description));
        attrs.push(Attr::new("userAccountControl", uac.to_string()));
        let set = self.rng.gen_range(1_600_000_000..1_672_531_200);
        attrs.push(Attr::new("pwdLastSet", filetime(set).to_string()));
        attrs.push(Attr::new("accountExpires", "0"));
        let group = if rid == 501 { "514" } else { "513" };
        attrs.push(Attr::new("primaryGroupID", group));
        attrs.push(Attr::binary("objectSid", sid_bytes(self.domain, Some(rid))));
        attrs.push(Attr::new("sAMAccountName", name));
        attrs.push(Attr::new("sAMAccountType", SAM_USER_OBJECT));
        attrs.extend(extra.iter().map(|(k, v)| Attr::new(*k, *v)));
        self.taken_names.insert(name.to_lowercase());
        self.push(dn.clone(), attrs);
        dn
    }

    /// The `index`th generated user.
    pub(super) fn user(&mut self, index: usize) -> LdifRecord {
        if index >= 1
            && index + 1 == self.users
            && let Some(first) = self.first_user.clone()
        {
            return self.conflict_victim(&first);
        }
        let given = self
            .given_names
            .choose(&mut self.rng)
            .copied()
            .unwrap_or("Alex");
        let surname = self
            .surnames
            .choose(&mut self.rng)
            .copied()
            .unwrap_or("Doe");
        let site = names::SITES
            .choose(&mut self.rng)
            .unwrap_or(&names::SITES_FALLBACK);
        let ou = self.site_dn(site);
        let full = format!("{given} {surname}");
        let (cn, dn) = self.free_cn(&full, &ou);
        if index == 0 {
            self.first_user = Some(FirstUser {
                given,
                surname,
                cn: cn.clone(),
                site,
            });
        }
        let initial: String = ascii_fold(given).chars().take(1).collect();
        let sam = Self::unique_name(
            &mut self.taken_names,
            &format!("{initial}{}", ascii_fold(surname)),
            "",
            20,
        );
        let local = Self::unique_name(
            &mut self.taken_mail,
            &format!("{}.{}", ascii_fold(given), ascii_fold(surname)),
            "",
            64,
        );
        let (mut attrs, _) = self.base_with_guid(USER_CLASSES, "Person", 4);
        self.person(&mut attrs, &cn, given, surname, &sam);
        if self.rng.gen_bool(0.97) {
            attrs.push(Attr::new(
                "userPrincipalName",
                format!("{local}@{}", self.forest.fqdn),
            ));
        }
        if self.rng.gen_bool(0.92) {
            self.mailbox(&mut attrs, &local, &sam);
        }
        self.job(&mut attrs, site, index);
        self.user_dns.push(dn.clone());
        LdifRecord::content(dn, attrs)
    }

    /// The first free `CN=<name>[ n]` in `ou`, and its DN.
    pub(super) fn free_cn(&mut self, name: &str, ou: &str) -> (String, String) {
        let mut n = 1;
        loop {
            let cn = if n == 1 {
                name.to_owned()
            } else {
                format!("{name} {n}")
            };
            let dn = format!("CN={},{ou}", escape_rdn_value(&cn));
            if self.taken_dns.insert(DnKey::new(&dn)) {
                return (cn, dn);
            }
            n += 1;
        }
    }

    /// The naming and account attributes every user has.
    fn person(&mut self, attrs: &mut Vec<Attr>, cn: &str, given: &str, surname: &str, sam: &str) {
        attrs.push(Attr::new("cn", cn));
        attrs.push(Attr::new("sn", surname));
        attrs.push(Attr::new("givenName", given));
        attrs.push(Attr::new("displayName", format!("{given} {surname}")));
        let uac = match self.rng.gen_range(0..100) {
            0..5 => 514,
            5..15 => 66048,
            _ => 512,
        };
        attrs.push(Attr::new("userAccountControl", uac.to_string()));
        let set = self.rng.gen_range(1_672_531_200..1_748_736_000);
        attrs.push(Attr::new("pwdLastSet", filetime(set).to_string()));
        let expires = if self.rng.gen_bool(0.03) {
            filetime(self.rng.gen_range(1_767_225_600..1_830_297_600))
        } else {
            NEVER
        };
        attrs.push(Attr::new("accountExpires", expires.to_string()));
        attrs.push(Attr::new("primaryGroupID", "513"));
        let rid = self.next_rid();
        attrs.push(Attr::binary("objectSid", sid_bytes(self.domain, Some(rid))));
        attrs.push(Attr::new("sAMAccountName", sam));
        attrs.push(Attr::new("sAMAccountType", SAM_USER_OBJECT));
    }

    /// A mailbox in Exchange Online: mail, proxy addresses, routing address.
    fn mailbox(&mut self, attrs: &mut Vec<Attr>, local: &str, sam: &str) {
        let fqdn = self.forest.fqdn;
        attrs.push(Attr::new("mail", format!("{local}@{fqdn}")));
        attrs.push(Attr::new("mailNickname", sam));
        attrs.push(Attr::new("proxyAddresses", format!("SMTP:{local}@{fqdn}")));
        attrs.push(Attr::new(
            "proxyAddresses",
            format!("smtp:{sam}@{TENANT_DOMAIN}"),
        ));
        if self.rng.gen_bool(0.2) {
            attrs.push(Attr::new(
                "proxyAddresses",
                format!("smtp:{local}@{}", self.forest.alias_domain),
            ));
        }
        attrs.push(Attr::new(
            "targetAddress",
            format!("SMTP:{sam}@{TENANT_DOMAIN}"),
        ));
        attrs.push(Attr::new("msExchRecipientTypeDetails", "2147483648"));
        attrs.push(Attr::new("msExchRecipientDisplayType", "-2147483642"));
    }

    /// Department, title, company, office, phone, employee id and manager.
    fn job(&mut self, attrs: &mut Vec<Attr>, site: &Site, index: usize) {
        let (department, _) = names::DEPARTMENTS
            .choose(&mut self.rng)
            .copied()
            .unwrap_or(("IT", "IT"));
        let title = names::TITLES
            .choose(&mut self.rng)
            .copied()
            .unwrap_or("Associate");
        attrs.push(Attr::new("department", department));
        attrs.push(Attr::new("title", title));
        attrs.push(Attr::new("company", self.forest.company));
        attrs.push(Attr::new("l", site.city));
        attrs.push(Attr::new("c", site.c));
        attrs.push(Attr::new("co", site.co));
        let extension = self.rng.gen_range(0..10_000);
        attrs.push(Attr::new(
            "telephoneNumber",
            format!("{} {extension:04}", site.phone),
        ));
        attrs.push(Attr::new("employeeID", format!("{:06}", 100_000 + index)));
        if index > 0 && self.rng.gen_bool(0.9) {
            let boss = self.rng.gen_range(0..=(index - 1) / 8);
            if let Some(manager) = self.user_dns.get(boss) {
                attrs.push(Attr::new("manager", manager.clone()));
            }
        }
    }

    /// A copy of the first user created on another domain controller at the same time: AD
    /// kept both, renaming the loser `CN=<name>\0ACNF:<its GUID>` and its account name
    /// `$DUPLICATE-<RID>`.
    fn conflict_victim(&mut self, first: &FirstUser) -> LdifRecord {
        let (mut attrs, guid) = self.base_with_guid(USER_CLASSES, "Person", 4);
        let cn = format!("{}\nCNF:{}", first.cn, guid_string(&guid));
        let dn = format!("CN={},{}", escape_rdn_value(&cn), self.site_dn(first.site));
        self.taken_dns.insert(DnKey::new(&dn));
        let sam = format!("$DUPLICATE-{:x}", self.next_rid);
        self.person(&mut attrs, &cn, first.given, first.surname, &sam);
        self.job(&mut attrs, first.site, self.users - 1);
        self.user_dns.push(dn.clone());
        LdifRecord::content(dn, attrs)
    }
}
