//! `syncrules preflight`: on the sample (clean: no finding), and on a copy of it seeded with
//! known defects, each of which must be found, and nothing else.

#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{sample_ldif, sample_with, syncrules, text};
use serde_json::Value;

fn preflight(dir: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let config = dir.join("sync.yaml");
    let mut args = vec![
        "preflight",
        "--config",
        config.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = syncrules(&args);
    let json = serde_json::from_slice(&out.stdout)
        .map_err(|_| text(&out.stderr))
        .unwrap();
    (out.status.code(), json)
}

fn found(json: &Value) -> BTreeSet<(String, String, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["dn"].as_str().unwrap().to_owned(),
                f["attribute"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A record's plain value of `attr`.
fn value(record: &str, attr: &str) -> String {
    let prefix = format!("{attr}: ");
    record
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap()
        .to_owned()
}

fn replace_value(record: &mut String, attr: &str, new: &str) {
    let old = format!("{attr}: {}", value(record, attr));
    *record = record.replacen(&old, new, 1);
}

#[test]
fn the_sample_is_clean() {
    let dir = sample_with("preflight", "clean", &sample_ldif());
    let (code, json) = preflight(&dir, &[]);
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(json["findings"].as_array().unwrap().len(), 0, "{json}");
    let (code, json) = preflight(
        &dir,
        &[
            "--domains",
            "contoso.com,contoso.mail.onmicrosoft.com,fabrikam.com",
        ],
    );
    assert_eq!(
        (code, json["findings"].as_array().unwrap().len()),
        (Some(0), 0),
        "{json}"
    );
    // Without the routing domain, each address in it is outside the verified domains.
    let (code, json) = preflight(&dir, &["--domains", "contoso.com,fabrikam.com"]);
    assert_eq!(code, Some(1));
    let findings = json["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert_eq!(f["code"], "topleveldomain", "{f}");
        assert!(
            f["value"]
                .as_str()
                .unwrap()
                .contains("contoso.mail.onmicrosoft.com"),
            "{f}"
        );
    }
}

#[test]
fn seeded_defects_are_found_exactly() {
    let ldif = sample_ldif();
    let mut records: Vec<String> = ldif.split("\n\n").map(str::to_owned).collect();
    // Users whose identity attributes are plain text, in file order.
    let users: Vec<usize> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            [
                "dn: ",
                "userPrincipalName: ",
                "mail: ",
                "mailNickname: ",
                "displayName: ",
                "givenName: ",
                "targetAddress: SMTP:",
                "proxyAddresses: SMTP:",
            ]
            .iter()
            .all(|a| r.lines().any(|l| l.starts_with(a)))
        })
        .map(|(i, _)| i)
        .collect();
    assert!(users.len() > 20);
    let dn = |r: &str| value(r, "dn");
    let mut want = BTreeSet::new();
    let seed = |records: &mut Vec<String>, i: usize, attr: &str, new: String, code: &str| {
        let r = &mut records[users[i]];
        replace_value(r, attr, &new);
        (dn(r), attr.to_owned(), code.to_owned())
    };
    let upn = |records: &Vec<String>, i: usize| value(&records[users[i]], "userPrincipalName");
    let u0 = upn(&records, 0).replacen('@', " x@", 1);
    want.insert(seed(
        &mut records,
        0,
        "userPrincipalName",
        format!("userPrincipalName: {u0}"),
        "character",
    ));
    let u1 = upn(&records, 1).replace("@contoso.com", "@contoso.local");
    want.insert(seed(
        &mut records,
        1,
        "userPrincipalName",
        format!("userPrincipalName: {u1}"),
        "topleveldomain",
    ));
    let m2 = value(&records[users[2]], "mail").replace('@', "_at_");
    want.insert(seed(
        &mut records,
        2,
        "mail",
        format!("mail: {m2}"),
        "format",
    ));
    let n5 = value(&records[users[5]], "mailNickname");
    want.insert(seed(
        &mut records,
        5,
        "mailNickname",
        format!("mailNickname: .{n5}"),
        "format",
    ));
    want.insert(seed(
        &mut records,
        6,
        "displayName",
        "displayName:: ICAg".to_owned(),
        "blank",
    ));
    want.insert(seed(
        &mut records,
        7,
        "givenName",
        format!("givenName: {}", "g".repeat(70)),
        "length",
    ));
    want.insert(seed(
        &mut records,
        8,
        "userPrincipalName",
        format!("userPrincipalName: {}@contoso.com", "a".repeat(70)),
        "localpart",
    ));
    want.insert(seed(
        &mut records,
        9,
        "userPrincipalName",
        format!("userPrincipalName: x@{}.com", "d".repeat(50)),
        "domainpart",
    ));
    let t13 = value(&records[users[13]], "targetAddress").replacen('@', "(x@", 1);
    want.insert(seed(
        &mut records,
        13,
        "targetAddress",
        format!("targetAddress: {t13}"),
        "character",
    ));
    // Duplicates across attributes of the one address namespace: a later user holds an
    // earlier one's primary SMTP address as a proxy address, and another one's UPN as mail.
    let smtp4 = value(&records[users[4]], "proxyAddresses").replacen("SMTP:", "smtp:", 1);
    records[users[15]].push_str(&format!("\nproxyAddresses: {smtp4}"));
    want.insert((
        dn(&records[users[15]]),
        "proxyAddresses".into(),
        "duplicate".into(),
    ));
    want.insert((
        dn(&records[users[4]]),
        "userPrincipalName".into(),
        "duplicate".into(),
    ));
    let upn11 = upn(&records, 11).to_uppercase();
    want.insert(seed(
        &mut records,
        16,
        "mail",
        format!("mail: {upn11}"),
        "duplicate",
    ));
    want.insert((
        dn(&records[users[11]]),
        "userPrincipalName".into(),
        "duplicate".into(),
    ));

    let dir = sample_with("preflight", "seeded", &records.join("\n\n"));
    let (code, json) = preflight(&dir, &[]);
    assert_eq!(code, Some(1), "{json}");
    assert_eq!(found(&json), want, "{json}");
    let counts = &json["counts"];
    assert_eq!(counts["duplicate"], 4, "{json}");
    for f in json["findings"].as_array().unwrap() {
        assert!(!f["fix"].as_str().unwrap().is_empty(), "{f}");
        let severity = if f["code"] == "blank" {
            "warning"
        } else {
            "error"
        };
        assert_eq!(f["severity"], severity, "{f}");
        if f["code"] == "duplicate" {
            // Each names the other object.
            let other = json["findings"].as_array().unwrap().iter().any(|g| {
                g["code"] == "duplicate"
                    && g["dn"] != f["dn"]
                    && f["message"]
                        .as_str()
                        .unwrap()
                        .contains(g["dn"].as_str().unwrap())
            });
            assert!(other, "{f}");
        }
    }
}

/// The objects are checked as they stand after the delta file's changes: a rename, a
/// change that makes a duplicate, and the deletion of an object that held a defect.
#[test]
fn the_delta_file_is_applied_before_checking() {
    let ldif = sample_ldif();
    let mut records: Vec<String> = ldif.split("\n\n").map(str::to_owned).collect();
    let users: Vec<usize> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| r.contains("\nuserPrincipalName: ") && r.starts_with("dn: CN="))
        .map(|(i, _)| i)
        .collect();
    let dns: Vec<String> = users.iter().map(|&u| value(&records[u], "dn")).collect();
    let dn = |i: usize| dns[i].clone();
    // In the base file, user 0 has a UPN with a space; the delta deletes user 0.
    let u0 = value(&records[users[0]], "userPrincipalName").replacen('@', " x@", 1);
    replace_value(
        &mut records[users[0]],
        "userPrincipalName",
        &format!("userPrincipalName: {u0}"),
    );
    let upn1 = value(&records[users[1]], "userPrincipalName");
    let renamed = format!("CN=Renamed Person,{}", dn(3).split_once(",").unwrap().1);
    let delta = format!(
        "dn: {}\nchangetype: delete\n\n\
         dn: {}\nchangetype: modify\nreplace: userPrincipalName\nuserPrincipalName: {}\n-\n\n\
         dn: {}\nchangetype: modrdn\nnewrdn: CN=Renamed Person\ndeleteoldrdn: 1\n\n\
         dn: {renamed}\nchangetype: modify\nreplace: givenName\ngivenName: {}\n-\n",
        dn(0),
        dn(2),
        upn1.to_uppercase(),
        dn(3),
        "g".repeat(70),
    );
    let dir = sample_with("preflight", "delta", &records.join("\n\n"));
    std::fs::write(dir.join("contoso-delta.ldif"), delta).unwrap();
    let (code, json) = preflight(&dir, &[]);
    assert_eq!(code, Some(1), "{json}");
    let want: BTreeSet<_> = [
        (dn(1), "userPrincipalName", "duplicate"),
        (dn(2), "userPrincipalName", "duplicate"),
        (renamed.clone(), "givenName", "length"),
    ]
    .into_iter()
    .map(|(d, a, c)| (d, a.to_owned(), c.to_owned()))
    .collect();
    assert_eq!(found(&json), want, "{json}");
}
