//! `LdifSource` on recorded fixtures: full imports, delta imports over an appended change
//! log, watermarks that expire, bad files that import nothing, a read-only export.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly on broken fixtures and unexpected results"
)]

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use syncrules_connectors::LdifSource;
use syncrules_connectors::ldif::AttributeTyping;
use syncrules_engine::{
    Change, Connector, ConnectorError, ExportChange, ExportOp, ExportResult, FailureClass,
    ImportEntry,
};
use syncrules_lang::schema::AttributeDef;
use syncrules_lang::{Scalar, Schema, Value};

const DOMAIN: &str = "DC=contoso,DC=com";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

fn by_dn<'a>(entries: &'a [ImportEntry], dn: &str) -> &'a ImportEntry {
    entries
        .iter()
        .find(|e| e.dn.eq_ignore_ascii_case(dn))
        .unwrap_or_else(|| panic!("no entry `{dn}`"))
}

fn employee(cn: &str) -> String {
    format!("CN={cn},OU=Employees,OU=Corp,{DOMAIN}")
}

#[tokio::test]
async fn full_import_reads_every_object_typed() {
    let mut source = LdifSource::new("AD", fixture("contoso.ldif"));
    let batch = source.full_import().await.unwrap();
    let entries = &batch.entries;
    assert_eq!(entries.len(), 20);
    assert!(batch.watermark.is_some());
    assert!(entries.iter().all(|e| e.change == Change::Present));
    assert!(entries.iter().all(|e| e.anchor.is_some()));

    let types = entries.iter().fold(IndexMap::new(), |mut m, e| {
        *m.entry(e.object_type.as_str()).or_insert(0) += 1;
        m
    });
    assert_eq!(
        types,
        IndexMap::from([
            ("domainDNS", 1),
            ("container", 1),
            ("organizationalUnit", 3),
            ("user", 9),
            ("computer", 1),
            ("contact", 1),
            ("group", 4),
        ])
    );

    let john = by_dn(entries, &employee("John Smith"));
    assert_eq!(john.attributes["userAccountControl"], Value::Num(512));
    assert_eq!(
        john.attributes["manager"],
        Value::reference(employee("Jane Doe"))
    );
    assert!(matches!(john.attributes["objectGUID"], Value::Bin(ref b) if b.len() == 16));
    assert!(matches!(john.attributes["objectSid"], Value::Bin(ref b) if b.len() == 28));
    assert!(matches!(john.attributes["thumbnailPhoto"], Value::Bin(_)));
    assert_eq!(john.attributes["proxyAddresses"].values().len(), 3);

    let jose = by_dn(entries, &employee("José Núñez"));
    assert_eq!(jose.attributes["l"], Value::from("São Paulo"));
    let alex = by_dn(entries, &employee(r"Doe\, Alex"));
    assert_eq!(alex.attributes["cn"], Value::from("Doe, Alex"));
    assert!(!alex.attributes.contains_key("userPrincipalName"));

    let krbtgt = by_dn(entries, &format!("CN=krbtgt,CN=Users,{DOMAIN}"));
    assert_eq!(
        krbtgt.attributes["isCriticalSystemObject"],
        Value::Bool(true)
    );
    assert_eq!(
        krbtgt.attributes["showInAdvancedViewOnly"],
        Value::Bool(true)
    );

    let victim = entries.iter().find(|e| e.dn.contains(r"\0ACNF:")).unwrap();
    assert!(matches!(&victim.attributes["cn"], Value::Str(s) if s.contains("\nCNF:")));

    let staff = by_dn(
        entries,
        &format!("CN=DL-All Staff,OU=Groups,OU=Corp,{DOMAIN}"),
    );
    assert_eq!(staff.attributes["groupType"], Value::Num(2));
    assert_eq!(staff.attributes["member"].values().len(), 5);
    assert!(
        staff.attributes["member"]
            .values()
            .iter()
            .all(|m| matches!(m, Value::Ref(_)))
    );
    let all_eng = by_dn(
        entries,
        &format!("CN=SG-All-Engineering,OU=Groups,OU=Corp,{DOMAIN}"),
    );
    assert_eq!(all_eng.attributes["groupType"], Value::Num(-2_147_483_640));
}

/// A base file and a delta file in a fresh folder.
fn delta_setup() -> (tempfile::TempDir, PathBuf, PathBuf, LdifSource) {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("ad.ldif");
    let delta = dir.path().join("ad-delta.ldif");
    std::fs::write(&base, read("contoso.ldif")).unwrap();
    let source = LdifSource::new("AD", &base).with_delta(&delta);
    (dir, base, delta, source)
}

