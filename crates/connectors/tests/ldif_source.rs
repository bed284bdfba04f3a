//! `LdifSource` on recorded fixtures: full imports, delta imports that read only the
//! appended part of the change log, watermarks that expire, torn and stale records, bad
//! files that import nothing, exports appended as whole records.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly on broken fixtures and unexpected results"
)]

use std::path::{Path, PathBuf};
use syncrules_lang::dn::Dn;
use syncrules_lang::name::AttrMap;

use indexmap::IndexMap;
use syncrules_connector::{
    Change, Connector, ConnectorError, ExportChange, ExportOp, ExportResult, FailureClass,
    ImportBatch, ImportEntry, ValueChange, ValueOp,
};
use syncrules_connectors::LdifSource;
use syncrules_connectors::ldif::AttributeTyping;
use syncrules_engine::model::ConnectorSpace;
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
        .find(|e| e.dn.as_str().eq_ignore_ascii_case(dn))
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

    let victim = entries
        .iter()
        .find(|e| e.dn.as_str().contains(r"\0ACNF:"))
        .unwrap();
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
        .map(|e| (e.change, e.dn.to_string()))
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
    assert_eq!(jane.attributes.keys().collect::<Vec<_>>(), ["title"]);
    assert_eq!(jane.attributes["title"], Value::from("Vice President"));
    assert_eq!(
        jane.value_changes,
        [ValueChange {
            attribute: "proxyAddresses".into(),
            op: ValueOp::Add,
            values: vec![Value::from("smtp:jane.doe@fabrikam.com")],
        }]
    );
    let staff = &first.entries[2];
    assert!(staff.attributes.is_empty());
    assert_eq!(
        staff.value_changes,
        [
            ValueChange {
                attribute: "member".into(),
                op: ValueOp::Add,
                values: vec![Value::reference(employee("Kenji Tanaka"))],
            },
            ValueChange {
                attribute: "member".into(),
                op: ValueOp::Remove,
                values: vec![Value::reference(employee("Priya Patel"))],
            },
        ]
    );

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
        (
            alex.change,
            alex.dn.as_str(),
            alex.old_dn.as_ref().map(Dn::as_str)
        ),
        (
            Change::Modify,
            "CN=Alex Doe,OU=Corp,DC=contoso,DC=com",
            Some(employee(r"Doe\, Alex").as_str())
        )
    );
    assert_eq!(alex.attributes["cn"], Value::from("Alex Doe"));
    assert!(alex.value_changes.is_empty());
    let priya = &second.entries[1];
    assert_eq!(
        (priya.change, priya.dn.as_str(), priya.anchor.as_deref()),
        (Change::Delete, employee("Priya Patel").as_str(), None)
    );
    let john = &second.entries[2];
    assert_eq!(john.attributes["userAccountControl"], Value::Num(514));
    assert_eq!(
        john.value_changes,
        [ValueChange {
            attribute: "thumbnailPhoto".into(),
            op: ValueOp::Remove,
            values: Vec::new(),
        }]
    );

    // A full import now shows the directory with every change applied.
    let now = source.full_import().await.unwrap();
    assert_eq!(now.entries.len(), 20);
    assert!(
        now.entries
            .iter()
            .all(|e| e.dn.as_str() != employee("Priya Patel"))
    );
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
    assert_eq!(entry.dn.as_str(), employee("Jane Roe"));
    assert_eq!(entry.old_dn.as_ref().map(Dn::as_str), Some(jane.as_str()));
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

    // A record cut in the middle of the file is a located error: nothing is imported.
    let (_dir, _base, delta, mut source) = delta_setup();
    let mark = source.full_import().await.unwrap().watermark.unwrap();
    std::fs::write(
        &delta,
        "dn: CN=x\nchangetype: modify\nmodify: x\n\ndn: CN=y\nchangetype: delete\n",
    )
    .unwrap();
    for err in [
        source.delta_import(&mark).await.unwrap_err(),
        source.full_import().await.unwrap_err(),
    ] {
        assert!(matches!(err, ConnectorError::Data { .. }), "{err:?}");
        assert!(
            err.to_string().ends_with(
                "ad-delta.ldif:3: expected `add:`, `delete:` or `replace:`, found `modify:`"
            ),
            "{err}"
        );
    }
}

