//! Seeding the shared Samba DC for one test: an OU of users and a group, and the
//! connector's settings scoped to it.

use syncrules_connector::ImportEntry;
use syncrules_connectors::ldap::{LdapSettings, Secret};

use super::{Server, fresh_ou, modify};

pub fn settings(server: &Server, ou: &str) -> LdapSettings {
    let mut s = LdapSettings::new(
        &server.url,
        &server.bind_dn,
        Secret::new(server.password.clone()),
        &server.base,
    );
    s.include = vec![ou.to_owned()];
    s.page_size = 2;
    s.range_size = 5;
    s
}

pub fn user(dn_ou: &str, cn: &str) -> String {
    format!(
        "dn: CN={cn},{dn_ou}\nchangetype: add\nobjectClass: user\nsAMAccountName: {cn}\nuserPrincipalName: {cn}@test.local\ngivenName: {cn}\ndepartment: Sales\n\n"
    )
}

/// An OU with `n` users and a group of all of them; returns the OU, the users' DNs, the group's DN.
pub fn seed(server: &Server, label: &str, n: usize) -> (String, Vec<String>, String) {
    let ou = fresh_ou(server, &server.base, label);
    let tag = ou
        .split(['=', ','])
        .nth(1)
        .unwrap()
        .rsplit('-')
        .next()
        .unwrap()
        .to_owned();
    let mut ldif = String::new();
    let mut users = Vec::new();
    for i in 0..n {
        let cn = format!("u{i}x{tag}").chars().take(20).collect::<String>();
        ldif.push_str(&user(&ou, &cn));
        users.push(format!("CN={cn},{ou}"));
    }
    let group = format!("CN=g{tag},{ou}").chars().collect::<String>();
    ldif.push_str(&format!(
        "dn: {group}\nchangetype: add\nobjectClass: group\nsAMAccountName: g{tag}\n"
    ));
    for u in &users {
        ldif.push_str(&format!("member: {u}\n"));
    }
    modify(server, &ldif);
    (ou, users, group)
}

pub fn by_dn<'a>(entries: &'a [ImportEntry], dn: &str) -> &'a ImportEntry {
    entries
        .iter()
        .find(|e| e.dn.as_str().eq_ignore_ascii_case(dn))
        .unwrap_or_else(|| {
            panic!(
                "no entry {dn} in {:?}",
                entries.iter().map(|e| &e.dn).collect::<Vec<_>>()
            )
        })
}
