//! Cross-forest group membership as Active Directory records it: a forest-1 user in a
//! forest-2 group is a `member` value naming a foreign security principal in forest 2
//! (`CN=<the user's SID>,CN=ForeignSecurityPrincipals,...`) whose `objectSid` is the user's.
//!
//! References resolve within a connector space, so the group's member resolves to the
//! foreign security principal; it reaches the forest-1 person only through a join-only rule
//! for `foreignSecurityPrincipal` (`objectSid` to the metaverse `objectSid`), as Entra
//! Connect's "In from AD - ForeignSecurityPrincipal Join User". Without one the member stays
//! unresolved and is not exported.

use super::manifest::{CrossForestGroup, ForeignMember, ObjectRef};
use super::overlap::{Build, Candidate};
use super::sid_string;
use crate::ldif::{Attr, LdifRecord, RecordKind};

impl Build<'_> {
    /// `CN=ForeignSecurityPrincipals` in forest 2, one foreign security principal per
    /// forest-1 member (`CN=<its SID>`), and a domain-local group of them and of forest 2's
    /// first two employees.
    pub(super) fn cross_forest_group(&mut self, members: &[Candidate]) -> Option<CrossForestGroup> {
        if members.is_empty() {
            return None;
        }
        let container = format!("CN=ForeignSecurityPrincipals,{}", self.two.dn);
        let mut attrs = self.two.base(&["top", "container"], "Container", 4);
        attrs.push(Attr::new("cn", "ForeignSecurityPrincipals"));
        attrs.push(Attr::new(
            "description",
            "Default container for security identifiers (SIDs) associated with objects \
             from external, trusted domains",
        ));
        attrs.push(Attr::new("isCriticalSystemObject", "TRUE"));
        attrs.push(Attr::new("showInAdvancedViewOnly", "FALSE"));
        self.two_base
            .push(LdifRecord::content(container.clone(), attrs));
        let mut foreign_members = Vec::new();
        for c in members {
            let Some(user) = self.one_ref(c.index) else {
                continue;
            };
            let Some(sid) = sid_string(&user.object_sid) else {
                continue;
            };
            let dn = format!("CN={sid},{container}");
            let classes = ["top", "foreignSecurityPrincipal"];
            let mut attrs = self.two.base(&classes, "Foreign-Security-Principal", 4);
            attrs.push(Attr::new("cn", sid));
            attrs.push(Attr::binary("objectSid", user.object_sid.clone()));
            self.two_base.push(LdifRecord::content(dn.clone(), attrs));
            foreign_members.push(ForeignMember {
                user,
                foreign_security_principal: dn,
            });
        }
        let local_members: Vec<String> = self.two.user_dns.iter().take(2).cloned().collect();
        let name = format!("SG-{} Collaborators", self.one.forest.name);
        let description = format!(
            "{} users with access to {} resources",
            self.one.forest.name, self.two.forest.name
        );
        let all: Vec<String> = foreign_members
            .iter()
            .map(|m| m.foreign_security_principal.clone())
            .chain(local_members.iter().cloned())
            .collect();
        let record = self.two.domain_local_group(&name, description, all);
        let RecordKind::Content(attrs) = &record.kind else {
            return None;
        };
        let group = ObjectRef::from_attrs(self.two.forest.fqdn, &record.dn, attrs)?;
        self.two_base.push(record);
        Some(CrossForestGroup {
            group,
            foreign_members,
            local_members,
        })
    }
}
