//! Scenario helpers: plans from rule files, import entries, one-call sync steps.

#![allow(dead_code, reason = "each scenario file uses a subset")]
#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::PathBuf;
use syncrules_lang::dn::Dn;

use chrono::{DateTime, Utc};
use syncrules_engine::connector::{Change, ImportBatch, ImportEntry};
use syncrules_engine::import::apply;
use syncrules_engine::model::State;
use syncrules_engine::sync::{SyncContext, SyncReport, sync_connector};
use syncrules_lang::Value;
use syncrules_lang::rules::{Plan, Report, load_rule_set};

/// The plan of a rule-set folder, which must check.
pub fn plan_of(dir: &std::path::Path) -> Plan {
    let mut report = Report::default();
    let set = load_rule_set(&[dir.to_path_buf()], &mut report);
    let plan = Plan::build(&set, &mut report);
    assert_eq!(report.errors(), 0, "{}", report.render());
    plan.unwrap()
}

/// The project's default rules.
pub fn default_plan() -> Plan {
    plan_of(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules"))
}

/// A plan from rule files written into a fresh folder.
pub fn plan_from(files: &[(&str, &str)]) -> Plan {
    let dir = tempfile::tempdir().unwrap();
    for (p, t) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, t).unwrap();
    }
    plan_of(dir.path())
}

/// An import entry.
pub fn entry(
    change: Change,
    dn: &str,
    anchor: &str,
    ty: &str,
    attrs: &[(&str, Value)],
) -> ImportEntry {
    ImportEntry {
        value_changes: Vec::new(),
        change,
        dn: Dn::parse(dn).unwrap(),
        old_dn: None,
        anchor: (!anchor.is_empty()).then(|| anchor.to_owned()),
        object_type: ty.to_owned(),
        attributes: attrs
            .iter()
            .map(|(k, v)| ((*k).into(), v.clone()))
            .collect::<syncrules_lang::AttrMap>(),
    }
}

pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// Imports `entries` (full or delta) into `connector` and syncs it.
pub fn import_and_sync(
    state: &mut State,
    plan: &Plan,
    connector: &str,
    entries: Vec<ImportEntry>,
    full: bool,
) -> SyncReport {
    let ctx = SyncContext {
        plan,
        now: now(),
        deletion_window: None,
    };
    import_and_sync_in(state, &ctx, connector, entries, full)
}

/// [`import_and_sync`] with a sync context of the test's own (its time, its deletion
/// window).
pub fn import_and_sync_in(
    state: &mut State,
    ctx: &SyncContext<'_>,
    connector: &str,
    entries: Vec<ImportEntry>,
    full: bool,
) -> SyncReport {
    apply(
        state.space(connector),
        ImportBatch {
            errors: Vec::new(),
            entries,
            watermark: None,
        },
        full,
    );
    sync_connector(state, ctx, connector, full)
}

/// An AD user entry.
pub fn ad_user(cn: &str, guid: u8, attrs: &[(&str, Value)]) -> ImportEntry {
    let mut all = vec![
        ("cn", Value::from(cn)),
        (
            "sAMAccountName",
            Value::from(cn.to_lowercase().replace(' ', ".")),
        ),
        ("objectGUID", Value::bin([guid; 16])),
        ("userAccountControl", Value::Num(512)),
        (
            "objectSid",
            Value::bin([1, 1, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, guid, 0, 0, 0]),
        ),
    ];
    all.extend(attrs.iter().cloned());
    entry(
        Change::Present,
        &format!("CN={cn},OU=Users,DC=contoso,DC=com"),
        &format!("guid-{guid}"),
        "user",
        &all,
    )
}

/// A rule-set folder's declarations for the scenarios: an AD-like source, an HR source
/// and a cloud target.
pub const CONFIG: &str = "\
metaverse:
  object-types: [person, group]
connectors:
  ad:
    kind: active-directory
    object-types: [user, group]
  hr:
    kind: file
    object-types: [worker]
  cloud:
    kind: entra-id
    object-types: [user, group]
";

/// A rule file's text.
pub fn rule(
    name: &str,
    direction: &str,
    connector: &str,
    source: &str,
    target: &str,
    precedence: i64,
    rest: &str,
) -> String {
    format!(
        "name: {name}\ndirection: {direction}\nconnector: {connector}\nsource: {source}\ntarget: {target}\nprecedence: {precedence}\n{rest}"
    )
}

/// A plan of `CONFIG` and these rules.
pub fn scenario_plan(rules: &[String]) -> Plan {
    let mut files: Vec<(String, String)> = vec![("syncrules.yaml".to_owned(), CONFIG.to_owned())];
    for (i, r) in rules.iter().enumerate() {
        files.push((format!("r{i}.yaml"), r.clone()));
    }
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    plan_from(&borrowed)
}

/// A plain entry of some type.
pub fn obj(dn: &str, anchor: &str, ty: &str, attrs: &[(&str, Value)]) -> ImportEntry {
    entry(Change::Present, dn, anchor, ty, attrs)
}

/// The metaverse objects' values of one attribute, by id order.
pub fn mv_values(state: &State, attr: &str) -> Vec<Value> {
    state
        .metaverse
        .objects
        .values()
        .map(|m| m.attributes.get(attr).cloned().unwrap_or(Value::Null))
        .collect()
}

/// The pending exports of a connector: (op, dn).
pub fn pending(
    state: &State,
    connector: &str,
) -> Vec<(syncrules_engine::connector::ExportOp, String)> {
    state
        .spaces
        .get(connector)
        .map(|s| {
            s.objects
                .values()
                .filter_map(|o| o.pending_export.as_ref().map(|p| (p.op, o.dn.clone())))
                .collect()
        })
        .unwrap_or_default()
}
