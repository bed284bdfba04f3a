//! A folder reopened before every operation reads its journal back without decoding the
//! values it does not need (they are read again from their lines when an object is read):
//! it must answer exactly as a connector that kept the folder open all along. Both targets
//! get the same random export batches (adds, updates setting and removing unique and other
//! attributes, renames, deletes, duplicates) and compact on the same changes; after each
//! batch their results, full imports and delta imports must be equal.

#![expect(
    clippy::unwrap_used,
    reason = "tests fail loudly on unexpected results"
)]

use std::collections::BTreeMap;
use std::path::Path;

use syncrules_connector::{Connector, ExportChange, ExportOp, ExportResult, ImportEntry};
use syncrules_connectors::FileTarget;
use syncrules_lang::Value;
use syncrules_lang::dn::Dn;

/// xorshift64*: a small deterministic generator, so a failing seed can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    }
}

fn target(dir: &Path) -> FileTarget {
    FileTarget::new("Entra", dir).with_compaction(60, 10_000)
}

fn dn(cn: &str) -> String {
    format!("CN={cn},OU=Users,DC=contoso,DC=onmicrosoft,DC=com")
}

fn change(op: ExportOp, dn: &str, anchor: Option<&str>, attrs: Vec<(&str, Value)>) -> ExportChange {
    ExportChange {
        retry: false,
        op,
        dn: Dn::parse(dn).unwrap(),
        old_dn: None,
        anchor: anchor.map(str::to_owned),
        object_type: "user".to_owned(),
        attributes: attrs.into_iter().map(|(k, v)| (k.into(), v)).collect(),
    }
}

/// A random value of a plain attribute: a string, a number, a multi-value, or a null.
fn plain(rng: &mut Rng, n: usize) -> Value {
    match rng.below(5) {
        0 => Value::Null,
        1 => Value::from(format!("value {n}")),
        2 => Value::Num(n as i64),
        3 => Value::multi(vec![
            Value::from(format!("a{n}")),
            Value::from(format!("b{n}")),
        ]),
        _ => Value::Bool(n.is_multiple_of(2)),
    }
}

/// One batch of random changes over the live objects (anchor → DN).
fn batch(rng: &mut Rng, live: &BTreeMap<String, String>, next: &mut usize) -> Vec<ExportChange> {
    let anchors: Vec<&String> = live.keys().collect();
    let mut out = Vec::new();
    for _ in 0..(5 + rng.below(25)) {
        *next += 1;
        let n = *next;
        let some = anchors.get(rng.below(anchors.len())).map(|a| a.as_str());
        match (rng.below(10), some) {
            (0..=2, _) | (_, None) => {
                // A new user; one in four takes a UPN or an address another may hold.
                let upn = if rng.below(4) == 0 {
                    format!("u{}@contoso.com", rng.below(n))
                } else {
                    format!("u{n}@contoso.com")
                };
                out.push(change(
                    ExportOp::Add,
                    &dn(&format!("User {n}")),
                    None,
                    vec![
                        ("displayName", Value::from(format!("User {n}"))),
                        ("userPrincipalName", Value::from(upn)),
                        (
                            "proxyAddresses",
                            Value::multi(vec![Value::from(format!(
                                "smtp:p{}@contoso.com",
                                rng.below(n)
                            ))]),
                        ),
                        ("department", plain(rng, n)),
                        ("sourceAnchor", Value::bin([1, 2, (n % 250) as u8])),
                    ],
                ));
            }
            (3..=5, Some(anchor)) => {
                let mut attrs = vec![("jobTitle", plain(rng, n)), ("department", plain(rng, n))];
                match rng.below(4) {
                    0 => attrs.push(("proxyAddresses", Value::Null)),
                    1 => attrs.push((
                        "proxyAddresses",
                        Value::from(format!("SMTP:p{}@contoso.com", rng.below(n))),
                    )),
                    2 => attrs.push((
                        "userPrincipalName",
                        Value::from(format!("v{n}@contoso.com")),
                    )),
                    _ => attrs.push(("displayName", Value::Null)),
                }
                out.push(change(
                    ExportOp::Update,
                    "CN=unused,DC=x",
                    Some(anchor),
                    attrs,
                ));
            }
            (6..=7, Some(anchor)) => {
                let mut rename = change(
                    ExportOp::Rename,
                    &dn(&format!("Renamed {n}")),
                    Some(anchor),
                    vec![("displayName", Value::from(format!("Renamed {n}")))],
                );
                rename.old_dn = Some(Dn::parse(&live[anchor]).unwrap());
                out.push(rename);
            }
            (_, Some(anchor)) => out.push(change(
                ExportOp::Delete,
                &live[anchor],
                Some(anchor),
                vec![],
            )),
        }
    }
    out
}

/// Entries by anchor, attributes sorted by name (their order is not part of the contract).
fn canonical(
    entries: Vec<ImportEntry>,
) -> BTreeMap<String, (String, String, BTreeMap<String, Value>)> {
    entries
        .into_iter()
        .map(|e| {
            (
                e.anchor.clone().unwrap(),
                (
                    e.dn.to_string(),
                    e.object_type,
                    e.attributes
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect(),
                ),
            )
        })
        .collect()
}

async fn same_as_kept_open(seed: u64) {
    let (kept_dir, reopened_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut kept = target(kept_dir.path());
    let mut rng = Rng(seed);
    let mut live = BTreeMap::new();
    let mut next = 0;
    let mut marks: Option<(String, String)> = None;
    for round in 0..25 {
        let changes = batch(&mut rng, &live, &mut next);
        let expected = kept.export(&changes).await.unwrap();
        let got = target(reopened_dir.path()).export(&changes).await.unwrap();
        assert_eq!(got, expected, "seed {seed}, round {round}: export results");
        for (c, result) in changes.iter().zip(&expected) {
            match (c.op, result) {
                (ExportOp::Add, ExportResult::Done { anchor: Some(a) }) => {
                    live.insert(a.clone(), c.dn.to_string());
                }
                (ExportOp::Rename, ExportResult::Done { .. }) => {
                    live.insert(c.anchor.clone().unwrap(), c.dn.to_string());
                }
                (ExportOp::Delete, ExportResult::Done { .. }) => {
                    live.remove(c.anchor.as_deref().unwrap());
                }
                _ => {}
            }
        }
        let expected = canonical(kept.full_import().await.unwrap().entries);
        let got = canonical(
            target(reopened_dir.path())
                .full_import()
                .await
                .unwrap()
                .entries,
        );
        assert_eq!(got, expected, "seed {seed}, round {round}: full import");
        assert_eq!(expected.len(), live.len());
        if let Some((kept_mark, reopened_mark)) = &marks {
            let expected = kept.delta_import(kept_mark).await.unwrap();
            let got = target(reopened_dir.path())
                .delta_import(reopened_mark)
                .await
                .unwrap();
            assert_eq!(
                canonical(got.entries),
                canonical(expected.entries),
                "seed {seed}, round {round}: delta import"
            );
        }
        let kept_mark = kept.full_import().await.unwrap().watermark.unwrap();
        let reopened_mark = target(reopened_dir.path())
            .full_import()
            .await
            .unwrap()
            .watermark
            .unwrap();
        marks = Some((kept_mark, reopened_mark));
    }
}

#[tokio::test]
async fn a_reopened_folder_answers_as_one_kept_open() {
    for seed in [1, 7, 42, 1_000_003] {
        same_as_kept_open(seed).await;
    }
}