#[tokio::test]
async fn delta_imports_continue_after_the_consumed_records() {
    let (_dir, _base, delta, mut source) = delta_setup();
    let full = source.full_import().await.unwrap();
    let mark = full.watermark.unwrap();

    let nothing = source.delta_import(&mark).await.unwrap();
    assert!(nothing.entries.is_empty());
    assert_eq!(nothing.watermark.as_deref(), Some(mark.as_str()));

    std::fs::write(&delta, read("contoso-delta-1.ldif")).unwrap();
    let first = source.delta_import(&mark).await.unwrap();
    let changes: Vec<_> = first
        .entries
        .iter()
        .map(|e| (e.change, e.dn.clone()))
        .collect();
    assert_eq!(
        changes,
        [
            (Change::Add, employee("Kenji Tanaka")),
            (Change::Modify, employee("Jane Doe")),
            (
                Change::Modify,
                format!("CN=DL-All Staff,OU=Groups,OU=Corp,{DOMAIN}")
            ),
        ]
    );
    let kenji = &first.entries[0];
    assert!(kenji.anchor.is_some());
    assert_eq!(kenji.object_type, "user");
    let jane = &first.entries[1];
    assert_eq!(
        jane.attributes.keys().collect::<Vec<_>>(),
        ["title", "proxyAddresses"]
    );
    assert_eq!(jane.attributes["title"], Value::from("Vice President"));
    assert_eq!(jane.attributes["proxyAddresses"].values().len(), 3);
    let members = first.entries[2].attributes["member"].values().to_vec();
    assert_eq!(members.len(), 5);
    assert!(members.contains(&Value::reference(employee("Kenji Tanaka"))));
    assert!(!members.contains(&Value::reference(employee("Priya Patel"))));

    // The same watermark gives the same answer: nothing is consumed by reading.
    assert_eq!(source.delta_import(&mark).await.unwrap(), first);

    let mark = first.watermark.unwrap();
    let mut log = read("contoso-delta-1.ldif");
    log.push_str(&read("contoso-delta-2.ldif"));
    std::fs::write(&delta, &log).unwrap();
    let second = source.delta_import(&mark).await.unwrap();
    assert_eq!(second.entries.len(), 3);
    let alex = &second.entries[0];
    assert_eq!(
        (alex.change, alex.dn.as_str(), alex.old_dn.as_deref()),
        (
            Change::Modify,
            "CN=Alex Doe,OU=Corp,DC=contoso,DC=com",
            Some(employee(r"Doe\, Alex").as_str())
        )
    );
    assert_eq!(alex.attributes["cn"], Value::from("Alex Doe"));
    let priya = &second.entries[1];
    assert_eq!(
        (priya.change, priya.object_type.as_str()),
        (Change::Delete, "user")
    );
    assert!(priya.anchor.is_some());
    let john = &second.entries[2];
    assert_eq!(john.attributes["userAccountControl"], Value::Num(514));
    assert_eq!(john.attributes["thumbnailPhoto"], Value::Null);

    // A full import now shows the directory with every change applied.
    let now = source.full_import().await.unwrap();
    assert_eq!(now.entries.len(), 20);
    assert!(now.entries.iter().all(|e| e.dn != employee("Priya Patel")));
    by_dn(&now.entries, "CN=Alex Doe,OU=Corp,DC=contoso,DC=com");
    assert_eq!(now.watermark, second.watermark);
}

#[tokio::test]
async fn one_delta_over_several_changes_of_an_object_folds_them() {
    let (_dir, _base, delta, mut source) = delta_setup();
    let mark = source.full_import().await.unwrap().watermark.unwrap();
    let jane = employee("Jane Doe");
    let ldif = format!(
        "dn: {jane}\nchangetype: modify\nreplace: title\ntitle: CTO\n-\n\n\
         dn: {jane}\nchangetype: modrdn\nnewrdn: CN=Jane Roe\ndeleteoldrdn: 1\n\n\
         dn: {}\nchangetype: modify\nreplace: sn\nsn: Roe\n-\n",
        employee("Jane Roe")
    );
    std::fs::write(&delta, ldif).unwrap();
    let batch = source.delta_import(&mark).await.unwrap();
    assert_eq!(batch.entries.len(), 1);
    let entry = &batch.entries[0];
    assert_eq!(entry.dn, employee("Jane Roe"));
    assert_eq!(entry.old_dn.as_deref(), Some(jane.as_str()));
    assert_eq!(
        entry.attributes.keys().collect::<Vec<_>>(),
        ["title", "cn", "sn"]
    );
}

