//! Several forests: one forest unchanged, determinism, distinct identifiers, and every
//! overlap as the manifest says.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::manifest::first;
use super::{Forests, ForestsError, ForestsSpec, MANIFEST_FILE, generate, generate_forests};
use crate::ldif::{AttributeTyping, LdifRecord, RecordKind, Snapshot, parse};

fn spec(forests: usize, users: usize, overlaps: usize) -> ForestsSpec {
    ForestsSpec {
        forests,
        users,
        groups: 8,
        seed: 11,
        migrated: overlaps,
        account_resource: overlaps,
        duplicates: overlaps,
        cross_forest_members: overlaps,
    }
}

fn forests(spec: &ForestsSpec) -> Forests {
    generate_forests(spec).unwrap()
}

fn attrs(record: &LdifRecord) -> &[crate::ldif::Attr] {
    match &record.kind {
        RecordKind::Content(a) | RecordKind::Add(a) => a,
        _ => &[],
    }
}

fn by_dn<'a>(records: &'a [LdifRecord], dn: &str) -> Option<&'a LdifRecord> {
    records.iter().find(|r| r.dn == dn)
}

fn value<'a>(record: &'a LdifRecord, name: &str) -> Option<&'a [u8]> {
    first(attrs(record), name).map(|v| v.as_bytes())
}

fn text<'a>(record: &'a LdifRecord, name: &str) -> Option<&'a str> {
    first(attrs(record), name).and_then(|v| v.as_text())
}

#[test]
fn one_forest_is_the_one_forest_directory_byte_for_byte() {
    let one = forests(&spec(1, 40, 0));
    let expected: Vec<_> = generate(40, 8, 11).collect();
    assert_eq!(one.forests.len(), 1);
    assert_eq!(one.forests[0].base, expected);
    assert!(one.forests[0].delta.is_empty());

    let dir = tempfile::tempdir().unwrap();
    one.write_to(dir.path()).unwrap();
    let mut direct = Vec::new();
    super::write_ldif(40, 8, 11, &mut direct).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("contoso.com.ldif")).unwrap(),
        direct
    );
    // More forests without overlaps leave the first one alone.
    let three = forests(&spec(3, 40, 0));
    assert_eq!(three.forests[0].base, expected);
    let domains: Vec<_> = three.forests.iter().map(|f| f.domain.fqdn).collect();
    assert_eq!(domains, ["contoso.com", "fabrikam.com", "tailspintoys.com"]);
}

/// FNV-1a of `bytes`.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn one_forest_is_what_gen_wrote_before_forests() {
    // The output of `write_ldif(50, 10, 7)` before forests existed (checked against that
    // code): the one-forest file must not change.
    let mut text = Vec::new();
    super::write_ldif(50, 10, 7, &mut text).unwrap();
    assert_eq!((text.len(), fnv(&text)), (90_162, 0x0d59_ad50_7efb_f4ea));
    let one = forests(&ForestsSpec {
        forests: 1,
        users: 50,
        groups: 10,
        seed: 7,
        ..ForestsSpec::default()
    });
    let dir = tempfile::tempdir().unwrap();
    one.write_to(dir.path()).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("contoso.com.ldif")).unwrap(),
        text
    );
}

#[test]
fn same_seed_same_forests_other_seed_other_forests() {
    let a = forests(&spec(2, 60, 2));
    let b = forests(&spec(2, 60, 2));
    assert_eq!(a.manifest(), b.manifest());
    for (x, y) in a.forests.iter().zip(&b.forests) {
        assert_eq!(x.base, y.base);
        assert_eq!(x.delta, y.delta);
    }
    let c = forests(&ForestsSpec {
        seed: 12,
        ..spec(2, 60, 2)
    });
    assert_ne!(a.forests[1].base, c.forests[1].base);
    assert_ne!(a.manifest(), c.manifest());
}

#[test]
fn forests_have_their_own_domains_sids_and_guids() {
    let all = forests(&spec(3, 80, 3));
    let sids: HashSet<_> = all.forests.iter().map(|f| f.domain_sid.clone()).collect();
    assert_eq!(sids.len(), 3);
    let mut guids = HashSet::new();
    let mut object_sids = HashSet::new();
    for forest in &all.forests {
        let suffix = forest.domain.dn();
        for record in forest.base.iter().chain(&forest.delta) {
            assert!(record.dn.ends_with(&suffix), "{} in {suffix}", record.dn);
            if let Some(guid) = value(record, "objectGUID") {
                assert!(guids.insert(guid.to_vec()), "GUID twice: {}", record.dn);
            }
            let fsp = record.dn.contains("CN=ForeignSecurityPrincipals,");
            if let (Some(sid), false) = (value(record, "objectSid"), fsp) {
                assert!(object_sids.insert(sid.to_vec()), "SID twice: {}", record.dn);
            }
            if let Some(upn) = text(record, "userPrincipalName") {
                let duplicate = all
                    .overlaps
                    .duplicates
                    .iter()
                    .any(|d| d.second.dn == record.dn);
                if !duplicate {
                    assert!(upn.ends_with(&format!("@{}", forest.domain.fqdn)), "{upn}");
                }
            }
        }
    }
}

