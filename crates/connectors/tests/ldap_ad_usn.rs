//! The `uSNChanged` delta method against the real Samba AD DC (forced by `delta: usn`, as
//! when DirSync is refused): adds, modifies, moves across the containers' boundary,
//! deletes (tombstones by the Show Deleted control) and membership changes arrive.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

mod ldap_common;

use ldap_common::ad_seed::{by_dn, seed, settings, user};
use ldap_common::{ad, anchored, fresh_ou, modify, values};
use syncrules_connector::{Change, Connector, ConnectorError, ImportEntry};
use syncrules_connectors::ldap::{DeltaMethod, LdapConnector};

fn lower_sorted(mut v: Vec<String>) -> Vec<String> {
    v.iter_mut().for_each(|s| *s = s.to_ascii_lowercase());
    v.sort();
    v
}

#[tokio::test]
async fn usn_deltas_carry_every_kind_of_change() {
    let server = ad();
    let (ou, users, group) = seed(server, "usn", 4);
    let inner = fresh_ou(server, &ou, "out");
    let mut s = settings(server, &ou);
    s.exclude = vec![inner.clone()];
    s.delta = DeltaMethod::Usn;
    let mut c = LdapConnector::new("ad", s);
    let full = c.full_import().await.expect("full import");
    let mark = full.watermark.clone().expect("a uSNChanged watermark");
    assert!(mark.starts_with("ldap:usn:"), "{mark}");
    let anchor = |dn: &str| by_dn(&full.entries, dn).anchor.clone();
    let ours = |entries: &[ImportEntry]| -> Vec<ImportEntry> {
        // Other tests share the DC: only this OU's objects count.
        entries
            .iter()
            .filter(|e| {
                e.dn.as_str()
                    .to_ascii_lowercase()
                    .ends_with(&ou.to_ascii_lowercase())
                    || full.entries.iter().any(|f| f.anchor == e.anchor)
            })
            .cloned()
            .collect()
    };
    let nothing = c.delta_import(&mark).await.expect("delta");
    assert!(ours(&nothing.entries).is_empty(), "{:?}", nothing.entries);

    let rdn = users[2].split(',').next().unwrap();
    let tag = ou.rsplit_once('-').unwrap().1.split(',').next().unwrap();
    let added = format!("CN=usnnew{tag},{ou}");
    modify(
        server,
        &format!(
            "dn: {}\nchangetype: modify\nreplace: department\ndepartment: Ops\n\n\
             dn: {group}\nchangetype: modify\ndelete: member\nmember: {}\n\n\
             dn: {}\nchangetype: modrdn\nnewrdn: {rdn}\ndeleteoldrdn: 1\nnewsuperior: {inner}\n\n\
             dn: {}\nchangetype: delete\n\n{}",
            users[0],
            users[1],
            users[2],
            users[3],
            user(&ou, &format!("usnnew{tag}")),
        ),
    );
    let d = c
        .delta_import(nothing.watermark.as_deref().unwrap())
        .await
        .expect("delta");
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    let e = ours(&d.entries);
    let changed = anchored(&e, &anchor(&users[0]));
    assert_eq!(changed.len(), 1, "{e:?}");
    assert_eq!(
        changed[0].attributes["department"].to_string(),
        values(server, &users[0], "department").join(",")
    );
    let g = anchored(&e, &anchor(&group));
    assert_eq!(g.len(), 1, "{e:?}");
    assert_eq!(g[0].change, Change::Add, "read whole");
    assert_eq!(
        lower_sorted(
            g[0].attributes["member"]
                .values()
                .iter()
                .map(ToString::to_string)
                .collect()
        ),
        lower_sorted(values(server, &group, "member"))
    );
    for gone in [&users[2], &users[3]] {
        let x = anchored(&e, &anchor(gone));
        assert_eq!(x.len(), 1, "{gone}: {e:?}");
        assert_eq!(x[0].change, Change::Delete, "{gone}");
    }
    assert!(
        e.iter()
            .any(|x| x.dn.as_str().eq_ignore_ascii_case(&added) && x.change == Change::Add),
        "{e:?}"
    );
    // Moved back in: whole again, the same anchor; a membership added.
    modify(
        server,
        &format!(
            "dn: {rdn},{inner}\nchangetype: modrdn\nnewrdn: {rdn}\ndeleteoldrdn: 1\nnewsuperior: {ou}\n\n\
             dn: {group}\nchangetype: modify\nadd: member\nmember: {}\n",
            users[1]
        ),
    );
    let back = c
        .delta_import(d.watermark.as_deref().unwrap())
        .await
        .expect("delta");
    let b = ours(&back.entries);
    let moved = anchored(&b, &anchor(&users[2]));
    assert_eq!(moved.len(), 1, "{b:?}");
    assert_eq!(moved[0].change, Change::Add);
    assert!(moved[0].dn.as_str().eq_ignore_ascii_case(&users[2]));
    let g = anchored(&b, &anchor(&group));
    assert_eq!(g.len(), 1, "{b:?}");
    assert_eq!(
        g[0].attributes["member"].values().len(),
        values(server, &group, "member").len()
    );
    // Another DC's (or a restored DC's) invocationId: a full import is needed.
    let parts: Vec<&str> = mark.split(':').collect();
    let other = format!("ldap:usn:{}:{}:{}", parts[2], "0".repeat(32), parts[4]);
    let r = c.delta_import(&other).await;
    assert!(
        matches!(r, Err(ConnectorError::WatermarkExpired { .. })),
        "{r:?}"
    );
}