#[tokio::test]
async fn watermarks_expire_when_the_files_change_under_them() {
    let (_dir, base, delta, mut source) = delta_setup();
    std::fs::write(&delta, read("contoso-delta-1.ldif")).unwrap();
    let mark = source.full_import().await.unwrap().watermark.unwrap();
    let expired = |r: Result<_, ConnectorError>| matches!(r, Err(ConnectorError::WatermarkExpired { ref connector }) if connector == "AD");

    assert!(expired(source.delta_import("not a watermark").await));
    assert!(expired(source.delta_import("file-target:1:3").await));

    // The change log was rewritten: the consumed prefix is not there any more.
    std::fs::write(&delta, read("contoso-delta-2.ldif")).unwrap();
    assert!(expired(source.delta_import(&mark).await));
    // Truncated.
    std::fs::write(&delta, "").unwrap();
    assert!(expired(source.delta_import(&mark).await));

    // The base file was replaced by a new export.
    std::fs::write(&delta, read("contoso-delta-1.ldif")).unwrap();
    assert!(source.delta_import(&mark).await.is_ok());
    let mut changed = read("contoso.ldif");
    changed.push_str("\ndn: OU=New,DC=contoso,DC=com\nobjectClass: organizationalUnit\n");
    std::fs::write(&base, changed).unwrap();
    assert!(expired(source.delta_import(&mark).await));
}

#[tokio::test]
async fn a_bad_file_imports_nothing_and_says_where() {
    let mut source = LdifSource::new("AD", fixture("bad.ldif"));
    let err = source.full_import().await.unwrap_err();
    let ConnectorError::Data { connector, message } = &err else {
        panic!("data error expected, got {err:?}")
    };
    assert_eq!(connector, "AD");
    assert_eq!(
        message,
        &format!(
            "{}:14: `userAccountControl` holds integers, and `enabled` is not one",
            fixture("bad.ldif").display()
        )
    );
    assert!(err.to_string().starts_with("AD: "));

    let (_dir, _base, delta, mut source) = delta_setup();
    let mark = source.full_import().await.unwrap().watermark.unwrap();
    let mut log = read("contoso-delta-1.ldif");
    log.push_str("\ndn: CN=Nobody,DC=contoso,DC=com\nchangetype: delete\n");
    std::fs::write(&delta, log).unwrap();
    let err = source.delta_import(&mark).await.unwrap_err();
    assert!(
        err.to_string()
            .ends_with("ad-delta.ldif:38: `CN=Nobody,DC=contoso,DC=com` does not exist"),
        "{err}"
    );
    std::fs::write(&delta, "dn: CN=x\nchangetype: modify\nmodify: x\n").unwrap();
    let err = source.delta_import(&mark).await.unwrap_err();
    assert!(
        err.to_string().ends_with(
            "ad-delta.ldif:3: expected `add:`, `delete:` or `replace:`, found `modify:`"
        )
    );
}

#[tokio::test]
async fn a_missing_base_file_is_unavailable() {
    let mut source = LdifSource::new("AD", "/nonexistent/ad.ldif");
    let err = source.full_import().await.unwrap_err();
    assert!(matches!(err, ConnectorError::Unavailable { .. }), "{err:?}");
    assert!(err.to_string().contains("cannot read /nonexistent/ad.ldif"));
}

#[tokio::test]
async fn export_is_refused() {
    let mut source = LdifSource::new("AD", fixture("contoso.ldif"));
    let change = ExportChange {
        retry: false,
        op: ExportOp::Update,
        dn: employee("Jane Doe"),
        old_dn: None,
        anchor: None,
        object_type: "user".to_owned(),
        attributes: IndexMap::from([("title".to_owned(), Value::from("CEO"))]),
    };
    let results = source.export(&[change.clone(), change]).await.unwrap();
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| matches!(
        r,
        ExportResult::Failed { class: FailureClass::Refused, message } if message.contains("read-only")
    )));
}

#[tokio::test]
async fn a_schema_types_the_values_and_is_published() {
    let mut schema = Schema::new();
    schema.add_attribute(AttributeDef::new("telephoneNumber", Scalar::Num, false));
    schema.add_attribute(AttributeDef::new("employeeType", Scalar::Str, false));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.ldif");
    std::fs::write(
        &path,
        "dn: CN=a,DC=x\nobjectClass: user\ntelephoneNumber: 5550100\nuserAccountControl: 512\n",
    )
    .unwrap();
    let mut source = LdifSource::new("AD", &path).with_schema(schema);
    assert!(source.schema().is_some());
    let batch = source.full_import().await.unwrap();
    let attrs = &batch.entries[0].attributes;
    assert_eq!(attrs["telephoneNumber"], Value::Num(5_550_100));
    assert_eq!(attrs["userAccountControl"], Value::Num(512));

    let mut untyped = LdifSource::new("AD", &path).with_typing(AttributeTyping::untyped());
    let batch = untyped.full_import().await.unwrap();
    assert_eq!(
        batch.entries[0].attributes["userAccountControl"],
        Value::from("512")
    );
}