/// UPNs and addresses (lowercase, without `smtp:`) of every object of every base file, with
/// the DNs holding each.
fn addresses(all: &Forests) -> HashMap<String, Vec<String>> {
    let mut seen: HashMap<String, Vec<String>> = HashMap::new();
    for record in all.forests.iter().flat_map(|f| &f.base) {
        let mut values: HashSet<String> = HashSet::new();
        for a in attrs(record) {
            let name = a.name.to_ascii_lowercase();
            if let ("userprincipalname" | "mail" | "proxyaddresses", Some(v)) =
                (name.as_str(), a.value.as_text())
            {
                let v = v.to_lowercase();
                values.insert(v.strip_prefix("smtp:").unwrap_or(&v).to_owned());
            }
        }
        for v in values {
            seen.entry(v).or_default().push(record.dn.clone());
        }
    }
    seen
}

#[test]
fn forests_share_addresses_only_where_an_overlap_says_so() {
    let all = forests(&spec(3, 150, 4));
    // The duplicates share UPN and addresses; a shadow's mail is its account's UPN.
    let o = &all.overlaps;
    let pairs: HashSet<(String, String)> = o
        .duplicates
        .iter()
        .map(|d| (d.first.dn.clone(), d.second.dn.clone()))
        .chain(
            o.account_resource
                .iter()
                .map(|p| (p.account.dn.clone(), p.resource.dn.clone())),
        )
        .collect();
    let mut shared = 0;
    for (address, dns) in addresses(&all) {
        if dns.len() > 1 {
            assert_eq!(dns.len(), 2, "{address}: {dns:?}");
            assert!(
                pairs.contains(&(dns[0].clone(), dns[1].clone())),
                "{address}: {dns:?}"
            );
            shared += 1;
        }
    }
    assert!(shared >= 8, "{shared} shared");
}

#[test]
fn overlaps_are_what_the_manifest_says() {
    let all = forests(&spec(2, 120, 3));
    let (one, two) = (&all.forests[0], &all.forests[1]);
    let o = &all.overlaps;
    assert_eq!(
        (
            o.migrated.len(),
            o.account_resource.len(),
            o.duplicates.len()
        ),
        (3, 3, 3)
    );
    assert_eq!(o.cross_forest_groups.len(), 1);
    assert_eq!(o.cross_forest_groups[0].foreign_members.len(), 3);

    for m in &o.migrated {
        assert!(by_dn(&one.base, &m.from.dn).is_some());
        assert!(by_dn(&two.base, &m.to.dn).is_none());
        let deleted = one
            .delta
            .iter()
            .any(|r| r.dn == m.from.dn && r.kind == RecordKind::Delete);
        assert!(deleted, "{} is deleted from forest 1", m.from.dn);
        let added = by_dn(&two.delta, &m.to.dn).unwrap();
        assert_eq!(added.kind.name(), "add");
        assert_eq!(
            value(added, "mS-DS-ConsistencyGuid"),
            Some(&m.from.object_guid[..])
        );
        assert_eq!(value(added, "sIDHistory"), Some(&m.from.object_sid[..]));
        assert_ne!(m.to.object_guid, m.from.object_guid);
        assert_eq!(m.from.mail, m.to.mail);
        assert_eq!(m.from.sam_account_name, m.to.sam_account_name);
        let upn = m.to.user_principal_name.as_deref().unwrap();
        assert!(upn.ends_with("@fabrikam.com"), "{upn}");
    }
    for p in &o.account_resource {
        let account = by_dn(&one.base, &p.account.dn).unwrap();
        let shadow = by_dn(&two.base, &p.resource.dn).unwrap();
        assert_eq!(text(account, "mail"), None);
        assert_eq!(text(account, "proxyAddresses"), None);
        let uac: i64 = text(account, "userAccountControl")
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(uac & 2, 0, "the account is enabled");
        assert_eq!(text(shadow, "userAccountControl"), Some("514"));
        assert_eq!(text(shadow, "msExchRecipientTypeDetails"), Some("2"));
        assert_eq!(
            value(shadow, "msExchMasterAccountSid"),
            value(account, "objectSid")
        );
        assert_eq!(
            value(shadow, "msExchMasterAccountSid"),
            Some(&p.account.object_sid[..])
        );
        assert!(
            p.resource
                .mail
                .as_deref()
                .unwrap()
                .ends_with("@contoso.com")
        );
        assert_eq!(
            text(shadow, "mailNickname"),
            Some(&*p.account.sam_account_name)
        );
    }
    for d in &o.duplicates {
        let (a, b) = (
            by_dn(&one.base, &d.first.dn).unwrap(),
            by_dn(&two.base, &d.second.dn).unwrap(),
        );
        for name in ["givenName", "sn", "userPrincipalName", "mail", "employeeID"] {
            assert_eq!(text(a, name), text(b, name), "{name}");
        }
        assert!(text(a, "mail").is_some());
        assert_ne!(d.first.object_guid, d.second.object_guid);
        assert_eq!(value(b, "mS-DS-ConsistencyGuid"), None);
    }
    let group = &o.cross_forest_groups[0];
    let record = by_dn(&two.base, &group.group.dn).unwrap();
    let members: Vec<&str> = attrs(record)
        .iter()
        .filter(|a| a.name == "member")
        .filter_map(|a| a.value.as_text())
        .collect();
    for m in &group.foreign_members {
        assert!(members.contains(&m.foreign_security_principal.as_str()));
        let fsp = by_dn(&two.base, &m.foreign_security_principal).unwrap();
        assert_eq!(value(fsp, "objectSid"), Some(&m.user.object_sid[..]));
        assert!(by_dn(&one.base, &m.user.dn).is_some());
    }
    assert_eq!(text(record, "groupType"), Some("-2147483644"));
    // The roles never share a user.
    let mut users = HashSet::new();
    let dns = o.migrated.iter().map(|m| &m.from.dn);
    let dns = dns.chain(o.account_resource.iter().map(|p| &p.account.dn));
    let dns = dns.chain(o.duplicates.iter().map(|d| &d.first.dn));
    let dns = dns.chain(group.foreign_members.iter().map(|m| &m.user.dn));
    assert!(dns.into_iter().all(|dn| users.insert(dn.clone())));
}

