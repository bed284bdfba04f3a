//! The project's default rules, end to end: AD objects into the metaverse and out to
//! Entra as pending exports.

mod common;

use common::*;
use syncrules_engine::connector::ExportOp;
use syncrules_engine::model::State;
use syncrules_lang::Value;

const AD: &str = "contoso.com";
const ENTRA: &str = "contoso.onmicrosoft.com";

#[test]
fn ad_user_is_projected_and_provisioned_to_entra() {
    let plan = default_plan();
    let mut state = State::default();
    let report = import_and_sync(
        &mut state,
        &plan,
        AD,
        vec![ad_user(
            "John Doe",
            7,
            &[("givenName", " John ".into()), ("sn", "Doe".into())],
        )],
        true,
    );
    assert_eq!(report.errors, [], "{report:?}");
    assert_eq!(report.projected, 1);
    let mv = state.metaverse.objects.values().next().unwrap();
    assert_eq!(mv.object_type, "person");
    assert_eq!(mv.attributes["givenName"], Value::from("John"));
    assert_eq!(mv.attributes["accountEnabled"], Value::Bool(true));
    assert_eq!(
        mv.attributes["userPrincipalName"],
        Value::from("john.doe@contoso.com")
    );
    assert_eq!(
        mv.attributes["sourceAnchor"],
        Value::from("BwcHBwcHBwcHBwcHBwcHBw==")
    );
    let entra = &state.spaces[ENTRA];
    let user = entra.objects.values().next().unwrap();
    let export = user.pending_export.as_ref().unwrap();
    assert_eq!(export.op, ExportOp::Add);
    assert_eq!(
        export.attributes["userPrincipalName"],
        Value::from("john.doe@contoso.com")
    );
    assert_eq!(export.attributes["accountEnabled"], Value::Bool(true));
    assert!(user.provisioned);
    eprintln!("{:#?}", export.attributes.keys().collect::<Vec<_>>());
}

#[test]
fn consistency_guid_is_written_back_when_empty_and_used_when_present() {
    let plan = default_plan();
    let mut state = State::default();
    let with_guid = ad_user(
        "Jane Roe",
        9,
        &[("mS-DS-ConsistencyGuid", Value::bin([3u8; 16]))],
    );
    let report = import_and_sync(
        &mut state,
        &plan,
        AD,
        vec![ad_user("John Doe", 7, &[]), with_guid],
        true,
    );
    assert_eq!(report.errors, [], "{report:?}");
    // John has no mS-DS-ConsistencyGuid: objectGUID is written back into it, and is his anchor.
    let ad = &state.spaces[AD];
    let john = ad
        .objects
        .values()
        .find(|o| o.dn.starts_with("CN=John"))
        .unwrap();
    let export = john.pending_export.as_ref().unwrap();
    assert_eq!(export.op, ExportOp::Update);
    assert_eq!(
        export.attributes["mS-DS-ConsistencyGuid"],
        Value::bin([7u8; 16])
    );
    // Jane has one: nothing to write, and it is her anchor.
    let jane = ad
        .objects
        .values()
        .find(|o| o.dn.starts_with("CN=Jane"))
        .unwrap();
    assert!(jane.pending_export.is_none());
    let anchors: Vec<Value> = state
        .metaverse
        .objects
        .values()
        .map(|m| m.attributes["sourceAnchor"].clone())
        .collect();
    assert_eq!(
        anchors,
        [
            Value::from("BwcHBwcHBwcHBwcHBwcHBw=="),
            Value::from("AwMDAwMDAwMDAwMDAwMDAw==")
        ]
    );
}

#[test]
fn a_changed_source_anchor_stops_that_object_with_an_error() {
    let plan = default_plan();
    let mut state = State::default();
    import_and_sync(
        &mut state,
        &plan,
        AD,
        vec![ad_user("John Doe", 7, &[]), ad_user("Jane Roe", 9, &[])],
        true,
    );
    // Entra confirms both users with the anchors it was given.
    let entries: Vec<_> = state.spaces[ENTRA]
        .objects
        .values()
        .map(|o| {
            let mut attrs: Vec<(&str, Value)> = o
                .pending_export
                .as_ref()
                .unwrap()
                .attributes
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            // Entra's own anchor for the object: its type and object id.
            attrs.push(("cloudAnchor", Value::from(format!("User_{}", o.id))));
            syncrules_engine::connector::ImportEntry {
                anchor: Some(format!("entra-{}", o.id)),
                ..entry(
                    syncrules_engine::connector::Change::Present,
                    &o.dn,
                    "",
                    &o.object_type,
                    &attrs,
                )
            }
        })
        .collect();
    for o in state.space(ENTRA).objects.values_mut() {
        o.pending_export = None;
    }
    let r = import_and_sync(&mut state, &plan, ENTRA, entries, true);
    assert_eq!(r.errors, [], "{r:?}");
    // John's anchor changes on premises (a new mS-DS-ConsistencyGuid).
    let r = import_and_sync(
        &mut state,
        &plan,
        AD,
        vec![
            ad_user(
                "John Doe",
                7,
                &[("mS-DS-ConsistencyGuid", Value::bin([8u8; 16]))],
            ),
            ad_user("Jane Roe", 9, &[("title", "Boss".into())]),
        ],
        true,
    );
    let errors: Vec<(&str, &str)> = r
        .errors
        .iter()
        .map(|e| (e.rule.as_deref().unwrap_or(""), e.message.as_str()))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].1, "SourceAnchor attribute has changed.");
    // Jane's change still flows: the other object proceeds.
    let pending: Vec<&str> = state.spaces[ENTRA]
        .objects
        .values()
        .filter(|o| o.pending_export.is_some())
        .map(|o| o.dn.as_str())
        .collect();
    assert_eq!(pending.len(), 1, "{pending:?}");
}

#[test]
fn imported_value_reads_only_confirmed_values() {
    use syncrules_engine::model::CsObject;
    // `ImportedValue` sees what the last import confirmed; `[attr]` also sees values
    // exported but not yet confirmed.
    let plan = plan_from(&[
        (
            "syncrules.yaml",
            "metaverse:\n  object-types: [person]\nconnectors:\n  cloud:\n    kind: entra-id\n    object-types: [user]\n",
        ),
        (
            "in.yaml",
            "name: In\ndirection: inbound\nconnector: cloud\nsource: user\ntarget: person\nlink: provision\nprecedence: 1\nflows:\n  - target: confirmed\n    expression: ImportedValue(\"proxyAddresses\")\n  - target: current\n    source: proxyAddresses\n",
        ),
    ]);
    let mut state = State::default();
    let id = state.space("cloud").insert(CsObject {
        dn: "CN=a".into(),
        anchor: Some("a".into()),
        object_type: "user".into(),
        attributes: [("proxyAddresses".into(), Value::from("SMTP:old@x"))]
            .into_iter()
            .collect(),
        unconfirmed: [("proxyAddresses".into(), Value::from("SMTP:new@x"))]
            .into_iter()
            .collect(),
        pending_import: Some(syncrules_engine::model::PendingImport::Add),
        ..CsObject::default()
    });
    let ctx = syncrules_engine::sync::SyncContext {
        plan: &plan,
        now: now(),
        deletion_window: None,
    };
    syncrules_engine::sync::sync_connector(&mut state, &ctx, "cloud", true);
    assert!(state.spaces["cloud"].objects[&id].link.is_some());
    let m = state.metaverse.objects.values().next().unwrap();
    assert_eq!(m.attributes["confirmed"], Value::from("SMTP:old@x"));
    assert_eq!(m.attributes["current"], Value::from("SMTP:new@x"));
}