#[tokio::test]
async fn a_base_record_without_object_class_is_a_cut_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.ldif");
    let mut text = read("contoso.ldif");
    text.push_str("\ndn: CN=Cut,DC=contoso,DC=com\ncn: Cut\n");
    std::fs::write(&path, text).unwrap();
    let err = LdifSource::new("AD", &path)
        .full_import()
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Data { .. }), "{err:?}");
    assert!(
        err.to_string()
            .ends_with("the record `CN=Cut,DC=contoso,DC=com` has no `objectClass`"),
        "{err}"
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
        dn: Dn::parse(&employee("Jane Doe")).unwrap(),
        old_dn: None,
        anchor: None,
        object_type: "user".to_owned(),
        attributes: syncrules_lang::name::attrs([("title".to_owned(), Value::from("CEO"))]),
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

/// A connector space after a full import.
async fn imported(source: &mut LdifSource) -> ConnectorSpace {
    let mut space = ConnectorSpace::default();
    let batch = source.full_import().await.unwrap();
    syncrules_engine::import::apply(&mut space, batch, true);
    space
}

/// An object as a connector space holds it: DN (lowercase), type, anchor and values.
type Held = (String, String, Option<String>, AttrMap);

/// The objects a connector space holds (not deleted), by DN.
fn held(space: &ConnectorSpace) -> Vec<Held> {
    use syncrules_engine::model::PendingImport;
    let mut objects: Vec<_> = space
        .objects
        .values()
        .filter(|o| o.pending_import != Some(PendingImport::Delete))
        .map(|o| {
            (
                o.dn.to_ascii_lowercase(),
                o.object_type.clone(),
                o.anchor.clone(),
                o.attributes.clone(),
            )
        })
        .collect();
    objects.sort_by(|a, b| a.0.cmp(&b.0));
    objects
}

fn append(path: &Path, text: &str) {
    use std::io::Write as _;
    let mut file = std::fs::File::options()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

#[tokio::test]
async fn delta_imports_applied_by_the_engine_hold_what_a_full_import_holds() {
    let (_dir, _base, delta, mut source) = delta_setup();
    let mut space = imported(&mut source).await;
    let mut mark = space.watermark.clone().unwrap();
    for (n, fixture) in [
        "contoso-delta-1.ldif",
        "contoso-delta-2.ldif",
        "contoso-delta-3.ldif",
    ]
    .into_iter()
    .enumerate()
    {
        append(&delta, &read(fixture));
        let batch = source.delta_import(&mark).await.unwrap();
        assert!(batch.errors.is_empty(), "{fixture}: {:?}", batch.errors);
        mark = batch.watermark.clone().unwrap();
        let report = syncrules_engine::import::apply(&mut space, batch, false);
        assert!(report.errors.is_empty(), "{fixture}: {:?}", report.errors);
        let fresh = imported(&mut source).await;
        assert_eq!(held(&space), held(&fresh), "after delta {}", n + 1);
        assert_eq!(fresh.watermark.as_deref(), Some(mark.as_str()));
    }
    // Delta 3 as one batch: the short-lived user folds away, Mei Lin is one add under her
    // new name, Jane's later `replace` supersedes the value changes before it.
    let third = read("contoso-delta-3.ldif");
    let (_dir, _base, delta, mut source) = delta_setup();
    let mark = source.full_import().await.unwrap().watermark.unwrap();
    std::fs::write(&delta, &third).unwrap();
    let batch = source.delta_import(&mark).await.unwrap();
    let changes: Vec<_> = batch
        .entries
        .iter()
        .map(|e| (e.change, e.dn.to_string()))
        .collect();
    assert_eq!(
        changes,
        [
            (
                Change::Modify,
                format!("CN=SG-All-Engineering,OU=Groups,OU=Corp,{DOMAIN}")
            ),
            (Change::Add, employee("Mei Lin-Wong")),
            (Change::Modify, employee("Johnny Smith")),
            (Change::Modify, employee("Jane Doe")),
        ]
    );
    let mei = &batch.entries[1];
    assert_eq!(mei.attributes["cn"], Value::from("Mei Lin-Wong"));
    assert_eq!(
        mei.attributes["proxyAddresses"],
        Value::from("SMTP:mei.lin@contoso.com")
    );
    assert_eq!(mei.attributes["title"], Value::from("Analyst"));
    assert!(mei.value_changes.is_empty());
    let johnny = &batch.entries[2];
    assert_eq!(
        johnny.old_dn.as_ref().map(Dn::as_str),
        Some(employee("John Smith").as_str())
    );
    assert!(johnny.attributes.is_empty());
    assert_eq!(
        johnny.value_changes,
        [ValueChange {
            attribute: "cn".into(),
            op: ValueOp::Add,
            values: vec![Value::from("Johnny Smith")],
        }]
    );
    let jane = &batch.entries[3];
    assert_eq!(
        jane.attributes["proxyAddresses"],
        Value::from("SMTP:jane.doe@contoso.com")
    );
    assert_eq!(
        jane.value_changes,
        [ValueChange {
            attribute: "otherTelephone".into(),
            op: ValueOp::Add,
            values: vec![Value::from("555-0100")],
        }]
    );
}

/// Sets a file's bytes without changing its size or modification time.
fn overwrite_keeping_stamp(path: &Path, bytes: &[u8]) {
    let before = std::fs::metadata(path).unwrap();
    assert_eq!(before.len(), u64::try_from(bytes.len()).unwrap());
    std::fs::write(path, bytes).unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(before.modified().unwrap()).unwrap();
    let after = std::fs::metadata(path).unwrap();
    assert_eq!(
        (after.len(), after.modified().unwrap()),
        (before.len(), before.modified().unwrap())
    );
}

#[tokio::test]
async fn a_delta_import_reads_neither_the_base_file_nor_the_consumed_records() {
    let (_dir, base, delta, mut source) = delta_setup();
    let jane = employee("Jane Doe");
    let consumed: String = (0..200)
        .map(|i| {
            format!(
                "dn: {jane}\nchangetype: modify\nreplace: description\ndescription: v{i}\n-\n\n"
            )
        })
        .collect();
    assert!(consumed.len() > 3 * 4096);
    std::fs::write(&delta, &consumed).unwrap();
    let mark = source.full_import().await.unwrap().watermark.unwrap();
    let john = employee("John Smith");
    let new: String = (0..3)
        .map(|i| format!("dn: {john}\nchangetype: modify\nreplace: title\ntitle: t{i}\n-\n\n"))
        .collect();
    append(&delta, &new);

    // Bytes that are not UTF-8 make any parse of them fail: the base file, same size and
    // modification time, and the consumed records but the last 4 KiB before the offset.
    let base_len = std::fs::metadata(&base).unwrap().len();
    overwrite_keeping_stamp(&base, &vec![0xff; usize::try_from(base_len).unwrap()]);
    let mut log = std::fs::read(&delta).unwrap();
    log[..consumed.len() - 4096].fill(0xff);
    std::fs::write(&delta, &log).unwrap();

    let batch = source.delta_import(&mark).await.unwrap();
    assert!(batch.errors.is_empty(), "{:?}", batch.errors);
    assert_eq!(batch.entries.len(), 1);
    assert_eq!(
        (batch.entries[0].change, batch.entries[0].dn.as_str()),
        (Change::Modify, john.as_str())
    );
    assert_eq!(batch.entries[0].attributes["title"], Value::from("t2"));
    let next = batch.watermark.unwrap();
    assert!(
        next.contains(&format!(
            ":{}:{}:203:",
            consumed.len() + new.len(),
            1200 + 18
        )),
        "{next}"
    );
    // Proof that the garbage is noticed by whatever reads it: a full import fails on it.
    let err = source.full_import().await.unwrap_err();
    assert!(
        err.to_string()
            .contains("ad.ldif:1: the file is not valid utf-8"),
        "{err}"
    );
    // And the next delta reads from the new offset.
    append(&delta, &format!("dn: {john}\nchangetype: delete\n\n"));
    let batch = source.delta_import(&next).await.unwrap();
    assert_eq!(batch.entries.len(), 1);
    assert_eq!(batch.entries[0].change, Change::Delete);
}

#[tokio::test]
async fn a_torn_final_record_waits_until_it_is_complete() {
    let (_dir, _base, delta, mut source) = delta_setup();
    let mark = source.full_import().await.unwrap().watermark.unwrap();
    let john = employee("John Smith");
    let first = read("contoso-delta-1.ldif");
    let dn_line = first.lines().count() + 2;
    std::fs::write(
        &delta,
        format!("{first}\ndn: {john}\nchangetype: modify\nreplace: mS-"),
    )
    .unwrap();
    let torn = |batch: &ImportBatch, reason: &str| {
        assert_eq!(batch.errors.len(), 1, "{:?}", batch.errors);
        assert_eq!(batch.errors[0].dn.as_deref(), Some(john.as_str()));
        let message = &batch.errors[0].message;
        assert!(
            message.ends_with(&format!(
                "ad-delta.ldif:{dn_line}: the last record is incomplete ({reason}): \
                 it is read once it is complete"
            )),
            "{message}"
        );
    };
    let batch = source.delta_import(&mark).await.unwrap();
    assert_eq!(batch.entries.len(), 3);
    torn(&batch, "the file does not end with a line end");
    let full = source.full_import().await.unwrap();
    torn(&full, "the file does not end with a line end");
    assert_eq!(full.watermark, batch.watermark);
    assert!(
        by_dn(&full.entries, &john)
            .attributes
            .get("mS-DS-ConsistencyGuid")
            .is_none()
    );
    let mark = batch.watermark.unwrap();

    // Cut at a line end: `replace: mS-DS-ConsistencyGuid` alone would remove the value.
    append(&delta, "DS-ConsistencyGuid\n");
    let batch = source.delta_import(&mark).await.unwrap();
    assert!(batch.entries.is_empty());
    torn(&batch, "its last modification is not closed by `-`");
    assert_eq!(batch.watermark.as_deref(), Some(mark.as_str()));

    append(
        &delta,
        "mS-DS-ConsistencyGuid:: AQEBAQEBAQEBAQEBAQEBAQ==\n-\n",
    );
    let batch = source.delta_import(&mark).await.unwrap();
    assert!(batch.errors.is_empty(), "{:?}", batch.errors);
    assert_eq!(batch.entries.len(), 1);
    assert_eq!(
        batch.entries[0].attributes["mS-DS-ConsistencyGuid"],
        Value::bin([1u8; 16])
    );
    assert_eq!(
        source.full_import().await.unwrap().watermark,
        batch.watermark
    );
}

#[tokio::test]
async fn stale_delta_records_are_skipped_by_a_full_import() {
    let (_dir, _base, delta, mut source) = delta_setup();
    let jane = employee("Jane Doe");
    let john = employee("John Smith");
    std::fs::write(
        &delta,
        format!(
            "dn: CN=Nobody,{DOMAIN}\nchangetype: delete\n\n\
             dn: CN=Ghost,{DOMAIN}\nchangetype: modify\nreplace: title\ntitle: x\n-\n\n\
             dn: {jane}\nchangetype: add\nobjectClass: user\ncn: Jane Doe\n\n\
             dn: {john}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: no\n-\n\n\
             dn: {john}\nchangetype: modify\nreplace: title\ntitle: Engineer II\n-\n"
        ),
    )
    .unwrap();
    let full = source.full_import().await.unwrap();
    assert_eq!(full.entries.len(), 20);
    assert_eq!(
        by_dn(&full.entries, &john).attributes["title"],
        Value::from("Engineer II")
    );
    let errors: Vec<_> = full
        .errors
        .iter()
        .map(|e| {
            let (_, located) = e.message.split_once("ad-delta.ldif:").unwrap();
            (e.dn.clone().unwrap(), located.to_owned())
        })
        .collect();
    assert_eq!(
        errors,
        [
            (
                format!("CN=Nobody,{DOMAIN}"),
                format!("1: `CN=Nobody,{DOMAIN}` does not exist")
            ),
            (
                format!("CN=Ghost,{DOMAIN}"),
                format!("4: `CN=Ghost,{DOMAIN}` does not exist")
            ),
            (jane.clone(), format!("10: `{jane}` already exists")),
            (
                john.clone(),
                "18: `userAccountControl` holds integers, and `no` is not one".to_owned()
            ),
        ]
    );
    // The full import's watermark covers the history it replayed.
    let mark = full.watermark.unwrap();
    let nothing = source.delta_import(&mark).await.unwrap();
    assert!(nothing.entries.is_empty() && nothing.errors.is_empty());
    // A delta import passes a stale delete on (the engine reports it), and a value that does
    // not fit its attribute is that record's error.
    append(
        &delta,
        &format!(
            "\ndn: CN=Nobody,{DOMAIN}\nchangetype: delete\n\n\
             dn: {john}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: no\n-\n"
        ),
    );
    let batch = source.delta_import(&mark).await.unwrap();
    assert_eq!(batch.entries.len(), 1);
    assert_eq!(batch.entries[0].change, Change::Delete);
    assert_eq!(batch.errors.len(), 1);
    assert!(
        batch.errors[0].message.ends_with(
            "ad-delta.ldif:33: `userAccountControl` holds integers, and `no` is not one"
        ),
        "{:?}",
        batch.errors
    );
    let mut space = imported(&mut source).await;
    let report = syncrules_engine::import::apply(&mut space, batch, false);
    assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
}

#[tokio::test]
async fn watermarks_expire_without_reading_the_files_whole() {
    let (_dir, base, delta, mut source) = delta_setup();
    std::fs::write(&delta, read("contoso-delta-1.ldif")).unwrap();
    let mark = source.full_import().await.unwrap().watermark.unwrap();
    let expired = |r: Result<ImportBatch, ConnectorError>| {
        matches!(r, Err(ConnectorError::WatermarkExpired { .. }))
    };
    // A watermark of the previous version: a full import once, never an error.
    assert!(expired(
        source
            .delta_import("ldif:1:00000000deadbeef:3:120:0000000000000007")
            .await
    ));
    // Truncated below the offset, or cut and grown back past it.
    let log = read("contoso-delta-1.ldif");
    std::fs::write(&delta, &log[..100]).unwrap();
    assert!(expired(source.delta_import(&mark).await));
    std::fs::write(&delta, format!("{}\n\n{}", &log[..100], log)).unwrap();
    assert!(expired(source.delta_import(&mark).await));
    // Rewritten with the same length: one byte before the offset differs.
    std::fs::write(&delta, log.replacen("Vice President", "Vice-President", 1)).unwrap();
    assert!(expired(source.delta_import(&mark).await));
    std::fs::write(&delta, &log).unwrap();
    assert!(source.delta_import(&mark).await.is_ok());
    // The base file touched (same bytes, new time): another export.
    let bytes = std::fs::read(&base).unwrap();
    let file = std::fs::File::options().write(true).open(&base).unwrap();
    file.set_modified(std::time::SystemTime::UNIX_EPOCH)
        .unwrap();
    assert!(expired(source.delta_import(&mark).await));
    std::fs::write(&base, bytes).unwrap();
    // A final record read as whole at its line end, then continued: only a full import
    // reads it right.
    let mark = source.full_import().await.unwrap().watermark.unwrap();
    append(&delta, "replace: title\ntitle: Head of Sales\n-\n");
    assert!(expired(source.delta_import(&mark).await));
    let full = source.full_import().await.unwrap();
    let staff = by_dn(
        &full.entries,
        &format!("CN=DL-All Staff,OU=Groups,OU=Corp,{DOMAIN}"),
    );
    assert_eq!(staff.attributes["title"], Value::from("Head of Sales"));
    std::fs::write(&delta, &log).unwrap();
    // The delta file removed after it was read.
    let mark = source.full_import().await.unwrap().watermark.unwrap();
    std::fs::remove_file(&delta).unwrap();
    assert!(expired(source.delta_import(&mark).await));
}

#[tokio::test]
async fn exports_are_appended_whole_and_read_back() {
    let (_dir, _base, delta, mut source) = delta_setup();
    std::fs::write(&delta, read("contoso-delta-1.ldif")).unwrap();
    let mark = source.full_import().await.unwrap().watermark.unwrap();
    let john = employee("John Smith");
    let guid = ExportChange {
        retry: false,
        op: ExportOp::Update,
        dn: Dn::parse(&john).unwrap(),
        old_dn: None,
        anchor: None,
        object_type: "user".to_owned(),
        attributes: syncrules_lang::name::attrs([(
            "mS-DS-ConsistencyGuid".to_owned(),
            Value::bin([7u8; 16]),
        )]),
    };
    let results = source.export(std::slice::from_ref(&guid)).await.unwrap();
    assert!(
        matches!(results[..], [ExportResult::Done { .. }]),
        "{results:?}"
    );
    let text = std::fs::read_to_string(&delta).unwrap();
    assert!(text.ends_with("-\n\n"), "{text}");
    let batch = source.delta_import(&mark).await.unwrap();
    let entry = by_dn(&batch.entries, &john);
    assert_eq!(
        entry.attributes["mS-DS-ConsistencyGuid"],
        Value::bin([7u8; 16])
    );

    // After a torn record nothing is appended: it would complete the torn one wrongly.
    append(
        &delta,
        &format!("dn: {john}\nchangetype: modify\nreplace: ti"),
    );
    let before = std::fs::read(&delta).unwrap();
    let results = source.export(&[guid]).await.unwrap();
    assert!(
        matches!(&results[..], [ExportResult::Retry { message }] if message.contains("is incomplete (the file does not end with a line end)")),
        "{results:?}"
    );
    assert_eq!(std::fs::read(&delta).unwrap(), before);
}

#[tokio::test]
async fn a_record_whose_dn_does_not_parse_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad-dn.ldif");
    std::fs::write(
        &path,
        "dn: CN=Good,DC=x\nobjectClass: user\n\ndn: CN=Bad\\4,DC=x\nobjectClass: user\n",
    )
    .unwrap();
    let err = LdifSource::new("AD", &path)
        .full_import()
        .await
        .unwrap_err();
    let ConnectorError::Data { message, .. } = &err else {
        panic!("data error expected, got {err:?}")
    };
    assert!(
        message.ends_with(
            "bad-dn.ldif:4: `CN=Bad\\4,DC=x` is not a valid DN: \
             the escape at byte 6 is neither a special character nor two hex digits"
        ),
        "{message}"
    );
}