/// The files concatenated (a delta file appends to its base file as is), parsed and applied.
fn replay(dir: &Path, files: &[&str]) -> Snapshot {
    let mut snapshot = Snapshot::new(AttributeTyping::default());
    let text: String = files
        .iter()
        .map(|file| std::fs::read_to_string(dir.join(file)).unwrap())
        .collect();
    for record in parse(&text, dir).unwrap() {
        snapshot.apply(&record).unwrap();
    }
    snapshot
}

#[test]
fn the_files_parse_and_the_deltas_apply() {
    let all = forests(&spec(2, 80, 2));
    let dir = tempfile::tempdir().unwrap();
    let written = all.write_to(dir.path()).unwrap();
    assert_eq!(written.len(), 5, "{written:?}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(MANIFEST_FILE)).unwrap()).unwrap();
    assert_eq!(manifest, all.manifest());
    assert_eq!(manifest["forests"][1]["delta"], "fabrikam.com-delta.ldif");
    assert_eq!(manifest["migrated"].as_array().unwrap().len(), 2);

    // A delta file is a change log the LDIF connector reads whole, alone or appended to
    // another one.
    for forest in &all.forests {
        let path = dir.path().join(forest.delta_file());
        let bytes = std::fs::read(&path).unwrap();
        let log = crate::ldif::read_log(&bytes, &path, 1).unwrap();
        assert!(log.torn.is_none());
        let shape = |records: &[LdifRecord]| -> Vec<(String, &'static str)> {
            records
                .iter()
                .map(|r| (r.dn.clone(), r.kind.name()))
                .collect()
        };
        assert_eq!(shape(&log.records), shape(&forest.delta));
        assert_eq!(log.complete, bytes.len());
        let twice = [&bytes[..], &bytes[..]].concat();
        let log = crate::ldif::read_log(&twice, &path, 1).unwrap();
        assert_eq!(log.records.len(), 2 * forest.delta.len());
    }
    let one = replay(dir.path(), &["contoso.com.ldif", "contoso.com-delta.ldif"]);
    let two = replay(
        dir.path(),
        &["fabrikam.com.ldif", "fabrikam.com-delta.ldif"],
    );
    for m in &all.overlaps.migrated {
        assert!(one.get(&m.from.dn).is_none());
        assert!(two.get(&m.to.dn).is_some());
        // Nothing in forest 1 still points at a migrated user.
        for entry in one.entries() {
            for (name, v) in &entry.attributes {
                let dangling = v.to_string().contains(&m.from.dn);
                assert!(!dangling, "{} {name} still names {}", entry.dn, m.from.dn);
            }
        }
    }
}

#[test]
fn specs_it_cannot_make_are_refused() {
    let err = |s: ForestsSpec| generate_forests(&s).err();
    assert_eq!(err(spec(0, 10, 0)), Some(ForestsError::Count(0)));
    assert_eq!(err(spec(11, 10, 0)), Some(ForestsError::Count(11)));
    assert_eq!(
        err(spec(1, 10, 1)),
        Some(ForestsError::OverlapsNeedTwoForests)
    );
    assert!(matches!(
        err(spec(2, 10, 5)),
        Some(ForestsError::NotEnoughUsers { wanted: 20, .. })
    ));
}