/// A user of the domain with `password`, added over LDAPS (AD sets passwords only on an
/// encrypted connection).
fn plain_user(server: &ldap_common::Server, ou: &str, cn: &str, password: &str) -> String {
    use std::io::Write as _;
    let dn = format!("CN={cn},{ou}");
    let quoted: Vec<u8> = format!("\"{password}\"")
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let ldif = format!(
        "dn: {dn}\nchangetype: add\nobjectClass: user\nsAMAccountName: {cn}\nuserAccountControl: 512\nunicodePwd:: {}\n",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &quoted)
    );
    let mut child = std::process::Command::new("ldapmodify")
        .args(["-x", "-H", server.ldaps.as_deref().unwrap()])
        .args(["-D", &server.bind_dn, "-w", &server.password])
        .env("LDAPTLS_CACERT", server.ca.as_ref().unwrap())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ldif.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dn
}

/// Under `delta: auto`, a bind without the rights DirSync needs gets the `uSNChanged`
/// method instead, and its deltas work.
#[tokio::test]
async fn auto_falls_back_to_usn_when_dirsync_is_refused() {
    let server = ad();
    let (ou, users, _) = seed(server, "norights", 2);
    let tag = ou.rsplit_once('-').unwrap().1.split(',').next().unwrap();
    let password = "Plain-Reader-42x";
    let reader = plain_user(server, &ou, &format!("rd{tag}"), password);
    let mut s = settings(server, &ou);
    s.bind_dn = reader;
    s.password = syncrules_connectors::ldap::Secret::new(password);
    s.timeout = std::time::Duration::from_secs(10);
    let mut c = LdapConnector::new("ad", s);
    let full = c.full_import().await.expect("full import as a plain user");
    let mark = full.watermark.clone().expect("a watermark");
    assert!(mark.starts_with("ldap:usn:"), "{mark}");
    modify(
        server,
        &format!(
            "dn: {}\nchangetype: modify\nreplace: department\ndepartment: Ops\n",
            users[0]
        ),
    );
    let d = c.delta_import(&mark).await.expect("delta");
    let changed = anchored(&d.entries, &by_dn(&full.entries, &users[0]).anchor);
    assert_eq!(changed.len(), 1, "{:?}", d.entries);
    assert_eq!(changed[0].attributes["department"].to_string(), "Ops");
}
